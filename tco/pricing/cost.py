"""Price hosted-API token usage, one token class at a time, over numpy arrays.

Token classes: uncached input, cached input (cache reads), cache writes with
a 5-minute and a 1-hour lifetime, output, and reasoning. `input_tokens`
counts every input token of a request; cached and written tokens are parts of
it that take another rate, so they replace the input rate for their share and
are never billed on top of it. `output_tokens` counts every output token,
reasoning included; reasoning tokens are billed at the output rate and shown
as their own class.

Rules for prices a provider does not list separately (stored as absent):
- no cached-input price: no cache discount, cache reads pay the input rate;
- no cache-write price: no write surcharge (OpenAI, Gemini implicit caching),
  writes pay the input rate;
- no 1-hour cache-write price: 1-hour writes pay the 5-minute write rate.

Modifiers compose in this order, for each request:
1. long-context tier: a request whose input (cache reads and writes
   included) passes the model's threshold pays the tier's prices for every
   token class, output included;
2. service tier: batch takes `batch_discount` off input, output and
   reasoning, and off cache reads and writes only where
   `batch_discount_applies_to_cache` is true; flex and priority use their own
   listed prices, scaled by the long-context ratio when step 1 applies;
3. endpoint: a regional endpoint multiplies every rate by 1 + `regional_uplift`;
4. a per-request fee, where the provider charges one, is added per request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tco.errors import UsageError
from tco.pricing.schema import ApiModel, TokenPrices
from tco.units import TOKENS_PER_MTOK

ServiceTier = Literal["standard", "batch", "flex", "priority"]
Endpoint = Literal["global", "regional"]
TOKEN_CLASSES = ("input", "cached_input", "cache_write", "cache_write_1h", "output", "reasoning")
CACHE_CLASSES = ("cached_input", "cache_write", "cache_write_1h")


@dataclass(frozen=True)
class Rate:
    """An effective price of one token class and the rule that produced it."""

    usd_per_mtok: float
    rule: str


def _class_rates(prices: TokenPrices | ApiModel, label: str) -> dict[str, Rate]:
    """Resolve every token class of one price set, applying the rules for absent prices."""
    input_rate = Rate(prices.input_usd_per_mtok, f"{label} input price")
    cached = prices.cached_input_usd_per_mtok
    write = prices.cache_write_usd_per_mtok
    write_1h = prices.cache_write_1h_usd_per_mtok
    rates = {
        "input": input_rate,
        "cached_input": Rate(cached, f"{label} cached input price")
        if cached is not None
        else Rate(input_rate.usd_per_mtok, "no cached input price listed: billed at the input rate"),
        "cache_write": Rate(write, f"{label} cache write price")
        if write is not None
        else Rate(input_rate.usd_per_mtok, "no cache write price listed: billed at the input rate"),
        "output": Rate(prices.output_usd_per_mtok, f"{label} output price"),
        "reasoning": Rate(prices.output_usd_per_mtok, "reasoning tokens are billed at the output rate"),
    }
    if write_1h is not None:
        rates["cache_write_1h"] = Rate(write_1h, f"{label} 1-hour cache write price")
    else:
        rates["cache_write_1h"] = Rate(
            rates["cache_write"].usd_per_mtok, "no 1-hour write price listed: billed as a 5-minute write"
        )
    return rates


def _input_rate_classes(prices: TokenPrices | ApiModel) -> set[str]:
    """Cache classes that a price set bills at its input rate because it lists no price of their own."""
    classes = set()
    if prices.cached_input_usd_per_mtok is None:
        classes.add("cached_input")
    if prices.cache_write_usd_per_mtok is None:
        classes.add("cache_write")
        if prices.cache_write_1h_usd_per_mtok is None:
            classes.add("cache_write_1h")
    return classes


def _scaled(rates: dict[str, Rate], factors: dict[str, float], note: str) -> dict[str, Rate]:
    return {key: Rate(rate.usd_per_mtok * factors.get(key, 1.0), f"{rate.rule}, {note}") for key, rate in rates.items()}


def effective_rates(
    model: ApiModel, service_tier: ServiceTier = "standard", endpoint: Endpoint = "global", long_context: bool = False
) -> dict[str, Rate]:
    """Resolve each token class's USD-per-million rate for one tier, endpoint and context size."""
    base = _class_rates(model, "list")
    if long_context:
        if model.long_context is None:
            raise UsageError(f"model {model.model!r} has no long-context tier")
        rates = _class_rates(model.long_context, "long-context")
    else:
        rates = base

    if service_tier == "batch":
        if model.batch_discount is None:
            raise UsageError(
                f"model {model.model!r} ({model.provider}) has no batch price in the table; use --service-tier standard"
            )
        discount = model.batch_discount
        discounted = {"input", "output", "reasoning"}
        if model.batch_discount_applies_to_cache:
            discounted |= set(CACHE_CLASSES)
        else:
            # Classes billed at the input rate by rule follow the input's discount.
            discounted |= _input_rate_classes(model.long_context if long_context else model)
        rates = {
            key: Rate(rate.usd_per_mtok * (1 - discount), f"{rate.rule}, batch {discount:.0%} off")
            if key in discounted
            else Rate(rate.usd_per_mtok, f"{rate.rule}, no batch discount on cache")
            for key, rate in rates.items()
        }
    elif service_tier in ("flex", "priority"):
        tier_prices = model.service_tiers.get(service_tier)
        if tier_prices is None:
            listed = ", ".join(
                ["standard"] + (["batch"] if model.batch_discount is not None else []) + sorted(model.service_tiers)
            )
            raise UsageError(
                f"model {model.model!r} ({model.provider}) has no {service_tier} price; its tiers: {listed}"
            )
        tier_rates = _class_rates(tier_prices, service_tier)
        if long_context:
            ratios = {
                key: rates[key].usd_per_mtok / base[key].usd_per_mtok if base[key].usd_per_mtok else 1.0
                for key in rates
            }
            tier_rates = _scaled(tier_rates, ratios, "times the long-context ratio")
        rates = tier_rates

    if endpoint == "regional":
        uplift = model.regional_uplift or 0.0
        note = f"regional endpoint +{uplift:.0%}" if uplift else "no regional uplift listed"
        rates = _scaled(rates, {key: 1 + uplift for key in rates}, note)
    return rates


_USAGE_FIELDS = ("input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
                 "cache_write_1h_tokens", "reasoning_tokens", "requests")  # fmt: skip


@dataclass(frozen=True)
class Usage:
    """Token counts per request (numbers or arrays of equal length) and how many requests each stands for."""

    input_tokens: np.ndarray | float
    output_tokens: np.ndarray | float
    cached_input_tokens: np.ndarray | float = 0.0
    cache_write_tokens: np.ndarray | float = 0.0
    cache_write_1h_tokens: np.ndarray | float = 0.0
    reasoning_tokens: np.ndarray | float = 0.0
    requests: np.ndarray | float = 1.0

    def by_class(self) -> dict[str, np.ndarray]:
        """Split the counts into disjoint token classes, checking that the parts fit the wholes.

        Numbers stay numpy scalars and arrays stay arrays. Deployments price
        scalar token counts over arrays of volumes many thousand times, so the
        checks use array methods, which cost less per call than numpy's functions.
        """
        values = {}
        for name in _USAGE_FIELDS:
            value = getattr(self, name)
            value = np.float64(value) if isinstance(value, (int, float)) else np.asarray(value, dtype=float)
            if value.size and not (value.min() >= 0 and value.max() < np.inf):
                raise UsageError(f"{name.replace('_', ' ')} must be finite and not negative")
            values[name] = value

        uncached = values["input_tokens"]
        for name in ("cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens"):
            if values[name].size != 1 or values[name] != 0:
                uncached = uncached - values[name]
        if uncached.size and uncached.min() < 0:
            raise UsageError(
                "cached input tokens plus cache write tokens exceed input tokens: input tokens count "
                "all input, the cached and written parts included. Raise the input tokens or lower the cached parts."
            )
        visible_output = values["output_tokens"] - values["reasoning_tokens"]
        if visible_output.size and visible_output.min() < 0:
            raise UsageError("reasoning tokens exceed output tokens: output tokens count reasoning tokens too")
        return {
            "input": uncached,
            "cached_input": values["cached_input_tokens"],
            "cache_write": values["cache_write_tokens"],
            "cache_write_1h": values["cache_write_1h_tokens"],
            "output": visible_output,
            "reasoning": values["reasoning_tokens"],
        }

    def passes_threshold(self, model: ApiModel) -> np.ndarray | bool:
        """Return whether each request's whole input passes the model's long-context threshold."""
        tier = model.long_context
        if tier is None:
            return False
        total_input = np.asarray(self.input_tokens, dtype=float)
        return total_input > tier.threshold_tokens if tier.comparison == ">" else total_input >= tier.threshold_tokens


@dataclass(frozen=True)
class RateTable:
    """Rates of every token class for a list of (model, service tier, endpoint) keys, looked up by key number.

    `usd_per_mtok` has one row per token class, in TOKEN_CLASSES order, and
    two columns per key: column 2k contains key k's standard rate and column
    2k + 1 its long-context rate. A key without a long-context tier has an
    infinite threshold; an unused key (None) has NaN rates.
    """

    usd_per_mtok: np.ndarray
    thresholds: np.ndarray
    inclusive: np.ndarray
    fees: np.ndarray

    @classmethod
    def build(cls, keys: list[tuple[ApiModel, ServiceTier, Endpoint] | None]) -> RateTable:
        """Resolve the rates of each key through `effective_rates`. A key the model cannot price raises UsageError."""
        rates = np.full((2 * len(keys), len(TOKEN_CLASSES)), np.nan)
        thresholds = np.full(len(keys), np.inf)
        inclusive = np.zeros(len(keys), dtype=bool)
        fees = np.zeros(len(keys))
        for number, key in enumerate(keys):
            if key is None:
                continue
            model, service_tier, endpoint = key
            standard = effective_rates(model, service_tier, endpoint)
            rates[2 * number] = [standard[name].usd_per_mtok for name in TOKEN_CLASSES]
            if model.long_context is not None:
                long = effective_rates(model, service_tier, endpoint, long_context=True)
                rates[2 * number + 1] = [long[name].usd_per_mtok for name in TOKEN_CLASSES]
                thresholds[number] = model.long_context.threshold_tokens
                inclusive[number] = model.long_context.comparison != ">"
            uplift = 1 + (model.regional_uplift or 0.0) if endpoint == "regional" else 1.0
            fees[number] = (model.usd_per_request or 0.0) * uplift
        return cls(np.ascontiguousarray(rates.T), thresholds, inclusive, fees)

    @functools.cached_property
    def usd_per_token(self) -> np.ndarray:
        return self.usd_per_mtok / TOKENS_PER_MTOK

    @functools.cached_property
    def has_long_context(self) -> bool:
        return bool(np.isfinite(self.thresholds).any())


def price_classes(
    table: RateTable,
    keys: np.ndarray | int,
    tokens: dict[str, np.ndarray | float],
    requests: np.ndarray | float,
    total_input: np.ndarray | float,
) -> dict[str, np.ndarray]:
    """Price disjoint token classes (a class left out counts zero) for the rate-table key of each row.

    `total_input` is each request's whole input, which decides the
    long-context tier. Returns USD per token class plus `request_fees`.
    """
    shape = np.broadcast_shapes(np.shape(keys), np.shape(requests), np.shape(total_input),
                                *(np.shape(values) for values in tokens.values()))  # fmt: skip
    rows = 2 * keys
    if table.has_long_context:
        threshold = table.thresholds[keys]
        total_input = np.asarray(total_input, dtype=float)
        rows = rows + np.where(table.inclusive[keys], total_input >= threshold, total_input > threshold)
    single_requests = np.ndim(requests) == 0 and float(requests) == 1.0
    result = {}
    for column, token_class in enumerate(TOKEN_CLASSES):
        counts = tokens.get(token_class)
        if counts is None:
            result[token_class] = np.zeros(shape)
            continue
        usd = counts * table.usd_per_token[column][rows]
        if not single_requests:
            usd = usd * requests
        result[token_class] = usd if np.shape(usd) == shape else np.broadcast_to(usd, shape).astype(float)
    fees = table.fees[keys]
    result["request_fees"] = (
        np.broadcast_to(np.asarray(requests, dtype=float) * fees, shape).astype(float)
        if np.any(fees)
        else np.zeros(shape)
    )
    return result


def price(
    model: ApiModel, usage: Usage, service_tier: ServiceTier = "standard", endpoint: Endpoint = "global"
) -> dict[str, np.ndarray]:
    """Return USD per token class (plus `request_fees`) for `usage.requests` requests of each usage row."""
    return price_classes(_single_table(model, service_tier, endpoint), 0, usage.by_class(), usage.requests,
                         usage.input_tokens)  # fmt: skip


# Price rows are immutable once loaded, and a scenario prices the same few many thousand times.
_TABLES: dict[tuple[int, str, str], tuple[ApiModel, RateTable]] = {}


def _single_table(model: ApiModel, service_tier: ServiceTier, endpoint: Endpoint) -> RateTable:
    key = (id(model), service_tier, endpoint)
    cached = _TABLES.get(key)
    if cached is None or cached[0] is not model:
        if len(_TABLES) > 1024:
            _TABLES.clear()
        cached = (model, RateTable.build([(model, service_tier, endpoint)]))
        _TABLES[key] = cached
    return cached[1]


def price_usage(
    model: ApiModel,
    input_tokens,
    output_tokens,
    cached_input_tokens=0.0,
    cache_write_tokens=0.0,
    requests=1.0,
    service_tier: ServiceTier = "standard",
    cache_write_1h_tokens=0.0,
    reasoning_tokens=0.0,
    endpoint: Endpoint = "global",
) -> dict[str, np.ndarray]:
    """Price per-request usage times `requests`; arguments may be numpy arrays that broadcast."""
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_input_tokens=cached_input_tokens,
        cache_write_tokens=cache_write_tokens,
        cache_write_1h_tokens=cache_write_1h_tokens,
        reasoning_tokens=reasoning_tokens,
        requests=requests,
    )
    return price(model, usage, service_tier, endpoint)
