"""Prompt templates render each data row exactly as string.Template would."""

from __future__ import annotations

import string

import pytest

from tco.errors import TemplateError
from tco.tables import Table
from tco.tokens.templates import render_rows

TRICKY_TEMPLATE = 'Intent: {"intent": "$category"} costs $$5 for ${text}; $text again. {0} {name} $fixed_block'
TRICKY_ROWS = Table(
    {
        "text": ["plain", "braces {0} and {name}", "dollars $category and $$", "", "line\nbreak"],
        "category": ["card_arrival", "{x}", "$fixed_block", "a}b{c", "ünïcode ✓"],
    }
)


def test_rows_match_string_template():
    fixed = {"fixed_block": "- {first}\n- $second"}
    rendered = render_rows(TRICKY_TEMPLATE, fixed, TRICKY_ROWS, "test")
    expected = [
        string.Template(TRICKY_TEMPLATE).substitute({**fixed, "text": text, "category": category})
        for text, category in zip(TRICKY_ROWS.column("text"), TRICKY_ROWS.column("category"))
    ]
    assert rendered.per_row is True
    assert rendered.texts == expected


def test_template_without_row_variables_renders_once():
    rendered = render_rows("Answer with $$ and {braces}: $block", {"block": "x"}, TRICKY_ROWS, "test")
    assert rendered.per_row is False
    assert rendered.texts == ["Answer with $ and {braces}: x"]


def test_lone_dollar_rejected():
    # The position counts from 1: the dollar sign is the sixth character.
    with pytest.raises(TemplateError, match=r"invalid '\$' at position 6"):
        render_rows("Cost $ 5 for $text", {}, TRICKY_ROWS, "test")
