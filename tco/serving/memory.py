"""Memory plan of one replica: weights, adapter slots, KV cache and how many sequences fit."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tco.pricing.schema import BaseModelArchitecture, Gpu, ServingParameters
from tco.serving.architecture import kv_bytes_per_token, lora_adapter_bytes, weight_bytes

GIB = 2**30


@dataclass(frozen=True)
class MemoryPlan:
    """A replica's GPU memory split, in bytes, and the concurrency it allows."""

    gpus: int
    total_bytes: float
    weights_bytes: float
    adapter_slot_bytes: float
    reserved_bytes: float
    kv_cache_bytes: float
    kv_bytes_per_token: float
    tokens_per_sequence: float
    max_concurrency: int
    missing_bytes: float

    @property
    def fits(self) -> bool:
        return self.max_concurrency >= 1

    def as_gib(self) -> dict:
        return {
            "total": round(self.total_bytes / GIB, 3),
            "weights": round(self.weights_bytes / GIB, 3),
            "adapters": round(self.adapter_slot_bytes / GIB, 3),
            "reserved": round(self.reserved_bytes / GIB, 3),
            "kv_cache": round(self.kv_cache_bytes / GIB, 3),
        }

    def shortfall_message(self, label: str) -> str:
        return (
            f"{label} does not fit: it needs {self.missing_bytes / GIB:.1f} GiB more than the "
            f"{self.total_bytes / GIB:.1f} GiB of {self.gpus} GPU(s) to hold the weights "
            f"({self.weights_bytes / GIB:.1f} GiB), adapter slots ({self.adapter_slot_bytes / GIB:.2f} GiB), "
            f"reserved memory ({self.reserved_bytes / GIB:.1f} GiB) and the KV cache of one sequence. "
            "Use more GPUs per replica, a GPU with more memory, or a smaller precision such as int4"
        )


def plan_memory(
    arch: BaseModelArchitecture,
    gpu: Gpu,
    parameters: ServingParameters,
    gpus: int,
    precision: str,
    kv_precision: str,
    input_tokens: float,
    output_tokens: float,
    adapter_slots: int = 0,
    lora_rank: int = 0,
    target_modules: tuple[str, ...] = (),
    kv_output_fraction: float | None = None,
) -> MemoryPlan:
    """Split `gpus` GPUs' memory between weights, adapter slots, reserved memory and KV cache.

    The KV cache gets `kv_cache_memory_fraction` of what is left after the
    weights, the adapter slots (vLLM reserves max_loras x max_lora_rank in
    every LoRA-capable layer) and a per-GPU reserve for activations and the
    CUDA context, as TensorRT-LLM's kv_cache_free_gpu_mem_fraction does. A
    sequence keeps its input plus `kv_output_fraction` of its output on
    average under continuous batching.
    """
    fraction = parameters.kv_output_fraction if kv_output_fraction is None else kv_output_fraction
    total = gpu.memory_gb * 1e9 * gpus
    weights = weight_bytes(arch, precision)
    adapters = adapter_slots * lora_adapter_bytes(arch, lora_rank, target_modules) if adapter_slots else 0.0
    reserved = parameters.reserved_memory_gb_per_gpu * 1e9 * gpus
    free = total - weights - adapters - reserved
    kv_budget = max(0.0, free) * parameters.kv_cache_memory_fraction
    per_token = kv_bytes_per_token(arch, kv_precision)
    tokens_per_sequence = input_tokens + fraction * output_tokens
    max_concurrency = math.floor(kv_budget / (per_token * tokens_per_sequence)) if kv_budget > 0 else 0

    # One sequence at its full length is the least a replica must hold.
    needed_for_one = (
        weights + adapters + reserved + per_token * (input_tokens + output_tokens) / parameters.kv_cache_memory_fraction
    )
    missing = max(0.0, needed_for_one - total) if max_concurrency < 1 else 0.0
    return MemoryPlan(
        gpus=gpus,
        total_bytes=total,
        weights_bytes=weights,
        adapter_slot_bytes=adapters,
        reserved_bytes=reserved,
        kv_cache_bytes=kv_budget,
        kv_bytes_per_token=per_token,
        tokens_per_sequence=tokens_per_sequence,
        max_concurrency=max_concurrency,
        missing_bytes=missing,
    )
