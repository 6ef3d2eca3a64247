"""The price book: every table in `pricing/`, loaded, validated and looked up by name."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from tco import datafiles
from tco.errors import DataFileError, UnknownModelError
from tco.pricing import schema
from tco.resources import pricing_dir

RowT = TypeVar("RowT")


def _normalize(name: str) -> str:
    return name.strip().lower()


def _suggest(name: str, known: Iterable[str]) -> str:
    matches = difflib.get_close_matches(_normalize(name), sorted(set(known)), n=5, cutoff=0.4)
    if not matches:
        return ""
    return " Closest known names: " + ", ".join(matches) + "."


def _index(rows: Sequence[RowT], names_of) -> dict[str, list[RowT]]:
    index: dict[str, list[RowT]] = {}
    for row in rows:
        for name in names_of(row):
            index.setdefault(_normalize(name), []).append(row)
    return index


@dataclass(frozen=True)
class PriceBook:
    """All bundled tables; lookups accept a model's id or any of its aliases, in any case."""

    api_models: tuple[schema.ApiModel, ...]
    embedding_models: tuple[schema.EmbeddingModel, ...]
    vector_stores: tuple[schema.VectorStore, ...]
    gpus: tuple[schema.Gpu, ...]
    base_models: tuple[schema.BaseModelArchitecture, ...]
    serving: schema.ServingParameters
    gpu_offers: tuple[schema.GpuOffer, ...]
    gpu_purchases: tuple[schema.GpuPurchase, ...]
    rate_limits: tuple[schema.RateLimit, ...]
    api_latency: tuple[schema.ApiLatency, ...]
    rerankers: tuple[schema.Reranker, ...]
    folder: str
    layers: tuple[str, ...] = ()

    def api_model(self, name: str, provider: str | None = None, date: dt.date | None = None) -> schema.ApiModel:
        """Find a hosted model's price row in force on `date` (by default the newest).

        Without `provider`, a model served by one provider resolves to it; a
        model served by several hosts is an error listing them.
        """
        rows = self.api_model_history(name, provider)
        if date is None:
            return rows[-1]
        in_force = [row for row in rows if row.effective_from is None or row.effective_from <= date]
        if not in_force:
            raise UnknownModelError(
                f"model {name!r} has no price before {rows[0].effective_from}; the table starts there, "
                f"so {date} cannot be priced"
            )
        return in_force[-1]

    def api_model_history(self, name: str, provider: str | None = None) -> list[schema.ApiModel]:
        """Return every price row of one provider's model, oldest first.

        Aliases name the current row; the older rows of the same provider and
        model id come with it.
        """
        index = _index(self.api_models, lambda row: [row.model, *row.aliases])
        rows = index.get(_normalize(name), [])
        if not rows:
            raise UnknownModelError(
                f"unknown model {name!r} in {self.folder}/api_models.yaml."
                + _suggest(name, index)
                + " Run 'tco pricing list' to see every priced model."
            )
        providers = sorted({row.provider for row in rows})
        if provider is not None:
            matching = [row for row in rows if _normalize(row.provider) == _normalize(provider)]
            if not matching:
                raise UnknownModelError(
                    f"model {name!r} has no price from provider {provider!r}; providers that host it: {', '.join(providers)}"
                )
            chosen = matching[0]
        elif len(providers) == 1:
            chosen = rows[0]
        else:
            raise UnknownModelError(
                f"model {name!r} is priced by several providers ({', '.join(providers)}); choose one with --provider"
            )
        history = [row for row in self.api_models if row.provider == chosen.provider and row.model == chosen.model]
        return sorted(history, key=lambda row: row.effective_from or dt.date.min)

    def embedding_model(self, name: str) -> schema.EmbeddingModel:
        return self._find(self.embedding_models, name, lambda row: [row.model], "embedding model", "embeddings.yaml")

    def vector_store(self, name: str) -> schema.VectorStore:
        return self._find(self.vector_stores, name, lambda row: [row.name], "vector store", "vector_stores.yaml")

    def current_gpu_offers(self) -> list[schema.GpuOffer]:
        """Return the newest offer (by as_of) of each GPU, option and provider; older ones are price history."""
        newest: dict[tuple[str, str, str], schema.GpuOffer] = {}
        for offer in self.gpu_offers:
            key = (offer.gpu, offer.option, offer.provider.lower())
            if key not in newest or offer.as_of > newest[key].as_of:
                newest[key] = offer
        return list(newest.values())

    def reranker(self, name: str) -> schema.Reranker:
        return self._find(self.rerankers, name, lambda row: [row.model], "reranker", "rerankers.yaml")

    def gpu(self, name: str) -> schema.Gpu:
        return self._find(self.gpus, name, lambda row: [row.name, *row.aliases], "GPU", "gpus.yaml")

    def base_model(self, name: str) -> schema.BaseModelArchitecture:
        return self._find(
            self.base_models, name, lambda row: [row.name, *row.aliases], "base model", "base_models.yaml"
        )

    def tokenizer_for(self, name: str) -> schema.TokenizerSpec:
        """Return the tokenizer of a hosted, embedding or open-weight model of that name."""
        tables = (
            (self.api_models, lambda row: [row.model, *row.aliases]),
            (self.embedding_models, lambda row: [row.model]),
            (self.base_models, lambda row: [row.name, *row.aliases]),
        )
        known: list[str] = []
        for rows, names_of in tables:
            for row in rows:
                names = [_normalize(alias) for alias in names_of(row)]
                if _normalize(name) in names:
                    return row.tokenizer
                known.extend(names)
        raise UnknownModelError(f"unknown model {name!r}: no table in {self.folder} has it." + _suggest(name, known))

    def _find(self, rows: Sequence[RowT], name: str, names_of, kind: str, file_name: str) -> RowT:
        index = _index(rows, names_of)
        found = index.get(_normalize(name))
        if not found:
            known = sorted(index)
            hint = _suggest(name, index) or (" Known names: " + ", ".join(known) + "." if len(known) <= 30 else "")
            raise UnknownModelError(f"unknown {kind} {name!r} in {self.folder}/{file_name}." + hint)
        return found[0]


def _check_unique(rows: Sequence, names_of, path: Traversable | Path) -> None:
    seen: dict[tuple[str, str, object], int] = {}
    for position, row in enumerate(rows):
        provider = _normalize(getattr(row, "provider", ""))
        effective = getattr(row, "effective_from", None)
        for name in {_normalize(name) for name in names_of(row)}:
            key = (provider, name, effective)
            if key in seen:
                raise DataFileError(
                    f"{path}: name {name!r} appears in rows {seen[key]} and {position}; "
                    "each model id and alias must name one row per provider"
                )
            seen[key] = position


# Each table: file name, pydantic table type, list field, and the key that a
# row of a later layer replaces instead of adding to.
TABLES = {
    "api_models": (
        "api_models.yaml",
        schema.ApiModelTable,
        "models",
        lambda row: (row.provider, row.model, row.effective_from),
    ),
    "embedding_models": (
        "embeddings.yaml",
        schema.EmbeddingTable,
        "embedding_models",
        lambda row: (row.provider, row.model),
    ),
    "vector_stores": (
        "vector_stores.yaml",
        schema.VectorStoreTable,
        "vector_stores",
        lambda row: (row.provider, row.name),
    ),
    "gpus": ("gpus.yaml", schema.GpuTable, "gpus", lambda row: row.name),
    "base_models": ("base_models.yaml", schema.BaseModelTable, "base_models", lambda row: row.name),
    "gpu_offers": (
        "gpu_offers.yaml",
        schema.GpuOfferTable,
        "gpu_offers",
        lambda row: (row.gpu, row.option, row.provider, row.as_of),
    ),
    "gpu_purchases": ("gpu_purchases.yaml", schema.GpuPurchaseTable, "gpu_purchases", lambda row: row.gpu),
    "rate_limits": (
        "rate_limits.yaml",
        schema.RateLimitTable,
        "rate_limits",
        lambda row: (row.provider, row.tier, tuple(row.models)),
    ),
    "api_latency": ("api_latency.yaml", schema.ApiLatencyTable, "api_latency", lambda row: (row.provider, row.model)),
    "rerankers": ("rerankers.yaml", schema.RerankerTable, "rerankers", lambda row: (row.provider, row.model)),
}
REQUIRED_TABLES = (
    "api_models",
    "embedding_models",
    "vector_stores",
    "gpus",
    "base_models",
    "gpu_offers",
    "gpu_purchases",
)


def _layered_rows(folders: list, name: str) -> tuple[list, list[str]]:
    """Rows of one table over the folders in order: a later folder's row replaces an earlier one with its key."""
    file_name, table_type, field, key_of = TABLES[name]
    rows: dict = {}
    paths = []
    for position, folder in enumerate(folders):
        path = folder / file_name
        if not path.is_file():
            if position == 0 and name in REQUIRED_TABLES:
                raise DataFileError(f"{path}: file not found; the bundled pricing folder must have every table")
            continue
        paths.append(str(path))
        for row in getattr(datafiles.load(table_type, path), field):
            rows[key_of(row)] = row
    return list(rows.values()), paths


def load_price_book(folder: Traversable | Path | None = None, user_folders: list[Path] | None = None) -> PriceBook:
    """Load and validate every table of `folder` (by default the bundled `pricing/`), then layer `user_folders` over it.

    A user folder may hold any subset of the tables. Its rows add to the
    bundled ones; a row with the same key (an API model's provider, id and
    effective date, say) replaces the bundled row, so a dated import adds
    price history instead of overwriting it.
    """
    root = folder if folder is not None else pricing_dir()
    folders = [root, *[Path(item) for item in (user_folders or []) if Path(item).is_dir()]]
    tables = {name: _layered_rows(folders, name)[0] for name in TABLES}

    serving_path = next(
        (item / "serving.yaml" for item in reversed(folders) if (item / "serving.yaml").is_file()),
        root / "serving.yaml",
    )
    serving = datafiles.load(schema.ServingTable, serving_path).serving

    gpu_names = {gpu.name for gpu in tables["gpus"]}
    for name in ("gpu_offers", "gpu_purchases"):
        for position, row in enumerate(tables[name]):
            if row.gpu not in gpu_names:
                raise DataFileError(
                    f"{TABLES[name][0]}: row {position} names GPU {row.gpu!r}, which gpus.yaml does not list; "
                    f"use one of {', '.join(sorted(gpu_names))}"
                )

    label = " + ".join(str(item) for item in folders)
    _check_unique(tables["api_models"], lambda row: [row.model, *row.aliases], f"api_models.yaml in {label}")
    _check_unique(tables["gpus"], lambda row: [row.name, *row.aliases], f"gpus.yaml in {label}")
    _check_unique(tables["base_models"], lambda row: [row.name, *row.aliases], f"base_models.yaml in {label}")

    return PriceBook(
        **{name: tuple(rows) for name, rows in tables.items()},
        serving=serving,
        folder=str(root),
        layers=tuple(str(item) for item in folders),
    )


OVERRIDE_PRICE_FIELDS = (
    "input_usd_per_mtok",
    "cached_input_usd_per_mtok",
    "cache_write_usd_per_mtok",
    "cache_write_1h_usd_per_mtok",
    "output_usd_per_mtok",
    "usd_per_request",
)


def _discounted(prices, factor: float) -> dict:
    return {
        name: getattr(prices, name) * factor
        for name in OVERRIDE_PRICE_FIELDS
        if getattr(prices, name, None) is not None
    }


def apply_overrides(book: PriceBook, path: Path) -> PriceBook:
    """Layer a user's override file over the tables; every overridden row's source names the file.

    Discounts multiply every token price of the matching rows, tiers
    included; a private model is added as a row; an internal GPU cost
    replaces the GPU's on-demand price.
    """
    overrides = datafiles.load(schema.PricingOverrides, path)
    api_models = list(book.api_models)
    for discount in overrides.discounts:
        matched = False
        for position, row in enumerate(api_models):
            if _normalize(row.provider) != _normalize(discount.provider):
                continue
            if discount.model and _normalize(discount.model) not in {
                _normalize(name) for name in [row.model, *row.aliases]
            }:
                continue
            factor = 1 - discount.discount
            update = _discounted(row, factor)
            update["service_tiers"] = {
                name: tier.model_copy(update=_discounted(tier, factor)) for name, tier in row.service_tiers.items()
            }
            if row.long_context is not None:
                update["long_context"] = row.long_context.model_copy(update=_discounted(row.long_context, factor))
            update["source"] = (
                f"override {path}: {discount.discount:.0%} off ({discount.source}); list price: {row.source}"
            )
            api_models[position] = row.model_copy(update=update)
            matched = True
        if not matched:
            target = discount.provider + (f"/{discount.model}" if discount.model else "")
            raise DataFileError(f"{path}: discount for {target} matches no priced model")
    for row in overrides.models:
        api_models.append(row.model_copy(update={"source": f"override {path}: {row.source}"}))
    _check_unique(api_models, lambda row: [row.model, *row.aliases], path)

    gpus = list(book.gpus)
    for cost in overrides.gpus:
        positions = [
            index
            for index, gpu in enumerate(gpus)
            if _normalize(cost.gpu) in {_normalize(name) for name in [gpu.name, *gpu.aliases]}
        ]
        if not positions:
            raise DataFileError(f"{path}: GPU {cost.gpu!r} is not in gpus.yaml")
        gpu = gpus[positions[0]]
        gpus[positions[0]] = gpu.model_copy(
            update={"on_demand_usd_per_hour": cost.usd_per_hour, "price_source": f"override {path}: {cost.source}"}
        )
    return replace(book, api_models=tuple(api_models), gpus=tuple(gpus), layers=(*book.layers, str(path)))


def user_pricing_dir() -> Path:
    """Return the user's price table folder: $TCO_PRICING_DIR, else $XDG_DATA_HOME/tco/pricing, else ~/.local/share/tco/pricing."""
    configured = os.environ.get("TCO_PRICING_DIR")
    if configured:
        return Path(configured)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "tco" / "pricing"


_active_user_folder: Path | None = None
_active_overrides: Path | None = None


def use_pricing_dir(folder: Path | None) -> None:
    """Make `folder` the user table folder for this process (None: the default folder)."""
    global _active_user_folder
    _active_user_folder = folder
    active_price_book.cache_clear()


def use_overrides(path: Path | None) -> None:
    """Layer the override file `path` over every table for this process (None: no overrides)."""
    global _active_overrides
    _active_overrides = path
    active_price_book.cache_clear()


@functools.lru_cache(maxsize=1)
def active_price_book() -> PriceBook:
    """Return the bundled tables with the user table folder and any override file layered over them."""
    book = load_price_book(user_folders=[_active_user_folder or user_pricing_dir()])
    return apply_overrides(book, _active_overrides) if _active_overrides else book


@functools.lru_cache(maxsize=1)
def bundled_price_book() -> PriceBook:
    """Return the bundled tables alone, loaded once per process."""
    return load_price_book()
