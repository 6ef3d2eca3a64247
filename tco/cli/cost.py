"""`tco cost`: price one request's token usage, or many identical requests."""

from __future__ import annotations

import click

from tco.cli.formats import echo_columns, echo_json


@click.command()
@click.option("--model", required=True, help="Model id or alias, as the provider's API names it.")
@click.option("--provider", help="Host of the model when several price it. Default: the model's own provider.")
@click.option(
    "--input-tokens",
    type=click.IntRange(min=0),
    required=True,
    help="All input tokens of one request, cached and cache-write ones included.",
)
@click.option("--output-tokens", type=click.IntRange(min=0), required=True, help="Output tokens of one request.")
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
    help="Input tokens written to the prompt cache (part of --input-tokens).",
)
@click.option(
    "--requests", type=click.FloatRange(min=0), default=1, show_default=True, help="Number of identical requests."
)
@click.option(
    "--service-tier",
    type=click.Choice(["standard", "batch"]),
    default="standard",
    show_default=True,
    help="Standard or batch API pricing.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def cost(
    model: str,
    provider: str | None,
    input_tokens: int,
    output_tokens: int,
    cached_input_tokens: int,
    cache_write_tokens: int,
    requests: float,
    service_tier: str,
    output_format: str,
) -> None:
    """Price token usage in USD, by token class, with the price's source and date.

    Cached and cache-write tokens replace the input rate for their share of
    --input-tokens; they are never billed on top of it.
    """
    from tco.pricing.book import bundled_price_book
    from tco.pricing.cost import TOKEN_CLASSES, effective_rates, price_usage

    row = bundled_price_book().api_model(model, provider)
    breakdown = price_usage(
        row, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, requests, service_tier
    )
    rates = effective_rates(row, service_tier)
    uncached = input_tokens - cached_input_tokens - cache_write_tokens
    tokens = {
        "input": uncached,
        "cached_input": cached_input_tokens,
        "cache_write": cache_write_tokens,
        "output": output_tokens,
    }
    document = {
        "model": row.model,
        "provider": row.provider,
        "service_tier": service_tier,
        "requests": requests,
        "usd": float(sum(float(value) for value in breakdown.values())),
        "breakdown": {key: float(value) for key, value in breakdown.items()},
        "tokens_per_request": tokens,
        "rates_usd_per_mtok": {
            key: {"usd_per_mtok": rate.usd_per_mtok, "rule": rate.rule} for key, rate in rates.items()
        },
        "source": row.source,
        "as_of": row.as_of.isoformat(),
    }
    if output_format == "json":
        echo_json(document)
        return

    table = [
        {
            "token class": key,
            "tokens/request": f"{tokens[key]:,}",
            "USD per 1M": f"{rates[key].usd_per_mtok:g}",
            "USD": f"{document['breakdown'][key]:.6f}",
            "rule": rates[key].rule,
        }
        for key in TOKEN_CLASSES
    ]
    click.echo(f"{row.provider}/{row.model}, {service_tier} tier, {requests:,g} request(s)")
    echo_columns(table, right_aligned={"tokens/request", "USD per 1M", "USD"})
    click.echo(f"total: {document['usd']:.6f} USD")
    click.echo(f"source: {row.source.strip()} (as of {document['as_of']})")
