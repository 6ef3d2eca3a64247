"""The scenario file: a workload and the deployments to compare, validated by pydantic.

A scenario is a YAML file. Paths inside it (templates, data files, traces)
are relative to the folder that contains the scenario file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tco import datafiles
from tco.analysis.distributions import Distribution
from tco.errors import ScenarioError
from tco.resources import scenarios_dir


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Block(Strict):
    """A fixed text made of CSV rows, each rendered with `row_template`, joined by `separator`.

    `group_by` with `rows_per_group` keeps the first rows of each group (say,
    3 labelled examples per intent); `limit` caps the rows kept.
    """

    data: str
    row_template: str
    group_by: str | None = None
    rows_per_group: int | None = Field(default=None, gt=0)
    limit: int | None = Field(default=None, gt=0)
    separator: str = "\n"

    @model_validator(mode="after")
    def _grouping(self) -> Block:
        if (self.group_by is None) != (self.rows_per_group is None):
            raise ValueError("set 'group_by' and 'rows_per_group' together")
        return self


class PromptTemplate(Strict):
    """A template (inline `text` or a `file`) with its variables' sources.

    `data` is a CSV whose columns fill per-request variables; `blocks` fill
    fixed variables from rows of a CSV; `values` fill fixed variables directly;
    `files` maps a variable to a column of `data` holding file paths, and
    fills it with each file's text (a whole document per request).
    """

    text: str | None = None
    file: str | None = None
    data: str | None = None
    blocks: dict[str, Block] = {}
    values: dict[str, str] = {}
    files: dict[str, str] = {}

    @model_validator(mode="after")
    def _one_source(self) -> PromptTemplate:
        if (self.text is None) == (self.file is None):
            raise ValueError("set exactly one of 'text' and 'file'")
        return self


class Message(Strict):
    role: Literal["system", "user", "assistant"]
    template: PromptTemplate


class TokenDistribution(Strict):
    """Output tokens per request: measured from a template over data, or a stated distribution."""

    measured: PromptTemplate | None = None
    fixed: float | None = Field(default=None, ge=0)
    uniform: tuple[float, float] | None = None
    triangular: tuple[float, float, float] | None = None
    basis: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> TokenDistribution:
        kinds = [self.measured, self.fixed, self.uniform, self.triangular]
        if sum(kind is not None for kind in kinds) != 1:
            raise ValueError("set exactly one of 'measured', 'fixed', 'uniform' and 'triangular'")
        if self.uniform is not None and not 0 <= self.uniform[0] <= self.uniform[1]:
            raise ValueError(f"uniform needs 0 <= low <= high, got {list(self.uniform)}")
        if self.triangular is not None:
            low, mode, high = self.triangular
            if not 0 <= low <= mode <= high:
                raise ValueError(f"triangular needs 0 <= low <= mode <= high, got {list(self.triangular)}")
        if self.measured is None and not self.basis:
            raise ValueError("a stated distribution needs 'basis': where its numbers come from")
        return self


class Traffic(Strict):
    """The traffic shape: the peak-to-average ratio of requests, measured from a trace.

    `daily_peak_factor` multiplies the trace's ratio to cover a daily cycle
    that a short trace does not contain, and `daily_peak_basis` gives its
    source.
    """

    trace: str
    timestamp_column: str = "TIMESTAMP"
    bucket_seconds: int = Field(default=60, gt=0)
    daily_peak_factor: float = Field(default=1.0, ge=1.0)
    daily_peak_basis: str


class TaskSplit(Strict):
    """Split the workload into `count` tasks by the values of `split_column`.

    The column's distinct values in the user-input data, in order of first
    appearance, are dealt into `count` consecutive groups. Every data file
    with that column is filtered to a task's values when that task is
    measured, and each task gets the share of requests its user-input rows have.
    """

    split_column: str
    count: int = Field(ge=1)


class Workload(Strict):
    requests_per_month: float = Field(gt=0)
    tasks: TaskSplit | None = None
    traffic: Traffic
    user_input: PromptTemplate
    output_tokens: TokenDistribution
    max_tokens: int = Field(gt=0)


class PromptCaching(Strict):
    """Caching of the stable system prompt.

    Without `hit_rate` the share of requests that find the prefix cached is
    derived from the request rate, the provider's cache lifetime and its
    minimum cacheable length (`tco.pricing.caching`). `hit_rate` overrides
    that, with `basis` saying where it comes from; `enabled: false` turns
    caching off.
    """

    enabled: bool = True
    hit_rate: float | None = Field(default=None, ge=0, le=1)
    basis: str | None = None

    @model_validator(mode="after")
    def _override_has_basis(self) -> PromptCaching:
        if self.hit_rate is not None and not self.basis:
            raise ValueError("a stated hit_rate needs 'basis': where the rate comes from")
        return self


class DeploymentBase(Strict):
    name: str = Field(min_length=1)
    system_prompt: PromptTemplate


class DocumentFolder(Strict):
    """Text files below a folder, split into chunks of `chunk_tokens` embedding tokens.

    Consecutive chunks share `chunk_overlap_tokens` tokens.
    """

    folder: str
    pattern: str = "*"
    chunk_tokens: int = Field(gt=0)
    chunk_overlap_tokens: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> DocumentFolder:
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError("chunk_overlap_tokens must be smaller than chunk_tokens")
        return self


class Retrieval(Strict):
    """Retrieval of `top_k` chunks into every prompt, from data rows or a folder of documents.

    The corpus is embedded once, with the build amortized over
    `build_amortization_months`, and a `monthly_churn` share of it is
    embedded again every month. Each query is embedded; a reranker, when
    named, reranks `rerank_candidates` chunks per query.
    """

    corpus: Block | None = None
    documents: DocumentFolder | None = None
    top_k: int = Field(gt=0)
    context_separator: str = "\n\n"
    embedding_model: str
    vector_store: str
    build_amortization_months: float = Field(default=12, gt=0)
    monthly_churn: float = Field(default=0, ge=0, le=1)
    metadata_bytes_per_vector: int = Field(default=0, ge=0)
    reranker: str | None = None
    rerank_candidates: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_corpus(self) -> Retrieval:
        if (self.corpus is None) == (self.documents is None):
            raise ValueError("set exactly one of 'corpus' (data rows) and 'documents' (a folder)")
        return self


class LongPrompt(DeploymentBase):
    """A hosted model with a stable system prompt; `retrieval` adds retrieved chunks to every request.

    `user_prompt` replaces the workload's user input for this deployment,
    reading the same data rows (to put a whole document in the prompt, say).
    """

    kind: Literal["long_prompt"]
    model: str
    provider: str | None = None
    service_tier: Literal["standard", "batch", "flex", "priority"] = "standard"
    prompt_caching: PromptCaching = PromptCaching()
    user_prompt: PromptTemplate | None = None
    retrieval: Retrieval | None = None
    retry_rate: float = Field(default=0, ge=0, lt=1)


class Rag(LongPrompt):
    """A long-prompt deployment whose retrieval is required: the usual name for model plus retrieval."""

    kind: Literal["rag"]
    retrieval: Retrieval


class Training(Strict):
    """A fine-tuning run: each row of `data` becomes one chat example of `messages`."""

    data: str
    messages: list[Message] = Field(min_length=1)
    epochs: float = Field(gt=0)
    amortization_months: float = Field(gt=0)


class FineTunedApi(DeploymentBase):
    kind: Literal["fine_tuned_api"]
    model: str
    provider: str | None = None
    training: Training
    lifecycle: AdapterLifecycle | None = None
    retrieval: Retrieval | None = None
    user_prompt: PromptTemplate | None = None
    retry_rate: float = Field(default=0, ge=0, lt=1)


class Operations(Strict):
    usd_per_month: float = Field(ge=0)
    basis: str


class GpuPricing(Strict):
    """How the GPUs are paid for.

    `on_demand`, `reserved_1y`, `reserved_3y` and `spot` take an hourly price
    from `pricing/gpu_offers.yaml` (the offer of `provider`, or the cheapest
    listed); on demand without a provider uses the GPU table's own price.
    `usd_per_hour` overrides any table. `owned` amortizes `purchase_usd` (by
    default the table's) over `life_months` and adds power at `usd_per_kwh`
    times `pue`, and `hosting_usd_per_month` per GPU.
    """

    option: Literal["on_demand", "reserved_1y", "reserved_3y", "spot", "owned"] = "on_demand"
    provider: str | None = None
    usd_per_hour: float | None = Field(default=None, gt=0)
    purchase_usd: float | None = Field(default=None, gt=0)
    life_months: float | None = Field(default=None, gt=0)
    usd_per_kwh: float | None = Field(default=None, ge=0)
    pue: float | None = Field(default=None, ge=1)
    hosting_usd_per_month: float | None = Field(default=None, ge=0)
    basis: str | None = None

    @model_validator(mode="after")
    def _owned_inputs(self) -> GpuPricing:
        if self.option == "owned":
            missing = [
                name
                for name in ("life_months", "usd_per_kwh", "pue", "hosting_usd_per_month")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"option 'owned' needs {', '.join(missing)}")
            if not self.basis:
                raise ValueError("option 'owned' needs 'basis': where the life, power price, PUE and hosting come from")
        return self


class AdapterLifecycle(Strict):
    """Recurring costs of keeping a fine-tuned model current.

    Each retraining produces a candidate; before it ships, the evaluation
    suite runs on the candidate and on the baseline: 2 x `eval_examples` x
    `eval_runs` requests.
    """

    retrains_per_year: float = Field(ge=0)
    eval_examples: int = Field(ge=0)
    eval_runs: int = Field(ge=1)


class Hybrid(Strict):
    """Self-hosted GPUs sized for `gpu_share_of_peak` of the peak load; the rest overflows to an API deployment."""

    gpu_share_of_peak: float = Field(gt=0, le=1)
    overflow_deployment: str


class SelfHostedLora(DeploymentBase):
    """A base model on GPUs serving `adapters` LoRA adapters, this workload's among them.

    The other adapters carry `other_adapters_requests_per_month` requests a
    month in all, assumed to have this workload's token shape.
    """

    kind: Literal["self_hosted_lora"]
    base_model: str
    gpu: str
    gpus_per_replica: int | None = Field(default=None, ge=1)
    engine: str | None = None
    precision: Literal["bf16", "fp16", "fp8", "int8", "int4"] = "bf16"
    kv_precision: Literal["bf16", "fp16", "fp8"] = "bf16"
    adapters: int = Field(ge=1)
    adapter_slots: int | None = Field(default=None, ge=1)
    lora_rank: int = Field(gt=0)
    target_modules: list[Literal["q", "k", "v", "o", "gate", "up", "down"]] = ["q", "k", "v", "o", "gate", "up", "down"]
    other_adapters_requests_per_month: float = Field(default=0, ge=0)
    ttft_p95_ms: float = Field(gt=0)
    time_per_output_token_ms: float = Field(gt=0)
    gpu_pricing: GpuPricing = GpuPricing()
    operations: Operations
    training: Training
    fine_tuning_method: Literal["lora", "full"] = "lora"
    lifecycle: AdapterLifecycle | None = None
    hybrid: Hybrid | None = None


Deployment = Annotated[
    Union[LongPrompt, Rag, FineTunedApi, SelfHostedLora],
    Field(discriminator="kind"),
]


class Scenario(Strict):
    name: str
    description: str
    question: str
    pricing: str | None = None
    uncertainty: dict[str, Distribution] = {}
    workload: Workload
    deployments: list[Deployment] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Scenario:
        names = [deployment.name for deployment in self.deployments]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"deployment names must be unique; repeated: {', '.join(repeated)}")
        for deployment in self.deployments:
            hybrid = getattr(deployment, "hybrid", None)
            if hybrid is None:
                continue
            if hybrid.overflow_deployment not in names:
                raise ValueError(
                    f"deployment {deployment.name!r}: hybrid.overflow_deployment {hybrid.overflow_deployment!r} "
                    f"is not a deployment of this scenario; choose one of {', '.join(names)}"
                )
            overflow = next(other for other in self.deployments if other.name == hybrid.overflow_deployment)
            if overflow.kind == "self_hosted_lora":
                raise ValueError(f"deployment {deployment.name!r}: overflow must go to an API deployment")
        return self


class LoadedScenario(BaseModel):
    """A validated scenario and the folder its relative paths start from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    scenario: Scenario
    path: Path

    @property
    def folder(self) -> Path:
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        return _resolved(self.folder, relative)


@functools.lru_cache(maxsize=1024)
def _resolved(folder: Path, relative: str) -> Path:
    """Resolve a scenario-relative path once, because a sweep reads the same files at every step."""
    return (folder / relative).resolve()


def bundled_scenarios() -> dict[str, Path]:
    """Map each bundled scenario's name to its YAML file."""
    root = Path(str(scenarios_dir()))
    return {path.stem: path for path in sorted(root.glob("*.yaml"))}


def find_scenario(name_or_path: str) -> Path:
    """Resolve a scenario argument: an existing file, or the name of a bundled scenario."""
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate.resolve()
    bundled = bundled_scenarios()
    if name_or_path in bundled:
        return bundled[name_or_path]
    raise ScenarioError(
        f"scenario {name_or_path!r} is neither a file nor a bundled scenario; "
        f"bundled scenarios: {', '.join(bundled) or 'none'} (see 'tco scenarios list')"
    )


def load_scenario(name_or_path: str) -> LoadedScenario:
    """Read and validate a scenario; an error names the file, the field and the bad value."""
    path = find_scenario(name_or_path)
    scenario = datafiles.load(Scenario, path, ScenarioError)
    return LoadedScenario(scenario=scenario, path=path)
