"""`tco run`: the main job, comparing every deployment of a scenario."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tco.cli.formats import (
    FORMAT_OPTION,
    PRICING_DIR_OPTION,
    SEED_OPTION,
    PathParameter,
    echo_csv,
    echo_json,
    parse_volume,
    parse_volume_range,
)

if TYPE_CHECKING:
    from pathlib import Path


@click.command()
@click.argument("scenario")
@click.option("--volume", help="Requests per month to report at (3000000, 3e6 or 3M). Default: the scenario's.")
@click.option(
    "--volumes",
    "volume_range",
    default="1k:1B",
    show_default=True,
    help="Range of requests per month searched for break-even volumes and drawn in the chart, as MIN:MAX.",
)
@PRICING_DIR_OPTION
@click.option(
    "--samples",
    type=click.IntRange(min=2),
    help="Draw the scenario's uncertain inputs this many times and report P10/P50/P90.",
)
@SEED_OPTION
@FORMAT_OPTION
@click.option(
    "--out",
    "out_dir",
    type=PathParameter(file_okay=False),
    help="Folder to write results.csv, results.json and the cost-versus-volume chart (PNG and SVG) into.",
)
def run(
    scenario: str,
    volume: str | None,
    volume_range: str,
    samples: int | None,
    seed: int,
    output_format: str,
    out_dir: Path | None,
) -> None:
    """Compare the monthly cost of every deployment in SCENARIO and find break-even volumes.

    SCENARIO is a scenario YAML file or the name of a bundled scenario
    (see 'tco scenarios list').
    """
    from tco.analysis.run import evaluate
    from tco.outputs.results import result_document, result_rows
    from tco.outputs.table import render_table, render_uncertainty
    from tco.scenario import load_scenario

    chosen_volume = parse_volume(volume, "--volume") if volume is not None else None
    low, high = parse_volume_range(volume_range)

    loaded = load_scenario(scenario)
    result = evaluate(loaded, chosen_volume, (low, high))
    document = result_document(result)
    _warn_stale(document)
    if samples:
        from tco.analysis.uncertainty import sample_costs, summarize_samples

        if not loaded.scenario.uncertainty:
            raise click.UsageError(f"{loaded.path} has no 'uncertainty' block, so --samples has nothing to draw")
        document["uncertainty"] = summarize_samples(result, sample_costs(result, samples, seed))

    if output_format == "json":
        echo_json(document)
    elif output_format == "csv":
        echo_csv(result_rows(document))
    else:
        click.echo(render_table(document))
        if "uncertainty" in document:
            click.echo(render_uncertainty(document["uncertainty"]))

    if out_dir is not None:
        from tco.outputs.files import write_outputs

        written = write_outputs(result, document, out_dir)
        click.echo("wrote " + ", ".join(str(path) for path in written), err=True)


STALE_DAYS = 180


def _warn_stale(document: dict) -> None:
    """Warn on stderr about prices the result used whose as_of date is more than STALE_DAYS old."""
    import datetime as dt

    today = dt.date.today()
    stale = set()
    for deployment in document["deployments"]:
        for price in deployment["details"]["prices"]:
            try:
                as_of = dt.date.fromisoformat(price["as_of"])
            except ValueError:
                continue
            if (today - as_of).days > STALE_DAYS:
                stale.add(f"{price['item']} (as of {as_of})")
    if stale:
        click.echo(
            f"warning: {len(stale)} price(s) used are more than {STALE_DAYS} days old; check them with "
            "'tco pricing stale': " + "; ".join(sorted(stale)),
            err=True,
        )
