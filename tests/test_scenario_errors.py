"""Scenario files with mistakes: each error names the file, the field and the value."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from tco.cli import main
from tco.errors import ScenarioError, TemplateError
from tco.scenario import bundled_scenarios, load_scenario


def _bundled_document() -> dict:
    return yaml.safe_load(bundled_scenarios()["intent-routing"].read_text())


def _write(tmp_path, document) -> str:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return str(path)


def test_negative_volume_names_field_and_value(tmp_path):
    document = _bundled_document()
    document["workload"]["requests_per_month"] = -5
    path = _write(tmp_path, document)

    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert path in message
    assert "workload.requests_per_month" in message
    assert "-5" in message


def test_unknown_deployment_kind_names_row(tmp_path):
    document = _bundled_document()
    document["deployments"][1]["kind"] = "fine_tuned"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_write(tmp_path, document))
    message = str(caught.value)
    assert "deployments[1] (rag gpt-4o-mini)" in message
    assert "fine_tuned" in message


def test_unknown_field_rejected(tmp_path):
    document = _bundled_document()
    document["workload"]["request_per_month"] = 10
    with pytest.raises(ScenarioError, match="workload.request_per_month"):
        load_scenario(_write(tmp_path, document))


def test_invalid_yaml_names_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("workload: [unclosed\n")
    with pytest.raises(ScenarioError, match="invalid YAML"):
        load_scenario(str(path))


def test_missing_template_variable_named(tmp_path):
    from tco.analysis.run import evaluate

    document = _bundled_document()
    for relative in ("data", "intent-routing"):
        (tmp_path / relative).symlink_to(bundled_scenarios()["intent-routing"].parent / relative)
    document["workload"]["user_input"]["text"] = "$text from $customer_name"
    with pytest.raises(TemplateError) as caught:
        evaluate(load_scenario(_write(tmp_path, document)))
    assert "$customer_name" in str(caught.value)
    # The error names the field that contains the template, not the first deployment that renders it.
    assert "workload.user_input (inline text)" in str(caught.value)
    assert "deployment" not in str(caught.value)


def test_lone_dollar_names_template_field(tmp_path):
    from tco.analysis.run import evaluate

    document = _bundled_document()
    for relative in ("data", "intent-routing"):
        (tmp_path / relative).symlink_to(bundled_scenarios()["intent-routing"].parent / relative)
    document["deployments"][2]["system_prompt"]["text"] = "Answer in $ only."
    with pytest.raises(TemplateError, match=r"deployments\.2\.system_prompt \(inline text\): invalid '\$'"):
        evaluate(load_scenario(_write(tmp_path, document)))


def test_unknown_scenario_lists_bundled():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("no-such-scenario")
    assert "intent-routing" in str(caught.value)


def test_cli_scenario_error_exit_code_and_message(tmp_path, runner):
    document = _bundled_document()
    document["workload"]["max_tokens"] = "lots"
    result = runner.invoke(main, ["run", _write(tmp_path, document)])
    assert result.exit_code == 1
    assert "workload.max_tokens" in result.output
    assert "'lots'" in result.output
    assert "Traceback" not in result.output


def test_cli_unknown_model_in_scenario(tmp_path, runner):
    document = _bundled_document()
    for relative in ("data", "intent-routing"):
        (tmp_path / relative).symlink_to(bundled_scenarios()["intent-routing"].parent / relative)
    document["deployments"][0]["model"] = "gpt-4o-mimi"
    result = runner.invoke(main, ["run", _write(tmp_path, document)])
    assert result.exit_code == 1
    assert "unknown model 'gpt-4o-mimi'" in result.output
    assert "gpt-4o-mini" in result.output


def test_stated_distribution_needs_basis(tmp_path):
    scenario = textwrap.dedent(
        """
        workload:
          output_tokens: {fixed: 10}
        """
    )
    path = tmp_path / "partial.yaml"
    path.write_text(scenario)
    with pytest.raises(ScenarioError, match="basis"):
        load_scenario(str(path))
