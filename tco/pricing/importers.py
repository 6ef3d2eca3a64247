"""Import hosted-model prices from LiteLLM's price file into dated rows of the user table folder.

LiteLLM's `model_prices_and_context_window.json` maps a model key to prices
in USD per token; tco keeps USD per million tokens, its own model ids and
aliases, and adds an imported price as a new row dated on the import day, so
the old price stays reachable with --date.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pydantic

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
    """What an import would change, before anything is written."""

    source: str
    changed: list[tuple[ApiModel, ApiModel, dict[str, tuple]]] = field(default_factory=list)
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
        updates, changes = {}, {}
        for litellm_field, tco_field in FIELDS.items():
            value = _price(entry, litellm_field, key, path)
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
                updates[tco_field] = value
                changes[tco_field] = (old, value)
        if not changes:
            plan.unchanged += 1
            continue
        data = row.model_dump()
        data.update(updates)
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
        import yaml

        existing = (yaml.safe_load(target.read_text(encoding="utf-8")) or {}).get("models", [])
    new_rows = [new.model_dump(mode="json", exclude_defaults=True) for _, new, _ in plan.changed]

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
