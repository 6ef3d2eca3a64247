"""Retrieval as a layer over any hosted-model deployment: chunks, embeddings, vector store, reranker.

Monthly cost = index build / build_amortization_months
             + corpus embedding tokens x monthly_churn (re-embedding changed documents)
             + query embeddings (the user input, embedded once per request)
             + vector store (stored vectors and queries, at least the plan's minimum)
             + reranker searches, where one is named.
Every prompt carries top_k chunks of the corpus's measured mean size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tco.deployments.base import PriceRef, ScenarioContext
from tco.errors import ScenarioError
from tco.scenario import Retrieval
from tco.tokens.chunking import chunk_documents
from tco.tokens.counter import TokenCounter
from tco.units import TOKENS_PER_MTOK
from tco.workload import TokenStats

BYTES_PER_FLOAT32 = 4
BYTES_PER_GB = 1e9


class RetrievalLayer:
    def __init__(self, config: Retrieval, context: ScenarioContext, llm_counter: TokenCounter, deployment: str):
        self.config = config
        book = context.book
        self.embedding = book.embedding_model(config.embedding_model)
        embedding_counter = TokenCounter(self.embedding.tokenizer)

        if config.corpus is not None:
            chunks = context.measurer.block_rows(config.corpus).texts
            self.source = f"rows of {config.corpus.data}"
        else:
            documents = config.documents
            folder = context.loaded.resolve(documents.folder)
            files = sorted(path for path in Path(folder).glob(documents.pattern) if path.is_file())
            if not files:
                raise ScenarioError(
                    f"{context.loaded.path}: deployment {deployment!r}: retrieval.documents matches no file: "
                    f"{folder}/{documents.pattern}"
                )
            texts = [path.read_text(encoding="utf-8", errors="replace") for path in files]
            chunks = chunk_documents(texts, embedding_counter, documents.chunk_tokens, documents.chunk_overlap_tokens)
            self.source = f"{len(files)} files below {documents.folder}, {documents.chunk_tokens}-token chunks"

        self.chunk_tokens = TokenStats.of(llm_counter.count(chunks), llm_counter.label, llm_counter.exact)
        separator_tokens = llm_counter.count_one(config.context_separator)
        self.context_tokens = config.top_k * self.chunk_tokens.mean + (config.top_k - 1) * separator_tokens

        queries = context.measurer.render(context.workload.user_input).texts
        self.query_tokens = TokenStats.of(
            embedding_counter.count(queries), embedding_counter.label, embedding_counter.exact
        )
        self.corpus_embedding_tokens = float(embedding_counter.count(chunks).sum())
        self.vectors = len(chunks)
        mean_chunk_bytes = float(np.mean([len(chunk.encode("utf-8")) for chunk in chunks]))
        bytes_per_vector = self.embedding.dimensions * BYTES_PER_FLOAT32 + config.metadata_bytes_per_vector
        self.stored_gb = self.vectors * (bytes_per_vector + mean_chunk_bytes) / BYTES_PER_GB
        self.store = book.vector_store(config.vector_store)
        self.reranker = book.reranker(config.reranker) if config.reranker else None

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        volumes = np.asarray(volumes, dtype=float)
        rate = self.embedding.usd_per_mtok / TOKENS_PER_MTOK
        corpus_usd = self.corpus_embedding_tokens * rate
        costs = {
            "query embeddings": volumes * self.query_tokens.mean * rate,
            "index build (amortized)": np.full_like(volumes, corpus_usd / self.config.build_amortization_months),
        }
        if self.config.monthly_churn:
            costs["re-indexing"] = np.full_like(volumes, corpus_usd * self.config.monthly_churn)
        usage = self.stored_gb * self.store.usd_per_gb_month + volumes / 1e6 * self.store.usd_per_million_queries
        costs["vector store"] = np.maximum(usage, self.store.minimum_usd_per_month)
        if self.reranker is not None:
            costs["reranker"] = volumes / 1000 * self.reranker.usd_per_1k_searches
        return costs

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        """The volume where the vector store's monthly minimum gives way to usage pricing."""
        store = self.store
        if store.usd_per_million_queries == 0:
            return np.empty(0)
        volume = (
            (store.minimum_usd_per_month - self.stored_gb * store.usd_per_gb_month)
            * 1e6
            / store.usd_per_million_queries
        )
        return np.array([volume]) if low <= volume <= high else np.empty(0)

    def price_refs(self) -> list[PriceRef]:
        refs = [
            PriceRef(
                f"{self.embedding.provider}/{self.embedding.model} embeddings",
                f"{self.embedding.usd_per_mtok:g} USD per million tokens",
                self.embedding.source,
                self.embedding.as_of.isoformat(),
            ),
            PriceRef(
                f"{self.store.provider}/{self.store.name} vector store",
                f"{self.store.usd_per_gb_month:g} USD per GB-month, {self.store.usd_per_million_queries:g} USD "
                f"per million queries, minimum {self.store.minimum_usd_per_month:g} USD a month",
                self.store.source,
                self.store.as_of.isoformat(),
            ),
        ]
        if self.reranker is not None:
            refs.append(
                PriceRef(
                    f"{self.reranker.provider}/{self.reranker.model} reranker",
                    f"{self.reranker.usd_per_1k_searches:g} USD per 1,000 searches",
                    self.reranker.source,
                    self.reranker.as_of.isoformat(),
                )
            )
        return refs

    def details(self) -> dict:
        config = self.config
        return {
            "corpus": self.source,
            "top_k": config.top_k,
            "chunk_tokens": self.chunk_tokens.as_dict(),
            "retrieved_context_tokens_per_request": round(self.context_tokens, 2),
            "embedding_model": self.embedding.model,
            "query_embedding_tokens_per_request": self.query_tokens.as_dict(),
            "corpus_vectors": self.vectors,
            "corpus_embedding_tokens": self.corpus_embedding_tokens,
            "build_amortization_months": config.build_amortization_months,
            "monthly_churn": config.monthly_churn,
            "vector_store": self.store.name,
            "stored_gb": round(self.stored_gb, 6),
            "reranker": self.reranker.model if self.reranker else None,
        }
