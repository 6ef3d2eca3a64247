"""Sizes that follow from a model's architecture: weights, KV cache and LoRA adapters."""

from __future__ import annotations

from tco.pricing.schema import BaseModelArchitecture

# Bytes per weight or KV element. int8 and int4 are weight-only formats: the
# GEMMs still run in BF16 (see `gemm_precision`).
BYTES_PER_ELEMENT = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
WEIGHT_PRECISIONS = tuple(BYTES_PER_ELEMENT)
KV_PRECISIONS = ("bf16", "fp16", "fp8")
ADAPTER_BYTES_PER_PARAM = 2.0  # adapters are kept in BF16, as vLLM's lora_dtype "auto" does for BF16 models
LORA_TARGETS = ("q", "k", "v", "o", "gate", "up", "down")


def gemm_precision(weight_precision: str) -> str:
    """Return the precision the matrix multiplies run in: FP8 for fp8 weights, BF16 otherwise."""
    return "fp8" if weight_precision == "fp8" else "bf16"


def weight_bytes(arch: BaseModelArchitecture, precision: str) -> float:
    """Bytes of the weights. NOTE: int4 group-quantization scales (a few percent) are not counted."""
    return arch.params_billion * 1e9 * BYTES_PER_ELEMENT[precision]


def kv_bytes_per_token(arch: BaseModelArchitecture, kv_precision: str) -> float:
    """KV cache bytes per token: 2 (K and V) x layers x KV heads x head dim x bytes."""
    return 2 * arch.layers * arch.kv_heads * arch.head_dim * BYTES_PER_ELEMENT[kv_precision]


def attention_width(arch: BaseModelArchitecture) -> int:
    """Query heads x head dim: the width of the attention score and value products."""
    return arch.attention_heads * arch.head_dim


def projection_shapes(arch: BaseModelArchitecture) -> dict[str, tuple[int, int]]:
    """Return (input dim, output dim) of each projection a LoRA adapter can target."""
    attention = attention_width(arch)
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


def lora_adapter_params(arch: BaseModelArchitecture, rank: int, target_modules: list[str] | tuple[str, ...]) -> int:
    """Parameters of one adapter: rank x layers x sum over targets of (in + out)."""
    shapes = projection_shapes(arch)
    return rank * arch.layers * sum(sum(shapes[name]) for name in target_modules)


def lora_adapter_bytes(arch: BaseModelArchitecture, rank: int, target_modules) -> float:
    return lora_adapter_params(arch, rank, target_modules) * ADAPTER_BYTES_PER_PARAM
