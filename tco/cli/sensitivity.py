"""`tco sensitivity`: which inputs move the monthly cost and the break-even volume most."""

from __future__ import annotations

import click

from tco.cli.formats import PRICING_DIR_OPTION, TABLE_JSON_OPTION, echo_columns, echo_json, progress


@click.command()
@click.argument("scenario")
@click.option(
    "--share",
    type=click.FloatRange(0.01, 0.9),
    default=0.2,
    show_default=True,
    help="Swing of each input, as a share of its value.",
)
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True, help="Inputs to show in the table.")
@PRICING_DIR_OPTION
@TABLE_JSON_OPTION
def sensitivity(scenario: str, share: float, top: int, output_format: str) -> None:
    """Swing every number in SCENARIO down and up by --share; rank inputs by the change in monthly cost.

    Also reports the break-even volume between the two cheapest deployments at each swing.
    """
    from tco import datafiles
    from tco.analysis.sensitivity import numeric_fields
    from tco.analysis.sensitivity import sensitivity as run_sensitivity
    from tco.errors import ScenarioError
    from tco.scenario import find_scenario

    fields = len(list(numeric_fields(datafiles.read_yaml(find_scenario(scenario), ScenarioError))))
    with progress(fields, "swinging inputs") as bar:
        analysis = run_sensitivity(scenario, share, on_step=lambda: bar.update(1))
    if output_format == "json":
        echo_json(analysis)
        return

    pair = " vs ".join(analysis["break_even_pair"])
    base = analysis["base_break_even"]
    click.echo(f"{analysis['scenario']}: inputs swung by {share:.0%} (P10 to P90 where the scenario states a range); "
               f"break-even of {pair} at base: "
               + (f"{base:,.0f} requests/month" if base else "none within 100x of the volume"))  # fmt: skip
    rows = []
    for swing in analysis["swings"][:top]:
        deployment, (low, high) = max(swing["monthly_usd"].items(), key=lambda item: abs(item[1][1] - item[1][0]))
        low_crossing, high_crossing = swing["break_even"]
        rows.append(
            {
                "input": swing["field"],
                "low / base / high": " / ".join(_number(value) for value in swing["values"]),
                "most affected": deployment,
                "monthly USD low..high": f"{low:,.0f}..{high:,.0f}",
                "break-even low..high": f"{low_crossing:,.0f}..{high_crossing:,.0f}"
                if low_crossing and high_crossing
                else "-",
            }
        )
    echo_columns(rows)
    if analysis["skipped"]:
        click.echo(f"{len(analysis['skipped'])} input(s) skipped because the swung value is invalid; see --format json")


def _number(value: float) -> str:
    """Write an input value for reading: whole thousands with separators, small values as they are."""
    return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:g}"
