"""Sensitivity ranking and the planning charts, in every file format."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tco.analysis.sensitivity import numeric_fields
from tco.cli import main


def test_numeric_fields_skip_booleans_and_zero():
    document = {"a": 1, "b": {"c": 2.5, "d": True, "e": 0}, "f": [3, "x"]}
    assert list(numeric_fields(document)) == [(("a",), 1.0), (("b", "c"), 2.5), (("f", 0), 3.0)]


@pytest.fixture(scope="module")
def analysis():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["sensitivity", "intent-routing", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sensitivity_ranks_by_effect(analysis):
    spreads = [swing["largest_change_usd"] for swing in analysis["swings"]]
    assert spreads == sorted(spreads, reverse=True)
    fields = [swing["field"] for swing in analysis["swings"]]
    assert "workload.requests_per_month" in fields


def test_sensitivity_volume_swing_by_hand(analysis):
    swing = next(item for item in analysis["swings"] if item["field"] == "workload.requests_per_month")
    low, high = swing["monthly_usd"]["fine-tuned gpt-4o-mini"]
    base = analysis["base_monthly_usd"]["fine-tuned gpt-4o-mini"]
    # The volume has a stated lognormal (median 3M, sigma 0.4), so it swings between its P10 and P90.
    factor = float(np.exp(0.4 * 1.2815516))
    assert swing["values"][0] == pytest.approx(3e6 / factor, rel=1e-4)
    assert swing["values"][2] == pytest.approx(3e6 * factor, rel=1e-4)
    # Token costs scale with volume and training does not, so the cost moves by less than the volume does.
    assert low < base < high
    assert (high - low) / base < factor - 1 / factor


def test_sensitivity_aliases_change_one_deployment(analysis):
    # The scenario shares its training block between two deployments through a YAML anchor;
    # swinging the self-hosted one's epochs must not move the hosted fine-tune's cost.
    swing = next(item for item in analysis["swings"] if item["field"] == "deployments.3.training.epochs")
    low, high = swing["monthly_usd"]["fine-tuned gpt-4o-mini"]
    assert low == pytest.approx(high)


@pytest.mark.parametrize("kind", ["breakdown", "tokens", "cumulative"])
@pytest.mark.parametrize("extension", ["png", "svg", "pdf"])
def test_chart_kinds_and_formats(runner, tmp_path, kind, extension):
    path = tmp_path / f"{kind}.{extension}"
    result = runner.invoke(main, ["chart", "intent-routing", "--kind", kind, "--out", str(path)])
    assert result.exit_code == 0, result.output
    head = path.read_bytes()[:8]
    expected = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}[extension]
    assert head.startswith(expected)


def test_cheapest_map_chart(runner, tmp_path):
    path = tmp_path / "map.png"
    result = runner.invoke(
        main,
        [
            "chart",
            "intent-routing",
            "--kind",
            "cheapest-map",
            "--param",
            "deployments.1.retrieval.top_k=2,10",
            "--out",
            str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 1000


def test_chart_rejects_unknown_extension(runner, tmp_path):
    result = runner.invoke(main, ["chart", "intent-routing", "--kind", "tokens", "--out", str(tmp_path / "chart.jpg")])
    assert result.exit_code == 2
    assert ".png, .svg or .pdf" in result.output


@pytest.mark.parametrize("scenario", ["lora-land", "docs-assistant"])
def test_planning_commands_on_every_scenario(runner, tmp_path, scenario):
    samples = runner.invoke(main, ["run", scenario, "--samples", "500", "--format", "json"])
    assert samples.exit_code == 0, samples.output
    assert json.loads(samples.stdout)["uncertainty"]["samples"] == 500
    sweep = runner.invoke(
        main, ["sweep", scenario, "--param", "workload.requests_per_month=1e6,2e6", "--format", "json"]
    )
    assert sweep.exit_code == 0, sweep.output
    chart = runner.invoke(main, ["chart", scenario, "--kind", "breakdown", "--out", str(tmp_path / "breakdown.svg")])
    assert chart.exit_code == 0, chart.output
    report = runner.invoke(main, ["report", scenario, "--out", str(tmp_path / "report")])
    assert report.exit_code == 0, report.output
    assert (tmp_path / "report" / "report.html").stat().st_size > 10_000
