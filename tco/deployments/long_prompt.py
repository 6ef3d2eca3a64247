"""A hosted API model whose system prompt carries many few-shot examples, plus the user input."""

from __future__ import annotations

import numpy as np

from tco.deployments.api_prompt import (
    check_context_window,
    measure_chat_tokens,
    model_price_refs,
    token_components,
)
from tco.deployments.base import ScenarioContext
from tco.limits.requests import RequestProfile
from tco.pricing.cost import price_usage
from tco.scenario import LongPrompt
from tco.tokens.counter import TokenCounter


class LongPromptModel:
    kind = "long_prompt"

    def __init__(self, config: LongPrompt, context: ScenarioContext):
        self.name = config.name
        self.config = config
        self.model = context.book.api_model(config.model, config.provider)
        self.tokens = measure_chat_tokens(context, TokenCounter(self.model.tokenizer), config.system_prompt)
        check_context_window(context, self.model, self.tokens, config.name)

        # The system message is the stable prefix: a cache hit reads it at the
        # cached rate, a miss writes it at the cache-write rate.
        hit_rate = config.prompt_caching.hit_rate if config.prompt_caching else 0.0
        prefix = self.tokens.system_prefix_tokens if config.prompt_caching else 0.0
        self.cached_tokens = hit_rate * prefix
        self.cache_write_tokens = (1 - hit_rate) * prefix

    def _price(self, requests) -> dict[str, np.ndarray]:
        return price_usage(
            self.model,
            input_tokens=self.tokens.input.mean,
            output_tokens=self.tokens.output_mean,
            cached_input_tokens=self.cached_tokens,
            cache_write_tokens=self.cache_write_tokens,
            requests=requests,
            service_tier=self.config.service_tier,
        )

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        return token_components(self._price(volumes), self._price(1.0))

    def request_profiles(self, max_tokens: int) -> list[RequestProfile]:
        """The mean request this deployment sends to its hosted model, for rate-limit checks."""
        return [
            RequestProfile(self.model, self.tokens.input.mean, self.cached_tokens, self.tokens.output_mean, max_tokens)
        ]

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        return np.empty(0)

    def details(self, volume: float) -> dict:
        caching = self.config.prompt_caching
        return {
            "model": self.model.model,
            "provider": self.model.provider,
            "service_tier": self.config.service_tier,
            "input_tokens_per_request": self.tokens.input.as_dict(),
            "system_prefix_tokens": self.tokens.system_prefix_tokens,
            "cached_input_tokens_per_request": round(self.cached_tokens, 2),
            "cache_write_tokens_per_request": round(self.cache_write_tokens, 2),
            "output_tokens_per_request": round(self.tokens.output_mean, 2),
            "output_tokens_basis": self.tokens.output_basis,
            "prompt_caching": (
                {"hit_rate": caching.hit_rate, "basis": caching.basis}
                if caching
                else "off: every request pays the input rate"
            ),
            "prices": [ref.as_dict() for ref in model_price_refs(self.model, self.config.service_tier)],
        }
