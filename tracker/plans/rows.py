"""One row of an improvement table, whatever file it came from: header names, numbered cells, a MeasureDraft.

The report reader and the CSV/XLSX reader both end here, so a plan reads the same from a pasted Word table and from
the template.
"""
from __future__ import annotations

import re

from ..models import IndicatorSource
from ..thai import PeriodError, parse_period, to_arabic_digits
from .draft import MeasureDraft, where

# Column -> words that identify its header, Thai as real reports write them, English as the template allows.
# Order matters: the analysis header ("ผลการวิเคราะห์ตัวชี้วัด...") also names ตัวชี้วัด, so it is tried first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "analysis": ("วิเคราะห์", "analysis"),
    "title": ("มาตรการ", "โครงการ", "กิจกรรม", "measure", "title"),
    "steps": ("ขั้นตอน", "วิธีการ", "steps", "step"),
    "period": ("ระยะเวลา", "ช่วงเวลา", "period"),
    "divisions": ("ผู้รับผิดชอบ", "หน่วยงานที่รับผิดชอบ", "กองที่รับผิดชอบ", "responsible", "divisions", "division"),
    "indicators": ("ตัวชี้วัด", "indicators", "indicator"),
    "order": ("ลำดับ", "order", "no."),
}
REQUIRED = ("title", "steps", "period", "divisions")

# Thai names of the columns, for messages and the template.
COLUMN_LABELS = {
    "order": "ลำดับ",
    "title": "มาตรการ/โครงการ/กิจกรรม",
    "analysis": "ผลการวิเคราะห์ตัวชี้วัด",
    "indicators": "ตัวชี้วัดที่",
    "steps": "ขั้นตอนหรือวิธีการดำเนินการ",
    "period": "ช่วงระยะเวลาการดำเนินการ",
    "divisions": "ผู้รับผิดชอบ",
}

ALL_DIVISIONS_WORDS = ("ทุกกอง", "ทุกส่วนราชการ", "ทุกสำนัก/กอง", "ทุกสำนักกอง", "ทุกหน่วยงาน", "all divisions")


def header_columns(cells: list[str]) -> dict[str, int]:
    """Map column names to positions by the words in each header cell; a cell names at most one column."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = re.sub(r"\s+", "", cell).lower()
        if not key:
            continue
        for column, words in COLUMNS.items():
            if column not in found and any(w.replace(" ", "") in key for w in words):
                found[column] = index
                break
    return found


def is_header(cells: list[str]) -> bool:
    """Tell whether a row of cells is the header of an improvement table."""
    columns = header_columns(cells)
    return all(c in columns for c in REQUIRED)


def clean(text: str) -> str:
    """Collapse the runs of spaces and line breaks that copying out of a PDF leaves inside a cell."""
    return re.sub(r"\s+", " ", text or "").strip()


_MARKER = re.compile(r"(?:(?<=\s)|^)(\d{1,2})\s*[.)](?!\d)\s*")


def split_numbered(text: str) -> list[str]:
    """Split a cell of numbered items (`๑.จัดทำ… ๒.ประชาสัมพันธ์…`) into the items' texts.

    Only markers that count 1, 2, 3… in order split, so a number inside a step ("ผ่าน ๓ ช่องทาง", "ข้อ 2.5") stays in
    its text. A cell without numbers gives one item a line (bullets removed), or the whole cell.
    """
    text = text or ""
    arabic = to_arabic_digits(text)  # same length: positions found here cut the original, Thai digits kept
    cuts: list[tuple[int, int]] = []
    expected = 1
    for m in _MARKER.finditer(arabic):
        if int(m.group(1)) == expected:
            cuts.append((m.start(), m.end()))
            expected += 1
    if len(cuts) >= 1 and not clean(text[: cuts[0][0]]):
        items = [text[start:(cuts[i + 1][0] if i + 1 < len(cuts) else len(text))] for i, (_, start) in enumerate(cuts)]
        return [clean(item) for item in items if clean(item)]
    lines = [clean(re.sub(r"^\s*[-•*]\s*", "", line)) for line in text.splitlines()]
    return [line for line in lines if line]


def split_divisions(text: str) -> list[str]:
    """Split a responsible-divisions cell: numbered, one a line, or separated by commas, slashes or และ."""
    items = split_numbered(text)
    if len(items) == 1 and clean(items[0]).lower() not in ALL_DIVISIONS_WORDS:
        items = [p for p in re.split(r"\s*(?:,|、|/|;|\sและ\s)\s*", items[0]) if p.strip()]
    return [clean(re.sub(r"[.\s]+$", "", item)) for item in items]


def parse_indicator_numbers(text: str, place: str, problems: list[str]) -> list[int]:
    """Read indicator numbers from a cell (`6`, `ตัวชี้วัดที่ ๖, ๗`); anything outside 1-10 is a problem."""
    numbers: list[int] = []
    # "9.1" is a sub-indicator of 9; "1-3" is a range; "O12" is an OIT item, not an indicator.
    for m in re.finditer(r"(?<![A-Za-z\d])(\d+)(?:\.\d+)?(?:\s*[-–]\s*(\d+))?", to_arabic_digits(text or "")):
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        numbers.extend(range(first, max(first, last) + 1))
    bad = [n for n in numbers if not 1 <= n <= 10]
    if bad:
        problems.append(f"{place}: ตัวชี้วัดต้องเป็นเลข 1-10 (expected indicator numbers 1-10), พบ {bad}")
    return sorted({n for n in numbers if 1 <= n <= 10})


def measure_from_row(
    cells: list[str],
    columns: dict[str, int],
    *,
    source: str,
    row: int | None = None,
    line: int | None = None,
    fiscal_year: int | None,
    problems: list[str],
) -> MeasureDraft | None:
    """Read one table row into a MeasureDraft; problems are appended with the file, row and column they are in."""

    def cell(column: str) -> str:
        index = columns.get(column)
        value = cells[index] if index is not None and index < len(cells) else None
        return "" if value is None else str(value)

    def place(column: str | None = None) -> str:
        return where(source, row=row, line=line, column=COLUMN_LABELS[column] if column else None)

    if not any(clean("" if c is None else str(c)) for c in cells):
        return None
    measure = MeasureDraft(title=clean(cell("title")), place=place(), analysis=clean(cell("analysis")))
    for column in REQUIRED:
        if not clean(cell(column)):
            problems.append(f"{place(column)}: ช่องว่าง — ต้องมี{COLUMN_LABELS[column]} (required, empty)")
    measure.steps = split_numbered(cell("steps"))
    measure.division_names = split_divisions(cell("divisions"))
    measure.period_text = clean(cell("period"))
    if measure.period_text:
        try:
            measure.start, measure.end = parse_period(cell("period"), fiscal_year)
        except PeriodError as error:
            problems.append(f"{place('period')}: {error}")
    if clean(cell("indicators")):
        measure.indicators = parse_indicator_numbers(cell("indicators"), place("indicators"), problems)
        measure.indicator_source = IndicatorSource.EXPLICIT.value
    return measure
