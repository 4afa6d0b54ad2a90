"""One row of an improvement table, whatever file it came from: header names, numbered cells, a MeasureDraft.

The report reader and the CSV/XLSX reader both end here, so a plan reads the same from a pasted Word table and from
the template.
"""
from __future__ import annotations

import re

from ..ita import INDICATORS, indicators_for
from ..labels import EXTRA_COLUMN, PLAN_COLUMN
from ..models import IndicatorSource
from ..thai import MONTHS_LONG, MONTHS_SHORT, PeriodError, UndatedPeriod, read_period, to_arabic_digits
from .draft import MeasureDraft, where

# Column -> words that identify its header, Thai as real reports write them (labels.PLAN_COLUMN is how the template
# and the results report head it), English as the template allows.
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

# Columns a plan may add that the import keeps on the measure as written and shows (labels.EXTRA_COLUMN heads them):
# a budget, a weight (which also weighs the measure's percent, tracker.progress.combined_percent), an output, a KPI.
# Tried before COLUMNS: "ตัวชี้วัดความสำเร็จ" is a KPI, not the ITA indicator "ตัวชี้วัด"; "งบประมาณโครงการ" a budget,
# not the title "โครงการ".
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "kpi": ("ตัวชี้วัดความสำเร็จ", "ตัวชี้วัดโครงการ", "ตัวชี้วัดผลสำเร็จ", "ค่าเป้าหมาย", "เป้าหมาย", "kpi", "target"),
    "weight": ("น้ำหนัก", "weight"),
    "budget": ("งบประมาณ", "งบดำเนินการ", "budget"),
    "output": ("ผลผลิต", "ผลลัพธ์", "ผลที่คาดว่าจะได้รับ", "output"),
}
MAX_EXTRA_CELL = 2_000  # characters of a kept extra cell: a figure or a sentence
# A header cell that is a month ("ต.ค.", "ต.ค. 68", "ตุลาคม"): a column of monthly targets, kept as one detail.
_MONTH_HEADER = re.compile(
    "(?:" + "|".join(
        [re.escape(name) for name in MONTHS_LONG]
        + [r"\.?".join(re.escape(part) for part in short.split(".") if part) + r"\.?" for short in MONTHS_SHORT]
    ) + r")(?:\d{2}|\d{4})?"
)
MONTHLY_TARGETS = "เป้าหมายรายเดือน"

# The most a plan may hold. A real plan has a handful of measures of a few steps each; these are far above that and
# low enough that a pasted document, a runaway spreadsheet or a hostile file is refused before it costs anything.
MAX_MEASURES = 200
MAX_STEPS = 50  # per measure: each step becomes a task of every responsible division
MAX_DIVISIONS = 30  # per measure
MAX_DIVISION_NAME = 200  # characters, as Division.name holds
# Characters per cell, counted after runs of spaces are collapsed: a measure title is a sentence, steps a paragraph.
MAX_CELL: dict[str, int] = {
    "order": 100,
    "title": 2_000,
    "analysis": 10_000,
    "indicators": 200,
    "steps": 20_000,
    "period": 200,  # Measure.period_text holds 200
    "divisions": 5_000,
}

# Control characters that no plan means (NUL, escape codes, C1 controls) and halves of UTF-16 pairs: taken out of
# every cell, so they reach neither a message nor the database. Tabs and line breaks stay: they are the layout.
_JUNK_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")

# What a row may leave empty and still be imported, as a draft a person completes (MeasureDraft.missing).
DRAFTABLE = ("period", "divisions")

ALL_DIVISIONS_WORDS = ("ทุกกอง", "ทุกส่วนราชการ", "ทุกสำนัก/กอง", "ทุกสำนักกอง", "ทุกหน่วยงาน", "all divisions")
# "Every division" as plans write it: ทุก + the words for an agency's units in any order and with any separators
# (ทุกกอง, ทุกสำนัก/กอง, ทุกหน่วยงาน, ทุกส่วนราชการ, ทุกกอง/สำนัก/หน่วย), optionally "ที่เกี่ยวข้อง" (concerned) or ฯ:
# it means each of the organization's divisions.
_EVERY_DIVISION = re.compile(
    r"ทุก(?:\s*[/,]?\s*(?:สำนัก|กอง|ส่วนราชการ|ส่วน|หน่วยงาน|หน่วย|งาน))+\s*(?:ที่เกี่ยวข้อง|ในสังกัด)?\s*ฯ?"
)


def means_every_division(name: str) -> bool:
    """Tell whether a plan's division cell (or one item of it) means every division of the organization."""
    text = clean(name).lower()
    return text in ALL_DIVISIONS_WORDS or bool(_EVERY_DIVISION.fullmatch(text))


# One pattern per column of its words (spaces taken out, as header cells are compared without them), and one of all.
_COLUMN_PATTERNS = {
    column: re.compile("|".join(re.escape(w.replace(" ", "")) for w in words))
    for column, words in {**EXTRA_COLUMNS, **COLUMNS}.items()
}
_COLUMN_WORDS = re.compile("|".join(p.pattern for p in _COLUMN_PATTERNS.values()))


def columns_named(cell: str) -> tuple[str, ...]:
    """The columns whose words a header cell holds, in the order header_columns tries them."""
    key = re.sub(r"\s+", "", cell).lower()
    if not key or not _COLUMN_WORDS.search(key):  # one search rules out most cells
        return ()
    return tuple(column for column, pattern in _COLUMN_PATTERNS.items() if pattern.search(key))


def header_columns(cells: list[str]) -> dict[str, int]:
    """Map column names to positions by the words in each header cell; a cell names at most one column. Extra
    columns (EXTRA_COLUMNS) are mapped too; month cells are month_columns'."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for column in columns_named(cell):
            if column not in found:
                found[column] = index
                break
    return found


def month_columns(cells: list[str]) -> dict[int, str]:
    """The header's cells that are months (a plan's monthly targets), by position, as the header writes them."""
    return {
        index: clean(str(cell)) for index, cell in enumerate(cells)
        if cell is not None and _MONTH_HEADER.fullmatch(re.sub(r"\s+", "", to_arabic_digits(str(cell))))
    }


def is_header(cells: list[str]) -> bool:
    """Tell whether a row of cells is the header of an improvement table."""
    columns = header_columns(cells)
    return all(c in columns for c in REQUIRED)


def clean(text: str) -> str:
    """Collapse the runs of spaces and line breaks that copying out of a PDF leaves inside a cell."""
    return re.sub(r"\s+", " ", text or "").strip()


def strip_junk(text: str) -> str:
    """Take out the control characters and broken UTF-16 halves no plan means; keep tabs and line breaks."""
    return _JUNK_CHARACTERS.sub("", text)


def shorten(text: str, limit: int = 60) -> str:
    """A cell's text as a message quotes it: on one line, cut at `limit` characters."""
    text = clean(text)
    return text if len(text) <= limit else text[:limit] + "…"


def too_many_rows(place: str, rows: int | None = None) -> str:
    """The problem of a table with more rows than a plan can have (how many, where they were all counted)."""
    count = f"{rows:,} แถว" if rows is not None else f"มากกว่า {MAX_MEASURES} แถว"
    return (
        f"{place}: ตารางมีมาตรการ{count} — แผนหนึ่งรับได้ไม่เกิน {MAX_MEASURES} มาตรการ จึงอ่านเฉพาะ "
        f"{MAX_MEASURES} แถวแรก (too many rows: at most {MAX_MEASURES} measures a plan)"
    )


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


# What separates divisions in one cell: commas, slashes, semicolons, a line's "และ" (and) with a space before it
# ("สำนักปลัด และกองคลัง"), or one right before a unit's word ("กองคลังและกองช่าง"), never the และ inside a name
# ("กองสาธารณสุขและสิ่งแวดล้อม", "กองวิชาการและแผนงาน").
_LIST_SEPARATOR = re.compile(r"\s*(?:,|、|/|;|\s+และ\s*|และ(?=\s*(?:กอง|สำนัก|ส่วน|หน่วย)))\s*")


def split_divisions(text: str) -> list[str]:
    """Split a responsible-divisions cell: numbered, one a line, or separated by commas, slashes or และ."""
    items = split_numbered(text)
    if len(items) == 1 and not means_every_division(items[0]):
        items = [p for p in _LIST_SEPARATOR.split(items[0]) if p.strip()]
    # Items are clean (single spaces), so trailing dots and spaces come off with rstrip: no regex that a run of
    # ". . . ." makes quadratic.
    return [clean(item.rstrip(". ")) for item in items]


_INDICATOR_NUMBER = re.compile(r"(?<![A-Za-z\d])(\d+)(?:\.\d+)?(?:\s*+[-–]\s*+(\d+))?")


def _small(digits: str) -> int:
    """The value of a run of digits, or one past any indicator for a run too long to be one (never int() of
    thousands of digits, which Python refuses)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 6 else 10**6


def parse_indicator_numbers(
    text: str, place: str, problems: list[str], fiscal_year: int | None = None
) -> list[int]:
    """Read indicator numbers from a cell (`6`, `ตัวชี้วัดที่ ๖, ๗`, `1-3`); a number or range outside the fiscal
    year's framework (1-10) is a problem. Ranges are checked by their ends, never expanded."""
    framework = {spec.number for spec in indicators_for(fiscal_year if fiscal_year else max(INDICATORS))}
    low, high = min(framework), max(framework)
    numbers: set[int] = set()
    bad: list[str] = []
    # "9.1" is a sub-indicator of 9; "1-3" is a range; "O12" is an OIT item, not an indicator.
    for m in _INDICATOR_NUMBER.finditer(to_arabic_digits(text or "")):
        first, last = _small(m.group(1)), _small(m.group(2) or m.group(1))
        first, last = min(first, last), max(first, last)
        if first < low or last > high:
            bad.append(shorten(m.group(0), 30))
            continue
        numbers.update(n for n in range(first, last + 1) if n in framework)
    if bad:
        problems.append(
            f"{place}: ตัวชี้วัดต้องเป็นเลข {low}-{high} ตามกรอบการประเมิน ITA "
            f"(expected indicator numbers {low}-{high}), พบ [{', '.join(bad)}]"
        )
    return sorted(numbers)


def measure_from_row(
    cells: list[str],
    columns: dict[str, int],
    *,
    source: str,
    row: int | None = None,
    line: int | None = None,
    fiscal_year: int | None,
    problems: list[str],
    months: dict[int, str] | None = None,
) -> MeasureDraft | None:
    """Read one table row into a MeasureDraft; every problem of the row is appended, each with the file, row and
    column it is in and what was expected there."""

    def cell(column: str) -> str:
        index = columns.get(column)
        value = cells[index] if index is not None and index < len(cells) else None
        return "" if value is None else strip_junk(str(value))

    def place(column: str | None = None) -> str:
        return where(source, row=row, line=line, column=PLAN_COLUMN[column] if column else None)

    if not any(clean("" if c is None else strip_junk(str(c))) for c in cells):
        return None
    text: dict[str, str] = {}
    for column in PLAN_COLUMN:
        raw = cell(column)
        length = len(clean(raw))
        if length > MAX_CELL[column]:
            problems.append(
                f"{place(column)}: ข้อความยาว {length:,} ตัวอักษร เกินที่รับได้ {MAX_CELL[column]:,} ตัวอักษร — "
                f"ตรวจว่าไม่ได้วางข้อความอื่นปนมา (too long: at most {MAX_CELL[column]:,} characters)"
            )
            continue  # not read further: a problem is already said, and the text is not what the column holds
        text[column] = raw
    measure = MeasureDraft(
        title=clean(text.get("title", "")), place=place(), analysis=clean(text.get("analysis", "")),
        cells={column: place(column) for column in PLAN_COLUMN},
    )
    for column in REQUIRED:
        # A row without a period or a division is a draft, not a wrong file (tracker.plans.import_plan decides).
        if column in text and not clean(text[column]) and column not in DRAFTABLE:
            problems.append(f"{place(column)}: ช่องว่าง — ต้องมี{PLAN_COLUMN[column]} (required, empty)")
    measure.steps = split_numbered(text.get("steps", ""))
    if len(measure.steps) > MAX_STEPS:
        problems.append(
            f"{place('steps')}: มี {len(measure.steps):,} ขั้นตอน เกินที่รับได้ {MAX_STEPS} ขั้นตอนต่อมาตรการ "
            f"(too many steps: at most {MAX_STEPS} a measure)"
        )
    measure.division_names = split_divisions(text.get("divisions", ""))
    if len(measure.division_names) > MAX_DIVISIONS:
        problems.append(
            f"{place('divisions')}: มี {len(measure.division_names):,} กอง เกินที่รับได้ {MAX_DIVISIONS} กองต่อมาตรการ "
            f"(too many divisions: at most {MAX_DIVISIONS} a measure)"
        )
    for name in measure.division_names:
        if len(name) > MAX_DIVISION_NAME:
            problems.append(
                f"{place('divisions')}: ชื่อกอง “{shorten(name)}” ยาว {len(name):,} ตัวอักษร เกินที่รับได้ "
                f"{MAX_DIVISION_NAME} — คั่นแต่ละกองด้วยจุลภาคหรือขึ้นบรรทัดใหม่ "
                f"(a division name of at most {MAX_DIVISION_NAME} characters)"
            )
    measure.period_text = clean(text.get("period", ""))
    if measure.period_text:
        try:
            period = read_period(text["period"], fiscal_year)
        except UndatedPeriod:
            measure.undated = True  # an event's or a term's: a draft whose dates a person sets
        except PeriodError as error:
            problems.append(f"{place('period')}: {error}")
        else:
            measure.take_period(period, place("period"))
    _read_extras(cells, columns, months or {}, measure, place, problems)
    if clean(text.get("indicators", "")):
        measure.indicators = parse_indicator_numbers(
            text["indicators"], place("indicators"), problems, fiscal_year
        )
        measure.indicator_source = IndicatorSource.EXPLICIT.value
    return measure


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MARKS = {"✓", "✔", "/", "x", "X", "✗", "*", "●", "•", "√"}  # what a plan ticks a month's cell with


def _read_extras(
    cells: list, columns: dict[str, int], months: dict[int, str], measure: MeasureDraft, place, problems: list[str]
) -> None:
    """Keep the plan's extra columns on the measure as written (budget, output, KPI; the months a target is set
    in), and read its weight as a number: a weight that is not one is a problem, never a guess."""

    def cell(index: int | None) -> str:
        value = cells[index] if index is not None and index < len(cells) else None
        return clean("" if value is None else strip_junk(str(value)))

    for column in sorted((c for c in EXTRA_COLUMNS if c in columns), key=columns.__getitem__):  # the plan's order
        value = cell(columns[column])
        if not value:
            continue
        if len(value) > MAX_EXTRA_CELL:
            problems.append(
                f"{place(None)} คอลัมน์ “{EXTRA_COLUMN[column]}”: ข้อความยาว {len(value):,} ตัวอักษร เกินที่รับได้ "
                f"{MAX_EXTRA_CELL:,} ตัวอักษร (too long: at most {MAX_EXTRA_CELL:,} characters)"
            )
            continue
        if column == "weight":
            number = _NUMBER.fullmatch(to_arabic_digits(value).replace(",", "").rstrip("%").strip())
            if number is None or not 0 < float(number.group(0)) <= 100:
                problems.append(
                    f"{place(None)} คอลัมน์ “{EXTRA_COLUMN[column]}”: “{shorten(value, 30)}” ไม่ใช่น้ำหนัก — ต้องเป็นตัวเลข"
                    " มากกว่า 0 ถึง 100 เช่น 20 หรือ 20% (a weight is a number above 0, at most 100)"
                )
                continue
            measure.weight = float(number.group(0))  # kept as a number (Measure.weight), shown as labels.weight_text
            continue
        measure.details.append((EXTRA_COLUMN[column], value))
    targets = []
    for index, month in months.items():
        value = cell(index)
        if value:
            targets.append(month if value in _MARKS else f"{month} {value}")
    if targets:
        measure.details.append((MONTHLY_TARGETS, ", ".join(targets)))
