"""Property-based fuzzing of the three plan readers (report text, CSV, XLSX) through `read_plan_file`.

Whatever a file holds, reading it either gives a PlanDraft that the rest of the import can use, or a PlanFileError
whose every problem is a Thai sentence naming the file; nothing else escapes, and no example takes long. The inputs
are built from a grammar around the seed report's structure (cover, scores, the improvement table, periods,
indicators, divisions) mixed with junk: control characters, NUL, emoji, Thai and Arabic digits, impossible years,
huge numbers and ranges, long runs of one character, wrong types in spreadsheet cells.

Derandomized and without an example database, so CI runs the same examples every time; the example counts keep the
whole file to about ten seconds on a 2-core machine. Each example is stopped after a few seconds (SIGALRM), so a
reader that hangs fails the test instead of stalling the suite.
"""
from __future__ import annotations

import csv
import io
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tracker.labels import EXTRA_COLUMN, PLAN_COLUMN
from tracker.plans import PlanFileError, read_plan_file
from tracker.plans.build import Resolution
from tracker.plans.draft import PlanDraft
from tracker.plans.preview import preview, preview_text
from tracker.plans.rows import header_columns
from tracker.plans.sheets import TEMPLATE_HEADER
from tracker.thai import MONTHS_LONG, MONTHS_SHORT, fiscal_year_bounds, to_thai_digits

pytestmark = pytest.mark.slow  # hundreds of generated files per test (pyproject.toml)

SECONDS_PER_EXAMPLE = 2.0  # far above what any example needs: a slower one is a hang the readers must not have

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,  # timed by the test itself, so a slow example fails with its own message rather than as flaky
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# --- the grammar ------------------------------------------------------------------------------------------------------

JUNK_CHARACTERS = st.characters(exclude_categories=("Cs",))  # anything a str can hold and UTF-8 can write
JUNK_PIECES = st.sampled_from(
    ["\x00", "\x07", "\x1b[31m", "\u200b", "\ufeff", "\u202e", "😀", "👩‍👩‍👧", "\r", "\r\n", "\t", ",", ";", '"', "\\",
     "๑๒๓", "123", "-", "–", ".", "ภาพรวม", "IIT", "ตัวชี้วัดที่", "ได้คะแนน", "ปีงบประมาณ", "มาตรการ", "ขั้นตอน",
     "ระยะเวลา", "ผู้รับผิดชอบ", "เทศบาลตำบล", "=1/0", "#DIV/0!", "NaN", "1e309"]
)


@st.composite
def runs(draw) -> str:
    """A long run of one piece: tens of thousands of spaces are what made the report reader quadratic."""
    piece = draw(st.sampled_from([" ", "\t", "ก", "1", "๙", ".", "-", " ", "*", "\u200b", "IIT ", "ตัวชี้วัดที่ 1 "]))
    return piece * draw(st.integers(1_000, 30_000))


junk = st.one_of(
    st.text(JUNK_CHARACTERS, max_size=40),
    st.lists(JUNK_PIECES, max_size=8).map("".join),
    runs(),
)


@st.composite
def years(draw) -> str:
    """A year as written: two or four digits, BE or CE, plausible or not (0000, 0001, 9999, a BE year before 1)."""
    number = draw(st.one_of(st.integers(2560, 2575), st.integers(2020, 2030), st.integers(0, 99),
                            st.integers(0, 9999), st.sampled_from([0, 1, 542, 543, 544, 2399, 2400, 2700, 9999])))
    text = f"{number:02d}" if number < 100 and draw(st.booleans()) else f"{number:04d}"
    return to_thai_digits(text) if draw(st.booleans()) else text


@st.composite
def periods(draw) -> str:
    def point() -> str:
        day = draw(st.one_of(st.none(), st.integers(0, 40)))
        month = draw(st.integers(0, 11))
        spelled = draw(st.sampled_from([MONTHS_SHORT[month], MONTHS_LONG[month], MONTHS_SHORT[month].replace(".", "")]))
        year = draw(st.one_of(st.none(), years()))
        return " ".join(part for part in (str(day) if day is not None else "", spelled, year or "") if part)

    kind = draw(st.integers(0, 4))
    if kind == 0:
        return f"{point()} {draw(st.sampled_from(['-', '–', 'ถึง', ' - ']))} {point()}"
    if kind == 1:
        return point()
    if kind == 2:
        return draw(st.sampled_from(["ตลอดปีงบประมาณ", "ตลอดปี", "ปีงบประมาณ "])) + draw(st.one_of(st.just(""), years()))
    if kind == 3 and draw(st.booleans()):  # the forms real plans write (issue 22): rounds, quarters, events, drafts
        return draw(st.sampled_from(["ไตรมาส ๑ - ๔", "ไตรมาสที่ 2", "ไตรมาส 1 และ 3", "ทุกเดือน", "ทุกไตรมาส",
                                     "ทุกวันที่ ๑ - ๕ ของทุกเดือน", "ทุกวันที่ 32 ของเดือน", "ม.ค. - ธ.ค. 69",
                                     "ตามห้วงเวลาจัดงานประเพณี", "ภาคเรียนที่ 1", "ทุกสัปดาห์", "ไตรมาส 5", "",
                                     "ทุกเดือน (ต.ค. 68 - ก.ย. 72)"]))
    if kind == 3:
        return draw(st.sampled_from(["31 ก.พ. 70", "30 ก.พ. 2570", "29 ก.พ. 2569", "29 ก.พ. 2571", "0 ต.ค. 68",
                                     "ต.ค. 0000 - ก.ย. 0001", "ต.ค. 9999", "ปีงบประมาณ 0001", "ม.ค. 542"]))
    return draw(junk)


indicators = st.one_of(
    st.integers(-5, 20).map(str),
    st.sampled_from(["6", "ตัวชี้วัดที่ ๖, ๗", "9.1", "1-3", "1-100000000", "3-1", "O12", "0", "๑๐", "1 - 99999999999"]),
    st.integers(0, 10**30).map(lambda n: f"1-{n}"),
    st.integers(1, 6000).map(lambda n: "9" * n),  # past Python's limit on converting digits to an int
    junk,
)

divisions = st.one_of(
    st.sampled_from(["สำนักปลัด", "กองคลัง", "1. สำนักปลัด\n2. กองคลัง", "ทุกกอง", "กองสาธารณสุขและสิ่งแวดล้อม",
                     "สำนักปลัด, กองช่าง และ กองการศึกษา", "กองคลัง/กองช่าง"]),
    junk,
)

steps = st.one_of(
    st.sampled_from(["1. จัดทำคู่มือ 2. เผยแพร่", "๑.สำรวจ ๒.ปรับปรุง", "สำรวจ\nปรับปรุง", "- ทำ\n- ส่ง"]),
    st.integers(1, 400).map(lambda n: " ".join(f"{i}. ขั้น{i}" for i in range(1, n + 1))),
    junk,
)

titles = st.one_of(st.sampled_from(["จัดทำคู่มือ", "เผยแพร่ข้อมูลบนเว็บไซต์", ""]), junk,
                   st.integers(1, 12_000).map(lambda n: "ก" * n))

weights = st.one_of(st.sampled_from(["20", "12.5", "๒๐", "40%", "0", "101", "-5", "มาก", "1e9", "9" * 400]),
                    st.floats(allow_nan=True, allow_infinity=True).map(str), junk)

COLUMN_CELLS = {"order": st.one_of(st.integers(0, 30).map(str), junk), "title": titles, "analysis": junk,
                "indicators": indicators, "steps": steps, "period": periods(), "divisions": divisions,
                # the extra columns a plan may add (rows.EXTRA_COLUMNS): kept as written, the weight read as a number
                "budget": junk, "output": junk, "kpi": junk, "weight": weights}


@st.composite
def headers(draw) -> list[str]:
    """A header row: the template's, the Thai labels, or a shuffled subset of them, sometimes with junk columns."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return list(TEMPLATE_HEADER)
    if kind == 1:
        return [PLAN_COLUMN[c] for c in PLAN_COLUMN]
    names = draw(st.lists(st.sampled_from([*PLAN_COLUMN.values(), *EXTRA_COLUMN.values(), "ต.ค. 68"]),
                          min_size=1, max_size=8))
    if kind == 3:
        names.insert(draw(st.integers(0, len(names))), draw(junk))
    return names


@st.composite
def table(draw, header: list[str]) -> list[list[str]]:
    """Rows under a header: cells drawn per column from its grammar, rows sometimes too short or too long."""
    by_index = {index: column for column, index in header_columns(header).items()}
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        width = len(header) + draw(st.sampled_from([0, 0, 0, -1, 1, 3]))
        rows.append([draw(COLUMN_CELLS[by_index[i]]) if i in by_index else draw(junk) for i in range(max(width, 0))])
    return rows


# --- report text ------------------------------------------------------------------------------------------------------


@st.composite
def reports(draw) -> bytes:
    lines: list[str] = []
    add = lines.append
    if draw(st.booleans()):
        add(draw(st.sampled_from(["เทศบาลตำบลบางกระบือ", "องค์การบริหารส่วนตำบลทดสอบ", "เทศบาลเมือง" + "ก" * 5000])))
        add("อำเภอบางคนที จังหวัดสมุทรสงคราม")
    for _ in range(draw(st.integers(0, 3))):
        add(f"ประจำปีงบประมาณ พ.ศ. {draw(years())}")
    number = st.one_of(st.floats(0, 999, allow_nan=False).map(lambda f: f"{f:.2f}"), st.integers(0, 10**6).map(str))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            add(f"คะแนนในภาพรวมอยู่ที่ {draw(number)} คะแนน{draw(junk)}")
        elif kind == 1:
            add(f"{draw(st.sampled_from(['IIT', 'EIT', 'OIT']))}{draw(junk)}{draw(number)}")
        elif kind == 2:
            add(f"ตัวชี้วัดที่ {draw(st.integers(0, 99))} {draw(junk)} ได้คะแนน {draw(number)}")
        elif kind == 3:
            add(f"### **ตัวชี้วัดที่ {draw(st.integers(0, 99))} {draw(junk)}**")
        else:
            add(f"{draw(st.integers(0, 99))}\t{draw(junk)}\t{draw(number)}")
    if draw(st.booleans()):
        add(f"การนำผลการวิเคราะห์ไปสู่การปรับปรุง ในปีงบประมาณ พ.ศ. {draw(years())}")
    header = draw(headers())
    body = draw(table(header))
    layout = draw(st.integers(0, 2))
    if layout == 0:  # tab-separated, as the seed
        add("\t".join(header))
        lines.extend("\t".join(row) for row in body)
    elif layout == 1:  # one cell a line
        lines.extend(header)
        lines.extend(cell for row in body for cell in row)
    for _ in range(draw(st.integers(0, 3))):
        lines.insert(draw(st.integers(0, len(lines))), draw(junk))
    text = "\n".join(lines)
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=200))
    return text.encode("utf-8")


# --- CSV --------------------------------------------------------------------------------------------------------------


@st.composite
def csv_files(draw) -> bytes:
    header = draw(headers())
    rows = [header, *draw(table(header))]
    if draw(st.booleans()):
        rows.insert(0, [draw(junk)])  # a title above the header
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"]))).writerows(rows)
    text = buffer.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp874", "tis-620", "raw"]))
    if encoding == "raw":
        return draw(st.binary(max_size=300)) + text.encode("utf-8", "surrogatepass")
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


# --- XLSX -------------------------------------------------------------------------------------------------------------

CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)),
    st.times(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)),
    st.sampled_from(["=1/0", "=SUM(A1:A3)", '="ต.ค. "&"68"', "=NOW()", "#N/A", "#DIV/0!"]),
)


@st.composite
def xlsx_files(draw, directory: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    header = draw(headers())
    rows: list[list[object]] = [list(header), *draw(table(header))]
    for row in rows[1:]:
        for index in range(len(row)):
            if draw(st.integers(0, 3)) == 0:
                row[index] = draw(CELL_VALUES)
    if draw(st.booleans()):
        rows.insert(0, [draw(CELL_VALUES)])
    for row in rows:
        # openpyxl will not write most control characters (nor will Excel): take them out of the strings.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    if draw(st.booleans()):
        workbook.create_sheet("อื่น").append([ILLEGAL_CHARACTERS_RE.sub("", draw(junk))])
    path = directory / "แผน.xlsx"
    workbook.save(path)
    return path


# --- the property -----------------------------------------------------------------------------------------------------

fiscal_years = st.one_of(st.none(), st.none(), st.integers(2560, 2575), st.sampled_from([0, 1, 2025, 9999, -1]))


class TookTooLong(Exception):
    """An example ran past SECONDS_PER_EXAMPLE: a hang, stopped rather than waited out."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop what runs past `seconds` (on the main thread of a system with SIGALRM; elsewhere only measured)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise TookTooLong(f"still reading after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_reads_cleanly(path: Path, fiscal_year: int | None) -> None:
    began = time.perf_counter()
    try:
        with time_limit(SECONDS_PER_EXAMPLE * 2):
            draft = read_plan_file(path, fiscal_year=fiscal_year)
    except PlanFileError as error:
        assert error.problems, "a refusal with no problem in it"
        for problem in error.problems:
            assert isinstance(problem, str) and problem.strip()
            assert path.name in problem, f"a problem that does not name the file: {problem!r}"
    else:
        check_usable(draft)
    elapsed = time.perf_counter() - began
    assert elapsed < SECONDS_PER_EXAMPLE, f"reading took {elapsed:.1f} s"


def check_usable(draft: PlanDraft) -> None:
    """A draft the readers accept goes through the rest of the import without surprises: its years are real, its
    measures within the caps, and the dry run renders."""
    assert isinstance(draft, PlanDraft)
    assert draft.measures, "a plan without measures was accepted"
    year = draft.fiscal_year or 2569
    assert 2400 <= year <= 2700, f"fiscal year {year} accepted"
    fiscal_year_bounds(year)
    if draft.scores:
        assert 2400 <= draft.scores.year_be <= 2700, f"assessment year {draft.scores.year_be} accepted"
    for measure in draft.measures:
        assert measure.title and measure.steps and measure.division_names, f"an empty cell accepted: {measure}"
        assert measure.start and measure.end and measure.start <= measure.end, f"no period: {measure}"
        assert all(1 <= n <= 10 for n in measure.indicators), f"indicators {measure.indicators}"
    resolution = Resolution(None, year, {}, [], create=True)
    preview_text(preview(draft, resolution, "would_create", []), dry_run=True)


@pytest.fixture(scope="module")
def directory(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(FUZZ, max_examples=300)
@given(data=reports(), fiscal_year=fiscal_years)
def test_report_text_reads_or_is_refused(directory: Path, data: bytes, fiscal_year: int | None) -> None:
    path = directory / "รายงาน.txt"
    path.write_bytes(data)
    check_reads_cleanly(path, fiscal_year)


@settings(FUZZ, max_examples=300)
@given(data=csv_files(), fiscal_year=fiscal_years)
def test_csv_reads_or_is_refused(directory: Path, data: bytes, fiscal_year: int | None) -> None:
    path = directory / "แผน.csv"
    path.write_bytes(data)
    check_reads_cleanly(path, fiscal_year)


@settings(FUZZ, max_examples=150)
@given(data=st.data(), fiscal_year=fiscal_years)
def test_xlsx_reads_or_is_refused(directory: Path, data: st.DataObject, fiscal_year: int | None) -> None:
    path = data.draw(xlsx_files(directory))
    check_reads_cleanly(path, fiscal_year)


@settings(FUZZ, max_examples=150)
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".csv", ".xlsx"]))
def test_any_bytes_read_or_are_refused(directory: Path, data: bytes, suffix: str) -> None:
    path = directory / f"ไฟล์{suffix}"
    path.write_bytes(data)
    check_reads_cleanly(path, None)
