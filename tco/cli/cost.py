"""`tco cost`: price one request's token usage, many identical requests, or a usage log."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from tco.cli.formats import PRICING_DIR_OPTION, TABLE_JSON_OPTION, PathParameter, echo_columns, echo_json

if TYPE_CHECKING:
    from pathlib import Path

TOKEN_OPTIONS = [
    ("input_tokens", "All input tokens of one request, cached and cache-write ones included."),
    ("output_tokens", "All output tokens of one request, reasoning tokens included."),
]


def _parse_date(_context, _parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from error


def _parse_month(_context, _parameter, value: str | None) -> tuple[dt.date, dt.date] | None:
    if value is None:
        return None
    try:
        first = dt.date.fromisoformat(value + "-01")
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not a month; write YYYY-MM") from error
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following


@click.command()
@click.option(
    "--model",
    help="Model id or alias, as the provider's API names it. With --usage: the model of records that name none.",
)
@click.option("--provider", help="Host of the model when several price it. Default: the model's own provider.")
@click.option(
    "--input-tokens",
    type=click.IntRange(min=0),
    help="All input tokens of one request, cached and cache-write ones included.",
)
@click.option(
    "--output-tokens", type=click.IntRange(min=0), help="All output tokens of one request, reasoning tokens included."
)
@click.option(
    "--cached-input-tokens",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Input tokens read from the prompt cache (part of --input-tokens).",
)
@click.option(
    "--cache-write-tokens",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Input tokens written to the cache with a 5-minute lifetime (part of --input-tokens).",
)
@click.option(
    "--cache-write-1h-tokens",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Input tokens written to the cache with a 1-hour lifetime (part of --input-tokens, not counted again in --cache-write-tokens).",
)
@click.option(
    "--reasoning-tokens",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Reasoning tokens (part of --output-tokens).",
)
@click.option(
    "--requests", type=click.FloatRange(min=0), default=1, show_default=True, help="Number of identical requests."
)
@click.option(
    "--service-tier",
    type=click.Choice(["standard", "batch", "flex", "priority"]),
    default="standard",
    show_default=True,
    help="Service tier the requests ran in.",
)
@click.option(
    "--endpoint",
    type=click.Choice(["global", "regional"]),
    default="global",
    show_default=True,
    help="Global or regional (data-residency) endpoint.",
)
@click.option(
    "--date", "on_date", callback=_parse_date, help="Price as of this day (YYYY-MM-DD). Default: the newest prices."
)
@click.option(
    "--month",
    callback=_parse_month,
    help="Spread the requests evenly over this month (YYYY-MM), splitting it where a price changes.",
)
@click.option(
    "--usage",
    "usage_file",
    type=PathParameter(dir_okay=False),
    help=(
        "Price a usage file instead: tco's CSV log, or provider usage objects (JSON or JSON Lines) with "
        "--usage-format. CSV columns: model, input_tokens and output_tokens (required; input counts cached "
        "tokens too), and optional cached_input_tokens, cache_write_tokens, cache_write_1h_tokens, "
        "reasoning_tokens, requests, provider, date (YYYY-MM-DD), service_tier and endpoint."
    ),
)
@click.option(
    "--usage-format",
    type=click.Choice(["csv", "openai", "anthropic", "gemini"]),
    help="Format of --usage. Default: csv for .csv files.",
)
@TABLE_JSON_OPTION
@PRICING_DIR_OPTION
def cost(**options) -> None:
    """Price token usage in USD, by token class, with the price's source and date.

    Cached and cache-write tokens replace the input rate for their share of
    --input-tokens; they are never billed on top of it. Reasoning tokens are
    part of --output-tokens and billed at the output rate. A long-context
    tier, where the model has one, reprices the whole request.
    """
    if options["usage_file"] is not None:
        given = [name for name in ("input_tokens", "output_tokens", "month") if options[name] is not None]
        given += [
            name
            for name in ("cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens")
            if options[name]
        ]
        if options["requests"] != 1:
            given.append("requests")
        if given:
            raise click.UsageError(
                "--usage prices the file's own counts; drop "
                + ", ".join("--" + name.replace("_", "-") for name in given)
            )
        _price_usage_file(options)
        return
    missing = [name for name in ("model", "input_tokens", "output_tokens") if options[name] is None]
    if missing:
        raise click.UsageError(
            "missing " + ", ".join("--" + name.replace("_", "-") for name in missing) + " (or give --usage FILE)"
        )
    if options["on_date"] and options["month"]:
        raise click.UsageError("give --date or --month, not both")
    _price_one(options)


def _price_one(options: dict) -> None:
    from tco.pricing.book import active_price_book
    from tco.pricing.cost import Rate, Usage, effective_rates, price
    from tco.pricing.history import month_periods

    book = active_price_book()
    tier, endpoint = options["service_tier"], options["endpoint"]
    periods = (
        month_periods(book, options["model"], options["provider"], *options["month"])
        if options["month"]
        else [(book.api_model(options["model"], options["provider"], options["on_date"]), 1.0)]
    )
    usage_args = dict(
        input_tokens=options["input_tokens"],
        output_tokens=options["output_tokens"],
        cached_input_tokens=options["cached_input_tokens"],
        cache_write_tokens=options["cache_write_tokens"],
        cache_write_1h_tokens=options["cache_write_1h_tokens"],
        reasoning_tokens=options["reasoning_tokens"],
    )
    breakdown: dict[str, float] = {}
    priced_periods = []
    for row, share in periods:
        usage = Usage(**usage_args, requests=options["requests"] * share)
        long_context = bool(usage.passes_threshold(row))
        for key, value in price(row, usage, tier, endpoint).items():
            breakdown[key] = breakdown.get(key, 0.0) + float(value)
        rates = effective_rates(row, tier, endpoint, long_context)
        priced_periods.append((row, share, rates, long_context))

    tokens = Usage(**usage_args).by_class()
    row, _, rates, long_context = priced_periods[-1]
    if len(priced_periods) > 1:
        # Over a month with a price change, each class's rate is the request-weighted mean of the periods' rates.
        rates = {
            key: Rate(
                sum(share * period_rates[key].usd_per_mtok for _, share, period_rates, _ in priced_periods),
                "blended: "
                + "; ".join(
                    f"{share:.0%} at {period_rates[key].usd_per_mtok:g} ({period_rates[key].rule})"
                    for _, share, period_rates, _ in priced_periods
                ),
            )
            for key in rates
        }
    if options["input_tokens"] + options["output_tokens"] > row.context_window_tokens:
        raise click.UsageError(
            f"{options['input_tokens']:,} input + {options['output_tokens']:,} output tokens exceed "
            f"{row.model}'s {row.context_window_tokens:,}-token context window"
        )
    document = {
        "model": row.model,
        "provider": row.provider,
        "service_tier": tier,
        "endpoint": endpoint,
        "requests": options["requests"],
        "usd": sum(breakdown.values()),
        "breakdown": breakdown,
        "tokens_per_request": {key: float(value) for key, value in tokens.items()},
        "long_context_tier": long_context,
        "rates_usd_per_mtok": {
            key: {"usd_per_mtok": rate.usd_per_mtok, "rule": rate.rule} for key, rate in rates.items()
        },
        "source": row.source,
        "as_of": row.as_of.isoformat(),
        "price_periods": [
            {
                "effective_from": period_row.effective_from.isoformat() if period_row.effective_from else None,
                "share_of_requests": round(share, 6),
                "source": period_row.source,
                "as_of": period_row.as_of.isoformat(),
            }
            for period_row, share, _, _ in priced_periods
        ],
    }
    if options["output_format"] == "json":
        echo_json(document)
        return

    click.echo(f"{row.provider}/{row.model}, {tier} tier, {endpoint} endpoint, {options['requests']:,g} request(s)")
    if long_context:
        click.echo(
            f"long-context tier: input passes {row.long_context.comparison} {row.long_context.threshold_tokens:,} tokens, so every token class is repriced"
        )
    if len(priced_periods) > 1:
        shares = ", ".join(
            f"{share:.0%} from {period.effective_from or 'the first listed price'}"
            for period, share, _, _ in priced_periods
        )
        click.echo(f"the month spans a price change: {shares}")
    table = [
        {
            "token class": key,
            "tokens/request": f"{tokens[key]:,.0f}",
            "USD per 1M": f"{rates[key].usd_per_mtok:g}",
            "USD": f"{breakdown[key]:.6f}",
            "rule": rates[key].rule,
        }
        for key in tokens
    ]
    echo_columns(table, right_aligned={"tokens/request", "USD per 1M", "USD"})
    if breakdown.get("request_fees"):
        click.echo(f"request fees: {breakdown['request_fees']:.6f} USD")
    click.echo(f"total: {document['usd']:.6f} USD")
    click.echo(f"source: {' '.join(row.source.split())} (as of {document['as_of']})")


def _price_usage_file(options: dict) -> None:
    from tco.pricing.book import active_price_book
    from tco.pricing.usage import price_usage_frame, read_usage_csv, read_usage_objects, summarize

    path: Path = options["usage_file"]
    usage_format = options["usage_format"] or ("csv" if path.suffix.lower() == ".csv" else None)
    if usage_format is None:
        raise click.UsageError("--usage-format is needed for a file that is not .csv: openai, anthropic or gemini")
    if usage_format == "csv":
        frame = read_usage_csv(path, options["model"])
    else:
        frame = read_usage_objects(path, usage_format, options["model"])

    priced = price_usage_frame(
        active_price_book(),
        frame,
        options["provider"],
        options["service_tier"],
        options["endpoint"],
        options["on_date"],
    )
    summary = summarize(priced)
    if options["output_format"] == "json":
        echo_json(summary)
        return

    click.echo(f"{summary['records']:,} records, {summary['requests']:,.0f} requests: {summary['usd']:,.4f} USD")
    rows = []
    for model in summary["by_model"]:
        for token_class, usd in model["breakdown"].items():
            if usd:
                rows.append(
                    {
                        "provider": model["provider"],
                        "model": model["model"],
                        "token class": token_class,
                        "USD": f"{usd:,.4f}",
                    }
                )
        rows.append(
            {
                "provider": model["provider"],
                "model": model["model"],
                "token class": "total",
                "USD": f"{model['usd']:,.4f}",
            }
        )
    echo_columns(rows, right_aligned={"USD"})
