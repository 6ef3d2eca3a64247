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


def test_fixed_template_renders_once():
    rendered = render_rows("Answer with $$ and {braces}: $block", {"block": "x"}, TRICKY_ROWS, "test")
    assert rendered.per_row is False
    assert rendered.texts == ["Answer with $ and {braces}: x"]


def test_lone_dollar_rejected():
    # The position counts from 1: the dollar sign is the sixth character.
    with pytest.raises(TemplateError, match=r"invalid '\$' at position 6"):
        render_rows("Cost $ 5 for $text", {}, TRICKY_ROWS, "test")


def test_table_reread_after_change(tmp_path):
    from tco.tables import read_table

    path = tmp_path / "rows.csv"
    path.write_text("text,category\nhello,greeting\n", encoding="utf-8")
    assert read_table(path).column("text") == ["hello"]
    path.write_text("text,category\nhello,greeting\nbye,farewell\n", encoding="utf-8")
    assert read_table(path).column("text") == ["hello", "bye"]


def test_table_row_with_extra_cells_named(tmp_path):
    from tco.errors import DataFileError
    from tco.tables import read_table

    path = tmp_path / "rows.csv"
    path.write_text("text,category\nhello,greeting\nbye,farewell,extra\n\nshort\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="rows.csv row 3: 3 cells but the header names 2 columns"):
        read_table(path)


def test_table_pads_short_rows(tmp_path):
    from tco.tables import read_table

    path = tmp_path / "rows.csv"
    path.write_text("\ufefftext,category\nhello,greeting\n\nshort\n", encoding="utf-8")
    table = read_table(path)
    assert table.names == ["text", "category"]
    assert table.column("category") == ["greeting", ""]
    assert table.where("category", {"greeting"}).column("text") == ["hello"]


def test_table_unclosed_quote_rejected(tmp_path):
    from tco.errors import DataFileError
    from tco.tables import read_table

    path = tmp_path / "rows.csv"
    path.write_text('text,category\nhello,greeting\n"unclosed,lost_card\nbye,farewell\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="quote that is not closed"):
        read_table(path)
