"""The CSV/XLSX plan template: writing it, reading it back, and the problems a filled-in sheet can have."""
from __future__ import annotations

import csv
import time
import zipfile
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tracker.labels import PLAN_COLUMN
from tracker.plans.draft import PlanFileError, in_file_order
from tracker.plans.rows import header_columns, is_header
from tracker.plans.sheets import (
    EXAMPLE_ROW,
    HELP_SHEET,
    PLAN_SHEET,
    TEMPLATE_COLUMNS,
    TEMPLATE_HEADER,
    read_sheet,
    write_template,
)
from tracker.spreadsheet import append_texts

from .factories import (
    FORMULA_ATTACK,
    FORMULA_STARTS,
    with_stray_byte,
    write_csv,
    write_xlsx,
    xlsx_formulas,
)

FY2569 = (date(2025, 10, 1), date(2026, 9, 30))
ENGLISH = ["order", "measure", "analysis", "indicators", "steps", "period", "divisions"]
THAI = [PLAN_COLUMN[c] for c in TEMPLATE_COLUMNS]

MANUAL = [
    "1",
    "การจัดทำคู่มือหรือแนวทางการปฏิบัติหน้าที่ของเจ้าหน้าที่ให้ครบทุกกระบวนการ",
    "ผู้รับบริการบางรายเห็นว่าการให้บริการของเจ้าหน้าที่ไม่เป็นไปตามขั้นตอนและระยะเวลาที่กำหนด",
    "6",
    "1. จัดทำคู่มือการปฏิบัติงานโดยระบุขั้นตอนและระยะเวลา 2. เผยแพร่คู่มือให้ผู้รับบริการทราบ",
    "ต.ค. 68 - ก.ย. 69",
    "1. สำนักปลัด 2. กองคลัง",
]
DISCLOSURE = [
    "2",
    "การเปิดเผยข้อมูลการจัดซื้อจัดจ้างบนเว็บไซต์",
    "",
    "9, 10",
    "รวบรวมข้อมูลการจัดซื้อจัดจ้างรายเดือน\nเผยแพร่บนเว็บไซต์ของหน่วยงาน",
    "มี.ค. 69",
    "กองคลัง, กองช่าง",
]


def problems_of(path: Path, fiscal_year: int | None = None) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        read_sheet(path, path.name, fiscal_year)
    return caught.value.problems


def check_two_measures(draft, source: str) -> None:
    assert draft.source == source
    assert draft.fiscal_year == 2569
    assert draft.organization is None and draft.scores is None
    manual, disclosure = draft.measures
    assert manual.title == MANUAL[1]
    assert manual.analysis == MANUAL[2]
    assert manual.indicators == [6]
    assert manual.steps == ["จัดทำคู่มือการปฏิบัติงานโดยระบุขั้นตอนและระยะเวลา", "เผยแพร่คู่มือให้ผู้รับบริการทราบ"]
    assert (manual.start, manual.end) == FY2569
    assert manual.period_text == "ต.ค. 68 - ก.ย. 69"
    assert manual.division_names == ["สำนักปลัด", "กองคลัง"]
    assert manual.place == f"{source} แถว 2"
    assert disclosure.title == "การเปิดเผยข้อมูลการจัดซื้อจัดจ้างบนเว็บไซต์"
    assert disclosure.indicators == [9, 10]
    assert disclosure.steps == ["รวบรวมข้อมูลการจัดซื้อจัดจ้างรายเดือน", "เผยแพร่บนเว็บไซต์ของหน่วยงาน"]
    assert (disclosure.start, disclosure.end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert disclosure.division_names == ["กองคลัง", "กองช่าง"]
    assert disclosure.place == f"{source} แถว 3"


# --- the header -----------------------------------------------------------------------------------------------------


def test_template_header_is_thai_then_english_and_recognised() -> None:
    assert TEMPLATE_COLUMNS == ("order", "title", "analysis", "indicators", "steps", "period", "divisions")
    assert TEMPLATE_HEADER[1] == "มาตรการ/โครงการ/กิจกรรม (measure)"
    assert TEMPLATE_HEADER[4] == "ขั้นตอนหรือวิธีการดำเนินการ (steps)"
    expected = {column: index for index, column in enumerate(TEMPLATE_COLUMNS)}
    assert header_columns(list(TEMPLATE_HEADER)) == expected
    assert header_columns(ENGLISH) == expected
    assert header_columns(THAI) == expected
    assert is_header(list(TEMPLATE_HEADER)) and is_header(ENGLISH) and is_header(THAI)


# --- the XLSX template ----------------------------------------------------------------------------------------------


def test_xlsx_template_layout(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == [PLAN_SHEET, HELP_SHEET]
    plan = workbook[PLAN_SHEET]
    assert [c.value for c in plan[1]] == list(TEMPLATE_HEADER)
    assert plan.max_row == 1  # only the header: an example row here would be imported
    assert all(c.font.bold and c.alignment.wrap_text for c in plan[1])
    assert plan.freeze_panes == "A2"
    assert plan.column_dimensions["B"].width >= 30 and plan.column_dimensions["A"].width < 15

    help_rows = [[c for c in row] for row in workbook[HELP_SHEET].iter_rows(values_only=True)]
    assert not is_header([str(c or "") for c in help_rows[0]])  # the help sheet never passes for the plan
    by_name = {row[0]: row for row in help_rows if row[0] in THAI}
    assert set(by_name) == set(THAI)
    period = by_name[PLAN_COLUMN["period"]]
    assert period[1] == "period" and "required" in period[2]
    for example in ("ต.ค. 68 - ก.ย. 69", "ตุลาคม 2568 – กันยายน 2569", "ตลอดปีงบประมาณ", "มี.ค. 69"):
        assert example in period[4]
    assert "optional" in by_name[PLAN_COLUMN["analysis"]][2]
    assert "required" in by_name[PLAN_COLUMN["divisions"]][2]
    header_at = next(i for i, row in enumerate(help_rows) if list(row[:7]) == list(TEMPLATE_HEADER))
    assert list(help_rows[header_at + 1][:7]) == [EXAMPLE_ROW[c] for c in TEMPLATE_COLUMNS]


def test_xlsx_template_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    sheet = workbook[PLAN_SHEET]
    # As Excel stores them: numbers as numbers, empty cells as None.
    sheet.append([1, *MANUAL[1:3], 6, *MANUAL[4:]])
    sheet.append([2.0, DISCLOSURE[1], None, *DISCLOSURE[3:]])
    workbook.save(path)

    check_two_measures(read_sheet(path, "plan.xlsx", None), "plan.xlsx")


def test_example_row_of_the_help_sheet_imports(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    help_rows = list(workbook[HELP_SHEET].iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(help_rows) if list(row[:7]) == list(TEMPLATE_HEADER))
    workbook[PLAN_SHEET].append(list(help_rows[header_at + 1][:7]))
    workbook.save(path)

    draft = read_sheet(path, "plan.xlsx", None)
    (measure,) = draft.measures
    assert draft.fiscal_year == 2569
    assert measure.title == "การจัดทำคู่มือหรือแนวทางการปฏิบัติหน้าที่ของเจ้าหน้าที่ให้ครบทุกกระบวนการ"
    assert measure.steps == ["จัดทำคู่มือการปฏิบัติงานโดยระบุขั้นตอนและระยะเวลา", "เผยแพร่คู่มือให้ผู้รับบริการทราบ"]
    assert measure.division_names == ["สำนักปลัด", "กองคลัง"]
    assert (measure.start, measure.end) == FY2569
    assert measure.indicators == [6]


def test_instructions_sheet_before_the_plan_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    workbook = Workbook()
    notes = workbook.active
    notes.title = "อ่านก่อน"
    notes.append(["กรอกแผนในแผ่นงานถัดไป"])
    notes.append(["มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ"])  # a header, but not the sheet's first row
    workbook.create_sheet("ว่าง")
    plan = workbook.create_sheet("แผน")
    plan.append([])
    plan.append(ENGLISH)
    plan.append(MANUAL)
    plan.append([None] * 7)
    plan.append(DISCLOSURE)
    plan.append([3])  # numbered in advance, never filled in: not a measure
    plan.append([4, None, None, None, None, None, None])
    workbook.save(path)

    draft = read_sheet(path, "plan.xlsx", None)
    assert [m.title for m in draft.measures] == [MANUAL[1], DISCLOSURE[1]]
    # Row numbers are the spreadsheet's own, blank rows counted; the sheet is named as it is not the first one.
    assert [m.place for m in draft.measures] == ["plan.xlsx แผ่นงาน “แผน” แถว 3", "plan.xlsx แผ่นงาน “แผน” แถว 5"]


def test_xlsx_cells_that_are_numbers_and_dates(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "plan.xlsx",
        [ENGLISH, [1.0, "ประชุมชี้แจง", None, 6.0, "ประชุม", datetime(2026, 3, 15), 1234]],
    )
    (measure,) = read_sheet(path, "plan.xlsx", None).measures
    assert measure.indicators == [6]
    assert measure.period_text == "15 มี.ค. 2569"
    assert (measure.start, measure.end) == (date(2026, 3, 15), date(2026, 3, 15))
    assert measure.division_names == ["1234"]


def test_steps_one_per_line_and_divisions_one_per_line(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "plan.xlsx",
        [
            THAI,
            [
                1,
                "ประชาสัมพันธ์ช่องทางร้องเรียน",
                "",
                "",
                "จัดทำป้ายประชาสัมพันธ์\n- เผยแพร่ทางเว็บไซต์ผ่าน 3 ช่องทาง\n\nรายงานผล",
                "ตุลาคม 2568 – กันยายน 2569",
                "สำนักปลัด\nกองการศึกษา",
            ],
        ],
    )
    (measure,) = read_sheet(path, "plan.xlsx", None).measures
    assert measure.steps == ["จัดทำป้ายประชาสัมพันธ์", "เผยแพร่ทางเว็บไซต์ผ่าน 3 ช่องทาง", "รายงานผล"]
    assert measure.division_names == ["สำนักปลัด", "กองการศึกษา"]
    assert measure.indicators == []
    assert (measure.start, measure.end) == FY2569


# --- CSV ------------------------------------------------------------------------------------------------------------


def test_csv_template_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    write_template(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel then opens the Thai as UTF-8
    assert data.decode("utf-8-sig").splitlines() == [",".join(TEMPLATE_HEADER)]
    with path.open("a", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([MANUAL, DISCLOSURE])

    check_two_measures(read_sheet(path, "plan.csv", None), "plan.csv")


def test_csv_without_bom_and_english_headers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [ENGLISH, MANUAL, DISCLOSURE], encoding="utf-8")
    check_two_measures(read_sheet(path, "plan.csv", None), "plan.csv")


def test_csv_with_thai_only_headers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [THAI, MANUAL, DISCLOSURE])
    check_two_measures(read_sheet(path, "plan.csv", None), "plan.csv")


def test_csv_in_cp874(tmp_path: Path) -> None:
    # Thai Excel on Windows saves "CSV (Comma delimited)" in the ANSI code page.
    path = write_csv(tmp_path / "plan.csv", [THAI, MANUAL, DISCLOSURE], encoding="cp874")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    check_two_measures(read_sheet(path, "plan.csv", None), "plan.csv")


def test_csv_with_semicolons(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [ENGLISH, MANUAL, DISCLOSURE], encoding="utf-8", delimiter=";")
    check_two_measures(read_sheet(path, "plan.csv", None), "plan.csv")


def test_thai_digits_in_cells(tmp_path: Path) -> None:
    row = [
        "๑",
        "การเผยแพร่ข้อมูลสาธารณะ",
        "",
        "ตัวชี้วัดที่ ๙, ๑๐",
        "๑. จัดทำข้อมูลให้ครบ ๓๓ รายการ ๒. เผยแพร่ภายในวันที่ ๑๕ ของเดือน",
        "ต.ค. ๖๘ - มี.ค. ๖๙",
        "๑.สำนักปลัด ๒.กองคลัง",
    ]
    path = write_csv(tmp_path / "plan.csv", [THAI, row])
    draft = read_sheet(path, "plan.csv", None)
    (measure,) = draft.measures
    assert draft.fiscal_year == 2569
    assert measure.indicators == [9, 10]
    assert measure.steps == ["จัดทำข้อมูลให้ครบ ๓๓ รายการ", "เผยแพร่ภายในวันที่ ๑๕ ของเดือน"]
    assert (measure.start, measure.end) == (date(2025, 10, 1), date(2026, 3, 31))
    assert measure.division_names == ["สำนักปลัด", "กองคลัง"]


def test_quoted_line_breaks_keep_row_numbers(tmp_path: Path) -> None:
    bad = [*DISCLOSURE[:5], "เร็ว ๆ นี้", DISCLOSURE[6]]
    path = write_csv(tmp_path / "plan.csv", [THAI, [*MANUAL[:4], "จัดทำ\nเผยแพร่", *MANUAL[5:]], bad])
    (problem,) = problems_of(path)
    assert problem.startswith(f"plan.csv แถว 3 คอลัมน์ “{PLAN_COLUMN['period']}”")


# --- problems -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_bad_period_names_file_row_and_column(tmp_path: Path, suffix: str) -> None:
    rows = [list(TEMPLATE_HEADER), MANUAL, [*DISCLOSURE[:5], "ภายในปีนี้", DISCLOSURE[6]]]
    path = write_csv(tmp_path / "plan.csv", rows) if suffix == ".csv" else write_xlsx(tmp_path / "plan.xlsx", rows)
    (problem,) = problems_of(path)
    assert f"plan{suffix}" in problem
    assert "แถว 3" in problem
    assert PLAN_COLUMN["period"] in problem
    assert "ภายในปีนี้" in problem


def test_every_bad_row_is_reported_together(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "plan.xlsx",
        [
            list(TEMPLATE_HEADER),
            [*MANUAL[:5], "ก.ย. 69 - ต.ค. 68", MANUAL[6]],  # ends before it starts
            MANUAL,
            [DISCLOSURE[0], "", *DISCLOSURE[2:6], ""],  # no title, no divisions
            [*DISCLOSURE[:3], "12", *DISCLOSURE[4:]],  # no such indicator
        ],
    )
    problems = problems_of(path)
    # Row 4's empty divisions are no reading problem: the import makes the row a draft or says it lacks them
    # (tests/test_plan_forms.py).
    assert len(problems) == 3
    assert problems[0].startswith(f"plan.xlsx แถว 2 คอลัมน์ “{PLAN_COLUMN['period']}”")
    assert problems[1].startswith(f"plan.xlsx แถว 4 คอลัมน์ “{PLAN_COLUMN['title']}”")
    assert problems[2].startswith(f"plan.xlsx แถว 5 คอลัมน์ “{PLAN_COLUMN['indicators']}”")
    assert "12" in problems[2]


def test_missing_required_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [["measure", "analysis", "steps"], ["จัดทำคู่มือ", "", "จัดทำ"]])
    (problem,) = problems_of(path)
    assert problem.startswith("plan.csv แถว 1")
    assert PLAN_COLUMN["period"] in problem and PLAN_COLUMN["divisions"] in problem
    assert PLAN_COLUMN["steps"] not in problem.split("—")[0]
    assert "period" in problem and "divisions" in problem


def test_title_row_above_the_header_is_pointed_out(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "plan.xlsx", [["แผนปรับปรุง ITA ปีงบประมาณ 2569"], [], THAI, MANUAL])
    (problem,) = problems_of(path)
    assert problem.startswith("plan.xlsx แถว 1")
    assert "แถว 3" in problem


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n , ,\r\n"])
def test_empty_csv(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(content)
    (problem,) = problems_of(path)
    assert problem.startswith("plan.csv:") and "empty" in problem


def test_empty_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "plan.xlsx", [])
    (problem,) = problems_of(path)
    assert problem.startswith("plan.xlsx:") and "empty" in problem


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_header_only(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"plan{suffix}"
    write_template(path)
    (problem,) = problems_of(path)
    assert problem.startswith(f"plan{suffix}") and "no measures" in problem


def test_rows_numbered_in_advance_are_not_measures(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    for number in range(1, 6):
        workbook[PLAN_SHEET].append([number])
    workbook.save(path)
    (problem,) = problems_of(path)
    assert "no measures" in problem


def test_not_a_workbook_and_unknown_suffix(tmp_path: Path) -> None:
    fake = tmp_path / "plan.xlsx"
    fake.write_text("ลำดับ,มาตรการ\n", encoding="utf-8")
    (problem,) = problems_of(fake)
    assert problem.startswith("plan.xlsx:") and ".xlsx" in problem
    other = tmp_path / "plan.ods"
    other.write_bytes(b"")
    assert problems_of(other)[0].startswith("plan.ods:")


def test_write_template_refuses_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.xlsx or \.csv"):
        write_template(tmp_path / "plan.xls")
    assert not (tmp_path / "plan.xls").exists()


# --- the fiscal year ------------------------------------------------------------------------------------------------


def test_fiscal_year_inferred_from_periods_places_periods_without_a_year(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "plan.csv",
        [
            ENGLISH,
            [*MANUAL[:5], "ตลอดปีงบประมาณ", MANUAL[6]],
            [*DISCLOSURE[:5], "ธ.ค. 68 - มี.ค. 69", DISCLOSURE[6]],
            [*DISCLOSURE[:5], "ต.ค. - ธ.ค.", DISCLOSURE[6]],
        ],
    )
    draft = read_sheet(path, "plan.csv", None)
    assert draft.fiscal_year == 2569
    whole, winter, quarter = draft.measures
    assert (whole.start, whole.end) == FY2569
    assert (winter.start, winter.end) == (date(2025, 12, 1), date(2026, 3, 31))
    assert (quarter.start, quarter.end) == (date(2025, 10, 1), date(2025, 12, 31))


def test_fiscal_year_argument_wins(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [ENGLISH, [*MANUAL[:5], "ตลอดปีงบประมาณ", MANUAL[6]]])
    draft = read_sheet(path, "plan.csv", 2570)
    assert draft.fiscal_year == 2570
    assert (draft.measures[0].start, draft.measures[0].end) == (date(2026, 10, 1), date(2027, 9, 30))


def test_periods_in_two_fiscal_years_ask_for_the_year(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "plan.csv",
        [ENGLISH, MANUAL, [*DISCLOSURE[:5], "ต.ค. 69 - ธ.ค. 69", DISCLOSURE[6]]],
    )
    (problem,) = problems_of(path)
    assert problem.startswith("plan.csv:")
    assert "--fiscal-year" in problem
    assert "2569 (แถว 2)" in problem and "2570 (แถว 3)" in problem

    draft = read_sheet(path, "plan.csv", 2569)
    assert draft.fiscal_year == 2569
    # Years written in a cell stay as written; the import warns when a period falls outside the plan's year.
    assert (draft.measures[1].start, draft.measures[1].end) == (date(2026, 10, 1), date(2026, 12, 31))


def test_no_year_anywhere_asks_for_the_year_and_still_reports_other_problems(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "plan.csv",
        [
            ENGLISH,
            [*MANUAL[:5], "ตลอดปีงบประมาณ", MANUAL[6]],
            [*DISCLOSURE[:5], "ต.ค. - ธ.ค.", ""],
        ],
    )
    (problem,) = problems_of(path)  # row 3's empty divisions: a draft, said by the import (test_plan_forms.py)
    assert problem.startswith("plan.csv:") and "--fiscal-year" in problem


# --- every problem at once; impossible days, years and numbers; junk, caps, hostile workbooks (issue 10) -------------

PERIOD, INDICATORS = PLAN_COLUMN["period"], PLAN_COLUMN["indicators"]


def bad_rows() -> list[list]:
    return [
        list(TEMPLATE_HEADER),
        MANUAL,
        ["2", "", "", "12", "1. ทำ", "31 ก.พ. 70", ""],  # row 3: no title, no such indicator, no such day, no division
        ["3", "ก" * 5_000, "", "1-100000000", "", "ต.ค. 9999", "กองคลัง"],  # row 4: title too long, huge range,
        DISCLOSURE,                                                         # no steps, impossible year
        ["5", "ทำ", "", "6", " ".join(f"{i}. ขั้น" for i in range(1, 61)), "0000", "ทุกกอง"],  # row 6
    ]


EXPECTED_BAD = [
    ("แถว 3", PLAN_COLUMN["title"], "ช่องว่าง"),
    ("แถว 3", PERIOD, "วันที่ 31 ก.พ. 2570 ไม่มีในปฏิทิน"),
    ("แถว 3", INDICATORS, "[12]"),
    ("แถว 4", PLAN_COLUMN["title"], "ยาว 5,000 ตัวอักษร เกินที่รับได้ 2,000"),
    ("แถว 4", PLAN_COLUMN["steps"], "ช่องว่าง"),
    ("แถว 4", PERIOD, "ปี 9999 ซึ่งไม่ใช่ปีที่เป็นไปได้"),
    ("แถว 4", INDICATORS, "[1-100000000]"),
    ("แถว 6", PLAN_COLUMN["steps"], "มี 60 ขั้นตอน เกินที่รับได้ 50"),
    ("แถว 6", PERIOD, "อ่านช่วงเวลาไม่ได้"),
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_problem_of_every_row_and_column_in_one_pass(tmp_path: Path, suffix: str) -> None:
    path = write_csv(tmp_path / "plan.csv", bad_rows()) if suffix == ".csv" else write_xlsx(
        tmp_path / "plan.xlsx", bad_rows())
    problems = problems_of(path)
    assert len(problems) == len(EXPECTED_BAD), problems
    for problem, (row, column, what) in zip(problems, EXPECTED_BAD, strict=True):
        assert problem.startswith(f"plan{suffix} {row} คอลัมน์ “{column}”:"), problem
        assert what in problem, problem


@pytest.mark.parametrize("period", ["31 ก.พ. 70", "30 ก.พ. 2570", "29 ก.พ. 2569", "1 ก.พ. 69 - 29 ก.พ. 69"])
def test_a_day_that_does_not_exist_names_the_cell(tmp_path: Path, period: str) -> None:
    path = write_csv(tmp_path / "plan.csv", [THAI, [*MANUAL[:5], period, MANUAL[6]]])
    (problem,) = problems_of(path, 2569)
    assert problem.startswith(f"plan.csv แถว 2 คอลัมน์ “{PERIOD}”:")
    assert "ไม่มีอยู่จริง" in problem and "ไม่มีในปฏิทิน" in problem and "อ่านช่วงเวลาไม่ได้" not in problem


def test_a_leap_day_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [THAI, [*MANUAL[:5], "1 ก.พ. 71 - 29 ก.พ. 71", MANUAL[6]]])
    (measure,) = read_sheet(path, "plan.csv", None).measures
    assert (measure.start, measure.end) == (date(2028, 2, 1), date(2028, 2, 29))


@pytest.mark.parametrize("period", ["ต.ค. 0000", "ต.ค. 0001 - ก.ย. 0002", "ปีงบประมาณ 9999", "ต.ค. 0543",
                                    "ต.ค. 2701"])
def test_impossible_years_name_the_cell_and_the_calendar(tmp_path: Path, period: str) -> None:
    path = write_csv(tmp_path / "plan.csv", [THAI, MANUAL, [*DISCLOSURE[:5], period, DISCLOSURE[6]]])
    problems = problems_of(path, 2569)
    assert len(problems) == 1 and problems[0].startswith(f"plan.csv แถว 3 คอลัมน์ “{PERIOD}”:")
    assert "ไม่ใช่ปีที่เป็นไปได้" in problems[0] and "พ.ศ." in problems[0]


def test_a_year_far_off_in_every_row_is_not_taken_for_the_plans_year(tmp_path: Path) -> None:
    # "ต.ค. - ธ.ค. 2700" ends in fiscal year 2701, past any plan: said once, with the rows, not computed with.
    path = write_csv(tmp_path / "plan.csv", [THAI, [*MANUAL[:5], "ต.ค. - ธ.ค. 2700", MANUAL[6]]])
    (problem,) = problems_of(path)
    assert problem.startswith("plan.csv:") and "2701 (แถว 2)" in problem and "ไม่ใช่ปีที่เป็นไปได้" in problem


@pytest.mark.parametrize("cell", ["1-100000000", "1 - 99999999999999999999", "9" * 150, "0", "11-12", "6, 7, 99"])
def test_indicator_numbers_outside_the_framework_name_the_cell_without_expanding(tmp_path: Path, cell: str) -> None:
    path = write_csv(tmp_path / "plan.csv", [THAI, [*MANUAL[:3], cell, *MANUAL[4:]]])
    began = time.perf_counter()
    problems = problems_of(path)
    assert time.perf_counter() - began < 1.0
    (problem,) = [p for p in problems if INDICATORS in p]
    assert problem.startswith(f"plan.csv แถว 2 คอลัมน์ “{INDICATORS}”:") and "1-10" in problem


def test_junk_characters_in_cells_are_taken_out(tmp_path: Path) -> None:
    row = ["1", "จัดทำ\x00คู่มือ\x1b[31m 😀", "", "๖", "1. ร่าง\x07 2. เผยแพร่", "ต.ค.\x0068 - ก.ย. 69", "กองคลัง\x00"]
    draft = read_sheet(write_csv(tmp_path / "plan.csv", [THAI, row]), "plan.csv", None)
    (measure,) = draft.measures
    assert measure.title == "จัดทำคู่มือ[31m 😀" and measure.steps == ["ร่าง", "เผยแพร่"]
    assert measure.division_names == ["กองคลัง"] and measure.indicators == [6]
    assert (measure.start, measure.end) == FY2569


@pytest.mark.parametrize("column, text, what", [
    ("title", "ก" * 5_001, "ยาว 5,001 ตัวอักษร"),
    ("period", "ต.ค. 68 - ก.ย. 69 " + "ก" * 300, "เกินที่รับได้ 200"),
    ("divisions", ", ".join(f"กองที่{i}" for i in range(40)), "มี 40 กอง เกินที่รับได้ 30"),
    ("divisions", "ก" * 300, "ชื่อกอง"),
])
def test_cells_beyond_their_caps_are_refused_naming_the_column(tmp_path: Path, column: str, text: str,
                                                                what: str) -> None:
    row = list(MANUAL)
    row[TEMPLATE_COLUMNS.index(column)] = text
    (problem,) = problems_of(write_csv(tmp_path / "plan.csv", [THAI, row]), 2569)
    assert problem.startswith(f"plan.csv แถว 2 คอลัมน์ “{PLAN_COLUMN[column]}”:") and what in problem


def test_more_measures_than_a_plan_has_are_refused_saying_the_cap(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [THAI, *[MANUAL] * 201])
    (problem,) = problems_of(path)
    assert problem.startswith("plan.csv แถว 202:") and "201" in problem and "200 มาตรการ" in problem


def test_a_sheet_longer_than_any_plan_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(",".join(THAI) + "\n" + "\n" * 100_000 + ",".join(MANUAL) + "\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith("plan.csv:") and "5,000 แถว" in problem


def test_a_large_but_legal_sheet_is_read_quickly(tmp_path: Path) -> None:
    steps = "\n".join(f"{i}. ขั้นตอน" for i in range(1, 40))
    rows = [[str(n), f"มาตรการที่ {n} " + "ก" * 1_500, "ข" * 5_000, "6, 7", steps, "ต.ค. 68 - ก.ย. 69",
             "สำนักปลัด, กองคลัง"] for n in range(1, 201)]
    path = write_csv(tmp_path / "plan.csv", [THAI, *rows])
    assert path.stat().st_size > 3_000_000
    began = time.perf_counter()
    draft = read_sheet(path, "plan.csv", None)
    assert time.perf_counter() - began < 5.0
    assert len(draft.measures) == 200 and len(draft.measures[0].steps) == 39


@pytest.mark.parametrize("content", [
    b"\xed\xa0\x80,\xed\xb0\x80\n",  # lone surrogates, as UTF-8 never writes them
    "มาตรการ,ขั้นตอน\n\udc80".encode("utf-8", "surrogatepass"),
    b'"' + b"a" * 200_000 + b'"\n',  # a cell past the csv module's limit
    b"a,b\x00c\n",
])
def test_broken_csv_is_refused_or_read_never_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.csv"
    path.write_bytes(content)
    assert all(p.startswith("plan.csv") for p in problems_of(path))


def test_xlsx_cells_of_every_type_read_or_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "plan.xlsx", [
        ENGLISH,
        [True, "ประชุม", 3.5, 6.0, "1. ประชุม", datetime(2026, 3, 15), "กองคลัง"],
        [2, "อบรม", time_of_day(9, 30), "=1/0", "1. อบรม", date(2026, 4, 1), False],
        [3, 12345678901234567890, timedelta(days=2), 7, "=SUM(A1:A2)", "มี.ค. 69", "#N/A"],
    ])
    # Formulas written by a program carry no cached value, so they read as empty: row 4's steps are missing. The
    # rest is text: a boolean, a time, a number too long for an indicator's place, "#N/A" as a division's name.
    assert problems_of(path) == [
        f"plan.xlsx แถว 4 คอลัมน์ “{PLAN_COLUMN['steps']}”: ช่องว่าง — ต้องมีขั้นตอนหรือวิธีการดำเนินการ "
        "(required, empty)"
    ]
    rows = read_sheet(write_xlsx(tmp_path / "ok.xlsx", [ENGLISH, *[
        [True, "ประชุม", 3.5, 6.0, "1. ประชุม", datetime(2026, 3, 15), "กองคลัง"],
        [2, "อบรม", time_of_day(9, 30), "=1/0", "1. อบรม", date(2026, 4, 1), False],
    ]]), "ok.xlsx", None).measures
    assert [(m.indicators, m.start, m.division_names) for m in rows] == [
        ([6], date(2026, 3, 15), ["กองคลัง"]), ([], date(2026, 4, 1), ["FALSE"])
    ]


def test_xlsx_cell_far_down_is_refused_quickly(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ENGLISH)
    sheet.append(MANUAL)
    sheet["A1048576"] = "x"  # Ctrl+↓ and a keystroke: openpyxl would fill in a million empty rows before it
    workbook.save(tmp_path / "plan.xlsx")
    began = time.perf_counter()
    (problem,) = problems_of(tmp_path / "plan.xlsx")
    assert time.perf_counter() - began < 2.0
    assert problem.startswith("plan.xlsx:") and "5,000 แถว" in problem


def test_xlsx_cell_far_right_is_not_read(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(ENGLISH)
    sheet.append(MANUAL)
    sheet["XFD2"] = "x"
    workbook.save(tmp_path / "plan.xlsx")
    began = time.perf_counter()
    (measure,) = read_sheet(tmp_path / "plan.xlsx", "plan.xlsx", None).measures
    assert time.perf_counter() - began < 2.0 and measure.title == MANUAL[1]


def zip_bomb(path: Path, unpacked_mb: int = 60) -> Path:
    """A real workbook with one more part that unpacks to `unpacked_mb` MB of spaces (a few tens of KB packed)."""
    write_template(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as part:
            chunk = b" " * 1024 * 1024
            for _ in range(unpacked_mb):
                part.write(chunk)
    return path


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "plan.xlsx")
    assert path.stat().st_size < 1_000_000
    began = time.perf_counter()
    (problem,) = problems_of(path)
    assert time.perf_counter() - began < 1.0
    assert problem.startswith("plan.xlsx:") and "60.0 MB" in problem and "ทั้งหมด 50 MB" in problem


def test_a_workbook_of_too_many_cells_is_refused_before_openpyxl_parses_them(tmp_path: Path) -> None:
    # 12 MB of XML in one sheet: openpyxl would spend seconds on its cells. Packed, it is a few kilobytes.
    path = tmp_path / "plan.xlsx"
    write_template(path)
    cells = b"<row>" + b'<c t="n"><v>1</v></c>' * 100 + b"</row>"
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as part:
            for _ in range(12 * 1024 * 1024 // len(cells)):
                part.write(cells)
    began = time.perf_counter()
    (problem,) = problems_of(path)
    assert time.perf_counter() - began < 1.0
    assert problem.startswith("plan.xlsx:") and "ตาราง 10 MB" in problem


@pytest.mark.parametrize("content", [b"PK\x03\x04" + b"\x00" * 100, b"PK\x05\x06" + b"\x00" * 18, b"\x00" * 10])
def test_a_broken_workbook_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(content)
    (problem,) = problems_of(path)
    assert problem.startswith("plan.xlsx:") and ".xlsx" in problem


# --- what a spreadsheet could take for a formula ----------------------------------------------------------------------


def test_every_cell_of_the_xlsx_template_is_text_never_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    write_template(path)
    assert xlsx_formulas(path.read_bytes()) == []
    workbook = load_workbook(path)
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert cells and all(isinstance(c.value, str) and c.data_type == "s" for c in cells)


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=repr)
def test_a_title_that_starts_like_a_formula_reads_back_from_the_template_as_written(tmp_path: Path, start: str) -> None:
    path = tmp_path / "plan.xlsx"
    write_template(path)
    workbook = load_workbook(path)
    title = f"{start}{FORMULA_ATTACK} ลดขั้นตอนการให้บริการ"
    append_texts(workbook[PLAN_SHEET], [MANUAL[0], title, f"{start}วิเคราะห์", *MANUAL[3:]])
    workbook.save(path)
    assert xlsx_formulas(path.read_bytes()) == []

    (measure,) = read_sheet(path, "plan.xlsx", None).measures
    # Exactly as written, no apostrophe added; only the spaces around a cell go, as from any cell (a tab, a CR).
    assert measure.title == title.strip() and measure.analysis == f"{start}วิเคราะห์".strip()
    assert measure.title == title or start[0] in "\t\r"


# --- a byte that is not text ------------------------------------------------------------------------------------------


def test_a_utf8_csv_with_a_stray_byte_names_its_line_and_column_not_read_as_cp874(tmp_path: Path) -> None:
    # No BOM, and 0xA0 reads in cp874 (a no-break space): the rest is UTF-8 Thai, so the stray byte is what is wrong.
    path = write_csv(tmp_path / "plan.csv", [THAI, MANUAL, DISCLOSURE], encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    path.write_bytes(with_stray_byte(text, line=3, column=5, stray=b"\xa0"))
    (problem,) = problems_of(path)
    offset = len("\n".join(text.split("\n")[:2]).encode()) + 1 + len("2,กา".encode())
    assert problem.startswith(f"plan.csv บรรทัด 3 ตัวอักษรที่ 5: อ่านไม่ได้ — ไบต์ 0xA0 (ตำแหน่งไบต์ {offset:,}) "
                              "ไม่ใช่ข้อความ UTF-8 ")
    assert problem.endswith(f"(not UTF-8 text: byte 0xA0 at line 3, column 5, byte offset {offset:,})")


def test_a_cp874_csv_with_a_stray_byte_names_its_line_and_column_in_its_own_characters(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [THAI, MANUAL, DISCLOSURE], encoding="cp874")
    text = path.read_bytes().decode("cp874")
    path.write_bytes(with_stray_byte(text, line=2, column=4, stray=b"\xff", encoding="cp874"))  # undefined in cp874
    (problem,) = problems_of(path)
    offset = len(text.split("\n")[0].encode("cp874")) + 1 + 3  # one byte a Thai letter
    assert problem == (
        f"plan.csv บรรทัด 2 ตัวอักษรที่ 4: อ่านไม่ได้ — ไบต์ 0xFF (ตำแหน่งไบต์ {offset}) ไม่ใช่ข้อความ UTF-8 หรือ "
        "TIS-620 (cp874) ลบหรือพิมพ์ตัวอักษรตรงนั้นใหม่ แล้วบันทึกเป็น UTF-8 (not UTF-8 or TIS-620/cp874 text: "
        f"byte 0xFF at line 2, column 4, byte offset {offset})"
    )


# --- what a refused sheet still hands on (issue 18) -------------------------------------------------------------------


def test_a_refused_sheet_hands_on_every_row_it_read_for_the_checks_after_reading(tmp_path: Path) -> None:
    bad_day = [*DISCLOSURE[:5], "31 ก.พ. 69", "กองไม่มีจริง"]
    path = write_csv(tmp_path / "plan.csv", [THAI, MANUAL, bad_day, [*MANUAL[:3], "12", *MANUAL[4:]]])
    with pytest.raises(PlanFileError) as caught:
        read_sheet(path, path.name, None)
    assert [p.split(":")[0] for p in caught.value.problems] == [
        f"plan.csv แถว 3 คอลัมน์ “{PLAN_COLUMN['period']}”", f"plan.csv แถว 4 คอลัมน์ “{PLAN_COLUMN['indicators']}”"
    ]
    draft = caught.value.draft
    assert draft is not None and draft.fiscal_year == 2569 and not draft.year_refused
    manual, disclosure, third = draft.measures
    # A row whose period could not be read still names its divisions, and says where each of its cells is.
    assert (disclosure.start, disclosure.end) == (None, None) and disclosure.division_names == ["กองไม่มีจริง"]
    assert disclosure.cells["divisions"] == f"plan.csv แถว 3 คอลัมน์ “{PLAN_COLUMN['divisions']}”"
    assert third.indicators == [] and third.division_names == manual.division_names


def test_a_refused_sheet_whose_year_cannot_be_told_says_it_has_said_so(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [THAI, [*MANUAL[:5], "ตลอดปีงบประมาณ", MANUAL[6]]])
    with pytest.raises(PlanFileError) as caught:
        read_sheet(path, path.name, None)
    assert "--fiscal-year" in caught.value.problems[0]
    assert caught.value.draft is not None and caught.value.draft.year_refused
    assert caught.value.draft.measures[0].division_names == ["สำนักปลัด", "กองคลัง"]


@pytest.mark.parametrize(
    ("source", "problems", "expected"),
    [
        ("a.csv", ["a.csv แถว 5 x", "a.csv: file", "a.csv แถว 3 y", "a.csv แถว 12 z", "elsewhere"],
         ["a.csv: file", "elsewhere", "a.csv แถว 3 y", "a.csv แถว 5 x", "a.csv แถว 12 z"]),
        # A report's rows also say their line: lines order them, as the years above the table are placed by line.
        ("r.txt", ["r.txt แถว 2 บรรทัด 190 x", "r.txt บรรทัด 4: y", "r.txt แถว 1 บรรทัด 186 z", "r.txt: w"],
         ["r.txt: w", "r.txt บรรทัด 4: y", "r.txt แถว 1 บรรทัด 186 z", "r.txt แถว 2 บรรทัด 190 x"]),
        # The problems of one cell keep the order they were found in; another sheet's rows are rows all the same.
        ("a.xlsx", ["a.xlsx แผ่นงาน “แผน 2” แถว 4 b", "a.xlsx แผ่นงาน “แผน 2” แถว 4 a", "a.xlsx แผ่นงาน “แผน 2” แถว 2 c"],
         ["a.xlsx แผ่นงาน “แผน 2” แถว 2 c", "a.xlsx แผ่นงาน “แผน 2” แถว 4 b", "a.xlsx แผ่นงาน “แผน 2” แถว 4 a"]),
    ],
)
def test_problems_are_put_in_the_order_of_the_file(source: str, problems: list[str], expected: list[str]) -> None:
    assert in_file_order(problems, source) == expected
