"""`tco tokens`: count tokens in files with a model's real tokenizer."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tco.cli.formats import (
    FORMAT_OPTION,
    PRICING_DIR_OPTION,
    PathParameter,
    echo_columns,
    echo_csv,
    echo_json,
    progress,
)

if TYPE_CHECKING:
    from pathlib import Path

PROGRESS_MIN_FILES = 512


@click.group()
def tokens() -> None:
    """Count tokens with the real tokenizer of each model."""


@tokens.command("count")
@click.argument("paths", nargs=-1, required=True, type=PathParameter())
@click.option("--model", help="Count with this model's tokenizer (an estimate where the tokenizer is not public).")
@click.option(
    "--encoding",
    type=click.Choice(["o200k_base", "cl100k_base"]),
    help="Count with this tiktoken encoding. Default: o200k_base when no --model is given.",
)
@click.option("--as-message", is_flag=True, help="Count each file as one user chat message, with chat framing.")
@FORMAT_OPTION
@PRICING_DIR_OPTION
def count(
    paths: tuple[Path, ...], model: str | None, encoding: str | None, as_message: bool, output_format: str
) -> None:
    """Count tokens in each file, or in every text file below a folder.

    A file's text is counted as it is: special-token strings inside it are
    ordinary text. Binary and non-UTF-8 files below a folder are skipped and
    listed on stderr.
    """
    from tco.pricing.book import active_price_book
    from tco.tokens.counter import TokenCounter, counter_for_encoding
    from tco.tokens.files import count_files, text_files

    if model and encoding:
        raise click.UsageError("give --model or --encoding, not both")
    if model:
        counter = TokenCounter(active_price_book().tokenizer_for(model))
    else:
        counter = counter_for_encoding(encoding or "o200k_base")

    files, skipped = text_files(paths)
    for path in skipped:
        click.echo(f"skipped (binary or not UTF-8): {path}", err=True)

    if len(files) >= PROGRESS_MIN_FILES:
        with progress(len(files), "counting") as bar:
            results = count_files(files, counter, as_message, on_batch=bar.update)
    else:
        results = count_files(files, counter, as_message)

    rows = [
        {
            "path": result.path,
            "tokens": result.tokens,
            "characters": result.characters,
            "encoding": counter.encoding_name,
            "tokenizer": counter.label,
            "exact": counter.exact,
            "as_message": as_message,
        }
        for result in results
    ]
    if output_format == "json":
        echo_json(rows)
    elif output_format == "csv":
        echo_csv(rows)
    else:
        total = sum(row["tokens"] for row in rows)
        table = [{"path": row["path"], "tokens": f"{row['tokens']:,}"} for row in rows]
        table.append({"path": f"total ({len(rows)} file{'' if len(rows) == 1 else 's'})", "tokens": f"{total:,}"})
        echo_columns(table, right_aligned={"tokens"})
        label = counter.label if not counter.exact else f"{counter.label} (exact)"
        click.echo(f"tokenizer: {label}" + (", with chat framing" if as_message else ""))
