"""`tco scenarios`: the scenarios bundled with tco."""

from __future__ import annotations

import click

from tco.cli.formats import FORMAT_OPTION, echo_columns, echo_csv, echo_json


@click.group()
def scenarios() -> None:
    """List the scenarios bundled with tco."""


@scenarios.command("list")
@FORMAT_OPTION
def list_scenarios(output_format: str) -> None:
    """List bundled scenarios: name and question (and file, in JSON and CSV)."""
    from tco.scenario import bundled_scenarios, load_scenario

    rows = []
    for name, path in bundled_scenarios().items():
        scenario = load_scenario(str(path)).scenario
        rows.append({"name": name, "question": scenario.question, "file": str(path)})

    if output_format == "json":
        echo_json(rows)
    elif output_format == "csv":
        echo_csv(rows)
    else:
        echo_columns([{"name": row["name"], "question": row["question"]} for row in rows])
        if rows:
            from pathlib import Path

            click.echo(f"files: {Path(rows[0]['file']).parent}")
