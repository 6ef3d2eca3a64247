"""A hosted API model with a stable system prompt, optionally with retrieved context.

The `long_prompt` kind carries many few-shot examples in its system prompt;
the `rag` kind is the same deployment with `retrieval` required. Requests
that fail a schema check are retried (`retry_rate`), so the model is called
1 / (1 - retry_rate) times per successful request.
"""

from __future__ import annotations

import functools

import numpy as np

from tco.deployments.api_prompt import (
    check_context_window,
    measure_chat_tokens,
    model_price_refs,
    token_components,
)
from tco.deployments.base import ScenarioContext
from tco.deployments.latency import api_latency
from tco.deployments.retrieval import RetrievalLayer
from tco.limits.requests import RequestProfile
from tco.pricing.caching import hit_rate
from tco.pricing.cost import price_usage
from tco.scenario import LongPrompt
from tco.tokens.counter import TokenCounter

CACHING_MODES = ("stated", "derived")


class LongPromptModel:
    def __init__(self, config: LongPrompt, context: ScenarioContext):
        self.name = config.name
        self.kind = config.kind
        self.config = config
        self.model = context.book.api_model(config.model, config.provider)
        counter = TokenCounter(self.model.tokenizer)
        self.retrieval = RetrievalLayer(config.retrieval, context, counter, config.name) if config.retrieval else None
        extra = self.retrieval.context_tokens if self.retrieval else 0.0
        self.tokens = measure_chat_tokens(context, counter, config.system_prompt, extra, config.user_prompt)
        check_context_window(context, self.model, self.tokens, config.name)
        self.latency = api_latency(context.book, self.model, self.tokens.input.mean, self.tokens.output_mean)

        # The system message with its framing is the stable prefix: a cache hit
        # reads it at the cached rate. A miss writes it, at the cache-write rate
        # where the provider charges one and as plain input where it does not.
        self.prefix_tokens = self.tokens.system_prefix_tokens
        self.caching = config.prompt_caching
        self.rule = self.model.prompt_cache
        self.attempts = 1 / (1 - config.retry_rate)

    def cache_mode(self) -> str:
        if not self.caching.enabled:
            return "off: turned off in the scenario"
        if self.caching.hit_rate is not None:
            return "stated"
        if self.rule is None:
            return "off: the table lists no prompt caching for this model"
        if self.prefix_tokens < self.rule.min_cacheable_tokens:
            return f"off: the {self.prefix_tokens:,.0f}-token prefix is below the {self.rule.min_cacheable_tokens:,}-token minimum"
        return "derived"

    def hit_rates(self, volumes) -> np.ndarray:
        """Share of requests that find the prefix cached, at each monthly volume of this deployment."""
        volumes = np.asarray(volumes, dtype=float)
        mode = self.cache_mode()
        if mode == "stated":
            return np.full_like(volumes, self.caching.hit_rate)
        if mode == "derived":
            return hit_rate(self.rule, self.prefix_tokens, volumes * self.attempts)
        return np.zeros_like(volumes)

    def _price(self, volumes: np.ndarray, hit_rates) -> dict[str, np.ndarray]:
        caching = self.cache_mode() in CACHING_MODES
        cached = hit_rates * self.prefix_tokens if caching else 0.0
        charges_writes = self.model.cache_write_usd_per_mtok is not None
        written = (1 - hit_rates) * self.prefix_tokens if caching and charges_writes else 0.0
        return price_usage(
            self.model,
            input_tokens=self.tokens.input.mean,
            output_tokens=self.tokens.output_mean,
            cached_input_tokens=cached,
            cache_write_tokens=written,
            requests=volumes * self.attempts,
            service_tier=self.config.service_tier,
        )

    def cached_and_uncached(self, volumes) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Price the volumes with caching as configured, and with no caching at all."""
        volumes = np.asarray(volumes, dtype=float)
        without = price_usage(
            self.model,
            input_tokens=self.tokens.input.mean,
            output_tokens=self.tokens.output_mean,
            requests=volumes * self.attempts,
            service_tier=self.config.service_tier,
        )
        return self._price(volumes, self.hit_rates(volumes)), without

    def _token_costs(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        with_cache, without = self.cached_and_uncached(volumes)
        if self.cache_mode() not in CACHING_MODES:
            return without
        # With explicit caching (Anthropic) the caller can leave the cache off at volumes where
        # the write premium costs more than the reads save. Automatic caching cannot be left off.
        use_cache = np.ones_like(volumes, dtype=bool)
        if self.rule is not None and not self.rule.automatic and self.caching.hit_rate is None:
            use_cache = sum(with_cache.values()) <= sum(without.values())
        return {key: np.where(use_cache, with_cache[key], without[key]) for key in with_cache}

    @functools.cached_property
    def _present_classes(self) -> dict[str, np.ndarray]:
        """Return which token classes this deployment bills at all, judged at a reference volume (the same at any)."""
        with_cache, without = self.cached_and_uncached(np.array([1e6]))
        return {key: np.array([np.any(with_cache[key]) or np.any(without[key])]) for key in with_cache}

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        volumes = np.asarray(volumes, dtype=float)
        costs = token_components(self._token_costs(volumes), self._present_classes)
        if self.retrieval is not None:
            costs.update(self.retrieval.monthly_cost(volumes))
        return costs

    def request_profiles(self, max_tokens: int) -> list[RequestProfile]:
        """Return the mean request this deployment sends to its hosted model, for rate-limit checks."""
        cached = float(self.hit_rates(np.array([1e6]))[0]) * self.prefix_tokens
        profile = RequestProfile(self.model, self.tokens.input.mean, cached, self.tokens.output_mean, max_tokens)
        return [profile]

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        return self.retrieval.breakpoints(low, high) if self.retrieval else np.empty(0)

    def details(self, volume: float) -> dict:
        volumes = np.array([volume])
        with_cache, without = self.cached_and_uncached(volumes)
        total = sum(float(value[0]) for value in self.monthly_cost(volumes).values())
        refs = model_price_refs(self.model, self.config.service_tier)
        if self.retrieval:
            refs += self.retrieval.price_refs()
        return {
            "model": self.model.model,
            "provider": self.model.provider,
            "service_tier": self.config.service_tier,
            "input_tokens_per_request": self.tokens.input.as_dict(),
            "system_prefix_tokens": self.prefix_tokens,
            "output_tokens_per_request": round(self.tokens.output_mean, 2),
            "output_tokens_basis": self.tokens.output_basis,
            "prompt_caching": {
                "mode": self.cache_mode(),
                "hit_rate": round(float(self.hit_rates(volumes)[0]), 4),
                "basis": self.caching.basis if self.cache_mode() == "stated" else None,
                "rule": self.rule.model_dump() if self.rule else None,
                "token_usd_with_cache": round(float(sum(with_cache.values())[0]), 4),
                "token_usd_without_cache": round(float(sum(without.values())[0]), 4),
            },
            "retrieval": self.retrieval.details() if self.retrieval else None,
            "retry_rate": self.config.retry_rate,
            "calls_per_successful_request": round(self.attempts, 4),
            "usd_per_call": total / (volume * self.attempts) if volume else 0.0,
            "latency": self.latency,
            "prices": [ref.as_dict() for ref in refs],
        }
