"""A small scenario whose monthly costs are worked out by hand, step by step, in the test.

Token counts of the pieces are checked against the real o200k_base and
cl100k_base encodings first, so the arithmetic below starts from facts.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from tco.analysis.run import evaluate
from tco.scenario import load_scenario
from tco.tokens.counter import counter_for_encoding

VOLUME = 1_000_000

SCENARIO = """
name: by-hand
description: A two-row workload small enough to price by hand.
question: What does each deployment cost at a million requests?
workload:
  requests_per_month: 1000000
  traffic:
    trace: trace.csv
    bucket_seconds: 60
    daily_peak_factor: 1.5
    daily_peak_basis: test value
  user_input:
    text: "$text"
    data: queries.csv
  output_tokens:
    fixed: 10
    basis: test value
  max_tokens: 16
deployments:
  - name: few-shot
    kind: long_prompt
    model: gpt-4o-mini
    system_prompt: {text: "You are a classifier."}
    prompt_caching: {hit_rate: 0.5, basis: test value}
  - name: rag
    kind: rag
    model: gpt-4o-mini
    system_prompt: {text: "You are a classifier."}
    retrieval:
      corpus: {data: queries.csv, row_template: "$text => $category"}
      top_k: 2
      context_separator: "\\n\\n"
      embedding_model: text-embedding-3-small
      vector_store: serverless-standard-aws-us-east-1
      build_amortization_months: 1
      monthly_churn: 0.5
  - name: fine-tuned
    kind: fine_tuned_api
    model: ft:gpt-4o-mini
    system_prompt: {text: "You are a classifier."}
    training:
      data: queries.csv
      messages:
        - {role: user, template: {text: "$text"}}
        - {role: assistant, template: {text: "$category"}}
      epochs: 2
      amortization_months: 4
  - name: self-hosted
    kind: self_hosted_lora
    base_model: mistral-7b
    gpu: A100-80GB
    adapters: 1
    lora_rank: 8
    target_modules: [q, v]
    ttft_p95_ms: 2000
    time_per_output_token_ms: 50
    operations: {usd_per_month: 1000, basis: test value}
    system_prompt: {text: "You are a classifier."}
    training:
      data: queries.csv
      messages:
        - {role: user, template: {text: "$text"}}
        - {role: assistant, template: {text: "$category"}}
      epochs: 1
      amortization_months: 12
"""


@pytest.fixture
def result(tmp_path):
    (tmp_path / "queries.csv").write_text("text,category\nHello world,greeting\nGood morning to you all,greeting\n")
    # Minute buckets from the first arrival: 2, 4, 0 arrivals, then a last (partial) bucket with 1.
    times = ["00:00:00", "00:00:30", "00:01:00", "00:01:10", "00:01:20", "00:01:59", "00:03:05"]
    (tmp_path / "trace.csv").write_text("TIMESTAMP\n" + "\n".join(f"2024-01-01 {t}" for t in times) + "\n")
    (tmp_path / "by-hand.yaml").write_text(textwrap.dedent(SCENARIO))
    return evaluate(load_scenario(str(tmp_path / "by-hand.yaml")), VOLUME)


def _costs(result) -> dict[str, float]:
    return {row["name"]: row for row in result.deployment_rows()}


def test_piece_token_counts_are_real():
    o200k = counter_for_encoding("o200k_base")
    cl100k = counter_for_encoding("cl100k_base")
    assert [o200k.count_one(text) for text in ("Hello world", "Good morning to you all", "You are a classifier.")] == [
        2,
        5,
        5,
    ]
    assert [o200k.count_one(text) for text in ("system", "user", "assistant", "greeting")] == [1, 1, 1, 2]
    assert [
        o200k.count_one(text) for text in ("Hello world => greeting", "Good morning to you all => greeting", "\n\n")
    ] == [4, 7, 1]
    assert [cl100k.count_one(text) for text in ("Hello world", "Good morning to you all")] == [2, 5]


def test_traffic_peak_to_average(result):
    # Full buckets 2, 4, 0: peak 4 / mean 2 = 2.0; times the daily factor 1.5 = 3.0.
    assert result.traffic.trace_peak_to_average == pytest.approx(2.0)
    assert result.traffic.peak_to_average == pytest.approx(3.0)


def test_long_prompt_by_hand(result, book):
    row = _costs(result)["few-shot"]
    price = book.api_model("gpt-4o-mini")

    # Input per request: 3 (reply priming) + system message (3 + 1 "system" + 5) + user message (3 + 1 "user" + text).
    # The user text is 2 or 5 tokens, mean 3.5, so input = 3 + 9 + 7.5 = 19.5 tokens.
    prefix = 3 + 1 + 5
    input_tokens = 3 + prefix + (3 + 1 + 3.5)
    assert row["details"]["input_tokens_per_request"]["mean"] == pytest.approx(19.5)

    # Half the requests read the 9-token prefix from cache, half write it (billed at the input rate for OpenAI).
    cached, written = 0.5 * prefix, 0.5 * prefix
    uncached = input_tokens - cached - written
    expected = (
        VOLUME
        * (
            uncached * price.input_usd_per_mtok
            + cached * price.cached_input_usd_per_mtok
            + written * price.input_usd_per_mtok
            + 10 * price.output_usd_per_mtok
        )
        / 1e6
    )
    assert row["monthly_usd"] == pytest.approx(expected)
    assert sum(row["breakdown"].values()) == pytest.approx(row["monthly_usd"])


def test_rag_by_hand(result, book):
    row = _costs(result)["rag"]
    price = book.api_model("gpt-4o-mini")
    embedding = book.embedding_model("text-embedding-3-small")
    store = book.vector_store("serverless-standard-aws-us-east-1")

    # Chunks are 4 and 7 tokens (mean 5.5); 2 chunks and one 1-token separator = 12 context tokens.
    context = 2 * 5.5 + 1
    input_tokens = 3 + (3 + 1 + 5) + (3 + 1 + 3.5) + context
    llm = VOLUME * (input_tokens * price.input_usd_per_mtok + 10 * price.output_usd_per_mtok) / 1e6
    # Queries embed the user text (cl100k_base: 2 or 5 tokens, mean 3.5); the index embeds both chunks once.
    queries = VOLUME * 3.5 * embedding.usd_per_mtok / 1e6
    index = (4 + 7) * embedding.usd_per_mtok / 1e6
    # Half the corpus is embedded again every month.
    churn = 0.5 * index
    # Two stored vectors of 1,536 float32 values plus their text (23 and 35 bytes, mean 29).
    stored_gb = 2 * (embedding.dimensions * 4 + 29) / 1e9
    vector_store = max(
        store.minimum_usd_per_month, stored_gb * store.usd_per_gb_month + VOLUME / 1e6 * store.usd_per_million_queries
    )

    assert row["breakdown"]["query embeddings"] == pytest.approx(queries)
    assert row["breakdown"]["index build (amortized)"] == pytest.approx(index)
    assert row["breakdown"]["re-indexing"] == pytest.approx(churn)
    assert row["breakdown"]["vector store"] == pytest.approx(vector_store)
    assert row["monthly_usd"] == pytest.approx(llm + queries + index + churn + vector_store)


def test_fine_tuned_by_hand(result, book):
    row = _costs(result)["fine-tuned"]
    price = book.api_model("ft:gpt-4o-mini")

    # Training example: 3 + user (3 + 1 + text) + assistant (3 + 1 + 2 "greeting") = 13 + text tokens: 15 and 18.
    dataset_tokens = 15 + 18
    training_usd = dataset_tokens * 2 * price.training_usd_per_mtok / 1e6
    input_tokens = 3 + (3 + 1 + 5) + (3 + 1 + 3.5)
    tokens_usd = VOLUME * (input_tokens * price.input_usd_per_mtok + 10 * price.output_usd_per_mtok) / 1e6

    assert row["details"]["training"]["dataset_tokens"] == dataset_tokens
    assert row["breakdown"]["fine-tuning (amortized)"] == pytest.approx(training_usd / 4)
    assert row["monthly_usd"] == pytest.approx(tokens_usd + training_usd / 4)


def test_self_hosted_by_hand(result, book):
    row = _costs(result)["self-hosted"]
    gpu = book.gpu("A100-80GB")
    serving = book.serving
    arch = book.base_model("mistral-7b")

    # A million requests a month at peak-to-average 3 is about 1.1 requests/s at peak: one replica of one GPU.
    assert row["details"]["gpus"] == 1
    gpu_usd = 730 * gpu.on_demand_usd_per_hour
    # LoRA training: 33 tokens x 1 epoch x 4 FLOPs per parameter per token, over BF16 peak x MFU.
    training_hours = 33 * 4 * arch.params_billion * 1e9 / (gpu.bf16_tflops * 1e12 * serving.training_mfu) / 3600
    training_usd = training_hours * gpu.on_demand_usd_per_hour

    # No other adapter shares the fleet, so this workload pays all of it.
    assert row["breakdown"]["GPUs (share)"] == pytest.approx(gpu_usd)
    assert row["breakdown"]["operations (share)"] == pytest.approx(1000)
    assert row["breakdown"]["fine-tuning (amortized)"] == pytest.approx(training_usd / 12)
    assert row["breakdown"]["retraining and evaluation"] == 0
    # The replica runs at the largest concurrency within the 50 ms time per output token.
    assert row["details"]["latency"]["tpot_ms"] <= 50


def test_all_volumes_priced_in_one_call(result):
    volumes = np.array([1e3, 1e6, 1e9])
    for model in result.models:
        components = model.monthly_cost(volumes)
        assert all(np.shape(value) == (3,) for value in components.values())
