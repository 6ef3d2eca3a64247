"""`tco project`: cumulative cost per deployment over 12 to 36 months."""

from __future__ import annotations

import click

from tco.cli.formats import (
    PRICING_DIR_OPTION,
    PROJECTION_OPTIONS,
    TABLE_JSON_OPTION,
    echo_columns,
    echo_json,
    parse_volume,
)


@click.command()
@click.argument("scenario")
@click.option("--volume", help="Requests in the first month (3000000, 3e6 or 3M). Default: the scenario's.")
@PROJECTION_OPTIONS
@PRICING_DIR_OPTION
@TABLE_JSON_OPTION
def project(
    scenario: str,
    months: int,
    volume: str | None,
    volume_growth: float,
    api_price_decline: float,
    gpu_price_decline: float,
    output_format: str,
) -> None:
    """Project each deployment's monthly and cumulative cost, with one-time costs paid up front and their payback month."""
    from tco.analysis.project import project as run_projection
    from tco.analysis.run import evaluate
    from tco.scenario import load_scenario

    result = evaluate(load_scenario(scenario), parse_volume(volume, "--volume") if volume else None, break_even=False)
    document = run_projection(result, months, volume_growth, api_price_decline, gpu_price_decline)
    if output_format == "json":
        echo_json(document)
        return

    checkpoints = [month for month in (1, 6, 12, 24, 36) if month <= months]
    rows = []
    for deployment in document["deployments"]:
        row = {"deployment": deployment["name"], "one-time USD": f"{deployment['one_time_usd']:,.2f}"}
        for month in checkpoints:
            row[f"month {month}"] = f"{deployment['cumulative_usd'][month - 1]:,.0f}"
        row["payback month"] = deployment["payback_month"] or "-"
        row["payback against"] = deployment["payback_against"] or "-"
        rows.append(row)
    click.echo(
        f"{document['scenario']}: cumulative USD over {months} months; volume {document['volume_growth_per_year']:+.0%} a year, "
        f"API prices {-document['api_price_decline_per_year']:+.0%}, GPU prices {-document['gpu_price_decline_per_year']:+.0%}"
    )
    echo_columns(rows, right_aligned={key for key in rows[0] if key not in ("deployment", "payback against")})
    click.echo(
        "payback: the month a deployment's cumulative cost falls to that of the cheapest deployment with a "
        "smaller one-time cost ('-': never within the projection, or nothing to pay back)"
    )
