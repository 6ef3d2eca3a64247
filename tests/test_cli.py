"""The `tco` command line, run through click's CliRunner and as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from tco.cli import main


@pytest.fixture(scope="module")
def run_json():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["run", "intent-routing", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_run_json_fields(run_json):
    assert run_json["scenario"] == "intent-routing"
    assert run_json["volume_requests_per_month"] == 3_000_000
    kinds = {row["kind"] for row in run_json["deployments"]}
    assert kinds == {"long_prompt", "rag", "fine_tuned_api", "self_hosted_lora"}
    for row in run_json["deployments"]:
        assert set(row) >= {"name", "kind", "monthly_usd", "usd_per_request", "breakdown"}
        assert sum(row["breakdown"].values()) == pytest.approx(row["monthly_usd"])
        assert row["usd_per_request"] == pytest.approx(row["monthly_usd"] / 3_000_000)
        assert row["monthly_usd"] > 0
    for pair in run_json["break_even"]:
        assert set(pair) >= {"a", "b", "volumes_requests_per_month"}


def test_run_uses_measured_real_tokens(run_json):
    rows = {row["kind"]: row for row in run_json["deployments"]}
    few_shot = rows["long_prompt"]["details"]["input_tokens_per_request"]
    # The user inputs are the 3,080 banking77 test queries: a measured distribution, counted exactly.
    assert few_shot["samples"] == 3080
    assert few_shot["exact"] is True
    assert few_shot["p95"] > few_shot["p50"]
    # The test extras install mistral-common, so Mistral 7B is counted with its own tokenizer.
    mistral = rows["self_hosted_lora"]["details"]["input_tokens_per_request"]
    assert mistral["exact"] is True
    assert mistral["tokenizer"] == "mistral-common v1"
    # Fine-tuning trains on the 10,003 training rows.
    assert rows["fine_tuned_api"]["details"]["training"]["examples"] == 10003


def test_run_traffic_from_trace(run_json):
    traffic = run_json["traffic"]
    assert traffic["trace_peak_to_average"] > 1
    assert traffic["peak_to_average"] == pytest.approx(
        traffic["trace_peak_to_average"] * traffic["daily_peak_factor"], rel=1e-3
    )


def test_run_volume_option_scales_api_costs(runner):
    result = runner.invoke(main, ["run", "intent-routing", "--volume", "6M", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["volume_requests_per_month"] == 6_000_000


def test_run_writes_files(runner, tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(main, ["run", "intent-routing", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Break-even volumes" in result.output
    for name in ("results.csv", "results.json", "cost_vs_volume.png", "cost_vs_volume.svg"):
        assert (out / name).stat().st_size > 0
    assert (out / "cost_vs_volume.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (out / "cost_vs_volume.svg").read_text()[:500]
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert {row["component"] for row in rows} >= {"total", "output tokens"}


def test_lora_land_runs(runner):
    result = runner.invoke(main, ["run", "lora-land"])
    assert result.exit_code == 0, result.output
    assert "25 tasks, each its own deployment" in result.output
    assert "one replica serves up to" in result.output
    assert "memory per replica (GiB)" in result.output


def test_run_csv_format(runner):
    result = runner.invoke(main, ["run", "intent-routing", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    totals = [row for row in rows if row["component"] == "total"]
    assert len(totals) == 4


def test_run_bad_volume_range(runner):
    result = runner.invoke(main, ["run", "intent-routing", "--volumes", "5M:1k"])
    assert result.exit_code == 2
    assert "MIN must be below MAX" in result.output


def test_scenarios_list(runner):
    result = runner.invoke(main, ["scenarios", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [row["name"] for row in json.loads(result.stdout)] == ["docs-assistant", "intent-routing", "lora-land"]


def test_tokens_count_folder_json(runner, tmp_path):
    (tmp_path / "a.txt").write_text("Hello world")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("Good morning to you all")
    (tmp_path / "image.bin").write_bytes(b"\x00\x01\x02")
    result = runner.invoke(main, ["tokens", "count", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(row["path"].split("/")[-1], row["tokens"]) for row in rows] == [("a.txt", 2), ("b.md", 5)]
    assert all(row["encoding"] == "o200k_base" and row["exact"] is True for row in rows)


def test_tokens_count_as_message_adds_framing(runner, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Hello world")
    plain = json.loads(runner.invoke(main, ["tokens", "count", str(path), "--format", "json"]).output)
    framed = json.loads(runner.invoke(main, ["tokens", "count", str(path), "--as-message", "--format", "json"]).output)
    # 3 per message + 1 for the role "user" + 3 to prime the reply.
    assert framed[0]["tokens"] - plain[0]["tokens"] == 7


def test_tokens_count_estimated_model(runner, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Hello world " * 100)
    result = runner.invoke(main, ["tokens", "count", str(path), "--model", "claude-sonnet-4-5", "--format", "json"])
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)[0]
    assert row["exact"] is False
    assert row["tokenizer"].startswith("estimate:")


def test_tokens_count_missing_path(runner, tmp_path):
    result = runner.invoke(main, ["tokens", "count", str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_python_m_tco_help():
    completed = subprocess.run([sys.executable, "-m", "tco", "--help"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0
    for command in ("run", "tokens", "cost", "scenarios", "pricing"):
        assert command in completed.stdout


def test_python_m_tco_run_output_and_exit_codes(tmp_path):
    # `python -m tco` ends the process with os._exit after the command; output must still arrive whole.
    completed = subprocess.run(
        [sys.executable, "-m", "tco", "run", "intent-routing", "--format", "json", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert {row["name"] for row in document["deployments"]} >= {"few-shot gpt-4o-mini", "fine-tuned gpt-4o-mini"}
    assert json.loads((tmp_path / "results.json").read_text())["scenario"] == document["scenario"]

    failed = subprocess.run(
        [sys.executable, "-m", "tco", "run", "no-such-scenario"], capture_output=True, text=True, check=False
    )
    assert failed.returncode == 1
    assert "no-such-scenario" in failed.stderr
    assert "Traceback" not in failed.stderr
    misused = subprocess.run(
        [sys.executable, "-m", "tco", "run", "--samples", "1", "x"], capture_output=True, text=True, check=False
    )
    assert misused.returncode == 2


@pytest.mark.parametrize(
    "command",
    [["run"], ["tokens", "count"], ["cost"], ["scenarios", "list"], ["pricing", "list"]],
)
def test_every_command_has_help(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
