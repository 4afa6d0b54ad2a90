"""The results report as a spreadsheet: one sheet, the heading on top, then one row per step.

A measure's own cells (title, analysis, period, divisions, result, percent, problems) are merged down its steps' rows,
as the printed table reads; a step's text, status and done day, and one piece of evidence, take a row each, so they
can be filtered. The percent is a number (0.5 shown as 50%), the evidence cells are links. Excel does not grow a
merged cell's rows to fit its text, so row heights are set from the text they hold. Every text cell is written by
spreadsheet.text_cell: a string, never a formula, whatever a person typed.
"""
from __future__ import annotations

import io
import math
import unicodedata
from typing import cast

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ...spreadsheet import text_cell
from ..model import MeasureRow, ResultsReport
from . import (
    ANALYSIS,
    DIVISIONS,
    EMPTY,
    EVIDENCE,
    MEASURE,
    NOTES,
    OVERALL,
    PERCENT,
    PERCENT_REASON,
    PERIOD,
    PROBLEMS,
    RESULT,
    STEP_DONE_ON,
    STEP_STATUS,
    STEPS,
    Words,
)

SHEET = "รายงานผล"
FONT = "Sarabun"
# (label, width in characters, one value per step row rather than one per measure)
COLUMNS = (
    (MEASURE, 22, False),
    (ANALYSIS, 24, False),
    (STEPS, 34, True),
    (STEP_STATUS, 10, True),
    (STEP_DONE_ON, 11, True),
    (PERIOD, 12, False),
    (DIVISIONS, 13, False),
    (RESULT, 20, False),
    (PERCENT, 10, False),
    (PERCENT_REASON, 14, False),
    (EVIDENCE, 22, True),
    (PROBLEMS, 16, False),
)
PERCENT_COLUMN = 1 + [label for label, _, _ in COLUMNS].index(PERCENT)
LINE_PT = 16  # the height of one line of 10 pt Sarabun, whose Thai marks need room above and below
# Excel's number format code for Thai digits (numeral shape 0D, Thai locale 041E), which LibreOffice reads too.
THAI_DIGITS_FORMAT = "[$-D00041E]"

_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")
_BODY = Font(name=FONT, size=10)
_BOLD = Font(name=FONT, size=10, bold=True)
_LINK = Font(name=FONT, size=10, color="0B3D91", underline="single")
_HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")


def render_xlsx(report: ResultsReport) -> bytes:
    """Render the report as an XLSX workbook."""
    words = Words(report)
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook has one sheet, active
    sheet.title = SHEET
    last = get_column_letter(len(COLUMNS))

    row = 1
    for index, line in enumerate(words.heading()):
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = text_cell(sheet.cell(row, 1), line)  # the agency's name and the OIT item's, as typed
        cell.font = Font(name=FONT, size=14 if index == 0 else 12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.row_dimensions[row].height = 22
        row += 1

    header = row
    for column, (label, width, _) in enumerate(COLUMNS, 1):
        cell = text_cell(sheet.cell(header, column), label)
        cell.font, cell.alignment, cell.border, cell.fill = _BOLD, _CENTER, _BORDER, _HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[header].height = 2 * LINE_PT
    # Everything above the first measure stays in view while scrolling; the header row is printed on each page.
    sheet.freeze_panes = f"A{header + 1}"
    sheet.print_title_rows = f"{header}:{header}"

    row = header + 1
    for measure in report.measures:
        row = _measure(sheet, row, measure, words)

    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=PERCENT_COLUMN - 1)
    overall = text_cell(sheet.cell(row, 1), OVERALL + words.overall_note())
    overall.font, overall.alignment = _BOLD, Alignment(horizontal="right")
    _percent_cell(sheet.cell(row, PERCENT_COLUMN), report.overall_percent, report.thai_digits).font = _BOLD
    row += 2

    notes = words.notes()
    if notes:
        text_cell(sheet.cell(row, 1), NOTES).font = _BOLD
        for note in notes:
            row += 1
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
            _text_cell(sheet.cell(row, 1), note)
        row += 2

    # The signature block on the right, under the last columns, as under an agency's letter.
    first = len(COLUMNS) - 2
    for line in words.signature():
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=len(COLUMNS))
        cell = text_cell(sheet.cell(row, first), line)  # the signer's name and position, as typed
        cell.font, cell.alignment = Font(name=FONT, size=12), Alignment(horizontal="center")
        sheet.row_dimensions[row].height = 20
        row += 1

    _page_setup(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _measure(sheet: Worksheet, top: int, measure: MeasureRow, words: Words) -> int:
    """Write one measure from row `top`, one row per step (or per piece of evidence, if more); return the next row."""
    per_measure = {
        MEASURE: words.text(measure.title),
        ANALYSIS: "\n".join(words.analysis(measure)),
        PERIOD: words.period(measure),
        DIVISIONS: "\n".join(words.divisions(measure)),
        RESULT: words.text(measure.result),
        PERCENT_REASON: words.percent_reason(measure) or EMPTY,
        PROBLEMS: words.text(measure.problems),
    }
    per_step = [
        {STEPS: words.step(measure, step), STEP_STATUS: words.text(step.status), STEP_DONE_ON: words.step_done_on(step)}
        for step in measure.steps
    ] or [  # a draft's steps: the plan's, no task yet to stand anywhere
        {STEPS: line, STEP_STATUS: EMPTY, STEP_DONE_ON: EMPTY} for line in words.draft_steps(measure)
    ]
    rows = max(len(per_step), len(measure.evidence), 1)
    heights = [1] * rows  # lines each row needs for its own cells
    needed_by_block = 1  # lines the merged cells need over the whole block

    for column, (label, width, by_step) in enumerate(COLUMNS, 1):
        for offset in range(rows):
            cell = sheet.cell(top + offset, column)
            cell.border = _BORDER
            cell.font, cell.alignment = _BODY, _WRAP
        first = sheet.cell(top, column)
        if label == PERCENT and measure.is_draft:  # no figure: its draft text, as every surface shows a draft
            _text_cell(first, words.measure_percent(measure)).alignment = _CENTER
            needed_by_block = max(needed_by_block, _lines(words.measure_percent(measure), width))
        elif label == PERCENT:
            _percent_cell(first, measure.percent, words.report.thai_digits)
        elif label == EVIDENCE:
            for offset, link in enumerate(measure.evidence):
                text = f"{words.text(link.label)}\n{link.url}"
                cell = text_cell(sheet.cell(top + offset, column), text)
                cell.hyperlink = link.url
                cell.font = _LINK
                heights[offset] = max(heights[offset], _lines(text, width))
            if not measure.evidence:
                text_cell(first, EMPTY)
        elif by_step:
            for offset, values in enumerate(per_step):
                _text_cell(sheet.cell(top + offset, column), values[label])
                heights[offset] = max(heights[offset], _lines(values[label], width))
            if not per_step:
                text_cell(first, EMPTY)
        else:
            _text_cell(first, per_measure[label])
            if label in (PERIOD, PERCENT_REASON):
                first.alignment = _CENTER if label == PERIOD else _WRAP
            needed_by_block = max(needed_by_block, _lines(per_measure[label], width))
        if not by_step and rows > 1:
            sheet.merge_cells(start_row=top, start_column=column, end_row=top + rows - 1, end_column=column)

    # Share out what the merged cells lack over the block's rows, so nothing is hidden when the file is opened.
    missing = needed_by_block - sum(heights)
    if missing > 0:
        heights = [h + math.ceil(missing / rows) for h in heights]
    for offset, lines in enumerate(heights):
        sheet.row_dimensions[top + offset].height = lines * LINE_PT + 4
    return top + rows


def _text_cell(cell, text: str):
    text_cell(cell, text)
    cell.font, cell.alignment = _BODY, _WRAP
    return cell


def _percent_cell(cell, percent: int, thai_digits: bool):
    cell.value = percent / 100
    cell.number_format = f"{THAI_DIGITS_FORMAT}0%" if thai_digits else "0%"
    cell.font, cell.alignment, cell.border = _BODY, _CENTER, _BORDER
    return cell


def _lines(text: str, width: int) -> int:
    """Estimate how many lines a text wraps to in a column `width` characters wide."""
    total = 0
    for line in text.split("\n"):
        # Thai vowels and tone marks above and below a letter take no width of their own.
        visible = sum(1 for char in line if unicodedata.category(char) != "Mn")
        # A column `width` wide holds about 1.3 x width letters of 10 pt Sarabun; fewer is counted, so a row is
        # rather too tall than cut off.
        total += max(1, math.ceil(visible / (width * 1.3)))
    return total


def _page_setup(sheet: Worksheet) -> None:
    """Print on A4 landscape, as wide as the page, with the page number in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    footer = HeaderFooterItem()
    footer.center.text = "หน้า &P / &N"
    footer.center.font = f"{FONT},Regular"
    sheet.oddFooter = footer
    sheet.page_margins.left = sheet.page_margins.right = 0.4
