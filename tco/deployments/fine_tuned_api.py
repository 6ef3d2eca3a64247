"""A hosted fine-tuned model with a short prompt, plus its training run amortized.

Monthly cost = the fine-tuned model's token prices on a short prompt
+ training price x data set tokens x epochs / amortization months
+ retraining and evaluation (`lifecycle`)
+ retrieval, where the deployment also retrieves context (train for
  behaviour, retrieve for facts).
"""

from __future__ import annotations

import numpy as np

from tco.deployments.api_prompt import (
    check_context_window,
    measure_chat_tokens,
    model_price_refs,
    token_components,
)
from tco.deployments.base import PriceRef, ScenarioContext
from tco.deployments.latency import api_latency
from tco.deployments.lifecycle import lifecycle_monthly_usd
from tco.deployments.retrieval import RetrievalLayer
from tco.deployments.training import measure_training_tokens
from tco.errors import ScenarioError
from tco.limits.requests import RequestProfile
from tco.pricing.cost import price_usage
from tco.scenario import FineTunedApi
from tco.tokens.counter import TokenCounter
from tco.units import TOKENS_PER_MTOK


class FineTunedApiModel:
    kind = "fine_tuned_api"

    def __init__(self, config: FineTunedApi, context: ScenarioContext):
        self.name = config.name
        self.config = config
        self.model = context.book.api_model(config.model, config.provider)
        if self.model.training_usd_per_mtok is None:
            tunable = [row.model for row in context.book.api_models if row.training_usd_per_mtok is not None]
            raise ScenarioError(
                f"{context.loaded.path}: deployment {config.name!r}: model {self.model.model!r} has no "
                f"training price; fine-tunable models: {', '.join(tunable)}"
            )
        counter = TokenCounter(self.model.tokenizer)
        self.retrieval = RetrievalLayer(config.retrieval, context, counter, config.name) if config.retrieval else None
        extra = self.retrieval.context_tokens if self.retrieval else 0.0
        self.tokens = measure_chat_tokens(context, counter, config.system_prompt, extra, config.user_prompt)
        check_context_window(context, self.model, self.tokens, config.name)
        self.training = measure_training_tokens(context, counter, config.training)
        self.training_usd = self.training.trained_tokens * self.model.training_usd_per_mtok / TOKENS_PER_MTOK
        self.attempts = 1 / (1 - config.retry_rate)
        self.latency = api_latency(context.book, self.model, self.tokens.input.mean, self.tokens.output_mean)

    def _tokens(self, volumes) -> dict[str, np.ndarray]:
        return price_usage(
            self.model, self.tokens.input.mean, self.tokens.output_mean, requests=np.asarray(volumes) * self.attempts
        )

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        volumes = np.asarray(volumes, dtype=float)
        costs = token_components(self._tokens(volumes), self._tokens(1.0))
        amortized = self.training_usd / self.config.training.amortization_months
        costs["fine-tuning (amortized)"] = np.full_like(volumes, amortized)
        per_request = sum(float(value) for value in self._tokens(1.0).values())
        lifecycle = lifecycle_monthly_usd(self.config.lifecycle, self.training_usd, per_request)
        costs["retraining and evaluation"] = np.full_like(volumes, lifecycle)
        if self.retrieval is not None:
            costs.update(self.retrieval.monthly_cost(volumes))
        return costs

    def request_profiles(self, max_tokens: int) -> list[RequestProfile]:
        """Return the mean request this deployment sends to its hosted model, for rate-limit checks."""
        return [RequestProfile(self.model, self.tokens.input.mean, 0.0, self.tokens.output_mean, max_tokens)]

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        return self.retrieval.breakpoints(low, high) if self.retrieval else np.empty(0)

    def details(self, volume: float) -> dict:
        refs = model_price_refs(self.model, "standard") + [
            PriceRef(
                f"{self.model.provider}/{self.model.model} training",
                f"{self.model.training_usd_per_mtok:g} USD per million training tokens",
                self.model.source,
                self.model.as_of.isoformat(),
            )
        ]
        if self.retrieval:
            refs += self.retrieval.price_refs()
        return {
            "model": self.model.model,
            "provider": self.model.provider,
            "fine_tuned_from": self.model.fine_tuned_from,
            "input_tokens_per_request": self.tokens.input.as_dict(),
            "output_tokens_per_request": round(self.tokens.output_mean, 2),
            "output_tokens_basis": self.tokens.output_basis,
            "training": self.training.as_dict(),
            "training_usd": round(self.training_usd, 2),
            "amortization_months": self.config.training.amortization_months,
            "lifecycle": self.config.lifecycle.model_dump() if self.config.lifecycle else None,
            "retrieval": self.retrieval.details() if self.retrieval else None,
            "retry_rate": self.config.retry_rate,
            "calls_per_successful_request": round(self.attempts, 4),
            "latency": self.latency,
            "prices": [ref.as_dict() for ref in refs],
        }
