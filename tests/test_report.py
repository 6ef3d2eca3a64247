"""The planning report: files written, the result stated, charts embedded, every assumption sourced."""

from __future__ import annotations

from tco.cli import main


def test_report_written(runner, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(main, ["report", "intent-routing", "--out", str(out)])
    assert result.exit_code == 0, result.output
    markdown = (out / "report.md").read_text()
    page = (out / "report.html").read_text()

    assert "**Question.**" in markdown
    assert "the cheapest way is" in markdown
    for chart in ("cost_vs_volume.png", "breakdown.png", "tokens.png", "cumulative.png"):
        assert (out / chart).stat().st_size > 0
        assert f"]({chart})" in markdown
    # The HTML carries its charts inside, so it opens on its own.
    assert page.count("data:image/png;base64,") == 4
    assert page.startswith("<!DOCTYPE html>")


def test_ledger_uses_stated_basis(runner, tmp_path):
    out = tmp_path / "report"
    assert runner.invoke(main, ["report", "intent-routing", "--out", str(out)]).exit_code == 0
    ledger = (out / "report.md").read_text().split("## Assumptions ledger", 1)[1]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in ledger.splitlines() if line.startswith("| ")}
    # A stated figure is sourced by its basis, a measured input by the scenario file, a price by its table row.
    assert "Assumption: the busiest hour" in rows["workload.traffic.daily_peak_factor"]
    assert "scenario file" in rows["workload.user_input.data"]
    assert "as of" in next(line for key, line in rows.items() if key.startswith("openai/gpt-4o-mini"))


def test_field_basis_explains_only_its_field():
    from tco.outputs.report import assumptions_ledger

    scenario = {
        "workload": {
            "traffic": {"trace": "t.csv", "daily_peak_factor": 2.0, "daily_peak_basis": "Busiest hour is twice."},
            "output_tokens": {"fixed": 20, "basis": "Labels are short."},
        }
    }
    ledger = {row["input"]: row["source"] for row in assumptions_ledger({"deployments": []}, scenario, "s.yaml")}
    assert ledger["workload.traffic.daily_peak_factor"] == "Busiest hour is twice."
    assert ledger["workload.traffic.trace"] == "scenario file s.yaml"
    assert ledger["workload.output_tokens.fixed"] == "Labels are short."


def test_answer_states_where_cheapest_changes():
    import numpy as np

    from tco.analysis.breakeven import total_cost
    from tco.analysis.run import evaluate
    from tco.outputs.report import cheapest_changes
    from tco.outputs.results import result_document
    from tco.scenario import load_scenario

    result = evaluate(load_scenario("intent-routing"))
    changes = cheapest_changes(result, result_document(result))
    assert changes
    names = [model.name for model in result.models]
    for volume, below, above in changes:
        costs = np.array([total_cost(model, [volume * 0.99, volume * 1.01]) for model in result.models])
        assert names[int(np.argmin(costs[:, 0]))] == below
        assert names[int(np.argmin(costs[:, 1]))] == above
    # Between two changes the same deployment stays cheapest, so each change starts where the last one ended.
    for (_, _, above), (_, below, _) in zip(changes, changes[1:]):
        assert above == below
