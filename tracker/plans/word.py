"""Read an improvement plan from a Word document (.docx): the plan tables straight from the document's tables.

A plan table is a table with a row, among its first few, whose cells name the plan's columns the way
rows.header_columns knows them (as a report's table and the template head them). A plan is often split over several
such tables (one per indicator or section, a title paragraph between them, or one long table a page break cut in
two, the header repeated): every plan table is read, in the document's order, as one plan, its measures numbered on
from one table to the next. Each table's rows under its header are read by rows.measure_from_row, like a row of the
template, after two things Word does are undone:

- a merged cell: one spanning columns is read once, in the first column it covers; one spanning rows (vertically
  merged) repeats its text down, so every measure under a merged "ผู้รับผิดชอบ" cell has those divisions;
- a measure on more than one row: a row whose measure cell is the row above's (merged down) or empty continues the
  measure above, each of its other cells adding a line to the measure's (a step on its own row becomes one more
  step), as a person reading the printed table reads it.

The document's text outside the plan tables (its paragraphs and other tables, in order) is read as read_report reads
a report: the agency, the fiscal year, the scores. Without a year there, the year is the caller's or the one every
period of every plan table ends in, as read_sheet finds it: decided once over all the tables, so a table whose
periods end in another fiscal year than the rest is a problem, never a plan of two years. At most rows.MAX_MEASURES
measures are read over all the tables together. Problems name the table and its Word row.

Pure: files in, PlanDraft out; no Flask, no database. python-docx is imported when a .docx is read.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..labels import PLAN_COLUMN
from ..thai import fiscal_year_of, is_plausible_be_year, year_expected
from .draft import PlanDraft, PlanFileError, where
from .report import read_context
from .rows import MAX_MEASURES, REQUIRED, clean, header_columns, is_header, strip_junk, too_many_rows
from .sheets import MAX_COLUMNS, MAX_SHEET_ROWS, _fiscal_year_problem, _read_rows, _too_long_sheet, check_zip

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

    lines: list[str] = []  # the document's text outside the plan tables, a line a paragraph or table row
    plans: list[tuple[int, list[tuple[int, list[_Cell]]]]] = []  # each plan table's number and its rows from the header
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
        header: int | None = None
        for index, (_, cells) in enumerate(grid[:HEADER_ROWS]):
            texts = _texts(cells)
            if is_header(texts):
                header = index
                break
            columns = header_columns(texts)
            if sum(c in columns for c in REQUIRED) >= 2 and (closest is None or len(columns) > len(closest[2])):
                closest = (tables, grid[index][0], columns)
        if header is not None:
            plans.append((tables, grid[header:]))
            continue
        lines.extend("\t".join(clean(text) for text in _texts(cells)) for _, cells in grid)

    if not plans:
        raise PlanFileError([_no_plan_table(source, tables, closest)])
    context = read_context("\n".join(lines), source)
    year = context.fiscal_year or fiscal_year
    try:
        draft = _read_tables([(f"{source} ตาราง {n}", _measure_rows(grid)) for n, grid in plans], source, year)
    except PlanFileError as error:
        problems = [*context.problems, *error.problems]
        raise PlanFileError(problems, _with_context(error.draft, context) if error.draft else None) from None
    draft = _with_context(draft, context)
    if context.problems:
        raise PlanFileError(context.problems, draft)
    return draft


_Row = tuple[int, list[str]]  # a Word row's number and its cells' texts
_Table = tuple[str, list[_Row]]  # a plan table: its place ("plan.docx ตาราง 2"), its header's row and measures' rows
_Read = tuple[PlanDraft | None, list[str]]  # what a table gave: its draft (None if nothing could be read), problems


def _read_tables(tables: list[_Table], source: str, fiscal_year: int | None) -> PlanDraft:
    """The plan tables read as one plan, each by sheets._read_rows, all in one fiscal year: the one given, or the
    one every period naming its year, in every table, ends in (found once, over them all); at most MAX_MEASURES
    measures in all."""
    if len(tables) == 1:
        ((place, rows),) = tables
        return _read_rows(rows, source, place, fiscal_year)  # one table: read as a sheet is, year and limit alike
    tables, limit = _within_limit(tables)
    year, year_problem = fiscal_year, ""
    results: list[_Read] = []
    ends: dict[int, list[tuple[str, str]]] = {}
    if year is None:
        # Each table read without a year: the periods that name theirs say which it is.
        results = [_read_table(table, source, None) for table in tables]
        if all(draft is None for draft, _ in results):  # every table only a header: nothing has a period
            raise PlanFileError([*limit, *(p for _, found in results for p in found)])
        ends = _ends(tables, results, source)
        year, year_problem = _plan_year(ends, source)
    if year is not None:
        results = [_read_table(table, source, year) for table in tables]
        problems = [*limit, *(p for _, found in results for p in found)]
    else:
        # No one year: keep only the tables' problems a year would not cure (a period needing one is said by
        # year_problem), as _read_rows does.
        some_year = min(ends) if ends else fiscal_year_of(date.today())
        problems = [year_problem, *limit]
        for table, (_, found) in zip(tables, results, strict=True):
            kept = set(_read_table(table, source, some_year)[1])
            problems.extend(p for p in found if p in kept)
    drafts = [draft for draft, _ in results if draft is not None]
    draft = (
        PlanDraft(
            source=source,
            fiscal_year=year,
            measures=[m for d in drafts for m in d.measures],
            warnings=[w for d in drafts for w in d.warnings],
            year_refused=year is None,
        )
        if drafts
        else None
    )
    if problems or draft is None:
        raise PlanFileError(problems, draft)
    return draft


def _read_table(table: _Table, source: str, year: int | None) -> _Read:
    place, rows = table
    try:
        return _read_rows(rows, source, place, year, find_year=False), []
    except PlanFileError as error:
        return error.draft, error.problems


def _within_limit(tables: list[_Table]) -> tuple[list[_Table], list[str]]:
    """The tables cut to MAX_MEASURES measures over them all, and the problem of the rows cut off: at the first of
    them, with how many the tables have. A measure's rows are counted as _read_rows counts them (a row with nothing
    but its number is none)."""
    counted: list[tuple[str, _Row, list[_Row]]] = []
    for place, rows in tables:
        header, body = rows[0], rows[1:]
        order = header_columns(header[1]).get("order")
        measures = [(n, cells) for n, cells in body if any(c.strip() for i, c in enumerate(cells) if i != order)]
        counted.append((place, header, measures))
    total = sum(len(measures) for _, _, measures in counted)
    if total <= MAX_MEASURES:
        return tables, []
    kept: list[_Table] = []
    problems: list[str] = []
    left = MAX_MEASURES
    for place, header, measures in counted:
        if len(measures) > left and not problems:
            problems.append(
                f"{too_many_rows(where(place, row=measures[left][0]), total)} — นับรวมตารางแผนทั้ง {len(tables)} ตาราง "
                f"(counted over the {len(tables)} plan tables)"
            )
        if left > 0:
            kept.append((place, [header, *measures[:left]]))
            left -= len(measures[:left])
    return kept, problems


def _ends(tables: list[_Table], results: list[_Read], source: str) -> dict[int, list[tuple[str, str]]]:
    """Fiscal year -> the measures whose period ends in it, each as its table ("ตาราง 2") and its row ("5")."""
    ends: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for (place, _), (draft, _) in zip(tables, results, strict=True):
        for measure in draft.measures if draft is not None else []:
            if measure.end is not None:
                table = place.removeprefix(source).strip()
                row = measure.place.removeprefix(place).strip().removeprefix("แถว").strip()
                ends[fiscal_year_of(measure.end)].append((table, row))
    return ends


def _plan_year(ends: dict[int, list[tuple[str, str]]], source: str) -> tuple[int | None, str]:
    """The fiscal year every period of every table ends in, or None and the problem saying why there is none."""
    if not ends:
        return None, _fiscal_year_problem(source, {})
    if len(ends) == 1:
        ((only, measures),) = ends.items()
        if is_plausible_be_year(only):
            return only, ""
        return None, (
            f"{source}: ช่วงเวลาของมาตรการสิ้นสุดในปีงบประมาณ {only} ({_places_text(measures)}) "
            f"ซึ่งไม่ใช่ปีที่เป็นไปได้ — {year_expected()}"
        )
    years = ", ".join(f"{y} ({_places_text(ends[y])})" for y in sorted(ends))
    return None, (
        f"{source}: ช่วงเวลาของมาตรการในตารางแผนสิ้นสุดในหลายปีงบประมาณ — {years} — แผนหนึ่งเป็นของปีงบประมาณเดียว "
        "ไม่ทราบว่าแผนเป็นของปีใด แก้ช่วงเวลาที่ผิด หรือระบุปีด้วย --fiscal-year "
        f"(the plan tables' periods end in fiscal years {' and '.join(map(str, sorted(ends)))}; "
        "correct the periods or give the plan's fiscal year with --fiscal-year)"
    )


def _places_text(measures: list[tuple[str, str]]) -> str:
    """Rows grouped by their table: "ตาราง 2 แถว 3, 5; ตาราง 3 แถว 4"."""
    rows: dict[str, list[str]] = defaultdict(list)
    for table, row in measures:
        rows[table].append(row)
    return "; ".join(f"{table} แถว {', '.join(numbers)}" for table, numbers in rows.items())


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
