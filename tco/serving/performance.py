"""Latency and throughput of one replica at a concurrency, from GPU specs and the model's shape.

Each engine step reads the weights and the KV cache of every sequence once
(memory time) and does about 2 x parameters FLOPs per token plus attention
(compute time). Near the ridge point neither bound alone is right, so the two
are blended as a smooth maximum, (t_m^p + t_c^p)^(1/p). Tensor parallelism
adds two all-reduces per layer; the engine adds a fixed overhead per step.

At concurrency B, with continuous batching:
- time to first token: one request's prefill alongside B - 1 decoding sequences;
- time per output token: a decode step of B sequences, which also carries
  the prefills of the requests that join meanwhile, (B - 1) x I / O tokens;
- requests/s by Little's law: B / (TTFT + (O - 1) x TPOT).
The roofline follows LLM-Viewer (arXiv 2402.16363) and llm-analysis
(github.com/cli99/llm-analysis); see docs/serving.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from tco.errors import ScenarioError
from tco.pricing.schema import BaseModelArchitecture, EngineProfile, Gpu, ServingParameters
from tco.serving.architecture import attention_width, gemm_precision, lora_adapter_bytes, weight_bytes
from tco.serving.memory import MemoryPlan, plan_memory

ALL_REDUCES_PER_LAYER = 2
ACTIVATION_BYTES = 2.0  # BF16 activations cross the interconnect


@dataclass(frozen=True)
class Hardware:
    """The peak rates of a tensor-parallel group, after efficiencies."""

    bandwidth: float  # bytes/s of all GPUs together
    flops: float  # FLOP/s of all GPUs together
    link: float  # bytes/s per direction between two GPUs
    gpus: int


def peak_tflops(gpu: Gpu, precision: str) -> float:
    """Dense TFLOPS for the GEMM precision of `precision` weights."""
    if gemm_precision(precision) == "fp8":
        if gpu.fp8_tflops is None:
            raise ScenarioError(
                f"precision fp8: GPU {gpu.name} has no FP8 tensor cores; choose bf16, fp16, int8 or int4"
            )
        return gpu.fp8_tflops
    return gpu.bf16_tflops


def hardware(gpu: Gpu, gpus: int, precision: str, parameters: ServingParameters) -> Hardware:
    return Hardware(
        bandwidth=gpu.memory_bandwidth_gb_per_s * 1e9 * gpus * parameters.memory_bandwidth_efficiency,
        flops=peak_tflops(gpu, precision) * 1e12 * gpus * parameters.compute_efficiency,
        link=gpu.interconnect_gb_per_s * 1e9 * parameters.interconnect_efficiency,
        gpus=gpus,
    )


def roofline_floor(
    arch: BaseModelArchitecture,
    gpu: Gpu,
    gpus: int,
    precision: str,
    decode_batch: float,
    context: float,
    kv_per_token: float,
) -> float:
    """The least time a decode step can take at 100% of peak bandwidth and compute."""
    memory = (weight_bytes(arch, precision) + decode_batch * context * kv_per_token) / (
        gpu.memory_bandwidth_gb_per_s * 1e9 * gpus
    )
    compute = 2 * arch.params_billion * 1e9 * decode_batch / (peak_tflops(gpu, precision) * 1e12 * gpus)
    return max(memory, compute)


@dataclass(frozen=True)
class StepModel:
    """Times engine steps of one replica."""

    arch: BaseModelArchitecture
    hardware: Hardware
    parameters: ServingParameters
    engine: EngineProfile
    weights: float
    kv_per_token: float
    extra_bytes_per_step: float = 0.0
    lora_factor: float = 1.0

    def seconds(self, decode_batch: float, context: float, prefill_tokens: float, prompt_tokens: float) -> float:
        """Time of one step: `decode_batch` sequences at mean `context`, plus `prefill_tokens` of prompts."""
        params = self.arch.params_billion * 1e9
        tokens = decode_batch + prefill_tokens
        width = attention_width(self.arch)

        bytes_read = (
            self.weights + self.extra_bytes_per_step + (decode_batch * context + prefill_tokens) * self.kv_per_token
        )
        # Attention: 4 x layers x width FLOPs per token per token attended; a causal prompt attends to I/2 on average.
        attention = 4 * self.arch.layers * width * (decode_batch * context + prefill_tokens * prompt_tokens / 2)
        flops = 2 * params * tokens + attention

        memory_time = bytes_read / self.hardware.bandwidth
        compute_time = flops / self.hardware.flops
        p = self.parameters.blend_exponent
        kernel_time = (memory_time**p + compute_time**p) ** (1 / p) * self.lora_factor
        return kernel_time + self._communication(tokens) + self.engine.step_overhead_ms / 1000

    def _communication(self, tokens: float) -> float:
        gpus = self.hardware.gpus
        if gpus == 1:
            return 0.0
        ring_bytes = 2 * (gpus - 1) / gpus * tokens * self.arch.hidden_size * ACTIVATION_BYTES
        per_reduce = self.parameters.all_reduce_latency_us / 1e6 + ring_bytes / self.hardware.link
        return ALL_REDUCES_PER_LAYER * self.arch.layers * per_reduce


@dataclass(frozen=True)
class Prediction:
    """One replica's performance at one concurrency (None fields when it does not fit)."""

    memory: MemoryPlan
    concurrency: int
    ttft_s: float
    tpot_s: float
    e2e_s: float
    requests_per_s: float
    output_tokens_per_s: float
    total_tokens_per_s: float
    roofline_output_tokens_per_s: float
    adapter_load_s: float

    def as_dict(self) -> dict:
        return {
            "fits": True,
            "gpus": self.memory.gpus,
            "concurrency": self.concurrency,
            "max_concurrency": self.memory.max_concurrency,
            "ttft_ms": round(self.ttft_s * 1000, 3),
            "tpot_ms": round(self.tpot_s * 1000, 3),
            "e2e_ms": round(self.e2e_s * 1000, 3),
            "requests_per_s": round(self.requests_per_s, 4),
            "output_tokens_per_s": round(self.output_tokens_per_s, 2),
            "total_tokens_per_s": round(self.total_tokens_per_s, 2),
            "roofline_output_tokens_per_s": round(self.roofline_output_tokens_per_s, 2),
            "adapter_load_ms_per_request": round(self.adapter_load_s * 1000, 3),
            "memory_gib": self.memory.as_gib(),
            "kv_bytes_per_token": self.memory.kv_bytes_per_token,
        }


@dataclass(frozen=True)
class Lora:
    """Adapters served by a replica: how many exist, how many GPU slots hold them, their rank and targets."""

    adapters: int
    rank: int
    target_modules: tuple[str, ...] = ("q", "k", "v", "o", "gate", "up", "down")
    slots: int | None = None

    @property
    def gpu_slots(self) -> int:
        return min(self.adapters, self.slots) if self.slots else self.adapters


def predict(
    arch: BaseModelArchitecture,
    gpu: Gpu,
    parameters: ServingParameters,
    input_tokens: float,
    output_tokens: float,
    concurrency: int | None = None,
    gpus: int = 1,
    precision: str = "bf16",
    kv_precision: str = "bf16",
    lora: Lora | None = None,
    engine: str | None = None,
) -> Prediction | MemoryPlan:
    """Predict latency and throughput at `concurrency` (None: the most that memory and the engine allow).

    Returns the MemoryPlan alone when the configuration does not fit in memory.
    """
    profile = parameters.engines[engine or parameters.default_engine]
    slots = lora.gpu_slots if lora else 0
    memory = plan_memory(
        arch, gpu, parameters, gpus, precision, kv_precision, input_tokens, output_tokens,
        adapter_slots=slots, lora_rank=lora.rank if lora else 0, target_modules=lora.target_modules if lora else (),
    )  # fmt: skip
    if not memory.fits:
        return memory

    limit = min(memory.max_concurrency, profile.max_batch_size)
    batch = limit if concurrency is None else concurrency
    if batch < 1:
        raise ScenarioError(f"concurrency must be at least 1, got {batch}")

    extra_bytes, lora_factor, load_s = 0.0, 1.0, 0.0
    if lora and lora.adapters > 0:
        adapter_bytes = lora_adapter_bytes(arch, lora.rank, lora.target_modules)
        # Each step reads the weights of every distinct adapter in the batch.
        extra_bytes = min(lora.gpu_slots, batch) * adapter_bytes
        lora_factor = 1 + profile.lora_kernel_overhead
        # With more adapters than GPU slots, a request whose adapter is not resident
        # waits for it to cross PCIe (uniform popularity; skewed traffic misses less).
        miss_rate = max(0.0, 1 - lora.gpu_slots / lora.adapters)
        load_s = miss_rate * adapter_bytes / (parameters.pcie_gb_per_s * 1e9)

    steps = StepModel(
        arch=arch,
        hardware=hardware(gpu, gpus, precision, parameters),
        parameters=parameters,
        engine=profile,
        weights=memory.weights_bytes,
        kv_per_token=memory.kv_bytes_per_token,
        extra_bytes_per_step=extra_bytes,
        lora_factor=lora_factor,
    )
    context = input_tokens + output_tokens / 2
    ttft = load_s + steps.seconds(batch - 1, context, input_tokens, input_tokens)
    joining = (batch - 1) * input_tokens / output_tokens if output_tokens > 0 else 0.0
    tpot = steps.seconds(batch, context, joining, input_tokens)
    e2e = ttft + max(0.0, output_tokens - 1) * tpot
    requests_per_s = batch / e2e

    floor = roofline_floor(arch, gpu, gpus, precision, batch, context, memory.kv_bytes_per_token)
    return Prediction(
        memory=memory,
        concurrency=batch,
        ttft_s=ttft,
        tpot_s=tpot,
        e2e_s=e2e,
        requests_per_s=requests_per_s,
        output_tokens_per_s=requests_per_s * output_tokens,
        total_tokens_per_s=requests_per_s * (input_tokens + output_tokens),
        roofline_output_tokens_per_s=batch / floor,
        adapter_load_s=load_s,
    )


def training_gpu_hours(
    arch: BaseModelArchitecture,
    gpu: Gpu,
    parameters: ServingParameters,
    trained_tokens: float,
    method: str,
    precision: str = "bf16",
) -> float:
    """GPU-hours of a fine-tuning run: tokens x FLOPs per token over peak x MFU.

    FLOPs per token are about 6 x parameters for full fine-tuning (forward 2N,
    backward 4N) and 4 x parameters for LoRA, which needs no weight gradients.
    """
    flops_per_param = {"full": 6.0, "lora": 4.0}[method]
    flops = trained_tokens * flops_per_param * arch.params_billion * 1e9
    return flops / (peak_tflops(gpu, precision) * 1e12 * parameters.training_mfu) / 3600
