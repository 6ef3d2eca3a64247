"""Sweeps over scenario inputs and month-by-month projections."""

from __future__ import annotations

import json

import pytest

from tco.analysis.project import project
from tco.analysis.run import evaluate
from tco.analysis.sweep import parse_parameter
from tco.cli import main
from tco.errors import ScenarioError
from tco.scenario import load_scenario


def test_parse_parameter_numbers():
    parameter = parse_parameter("workload.requests_per_month=1e6,3000000")
    assert parameter.path == ("workload", "requests_per_month")
    assert parameter.values == (1e6, 3000000)
    assert parse_parameter("deployments.3.lora_rank=8").path == ("deployments", 3, "lora_rank")
    assert parse_parameter("workload.requests_per_month=1M,2.5k").values == (1_000_000, 2_500)


def test_sweep_invalid_value_names_parameter(runner):
    result = runner.invoke(main, ["sweep", "intent-routing", "--param", "workload.requests_per_month=abc"])
    assert result.exit_code == 1
    assert "--param workload.requests_per_month='abc' is not a valid value here" in result.output
    assert "(value: 'abc')" in result.output


def test_parse_parameter_rejects_missing_values():
    with pytest.raises(ScenarioError, match="PATH=VALUES"):
        parse_parameter("workload.requests_per_month")


def test_sweep_grid(runner):
    result = runner.invoke(
        main,
        ["sweep", "intent-routing", "--param", "workload.requests_per_month=1e6,1e7", "--param", "deployments.2.training.epochs=1,3", "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # 2 x 2 combinations x 4 deployments.
    assert len(rows) == 16
    fine_tuned = {
        (row["workload.requests_per_month"], row["deployments.2.training.epochs"]): row["monthly_usd"]
        for row in rows
        if row["kind"] == "fine_tuned_api"
    }
    # Three epochs cost more training than one; ten times the volume costs more tokens.
    assert fine_tuned[(1e6, 3)] > fine_tuned[(1e6, 1)]
    assert fine_tuned[(1e7, 1)] > fine_tuned[(1e6, 1)]


def test_sweep_unknown_field(runner):
    result = runner.invoke(main, ["sweep", "intent-routing", "--param", "workload.request_per_month=1,2"])
    assert result.exit_code == 1
    assert "no field workload.request_per_month" in result.output


def test_projection_flat_by_hand():
    result = evaluate(load_scenario("intent-routing"), break_even=False)
    document = project(result, months=12, volume_growth=0.0, api_price_decline=0.0, gpu_price_decline=0.0)
    rows = {row["name"]: row for row in document["deployments"]}
    monthly = {row["name"]: row for row in result.deployment_rows()}

    fine_tuned = rows["fine-tuned gpt-4o-mini"]
    amortized = monthly["fine-tuned gpt-4o-mini"]["breakdown"]["fine-tuning (amortized)"]
    # The 12-month amortized training is paid in month 1 instead.
    assert fine_tuned["one_time_usd"] == pytest.approx(amortized * 12)
    recurring = monthly["fine-tuned gpt-4o-mini"]["monthly_usd"] - amortized
    assert fine_tuned["cumulative_usd"][11] == pytest.approx(12 * recurring + amortized * 12)

    few_shot = rows["few-shot gpt-4o-mini"]
    assert few_shot["one_time_usd"] == 0
    assert few_shot["cumulative_usd"][5] == pytest.approx(6 * monthly["few-shot gpt-4o-mini"]["monthly_usd"])


def test_projection_growth_and_decline():
    result = evaluate(load_scenario("intent-routing"), break_even=False)
    flat = project(result, 24, 0.0, 0.0, 0.0)
    changed = project(result, 24, 0.5, 0.3, 0.0)
    # Month 13 has 1.5 times the volume at 0.7 times the API price: 1.05 times the month-1 token cost.
    assert changed["volumes_requests_per_month"][12] == pytest.approx(1.5 * result.volume)
    rag_flat = next(row for row in flat["deployments"] if row["kind"] == "rag")
    rag = next(row for row in changed["deployments"] if row["kind"] == "rag")
    assert rag["monthly_usd"][12] != pytest.approx(rag_flat["monthly_usd"][12])


def test_project_cli(runner):
    result = runner.invoke(
        main, ["project", "lora-land", "--months", "36", "--volume-growth", "1.0", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["volumes_requests_per_month"]) == 36
    assert all(len(row["cumulative_usd"]) == 36 for row in document["deployments"])


def test_payback_against_cheapest_smaller_investment(runner):
    result = runner.invoke(main, ["project", "intent-routing", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)["deployments"]}
    for row in rows.values():
        if row["payback_against"] is None:
            continue
        against = rows[row["payback_against"]]
        # The baseline invests less up front and is the cheapest such deployment over the projection.
        assert against["one_time_usd"] < row["one_time_usd"]
        cheaper_investors = [other for other in rows.values() if other["one_time_usd"] < row["one_time_usd"]]
        assert against["cumulative_usd"][-1] == min(other["cumulative_usd"][-1] for other in cheaper_investors)
        if row["payback_month"] is not None:
            month = row["payback_month"] - 1
            assert row["cumulative_usd"][month] <= against["cumulative_usd"][month]
    assert rows["few-shot gpt-4o-mini"]["payback_month"] is None
