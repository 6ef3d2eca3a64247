"""`tco limits check`: whether each API deployment fits its provider's rate limits."""

from __future__ import annotations

import click

from tco.cli.formats import PRICING_DIR_OPTION, SEED_OPTION, TABLE_JSON_OPTION, echo_json, parse_volume


@click.group()
def limits() -> None:
    """Check workloads against providers' rate limits."""


@limits.command("check")
@click.argument("scenario")
@click.option("--volume", help="Requests per month (3000000, 3e6 or 3M). Default: the scenario's.")
@click.option("--tier", help="Simulate throttling on this tier (e.g. 'Tier 1') instead of the lowest that fits.")
@SEED_OPTION
@TABLE_JSON_OPTION
@PRICING_DIR_OPTION
def check(scenario: str, volume: str | None, tier: str | None, seed: int, output_format: str) -> None:
    """For each API deployment of SCENARIO: the lowest tier that holds the peak minute, and throttling.

    Demand is counted the way each provider counts: OpenAI charges max_tokens
    up front, Anthropic leaves cache reads out of input tokens per minute.
    Throttling replays the busiest hour of the month on the scenario's
    traffic trace through a token-bucket limiter.
    """
    from tco.analysis.run import evaluate
    from tco.limits.report import limits_report
    from tco.pricing.book import active_price_book
    from tco.scenario import load_scenario

    loaded = load_scenario(scenario)
    result = evaluate(loaded, parse_volume(volume, "--volume") if volume else None)
    rows = limits_report(result, active_price_book(), tier, seed)
    if output_format == "json":
        echo_json({"scenario": result.name, "volume_requests_per_month": result.volume,
                   "peak_to_average": result.traffic.peak_to_average, "deployments": rows})  # fmt: skip
        return

    click.echo(
        f"{result.name} at {result.volume:,.0f} requests a month; peak-to-average {result.traffic.peak_to_average:.2f}"
    )
    for row in rows:
        click.echo("")
        if not row["applies"]:
            click.echo(f"{row['deployment']}: {row['reason']}")
            continue
        click.echo(
            f"{row['deployment']} ({row['provider']}/{row['model']}): lowest tier that fits: {row['lowest_fitting_tier'] or 'none'}"
        )
        for fit in row["tiers"]:
            parts = [
                f"{name} {fit['demand'][name]:,.0f}/{fit['limits'][name]:,.0f} ({fit['headroom'][name]:+.0%})"
                for name in fit["demand"]
            ]
            click.echo(f"  {fit['tier']:<8} {'fits' if fit['fits'] else 'over'}: " + ", ".join(parts))
        simulation = row["simulation"]
        click.echo(
            f"  busiest hour on {simulation['tier']}: {simulation['busiest_hour_requests']:,} requests, "
            f"{simulation['delayed_share']:.2%} delayed, {simulation['rejected_share']:.2%} rejected, "
            f"p95 added delay {simulation['p95_added_delay_s']:.2f} s; busiest minute {simulation['busiest_minute_requests']:,} requests"
        )
