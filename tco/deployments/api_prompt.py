"""Token counts and prices shared by the hosted-API deployment kinds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tco.deployments.base import PriceRef, ScenarioContext
from tco.errors import ScenarioError
from tco.pricing.cost import effective_rates
from tco.pricing.schema import ApiModel
from tco.scenario import PromptTemplate
from tco.tokens.counter import TOKENS_PER_MESSAGE, TokenCounter
from tco.workload import TokenStats, count_chat, output_token_mean

TOKEN_COMPONENT_LABELS = {
    "input": "input tokens",
    "cached_input": "cached input tokens",
    "cache_write": "cache write tokens",
    "cache_write_1h": "1-hour cache write tokens",
    "output": "output tokens",
    "reasoning": "reasoning tokens",
    "request_fees": "request fees",
}


def token_components(by_class: dict[str, np.ndarray], per_request: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Label the priced token classes for a breakdown, leaving out classes one request does not pay for.

    `per_request` is the same pricing for a single request, so the set of
    components does not change with the volume.
    """
    return {TOKEN_COMPONENT_LABELS[key]: value for key, value in by_class.items() if np.any(per_request[key])}


@dataclass(frozen=True)
class ChatTokens:
    """Per-request tokens of a system prompt plus the workload's user input, for one model."""

    input: TokenStats
    system_prefix_tokens: float
    output_mean: float
    output_basis: dict
    counter: TokenCounter


def measure_chat_tokens(
    context: ScenarioContext,
    counter: TokenCounter,
    system_prompt: PromptTemplate,
    extra_input_tokens: float = 0.0,
    user_prompt: PromptTemplate | None = None,
) -> ChatTokens:
    """Count [system, user] chat prompts over the workload's real inputs, with chat framing.

    `extra_input_tokens` is added to every request (retrieved context, say).
    The system message with its framing is the stable prefix a provider can cache.
    """
    system = context.measurer.render(system_prompt)
    if system.per_row:
        raise ScenarioError(
            f"{context.loaded.path}: a system prompt must not use per-request variables; "
            "put per-request text in workload.user_input"
        )
    user = context.measurer.render(user_prompt or context.workload.user_input)
    totals = count_chat(counter, [("system", system), ("user", user)]) + extra_input_tokens
    prefix = TOKENS_PER_MESSAGE + counter.count(["system"])[0] + counter.count(system.texts)[0]
    output_mean, output_basis = output_token_mean(context.workload.output_tokens, context.measurer, counter)
    return ChatTokens(
        input=TokenStats.of(totals, counter.label, counter.exact),
        system_prefix_tokens=float(prefix),
        output_mean=output_mean,
        output_basis=output_basis,
        counter=counter,
    )


def check_context_window(context: ScenarioContext, model: ApiModel, tokens: ChatTokens, deployment: str) -> None:
    """Reject a deployment whose largest prompt plus max_tokens overflows the model's window."""
    needed = tokens.input.max + context.workload.max_tokens
    if needed > model.context_window_tokens:
        raise ScenarioError(
            f"{context.loaded.path}: deployment {deployment!r}: the largest request needs {needed:,.0f} tokens "
            f"(input plus max_tokens) but {model.model} has a {model.context_window_tokens:,}-token context window"
        )


def model_price_refs(model: ApiModel, service_tier: str) -> list[PriceRef]:
    """Describe the token-class rates used for a model, with the rules and the row's source."""
    rates = effective_rates(model, service_tier)
    parts = [f"{token_class} {rate.usd_per_mtok:g} ({rate.rule})" for token_class, rate in rates.items()]
    return [
        PriceRef(
            item=f"{model.provider}/{model.model} ({service_tier})",
            value="USD per million tokens: " + "; ".join(parts),
            source=model.source,
            as_of=model.as_of.isoformat(),
        )
    ]
