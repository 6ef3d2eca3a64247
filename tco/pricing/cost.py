"""Price hosted-API token usage, one token class at a time, over numpy arrays.

Token classes: uncached input, cached input (cache reads), cache writes and
output. `input_tokens` counts every input token; cached and cache-write
tokens are the parts of it that take another rate. They replace the input
rate for their share and are never billed on top of it.

Rules for prices a provider does not list separately (stored as absent):
- no cached-input price: the provider gives no cache discount, so cache
  reads are billed at the input rate;
- no cache-write price: writes carry no surcharge (OpenAI, Gemini implicit
  caching), so they are billed at the input rate.
Batch takes `batch_discount` off input and output. It comes off cache reads
and writes too only where the model's `batch_discount_applies_to_cache` is true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from tco.errors import UsageError
from tco.pricing.schema import ApiModel
from tco.units import TOKENS_PER_MTOK

ServiceTier = Literal["standard", "batch"]
TOKEN_CLASSES = ("input", "cached_input", "cache_write", "output")


@dataclass(frozen=True)
class Rate:
    """An effective price of one token class and the rule that produced it."""

    usd_per_mtok: float
    rule: str


def effective_rates(model: ApiModel, service_tier: ServiceTier = "standard") -> dict[str, Rate]:
    """Resolve the USD-per-million-token rate of each token class for a service tier."""
    if service_tier == "batch" and model.batch_discount is None:
        raise UsageError(
            f"model {model.model!r} ({model.provider}) has no batch price in the table; use --service-tier standard"
        )
    batch = service_tier == "batch"
    discount = model.batch_discount if batch else 0.0
    suffix = f", batch {discount:.0%} off" if batch else ""

    rates = {
        "input": Rate(model.input_usd_per_mtok * (1 - discount), "input price" + suffix),
        "output": Rate(model.output_usd_per_mtok * (1 - discount), "output price" + suffix),
    }
    for token_class, listed, name in (
        ("cached_input", model.cached_input_usd_per_mtok, "cached input price"),
        ("cache_write", model.cache_write_usd_per_mtok, "cache write price"),
    ):
        if listed is None:
            rule = f"no {name} listed: billed at the input rate{suffix}"
            rates[token_class] = Rate(rates["input"].usd_per_mtok, rule)
        elif batch and model.batch_discount_applies_to_cache:
            rates[token_class] = Rate(listed * (1 - discount), name + suffix)
        elif batch:
            rates[token_class] = Rate(listed, f"{name}, no batch discount on cache")
        else:
            rates[token_class] = Rate(listed, name)
    return rates


def split_input(input_tokens, cached_input_tokens, cache_write_tokens) -> np.ndarray:
    """Return the uncached input tokens, checking that the cached parts fit inside the input."""
    total = np.asarray(input_tokens, dtype=float)
    cached = np.asarray(cached_input_tokens, dtype=float)
    written = np.asarray(cache_write_tokens, dtype=float)
    for label, values in (("input", total), ("cached input", cached), ("cache write", written)):
        if np.any(values < 0) or not np.all(np.isfinite(values)):
            raise UsageError(f"{label} tokens must be finite and not negative")
    uncached = total - cached - written
    if np.any(uncached < 0):
        raise UsageError(
            "cached input tokens plus cache write tokens exceed input tokens: input tokens count "
            "all input, the cached and written parts included. Raise --input-tokens or lower the cached parts."
        )
    return uncached


def price_usage(
    model: ApiModel,
    input_tokens,
    output_tokens,
    cached_input_tokens=0.0,
    cache_write_tokens=0.0,
    requests=1.0,
    service_tier: ServiceTier = "standard",
) -> dict[str, np.ndarray]:
    """Return USD per token class for `requests` requests of the given per-request usage.

    All token arguments are per request and may be numpy arrays (one value per
    volume, say); `requests` broadcasts against them.
    """
    uncached = split_input(input_tokens, cached_input_tokens, cache_write_tokens)
    output = np.asarray(output_tokens, dtype=float)
    if np.any(output < 0):
        raise UsageError("output tokens must not be negative")
    count = np.asarray(requests, dtype=float)
    if np.any(count < 0):
        raise UsageError("requests must not be negative")

    rates = effective_rates(model, service_tier)
    tokens = {
        "input": uncached,
        "cached_input": np.asarray(cached_input_tokens, dtype=float),
        "cache_write": np.asarray(cache_write_tokens, dtype=float),
        "output": output,
    }
    return {
        token_class: tokens[token_class] * count * rates[token_class].usd_per_mtok / TOKENS_PER_MTOK
        for token_class in TOKEN_CLASSES
    }
