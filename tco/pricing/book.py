"""The price book: every table in `pricing/`, loaded, validated and looked up by name."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


def _optional_table(root, file_name: str, table_type, key: str) -> list:
    """Load a table that a user's pricing folder may leave out; the bundled folder has all of them."""
    path = root / file_name
    if not path.is_file():
        return []
    return getattr(datafiles.load(table_type, path), key)


def load_price_book(folder: Traversable | Path | None = None) -> PriceBook:
    """Load and validate every table in `folder` (by default the bundled `pricing/`)."""
    root = folder if folder is not None else pricing_dir()
    api = datafiles.load(schema.ApiModelTable, root / "api_models.yaml").models
    embeddings = datafiles.load(schema.EmbeddingTable, root / "embeddings.yaml").embedding_models
    stores = datafiles.load(schema.VectorStoreTable, root / "vector_stores.yaml").vector_stores
    gpus = datafiles.load(schema.GpuTable, root / "gpus.yaml").gpus
    bases = datafiles.load(schema.BaseModelTable, root / "base_models.yaml").base_models
    serving = datafiles.load(schema.ServingTable, root / "serving.yaml").serving
    offers = datafiles.load(schema.GpuOfferTable, root / "gpu_offers.yaml").gpu_offers
    purchases = datafiles.load(schema.GpuPurchaseTable, root / "gpu_purchases.yaml").gpu_purchases
    rate_limits = _optional_table(root, "rate_limits.yaml", schema.RateLimitTable, "rate_limits")
    api_latency = _optional_table(root, "api_latency.yaml", schema.ApiLatencyTable, "api_latency")
    rerankers = _optional_table(root, "rerankers.yaml", schema.RerankerTable, "rerankers")
    gpu_names = {gpu.name for gpu in gpus}
    for file_name, rows in (("gpu_offers.yaml", offers), ("gpu_purchases.yaml", purchases)):
        for position, row in enumerate(rows):
            if row.gpu not in gpu_names:
                raise DataFileError(
                    f"{root / file_name}: row {position} names GPU {row.gpu!r}, which gpus.yaml does not list; "
                    f"use one of {', '.join(sorted(gpu_names))}"
                )

    _check_unique(api, lambda row: [row.model, *row.aliases], root / "api_models.yaml")
    _check_unique(gpus, lambda row: [row.name, *row.aliases], root / "gpus.yaml")
    _check_unique(bases, lambda row: [row.name, *row.aliases], root / "base_models.yaml")

    return PriceBook(
        api_models=tuple(api),
        embedding_models=tuple(embeddings),
        vector_stores=tuple(stores),
        gpus=tuple(gpus),
        base_models=tuple(bases),
        serving=serving,
        gpu_offers=tuple(offers),
        gpu_purchases=tuple(purchases),
        rate_limits=tuple(rate_limits),
        api_latency=tuple(api_latency),
        rerankers=tuple(rerankers),
        folder=str(root),
    )


@functools.lru_cache(maxsize=1)
def bundled_price_book() -> PriceBook:
    """Return the bundled tables, loaded once per process."""
    return load_price_book()
