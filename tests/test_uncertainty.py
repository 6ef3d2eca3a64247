"""Distributions of inputs and the Monte Carlo over them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tco.analysis.distributions import Distribution, quantile, sample
from tco.cli import main

CASES = [
    Distribution(uniform=(2.0, 6.0), basis="test"),
    Distribution(triangular=(1.0, 2.0, 5.0), basis="test"),
    Distribution(normal={"mean": 10.0, "sd": 2.0}, basis="test"),
    Distribution(lognormal={"median": 3e6, "sigma": 0.4}, basis="test"),
]


@pytest.mark.parametrize("distribution", CASES, ids=["uniform", "triangular", "normal", "lognormal"])
def test_sampled_quantiles_match_closed_form(distribution):
    draws = sample(distribution, 200_000, np.random.default_rng(11))
    for probability in (0.1, 0.5, 0.9):
        expected = quantile(distribution, probability)
        assert np.quantile(draws, probability) == pytest.approx(expected, rel=0.01)


def test_triangular_quantile_by_hand():
    distribution = Distribution(triangular=(0.0, 0.0, 1.0), basis="test")
    # For low = mode = 0 and high = 1 the CDF is 1 - (1 - x)^2, so the median is 1 - sqrt(0.5).
    assert quantile(distribution, 0.5) == pytest.approx(1 - 0.5**0.5)


def test_distribution_needs_one_kind():
    with pytest.raises(ValueError, match="exactly one"):
        Distribution(uniform=(1.0, 2.0), normal={"mean": 1.0, "sd": 1.0}, basis="test")


@pytest.fixture(scope="module")
def runs():
    from click.testing import CliRunner

    runner = CliRunner()

    def run(seed):
        result = runner.invoke(
            main, ["run", "intent-routing", "--samples", "2000", "--seed", str(seed), "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["uncertainty"]

    return run(5), run(5), run(6)


def test_fixed_seed_reproduces(runs):
    first, again, other = runs
    assert first == again
    assert first["monthly_usd"] != other["monthly_usd"]


def test_quantiles_ordered_and_cheapest_sums_to_one(runs):
    summary = runs[0]
    for quantiles in summary["monthly_usd"].values():
        assert quantiles["p10"] <= quantiles["p50"] <= quantiles["p90"]
    assert sum(summary["probability_cheapest_at_scenario_volume"].values()) == pytest.approx(1.0)
    for index in range(len(next(iter(summary["probability_cheapest"].values()))["probability"])):
        assert sum(item["probability"][index] for item in summary["probability_cheapest"].values()) == pytest.approx(
            1.0
        )


def test_volume_uncertainty_exact_for_api(runs):
    # Only the volume moves a long-prompt deployment's cost, which is nearly proportional to it, so its P90/P10
    # ratio is close to the lognormal volume's own, exp(0.4 x 2 x 1.2816) = 2.79.
    quantiles = runs[0]["monthly_usd"]["rag gpt-4o-mini"]
    ratio = quantiles["p90"] / quantiles["p10"]
    assert ratio == pytest.approx(np.exp(0.4 * 2 * 1.2816), rel=0.15)


def test_samples_need_uncertainty_block(runner, tmp_path):
    import yaml

    from tco.scenario import bundled_scenarios

    source = bundled_scenarios()["intent-routing"]
    document = yaml.safe_load(source.read_text())
    document.pop("uncertainty")
    for relative in ("data", "intent-routing"):
        (tmp_path / relative).symlink_to(source.parent / relative)
    path = tmp_path / "certain.yaml"
    path.write_text(yaml.safe_dump(document))
    result = runner.invoke(main, ["run", str(path), "--samples", "10"])
    assert result.exit_code == 2
    assert "no 'uncertainty' block" in result.output


def test_break_even_quantiles_follow_each_crossing(runs):
    # Each entry's sampled crossings gather around the scenario's own crossing instead of between two of them.
    for entry in runs[0]["break_even"]:
        base = entry["base_volume_requests_per_month"]
        if base is None or "p50" not in entry:
            continue
        assert entry["p10"] <= base * 10
        assert entry["p90"] >= base / 10
        assert entry["p10"] <= entry["p50"] <= entry["p90"]


def test_samples_reach_csv_output(runner):
    result = runner.invoke(main, ["run", "intent-routing", "--samples", "200", "--seed", "1", "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.strip().splitlines()
    assert header.endswith("p10_monthly_usd,p50_monthly_usd,p90_monthly_usd,probability_cheapest")
    totals = [line.split(",") for line in lines if ",total," in line]
    assert len(totals) == 4
    assert sum(float(cells[-1]) for cells in totals) == pytest.approx(1.0)
