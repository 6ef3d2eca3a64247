"""The first throughput model against hand-worked memory and roofline arithmetic."""

from __future__ import annotations

import pytest

from tco.errors import ScenarioError
from tco.serving.throughput import (
    estimate_replica,
    kv_bytes_per_token,
    lora_adapter_params,
)


def test_kv_bytes_per_token_mistral(book):
    # 2 (K and V) x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131,072 bytes = 128 KiB.
    assert kv_bytes_per_token(book.base_model("mistral-7b"), "bf16") == 131072


def test_kv_bytes_per_token_llama2_7b(book):
    # Llama 2 7B has no grouped-query attention: 2 x 32 x 32 x 128 x 2 = 512 KiB.
    assert kv_bytes_per_token(book.base_model("llama-2-7b"), "bf16") == 524288


def test_lora_adapter_size_mistral_q_v(book):
    arch = book.base_model("mistral-7b")
    # q: 4096 -> 4096, v: 4096 -> 1024; rank 8 x 32 layers x ((4096 + 4096) + (4096 + 1024)).
    assert lora_adapter_params(arch, 8, ["q", "v"]) == 8 * 32 * (8192 + 5120)
    # 25 such adapters in BF16 take about 0.16 GiB.
    assert 25 * lora_adapter_params(arch, 8, ["q", "v"]) * 2 / 2**30 == pytest.approx(0.159, abs=0.002)


def test_replica_memory_and_decode_by_hand(book):
    arch, gpu, parameters = book.base_model("mistral-7b"), book.gpu("A100-80GB"), book.serving
    estimate = estimate_replica(
        arch, gpu, parameters, input_tokens=1000, output_tokens=1000, time_per_output_token_s=1.0
    )

    weights = arch.params_billion * 1e9 * 2
    kv_budget = gpu.memory_gb * 1e9 * parameters.usable_memory_fraction - weights
    # Each sequence reserves input + output = 2,000 tokens of 128 KiB.
    assert estimate.max_sequences_by_memory == int(kv_budget // (2000 * 131072))
    assert estimate.gpus_per_replica == 1
    # With a loose latency target the batch is bounded by KV memory.
    assert estimate.batch_limited_by == "KV cache memory"

    batch = estimate.batch_size
    bandwidth = gpu.memory_bandwidth_gb_per_s * 1e9 * parameters.memory_bandwidth_efficiency
    step = (weights + batch * 1500 * 131072) / bandwidth
    assert estimate.decode_step_s == pytest.approx(step)
    prefill = 2 * arch.params_billion * 1e9 * 1000 / (gpu.bf16_tflops * 1e12 * parameters.compute_efficiency)
    assert estimate.prefill_s == pytest.approx(prefill)
    assert estimate.requests_per_s == pytest.approx(1 / (prefill + 1000 * step / batch))


def test_latency_target_bounds_batch(book):
    arch, gpu, parameters = book.base_model("mistral-7b"), book.gpu("A100-80GB"), book.serving
    loose = estimate_replica(arch, gpu, parameters, 200, 200, time_per_output_token_s=1.0)
    tight = estimate_replica(arch, gpu, parameters, 200, 200, time_per_output_token_s=0.012)
    assert tight.batch_limited_by == "time per output token target"
    assert tight.batch_size < loose.batch_size
    assert tight.decode_step_s <= 0.012


def test_unreachable_latency_target_rejected(book):
    with pytest.raises(ScenarioError, match="time_per_output_token_ms"):
        estimate_replica(book.base_model("mistral-7b"), book.gpu("A100-80GB"), book.serving, 200, 200, 0.001)


def test_large_model_takes_tensor_parallel_replica(book):
    estimate = estimate_replica(book.base_model("llama-3.1-70b"), book.gpu("A100-80GB"), book.serving, 500, 200, 1.0)
    # 70.6B parameters in BF16 are 141.2 GB: one 80 GB GPU cannot hold them, two at 90%
    # usable memory (144 GB) leave 2.8 GB for the KV cache.
    assert estimate.gpus_per_replica == 2
    assert estimate.kv_cache_gb == pytest.approx(2 * 80 * 0.9 - 141.2)
