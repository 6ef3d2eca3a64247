"""Compare the serving model with every published measurement in gpu_calibration.csv.

Usage:
    python benchmarks/serving_accuracy.py            # errors with the parameters in pricing/serving.yaml
    python benchmarks/serving_accuracy.py --fit      # refit, print leave-one-out errors too
    python benchmarks/serving_accuracy.py --fit --write   # also store the fit in pricing/serving.yaml
                                                          # and the report in docs/serving_calibration.md

Each row of the CSV names an engine, model, GPU, precision, token lengths,
concurrency and one measured metric. The rules below turn the row's text into
a `tco.serving` configuration; no measured value is used as an input.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tco.pricing.book import load_price_book  # noqa: E402
from tco.pricing.schema import ServingParameters  # noqa: E402
from tco.serving.performance import Lora, predict, training_gpu_hours  # noqa: E402

CSV_PATH = Path(__file__).with_name("gpu_calibration.csv")
SERVING_YAML = ROOT / "pricing" / "serving.yaml"
REPORT = ROOT / "docs" / "serving_calibration.md"

# Models in the CSV that the catalog lists under another name, with the reason.
MODEL_STAND_INS = {
    # LLaMA-1 7B has Llama 2 7B's shapes: 32 layers, 4096 hidden, 32 heads, 11008 intermediate.
    "llama-7b": "llama-2-7b",
    # The FasterTransformer 13B GPT-style test model has 40 layers, 5120 hidden and 40 heads, as Llama 2 13B.
    "13b gpt-style": "llama-2-13b",
}
# S-LoRA applies adapters to the attention projections; Punica's benchmark to all of them is not stated,
# so both rows use q, k, v, o.
LORA_TARGETS = ("q", "k", "v", "o")


@dataclass(frozen=True)
class Case:
    """One CSV row as a model configuration and the metric it measured."""

    index: int
    label: str
    engine: str
    model: str
    gpu: str
    gpus: int
    precision: str
    kv_precision: str
    input_tokens: float
    output_tokens: float
    concurrency: int | None
    offered_requests_per_s: float | None
    adapters: int
    lora_rank: int
    metric: str
    measured: float


def _leading_number(text: str) -> float:
    match = re.search(r"[0-9]+(?:\.[0-9]+)?", text)
    if not match:
        raise ValueError(f"no number in {text!r}")
    return float(match.group())


def parse_length(text: str) -> float:
    """Parse a token length: a number, 'mean ~N', 'median ~N' or 'U[a,b]' (its mean)."""
    for word in ("mean", "median"):
        match = re.search(word + r"\s*~\s*([0-9]+)", text)
        if match:
            return float(match.group(1))
    uniform = re.search(r"U\[([0-9]+),\s*([0-9]+)", text)
    if uniform:
        return (float(uniform.group(1)) + float(uniform.group(2))) / 2
    return _leading_number(text)


def parse_engine(text: str) -> str:
    lowered = text.lower()
    if "training" in lowered or "nemo 24" in lowered:
        return "training"
    if "s-lora" in lowered:
        return "s-lora"
    if "vllm" in lowered or "punica" in lowered:
        return "vllm-2023"
    return "trt-llm"  # TensorRT-LLM, NeMo inference on TensorRT-LLM, FasterTransformer


def parse_rank(text: str) -> int:
    ranks = [int(value) for value in re.findall(r"[0-9]+", text)]
    return round(statistics.mean(ranks)) if ranks else 0


def parse_case(index: int, row: dict, book) -> Case:
    model_text = row["model"].split("(")[0].strip().lower()
    model = book.base_model(MODEL_STAND_INS.get(model_text, model_text)).name
    gpu = book.gpu(row["gpu"].split("(")[0].strip()).name
    precision = "fp8" if "fp8" in row["precision"].lower() else "fp16"
    engine = parse_engine(row["engine"] + " " + row["source"])

    load = row["concurrency_or_batch"]
    concurrency, offered = None, None
    if "offered" in load:
        offered = _leading_number(load)
    elif "max" in load:
        concurrency = None
    else:
        batch = re.search(r"batch[- _]size\s*([0-9]+)|batch\s*([0-9]+)|GBS", load)
        concurrency = int(next(group for group in batch.groups() if group)) if batch and any(batch.groups()) else 1

    adapters_text = row["num_adapters"].strip()
    if adapters_text.isdigit():
        adapters = int(adapters_text)
    else:
        # "many": every request in the batch uses a different adapter.
        adapters = concurrency or 1
    output_text = row["output_tokens"].strip() or "0"
    return Case(
        index=index,
        label=f"{row['engine'].split('(')[0].strip()} {row['model'].split('(')[0].strip()} {gpu} x{int(_leading_number(row['num_gpus']))}",
        engine=engine,
        model=model,
        gpu=gpu,
        gpus=int(_leading_number(row["num_gpus"])),
        precision=precision,
        kv_precision=precision,
        input_tokens=parse_length(row["input_tokens"]) if engine != "training" else 0.0,
        output_tokens=parse_length(output_text) if engine != "training" else 0.0,
        concurrency=concurrency,
        offered_requests_per_s=offered,
        adapters=adapters,
        lora_rank=parse_rank(row["lora_rank"]),
        metric=row["metric"].split("(")[0].strip(),
        measured=float(row["value"]),
    )


def load_cases(book) -> list[Case]:
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        return [parse_case(index, row, book) for index, row in enumerate(csv.DictReader(handle), start=1)]


def predict_case(case: Case, book, parameters: ServingParameters) -> float:
    """Predict the case's metric with the serving model, in the metric's unit."""
    arch, gpu = book.base_model(case.model), book.gpu(case.gpu)
    if case.engine == "training":
        method = "lora" if case.adapters else "full"
        hours_per_token = training_gpu_hours(arch, gpu, parameters, 1.0, method, case.precision)
        return 1 / (hours_per_token * 3600)

    lora = None
    if case.adapters:
        engine = parameters.engines[case.engine]
        # An engine keeps at most one adapter per sequence of its largest batch on the GPU.
        lora = Lora(case.adapters, case.lora_rank, LORA_TARGETS, slots=min(case.adapters, engine.max_batch_size))
    result = predict(
        arch, gpu, parameters, case.input_tokens, case.output_tokens, case.concurrency,
        gpus=case.gpus, precision=case.precision, kv_precision=case.kv_precision, lora=lora, engine=case.engine,
    )  # fmt: skip
    if not hasattr(result, "requests_per_s"):
        return float("nan")

    if case.metric == "output_tokens_per_s":
        return result.output_tokens_per_s
    if case.metric == "requests_per_s":
        capacity = result.requests_per_s
        return min(case.offered_requests_per_s, capacity) if case.offered_requests_per_s else capacity
    if case.metric == "e2e_latency_ms":
        return result.e2e_s * 1000
    if case.metric == "ttft_ms":
        return result.ttft_s * 1000
    if case.metric == "tpot_ms":
        return result.tpot_s * 1000
    raise ValueError(f"row {case.index}: unknown metric {case.metric!r}")


# Fitted parameters: (path in ServingParameters, lower bound, upper bound).
# The efficiency bounds bracket what Vidur's operator profiles show (0.66-0.79 of the bandwidth
# roofline, 0.66-0.76 of dense peak); without them the fit trades a near-perfect bandwidth
# efficiency against a near-additive blend, which fits as well but means nothing physically.
FITTED = [
    ("memory_bandwidth_efficiency", 0.6, 0.9),
    ("compute_efficiency", 0.5, 0.9),
    ("blend_exponent", 2.0, 6.0),
    ("kv_output_fraction", 0.3, 1.0),
    ("training_mfu", 0.1, 1.0),
    ("engines.trt-llm.step_overhead_ms", 0.0, 3.0),
    ("engines.vllm-2023.step_overhead_ms", 0.0, 60.0),
    ("engines.vllm-2023.lora_kernel_overhead", 0.0, 1.0),
    ("engines.s-lora.step_overhead_ms", 0.0, 200.0),
    ("engines.s-lora.lora_kernel_overhead", 0.0, 1.0),
]


# Parameters that take a fitted value of another: planning uses SGMV-class LoRA kernels (Punica's,
# which vLLM and LoRAX also use), measured only through the Punica row.
TIED = {"engines.trt-llm.lora_kernel_overhead": "engines.vllm-2023.lora_kernel_overhead"}


def read_parameter(parameters: ServingParameters, path: str) -> float:
    parts = path.split(".")
    if parts[0] == "engines":
        return getattr(parameters.engines[parts[1]], parts[2])
    return getattr(parameters, path)


def with_values(parameters: ServingParameters, values: np.ndarray) -> ServingParameters:
    top, engines = {}, {name: {} for name in parameters.engines}
    for (path, low, high), value in zip(FITTED, values):
        value = float(min(max(value, low), high))
        parts = path.split(".")
        if parts[0] == "engines":
            engines[parts[1]][parts[2]] = value
        else:
            top[path] = value
    for tied, source in TIED.items():
        engine, field = tied.split(".")[1:]
        source_engine, source_field = source.split(".")[1:]
        engines[engine][field] = engines[source_engine].get(
            source_field, getattr(parameters.engines[source_engine], source_field)
        )
    new_engines = {name: profile.model_copy(update=engines[name]) for name, profile in parameters.engines.items()}
    return parameters.model_copy(update={**top, "engines": new_engines})


def log_errors(cases, book, parameters) -> np.ndarray:
    errors = []
    for case in cases:
        predicted = predict_case(case, book, parameters)
        errors.append(math.log(predicted / case.measured) if predicted > 0 and math.isfinite(predicted) else 5.0)
    return np.array(errors)


def nelder_mead(objective, start: np.ndarray, steps: np.ndarray, iterations: int = 3000) -> np.ndarray:
    """Minimize `objective` with the Nelder-Mead simplex (standard coefficients 1, 2, 0.5, 0.5)."""
    simplex = [start] + [start + np.eye(len(start))[i] * steps[i] for i in range(len(start))]
    scores = [objective(point) for point in simplex]
    for _ in range(iterations):
        order = np.argsort(scores)
        simplex, scores = [simplex[i] for i in order], [scores[i] for i in order]
        if abs(scores[-1] - scores[0]) < 1e-10:
            break
        centroid = np.mean(simplex[:-1], axis=0)
        reflected = centroid + (centroid - simplex[-1])
        reflected_score = objective(reflected)
        if reflected_score < scores[0]:
            expanded = centroid + 2 * (centroid - simplex[-1])
            expanded_score = objective(expanded)
            simplex[-1], scores[-1] = (
                (expanded, expanded_score) if expanded_score < reflected_score else (reflected, reflected_score)
            )
        elif reflected_score < scores[-2]:
            simplex[-1], scores[-1] = reflected, reflected_score
        else:
            contracted = centroid + 0.5 * (simplex[-1] - centroid)
            contracted_score = objective(contracted)
            if contracted_score < scores[-1]:
                simplex[-1], scores[-1] = contracted, contracted_score
            else:
                simplex = [simplex[0]] + [simplex[0] + 0.5 * (point - simplex[0]) for point in simplex[1:]]
                scores = [scores[0]] + [objective(point) for point in simplex[1:]]
    return simplex[int(np.argmin(scores))]


def fit(cases, book, parameters: ServingParameters) -> ServingParameters:
    start = np.array([read_parameter(parameters, path) for path, _, _ in FITTED])
    lows = np.array([low for _, low, _ in FITTED])
    highs = np.array([high for _, _, high in FITTED])

    def objective(values):
        # Values outside their bounds are clipped and pay a penalty, so the simplex returns inside.
        penalty = float(np.sum(np.maximum(0, lows - values) + np.maximum(0, values - highs)))
        return float(np.sum(log_errors(cases, book, with_values(parameters, values)) ** 2)) + 10 * penalty

    best = nelder_mead(objective, start, steps=(highs - lows) * 0.1)
    best = nelder_mead(objective, best, steps=(highs - lows) * 0.02)
    return with_values(parameters, np.clip(best, lows, highs))


def report_rows(cases, book, parameters) -> list[dict]:
    rows = []
    for case in cases:
        predicted = predict_case(case, book, parameters)
        rows.append(
            {
                "row": case.index,
                "case": case.label,
                "engine": case.engine,
                "in/out": f"{case.input_tokens:g}/{case.output_tokens:g}",
                "load": "max"
                if case.concurrency is None and not case.offered_requests_per_s
                else (
                    f"{case.offered_requests_per_s:g} req/s offered"
                    if case.offered_requests_per_s
                    else f"{case.concurrency}"
                ),
                "adapters": case.adapters,
                "metric": case.metric,
                "measured": case.measured,
                "predicted": predicted,
                "error": predicted / case.measured - 1,
            }
        )
    return rows


def format_table(rows: list[dict], loo: dict[int, float] | None) -> str:
    header = "| row | case | engine | in/out | load | adapters | metric | measured | predicted | error |"
    if loo is not None:
        header += " leave-one-out error |"
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for row in rows:
        line = (
            f"| {row['row']} | {row['case']} | {row['engine']} | {row['in/out']} | {row['load']} | {row['adapters']} "
            f"| {row['metric']} | {row['measured']:,.4g} | {row['predicted']:,.4g} | {row['error']:+.1%} |"
        )
        if loo is not None:
            line += f" {loo[row['row']]:+.1%} |"
        lines.append(line)
    return "\n".join(lines)


def summary(errors: list[float]) -> str:
    absolute = [abs(error) for error in errors]
    worst = max(max(1 + error, 1 / (1 + error)) for error in errors)
    return f"median absolute error {statistics.median(absolute):.1%}, worst row off by a factor of {worst:.2f}"


def leave_one_out(cases, book, parameters) -> dict[int, float]:
    """Refit without each row in turn and predict the row left out."""
    result = {}
    for case in cases:
        others = [other for other in cases if other.index != case.index]
        refit = fit(others, book, parameters)
        result[case.index] = predict_case(case, book, refit) / case.measured - 1
        print(f"  leave-one-out row {case.index}: {result[case.index]:+.1%}", file=sys.stderr)
    return result


def write_parameters(parameters: ServingParameters) -> None:
    """Replace the fitted values in pricing/serving.yaml, keeping its comments and layout."""
    text = SERVING_YAML.read_text(encoding="utf-8")
    for path in [path for path, _, _ in FITTED] + list(TIED):
        value = round(read_parameter(parameters, path), 4)
        parts = path.split(".")
        if parts[0] == "engines":
            pattern = rf"(\n    {re.escape(parts[1])}:\n(?:      .*\n)*?      {parts[2]}: )[^\n]*"
        else:
            pattern = rf"(\n  {parts[0]}: )[^\n]*"
        text, count = re.subn(pattern, lambda match: match.group(1) + f"{value:g}", text, count=1)
        if count != 1:
            raise SystemExit(f"could not find {path} in {SERVING_YAML}")
    SERVING_YAML.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the parameters and compute leave-one-out errors")
    parser.add_argument("--write", action="store_true", help="with --fit: store the fit and write the report")
    arguments = parser.parse_args()

    book = load_price_book(ROOT / "pricing")
    cases = load_cases(book)
    parameters = book.serving
    loo = None
    if arguments.fit:
        parameters = fit(cases, book, parameters)
        loo = leave_one_out(cases, book, parameters)

    rows = report_rows(cases, book, parameters)
    table = format_table(rows, loo)
    print(table)
    print("fit: " + summary([row["error"] for row in rows]))
    if loo is not None:
        print("leave-one-out: " + summary(list(loo.values())))
        for path, _, _ in FITTED:
            print(f"  {path} = {read_parameter(parameters, path):.4g}")
    if arguments.write and loo is not None:
        write_parameters(parameters)
        write_report(table, rows, loo, parameters)


def write_report(table: str, rows: list[dict], loo: dict[int, float], parameters: ServingParameters) -> None:
    fitted = "\n".join(
        f"| `{path}` | {read_parameter(parameters, path):.4g} | {low:g} to {high:g} |" for path, low, high in FITTED
    )
    REPORT.write_text(
        "# Serving model calibration\n\n"
        "Written by `python benchmarks/serving_accuracy.py --fit --write`. The inputs are the published\n"
        "measurements in `benchmarks/gpu_calibration.csv` (each row names its source); the model is\n"
        "`tco/serving/performance.py`, described in `docs/serving.md`.\n\n"
        "## Fitted parameters\n\n"
        "The fit minimizes the sum of squared log errors over every row, with the Nelder-Mead simplex.\n\n"
        "| parameter | value | allowed range |\n|---|---|---|\n" + fitted + "\n\n"
        "## Error per row\n\n"
        "Error is predicted / measured - 1. The leave-one-out error refits every parameter without the\n"
        "row and then predicts it; an engine with a single row falls back to the starting value of its\n"
        "own parameters, so its leave-one-out error shows how far an uncalibrated engine can be off.\n\n"
        + table
        + "\n\n"
        f"- fit: {summary([row['error'] for row in rows])}\n"
        f"- leave-one-out: {summary(list(loo.values()))}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
