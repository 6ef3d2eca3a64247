"""Shared option and printing helpers of the CLI commands."""

from __future__ import annotations

import re

import click


class PathParameter(click.Path):
    """click.Path that hands the command a pathlib.Path, importing pathlib only when a path is given.

    Keeping pathlib, json and csv out of the modules' import keeps `tco --help` quick.
    """

    def convert(self, value, param, ctx):
        from pathlib import Path

        return Path(super().convert(value, param, ctx))


FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def _set_pricing_dir(_context, _parameter, value):
    from tco.pricing.book import use_pricing_dir

    use_pricing_dir(value)
    return value


def _set_overrides(_context, _parameter, value):
    from tco.pricing.book import use_overrides

    use_overrides(value)
    return value


_PRICING_DIR = click.option(
    "--pricing-dir",
    type=PathParameter(file_okay=False),
    callback=_set_pricing_dir,
    expose_value=False,
    is_eager=True,
    help="User price table folder layered over the bundled tables. Default: $TCO_PRICING_DIR or ~/.local/share/tco/pricing.",
)
_PRICING_FILE = click.option(
    "--pricing",
    type=PathParameter(dir_okay=False),
    callback=_set_overrides,
    expose_value=False,
    is_eager=True,
    help="Override file layered over all tables: negotiated discounts, private models, internal GPU costs.",
)


def PRICING_DIR_OPTION(function):  # noqa: N802 - used as a decorator like click's options
    """Add --pricing-dir and --pricing to a command that reads prices."""
    return _PRICING_DIR(_PRICING_FILE(function))


_MONTHS = click.option(
    "--months", type=click.IntRange(12, 36), default=24, show_default=True, help="Months to project, 12 to 36."
)
_VOLUME_GROWTH = click.option(
    "--volume-growth",
    type=click.FloatRange(min=-0.99),
    default=0.0,
    show_default=True,
    help="Yearly volume growth, 0.5 for +50% a year.",
)


def _yearly_decline(flag: str, what: str):
    return click.option(
        flag, type=click.FloatRange(0, 0.99), default=0.0, show_default=True, help=f"Yearly fall of {what}."
    )


_API_PRICE_DECLINE = _yearly_decline("--api-price-decline", "hosted-API prices, 0.3 for -30% a year")
_GPU_PRICE_DECLINE = _yearly_decline("--gpu-price-decline", "GPU prices")


def PROJECTION_OPTIONS(function):  # noqa: N802 - used as a decorator like click's options
    """Add --months, --volume-growth, --api-price-decline and --gpu-price-decline, checked to their ranges."""
    return _MONTHS(_VOLUME_GROWTH(_API_PRICE_DECLINE(_GPU_PRICE_DECLINE(function))))


def progress(length: int, label: str):
    """Return a progress bar on stderr when a person watches it, or a silent stand-in when stderr is a file or pipe."""
    import contextlib
    import sys

    if sys.stderr.isatty():
        return click.progressbar(length=length, label=label, file=sys.stderr)
    return contextlib.nullcontext(_SilentBar())


class _SilentBar:
    def update(self, steps: int) -> None:
        pass


SEED_OPTION = click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the random draws (0 or more); the same seed gives the same result.",
)

TABLE_JSON_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)

_SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9}
_NUMBER = re.compile(r"^\s*(-?[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([kmbg]?)\s*$", re.IGNORECASE)


def parse_volume(text: str, option: str) -> float:
    """Parse a request count such as 3000000, 3e6 or 3M (k = thousand, M = million, B = billion)."""
    match = _NUMBER.match(text)
    if not match:
        raise click.BadParameter(f"{text!r} is not a number; write e.g. 3000000, 3e6 or 3M", param_hint=option)
    value = float(match.group(1)) * _SUFFIXES.get(match.group(2).lower(), 1.0)
    if value <= 0:
        raise click.BadParameter(f"{text!r} must be positive", param_hint=option)
    return value


def parse_volume_range(text: str) -> tuple[float, float]:
    """Parse MIN:MAX, such as 1k:1B."""
    parts = text.split(":")
    if len(parts) != 2:
        raise click.BadParameter(f"{text!r} is not MIN:MAX, e.g. 1k:1B", param_hint="--volumes")
    low, high = (parse_volume(part, "--volumes") for part in parts)
    if low >= high:
        raise click.BadParameter(f"MIN must be below MAX in {text!r}", param_hint="--volumes")
    return low, high


def echo_json(data) -> None:
    import json

    click.echo(json.dumps(data, indent=2))


def echo_csv(rows: list[dict]) -> None:
    if not rows:
        return
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    click.echo(buffer.getvalue(), nl=False)


def echo_columns(rows: list[dict], right_aligned: set[str] = frozenset()) -> None:
    """Print dicts as aligned text columns, keys as the header."""
    if not rows:
        return
    keys = list(rows[0])
    cells = [keys] + [[str(row[key]) for key in keys] for row in rows]
    widths = [max(len(line[index]) for line in cells) for index in range(len(keys))]
    for line in cells:
        parts = [
            value.rjust(widths[i]) if keys[i] in right_aligned else value.ljust(widths[i])
            for i, value in enumerate(line)
        ]
        click.echo("  ".join(parts).rstrip())
