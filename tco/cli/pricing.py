"""`tco pricing`: the bundled price tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tco.cli.formats import (
    FORMAT_OPTION,
    PRICING_DIR_OPTION,
    TABLE_JSON_OPTION,
    PathParameter,
    echo_columns,
    echo_csv,
    echo_json,
)
from tco.errors import TcoError

if TYPE_CHECKING:
    from pathlib import Path

CHANGE_SHARE = 0.2
WRITE_FOLDER_OPTION = click.option(
    "--pricing-dir",
    "folder",
    type=PathParameter(file_okay=False),
    help="User table folder to write to. Default: $TCO_PRICING_DIR or ~/.local/share/tco/pricing.",
)


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
                "cache_write_1h_usd_per_mtok": row.cache_write_1h_usd_per_mtok,
                "batch_discount": row.batch_discount,
                "effective_from": row.effective_from.isoformat() if row.effective_from else None,
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
                "1h write": _price(row["cache_write_1h_usd_per_mtok"]),
                "output": _price(row["output_usd_per_mtok"]),
                "from": row["effective_from"] or "-",
                "as of": row["as_of"],
            }
            for row in rows
        ]
        echo_columns(shown, right_aligned={"input", "cached", "cache write", "1h write", "output"})
        click.echo("USD per million tokens; '-' = not charged separately (billed at the input rate).")


def _price(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _class_prices(prices) -> str:
    """Return a price set's token-class prices as text. An absent price shows as '-' (see docs/billing.md for its rule)."""
    return ", ".join(
        [
            f"input {_price(prices.input_usd_per_mtok)}",
            f"cached {_price(prices.cached_input_usd_per_mtok)}",
            f"cache write {_price(prices.cache_write_usd_per_mtok)}",
            f"1-hour write {_price(prices.cache_write_1h_usd_per_mtok)}",
            f"output {_price(prices.output_usd_per_mtok)}",
        ]
    )


@pricing.command("show")
@click.argument("model")
@click.option("--provider", help="Host of the model when several price it.")
@PRICING_DIR_OPTION
@TABLE_JSON_OPTION
def show(model: str, provider: str | None, output_format: str) -> None:
    """Show one model's prices, tiers, cache rule and price history, with sources."""
    from tco.pricing.book import active_price_book

    history = active_price_book().api_model_history(model, provider)
    rows = [row.model_dump(mode="json") for row in history]
    if output_format == "json":
        echo_json(rows)
        return
    current = history[-1]
    click.echo(f"{current.provider}/{current.model} (aliases: {', '.join(current.aliases) or 'none'})")
    for row in history:
        since = f"from {row.effective_from}" if row.effective_from else "first listed price"
        click.echo(f"  {since}: {_class_prices(row)} USD per million tokens")
        click.echo(f"    source: {' '.join(row.source.split())} (as of {row.as_of})")
    if current.batch_discount is not None:
        click.echo(
            f"  batch: {current.batch_discount:.0%} off"
            + (", cache included" if current.batch_discount_applies_to_cache else "")
        )
    for name, prices in current.service_tiers.items():
        click.echo(f"  {name}: {_class_prices(prices)}")
    if current.long_context:
        tier = current.long_context
        click.echo(f"  long context (input {tier.comparison} {tier.threshold_tokens:,}): {_class_prices(tier)}")
    if current.prompt_cache:
        rule = current.prompt_cache
        click.echo(
            f"  prompt cache: from {rule.min_cacheable_tokens:,} tokens, {rule.ttl_seconds:g} s lifetime, {'automatic' if rule.automatic else 'explicit'}"
        )


@pricing.command("validate")
@PRICING_DIR_OPTION
def validate(**_options) -> None:
    """Check the tables (bundled plus the user folder): schema, units and invariants.

    Exits 1 and lists every failure, each naming the file, row and field.
    """
    from tco.pricing.book import active_price_book
    from tco.pricing.validate import validate_book

    book = active_price_book()
    problems = validate_book(book)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise SystemExit(1)
    click.echo(f"valid: {len(book.api_models)} model price rows, {len(book.gpus)} GPUs in {' + '.join(book.layers)}")


@pricing.command("stale")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=180,
    show_default=True,
    help="Age in days above which a price is stale.",
)
@PRICING_DIR_OPTION
@FORMAT_OPTION
def stale(days: int, output_format: str) -> None:
    """List current prices whose as_of date is more than DAYS days old."""
    import datetime as dt

    from tco.pricing.book import active_price_book
    from tco.pricing.validate import stale_rows

    rows = stale_rows(active_price_book(), dt.date.today(), days)
    if output_format == "json":
        echo_json(rows)
    elif output_format == "csv":
        echo_csv(rows)
    else:
        if rows:
            echo_columns(rows, right_aligned={"age_days"})
        click.echo(f"{len(rows)} price(s) older than {days} days")


@pricing.command("import")
@click.option(
    "--from",
    "source",
    type=click.Choice(["genai-prices", "litellm"]),
    required=True,
    help="Where the prices come from: the installed genai-prices package, or a LiteLLM price file.",
)
@click.option(
    "--file",
    "path",
    type=PathParameter(dir_okay=False),
    help="LiteLLM's model_prices_and_context_window.json (with --from litellm).",
)
@click.option(
    "--apply",
    "apply_changes",
    is_flag=True,
    help="Write the changes as new dated rows; without it only the diff is shown.",
)
@click.option("--yes", is_flag=True, help=f"Apply even when more than {CHANGE_SHARE:.0%} of prices change.")
@click.option("--date", "on_date", help="Effective date of the imported prices (YYYY-MM-DD). Default: today.")
@WRITE_FOLDER_OPTION
@TABLE_JSON_OPTION
def import_prices(
    source: str,
    path: Path,
    apply_changes: bool,
    yes: bool,
    on_date: str | None,
    folder: Path | None,
    output_format: str,
) -> None:
    """Compare an outside price file with the tables, and with --apply add its changes as dated rows.

    Imports go to the user table folder, never into the installed package;
    old prices stay reachable with --date.
    """
    import datetime as dt

    from tco.pricing.book import load_price_book, user_pricing_dir
    from tco.pricing.importers import apply_plan, plan_genai_prices_import, plan_litellm_import

    target = folder or user_pricing_dir()
    try:
        effective = dt.date.fromisoformat(on_date) if on_date else dt.date.today()
    except ValueError as error:
        raise click.BadParameter(f"{on_date!r} is not a date; write YYYY-MM-DD", param_hint="--date") from error
    book = load_price_book(user_folders=[target])
    if source == "litellm":
        if path is None:
            raise click.UsageError("--from litellm needs --file, the path of model_prices_and_context_window.json")
        plan = plan_litellm_import(book, path, effective)
    else:
        plan = plan_genai_prices_import(book, effective)

    if output_format == "json":
        echo_json(plan.as_dict())
    else:
        click.echo(
            f"{plan.source}: {len(plan.changed)} changed, {len(plan.history)} older price(s) to add, "
            f"{plan.unchanged} unchanged, {len(plan.missing)} not in the source"
        )
        for old, new, fields in plan.changed:
            parts = [f"{name} {_price(before)} -> {after:g}" for name, (before, after) in fields.items()]
            click.echo(f"  changed {new.provider}/{new.model}: " + ", ".join(parts))
        for row in plan.history:
            click.echo(
                f"  history {row.provider}/{row.model} from {row.effective_from}: input {row.input_usd_per_mtok:g}, output {row.output_usd_per_mtok:g}"
            )
        for name in plan.missing:
            click.echo(f"  not in the source: {name}")
    if not apply_changes:
        if plan.changed or plan.history:
            click.echo(
                "nothing written; add --apply to write these as rows effective " + effective.isoformat(), err=True
            )
        return
    if plan.changed_share > CHANGE_SHARE and not yes:
        raise click.UsageError(
            f"{plan.changed_share:.0%} of prices would change, more than {CHANGE_SHARE:.0%}; review the diff and add --yes"
        )
    if plan.changed or plan.history:
        written = apply_plan(plan, target)
        click.echo(f"wrote {len(plan.changed) + len(plan.history)} dated row(s) to {written}", err=True)


@pricing.command("diff")
@click.argument("first")
@click.argument("second")
@FORMAT_OPTION
def diff(first: str, second: str, output_format: str) -> None:
    """Compare prices between two dates (YYYY-MM-DD) or two user table folders, side by side.

    A folder is layered over the bundled tables, as --pricing-dir does.
    """
    import datetime as dt

    from tco.pricing.book import active_price_book, load_price_book

    def side(argument: str):
        try:
            return active_price_book(), dt.date.fromisoformat(argument)
        except ValueError:
            from pathlib import Path

            path = Path(argument)
            if not path.is_dir():
                raise click.BadParameter(f"{argument!r} is neither a date (YYYY-MM-DD) nor a folder") from None
            return load_price_book(user_folders=[path]), None

    (book_a, date_a), (book_b, date_b) = side(first), side(second)
    fields = ("input_usd_per_mtok", "cached_input_usd_per_mtok", "cache_write_usd_per_mtok",
              "cache_write_1h_usd_per_mtok", "output_usd_per_mtok")  # fmt: skip
    keys = sorted({(row.provider, row.model) for row in (*book_a.api_models, *book_b.api_models)})
    rows = []
    for provider, model in keys:
        try:
            row_a = book_a.api_model(model, provider, date_a)
        except TcoError:
            row_a = None
        try:
            row_b = book_b.api_model(model, provider, date_b)
        except TcoError:
            row_b = None
        for name in fields:
            value_a = getattr(row_a, name) if row_a else None
            value_b = getattr(row_b, name) if row_b else None
            if value_a != value_b:
                rows.append({"model": f"{provider}/{model}", "field": name, first: value_a, second: value_b})
    if output_format == "json":
        echo_json(rows)
    elif output_format == "csv":
        echo_csv(rows)
    else:
        shown = [{key: ("-" if value is None else value) for key, value in row.items()} for row in rows]
        if shown:
            echo_columns(shown)
        click.echo(f"{len(rows)} price(s) differ")


@pricing.command("import-gpu-offers")
@click.option(
    "--file",
    "path",
    type=PathParameter(dir_okay=False),
    required=True,
    help="CSV of offers: gpu, option, provider, usd_per_hour, source, as_of, notes.",
)
@click.option("--apply", "apply_changes", is_flag=True, help="Write the offers; without it only the diff is shown.")
@WRITE_FOLDER_OPTION
@TABLE_JSON_OPTION
def import_gpu_offers(path: Path, apply_changes: bool, folder: Path | None, output_format: str) -> None:
    """Compare a CSV of GPU hourly offers with the tables; --apply adds them, keeping older prices as history."""
    from tco.pricing.book import load_price_book, user_pricing_dir
    from tco.pricing.importers import apply_offer_plan, plan_offer_import

    target = folder or user_pricing_dir()
    plan = plan_offer_import(load_price_book(user_folders=[target]), path)
    if output_format == "json":
        echo_json(plan.as_dict())
    else:
        click.echo(f"{len(plan.added)} new offer(s), {len(plan.changed)} changed, {plan.unchanged} unchanged")
        for offer in plan.added:
            click.echo(
                f"  new {offer.gpu} {offer.option} from {offer.provider}: {offer.usd_per_hour:g} USD per GPU-hour"
            )
        for old, new in plan.changed:
            click.echo(
                f"  changed {new.gpu} {new.option} from {new.provider}: {old.usd_per_hour:g} -> {new.usd_per_hour:g}"
            )
    if apply_changes and (plan.added or plan.changed):
        written = apply_offer_plan(plan, target)
        click.echo(f"wrote {len(plan.added) + len(plan.changed)} offer(s) to {written}", err=True)
