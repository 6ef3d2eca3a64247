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
from collections.abc import Mapping
from dataclasses import dataclass

from tco.errors import TemplateError
from tco.tables import Table


def template_variables(template: str, source: str = "template") -> list[str]:
    """Return the variable names a template uses, in order of first use; `source` names the template in errors."""
    names: list[str] = []
    for match in string.Template.pattern.finditer(template):
        name = match.group("named") or match.group("braced")
        if match.group("invalid") is not None:
            raise TemplateError(
                f"{source}: invalid '$' at position {match.start('invalid')} of the template; "
                "write '$$' for a literal dollar sign"
            )
        if name and name not in names:
            names.append(name)
    return names


def render(template: str, values: Mapping[str, str], source: str = "template") -> str:
    """Fill every variable; a variable with no value is an error naming it."""
    missing = [name for name in template_variables(template, source) if name not in values]
    if missing:
        raise TemplateError(
            f"{source}: no value for variable(s) {', '.join('$' + name for name in missing)}; "
            f"available: {', '.join(sorted(values)) or 'none'}"
        )
    return string.Template(template).substitute(values)


@dataclass(frozen=True)
class RenderedPrompt:
    """A template rendered once per data row, or once when it has no per-row variable."""

    texts: list[str]
    per_row: bool


def render_rows(template: str, fixed: Mapping[str, str], rows: Table | None, source: str) -> RenderedPrompt:
    """Render a template with fixed values plus, where given, each row's columns.

    Variables not among `fixed` are read from the row's columns; with no rows,
    every variable must be fixed.
    """
    needed = template_variables(template, source)
    per_row_names = [name for name in needed if name not in fixed]
    if not per_row_names or rows is None:
        return RenderedPrompt([render(template, fixed, source)], per_row=False)

    missing = [name for name in per_row_names if name not in rows.columns]
    if missing:
        raise TemplateError(
            f"{source}: no value for variable(s) {', '.join('$' + name for name in missing)}; "
            f"the data has columns {', '.join(rows.names)} and the fixed values are "
            f"{', '.join(sorted(fixed)) or 'none'}"
        )
    row_format = _row_format(template, fixed, per_row_names)
    texts = list(map(row_format.format, *(rows.column(name) for name in per_row_names)))
    return RenderedPrompt(texts, per_row=True)


def _row_format(template: str, fixed: Mapping[str, str], per_row_names: list[str]) -> str:
    """Turn a template into a `str.format` string: fixed values in place, per-row variables as {0}, {1}, ...

    Rendering each row is then one call in C, with the same text as
    `string.Template.substitute`. Braces in the template and in fixed values
    are doubled so that they stay literal.
    """
    parts = []
    position = 0
    for match in string.Template.pattern.finditer(template):
        parts.append(_literal(template[position : match.start()]))
        name = match.group("named") or match.group("braced")
        if match.group("escaped") is not None:
            parts.append("$")
        elif name in fixed:
            parts.append(_literal(str(fixed[name])))
        else:
            parts.append(f"{{{per_row_names.index(name)}}}")
        position = match.end()
    parts.append(_literal(template[position:]))
    return "".join(parts)


def _literal(text: str) -> str:
    """Escape text for a `str.format` string by doubling its braces."""
    return text.replace("{", "{{").replace("}", "}}")
