"""Speed of tco's hot paths, each as a ratio against a baseline measured in the same run.

Usage: python benchmarks/speed.py [--write]   (--write stores the table in docs/benchmarks.md)

Every ratio is the median of 5 runs, and nothing is cached between runs:
each run rebuilds its inputs and, for whole-process measurements, starts a
new interpreter. Needs the test extras (genai-prices for the pricing baseline).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = 5
RECORDS = 1_000_000
LOOP_SAMPLE = 2_000
MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini"]  # priced alike by tco's tables and genai-prices'


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def process_seconds(arguments: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        arguments, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir()
    )
    return time.perf_counter() - start


def usage_frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    input_tokens = rng.integers(100, 20_000, rows).astype(float)
    return pd.DataFrame(
        {
            "model": np.array(MODELS)[rng.integers(0, len(MODELS), rows)],
            "input_tokens": input_tokens,
            "cached_input_tokens": np.floor(input_tokens * rng.random(rows) * 0.8),
            "cache_write_tokens": 0.0,
            "cache_write_1h_tokens": 0.0,
            "output_tokens": rng.integers(1, 2_000, rows).astype(float),
            "reasoning_tokens": 0.0,
            "requests": 1.0,
            "record": "generated",
        }
    )


def genai_prices_seconds_per_record(frame: pd.DataFrame) -> tuple[float, float]:
    """Time genai-prices' calc_price on each record of `frame`; return (seconds per record, total USD)."""
    from genai_prices import Usage, calc_price

    total = 0.0
    start = time.perf_counter()
    for row in frame.itertuples():
        usage = Usage(
            input_tokens=int(row.input_tokens),
            cache_read_tokens=int(row.cached_input_tokens),
            output_tokens=int(row.output_tokens),
        )
        total += float(calc_price(usage, model_ref=row.model, provider_id="openai").total_price)
    return (time.perf_counter() - start) / len(frame), total


def bench_pricing(book) -> dict:
    from tco.pricing.usage import price_usage_frame, summarize

    ratios, process_ratios = [], []
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "usage.csv"
        for run in range(RUNS):
            frame = usage_frame(RECORDS, seed=run)
            sample = frame.sample(LOOP_SAMPLE, random_state=run)
            loop_per_record, loop_total = genai_prices_seconds_per_record(sample)
            ours_total = summarize(price_usage_frame(book, sample))["usd"]
            if abs(ours_total - loop_total) > 1e-6 * max(1.0, loop_total):
                raise SystemExit(f"totals differ on the sample: tco {ours_total} against genai-prices {loop_total}")
            vector_per_record = timed(lambda: price_usage_frame(book, frame)) / RECORDS
            ratios.append(loop_per_record / vector_per_record)

            frame.drop(
                columns=["record", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens", "requests"]
            ).to_csv(csv_path, index=False)
            process = (
                process_seconds([sys.executable, "-m", "tco", "cost", "--usage", str(csv_path), "--format", "json"])
                / RECORDS
            )
            process_ratios.append(loop_per_record / process)
    return {
        "pricing 1M records in memory vs genai-prices calc_price per record": (
            statistics.median(ratios),
            ">= 1000x faster",
        ),
        "tco cost --usage on a 1M-row CSV (whole process) vs calc_price per record": (
            statistics.median(process_ratios),
            ">= 50x faster",
        ),
    }


def bench_monte_carlo() -> dict:
    from tco.analysis.uncertainty import combine

    samples, deployments, volumes = 10_000, 4, 200
    ratios = []
    for run in range(RUNS):
        rng = np.random.default_rng(run)
        base = rng.random((deployments, volumes))
        supports = {
            f"input{index}": (np.linspace(0, 1, 7), rng.random((7, deployments, volumes))) for index in range(3)
        }
        draws = {name: rng.random(samples) for name in supports}
        left, right, add = (
            rng.random((samples, deployments, volumes)),
            rng.random((samples, deployments, volumes)),
            rng.random((samples, deployments, volumes)),
        )
        baseline = timed(lambda: left * right + add)
        ours = timed(lambda: combine(base, supports, draws, samples))
        ratios.append(ours / baseline)
    return {
        "10,000 samples x 200 volumes x 4 deployments (3 inputs) vs one numpy multiply-add": (
            statistics.median(ratios),
            "<= 20x the baseline",
        )
    }


def bench_tokens() -> dict:
    from tco.tokens.counter import _encoded_lengths, counter_for_encoding
    from tco.tokens.encodings import get_encoding
    from tco.tokens.files import count_files

    files = sorted((ROOT / "scenarios" / "data" / "peps").glob("*.rst"))
    encoding = get_encoding("o200k_base")
    counter = counter_for_encoding("o200k_base")
    ratios = []
    for _ in range(RUNS):
        texts = [path.read_text(encoding="utf-8") for path in files]
        baseline = timed(lambda: encoding.encode_ordinary_batch(texts, num_threads=4))
        _encoded_lengths.cache_clear()
        ours = timed(lambda: count_files(files, counter))
        ratios.append(ours / baseline)
    return {
        f"counting tokens in {len(files)} PEP files vs tiktoken's batch encode": (
            statistics.median(ratios),
            "<= 1.2x the baseline",
        )
    }


def paired_ratio(ours: list[str], baseline: list[str]) -> float:
    """Median over RUNS of ours / baseline, each a whole process.

    One untimed run of each comes first, so both start with the files in the
    page cache, and the order alternates from run to run, so neither always
    runs on the heels of the other.
    """
    process_seconds(ours), process_seconds(baseline)
    ratios = []
    for run in range(RUNS):
        if run % 2:
            base = process_seconds(baseline)
            ratios.append(process_seconds(ours) / base)
        else:
            mine = process_seconds(ours)
            ratios.append(mine / process_seconds(baseline))
    return statistics.median(ratios)


def bench_startup() -> dict:
    tco = [sys.executable, "-m", "tco"]
    heavy_imports = [sys.executable, "-c", "import numpy, pandas, pydantic, tiktoken"]
    results = {
        "tco --help vs python -c 'import click' (whole process)": (
            paired_ratio([*tco, "--help"], [sys.executable, "-c", "import click"]),
            "<= 1.5x",
        ),
        "tco run intent-routing, no charts, vs importing numpy, pandas, pydantic, tiktoken": (
            paired_ratio([*tco, "run", "intent-routing", "--format", "json"], heavy_imports),
            "<= 3x",
        ),
    }
    # The other bundled scenarios do more work per run (25 tasks, or 42 documents to chunk), so they have no aim.
    for scenario in ("lora-land", "docs-assistant"):
        results[f"tco run {scenario}, no charts, vs the same imports"] = (
            paired_ratio([*tco, "run", scenario, "--format", "json"], heavy_imports),
            "none",
        )
    return results


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the results in docs/benchmarks.md")
    arguments = parser.parse_args()

    from tco.pricing.book import load_price_book

    book = load_price_book(ROOT / "pricing")
    results = {}
    for bench in (lambda: bench_pricing(book), bench_monte_carlo, bench_tokens, bench_startup):
        results.update(bench())
    lines = ["| measurement | ratio (median of 5) | aim |", "|---|---|---|"]
    for name, (ratio, aim) in results.items():
        lines.append(f"| {name} | {ratio:,.2f}x | {aim} |")
    table = "\n".join(lines)
    print(table)
    if arguments.write:
        write_results(ROOT / "docs" / "benchmarks.md", f"Machine: {machine()}.\n\n{table}")


START, END = "<!-- results: written by benchmarks/speed.py --write -->", "<!-- end of results -->"


def write_results(document: Path, results: str) -> None:
    """Replace the results block of the benchmarks page, keeping the text around it."""
    text = document.read_text(encoding="utf-8") if document.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        raise SystemExit(f"{document}: no results block; add the lines {START} and {END}")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    document.write_text(f"{before}{START}\n{results}\n{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
