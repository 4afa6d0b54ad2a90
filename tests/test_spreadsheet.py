"""A text cell of a spreadsheet the app writes: a string, never a formula, whatever it starts with (OWASP)."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from tracker.spreadsheet import FORMULA_STARTS, append_texts, text_cell

from .factories import FORMULA_ATTACK, xlsx_formulas
from .factories import FORMULA_STARTS as STARTS


def saved(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("start", STARTS, ids=repr)
def test_a_text_that_starts_like_a_formula_is_written_as_text_and_read_back_as_written(start: str) -> None:
    text = f"{start}{FORMULA_ATTACK}"
    workbook = Workbook()
    sheet = workbook.active
    text_cell(sheet.cell(1, 1), text)
    append_texts(sheet, ["ชื่อ", text])
    data = saved(workbook)

    assert xlsx_formulas(data) == []
    read = load_workbook(io.BytesIO(data)).active
    for cell in (read["A1"], read["B2"]):
        assert cell.value == text and cell.data_type == "s"
        assert cell.quotePrefix  # Excel's "typed with an apostrophe": shown as written, still text when edited
    assert read["A2"].value == "ชื่อ" and not read["A2"].quotePrefix  # plain text keeps the plain style


@pytest.mark.parametrize("text", ["ลดขั้นตอน", "1. ประชุม", "6, 7", "50%", "31 มี.ค. 2569", "a=b"])
def test_ordinary_text_is_text_without_the_quote_style(text: str) -> None:
    workbook = Workbook()
    text_cell(workbook.active.cell(1, 1), text)
    cell = load_workbook(io.BytesIO(saved(workbook))).active["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", False)
    assert not text.startswith(FORMULA_STARTS)
