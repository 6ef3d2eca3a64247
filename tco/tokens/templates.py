"""Prompt templates with named variables, filled from data files.

Syntax: Python's `string.Template`: `$name` or `${name}` is a variable and
`$$` is a literal dollar sign. Substitution is plain text replacement, so a
template cannot run code.

A variable is filled in one of two ways:
- a column: one value per row of a CSV file, so the template renders once
  per row and its token count is a distribution over real rows;
- a block: rows of a CSV file rendered with a row template and joined,
  giving one fixed text (few-shot examples, a retrieval corpus chunk list).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tco.errors import DataFileError, TemplateError


def template_variables(template: str) -> list[str]:
    """Return the variable names a template uses, in order of first use."""
    names: list[str] = []
    for match in string.Template.pattern.finditer(template):
        name = match.group("named") or match.group("braced")
        if match.group("invalid") is not None:
            raise TemplateError(
                f"invalid '$' at position {match.start('invalid')} of the template; "
                "write '$$' for a literal dollar sign"
            )
        if name and name not in names:
            names.append(name)
    return names


def render(template: str, values: Mapping[str, str], source: str = "template") -> str:
    """Fill every variable; a variable with no value is an error naming it."""
    missing = [name for name in template_variables(template) if name not in values]
    if missing:
        raise TemplateError(
            f"{source}: no value for variable(s) {', '.join('$' + name for name in missing)}; "
            f"available: {', '.join(sorted(values)) or 'none'}"
        )
    return string.Template(template).substitute(values)


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV file as strings, raising DataFileError that names the file."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError as error:
        raise DataFileError(f"{path}: data file not found") from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not a readable CSV file ({error})") from error


def require_columns(frame: pd.DataFrame, columns: Sequence[str], path: Path) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}; the file has {', '.join(frame.columns)}")


@dataclass(frozen=True)
class RenderedPrompt:
    """A template rendered once per data row, or once when it has no per-row variable."""

    texts: list[str]
    per_row: bool


def render_rows(template: str, fixed: Mapping[str, str], rows: pd.DataFrame | None, source: str) -> RenderedPrompt:
    """Render a template with fixed values plus, where given, each row's columns.

    Variables not among `fixed` are read from the row's columns; with no rows,
    every variable must be fixed.
    """
    needed = template_variables(template)
    per_row_names = [name for name in needed if name not in fixed]
    if not per_row_names or rows is None:
        return RenderedPrompt([render(template, fixed, source)], per_row=False)

    missing = [name for name in per_row_names if name not in rows.columns]
    if missing:
        raise TemplateError(
            f"{source}: no value for variable(s) {', '.join('$' + name for name in missing)}; "
            f"the data has columns {', '.join(rows.columns)} and the fixed values are "
            f"{', '.join(sorted(fixed)) or 'none'}"
        )
    compiled = string.Template(template)
    columns = {name: rows[name].tolist() for name in per_row_names}
    texts = []
    for index in range(len(rows)):
        values = dict(fixed)
        for name in per_row_names:
            values[name] = columns[name][index]
        texts.append(compiled.substitute(values))
    return RenderedPrompt(texts, per_row=True)
