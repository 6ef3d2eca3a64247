"""Pydantic schema of the price, GPU and model tables in `pricing/`.

Money is USD. Token prices are USD per million tokens (`usd_per_mtok`).
Every row carries `source` (where the number was read) and `as_of` (the day
it was read or last checked).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Row(BaseModel):
    """Base of every table row: unknown fields are rejected, provenance is required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    as_of: dt.date


class TokenizerSpec(BaseModel):
    """How to count a model's tokens.

    Exactly one of `encoding` (a tiktoken encoding, optionally scaled by
    `ratio`) and `chars_per_token` (a provider's rule of thumb) is set. A
    count is exact only for a bare `encoding` with no ratio. `mistral_common`
    names a tokenizer version shipped by the optional `mistral-common`
    package: where that package is installed it counts exactly, and the other
    fields are the fallback estimate.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    encoding: Literal["o200k_base", "cl100k_base"] | None = None
    ratio: float | None = Field(default=None, gt=0)
    chars_per_token: float | None = Field(default=None, gt=0)
    mistral_common: Literal["v1", "v2", "v3", "v7"] | None = None
    basis: str | None = None

    @model_validator(mode="after")
    def _one_method(self) -> TokenizerSpec:
        if (self.encoding is None) == (self.chars_per_token is None):
            raise ValueError("set exactly one of 'encoding' and 'chars_per_token'")
        if self.ratio is not None and self.encoding is None:
            raise ValueError("'ratio' scales an 'encoding' count; set 'encoding' too")
        if not self.exact and not self.basis:
            raise ValueError("an estimated tokenizer needs 'basis': where the ratio comes from")
        return self

    @property
    def exact(self) -> bool:
        """Whether the `encoding` fields alone count exactly, without `mistral_common`."""
        return self.encoding is not None and self.ratio is None


class TokenPrices(BaseModel):
    """A full set of token prices in USD per million tokens, for a service tier or a long-context tier."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(default=None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(default=None, ge=0)
    cache_write_1h_usd_per_mtok: float | None = Field(default=None, ge=0)
    output_usd_per_mtok: float = Field(ge=0)


class LongContextTier(TokenPrices):
    """Prices of a whole request, output included, whose input passes `threshold_tokens`.

    `comparison` is the provider's: ">" (above the threshold) or ">=". The
    input that counts toward the threshold is every input token of the
    request, cached reads and cache writes included, as Anthropic and Google
    document it.
    """

    threshold_tokens: int = Field(gt=0)
    comparison: Literal[">", ">="]


class PromptCacheRule(BaseModel):
    """A provider's prompt-caching rule for this model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_cacheable_tokens: int = Field(ge=0)
    ttl_seconds: float = Field(gt=0)
    refresh_on_hit: bool
    automatic: bool
    basis: str


class ApiModel(Row):
    """A hosted model's list prices, in USD per million tokens.

    A price the provider does not charge separately is absent (None), never 0:
    `cached_input_usd_per_mtok` absent means the provider gives no cache-read
    discount, and `cache_write_usd_per_mtok` absent means cache writes carry
    no surcharge. Both are then billed at the input rate (see `tco.pricing.cost`).
    `cache_write_1h_usd_per_mtok` is the price of a write with a one-hour
    lifetime; absent, such writes are billed as 5-minute writes.
    Rows of one provider and model with different `effective_from` dates
    form its price history.
    """

    provider: str
    model: str
    aliases: list[str] = []
    effective_from: dt.date | None = None
    input_usd_per_mtok: float = Field(ge=0)
    cached_input_usd_per_mtok: float | None = Field(default=None, ge=0)
    cache_write_usd_per_mtok: float | None = Field(default=None, ge=0)
    cache_write_1h_usd_per_mtok: float | None = Field(default=None, ge=0)
    output_usd_per_mtok: float = Field(ge=0)
    usd_per_request: float | None = Field(default=None, ge=0)
    batch_discount: float | None = Field(default=None, ge=0, lt=1)
    batch_discount_applies_to_cache: bool = False
    service_tiers: dict[Literal["flex", "priority"], TokenPrices] = {}
    long_context: LongContextTier | None = None
    regional_uplift: float | None = Field(default=None, ge=0)
    prompt_cache: PromptCacheRule | None = None
    context_window_tokens: int = Field(gt=0)
    tokenizer: TokenizerSpec
    fine_tuned_from: str | None = None
    training_usd_per_mtok: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _prices_consistent(self) -> ApiModel:
        cached = self.cached_input_usd_per_mtok
        if cached is not None and cached > self.input_usd_per_mtok:
            raise ValueError(
                f"cached_input_usd_per_mtok {cached} is above input_usd_per_mtok "
                f"{self.input_usd_per_mtok}; a cache read is never dearer than input"
            )
        if self.long_context is not None and self.long_context.input_usd_per_mtok < self.input_usd_per_mtok:
            raise ValueError(
                "long_context input price is below the base input price; a long-context tier is never cheaper"
            )
        return self


class EmbeddingModel(Row):
    """A hosted embedding model, priced per million input tokens."""

    provider: str
    model: str
    usd_per_mtok: float = Field(ge=0)
    batch_discount: float | None = Field(default=None, ge=0, lt=1)
    dimensions: int = Field(gt=0)
    tokenizer: TokenizerSpec


class VectorStore(Row):
    """A managed vector database's usage-based price.

    Monthly cost = max(minimum_usd_per_month,
    stored GB x usd_per_gb_month + queries / 1e6 x usd_per_million_queries).
    """

    provider: str
    name: str
    usd_per_gb_month: float = Field(ge=0)
    usd_per_million_queries: float = Field(ge=0)
    minimum_usd_per_month: float = Field(default=0, ge=0)
    notes: str | None = None


class Gpu(Row):
    """One GPU's datasheet figures and an on-demand hourly price.

    TFLOPS are dense (no structured sparsity). Bandwidths are in GB/s;
    `interconnect_gb_per_s` is per direction between GPUs of one server
    (NVLink where the part has it, otherwise PCIe).
    """

    name: str
    aliases: list[str] = []
    memory_gb: float = Field(gt=0)
    memory_bandwidth_gb_per_s: float = Field(gt=0)
    bf16_tflops: float = Field(gt=0)
    fp8_tflops: float | None = Field(default=None, gt=0)
    int8_tops: float | None = Field(default=None, gt=0)
    interconnect: Literal["nvlink", "pcie"]
    interconnect_gb_per_s: float = Field(gt=0)
    on_demand_usd_per_hour: float = Field(gt=0)
    price_source: str = Field(min_length=1)
    price_as_of: dt.date


class BaseModelArchitecture(Row):
    """An open-weight model's architecture, as its published config states it."""

    name: str
    aliases: list[str] = []
    params_billion: float = Field(gt=0)
    layers: int = Field(gt=0)
    hidden_size: int = Field(gt=0)
    attention_heads: int = Field(gt=0)
    kv_heads: int = Field(gt=0)
    head_dim: int = Field(gt=0)
    intermediate_size: int = Field(gt=0)
    vocab_size: int = Field(gt=0)
    context_length_tokens: int = Field(gt=0)
    tokenizer: TokenizerSpec


class ApiModelTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    models: list[ApiModel]


class EmbeddingTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    embedding_models: list[EmbeddingModel]


class VectorStoreTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vector_stores: list[VectorStore]


class GpuTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gpus: list[Gpu]


class BaseModelTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base_models: list[BaseModelArchitecture]


class EngineProfile(BaseModel):
    """The overheads one serving engine adds to the hardware roofline, calibrated on its published runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step_overhead_ms: float = Field(ge=0)
    max_batch_size: int = Field(gt=0)
    lora_kernel_overhead: float = Field(ge=0)
    description: str


class ServingParameters(Row):
    """Global efficiency and policy parameters of the self-hosted serving model.

    Efficiencies are the fraction of a GPU's peak memory bandwidth and dense
    compute that real kernels reach. `blend_exponent` p joins the memory and
    compute times of a step as (t_m^p + t_c^p)^(1/p), a smooth maximum.
    """

    memory_bandwidth_efficiency: float = Field(gt=0, le=1)
    compute_efficiency: float = Field(gt=0, le=1)
    blend_exponent: float = Field(ge=1)
    kv_cache_memory_fraction: float = Field(gt=0, le=1)
    kv_output_fraction: float = Field(ge=0, le=1)
    reserved_memory_gb_per_gpu: float = Field(ge=0)
    interconnect_efficiency: float = Field(gt=0, le=1)
    all_reduce_latency_us: float = Field(ge=0)
    pcie_gb_per_s: float = Field(gt=0)
    max_utilization: float = Field(gt=0, le=1)
    training_mfu: float = Field(gt=0, le=1)
    default_engine: str
    engines: dict[str, EngineProfile]
    basis: dict[str, str]

    @model_validator(mode="after")
    def _default_engine_known(self) -> ServingParameters:
        if self.default_engine not in self.engines:
            raise ValueError(f"default_engine {self.default_engine!r} is not among engines {sorted(self.engines)}")
        return self


class ServingTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    serving: ServingParameters


class GpuOffer(Row):
    """An hourly price for one GPU under a pricing option, from one cloud or marketplace.

    `usd_per_hour` is per GPU, not per instance: an 8-GPU instance's price is
    divided by 8.
    """

    gpu: str
    option: Literal["on_demand", "reserved_1y", "reserved_3y", "spot"]
    provider: str
    usd_per_hour: float = Field(gt=0)
    notes: str | None = None


class GpuPurchase(Row):
    """The up-front cost of owning one GPU, and the power it draws."""

    gpu: str
    purchase_usd: float = Field(gt=0)
    board_power_watts: float = Field(gt=0)
    notes: str | None = None


class GpuOfferTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gpu_offers: list[GpuOffer]


class GpuPurchaseTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gpu_purchases: list[GpuPurchase]


class RateLimit(Row):
    """One account tier's rate limits for a provider's model (or model class), per minute unless named.

    `tpm` is a combined token limit; providers that split input and output
    set `input_tpm` and `output_tpm` instead. `counts_cache_reads` is
    whether cached input tokens count against the input limit, and
    `reserves_max_tokens` whether a request's `max_tokens` is charged up front.
    """

    provider: str
    models: list[str] = Field(min_length=1)
    tier: str
    tier_rank: int = Field(ge=0)
    rpm: float | None = Field(default=None, gt=0)
    rpd: float | None = Field(default=None, gt=0)
    tpm: float | None = Field(default=None, gt=0)
    input_tpm: float | None = Field(default=None, gt=0)
    output_tpm: float | None = Field(default=None, gt=0)
    batch_queue_tokens: float | None = Field(default=None, gt=0)
    counts_cache_reads: bool
    reserves_max_tokens: bool
    notes: str | None = None


class RateLimitTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate_limits: list[RateLimit]


class ApiLatency(Row):
    """Published latency of a hosted model: time to first token and output speed."""

    provider: str
    model: str
    ttft_seconds: float = Field(gt=0)
    output_tokens_per_s: float = Field(gt=0)
    measured_prompt_tokens: int | None = Field(default=None, gt=0)
    prefill_tokens_per_s: float | None = Field(default=None, gt=0)
    notes: str | None = None


class ApiLatencyTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_latency: list[ApiLatency]


class Reranker(Row):
    """A hosted reranker, priced per thousand searches (a search reranks one query's candidates)."""

    provider: str
    model: str
    usd_per_1k_searches: float = Field(ge=0)
    max_documents_per_search: int | None = Field(default=None, gt=0)
    notes: str | None = None


class RerankerTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rerankers: list[Reranker]


class Discount(BaseModel):
    """A negotiated discount off every token price of a provider, or of one of its models."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str
    model: str | None = None
    discount: float = Field(gt=0, lt=1)
    source: str = Field(min_length=1)


class GpuCostOverride(BaseModel):
    """An internal hourly cost of a GPU, replacing its on-demand price."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gpu: str
    usd_per_hour: float = Field(gt=0)
    source: str = Field(min_length=1)


class PricingOverrides(BaseModel):
    """A user's own prices, layered over every table: discounts, private models and internal GPU costs."""

    model_config = ConfigDict(extra="forbid")

    discounts: list[Discount] = []
    models: list[ApiModel] = []
    gpus: list[GpuCostOverride] = []
