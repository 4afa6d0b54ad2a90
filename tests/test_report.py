"""Reading published report text: the seed as it is, and the other ways reports are written."""
from __future__ import annotations

import random
import time
from datetime import date

import pytest

from tracker.plans.draft import PlanFileError
from tracker.plans.report import read_report


@pytest.fixture
def seed_draft(seed_path):
    return read_report(seed_path.read_text(encoding="utf-8"), seed_path.name)


def test_seed_agency_and_years(seed_draft):
    assert seed_draft.organization.name == "เทศบาลตำบลบางกระบือ"
    assert seed_draft.organization.kind == "เทศบาลตำบล"
    assert seed_draft.organization.district == "บางคนที"
    assert seed_draft.organization.province == "สมุทรสงคราม"
    assert seed_draft.fiscal_year == 2569
    assert seed_draft.scores.year_be == 2568


def test_seed_scores(seed_draft):
    assert seed_draft.scores.overall == 96.39
    assert [seed_draft.scores.indicators[n] for n in range(1, 11)] == [
        100, 100, 100, 100, 100, 98.33, 97.64, 97.92, 85.00, 100
    ]
    # The report states no per-tool figure; "OIT ... ๘๕ คะแนนขึ้นไป" is the pass line and must not be read as one.
    assert seed_draft.scores.tools == {}


def test_seed_measures(seed_draft):
    measures = seed_draft.measures
    assert [len(m.steps) for m in measures] == [2, 2, 4]
    assert measures[0].division_names == ["สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา", "กองสาธารณสุข"]
    assert measures[1].division_names == ["สำนักปลัดเทศบาล"]
    assert all((m.start, m.end) == (date(2025, 10, 1), date(2026, 9, 30)) for m in measures)
    assert measures[2].steps[3].startswith("จัดทำหนังสือถึงผู้นำชุมชน")
    # Thai digits inside the text are kept as written.
    assert measures[2].title.startswith("๑.พัฒนาระบบการ")


def test_seed_inconsistencies_are_warnings(seed_draft):
    text = "\n".join(seed_draft.warnings)
    assert "ตัวชี้วัดที่ 7" in text and "94.88" in text and "97.64" in text
    assert "เทศบาลตำบลแหลมใหญ่" in text
    # The agency's own name split by a PDF line break ("เทศบาลตำบลบาง กระบือ") is not another agency.
    assert "เทศบาลตำบลบาง”" not in text


def test_indicator_analysis_is_kept_per_indicator(seed_draft):
    assert "ช่องทางการเผยแพร่ข้อมูลของหน่วยงานเข้าถึงได้ยาก" in seed_draft.scores.indicator_analysis[7]
    assert "ออนไลน์" in seed_draft.scores.indicator_analysis[8]


ARABIC_REPORT = """องค์การบริหารส่วนตำบลทดสอบ
อำเภอเมือง จังหวัดนครปฐม
รายงานผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2568
คะแนนในภาพรวมอยู่ที่ 88.50 คะแนน
IIT 90.10 EIT 87.00 OIT 86.25
ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล ได้คะแนน 80.00 คะแนน
การนำผลการวิเคราะห์ไปสู่การปรับปรุง ในปีงบประมาณ พ.ศ. 2569
มาตรการ\tตัวชี้วัด\tขั้นตอน\tระยะเวลา\tผู้รับผิดชอบ
เผยแพร่ข้อมูลบนเว็บไซต์\t9\t1. ตรวจรายการ OIT 2. เผยแพร่\tต.ค. 68 - มี.ค. 69\tสำนักปลัด, กองคลัง
"""


def test_arabic_digits_explicit_indicator_and_tools():
    draft = read_report(ARABIC_REPORT, "abt.txt")
    assert draft.organization.name == "องค์การบริหารส่วนตำบลทดสอบ"
    assert draft.scores.overall == 88.5
    assert draft.scores.tools == {"IIT": 90.1, "EIT": 87.0, "OIT": 86.25}
    assert draft.scores.indicators == {9: 80.0}
    (measure,) = draft.measures
    assert measure.indicators == [9] and measure.indicator_source == "explicit"
    assert measure.steps == ["ตรวจรายการ OIT", "เผยแพร่"]
    assert measure.division_names == ["สำนักปลัด", "กองคลัง"]
    assert (measure.start, measure.end) == (date(2025, 10, 1), date(2026, 3, 31))


FLATTENED = """เทศบาลเมืองตัวอย่าง
ประจำปีงบประมาณ พ.ศ. ๒๕๖๘
การนำผลการวิเคราะห์ไปสู่การปรับปรุง ในปีงบประมาณ พ.ศ. ๒๕๖๙
มาตรการ/โครงการ/กิจกรรม
ขั้นตอนหรือวิธีการดำเนินการ
ช่วงระยะเวลาการดำเนินการ
ผู้รับผิดชอบ
ปรับปรุงเว็บไซต์
๑.สำรวจข้อมูล ๒.ปรับปรุง ๓.ประกาศ
ตลอดปีงบประมาณ
กองช่าง
จัดทำคู่มือ
๑.ร่างคู่มือ
ม.ค. ๖๙
สำนักปลัดเทศบาล
"""


def test_table_flattened_one_cell_a_line():
    draft = read_report(FLATTENED, "flat.txt")
    assert [m.title for m in draft.measures] == ["ปรับปรุงเว็บไซต์", "จัดทำคู่มือ"]
    assert draft.measures[0].steps == ["สำรวจข้อมูล", "ปรับปรุง", "ประกาศ"]
    # "ตลอดปีงบประมาณ" takes the plan's year from the report.
    assert (draft.measures[0].start, draft.measures[0].end) == (date(2025, 10, 1), date(2026, 9, 30))
    assert (draft.measures[1].start, draft.measures[1].end) == (date(2026, 1, 1), date(2026, 1, 31))


def test_prose_without_a_plan_table_is_refused_plainly():
    prose = "เทศบาลตำบลตัวอย่าง\nประจำปีงบประมาณ พ.ศ. 2568\nเทศบาลจะปรับปรุงเว็บไซต์และจัดทำคู่มือในปีหน้า\n"
    with pytest.raises(PlanFileError) as error:
        read_report(prose, "prose.txt")
    assert "prose.txt" in str(error.value) and "ไม่พบตาราง" in str(error.value)


def test_bad_row_names_the_line_and_column():
    bad = ARABIC_REPORT.replace("ต.ค. 68 - มี.ค. 69", "เร็ว ๆ นี้")
    with pytest.raises(PlanFileError) as error:
        read_report(bad, "abt.txt")
    message = str(error.value)
    assert "abt.txt" in message and "บรรทัด 9" in message and "ช่วงระยะเวลา" in message and "เร็ว ๆ นี้" in message


# --- every problem at once; impossible days, years and numbers; hostile text (issue 10, items 10 and 13) -----------

HEADER_LINE = "มาตรการ\tตัวชี้วัด\tขั้นตอน\tระยะเวลา\tผู้รับผิดชอบ"
GOOD_ROW = "เผยแพร่ข้อมูลบนเว็บไซต์\t9\t1. ตรวจรายการ OIT 2. เผยแพร่\tต.ค. 68 - มี.ค. 69\tสำนักปลัด"


def report_with(*rows: str, year: str = "2568") -> str:
    return "\n".join(["เทศบาลตำบลทดสอบ", f"ประจำปีงบประมาณ พ.ศ. {year}", HEADER_LINE, *rows, ""])


def problems_of_report(text: str) -> list[str]:
    with pytest.raises(PlanFileError) as error:
        read_report(text, "r.txt")
    return error.value.problems


def test_every_problem_of_every_row_is_reported_in_one_pass():
    problems = problems_of_report(report_with(
        GOOD_ROW,
        "\t12\t1. ทำ\t31 ก.พ. 70\t",  # line 5: no title, no such indicator, no such day (no division: a draft)
        GOOD_ROW,
        "ทำ\t1-100000000\t\tต.ค. 9999\tกองคลัง",  # line 7: huge range, no steps, impossible year
        "ทำ\t6\t1. ทำ",  # line 8: cells missing
        "ทำ\t6\t1. ทำ\tภายในปีนี้\tกองคลัง",  # line 9: unreadable period
    ))
    period, indicators = "ช่วงระยะเวลาการดำเนินการ", "ตัวชี้วัดที่"
    expected = [
        ("r.txt แถว 2 บรรทัด 5 คอลัมน์ “มาตรการ/โครงการ/กิจกรรม”", "ช่องว่าง"),
        # line 5's empty divisions are no reading problem: the import makes it a draft or says it lacks them
        (f"r.txt แถว 2 บรรทัด 5 คอลัมน์ “{period}”", "วันที่ 31 ก.พ. 2570 ไม่มีในปฏิทิน"),
        (f"r.txt แถว 2 บรรทัด 5 คอลัมน์ “{indicators}”", "[12]"),
        ("r.txt แถว 4 บรรทัด 7 คอลัมน์ “ขั้นตอนหรือวิธีการดำเนินการ”", "ช่องว่าง"),
        (f"r.txt แถว 4 บรรทัด 7 คอลัมน์ “{period}”", "ปี 9999 ซึ่งไม่ใช่ปีที่เป็นไปได้"),
        (f"r.txt แถว 4 บรรทัด 7 คอลัมน์ “{indicators}”", "[1-100000000]"),
        ("r.txt บรรทัด 8", "แถวนี้มี 3 ช่อง แต่หัวตารางมี 5 ช่อง"),
        (f"r.txt แถว 5 บรรทัด 9 คอลัมน์ “{period}”", "ภายในปีนี้"),
    ]
    assert len(problems) == len(expected), problems
    for problem, (place, what) in zip(problems, expected, strict=True):
        assert problem.startswith(place + ":") and what in problem, problem


@pytest.mark.parametrize("year", ["0000", "0001", "9999", "2025", "๙๙๙๙"])
def test_an_impossible_fiscal_year_in_a_report_names_its_line(year):
    problems = problems_of_report(report_with(GOOD_ROW, year=year))
    assert len(problems) == 1
    assert problems[0].startswith("r.txt บรรทัด 2:")
    assert "ไม่ใช่ปีที่เป็นไปได้" in problems[0] and "พ.ศ." in problems[0]


def test_a_table_with_only_its_header_is_refused():
    (problem,) = problems_of_report(report_with())
    assert problem.startswith("r.txt:") and "ไม่มีมาตรการ" in problem


def test_junk_characters_are_taken_out_of_a_report():
    text = report_with(GOOD_ROW.replace("เผยแพร่ข้อมูล", "เผยแพร่\x00ข้อมูล\x1b").replace("สำนักปลัด", "สำนักปลัด\x07"))
    (measure,) = read_report(text.replace("เทศบาลตำบลทดสอบ", "เทศบาลตำบล\x00ทดสอบ"), "r.txt").measures
    assert measure.title == "เผยแพร่ข้อมูลบนเว็บไซต์" and measure.division_names == ["สำนักปลัด"]


def test_too_many_rows_are_refused_saying_the_limit():
    problems = problems_of_report(report_with(*[GOOD_ROW] * 205))
    assert len(problems) == 1 and problems[0].startswith("r.txt บรรทัด 204:") and "200 มาตรการ" in problems[0]


SPACES = " " * 50_000


@pytest.mark.parametrize(
    "line",
    [
        SPACES,
        f"IIT{SPACES}x",  # _TOOL had two runs of spaces side by side: quadratic
        f"ตัวชี้วัดที่ 1{SPACES}x",  # _INDICATOR_SCORE: the name's lazy run and the spaces before the score's word
        f"ตัวชี้วัดที่ 1 การปฏิบัติหน้าที่{SPACES}5",  # _INDICATOR_HEADING
        f"ปีงบประมาณ{SPACES}x",  # _FISCAL_YEAR
        f"ภาพรวม{SPACES}x",
        f"ทำ\t6\t1. ทำ{SPACES}\tต.ค. 68{SPACES}- ก.ย. 69\tกองคลัง{'. ' * 25_000}",
    ],
)
def test_a_line_of_fifty_thousand_spaces_is_read_quickly(line):
    began = time.perf_counter()
    try:
        read_report(report_with(GOOD_ROW, line), "r.txt")
    except PlanFileError as error:
        assert all(p.startswith("r.txt") for p in error.problems)
    assert time.perf_counter() - began < 2.0


def junk_megabyte(seed: int) -> str:
    """A megabyte of what a broken extraction or a hostile file might hold: Thai, digits, the words the reader
    looks for, tabs, long runs, control characters."""
    rnd = random.Random(seed)
    pieces = ["ก", "ข", "า", "ิ", " ", "  ", "\t", "\n", "๑", "9", ".", "-", "IIT ", "ตัวชี้วัดที่ ", "คะแนน ",
              "ภาพรวม ", "ปีงบประมาณ ", "มาตรการ", "ขั้นตอน", "ระยะเวลา", "ผู้รับผิดชอบ", "เทศบาลตำบล", "\x00",
              "😀", " " * 5000, "ต.ค. 68 - ", "31 ก.พ. 70", "1-100000000"]
    out: list[str] = []
    size = 0
    while size < 1_000_000:
        piece = rnd.choice(pieces)
        out.append(piece)
        size += len(piece)
    return "".join(out)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_megabyte_of_junk_is_read_quickly(seed):
    text = report_with(GOOD_ROW) + junk_megabyte(seed)
    began = time.perf_counter()
    try:
        read_report(text, "r.txt")
    except PlanFileError as error:
        assert all(p.startswith("r.txt") for p in error.problems)
    assert time.perf_counter() - began < 2.0


def test_many_score_mentions_are_counted_in_one_pass():
    # Once, choosing the most stated value compared every value with every mention: a megabyte of these hung.
    text = "ประจำปีงบประมาณ พ.ศ. 2568\n" + " ".join(f"IIT {i / 100:.2f}" for i in range(60_000)) + "\n"
    began = time.perf_counter()
    problems_of_report(text)
    assert time.perf_counter() - began < 2.0
