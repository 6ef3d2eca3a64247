"""Provider usage objects and tco's usage log, normalized and priced in bulk."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tco.cli import main
from tco.errors import UsageError
from tco.pricing.usage import normalize_anthropic, normalize_gemini, normalize_openai, price_usage_frame, summarize

OPENAI_CHAT = {
    "model": "gpt-4o",
    "usage": {
        "prompt_tokens": 10000,
        "completion_tokens": 500,
        "prompt_tokens_details": {"cached_tokens": 8000},
        "completion_tokens_details": {"reasoning_tokens": 0},
    },
}
# The last chunk of a streamed response carries the same usage with no choices.
OPENAI_STREAM_CHUNK = {
    "object": "chat.completion.chunk",
    "model": "gpt-4o",
    "choices": [],
    "usage": OPENAI_CHAT["usage"],
}


def cost_of(runner, tmp_path, records, usage_format, *extra) -> dict:
    path = tmp_path / "usage.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in records) + "\n")
    result = runner.invoke(
        main,
        [
            "cost",
            "--usage",
            str(path),
            "--usage-format",
            usage_format,
            "--date",
            "2026-12-01",
            "--format",
            "json",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_openai_prompt_tokens_include_cached():
    normalized = normalize_openai(OPENAI_CHAT, "record")
    assert normalized["input_tokens"] == 10000
    assert normalized["cached_input_tokens"] == 8000


def test_openai_responses_api_fields():
    record = {"usage": {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 40}, "output_tokens": 50,
                        "output_tokens_details": {"reasoning_tokens": 30}}}  # fmt: skip
    normalized = normalize_openai(record, "record")
    assert normalized == {
        "input_tokens": 100,
        "cached_input_tokens": 40,
        "cache_write_tokens": 0,
        "output_tokens": 50,
        "reasoning_tokens": 30,
    }


def test_streaming_and_plain_usage_priced_alike(runner, tmp_path):
    plain = cost_of(runner, tmp_path, [OPENAI_CHAT], "openai")
    streamed = cost_of(runner, tmp_path, [OPENAI_STREAM_CHUNK], "openai")
    # 2,000 x 2.50 + 8,000 x 1.25 + 500 x 10 = 20,000 per million.
    assert plain["usd"] == pytest.approx(0.02)
    assert streamed["usd"] == pytest.approx(plain["usd"])


def test_anthropic_input_excludes_cache():
    record = {"model": "claude-sonnet-4-5", "usage": {"input_tokens": 2000, "cache_read_input_tokens": 5000,
              "cache_creation_input_tokens": 3000, "cache_creation": {"ephemeral_5m_input_tokens": 1000,
              "ephemeral_1h_input_tokens": 2000}, "output_tokens": 100}}  # fmt: skip
    normalized = normalize_anthropic(record, "record")
    assert normalized["input_tokens"] == 10000
    assert normalized["cached_input_tokens"] == 5000
    assert normalized["cache_write_tokens"] == 1000
    assert normalized["cache_write_1h_tokens"] == 2000


def test_anthropic_priced_by_hand(runner, tmp_path):
    record = {"model": "claude-sonnet-4-5", "usage": {"input_tokens": 2000, "cache_read_input_tokens": 5000,
              "cache_creation_input_tokens": 3000, "cache_creation": {"ephemeral_5m_input_tokens": 1000,
              "ephemeral_1h_input_tokens": 2000}, "output_tokens": 100}}  # fmt: skip
    document = cost_of(runner, tmp_path, [record], "anthropic")
    # 2,000 x 3 + 5,000 x 0.30 + 1,000 x 3.75 + 2,000 x 6 + 100 x 15 = 6,000 + 1,500 + 3,750 + 12,000 + 1,500 = 24,750.
    assert document["usd"] == pytest.approx(0.02475)


def test_gemini_thoughts_billed_as_output(runner, tmp_path):
    record = {"modelVersion": "gemini-2.5-flash", "usageMetadata": {"promptTokenCount": 1000, "cachedContentTokenCount": 400,
              "candidatesTokenCount": 200, "thoughtsTokenCount": 300}}  # fmt: skip
    normalized = normalize_gemini(record, "record")
    assert normalized["output_tokens"] == 500
    assert normalized["reasoning_tokens"] == 300
    document = cost_of(runner, tmp_path, [record], "gemini")
    # 600 x 0.30 + 400 x 0.03 + 500 x 2.50 = 180 + 12 + 1,250 = 1,442 per million.
    assert document["usd"] == pytest.approx(0.001442)


def test_inconsistent_record_named(runner, tmp_path):
    bad = {
        "model": "gpt-4o",
        "usage": {"prompt_tokens": 100, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 150}},
    }
    path = tmp_path / "usage.jsonl"
    path.write_text(json.dumps(OPENAI_CHAT) + "\n" + json.dumps(bad) + "\n")
    result = runner.invoke(main, ["cost", "--usage", str(path), "--usage-format", "openai"])
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert "150 cached tokens exceed the 100 input tokens" in result.output


def test_record_model_wins_over_option(runner, tmp_path):
    document = cost_of(
        runner, tmp_path, [OPENAI_CHAT, {"usage": OPENAI_CHAT["usage"]}], "openai", "--model", "gpt-4o-mini"
    )
    models = {row["model"] for row in document["by_model"]}
    assert models == {"gpt-4o", "gpt-4o-mini"}


def test_csv_log_by_hand(runner, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "model,input_tokens,cached_input_tokens,output_tokens,reasoning_tokens,requests,service_tier,date\n"
        "gpt-4o,1000,0,100,0,10,standard,2026-12-01\n"
        "gpt-4o,1000,0,100,0,10,batch,2026-12-01\n"
        "o3,1000,0,1000,500,1,standard,2025-06-01\n"
    )
    result = runner.invoke(main, ["cost", "--usage", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # gpt-4o: 10 x (1,000 x 2.50 + 100 x 10) = 35,000 per million; batch half of it, 17,500.
    # o3 before its June 2025 cut: 1,000 x 10 + 1,000 x 40 = 50,000 per million.
    assert document["usd"] == pytest.approx(0.035 + 0.0175 + 0.05)
    assert document["requests"] == 21


def test_csv_bad_value_named(runner, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("model,input_tokens,output_tokens\ngpt-4o,1000,10\ngpt-4o,lots,10\n")
    result = runner.invoke(main, ["cost", "--usage", str(path)])
    assert result.exit_code == 1
    assert "row 3" in result.output
    assert "'lots'" in result.output


def test_million_records_priced(book):
    rows = 1_000_000
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "model": np.where(rng.random(rows) < 0.5, "gpt-4o", "gpt-4o-mini"),
            "input_tokens": rng.integers(100, 5000, rows).astype(float),
            "cached_input_tokens": 0.0,
            "cache_write_tokens": 0.0,
            "cache_write_1h_tokens": 0.0,
            "output_tokens": rng.integers(10, 500, rows).astype(float),
            "reasoning_tokens": 0.0,
            "requests": 1.0,
            "record": "generated",
        }
    )
    summary = summarize(price_usage_frame(book, frame))
    assert summary["records"] == rows
    big = frame["model"] == "gpt-4o"
    expected = (
        frame.loc[big, "input_tokens"].sum() * 2.5 + frame.loc[big, "output_tokens"].sum() * 10
        + frame.loc[~big, "input_tokens"].sum() * 0.15 + frame.loc[~big, "output_tokens"].sum() * 0.6
    ) / 1e6  # fmt: skip
    assert summary["usd"] == pytest.approx(expected)


def test_usage_rejects_negative(book):
    frame = pd.DataFrame({"model": ["gpt-4o"], "input_tokens": [-1.0], "cached_input_tokens": [0.0], "cache_write_tokens": [0.0],
                          "cache_write_1h_tokens": [0.0], "output_tokens": [1.0], "reasoning_tokens": [0.0], "requests": [1.0],
                          "record": ["log.csv row 2"]})  # fmt: skip
    with pytest.raises(UsageError, match="row 2: input_tokens is -1, a negative count"):
        price_usage_frame(book, frame)


def test_stream_chunks_without_usage_skipped(runner, tmp_path):
    chunks = [
        {"object": "chat.completion.chunk", "model": "gpt-4o", "choices": [{"delta": {"content": "Hi"}}], "usage": None}
    ] * 3
    document = cost_of(runner, tmp_path, [*chunks, OPENAI_STREAM_CHUNK], "openai")
    assert document["records"] == 1
    assert document["usd"] == pytest.approx(0.02)


def test_responses_completed_event(runner, tmp_path):
    event = {"type": "response.completed", "response": {"model": "gpt-4o", "usage": {"input_tokens": 10000,
             "input_tokens_details": {"cached_tokens": 8000}, "output_tokens": 500}}}  # fmt: skip
    assert cost_of(runner, tmp_path, [event], "openai")["usd"] == pytest.approx(0.02)


def test_anthropic_object_rejected_as_openai():
    record = {"usage": {"input_tokens": 10, "cache_read_input_tokens": 5, "output_tokens": 1}}
    with pytest.raises(UsageError, match="use --usage-format anthropic"):
        normalize_openai(record, "record")


def test_record_service_tier_used(runner, tmp_path):
    record = {**OPENAI_CHAT, "model": "gpt-5", "service_tier": "priority"}
    document = cost_of(runner, tmp_path, [record], "openai")
    # gpt-5 priority: 2,000 x 2.50 + 8,000 x 0.25 + 500 x 20 = 5,000 + 2,000 + 10,000 = 17,000 per million.
    assert document["usd"] == pytest.approx(0.017)


def test_gemini_tool_use_prompt_is_input():
    record = {"usageMetadata": {"promptTokenCount": 1000, "toolUsePromptTokenCount": 200, "candidatesTokenCount": 10}}
    assert normalize_gemini(record, "record")["input_tokens"] == 1200


def test_csv_default_model_fills_rows(runner, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("input_tokens,output_tokens\n1000,100\n")
    result = runner.invoke(
        main, ["cost", "--usage", str(path), "--model", "gpt-4o", "--date", "2026-12-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    # 1,000 x 2.50 + 100 x 10 = 3,500 per million.
    assert json.loads(result.stdout)["usd"] == pytest.approx(0.0035)


def test_usage_with_single_request_options_rejected(runner, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("model,input_tokens,output_tokens\ngpt-4o,1,1\n")
    result = runner.invoke(main, ["cost", "--usage", str(path), "--month", "2025-06"])
    assert result.exit_code == 2
    assert "drop --month" in result.output


def test_csv_bad_endpoint_named(runner, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("model,input_tokens,output_tokens,endpoint\ngpt-4o,1,1,global\ngpt-4o,1,1,eu\n")
    result = runner.invoke(main, ["cost", "--usage", str(path)])
    assert result.exit_code == 1
    assert "row 3: endpoint 'eu'" in result.output


# Models with a long-context tier, a price change and flex or batch tiers, so every branch of the bulk path runs.
MIXED_MODELS = [
    ("claude-sonnet-4-5", "anthropic", ("standard", "batch")),
    ("gemini-2.5-pro", "google", ("standard", "batch")),
    ("o3", "openai", ("standard", "flex", "priority")),
    ("mistral-small-latest", "mistral", ("standard",)),
    ("gpt-4o-mini", "openai", ("standard", "batch", "priority")),
]


def mixed_usage_frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(MIXED_MODELS), rows)
    input_tokens = rng.integers(1_000, 400_000, rows).astype(float)
    output_tokens = rng.integers(1, 4_000, rows).astype(float)
    cached = np.floor(input_tokens * rng.random(rows) * 0.5)
    writes = np.floor((input_tokens - cached) * rng.random(rows) * 0.3)
    frame = pd.DataFrame(
        {
            "model": [MIXED_MODELS[pick][0] for pick in picks],
            "provider": [MIXED_MODELS[pick][1] if rng.random() < 0.5 else None for pick in picks],
            "service_tier": [rng.choice(MIXED_MODELS[pick][2]) for pick in picks],
            "date": rng.choice(["2025-06-09", "2025-06-10", "2026-03-15", "2026-03-16", "2026-12-01"], rows),
            "input_tokens": input_tokens,
            "cached_input_tokens": cached,
            "cache_write_tokens": writes,
            "cache_write_1h_tokens": 0.0,
            "output_tokens": output_tokens,
            "reasoning_tokens": np.floor(output_tokens * rng.random(rows) * 0.5),
            "requests": rng.integers(1, 5, rows).astype(float),
            "record": [f"log.csv row {number}" for number in range(2, rows + 2)],
        }
    )
    # o3's price row before 2025-06-10 lists no flex or priority tier.
    frame.loc[(frame["model"] == "o3") & (frame["date"] < "2025-06-10"), "service_tier"] = "standard"
    return frame


def test_bulk_matches_single_row_pricing(book):
    import datetime as dt

    from tco.pricing.cost import Usage, price

    frame = mixed_usage_frame(300, seed=3)
    priced = price_usage_frame(book, frame)
    classes = ["input", "cached_input", "cache_write", "cache_write_1h", "output", "reasoning", "request_fees"]
    for position, row in enumerate(frame.itertuples()):
        model = book.api_model(
            row.model, None if pd.isna(row.provider) else row.provider, dt.date.fromisoformat(row.date)
        )
        usage = Usage(row.input_tokens, row.output_tokens, row.cached_input_tokens, row.cache_write_tokens,
                      row.cache_write_1h_tokens, row.reasoning_tokens, row.requests)  # fmt: skip
        alone = price(model, usage, row.service_tier)
        assert priced.loc[position, classes].to_numpy(dtype=float) == pytest.approx(
            [float(alone[name]) for name in classes]
        ), (position, row)
        assert priced.loc[position, "model"] == model.model


def test_bulk_pricing_categorical_columns(book):
    frame = mixed_usage_frame(200, seed=4)
    as_categories = frame.astype({name: "category" for name in ("model", "provider", "service_tier", "date")})
    assert summarize(price_usage_frame(book, as_categories)) == summarize(price_usage_frame(book, frame))


def test_long_context_split_per_row(book):
    frame = mixed_usage_frame(400, seed=5)
    sonnet = frame[frame["model"] == "claude-sonnet-4-5"].reset_index(drop=True)
    priced = price_usage_frame(book, sonnet)
    rate = priced["output"] / ((sonnet["output_tokens"] - sonnet["reasoning_tokens"]) * sonnet["requests"]) * 1e6
    batch = (sonnet["service_tier"] == "batch").to_numpy()
    long_context = (sonnet["input_tokens"] > 200_000).to_numpy()
    # Sonnet 4.5 output: 15 USD per million, 22.50 above 200k input tokens; batch halves both.
    expected = np.where(long_context, 22.5, 15.0) * np.where(batch, 0.5, 1.0)
    assert long_context.any()
    assert (~long_context).any()
    assert rate.to_numpy() == pytest.approx(expected)


def test_row_dated_before_first_price_named(book):
    import dataclasses
    import datetime as dt

    # A model whose table starts on a date: the row dated before it has no price to take.
    dated = [
        row.model_copy(update={"effective_from": dt.date(2025, 1, 1)}) if row.model == "gpt-4o-mini" else row
        for row in book.api_models
    ]
    frame = mixed_usage_frame(3, seed=6)
    frame.loc[:, "model"] = "gpt-4o-mini"
    frame.loc[:, "provider"] = "openai"
    frame.loc[:, "service_tier"] = "standard"
    frame.loc[:, "date"] = ["2025-02-01", "2024-12-31", "2025-01-01"]
    with pytest.raises(UsageError, match="log.csv row 3: gpt-4o-mini has no price before 2025-01-01"):
        price_usage_frame(dataclasses.replace(book, api_models=tuple(dated)), frame)


def test_missing_batch_price_names_row(book):
    frame = mixed_usage_frame(3, seed=7)
    frame.loc[:, "model"] = "deepseek-chat"
    frame.loc[:, "provider"] = None
    frame.loc[:, "service_tier"] = ["standard", "standard", "batch"]
    with pytest.raises(UsageError, match="log.csv row 4: .*no batch price"):
        price_usage_frame(book, frame)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("model,input_tokens,output_tokens\ngpt-4o,100,10,99\n", "more cells than the header's 3 column names"),
        ("model,input_tokens,output_tokens\ngpt-4o,,10\n", "row 2: input_tokens is empty"),
        ("model,input_tokens,output_tokens\ngpt-4o,100,10\ngpt-4o,nan,10\n", "row 3: input_tokens is empty"),
        ("model,input_tokens\ngpt-4o,100\n", "no output_tokens column"),
        ("model,input_tokens,output_tokens,input_tokens\ngpt-4o,1,1,1\n", "column input_tokens appears more than once"),
    ],
)
def test_malformed_usage_csv_named(runner, tmp_path, text, message):
    path = tmp_path / "log.csv"
    path.write_text(text)
    result = runner.invoke(main, ["cost", "--usage", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_empty_optional_cells_count_zero(runner, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("model,input_tokens,cached_input_tokens,output_tokens\ngpt-4o,1000000,,0\n")
    result = runner.invoke(main, ["cost", "--usage", str(path), "--date", "2026-12-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    # gpt-4o input: 2.50 USD per million tokens.
    assert json.loads(result.stdout)["usd"] == pytest.approx(2.5)
