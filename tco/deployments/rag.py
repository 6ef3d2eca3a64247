"""A hosted API model with retrieved context, plus embeddings and a vector store.

Monthly cost = LLM tokens (system prompt + k retrieved chunks + user input)
+ query embeddings (the user input, embedded once per request)
+ index embeddings (every corpus chunk, `index_builds_per_month` times)
+ vector store (stored vectors and queries, at least the plan's minimum).
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
from tco.limits.requests import RequestProfile
from tco.pricing.cost import price_usage
from tco.scenario import Rag
from tco.tokens.counter import TokenCounter
from tco.units import TOKENS_PER_MTOK
from tco.workload import TokenStats

BYTES_PER_FLOAT32 = 4
BYTES_PER_GB = 1e9


class RagModel:
    kind = "rag"

    def __init__(self, config: Rag, context: ScenarioContext):
        self.name = config.name
        self.config = config
        retrieval = config.retrieval
        self.model = context.book.api_model(config.model, config.provider)
        counter = TokenCounter(self.model.tokenizer)

        chunks = context.measurer.block_rows(retrieval.corpus).texts
        self.chunk_tokens = TokenStats.of(counter.count(chunks), counter.label, counter.exact)
        separator_tokens = counter.count_one(retrieval.context_separator)
        self.context_tokens = retrieval.top_k * self.chunk_tokens.mean + (retrieval.top_k - 1) * separator_tokens
        self.tokens = measure_chat_tokens(context, counter, config.system_prompt, self.context_tokens)
        check_context_window(context, self.model, self.tokens, config.name)

        self.embedding = context.book.embedding_model(retrieval.embedding_model)
        embedding_counter = TokenCounter(self.embedding.tokenizer)
        queries = context.measurer.render(context.workload.user_input).texts
        self.query_tokens = TokenStats.of(
            embedding_counter.count(queries), embedding_counter.label, embedding_counter.exact
        )
        self.corpus_embedding_tokens = float(embedding_counter.count(chunks).sum())
        self.vectors = len(chunks)
        mean_chunk_bytes = float(np.mean([len(chunk.encode("utf-8")) for chunk in chunks]))
        bytes_per_vector = self.embedding.dimensions * BYTES_PER_FLOAT32 + retrieval.metadata_bytes_per_vector
        self.stored_gb = self.vectors * (bytes_per_vector + mean_chunk_bytes) / BYTES_PER_GB
        self.store = context.book.vector_store(retrieval.vector_store)

    def monthly_cost(self, volumes: np.ndarray) -> dict[str, np.ndarray]:
        def priced(requests):
            return price_usage(
                self.model,
                input_tokens=self.tokens.input.mean,
                output_tokens=self.tokens.output_mean,
                requests=requests,
                service_tier=self.config.service_tier,
            )

        costs = token_components(priced(volumes), priced(1.0))
        rate = self.embedding.usd_per_mtok / TOKENS_PER_MTOK
        costs["query embeddings"] = volumes * self.query_tokens.mean * rate
        index = self.corpus_embedding_tokens * rate * self.config.retrieval.index_builds_per_month
        costs["index embeddings"] = np.full_like(volumes, index, dtype=float)
        usage = self.stored_gb * self.store.usd_per_gb_month + volumes / 1e6 * self.store.usd_per_million_queries
        costs["vector store"] = np.maximum(usage, self.store.minimum_usd_per_month)
        return costs

    def request_profiles(self, max_tokens: int) -> list[RequestProfile]:
        """The mean request this deployment sends to its hosted model, for rate-limit checks."""
        return [RequestProfile(self.model, self.tokens.input.mean, 0.0, self.tokens.output_mean, max_tokens)]

    def breakpoints(self, low: float, high: float) -> np.ndarray:
        # The vector store's monthly minimum gives way to usage pricing at one volume.
        store = self.store
        if store.usd_per_million_queries == 0:
            return np.empty(0)
        volume = (
            (store.minimum_usd_per_month - self.stored_gb * store.usd_per_gb_month)
            * 1e6
            / store.usd_per_million_queries
        )
        return np.array([volume]) if low <= volume <= high else np.empty(0)

    def details(self, volume: float) -> dict:
        retrieval = self.config.retrieval
        refs = model_price_refs(self.model, self.config.service_tier) + [
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
        return {
            "model": self.model.model,
            "provider": self.model.provider,
            "service_tier": self.config.service_tier,
            "top_k": retrieval.top_k,
            "chunk_tokens": self.chunk_tokens.as_dict(),
            "retrieved_context_tokens_per_request": round(self.context_tokens, 2),
            "input_tokens_per_request": self.tokens.input.as_dict(),
            "output_tokens_per_request": round(self.tokens.output_mean, 2),
            "output_tokens_basis": self.tokens.output_basis,
            "embedding_model": self.embedding.model,
            "query_embedding_tokens_per_request": self.query_tokens.as_dict(),
            "corpus_vectors": self.vectors,
            "corpus_embedding_tokens": self.corpus_embedding_tokens,
            "index_builds_per_month": retrieval.index_builds_per_month,
            "vector_store": self.store.name,
            "stored_gb": round(self.stored_gb, 6),
            "prices": [ref.as_dict() for ref in refs],
        }
