"""Pricing one request's usage against the real price tables, and the `tco cost` command."""

from __future__ import annotations

import json

import pytest

from tco.cli import main
from tco.errors import UnknownModelError, UsageError
from tco.pricing.cost import effective_rates, price_usage


def _total(breakdown) -> float:
    return float(sum(float(value) for value in breakdown.values()))


def test_cached_tokens_never_billed_twice(book):
    model = book.api_model("gpt-4o")
    breakdown = price_usage(model, input_tokens=10_000, output_tokens=1_000, cached_input_tokens=4_000)

    # 6,000 uncached at the input rate, 4,000 at the cached rate, never 10,000 at the input rate.
    expected_input = 6_000 * model.input_usd_per_mtok / 1e6
    expected_cached = 4_000 * model.cached_input_usd_per_mtok / 1e6
    expected_output = 1_000 * model.output_usd_per_mtok / 1e6
    assert float(breakdown["input"]) == pytest.approx(expected_input)
    assert float(breakdown["cached_input"]) == pytest.approx(expected_cached)
    assert _total(breakdown) == pytest.approx(expected_input + expected_cached + expected_output)


def test_cache_write_replaces_input_rate(book):
    model = book.api_model("claude-sonnet-4-5")
    breakdown = price_usage(model, input_tokens=2_000, output_tokens=0, cache_write_tokens=2_000)

    assert float(breakdown["input"]) == 0
    assert float(breakdown["cache_write"]) == pytest.approx(2_000 * model.cache_write_usd_per_mtok / 1e6)
    assert _total(breakdown) == pytest.approx(2_000 * model.cache_write_usd_per_mtok / 1e6)


def test_absent_cache_write_price_uses_input_rate(book):
    model = book.api_model("gpt-4o")
    assert model.cache_write_usd_per_mtok is None
    rates = effective_rates(model)
    assert rates["cache_write"].usd_per_mtok == model.input_usd_per_mtok
    assert "billed at the input rate" in rates["cache_write"].rule


def test_more_cached_than_input_rejected(book):
    with pytest.raises(UsageError, match="exceed input tokens"):
        price_usage(book.api_model("gpt-4o"), input_tokens=100, output_tokens=0, cached_input_tokens=101)


def test_batch_discount_and_cache_composition(book):
    # gpt-4o: batch halves input and output but not cache reads.
    gpt4o = book.api_model("gpt-4o")
    rates = effective_rates(gpt4o, "batch")
    assert rates["input"].usd_per_mtok == pytest.approx(gpt4o.input_usd_per_mtok * 0.5)
    assert rates["output"].usd_per_mtok == pytest.approx(gpt4o.output_usd_per_mtok * 0.5)
    assert rates["cached_input"].usd_per_mtok == pytest.approx(gpt4o.cached_input_usd_per_mtok)

    # gpt-5: the batch discount applies to cache reads too.
    gpt5 = book.api_model("gpt-5")
    assert effective_rates(gpt5, "batch")["cached_input"].usd_per_mtok == pytest.approx(
        gpt5.cached_input_usd_per_mtok * 0.5
    )


def test_batch_without_batch_price_rejected(book):
    with pytest.raises(UsageError, match="no batch price"):
        effective_rates(book.api_model("ft:gpt-4o-mini"), "batch")


def test_unknown_model_lists_closest_names(book):
    with pytest.raises(UnknownModelError) as caught:
        book.api_model("gpt-4o-mni")
    assert "gpt-4o-mini" in str(caught.value)


def test_model_with_several_hosts_needs_provider(book):
    with pytest.raises(UnknownModelError, match="several providers"):
        book.api_model("llama-3.3-70b")
    assert book.api_model("llama-3.3-70b", provider="groq").model == "llama-3.3-70b-versatile"
    assert book.api_model("llama-3.3-70b", provider="together").provider == "together"
    row = book.api_model("gpt-4o", provider="openai")
    assert row.provider == "openai"
    with pytest.raises(UnknownModelError, match="no price from provider"):
        book.api_model("gpt-4o", provider="anthropic")


def test_alias_resolves_case_insensitively(book):
    assert book.api_model("GPT-4o-2024-08-06").model == "gpt-4o"


def test_cli_cost_json(runner, book):
    result = runner.invoke(
        main,
        [
            "cost",
            "--model",
            "gpt-4o-mini",
            "--input-tokens",
            "1000",
            "--output-tokens",
            "200",
            "--cached-input-tokens",
            "500",
            "--requests",
            "1000",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    model = book.api_model("gpt-4o-mini")
    # Per request: 500 uncached + 500 cached input + 200 output; then x 1,000 requests.
    expected = (
        1000
        * (500 * model.input_usd_per_mtok + 500 * model.cached_input_usd_per_mtok + 200 * model.output_usd_per_mtok)
        / 1e6
    )
    assert document["usd"] == pytest.approx(expected)
    assert set(document["breakdown"]) == {
        "input",
        "cached_input",
        "cache_write",
        "cache_write_1h",
        "output",
        "reasoning",
        "request_fees",
    }
    assert document["source"] == model.source
    assert document["as_of"] == model.as_of.isoformat()
    assert document["provider"] == "openai"


def test_cli_unknown_model_exits_nonzero_without_traceback(runner):
    result = runner.invoke(main, ["cost", "--model", "gpt-4o-mni", "--input-tokens", "1", "--output-tokens", "1"])
    assert result.exit_code == 1
    assert "unknown model 'gpt-4o-mni'" in result.output
    assert "gpt-4o-mini" in result.output
    assert "Traceback" not in result.output


def test_cli_table_shows_rules(runner):
    result = runner.invoke(
        main,
        ["cost", "--model", "gpt-4o", "--input-tokens", "100", "--output-tokens", "10", "--cache-write-tokens", "50"],
    )
    assert result.exit_code == 0, result.output
    assert "billed at the input rate" in result.output
    assert "source:" in result.output
