"""Read and write the plan template: one measure a row, as CSV or XLSX.

The header is the first non-empty row and names its columns the way rows.header_columns knows them (Thai, English,
or the template's "Thai (english)"); every row under it is one measure, read by rows.measure_from_row like a row of a
report's table. A sheet carries only the plan: no organization, no scores. Its fiscal year is the one the caller
gives, or the one every period ends in.

Pure: files in, PlanDraft out; no Flask, no database.
"""
from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections import defaultdict
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..labels import PLAN_COLUMN
from ..spreadsheet import append_texts
from ..thai import fiscal_year_of, format_date, is_plausible_be_year, year_expected
from .draft import MeasureDraft, PlanDraft, PlanFileError, decode_text, where
from .rows import (
    COLUMNS,
    MAX_MEASURES,
    REQUIRED,
    header_columns,
    is_header,
    measure_from_row,
    month_columns,
    too_many_rows,
)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import _WorksheetLike  # the stubs' name for what Workbook.worksheets holds
    from openpyxl.worksheet.worksheet import Worksheet

# openpyxl (a tenth of a second to import, with Pillow) is imported by the functions that read or write an .xlsx:
# `tracker` and the web app start without it, and a CSV never loads it.

# The template's columns, in order, and the English word that follows the Thai name in its header.
TEMPLATE_COLUMNS: tuple[str, ...] = ("order", "title", "analysis", "indicators", "steps", "period", "divisions")
ENGLISH_WORDS: dict[str, str] = {
    "order": "order",
    "title": "measure",
    "analysis": "analysis",
    "indicators": "indicators",
    "steps": "steps",
    "period": "period",
    "divisions": "divisions",
}
TEMPLATE_HEADER: tuple[str, ...] = tuple(f"{PLAN_COLUMN[c]} ({ENGLISH_WORDS[c]})" for c in TEMPLATE_COLUMNS)

PLAN_SHEET = "แผน (plan)"
HELP_SHEET = "คำอธิบาย (help)"

# An example row from a real plan; it sits on the help sheet, since a row on the plan sheet would be imported.
EXAMPLE_ROW: dict[str, str] = {
    "order": "1",
    "title": "การจัดทำคู่มือหรือแนวทางการปฏิบัติหน้าที่ของเจ้าหน้าที่ให้ครบทุกกระบวนการ",
    "analysis": "ผู้รับบริการบางรายเห็นว่าการให้บริการของเจ้าหน้าที่ไม่เป็นไปตามขั้นตอนและระยะเวลาที่กำหนด",
    "indicators": "6",
    "steps": "1. จัดทำคู่มือการปฏิบัติงานโดยระบุขั้นตอนและระยะเวลา\n2. เผยแพร่คู่มือให้ผู้รับบริการทราบ",
    "period": "ต.ค. 68 - ก.ย. 69",
    "divisions": "1. สำนักปลัด\n2. กองคลัง",
}

# Per column: required?, what to write, an example.
_HELP: dict[str, tuple[bool, str, str]] = {
    "order": (False, "เลขลำดับของมาตรการ 1, 2, 3 … (ไม่บังคับ) — the measure's number, optional", "1"),
    "title": (
        True,
        "ชื่อมาตรการ โครงการ หรือกิจกรรม หนึ่งแถวต่อหนึ่งมาตรการ — the measure, one per row",
        EXAMPLE_ROW["title"],
    ),
    "analysis": (
        False,
        "ผลการวิเคราะห์หรือประเด็นที่ต้องปรับปรุง ซึ่งเป็นเหตุของมาตรการ (ไม่บังคับ) — the finding behind the measure",
        EXAMPLE_ROW["analysis"],
    ),
    "indicators": (
        False,
        "เลขตัวชี้วัด ITA (1-10) ที่มาตรการนี้ปรับปรุง หลายตัวคั่นด้วยจุลภาค เช่น 6, 7; เว้นว่างได้ "
        "ระบบจะเสนอตัวชี้วัดให้ตรวจสอบตอนนำเข้า — ITA indicator numbers; if empty, the import suggests one",
        "6",
    ),
    "steps": (
        True,
        "ขั้นตอนการดำเนินการ ใส่เลขลำดับ (1. … 2. …) หรือบรรทัดละหนึ่งขั้นตอน (ขึ้นบรรทัดใหม่ในเซลล์ด้วย Alt+Enter); "
        "แต่ละขั้นตอนจะเป็นงานหนึ่งงาน กำหนดส่งกระจายตามช่วงเวลา "
        "— steps, numbered or one per line; each becomes a task",
        EXAMPLE_ROW["steps"],
    ),
    "period": (
        True,
        "ช่วงเวลาดำเนินการ ปี พ.ศ. 2 หรือ 4 หลัก เลขไทยหรืออารบิกก็ได้; ถ้าไม่ระบุปี (เช่น ตลอดปีงบประมาณ) "
        "ปีงบประมาณของแผนมาจากแถวอื่น หรือระบุตอนนำเข้าด้วย --fiscal-year; ไตรมาส (ไตรมาส 1 - 4) และงานที่ทำเป็นรอบ "
        "(ทุกเดือน ทุกไตรมาส ทุกวันที่ 1 - 5 ของทุกเดือน: หนึ่งงานต่อรอบ) ก็ได้; เว้นว่างหรือเขียนตามกิจกรรม "
        "(ตามห้วงเวลาจัดงานประเพณี) ได้ มาตรการจะเป็นร่างให้กำหนดวันที่ภายหลัง "
        "— the period; Buddhist-era years; quarters and rounds too; empty or an event's: a draft",
        "ต.ค. 68 - ก.ย. 69\nตุลาคม 2568 – กันยายน 2569\nตลอดปีงบประมาณ\nมี.ค. 69\nไตรมาส 1 - 4\nทุกเดือน",
    ),
    "divisions": (
        True,
        "กองหรือสำนักที่รับผิดชอบ ใส่เลขลำดับ บรรทัดละหนึ่งกอง หรือคั่นด้วยจุลภาค / หรือ “และ”; เขียน “ทุกกอง” "
        "หรือชื่อย่อ (สป. กค. กช.) ได้; เว้นว่างได้ มาตรการจะเป็นร่างให้เลือกกองภายหลัง "
        "— responsible divisions, numbered, one per line or comma-separated; empty: a draft",
        EXAMPLE_ROW["divisions"],
    ),
}

_WIDTHS = {"order": 8, "title": 45, "analysis": 45, "indicators": 14, "steps": 55, "period": 24, "divisions": 28}

_Row = tuple[int, list[str]]  # the row number a person sees (1-based) and its cells as text

# What a sheet may be, read before a cell is looked at: a plan is a few dozen rows of a few columns. Past these a file
# is refused, saying which limit it passed, before it costs time or memory.
MAX_SHEET_ROWS = 5_000  # rows, blank ones counted, a sheet is read to
MAX_COLUMNS = 50  # columns of a sheet read; a plan has 7
# An .xlsx is a zip of XML: a few kilobytes pack into gigabytes (a zip bomb). Its members' unpacked sizes, which
# zipfile holds each member to as it reads (a member that unpacks to more fails its CRC), are checked first: all of
# them (pictures included), and the XML openpyxl parses cell by cell, which costs about a second for 5 MB. A plan's
# XML is tens of kilobytes; 200 measures of long text, a few megabytes.
MAX_XLSX_UNPACKED = 50 * 1024 * 1024
MAX_XLSX_XML = 10 * 1024 * 1024
MAX_XLSX_MEMBERS = 1_000


# --- reading -------------------------------------------------------------------------------------------------------


def read_sheet(path: Path, source: str, fiscal_year: int | None) -> PlanDraft:
    """Read a filled-in template (.csv or .xlsx) into a PlanDraft, or raise PlanFileError with every problem in it."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows, place = _csv_rows(path, source), source
    elif suffix == ".xlsx":
        rows, place = _xlsx_rows(path, source)
    else:
        raise PlanFileError([f"{source}: อ่านได้เฉพาะไฟล์ .csv หรือ .xlsx (expected a .csv or .xlsx file)"])
    return _read_rows(rows, source, place, fiscal_year)


def _read_rows(
    rows: list[_Row], source: str, place: str, fiscal_year: int | None, *, find_year: bool = True
) -> PlanDraft:
    """The header's and measures' rows read into a PlanDraft in `fiscal_year`, or with None in the one every period
    ends in; with `find_year` False, a None year stays None (the rows read without one, for a caller reading several
    tables to find the year over them all: word.read_word)."""
    if not rows:
        raise PlanFileError([f"{source}: ไฟล์ว่าง ไม่มีหัวตารางและไม่มีมาตรการ (the file is empty)"])
    (header_row, header), body = rows[0], rows[1:]
    columns = header_columns(header)
    if not is_header(header):
        raise PlanFileError([_missing_columns(place, header_row, columns, rows)])
    # A row with nothing but its number was numbered in advance and never filled in.
    body = [(n, cells) for n, cells in body if any(c.strip() for i, c in enumerate(cells) if i != columns.get("order"))]
    if not body:
        raise PlanFileError(
            [
                f"{place}: มีแต่หัวตาราง ไม่มีมาตรการ — เพิ่มมาตรการใต้หัวตาราง แถวละหนึ่งมาตรการ "
                "(no measures below the header)"
            ]
        )
    limit: list[str] = []
    if len(body) > MAX_MEASURES:
        limit = [too_many_rows(where(place, row=body[MAX_MEASURES][0]), len(body))]
        body = body[:MAX_MEASURES]  # the first rows' own problems are still worth saying

    def read(year: int | None) -> tuple[list[tuple[int, MeasureDraft]], list[str]]:
        problems: list[str] = list(limit)
        measures = []
        for number, cells in body:
            measure = measure_from_row(
                cells, columns, source=place, row=number, fiscal_year=year, problems=problems,
                months=month_columns(header),
            )
            if measure is not None:
                measures.append((number, measure))
        return measures, problems

    year = fiscal_year
    measures, problems = read(year)
    if year is None and find_year:
        ends: dict[int, list[int]] = defaultdict(list)  # fiscal year -> rows whose period ends in it
        for number, measure in measures:
            if measure.end is not None:
                ends[fiscal_year_of(measure.end)].append(number)
        if len(ends) == 1 and not is_plausible_be_year(next(iter(ends))):
            (only,) = ends
            problems = [
                f"{source}: ช่วงเวลาของมาตรการสิ้นสุดในปีงบประมาณ {only} ({_rows_text(ends[only])}) "
                f"ซึ่งไม่ใช่ปีที่เป็นไปได้ — {year_expected()}",
                *problems,
            ]
        elif len(ends) == 1:
            # Read again in that year, so periods without a year ("ตลอดปีงบประมาณ", "ต.ค. - ธ.ค.") fall in it.
            year = next(iter(ends))
            measures, problems = read(year)
        else:
            # Keep only the problems that do not come from the missing year: those a fiscal year would not cure.
            some_year = min(ends) if ends else fiscal_year_of(date.today())
            cured = set(problems) - set(read(some_year)[1])
            problems = [_fiscal_year_problem(source, ends)] + [p for p in problems if p not in cured]
    # A year is always found or given (with find_year) unless a problem above says why not.
    draft = PlanDraft(
        source=source, fiscal_year=year, measures=[m for _, m in measures], year_refused=year is None and find_year
    )
    if problems:
        raise PlanFileError(problems, draft)  # with what was read, for the import's own checks to run on
    return draft


def _fiscal_year_problem(source: str, ends: dict[int, list[int]]) -> str:
    if not ends:
        return (
            f"{source}: ไม่มีช่วงเวลาใดระบุปี จึงไม่ทราบปีงบประมาณของแผน — ระบุปีงบประมาณ (พ.ศ.) ด้วย --fiscal-year "
            "(no period names a year; give the plan's fiscal year with --fiscal-year)"
        )
    years = ", ".join(f"{y} ({_rows_text(ends[y])})" for y in sorted(ends))
    return (
        f"{source}: ช่วงเวลาของมาตรการสิ้นสุดในหลายปีงบประมาณ — {years} — ไม่ทราบว่าแผนเป็นของปีงบประมาณใด "
        f"ระบุด้วย --fiscal-year (periods end in fiscal years {' and '.join(map(str, sorted(ends)))}; "
        "give the plan's fiscal year with --fiscal-year)"
    )


def _rows_text(numbers: list[int]) -> str:
    return "แถว " + ", ".join(map(str, numbers))


def _missing_columns(place: str, header_row: int, columns: dict[str, int], rows: list[_Row]) -> str:
    missing = [c for c in REQUIRED if c not in columns]
    thai = ", ".join(f"“{PLAN_COLUMN[c]}”" for c in missing)
    english = "; ".join(
        f"{PLAN_COLUMN[c]}: {' / '.join(w for w in COLUMNS[c] if w.isascii())}" for c in missing
    )
    message = (
        f"{where(place, row=header_row)}: หัวตารางไม่มีคอลัมน์ {thai} — แถวแรกที่มีข้อมูลต้องเป็นหัวตาราง "
        f"เช่น {', '.join(TEMPLATE_HEADER)} (the header lacks the required columns; English headers accepted: "
        f"{english})"
    )
    later = next((number for number, cells in rows[1:11] if is_header(cells)), None)
    if later is not None:
        message += (
            f"; พบหัวตารางที่แถว {later} — ลบแถวที่อยู่เหนือหัวตารางออก "
            f"(the header is on row {later}: delete the rows above it)"
        )
    return message


def _text(value: object) -> str:
    """A cell as text: numbers without a spurious `.0`, dates the way a plan writes them, nothing for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():  # never inf or nan: is_integer() is False for them
        return str(int(value))
    if isinstance(value, datetime):
        # Excel turns a typed date into a number shown as a date; give it back as a day parse_period reads.
        return format_date(value.date()) if value.time() == time() else str(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _non_empty(numbered: list[_Row]) -> list[_Row]:
    return [(n, cells) for n, cells in numbered if any(c.strip() for c in cells)]


def _csv_rows(path: Path, source: str) -> list[_Row]:
    # Thai Excel on Windows saves "CSV" in the ANSI code page: Windows-874, a superset of TIS-620.
    text = decode_text(path.read_bytes(), source, cp874=True)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count) if first else ","
    numbered: list[_Row] = []
    try:
        # Each record is one row as a spreadsheet shows it, even when a quoted cell holds line breaks.
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if number > MAX_SHEET_ROWS:
                raise PlanFileError([_too_long_sheet(source)])
            numbered.append((number, cells[:MAX_COLUMNS]))
    except csv.Error as error:
        # The reader's own words (a field over its limit, a NUL, a stray quote) and where it stopped.
        raise PlanFileError(
            [f"{where(source, row=len(numbered) + 1)}: อ่าน CSV ไม่ได้ ({error}) (not a readable CSV file)"]
        ) from None
    return _non_empty(numbered)


def _too_long_sheet(place: str) -> str:
    return (
        f"{place}: ไฟล์ยาวเกิน {MAX_SHEET_ROWS:,} แถว (นับแถวว่างด้วย) — แผนหนึ่งมีไม่เกิน {MAX_MEASURES} มาตรการ "
        f"ลบแถวที่ไม่ใช้ใต้ตารางออก (more than {MAX_SHEET_ROWS:,} rows)"
    )


def check_zip(path: Path, source: str, kind: str = ".xlsx", unreadable: str | None = None) -> None:
    """Refuse an Office file (a workbook, or with `kind` ".docx" a Word document) that is not a zip, or whose parts
    would unpack to more than a plan can be, before openpyxl or python-docx unpacks anything; `unreadable` is the
    problem of a file that is not a zip at all."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PlanFileError([unreadable or _not_a_workbook(source)]) from None
    unpacked = sum(member.file_size for member in members)
    xml = sum(member.file_size for member in members if member.filename.endswith((".xml", ".rels")))
    if len(members) > MAX_XLSX_MEMBERS or unpacked > MAX_XLSX_UNPACKED or xml > MAX_XLSX_XML:
        part = "ตาราง" if kind == ".xlsx" else "XML"  # a workbook's XML is its sheets
        raise PlanFileError(
            [
                f"{source}: ไฟล์ {kind} นี้เมื่อแตกออกมีขนาด {unpacked / 2**20:,.1f} MB ({part} {xml / 2**20:,.1f} MB) "
                f"ใน {len(members):,} ส่วน เกินที่อ่านได้ (ทั้งหมด {MAX_XLSX_UNPACKED // 2**20} MB, {part} "
                f"{MAX_XLSX_XML // 2**20} MB, {MAX_XLSX_MEMBERS:,} ส่วน) — แผนจริงมีขนาดไม่ถึง 1 MB "
                f"บันทึกเฉพาะตารางแผนเป็นไฟล์ใหม่ (the {kind} file unpacks to more than a plan can be: at most "
                f"{MAX_XLSX_UNPACKED // 2**20} MB, {MAX_XLSX_XML // 2**20} MB of it XML)"
            ]
        )


def _not_a_workbook(source: str) -> str:
    return f"{source}: เปิดเป็นไฟล์ .xlsx ไม่ได้ — ถ้าเป็น .xls ให้บันทึกเป็น .xlsx (not a readable .xlsx workbook)"


def _xlsx_rows(path: Path, source: str) -> tuple[list[_Row], str]:
    """The rows of the first sheet whose first non-empty row is a plan header, and the name to place rows by."""
    from openpyxl import load_workbook

    check_zip(path, source)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts of a workbook it drops (data validation, styles); the plan does not need them.
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises what its parsers raise on a broken part: any of them means the same here
        raise PlanFileError([_not_a_workbook(source)]) from None
    try:
        found: list[tuple[int, str, list[_Row]]] = []
        for position, sheet in enumerate(workbook.worksheets):
            name = source if position == 0 else f"{source} แผ่นงาน “{sheet.title}”"
            rows = _sheet_rows(sheet, name)
            if rows and is_header(rows[0][1]):
                # Name the sheet only when it is not the first one, where a person would look first.
                return rows, name
            if rows:
                found.append((position, sheet.title, rows))
    except PlanFileError:
        raise
    except Exception:  # a cell openpyxl cannot turn into a value (a date past year 9999, a broken part)
        raise PlanFileError([_not_a_workbook(source)]) from None
    finally:
        workbook.close()
    if not found:
        return [], source
    # No sheet starts with a header: complain about the one that comes closest.
    position, title, rows = max(found, key=lambda f: sum(c in header_columns(f[2][0][1]) for c in REQUIRED))
    return rows, (source if position == 0 else f"{source} แผ่นงาน “{title}”")


def _sheet_rows(sheet: _WorksheetLike, place: str) -> list[_Row]:
    """A sheet's non-empty rows as text, reading at most MAX_SHEET_ROWS rows of MAX_COLUMNS columns: a cell far down
    or far right (XFD1048576) would otherwise make openpyxl fill in every row and column before it."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if isinstance(sheet, ReadOnlyWorksheet):
        sheet.reset_dimensions()  # some writers store a wrong size, which would cut rows off
    numbered: list[_Row] = []
    for number, values in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > MAX_SHEET_ROWS:
            raise PlanFileError([_too_long_sheet(place)])
        numbered.append((number, [_text(v) for v in values]))
    return _non_empty(numbered)


# --- writing -------------------------------------------------------------------------------------------------------


def write_template(path: Path) -> None:
    """Write an empty plan template: .xlsx with a help sheet, or .csv (UTF-8 with BOM) holding the header row."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _write_xlsx(path)
    elif suffix == ".csv":
        # The BOM makes Excel open the file as UTF-8 instead of the Thai ANSI code page.
        with path.open("w", encoding="utf-8-sig", newline="") as file:
            csv.writer(file, lineterminator="\r\n").writerow(TEMPLATE_HEADER)
    else:
        raise ValueError(
            f"{path.name}: แม่แบบเขียนได้เป็น .xlsx หรือ .csv เท่านั้น "
            f"(cannot write a template as “{path.suffix or 'no suffix'}”; use .xlsx or .csv)"
        )


def _write_xlsx(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    # Text through spreadsheet.append_texts, as in the report: a string cell, never a formula.
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook()

    plan = cast("Worksheet", workbook.active)  # a new workbook has one sheet, active
    plan.title = PLAN_SHEET
    append_texts(plan, TEMPLATE_HEADER)
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = plan.cell(row=1, column=index)
        cell.font, cell.alignment = bold, wrap
        dimension = plan.column_dimensions[get_column_letter(index)]
        dimension.width = _WIDTHS[column]
        # Column styles, not cells: cells styled below the header would make appended rows start further down.
        dimension.alignment = wrap
        if column in ("indicators", "period"):
            dimension.number_format = "@"  # text: keep "6, 7" and "1/10/68" as written
    plan.row_dimensions[1].height = 36
    plan.freeze_panes = "A2"

    help_sheet = workbook.create_sheet(HELP_SHEET)
    append_texts(
        help_sheet,
        [f"วิธีกรอกแผ่นงาน “{PLAN_SHEET}”: แถวแรกเป็นหัวตาราง แถวละหนึ่งมาตรการ (how to fill in the plan sheet)"]
    )
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.append([])
    append_texts(
        help_sheet,
        ["คอลัมน์ (column)", "หัวตารางภาษาอังกฤษ (English header)", "ต้องกรอก (required)", "วิธีกรอก (what to write)",
         "ตัวอย่าง (example)"]
    )
    for column in TEMPLATE_COLUMNS:
        required, what, example = _HELP[column]
        english = " / ".join(w for w in COLUMNS[column] if w.isascii())
        append_texts(
            help_sheet,
            [
                PLAN_COLUMN[column],
                english,
                "ต้องกรอก (required)" if required else "ไม่บังคับ (optional)",
                what,
                example,
            ]
        )
    help_sheet.append([])
    append_texts(
        help_sheet,
        ["ตัวอย่างหนึ่งแถว จากแผนจริง (an example row from a real plan; copy it to the plan sheet to try)"]
    )
    example_title = help_sheet.max_row
    append_texts(help_sheet, TEMPLATE_HEADER)
    append_texts(help_sheet, [EXAMPLE_ROW[c] for c in TEMPLATE_COLUMNS])
    help_sheet.append([])
    append_texts(
        help_sheet,
        ["ไฟล์ CSV: บันทึกเป็น “CSV UTF-8” ถ้าบันทึกเป็น CSV ธรรมดาในภาษาไทย (TIS-620) ก็อ่านได้ "
         "(CSV: save as CSV UTF-8; Thai ANSI CSV is read too)"]
    )
    for row in (3, example_title, example_title + 1):
        for cell in help_sheet[row]:
            cell.font = bold
    for row in help_sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = wrap
    for letter, width in zip("ABCDEFG", (30, 24, 20, 60, 45, 24, 28), strict=True):
        help_sheet.column_dimensions[letter].width = width

    workbook.save(path)
