"""Import hosted-model prices into dated rows of the user table folder.

Two sources: LiteLLM's `model_prices_and_context_window.json` (prices in USD
per token, no history) and the price data that ships inside the installed
`genai-prices` package (USD per million tokens, with dated price changes).
tco keeps its own model ids and aliases, and adds an imported price as a new
row dated on the import day, so the old price stays reachable with --date.
A source's own dated history comes along as rows with those dates.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

from tco.datafiles import parse_yaml
from tco.errors import DataFileError
from tco.pricing.book import PriceBook, load_price_book
from tco.pricing.schema import ApiModel
from tco.pricing.store import write_table_atomically
from tco.pricing.validate import unit_problems, validate_book

# LiteLLM's provider names for tco's providers.
LITELLM_PROVIDERS = {
    "openai": ["openai"],
    "anthropic": ["anthropic"],
    "google": ["gemini", "vertex_ai-language-models"],
    "mistral": ["mistral"],
    "deepseek": ["deepseek"],
    "groq": ["groq"],
    "together": ["together_ai"],
    "aws-bedrock": ["bedrock", "bedrock_converse"],
}
# LiteLLM field (USD per token) -> tco field (USD per million tokens).
FIELDS = {
    "input_cost_per_token": "input_usd_per_mtok",
    "output_cost_per_token": "output_usd_per_mtok",
    "cache_read_input_token_cost": "cached_input_usd_per_mtok",
    "cache_creation_input_token_cost": "cache_write_usd_per_mtok",
}
CHANGE_CONFIRMATION_SHARE = 0.2


@dataclass
class ImportPlan:
    """The changes an import would make, listed before anything is written."""

    source: str
    changed: list[tuple[ApiModel, ApiModel, dict[str, tuple]]] = field(default_factory=list)
    history: list[ApiModel] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed_share(self) -> float:
        total = len(self.changed) + self.unchanged + len(self.missing)
        return len(self.changed) / total if total else 0.0

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "changed": [
                {
                    "model": f"{new.provider}/{new.model}",
                    "fields": {name: list(values) for name, values in fields.items()},
                }
                for _, new, fields in self.changed
            ],
            "history_from_source": [f"{row.provider}/{row.model} from {row.effective_from}" for row in self.history],
            "missing_from_source": self.missing,
            "unchanged": self.unchanged,
        }


def read_litellm(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise DataFileError(f"{path}: file not found") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not valid JSON ({error}); nothing was written") from error
    if not isinstance(document, dict):
        raise DataFileError(f"{path}: expected a JSON object of model entries; nothing was written")
    return document


def _entry_for(row: ApiModel, document: dict) -> tuple[str, dict] | None:
    providers = LITELLM_PROVIDERS.get(row.provider, [row.provider])
    names = [row.model, *row.aliases]
    candidates = names + [f"{provider}/{name}" for provider in providers for name in names]
    for key in candidates:
        entry = document.get(key)
        if isinstance(entry, dict) and entry.get("litellm_provider") in providers:
            return key, entry
    return None


def _price(entry: dict, litellm_field: str, key: str, path: Path) -> float | None:
    value = entry.get(litellm_field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DataFileError(
            f"{path}: entry {key!r} field {litellm_field} is {value!r}, not a number; nothing was written"
        )
    if value < 0:
        raise DataFileError(f"{path}: entry {key!r} field {litellm_field} is negative ({value}); nothing was written")
    return round(value * 1e6, 6)


def _current_rows(book: PriceBook) -> dict[tuple[str, str], ApiModel]:
    current = {}
    for row in book.api_models:
        key = (row.provider, row.model)
        if key not in current or (row.effective_from or dt.date.min) > (current[key].effective_from or dt.date.min):
            current[key] = row
    return current


def _dated_row(row: ApiModel, updates: dict, effective: dt.date, on: dt.date, source: str, where: str) -> ApiModel:
    """Copy `row` with new prices, dated `effective`, and check it for schema errors and unit slips."""
    data = row.model_dump()
    data.update(updates)
    data.update(effective_from=effective, aliases=[], as_of=on, source=source)
    try:
        new = ApiModel.model_validate(data)
    except pydantic.ValidationError as error:
        raise DataFileError(
            f"{where} gives invalid prices ({error.errors()[0]['msg']}); nothing was written"
        ) from error
    problems = unit_problems(new)
    if problems:
        raise DataFileError(f"{where}: " + "; ".join(problems) + "; nothing was written")
    return new


def _differences(row: ApiModel, prices: dict[str, float | None]) -> dict[str, tuple]:
    changes = {}
    for tco_field, value in prices.items():
        if value is None:
            continue
        if (
            tco_field == "cache_write_usd_per_mtok"
            and row.cache_write_usd_per_mtok is None
            and row.provider != "anthropic"
        ):
            continue
        old = getattr(row, tco_field)
        if old is None or abs(old - value) > 1e-9:
            changes[tco_field] = (old, value)
    return changes


GENAI_PRICES_PROVIDERS = {"aws-bedrock": "aws"}
GENAI_PRICES_FIELDS = {
    "input_mtok": "input_usd_per_mtok",
    "output_mtok": "output_usd_per_mtok",
    "cache_read_mtok": "cached_input_usd_per_mtok",
    "cache_write_mtok": "cache_write_usd_per_mtok",
}


def _genai_price_values(model_price) -> dict[str, float | None]:
    """USD-per-million prices of a genai-prices ModelPrice; a tiered price gives its base tier."""
    values = {}
    for source_field, tco_field in GENAI_PRICES_FIELDS.items():
        value = getattr(model_price, source_field, None)
        if value is not None and hasattr(value, "base"):
            value = value.base
        values[tco_field] = None if value is None else float(value)
    return values


def plan_genai_prices_import(book: PriceBook, on: dt.date) -> ImportPlan:
    """Compare each current tco model with the genai-prices data installed with the package (no network)."""
    try:
        from importlib.metadata import version

        from genai_prices.data_snapshot import get_snapshot
    except ImportError as error:
        raise DataFileError(
            'the genai-prices package is not installed; install it with pip install "tco[import]" '
            "(its price data ships inside the package, so the import reads no network)"
        ) from error
    source = f"genai-prices {version('genai-prices')} (installed package data)"
    snapshot = get_snapshot()
    plan = ImportPlan(source=source)
    for row in _current_rows(book).values():
        if row.fine_tuned_from:
            continue
        try:
            _, info = snapshot.find_provider_model(
                row.model, None, GENAI_PRICES_PROVIDERS.get(row.provider, row.provider), None
            )
        except LookupError:
            plan.missing.append(f"{row.provider}/{row.model}")
            continue
        entries = (
            info.prices
            if isinstance(info.prices, list)
            else [type("Entry", (), {"constraint": None, "prices": info.prices})]
        )
        dated = []
        for entry in entries:
            constraint = entry.constraint
            if constraint is not None and not hasattr(constraint, "start_date"):
                continue  # time-of-day prices (off-peak discounts) are not modelled
            start = getattr(constraint, "start_date", None)
            dated.append((start, _genai_price_values(entry.prices)))
        if not dated:
            plan.missing.append(f"{row.provider}/{row.model}")
            continue
        dated.sort(key=lambda item: item[0] or dt.date.min)
        where = f"{source}: {info.id}"
        latest_start, latest = dated[-1]
        changes = _differences(row, latest)
        if changes:
            updates = {name: value for name, (_, value) in changes.items()}
            plan.changed.append(
                (row, _dated_row(row, updates, on, on, f"{source}, model {info.id}, imported {on}", where), changes)
            )
        else:
            plan.unchanged += 1
        known = {item.effective_from for item in book.api_model_history(row.model, row.provider)}
        for start, values in dated[:-1]:
            if start is None or start in known:
                continue
            updates = {name: value for name, value in values.items() if value is not None}
            plan.history.append(
                _dated_row(row, updates, start, on, f"{source}, model {info.id}, price from {start}", where)
            )
    return plan


def plan_litellm_import(book: PriceBook, path: Path, on: dt.date) -> ImportPlan:
    """Compare each current tco model with its LiteLLM entry; build the new dated rows that differ."""
    document = read_litellm(path)
    plan = ImportPlan(source=str(path))
    current = {}
    for row in book.api_models:
        key = (row.provider, row.model)
        if key not in current or (row.effective_from or dt.date.min) > (current[key].effective_from or dt.date.min):
            current[key] = row

    for row in current.values():
        if row.fine_tuned_from:
            continue
        found = _entry_for(row, document)
        if found is None:
            plan.missing.append(f"{row.provider}/{row.model}")
            continue
        key, entry = found
        prices = {tco_field: _price(entry, litellm_field, key, path) for litellm_field, tco_field in FIELDS.items()}
        changes = _differences(row, prices)
        if not changes:
            plan.unchanged += 1
            continue
        data = row.model_dump()
        data.update({tco_field: new_value for tco_field, (_, new_value) in changes.items()})
        data.update(
            effective_from=on,
            aliases=[],
            as_of=on,
            source=f"LiteLLM model_prices_and_context_window.json ({path.name}), entry {key!r}, imported {on}",
        )
        try:
            new = ApiModel.model_validate(data)
        except pydantic.ValidationError as error:
            raise DataFileError(
                f"{path}: entry {key!r} gives invalid prices ({error.errors()[0]['msg']}); nothing was written"
            ) from error
        problems = unit_problems(new)
        if problems:
            raise DataFileError(f"{path}: entry {key!r}: " + "; ".join(problems) + "; nothing was written")
        plan.changed.append((row, new, changes))
    return plan


def apply_plan(plan: ImportPlan, user_folder: Path, bundled: Path | None = None) -> Path:
    """Add the plan's rows to the user folder's api_models.yaml, after validating the merged tables."""
    target = user_folder / "api_models.yaml"
    existing = []
    if target.is_file():
        existing = (parse_yaml(target.read_text(encoding="utf-8")) or {}).get("models", [])
    new_rows = [new.model_dump(mode="json", exclude_defaults=True) for _, new, _ in plan.changed]
    new_rows += [row.model_dump(mode="json", exclude_defaults=True) for row in plan.history]

    def key(row: dict) -> tuple[str, str, str]:
        return row["provider"], row["model"], str(row.get("effective_from"))

    replaced = {key(row) for row in new_rows}
    rows = [row for row in existing if key(row) not in replaced] + new_rows

    # Validate the merged tables in a scratch folder before the real file is touched.
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        scratch_folder = Path(scratch)
        write_table_atomically(scratch_folder / "api_models.yaml", "models", rows, "")
        merged = load_price_book(bundled, user_folders=[scratch_folder])
        problems = validate_book(merged)
        if problems:
            raise DataFileError(
                "the import would break the price tables; nothing was written:\n  " + "\n  ".join(problems)
            )

    header = "# Prices imported or entered by the user; layered over tco's bundled tables.\n"
    write_table_atomically(target, "models", rows, header)
    return target


@dataclass
class OfferPlan:
    """GPU offers an import would add: new offers, and new prices of listed ones."""

    source: str
    added: list = field(default_factory=list)
    changed: list[tuple] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "added": [f"{row.gpu} {row.option} from {row.provider}: {row.usd_per_hour:g}" for row in self.added],
            "changed": [
                {
                    "offer": f"{new.gpu} {new.option} from {new.provider}",
                    "usd_per_hour": [old.usd_per_hour, new.usd_per_hour],
                }
                for old, new in self.changed
            ],
            "unchanged": self.unchanged,
        }


def plan_offer_import(book: PriceBook, path: Path) -> OfferPlan:
    """Read a CSV of GPU offers (gpu, option, provider, usd_per_hour, source, as_of and optional notes)."""
    import pandas as pd

    from tco.pricing.schema import GpuOffer

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as error:
        raise DataFileError(f"{path}: file not found") from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not a readable CSV file ({error}); nothing was written") from error
    required = ["gpu", "option", "provider", "usd_per_hour", "source", "as_of"]
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}; nothing was written")

    current = {(offer.gpu, offer.option, offer.provider.lower()): offer for offer in book.current_gpu_offers()}
    plan = OfferPlan(source=str(path))
    for number, record in enumerate(frame.to_dict("records"), start=2):
        record = {key: value for key, value in record.items() if value != ""}
        try:
            gpu = book.gpu(record.get("gpu", "")).name
            offer = GpuOffer.model_validate({**record, "gpu": gpu})
        except (pydantic.ValidationError, Exception) as error:
            detail = error.errors()[0] if isinstance(error, pydantic.ValidationError) else None
            reason = f"field {detail['loc'][0]}: {detail['msg']}" if detail else str(error)
            raise DataFileError(f"{path} row {number}: {reason}; nothing was written") from error
        if offer.usd_per_hour > 1000:
            raise DataFileError(
                f"{path} row {number}: usd_per_hour {offer.usd_per_hour:g} is far above any GPU's hourly price; "
                "give a price per GPU-hour, not per instance-month; nothing was written"
            )
        old = current.get((offer.gpu, offer.option, offer.provider.lower()))
        if old is None:
            plan.added.append(offer)
        elif abs(old.usd_per_hour - offer.usd_per_hour) > 1e-9:
            if offer.as_of <= old.as_of:
                raise DataFileError(
                    f"{path} row {number}: as_of {offer.as_of} is not after the listed {old.as_of}; nothing was written"
                )
            plan.changed.append((old, offer))
        else:
            plan.unchanged += 1
    return plan


def apply_offer_plan(plan: OfferPlan, user_folder: Path) -> Path:
    """Append the plan's offers to the user folder's gpu_offers.yaml; a dated offer keeps the older one as history."""
    target = user_folder / "gpu_offers.yaml"
    existing = []
    if target.is_file():
        existing = (parse_yaml(target.read_text(encoding="utf-8")) or {}).get("gpu_offers", [])
    rows = existing + [
        offer.model_dump(mode="json", exclude_none=True) for offer in [*plan.added, *(new for _, new in plan.changed)]
    ]
    header = "# GPU offers imported or entered by the user; layered over tco's bundled tables.\n"
    write_table_atomically(target, "gpu_offers", rows, header)
    return target
