"""Rate-limit checks counted the way each provider counts, and the busiest-hour throttling simulation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tco.cli import main
from tco.limits.check import fit_tiers, lowest_fitting
from tco.limits.requests import RequestProfile
from tco.limits.simulate import busiest_hour_arrivals, simulate
from tco.pricing.schema import RateLimit


def limit(**fields) -> RateLimit:
    defaults = dict(provider="test", models=["m"], tier="Tier 1", tier_rank=1, counts_cache_reads=True,
                    reserves_max_tokens=True, source="test", as_of="2026-12-01")  # fmt: skip
    return RateLimit(**{**defaults, **fields})


def test_openai_counts_max_tokens_and_cache(book):
    profile = RequestProfile(
        book.api_model("gpt-4o"), input_tokens=1000, cached_input_tokens=800, output_tokens=50, max_tokens=500
    )
    charges = profile.limited_tokens(limit(tpm=30000))
    # OpenAI charges max_tokens up front and counts cached input: 1,000 + 500.
    assert charges["tpm"] == 1500


def test_anthropic_leaves_cache_reads_out(book):
    profile = RequestProfile(book.api_model("claude-sonnet-4-5"), 1000, 800, 50, 500)
    charges = profile.limited_tokens(
        limit(input_tpm=30000, output_tpm=8000, counts_cache_reads=False, reserves_max_tokens=False)
    )
    # Cache reads do not count against input tokens per minute, and output counts what is produced.
    assert charges["input_tpm"] == 200
    assert charges["output_tpm"] == 50


def test_lowest_tier_and_headroom(book):
    profile = RequestProfile(book.api_model("gpt-4o"), 1000, 0, 100, 100)
    tiers = tuple(row for row in book.rate_limits if "gpt-4o" in row.models)
    # 1,000,000 requests a month at peak-to-average 3: 1e6 / 43,800 minutes x 3 = 68.5 requests a minute,
    # each charging 1,100 tokens: 75,342 tokens a minute, above Tier 1's 30,000 and within Tier 2's 450,000.
    fits = fit_tiers(tiers, profile, 1_000_000, peak_to_average=3.0, daily_peak_factor=2.0)
    chosen = lowest_fitting(fits)
    assert chosen.tier.tier == "Tier 2"
    assert chosen.demand["tpm"] == pytest.approx(1e6 / 43800 * 3 * 1100)
    assert chosen.headroom["tpm"] == pytest.approx(1 - chosen.demand["tpm"] / 450000)
    assert fits[0].headroom["tpm"] < 0


def test_busiest_hour_count():
    trace = np.sort(np.random.default_rng(1).uniform(0, 3600, 1000))
    assert busiest_hour_arrivals(trace, 2500, seed=3).size == pytest.approx(2500, rel=0.05)
    assert busiest_hour_arrivals(trace, 400, seed=3).size == pytest.approx(400, rel=0.15)


def test_simulation_ample_limits_no_delay(book):
    arrivals = np.linspace(0, 3600, 600, endpoint=False)
    profile = RequestProfile(book.api_model("gpt-4o"), 1000, 0, 100, 100)
    result = simulate(arrivals, profile, limit(rpm=1000, tpm=1_000_000))
    assert result.delayed_share == 0
    assert result.rejected_share == 0


def test_simulation_tight_limits_delay_then_reject(book):
    # 20 requests a minute, each charging 1,100 tokens, against 11,000 tokens a minute: twice the capacity.
    arrivals = np.linspace(0, 600, 200, endpoint=False)
    profile = RequestProfile(book.api_model("gpt-4o"), 1000, 0, 100, 100)
    result = simulate(arrivals, profile, limit(tpm=11000), max_wait_s=60)
    assert result.delayed_share > 0
    assert result.rejected_share > 0.3
    assert 0 < result.p95_delay_s <= 60


def test_request_larger_than_bucket_rejected(book):
    profile = RequestProfile(book.api_model("gpt-4o"), 40000, 0, 100, 100)
    result = simulate(np.array([0.0, 10.0]), profile, limit(tpm=30000))
    assert result.rejected_share == 1


@pytest.mark.parametrize("scenario", ["intent-routing", "lora-land", "docs-assistant"])
def test_limits_check_runs(runner, scenario):
    result = runner.invoke(main, ["limits", "check", scenario, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    checked = [row for row in document["deployments"] if row["applies"]]
    assert checked
    for row in checked:
        assert row["tiers"]
        assert 0 <= row["simulation"]["rejected_share"] <= 1


def test_limits_check_named_tier_throttles(runner):
    result = runner.invoke(main, ["limits", "check", "intent-routing", "--tier", "Tier 1"])
    assert result.exit_code == 0, result.output
    assert "busiest hour on Tier 1" in result.output
    assert "rejected" in result.output
