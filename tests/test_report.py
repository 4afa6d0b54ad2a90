"""Reading published report text: the seed as it is, and the other ways reports are written."""
from __future__ import annotations

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
