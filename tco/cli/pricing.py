"""`tco pricing`: the bundled price tables."""

from __future__ import annotations

import click

from tco.cli.formats import FORMAT_OPTION, PRICING_DIR_OPTION, echo_columns, echo_csv, echo_json


@click.group()
def pricing() -> None:
    """Show the bundled price tables."""


@pricing.command("list")
@click.option("--provider", help="Only models of this provider.")
@FORMAT_OPTION
@PRICING_DIR_OPTION
def list_prices(provider: str | None, output_format: str) -> None:
    """List hosted models with their prices in USD per million tokens, source and date."""
    from tco.pricing.book import active_price_book

    book = active_price_book()
    providers = sorted({row.provider for row in book.api_models})
    if provider and provider.lower() not in providers:
        raise click.BadParameter(
            f"unknown provider {provider!r}; providers: {', '.join(providers)}", param_hint="--provider"
        )
    rows = []
    for row in book.api_models:
        if provider and row.provider.lower() != provider.lower():
            continue
        rows.append(
            {
                "provider": row.provider,
                "model": row.model,
                "input_usd_per_mtok": row.input_usd_per_mtok,
                "cached_input_usd_per_mtok": row.cached_input_usd_per_mtok,
                "cache_write_usd_per_mtok": row.cache_write_usd_per_mtok,
                "output_usd_per_mtok": row.output_usd_per_mtok,
                "batch_discount": row.batch_discount,
                "tokenizer": row.tokenizer.encoding or f"{row.tokenizer.chars_per_token:g} chars/token",
                "exact_tokens": row.tokenizer.exact,
                "as_of": row.as_of.isoformat(),
                "source": " ".join(row.source.split()),
            }
        )
    if output_format == "json":
        echo_json(rows)
    elif output_format == "csv":
        echo_csv(rows)
    else:
        shown = [
            {
                "provider": row["provider"],
                "model": row["model"],
                "input": _price(row["input_usd_per_mtok"]),
                "cached": _price(row["cached_input_usd_per_mtok"]),
                "cache write": _price(row["cache_write_usd_per_mtok"]),
                "output": _price(row["output_usd_per_mtok"]),
                "as of": row["as_of"],
            }
            for row in rows
        ]
        echo_columns(shown, right_aligned={"input", "cached", "cache write", "output"})
        click.echo("USD per million tokens; '-' = not charged separately (billed at the input rate).")


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
