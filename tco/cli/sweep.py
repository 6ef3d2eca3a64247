"""`tco sweep`: a scenario's monthly costs over a grid of input values."""

from __future__ import annotations

import math

import click

from tco.cli.formats import FORMAT_OPTION, PRICING_DIR_OPTION, echo_columns, echo_csv, echo_json, progress


@click.command()
@click.argument("scenario")
@click.option(
    "--param",
    "params",
    multiple=True,
    required=True,
    help="PATH=V1,V2,...: a scenario field by dotted path (list items by index) and the values to try. Repeat for a grid.",
)
@PRICING_DIR_OPTION
@FORMAT_OPTION
def sweep(scenario: str, params: tuple[str, ...], output_format: str) -> None:
    """Run SCENARIO over every combination of --param values; one row per combination and deployment.

    Example: tco sweep intent-routing --param workload.requests_per_month=1e6,3e6,1e7
    --param deployments.3.lora_rank=8,16
    """
    from tco.analysis.sweep import parse_parameter
    from tco.analysis.sweep import sweep as run_sweep

    parameters = [parse_parameter(text) for text in params]
    steps = math.prod(len(parameter.values) for parameter in parameters)
    with progress(steps, "sweeping") as bar:
        rows = run_sweep(scenario, parameters, on_step=lambda: bar.update(1))

    if output_format == "json":
        echo_json(rows)
    elif output_format == "csv":
        echo_csv(rows)
    else:
        shown = [
            {**{key: value for key, value in row.items() if key not in ("kind", "usd_per_request", "monthly_usd")},
             "monthly_usd": f"{row['monthly_usd']:,.2f}", "usd_per_request": f"{row['usd_per_request']:.6f}"}
            for row in rows
        ]  # fmt: skip
        echo_columns(shown, right_aligned={"monthly_usd", "usd_per_request", "volume_requests_per_month"})
