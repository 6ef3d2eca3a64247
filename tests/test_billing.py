"""Each bug class of public cost tools, priced by `tco cost` and worked out by hand from list prices.

Prices are pinned with --date 2026-12-01 so that later price updates, kept
as dated history, do not move these expectations. Each test first checks
that the table still lists the price it works from.
"""

from __future__ import annotations

import json

import pytest

from tco.cli import main

DATE = "2026-12-01"


def usd(runner, *arguments) -> dict:
    result = runner.invoke(main, ["cost", "--date", DATE, "--format", "json", *arguments])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def listed(book, model, **prices):
    import datetime as dt

    row = book.api_model(model, date=dt.date(2026, 12, 1))
    for field, value in prices.items():
        assert getattr(row, field) == value, f"{model}.{field} changed; rework this test's arithmetic"
    return row


def test_cache_reads_not_billed_twice(runner, book):
    listed(book, "gpt-4o", input_usd_per_mtok=2.5, cached_input_usd_per_mtok=1.25, output_usd_per_mtok=10)
    document = usd(
        runner,
        "--model",
        "gpt-4o",
        "--input-tokens",
        "10000",
        "--cached-input-tokens",
        "8000",
        "--output-tokens",
        "500",
    )
    # 2,000 x 2.50 + 8,000 x 1.25 + 500 x 10 = 5,000 + 10,000 + 5,000 = 20,000 per million = 0.02 USD.
    assert document["usd"] == pytest.approx(0.02)


def test_cache_write_replaces_input_rate(runner, book):
    listed(book, "claude-sonnet-4-5", input_usd_per_mtok=3, cache_write_usd_per_mtok=3.75, output_usd_per_mtok=15)
    document = usd(
        runner,
        "--model",
        "claude-sonnet-4-5",
        "--input-tokens",
        "10000",
        "--cache-write-tokens",
        "8000",
        "--output-tokens",
        "0",
    )
    # 2,000 x 3 + 8,000 x 3.75 = 6,000 + 30,000 = 36,000 per million; a surcharge on top would give 60,000.
    assert document["usd"] == pytest.approx(0.036)


def test_one_hour_writes_at_twice_input(runner, book):
    listed(book, "claude-sonnet-4-5", cache_write_usd_per_mtok=3.75, cache_write_1h_usd_per_mtok=6)
    document = usd(
        runner, "--model", "claude-sonnet-4-5", "--input-tokens", "10000", "--cache-write-tokens", "2000",
        "--cache-write-1h-tokens", "8000", "--output-tokens", "0",
    )  # fmt: skip
    # 2,000 x 3.75 + 8,000 x 6 = 7,500 + 48,000 = 55,500 per million.
    assert document["usd"] == pytest.approx(0.0555)
    assert document["breakdown"]["cache_write_1h"] == pytest.approx(0.048)


def test_reasoning_inside_output(runner, book):
    listed(book, "o4-mini", input_usd_per_mtok=1.1, output_usd_per_mtok=4.4)
    document = usd(
        runner, "--model", "o4-mini", "--input-tokens", "1000", "--output-tokens", "5000", "--reasoning-tokens", "4000"
    )
    # 1,000 x 1.10 + 5,000 x 4.40 = 1,100 + 22,000 = 23,100 per million: reasoning is neither dropped
    # (which would give 5,500) nor added again (which would give 40,700).
    assert document["usd"] == pytest.approx(0.0231)
    assert document["breakdown"]["reasoning"] == pytest.approx(0.0176)


def test_reasoning_above_output_rejected(runner):
    result = runner.invoke(
        main,
        ["cost", "--model", "o4-mini", "--input-tokens", "10", "--output-tokens", "10", "--reasoning-tokens", "11"],
    )
    assert result.exit_code == 1
    assert "reasoning tokens exceed output tokens" in result.output


def test_long_context_reprices_whole_request(runner, book):
    row = listed(book, "gemini-2.5-pro", input_usd_per_mtok=1.25, output_usd_per_mtok=10)
    assert (row.long_context.threshold_tokens, row.long_context.comparison) == (200_000, ">")
    assert (row.long_context.input_usd_per_mtok, row.long_context.output_usd_per_mtok) == (2.5, 15)
    above = usd(runner, "--model", "gemini-2.5-pro", "--input-tokens", "300000", "--output-tokens", "10000")
    # Every token at the long-context rates: 300,000 x 2.50 + 10,000 x 15 = 750,000 + 150,000 = 0.90 USD.
    # Pricing only the 100,000 tokens above the threshold higher would give 0.475 USD.
    assert above["usd"] == pytest.approx(0.90)
    assert above["long_context_tier"] is True
    at = usd(runner, "--model", "gemini-2.5-pro", "--input-tokens", "200000", "--output-tokens", "10000")
    # Exactly 200,000 is not above the threshold: 200,000 x 1.25 + 10,000 x 10 = 0.35 USD.
    assert at["usd"] == pytest.approx(0.35)


def test_long_context_counts_cached_input(runner, book):
    listed(book, "claude-sonnet-4-5", cached_input_usd_per_mtok=0.3)
    document = usd(
        runner, "--model", "claude-sonnet-4-5", "--input-tokens", "250000", "--cached-input-tokens", "240000", "--output-tokens", "1000"
    )  # fmt: skip
    # The whole input, cache reads included, passes 200,000: 10,000 x 6 + 240,000 x 0.60 + 1,000 x 22.50
    # = 60,000 + 144,000 + 22,500 = 226,500 per million.
    assert document["usd"] == pytest.approx(0.2265)


def test_priority_and_flex_tiers(runner, book):
    row = listed(book, "gpt-5", input_usd_per_mtok=1.25, output_usd_per_mtok=10)
    assert row.service_tiers["priority"].input_usd_per_mtok == 2.5
    assert row.service_tiers["flex"].input_usd_per_mtok == 0.625
    arguments = [
        "--model",
        "gpt-5",
        "--input-tokens",
        "1000",
        "--cached-input-tokens",
        "500",
        "--output-tokens",
        "1000",
    ]
    # Priority: 500 x 2.50 + 500 x 0.25 + 1,000 x 20 = 1,250 + 125 + 20,000 = 21,375 per million.
    assert usd(runner, *arguments, "--service-tier", "priority")["usd"] == pytest.approx(0.021375)
    # Flex: 500 x 0.625 + 500 x 0.0625 + 1,000 x 5 = 312.5 + 31.25 + 5,000 = 5,343.75 per million.
    assert usd(runner, *arguments, "--service-tier", "flex")["usd"] == pytest.approx(0.00534375)


def test_missing_tier_rejected(runner):
    result = runner.invoke(
        main,
        [
            "cost",
            "--model",
            "claude-haiku-4-5",
            "--input-tokens",
            "1",
            "--output-tokens",
            "1",
            "--service-tier",
            "priority",
        ],
    )
    assert result.exit_code == 1
    assert "has no priority price" in result.output


def test_batch_composes_with_cache_per_model(runner, book):
    listed(book, "gpt-4o", cached_input_usd_per_mtok=1.25, batch_discount=0.5, batch_discount_applies_to_cache=False)
    listed(book, "gpt-5", cached_input_usd_per_mtok=0.125, batch_discount=0.5, batch_discount_applies_to_cache=True)
    arguments = [
        "--input-tokens",
        "1000",
        "--cached-input-tokens",
        "1000",
        "--output-tokens",
        "0",
        "--service-tier",
        "batch",
    ]
    # gpt-4o in batch keeps the full cached rate: 1,000 x 1.25 = 1,250 per million.
    assert usd(runner, "--model", "gpt-4o", *arguments)["usd"] == pytest.approx(0.00125)
    # gpt-5 in batch halves it: 1,000 x 0.0625 = 62.5 per million.
    assert usd(runner, "--model", "gpt-5", *arguments)["usd"] == pytest.approx(0.0000625)


def test_regional_endpoint_without_uplift_listed(runner):
    document = usd(
        runner, "--model", "gpt-4o", "--input-tokens", "1000", "--output-tokens", "0", "--endpoint", "regional"
    )
    # No uplift is listed for gpt-4o, so regional costs the same, and the rule says so.
    assert document["usd"] == pytest.approx(0.0025)
    assert "no regional uplift listed" in document["rates_usd_per_mtok"]["input"]["rule"]


def test_regional_uplift_applies(book):
    from tco.pricing.cost import price_usage

    row = book.api_model("claude-sonnet-4-5").model_copy(update={"regional_uplift": 0.1})
    # 1,000 x 3 x 1.10 + 1,000 x 15 x 1.10 = 3,300 + 16,500 = 19,800 per million.
    total = sum(float(value) for value in price_usage(row, 1000, 1000, endpoint="regional").values())
    assert total == pytest.approx(0.0198)


def test_price_history_by_date(runner, book):
    history = book.api_model_history("o3")
    assert [(row.input_usd_per_mtok, row.output_usd_per_mtok) for row in history] == [(10, 40), (2, 8)]
    arguments = ["--model", "o3", "--input-tokens", "1000", "--output-tokens", "1000", "--format", "json"]
    before = json.loads(runner.invoke(main, ["cost", *arguments, "--date", "2025-06-01"]).output)
    after = json.loads(runner.invoke(main, ["cost", *arguments, "--date", "2025-06-10"]).output)
    # Before the cut: 1,000 x 10 + 1,000 x 40 = 0.05 USD; from 2025-06-10: 1,000 x 2 + 1,000 x 8 = 0.01 USD.
    assert before["usd"] == pytest.approx(0.05)
    assert after["usd"] == pytest.approx(0.01)


def test_month_spanning_price_change_split(runner):
    result = runner.invoke(
        main,
        [
            "cost",
            "--model",
            "o3",
            "--input-tokens",
            "1000",
            "--output-tokens",
            "1000",
            "--requests",
            "30",
            "--month",
            "2025-06",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # June has 30 days: 9 at the old price (0.05 a request), 21 at the new (0.01): 30 x (0.3 x 0.05 + 0.7 x 0.01) = 0.66.
    assert document["usd"] == pytest.approx(0.66)
    assert [period["share_of_requests"] for period in document["price_periods"]] == pytest.approx([0.3, 0.7])
    # The rate shown is the blend the total used: 0.3 x 10 + 0.7 x 2 = 4.4 USD per million input tokens.
    assert document["rates_usd_per_mtok"]["input"]["usd_per_mtok"] == pytest.approx(4.4)


def test_unknown_provider_never_zero(runner):
    result = runner.invoke(
        main, ["cost", "--model", "gpt-4o", "--provider", "acme", "--input-tokens", "1", "--output-tokens", "1"]
    )
    assert result.exit_code == 1
    assert "no price from provider 'acme'" in result.output
