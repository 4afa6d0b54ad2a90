"""Text in the spreadsheets the app writes (openpyxl): a cell of words is always text, never a formula.

What people typed reaches the results report and the plan template as cells: a measure's title, its result, the
reason a percent was overridden, an evidence file's label, a division's name. openpyxl stores a string starting with
"=" as a formula (`=cmd|' /C calc'!A0` runs when the file is opened), and Excel turns a cell starting with = + - @, or
a tab or carriage return, into one when a person edits it: CSV/formula injection (OWASP).

So every text cell is written here as a string cell (`t="inlineStr"`, never an `<f>`), and one that starts like a
formula also carries the quote-prefix style: Excel's own mark for a value typed with a leading apostrophe. Excel and
LibreOffice show the text as written and keep it text when the cell is edited, and the value is what the person wrote.
OWASP's other way, a `'` put in front of the value, would be printed in the published report and read back by a
re-import (a title "-ลดขั้นตอน" becoming "'-ลดขั้นตอน"); the style says the same without changing a character.
Numbers and dates the app computes (a percent) are not text and are written as typed values by their callers.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported by the code that writes a file (it is slow to import)
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

# What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(cell: Cell | MergedCell, text: str) -> Cell | MergedCell:
    """Write `text` into `cell` as a string, never a formula; return the cell."""
    cell.value = text
    cell.data_type = "s"  # set after the value: openpyxl has just made a string starting with "=" a formula
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def append_texts(sheet: Worksheet, texts: Iterable[str]) -> None:
    """Append a row of text cells under the sheet's last row, as Worksheet.append does with values."""
    row = list(texts)
    sheet.append(row)
    # The row just appended is the sheet's last: append writes below every cell there is.
    for column, text in enumerate(row, start=1):
        text_cell(sheet.cell(sheet.max_row, column), text)
