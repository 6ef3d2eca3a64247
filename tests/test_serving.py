"""The serving model against hand-worked memory, roofline and queueing arithmetic."""

from __future__ import annotations

import math

import pytest

from tco.errors import ScenarioError
from tco.serving.architecture import kv_bytes_per_token, lora_adapter_bytes, lora_adapter_params
from tco.serving.memory import MemoryPlan
from tco.serving.operating_point import operating_point
from tco.serving.performance import Lora, Prediction, predict, roofline_floor, training_gpu_hours
from tco.serving.sizing import erlang_c, max_arrival_rate, replica_latency


def test_kv_bytes_per_token_mistral(book):
    # 2 (K and V) x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131,072 bytes = 128 KiB.
    assert kv_bytes_per_token(book.base_model("mistral-7b"), "bf16") == 131072
    # FP8 halves it.
    assert kv_bytes_per_token(book.base_model("mistral-7b"), "fp8") == 65536


def test_kv_bytes_per_token_llama2_7b(book):
    # Llama 2 7B has no grouped-query attention: 2 x 32 x 32 x 128 x 2 = 512 KiB.
    assert kv_bytes_per_token(book.base_model("llama-2-7b"), "bf16") == 524288


def test_lora_adapter_size_mistral(book):
    arch = book.base_model("mistral-7b")
    # q: 4096 -> 4096, v: 4096 -> 1024; rank 8 x 32 layers x ((4096 + 4096) + (4096 + 1024)).
    assert lora_adapter_params(arch, 8, ["q", "v"]) == 8 * 32 * (8192 + 5120)
    # 25 such adapters in BF16 take about 0.16 GiB; on all seven projections about 1 GiB.
    assert 25 * lora_adapter_bytes(arch, 8, ["q", "v"]) / 2**30 == pytest.approx(0.159, abs=0.002)
    all_seven = ["q", "k", "v", "o", "gate", "up", "down"]
    assert 25 * lora_adapter_bytes(arch, 8, all_seven) / 2**30 == pytest.approx(0.98, abs=0.02)


def test_memory_plan_by_hand(book):
    arch, gpu, parameters = book.base_model("mistral-7b"), book.gpu("a100-80gb"), book.serving
    result = predict(arch, gpu, parameters, 1000, 1000, concurrency=1)
    memory = result.memory

    weights = 7.24e9 * 2
    free = 80e9 - weights - parameters.reserved_memory_gb_per_gpu * 1e9
    kv = free * parameters.kv_cache_memory_fraction
    per_sequence = (1000 + parameters.kv_output_fraction * 1000) * 131072
    assert memory.weights_bytes == pytest.approx(weights)
    assert memory.kv_cache_bytes == pytest.approx(kv)
    assert memory.max_concurrency == math.floor(kv / per_sequence)


def test_adapter_slots_take_kv_memory(book):
    arch, gpu, parameters = book.base_model("mistral-7b"), book.gpu("a100-80gb"), book.serving
    plain = predict(arch, gpu, parameters, 1000, 1000).memory
    with_slots = predict(arch, gpu, parameters, 1000, 1000, lora=Lora(25, 64)).memory
    slot_bytes = 25 * lora_adapter_bytes(arch, 64, ["q", "k", "v", "o", "gate", "up", "down"])
    assert with_slots.adapter_slot_bytes == pytest.approx(slot_bytes)
    assert plain.kv_cache_bytes - with_slots.kv_cache_bytes == pytest.approx(
        slot_bytes * book.serving.kv_cache_memory_fraction
    )
    assert with_slots.max_concurrency < plain.max_concurrency


def test_lora_lowers_throughput(book):
    arch, gpu, parameters = book.base_model("mistral-7b"), book.gpu("a100-80gb"), book.serving
    base = predict(arch, gpu, parameters, 500, 200, concurrency=64)
    few = predict(arch, gpu, parameters, 500, 200, concurrency=64, lora=Lora(5, 16))
    swapping = predict(arch, gpu, parameters, 500, 200, concurrency=64, lora=Lora(200, 16, slots=8))
    assert few.output_tokens_per_s < base.output_tokens_per_s
    assert swapping.output_tokens_per_s < few.output_tokens_per_s
    # 192 of 200 adapters are not resident: each request waits for its adapter to cross PCIe.
    expected_load = (
        (1 - 8 / 200)
        * lora_adapter_bytes(arch, 16, ["q", "k", "v", "o", "gate", "up", "down"])
        / (parameters.pcie_gb_per_s * 1e9)
    )
    assert swapping.adapter_load_s == pytest.approx(expected_load)


def test_batch_one_decode_is_bandwidth_bound(book):
    arch, gpu, parameters = book.base_model("mistral-7b"), book.gpu("a100-80gb"), book.serving
    result = predict(arch, gpu, parameters, 100, 100, concurrency=1)
    # One sequence reads 14.48 GB of weights per token; at the calibrated bandwidth efficiency that
    # is the bulk of the time per output token.
    memory_time = 7.24e9 * 2 / (2039e9 * parameters.memory_bandwidth_efficiency)
    assert result.tpot_s > memory_time
    assert result.tpot_s < memory_time * 1.3 + parameters.engines["trt-llm"].step_overhead_ms / 1000


@pytest.mark.parametrize("concurrency", [1, 8, 64, None])
def test_never_above_roofline(book, concurrency):
    for model in ("mistral-7b", "llama-3.1-70b"):
        arch, gpu, parameters = book.base_model(model), book.gpu("h100-sxm"), book.serving
        for gpus in (1, 2, 4):
            result = predict(arch, gpu, parameters, 1000, 1000, concurrency, gpus=gpus)
            if not isinstance(result, Prediction):
                continue
            bound = result.concurrency / roofline_floor(
                arch, gpu, gpus, "bf16", result.concurrency, 1500, result.memory.kv_bytes_per_token
            )
            assert result.output_tokens_per_s <= bound


def test_does_not_fit_reports_shortfall(book):
    result = predict(book.base_model("llama-3.1-70b"), book.gpu("a100-80gb"), book.serving, 1000, 1000, gpus=1)
    assert isinstance(result, MemoryPlan)
    assert not result.fits
    # 141.2 GB of weights on an 80 GB GPU: at least 61 GB short.
    assert result.missing_bytes > 61e9
    assert "does not fit" in result.shortfall_message("llama")


def test_operating_point_meets_targets(book):
    arch, gpu, parameters = book.base_model("mistral-7b"), book.gpu("a100-80gb"), book.serving
    point = operating_point(arch, gpu, parameters, 500, 200, tpot_target_s=0.03, ttft_target_s=1.0)
    assert point.prediction.tpot_s <= 0.03
    assert point.limited_by == "time per output token target"
    # One more sequence would break the target.
    over = predict(arch, gpu, parameters, 500, 200, point.prediction.concurrency + 1)
    assert over.tpot_s > 0.03


def test_unreachable_target_rejected(book):
    with pytest.raises(ScenarioError, match="even one sequence"):
        operating_point(book.base_model("mistral-7b"), book.gpu("a100-80gb"), book.serving, 200, 200, 0.001, 1.0)


def test_erlang_c_known_values():
    # One server: the chance of waiting equals the utilization.
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    # Two servers at offered load 1: C = 1/3 (textbook M/M/2 result).
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(4, 0.0) == 0.0
    assert erlang_c(4, 4.0) == 1.0


def test_queueing_raises_ttft_with_load(book):
    arch, gpu, parameters = book.base_model("mistral-7b"), book.gpu("a100-80gb"), book.serving
    prediction = predict(arch, gpu, parameters, 500, 200, concurrency=16)
    light = replica_latency(prediction, prediction.requests_per_s * 0.2)
    heavy = replica_latency(prediction, prediction.requests_per_s * 0.98)
    assert light.ttft_p95_s == pytest.approx(prediction.ttft_s)
    assert heavy.ttft_p95_s > light.ttft_p95_s
    rate = max_arrival_rate(prediction, ttft_p95_target_s=prediction.ttft_s * 2, max_utilization=1.0)
    assert replica_latency(prediction, rate).ttft_p95_s <= prediction.ttft_s * 2 + 1e-9
    assert rate <= prediction.requests_per_s


def test_training_flops_full_versus_lora(book):
    arch, gpu, parameters = book.base_model("llama-2-7b"), book.gpu("h100-sxm"), book.serving
    full = training_gpu_hours(arch, gpu, parameters, 1e9, "full")
    lora = training_gpu_hours(arch, gpu, parameters, 1e9, "lora")
    # 6N against 4N FLOPs per token.
    assert full / lora == pytest.approx(1.5)
    assert full == pytest.approx(1e9 * 6 * 6.74e9 / (989e12 * parameters.training_mfu) / 3600)
