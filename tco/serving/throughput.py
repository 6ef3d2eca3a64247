"""A first throughput model of one LLM replica: memory, batch size, latency and requests/s.

Decode is bounded by memory bandwidth: each step reads the weights once and
the KV cache of every sequence in the batch. Prefill is bounded by compute:
about 2 x parameters FLOPs per input token. The batch is bounded by the KV
cache memory left after the weights and the LoRA adapter slots, by the
engine's maximum batch size, and by the time-per-output-token target.

Formulas follow the roofline treatment of LLM-Viewer (arXiv 2402.16363) and
llm-analysis (cli99/llm-analysis): see docs/model.md.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from tco.errors import ScenarioError
from tco.pricing.schema import BaseModelArchitecture, Gpu, ServingParameters

BYTES_PER_ELEMENT = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)
GB = 1e9


def projection_shapes(arch: BaseModelArchitecture) -> dict[str, tuple[int, int]]:
    """Return (input dim, output dim) of each projection a LoRA adapter can target."""
    attention = arch.attention_heads * arch.head_dim
    kv = arch.kv_heads * arch.head_dim
    return {
        "q": (arch.hidden_size, attention),
        "k": (arch.hidden_size, kv),
        "v": (arch.hidden_size, kv),
        "o": (attention, arch.hidden_size),
        "gate": (arch.hidden_size, arch.intermediate_size),
        "up": (arch.hidden_size, arch.intermediate_size),
        "down": (arch.intermediate_size, arch.hidden_size),
    }


def lora_adapter_params(arch: BaseModelArchitecture, rank: int, target_modules: list[str]) -> int:
    """Parameters of one adapter: rank x layers x sum over targets of (in + out)."""
    shapes = projection_shapes(arch)
    return rank * arch.layers * sum(sum(shapes[name]) for name in target_modules)


def kv_bytes_per_token(arch: BaseModelArchitecture, kv_precision: str) -> float:
    """KV cache bytes per token: 2 (K and V) x layers x KV heads x head dim x bytes."""
    return 2 * arch.layers * arch.kv_heads * arch.head_dim * BYTES_PER_ELEMENT[kv_precision]


def gpu_tflops(gpu: Gpu, precision: str) -> float:
    """Dense tensor throughput for the GEMM precision; weight-only int4 computes in BF16."""
    if precision == "fp8":
        if gpu.fp8_tflops is None:
            raise ScenarioError(f"GPU {gpu.name} has no FP8 tensor cores; choose precision bf16, int8 or int4")
        return gpu.fp8_tflops
    if precision == "int8" and gpu.int8_tops is not None:
        return gpu.int8_tops
    return gpu.bf16_tflops


@dataclass(frozen=True)
class ServingEstimate:
    """One replica's memory plan and capacity, for requests of one shape."""

    gpus_per_replica: int
    weights_gb: float
    adapter_slots_gb: float
    kv_cache_gb: float
    kv_bytes_per_token: float
    max_sequences_by_memory: int
    batch_size: int
    batch_limited_by: str
    prefill_s: float
    decode_step_s: float
    replica_seconds_per_request: float
    requests_per_s: float
    output_tokens_per_s: float

    def as_dict(self) -> dict:
        return {key: (round(value, 6) if isinstance(value, float) else value) for key, value in asdict(self).items()}


def decode_step_seconds(
    batch: float, context: float, weights: float, kv_per_token: float, params: float, bandwidth: float, flops: float
) -> float:
    """Time of one decode step: the slower of reading weights plus KV cache, and the GEMM FLOPs."""
    memory_time = (weights + batch * context * kv_per_token) / bandwidth
    compute_time = 2 * params * batch / flops
    return max(memory_time, compute_time)


def estimate_replica(
    arch: BaseModelArchitecture,
    gpu: Gpu,
    parameters: ServingParameters,
    input_tokens: float,
    output_tokens: float,
    time_per_output_token_s: float,
    precision: str = "bf16",
    kv_precision: str = "bf16",
    adapter_slots: int = 0,
    lora_rank: int = 0,
    target_modules: list[str] | None = None,
) -> ServingEstimate:
    """Plan the smallest tensor-parallel replica that fits, and its steady-state capacity.

    NOTE: tensor-parallel communication time is not modelled yet; replicas
    of more than one GPU are optimistic.
    """
    params = arch.params_billion * 1e9
    weights = params * BYTES_PER_ELEMENT[precision]
    kv_per_token = kv_bytes_per_token(arch, kv_precision)
    # vLLM reserves max_loras x max_lora_rank slots in the adapters' dtype (BF16).
    adapter_bytes = adapter_slots * lora_adapter_params(arch, lora_rank, target_modules or []) * 2.0
    sequence_tokens = input_tokens + output_tokens

    for gpus in TENSOR_PARALLEL_SIZES:
        kv_budget = gpu.memory_gb * GB * parameters.usable_memory_fraction * gpus - weights - adapter_bytes
        max_by_memory = math.floor(kv_budget / (kv_per_token * sequence_tokens)) if kv_budget > 0 else 0
        if max_by_memory >= 1:
            break
    else:
        raise ScenarioError(
            f"{arch.name} at {precision} does not fit on {max(TENSOR_PARALLEL_SIZES)} x {gpu.name}; "
            "choose a larger GPU or a lower precision"
        )

    bandwidth = gpu.memory_bandwidth_gb_per_s * GB * parameters.memory_bandwidth_efficiency * gpus
    flops = gpu_tflops(gpu, precision) * 1e12 * parameters.compute_efficiency * gpus
    mean_context = input_tokens + output_tokens / 2

    # The decode step grows with the batch; the largest batch within the
    # time-per-output-token target solves step(batch) <= target in each bound.
    by_bandwidth = (time_per_output_token_s * bandwidth - weights) / (mean_context * kv_per_token)
    by_compute = time_per_output_token_s * flops / (2 * params)
    max_by_latency = math.floor(min(by_bandwidth, by_compute))
    if max_by_latency < 1:
        single = decode_step_seconds(1, mean_context, weights, kv_per_token, params, bandwidth, flops)
        raise ScenarioError(
            f"time_per_output_token_ms {time_per_output_token_s * 1000:g} is below what {arch.name} "
            f"reaches on {gpus} x {gpu.name} even at batch 1 ({single * 1000:.1f} ms); raise the target"
        )

    limits = {
        "KV cache memory": max_by_memory,
        "time per output token target": max_by_latency,
        "engine max batch size": parameters.max_batch_size,
    }
    batch_limited_by = min(limits, key=limits.get)
    batch = limits[batch_limited_by]

    step = decode_step_seconds(batch, mean_context, weights, kv_per_token, params, bandwidth, flops)
    prefill = 2 * params * input_tokens / flops
    overhead = 1 + (parameters.lora_throughput_overhead if adapter_slots else 0.0)
    seconds_per_request = (prefill + output_tokens * step / batch) * overhead

    return ServingEstimate(
        gpus_per_replica=gpus,
        weights_gb=weights / GB,
        adapter_slots_gb=adapter_bytes / GB,
        kv_cache_gb=kv_budget / GB,
        kv_bytes_per_token=kv_per_token,
        max_sequences_by_memory=max_by_memory,
        batch_size=batch,
        batch_limited_by=batch_limited_by,
        prefill_s=prefill,
        decode_step_s=step,
        replica_seconds_per_request=seconds_per_request,
        requests_per_s=1 / seconds_per_request,
        output_tokens_per_s=output_tokens / seconds_per_request,
    )


def lora_training_gpu_hours(
    arch: BaseModelArchitecture, gpu: Gpu, parameters: ServingParameters, training_tokens: float
) -> float:
    """GPU-hours of a BF16 LoRA run: tokens x FLOPs per token (about 4 x parameters) / (peak x MFU)."""
    flops = training_tokens * parameters.training_flops_per_param_per_token_lora * arch.params_billion * 1e9
    return flops / (gpu.bf16_tflops * 1e12 * parameters.training_mfu) / 3600
