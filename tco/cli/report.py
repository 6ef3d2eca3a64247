"""`tco report`: a Markdown and HTML planning report with charts and an assumptions ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tco.cli.formats import PRICING_DIR_OPTION, PathParameter, parse_volume

if TYPE_CHECKING:
    from pathlib import Path


@click.command()
@click.argument("scenario")
@click.option(
    "--out",
    "out_dir",
    type=PathParameter(file_okay=False),
    required=True,
    help="Folder to write report.md, report.html and the charts into.",
)
@click.option("--volume", help="Requests per month to report at (3000000, 3e6 or 3M). Default: the scenario's.")
@click.option(
    "--months", type=click.IntRange(12, 36), default=24, show_default=True, help="Months of the cumulative-cost chart."
)
@PRICING_DIR_OPTION
def report(scenario: str, out_dir: Path, volume: str | None, months: int) -> None:
    """Write a self-contained report of SCENARIO: question, answer, charts and every assumption with its source."""
    from tco import datafiles
    from tco.analysis.project import project
    from tco.analysis.run import evaluate
    from tco.errors import ScenarioError
    from tco.outputs import planning_charts
    from tco.outputs.charts import cost_volume_chart
    from tco.outputs.files import price_dates, write_outputs
    from tco.outputs.report import write_report
    from tco.outputs.results import result_document
    from tco.scenario import load_scenario

    loaded = load_scenario(scenario)
    result = evaluate(loaded, parse_volume(volume, "--volume") if volume else None)
    document = result_document(result)
    write_outputs(result, document, out_dir)
    subtitle = f"prices and specs dated {price_dates(document)}"
    charts = {
        "Cost against volume": out_dir / "cost_vs_volume.png",
        "Cost by component": out_dir / "breakdown.png",
        "Tokens per request": out_dir / "tokens.png",
        f"Cumulative cost over {months} months": out_dir / "cumulative.png",
    }
    cost_volume_chart(result, [charts["Cost against volume"]], price_dates(document))
    planning_charts.breakdown_chart(document, charts["Cost by component"], subtitle)
    planning_charts.token_chart(document, charts["Tokens per request"], subtitle)
    planning_charts.cumulative_chart(
        project(result, months, 0.0, 0.0, 0.0), charts[f"Cumulative cost over {months} months"], subtitle
    )
    scenario_document = datafiles.read_yaml(loaded.path, ScenarioError)
    written = write_report(result, document, scenario_document, out_dir, charts)
    click.echo("wrote " + ", ".join(str(path) for path in written), err=True)
