"""Read an improvement plan from a Word document (.docx): the plan table straight from the document's tables.

The plan table is the first table with a row, among its first few, whose cells name the plan's columns the way
rows.header_columns knows them (as a report's table and the template head them). Its rows under the header are read
by rows.measure_from_row, like a row of the template, after two things Word does are undone:

- a merged cell: one spanning columns is read once, in the first column it covers; one spanning rows (vertically
  merged) repeats its text down, so every measure under a merged "ผู้รับผิดชอบ" cell has those divisions;
- a measure on more than one row: a row whose measure cell is the row above's (merged down) or empty continues the
  measure above, each of its other cells adding a line to the measure's (a step on its own row becomes one more
  step), as a person reading the printed table reads it.

The document's text outside the plan table (its paragraphs and other tables, in order) is read as read_report reads a
report: the agency, the fiscal year, the scores. Without a year there, the year is the caller's or the one every
period ends in, as read_sheet finds it.

Pure: files in, PlanDraft out; no Flask, no database. python-docx is imported when a .docx is read.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..labels import PLAN_COLUMN
from .draft import PlanDraft, PlanFileError
from .report import read_context
from .rows import REQUIRED, clean, header_columns, is_header, strip_junk
from .sheets import MAX_COLUMNS, MAX_SHEET_ROWS, _read_rows, _too_long_sheet, check_zip

if TYPE_CHECKING:
    from docx.table import Table

HEADER_ROWS = 5  # rows of a table searched for its header: a title row or two may sit above it
MAX_TABLES = 200  # tables of a document looked at; a report has a handful

_Cell = tuple[object, str]  # the cell's element (one object for every grid position a merged cell covers), its text


def not_a_document(source: str) -> str:
    return (
        f"{source}: เปิดเป็นไฟล์ Word (.docx) ไม่ได้ — ถ้าเป็น .doc ให้เปิดใน Word แล้วบันทึกเป็น .docx "
        "(not a readable .docx document)"
    )


def read_word(path: Path, source: str, fiscal_year: int | None) -> PlanDraft:
    """Read a Word document's plan table into a PlanDraft, or raise PlanFileError with every problem in it."""
    check_zip(path, source, ".docx", not_a_document(source))
    try:
        from docx import Document

        document = Document(str(path))
    except Exception:  # python-docx raises what its zip and XML parsers raise: any of them means the same here
        raise PlanFileError([not_a_document(source)]) from None
    try:
        return _read_document(document, source, fiscal_year)
    except PlanFileError:
        raise
    except Exception:  # a part python-docx cannot make sense of, met while reading
        raise PlanFileError([not_a_document(source)]) from None


def _read_document(document, source: str, fiscal_year: int | None) -> PlanDraft:
    from docx.table import Table

    lines: list[str] = []  # the document's text outside the plan table, a line a paragraph or table row
    plan: tuple[int, list[tuple[int, list[_Cell]]]] | None = None  # the table's number and its rows from the header
    closest: tuple[int, int, dict[str, int]] | None = None  # the table coming closest to a plan table's header
    tables = 0
    for block in document.iter_inner_content():
        if not isinstance(block, Table):
            lines.append(block.text)
            continue
        tables += 1
        if tables > MAX_TABLES:
            break
        grid = _grid(block, f"{source} ตาราง {tables}")
        if plan is None:
            for index, (_, cells) in enumerate(grid[:HEADER_ROWS]):
                texts = _texts(cells)
                if is_header(texts):
                    plan = (tables, grid[index:])
                    break
                columns = header_columns(texts)
                if sum(c in columns for c in REQUIRED) >= 2 and (
                    closest is None or len(columns) > len(closest[2])
                ):
                    closest = (tables, grid[index][0], columns)
            if plan is not None and plan[0] == tables:
                continue
        lines.extend("\t".join(clean(text) for text in _texts(cells)) for _, cells in grid)

    if plan is None:
        raise PlanFileError([_no_plan_table(source, tables, closest)])
    context = read_context("\n".join(lines), source)
    number, grid = plan
    place = f"{source} ตาราง {number}"
    rows = _measure_rows(grid)
    year = context.fiscal_year or fiscal_year
    try:
        draft = _read_rows(rows, source, place, year)
    except PlanFileError as error:
        problems = [*context.problems, *error.problems]
        raise PlanFileError(problems, _with_context(error.draft, context) if error.draft else None) from None
    draft = _with_context(draft, context)
    if context.problems:
        raise PlanFileError(context.problems, draft)
    return draft


def _with_context(draft: PlanDraft, context) -> PlanDraft:
    return replace(
        draft,
        organization=context.organization,
        scores=context.scores,
        warnings=[*context.warnings, *draft.warnings],
        year_refused=draft.year_refused or context.year_refused,
    )


def _grid(table: Table, place: str) -> list[tuple[int, list[_Cell]]]:
    """A table's rows (numbered from 1, as Word shows them) as one cell a grid column: a cell spanning columns stands
    in each of them, one merged down is the row above's (the same element, the same text)."""
    from docx.table import _Cell as WordCell

    rows: list[tuple[int, list[_Cell]]] = []
    above: list[_Cell] = []
    for number, tr in enumerate(table._tbl.tr_lst, start=1):
        if number > MAX_SHEET_ROWS:
            raise PlanFileError([_too_long_sheet(place)])
        cells: list[_Cell] = [(None, "")] * tr.grid_before
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span)
            position = len(cells)
            if tc.vMerge == "continue" and position < len(above):
                cell = above[position]
            else:
                cell = (tc, strip_junk(WordCell(tc, table).text))
            cells.extend([cell] * span)
            if len(cells) >= MAX_COLUMNS:
                break
        cells = cells[:MAX_COLUMNS]
        rows.append((number, cells))
        above = cells
    return rows


def _texts(cells: list[_Cell]) -> list[str]:
    """A row's texts, a cell spanning columns given once, in the first of them (the others empty)."""
    texts: list[str] = []
    for index, (element, text) in enumerate(cells):
        repeated = element is not None and index > 0 and cells[index - 1][0] is element
        texts.append("" if repeated else text)
    return texts


def _measure_rows(grid: list[tuple[int, list[_Cell]]]) -> list[tuple[int, list[str]]]:
    """The header's texts and one row of texts a measure, numbered by the row the measure starts on; rows continuing
    a measure (its measure cell merged down from it, or empty) add their cells' text to it, a line each."""
    (header_number, header_cells), body = grid[0], grid[1:]
    header = _texts(header_cells)
    columns = header_columns(header)
    title, order = columns["title"], columns.get("order")
    rows: list[tuple[int, list[str]]] = [(header_number, header)]
    started: list[list[_Cell]] = []  # the cells of the measure being read, as its first row has them
    for number, cells in body:
        texts = _texts(cells)
        if not any(clean(t) for t in texts):
            continue
        own = _at(cells, title)
        continues = bool(started) and (
            (own[0] is not None and own[0] is _at(started[-1], title)[0])
            or (not clean(own[1]) and not clean(_at(cells, order)[1] if order is not None else ""))
        )
        if not continues:
            rows.append((number, texts))
            started.append(cells)
            continue
        first, merged = started[-1], rows[-1][1]
        for index in range(len(texts)):
            cell = _at(cells, index)
            if cell[0] is not None and cell[0] is _at(first, index)[0]:
                continue  # merged down from the measure's first row: already read
            if clean(texts[index]):
                while len(merged) <= index:
                    merged.append("")
                merged[index] = f"{merged[index]}\n{texts[index]}" if clean(merged[index]) else texts[index]
    return rows


def _at(cells: list[_Cell], index: int) -> _Cell:
    return cells[index] if index < len(cells) else (None, "")


def _no_plan_table(source: str, tables: int, closest: tuple[int, int, dict[str, int]] | None) -> str:
    names = ", ".join(f"“{PLAN_COLUMN[c]}”" for c in REQUIRED)
    found = f"เอกสารมีตาราง {tables:,} ตาราง แต่ไม่มีตารางใดมีหัวตารางครบ" if tables else "เอกสารไม่มีตารางเลย"
    message = (
        f"{source}: ไม่พบตารางแผนปรับปรุงในเอกสาร Word — {found} ต้องมีตารางที่แถวหัวตารางมีคอลัมน์ {names} "
        "แถวละหนึ่งมาตรการ ไม่ได้นำเข้าอะไร (no improvement-plan table: expected a table whose header row names "
        "the measure, steps, period and responsible columns; nothing was imported)"
    )
    if closest is not None:
        number, row, columns = closest
        missing = ", ".join(f"“{PLAN_COLUMN[c]}”" for c in REQUIRED if c not in columns)
        message += f"; ตาราง {number} แถว {row} ใกล้เคียงที่สุด แต่ขาดคอลัมน์ {missing}"
    return message
