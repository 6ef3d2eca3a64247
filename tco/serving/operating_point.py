"""Choose a replica's tensor-parallel size and operating concurrency for latency targets."""

from __future__ import annotations

from dataclasses import dataclass

from tco.errors import ScenarioError
from tco.pricing.schema import BaseModelArchitecture, Gpu, ServingParameters
from tco.serving.memory import MemoryPlan
from tco.serving.performance import Lora, Prediction, predict

TENSOR_PARALLEL_SIZES = (1, 2, 4, 8)


@dataclass(frozen=True)
class OperatingPoint:
    prediction: Prediction
    limited_by: str


def smallest_fitting_gpus(arch, gpu, parameters, input_tokens, output_tokens, precision, kv_precision, lora, engine):
    """Return the first prediction of the smallest tensor-parallel size that fits, or raise naming the shortfall."""
    last: MemoryPlan | None = None
    for gpus in TENSOR_PARALLEL_SIZES:
        result = predict(
            arch, gpu, parameters, input_tokens, output_tokens, 1, gpus, precision, kv_precision, lora, engine
        )
        if isinstance(result, Prediction):
            return gpus
        last = result
    raise ScenarioError(
        last.shortfall_message(f"{arch.name} at {precision} on {max(TENSOR_PARALLEL_SIZES)} x {gpu.name}")
    )


def operating_point(
    arch: BaseModelArchitecture,
    gpu: Gpu,
    parameters: ServingParameters,
    input_tokens: float,
    output_tokens: float,
    tpot_target_s: float,
    ttft_target_s: float,
    gpus: int | None = None,
    precision: str = "bf16",
    kv_precision: str = "bf16",
    lora: Lora | None = None,
    engine: str | None = None,
    label: str = "configuration",
) -> OperatingPoint:
    """Find the largest concurrency whose TPOT and unloaded TTFT meet the targets.

    Both grow with concurrency, so the search is a bisection on whole numbers
    between 1 and the most that memory and the engine allow.
    """
    if gpus is None:
        gpus = smallest_fitting_gpus(
            arch, gpu, parameters, input_tokens, output_tokens, precision, kv_precision, lora, engine
        )

    def at(concurrency: int | None) -> Prediction:
        result = predict(
            arch, gpu, parameters, input_tokens, output_tokens, concurrency, gpus, precision, kv_precision, lora, engine
        )
        if not isinstance(result, Prediction):
            raise ScenarioError(result.shortfall_message(f"{label}: {arch.name} at {precision} on {gpus} x {gpu.name}"))
        return result

    def meets(prediction: Prediction) -> bool:
        return prediction.tpot_s <= tpot_target_s and prediction.ttft_s <= ttft_target_s

    highest = at(None)
    if meets(highest):
        limit = "KV cache memory" if highest.memory.max_concurrency == highest.concurrency else "engine max batch size"
        return OperatingPoint(highest, limit)

    first = at(1)
    if not meets(first):
        raise ScenarioError(
            f"{label}: even one sequence at a time misses the latency targets on {gpus} x {gpu.name}: "
            f"TPOT {first.tpot_s * 1000:.1f} ms (target {tpot_target_s * 1000:g}), TTFT {first.ttft_s * 1000:.1f} ms "
            f"(target {ttft_target_s * 1000:g}); relax the targets or choose a faster GPU or more GPUs per replica"
        )
    low, high = 1, highest.concurrency
    while high - low > 1:
        middle = (low + high) // 2
        if meets(at(middle)):
            low = middle
        else:
            high = middle
    best = at(low)
    return OperatingPoint(
        best, "time per output token target" if at(high).tpot_s > tpot_target_s else "time to first token target"
    )
