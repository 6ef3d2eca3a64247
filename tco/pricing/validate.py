"""Invariants of the price tables that a schema alone cannot state."""

from __future__ import annotations

from collections import defaultdict

from tco.pricing.book import PriceBook
from tco.pricing.schema import ApiModel

ANTHROPIC_WRITE_MULTIPLIERS = {"cache_write_usd_per_mtok": 1.25, "cache_write_1h_usd_per_mtok": 2.0}
PRICE_FIELDS = (
    "input_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "cache_write_usd_per_mtok",
    "cache_write_1h_usd_per_mtok",
    "output_usd_per_mtok",
)
# Hosted prices lie between a thousandth of a dollar and a few hundred dollars per million tokens;
# outside that the value is almost surely in another unit.
LOWEST_PLAUSIBLE_USD_PER_MTOK = 0.001
HIGHEST_PLAUSIBLE_USD_PER_MTOK = 1000.0


def _label(row: ApiModel) -> str:
    dated = f" from {row.effective_from}" if row.effective_from else ""
    return f"api_models.yaml: {row.provider}/{row.model}{dated}"


def unit_problems(row: ApiModel) -> list[str]:
    """Prices that look like a per-token or per-thousand price where a per-million price belongs."""
    problems = []
    for field in PRICE_FIELDS:
        value = getattr(row, field)
        if value is None or value == 0:
            continue
        if value < LOWEST_PLAUSIBLE_USD_PER_MTOK:
            problems.append(
                f"{_label(row)}: field {field} is {value:g} USD per million tokens, which looks like a per-token "
                "price; multiply it by 1,000,000"
            )
        elif value > HIGHEST_PLAUSIBLE_USD_PER_MTOK:
            problems.append(
                f"{_label(row)}: field {field} is {value:g} USD per million tokens, far above any listed model; "
                "check the unit"
            )
    return problems


def validate_book(book: PriceBook) -> list[str]:
    """Return every invariant a table breaks, each naming the file, row and field; empty when all hold."""
    problems: list[str] = []
    history: dict[tuple[str, str], list[ApiModel]] = defaultdict(list)
    for row in book.api_models:
        history[(row.provider, row.model)].append(row)
        problems += unit_problems(row)
        if row.provider == "anthropic":
            for field, multiplier in ANTHROPIC_WRITE_MULTIPLIERS.items():
                value = getattr(row, field)
                expected = row.input_usd_per_mtok * multiplier
                if value is not None and abs(value - expected) > 0.01 * expected:
                    problems.append(
                        f"{_label(row)}: field {field} is {value:g} but Anthropic charges {multiplier:g} x input "
                        f"= {expected:g}"
                    )
        tier = row.long_context
        if tier is not None:
            for field in PRICE_FIELDS:
                base, long = getattr(row, field), getattr(tier, field)
                if base is not None and long is not None and long < base:
                    problems.append(
                        f"{_label(row)}: field long_context.{field} is {long:g}, below the base {base:g}; "
                        "a long-context tier is never cheaper"
                    )
        for name, prices in row.service_tiers.items():
            cached = prices.cached_input_usd_per_mtok
            if cached is not None and cached > prices.input_usd_per_mtok:
                problems.append(
                    f"{_label(row)}: field service_tiers.{name}.cached_input_usd_per_mtok is above its input price"
                )
        if row.batch_discount is not None and row.batch_discount >= 1:
            problems.append(f"{_label(row)}: field batch_discount is {row.batch_discount:g}; it is a fraction below 1")

    for (provider, model), rows in history.items():
        dates = [row.effective_from for row in rows]
        if dates.count(None) > 1:
            problems.append(f"api_models.yaml: {provider}/{model} has {dates.count(None)} rows without effective_from")
        dated = [date for date in dates if date is not None]
        if len(set(dated)) != len(dated):
            problems.append(f"api_models.yaml: {provider}/{model} has two rows with the same effective_from")
    return problems


def stale_rows(book: PriceBook, today, days: int) -> list[dict]:
    """Price rows whose `as_of` is more than `days` days before `today`, oldest first."""
    rows = []
    for row in book.api_models:
        newest = max(
            book.api_model_history(row.model, row.provider), key=lambda item: item.effective_from or item.as_of
        )
        if row is not newest:
            continue
        age = (today - row.as_of).days
        if age > days:
            rows.append(
                {
                    "table": "api_models",
                    "item": f"{row.provider}/{row.model}",
                    "as_of": row.as_of.isoformat(),
                    "age_days": age,
                }
            )
    for gpu in book.gpus:
        age = (today - gpu.price_as_of).days
        if age > days:
            rows.append(
                {
                    "table": "gpus",
                    "item": f"{gpu.name} on-demand price",
                    "as_of": gpu.price_as_of.isoformat(),
                    "age_days": age,
                }
            )
    return sorted(rows, key=lambda item: -item["age_days"])
