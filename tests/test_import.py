"""Importing plans through the `tracker import` command, as an administrator would, on a migrated database."""
from __future__ import annotations

import csv
import json
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from tracker.access import Refused
from tracker.extensions import db
from tracker.models import Assessment, Division, Organization, Plan, Source, Task
from tracker.plans import import_plan
from tracker.plans.sheets import write_template

from .factories import count, counts, division_named, events, with_stray_byte, write_csv, write_xlsx


def run_import(runner, *args):
    result = runner.invoke(args=["import", *map(str, args)])
    db.session.expire_all()  # the command committed through the same session; read afresh
    return result


def make_org(name="เทศบาลตำบลทดสอบ", divisions=("สำนักปลัดเทศบาล", "กองคลัง", "กองช่าง")) -> Organization:
    org = Organization(name=name)
    db.session.add(org)
    for division in divisions:
        db.session.add(Division(organization=org, name=division, aliases=[]))
    db.session.commit()
    return org


def test_seed_dry_run_json_reports_the_plan(runner, seed_path):
    result = run_import(runner, seed_path, "--dry-run", "--json", "--create-divisions")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["organization"] == "เทศบาลตำบลบางกระบือ"
    assert data["fiscal_year"] == 2569
    assert data["period"] == {"start": "2025-10-01", "end": "2026-09-30"}
    assert data["scores"]["overall"] == 96.39
    assert [data["scores"]["indicators"][str(n)] for n in range(1, 11)] == [
        100, 100, 100, 100, 100, 98.33, 97.64, 97.92, 85.00, 100
    ]
    measures = data["measures"]
    assert [len(m["steps"]) for m in measures] == [2, 2, 4]
    assert [len(m["divisions"]) for m in measures] == [5, 1, 1]
    assert measures[0]["divisions"] == ["สำนักปลัดเทศบาล", "กองคลัง", "กองช่าง", "กองการศึกษา", "กองสาธารณสุข"]
    assert data["task_count"] == 16
    assert [m["indicators"] for m in measures] == [[6], [7], [8]]
    assert all((m["start"], m["end"]) == ("2025-10-01", "2026-09-30") for m in measures)
    assert any("ตัวชี้วัดที่ 7" in w and "94.88" in w for w in data["warnings"])
    assert any("แหลมใหญ่" in w for w in data["warnings"])
    assert counts()["Plan"] == 0 and counts()["AuditEvent"] == 0


def test_seed_dry_run_text_is_thai_with_buddhist_era_dates(runner, seed_path):
    result = run_import(runner, seed_path, "--dry-run", "--create-divisions")
    assert result.exit_code == 0, result.output
    assert "เทศบาลตำบลบางกระบือ" in result.output
    assert "ปีงบประมาณ 2569 (1 ต.ค. 2568 – 30 ก.ย. 2569)" in result.output
    assert "ภาพรวม 96.39" in result.output
    assert "มาตรการ 3 รายการ งาน 16 งาน" in result.output
    assert "[ครบกำหนด 31 ธ.ค. 2568]" in result.output


def test_unknown_divisions_are_listed_and_nothing_is_written(runner, seed_path):
    result = run_import(runner, seed_path)
    assert result.exit_code == 1
    assert "ไม่รู้จักกอง “สำนักปลัด” / “สำนักปลัดเทศบาล”" in result.output
    assert "“กองสาธารณสุข”" in result.output and "--create-divisions" in result.output
    assert set(counts().values()) == {0}


def test_seed_import_creates_measures_tasks_scores_and_audit(runner, seed_path):
    result = run_import(runner, seed_path, "--create-divisions")
    assert result.exit_code == 0, result.output
    assert counts() == {
        "Organization": 1, "Division": 5, "Plan": 1, "Measure": 3, "Task": 16, "Assessment": 1,
        # organization, 5 divisions, the assessment, the plan
        "AuditEvent": 8,
    }
    org = db.session.scalar(select(Organization))
    assert (org.kind, org.district, org.province) == ("เทศบาลตำบล", "บางคนที", "สมุทรสงคราม")
    clerk = division_named("สำนักปลัดเทศบาล")
    assert clerk.aliases == ["สำนักปลัด"] and clerk.name_en == "Office of the Municipal Clerk"
    tasks_of_clerk = count(Task, Task.division == clerk)
    assert tasks_of_clerk == 8

    plan = db.session.scalar(select(Plan))
    assert plan.fiscal_year.year_be == 2569
    assert {i.purpose.value: i.code for i in plan.fiscal_year.oit_items} == {"plan": "O25", "results": "O26"}
    third = plan.measures[2]
    assert [i.number for i in third.indicators] == [8] and third.indicator_source == "inferred"
    assert [t.due_date for t in third.tasks] == [date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30),
                                                  date(2026, 9, 30)]
    assert all(t.status.value == "todo" and t.assignee is None for t in third.tasks)

    assessment = db.session.scalar(select(Assessment))
    assert assessment.fiscal_year.year_be == 2568 and assessment.overall == 96.39
    by_number = {s.indicator.number: s for s in assessment.scores}
    assert by_number[7].score == 97.64 and by_number[9].score == 85.0
    assert "ออนไลน์" in by_number[8].analysis

    event = events("plan.import")[0]
    assert event.after["tasks"] == 16 and event.source.value == "cli" and event.organization == org


def test_reimport_changes_nothing(runner, seed_path):
    assert run_import(runner, seed_path, "--create-divisions").exit_code == 0
    before = counts()
    again = run_import(runner, seed_path, "--create-divisions")
    assert again.exit_code == 0
    assert "นำเข้าไว้แล้ว ไม่มีอะไรเปลี่ยน" in again.output
    assert counts() == before


def test_a_different_plan_for_the_same_year_is_refused(runner, seed_path, tmp_path):
    assert run_import(runner, seed_path, "--create-divisions").exit_code == 0
    before = counts()
    edited = tmp_path / "edited.txt"
    edited.write_text(seed_path.read_text(encoding="utf-8").replace("ดำเนินการปรับปรุงข้อมูลเว็บไซต์", "ปรับเว็บไซต์"),
                      encoding="utf-8")
    result = run_import(runner, edited, "--create-divisions")
    assert result.exit_code == 1 and "มีแผนปีงบประมาณ 2569 อยู่แล้ว" in result.output
    assert counts() == before


def test_indicator_link_can_be_chosen(runner, seed_path):
    result = run_import(runner, seed_path, "--create-divisions", "--indicator", "1=6,1", "--json", "--dry-run")
    data = json.loads(result.output)
    assert data["measures"][0]["indicators"] == [1, 6]
    assert data["measures"][0]["indicator_source"] == "confirmed"
    assert data["measures"][1]["indicator_source"] == "inferred"


CSV_HEADER = ("มาตรการ", "ผลการวิเคราะห์", "ตัวชี้วัด", "ขั้นตอน", "ช่วงเวลา", "ผู้รับผิดชอบ")
CSV_ROWS = [
    ("ปรับปรุงเว็บไซต์ให้เป็นปัจจุบัน", "ข้อมูลบนเว็บไซต์ไม่ครบ", "9", "1. สำรวจ 2. ปรับปรุง 3. ประกาศ",
     "ต.ค. 68 - มิ.ย. 69", "สำนักปลัด, กองช่าง"),
    ("จัดทำคู่มือประชาชน", "", "ตัวชี้วัดที่ ๖", "ร่างคู่มือ\nเผยแพร่คู่มือ", "ตุลาคม 2568 – กันยายน 2569", "กองคลัง"),
]


def test_csv_import(runner, tmp_path):
    org = make_org()
    path = tmp_path / "plan.csv"
    write_csv(path, CSV_ROWS, header=CSV_HEADER)
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    plan = db.session.scalar(select(Plan))
    assert plan.organization == org and plan.fiscal_year.year_be == 2569
    first, second = plan.measures
    assert [d.name for d in first.divisions] == ["สำนักปลัดเทศบาล", "กองช่าง"]
    assert [i.number for i in first.indicators] == [9] and first.indicator_source == "explicit"
    assert len(first.tasks) == 6
    assert sorted({t.due_date for t in first.tasks}) == [date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30)]
    assert [t.step_text for t in second.tasks] == ["ร่างคู่มือ", "เผยแพร่คู่มือ"]
    assert [i.number for i in second.indicators] == [6]


def test_xlsx_import_from_the_template(runner, tmp_path):
    make_org()
    path = tmp_path / "plan.xlsx"
    assert runner.invoke(args=["template", str(path)]).exit_code == 0
    workbook = openpyxl.load_workbook(path)
    sheet = next(ws for ws in workbook.worksheets if ws.max_row >= 1 and ws.cell(1, 1).value)
    header = [cell.value for cell in sheet[1]]
    values = {"มาตรการ": "จัดทำคู่มือประชาชน", "ขั้นตอน": "1. ร่าง\n2. เผยแพร่", "ช่วง": "มี.ค. 69",
              "ผู้รับผิดชอบ": "1. กองคลัง\n2. กองช่าง", "ตัวชี้วัดที่": 6}
    sheet.append([next((v for k, v in values.items() if h and str(h).startswith(k)), None) for h in header])
    workbook.save(path)
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    (measure,) = db.session.scalar(select(Plan)).measures
    assert (measure.period_start, measure.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert len(measure.tasks) == 4 and [i.number for i in measure.indicators] == [6]


def test_same_plan_as_csv_and_xlsx_is_one_plan(runner, tmp_path):
    make_org()
    csv_path = tmp_path / "plan.csv"
    write_csv(csv_path, CSV_ROWS, header=CSV_HEADER)
    xlsx_path = write_xlsx(tmp_path / "plan.xlsx", [CSV_HEADER, *CSV_ROWS])
    assert run_import(runner, csv_path).exit_code == 0
    before = counts()
    result = run_import(runner, xlsx_path)
    assert result.exit_code == 0 and "ไม่มีอะไรเปลี่ยน" in result.output
    assert counts() == before


def test_bad_row_names_file_row_and_column_and_writes_nothing(runner, tmp_path):
    make_org()
    before = counts()
    path = tmp_path / "bad.csv"
    write_csv(path, [CSV_ROWS[0], ("ผิด", "", "", "1. ทำ", "เร็ว ๆ นี้", "กองคลัง")], header=CSV_HEADER)
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "bad.csv แถว 3" in result.output and "ช่วงระยะเวลา" in result.output and "เร็ว ๆ นี้" in result.output
    assert counts() == before


def test_failure_midway_rolls_back_everything(runner, seed_path, monkeypatch):
    from tracker.plans import build

    real = build.audit.record

    def fail_on_plan(actor, action, obj, **kwargs):
        if action == "plan.import":
            raise RuntimeError("disk full")
        return real(actor, action, obj, **kwargs)

    monkeypatch.setattr(build.audit, "record", fail_on_plan)
    result = run_import(runner, seed_path, "--create-divisions")
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    db.session.rollback()
    assert set(counts().values()) == {0}


def test_sheet_without_organization_needs_one(runner, tmp_path):
    make_org("เทศบาลตำบลหนึ่ง")
    make_org("เทศบาลตำบลสอง")
    path = tmp_path / "plan.csv"
    write_csv(path, CSV_ROWS, header=CSV_HEADER)
    refused = run_import(runner, path)
    assert refused.exit_code == 1 and "--org" in refused.output
    chosen = run_import(runner, path, "--org", "เทศบาลตำบลสอง")
    assert chosen.exit_code == 0, chosen.output
    plan = db.session.scalar(select(Plan))
    assert plan.organization.name == "เทศบาลตำบลสอง"
    assert {d.organization.name for m in plan.measures for d in m.divisions} == {"เทศบาลตำบลสอง"}


def test_report_of_another_organization_is_refused_for_a_chosen_one(runner, seed_path):
    make_org("เทศบาลตำบลอื่น")
    result = run_import(runner, seed_path, "--org", "เทศบาลตำบลอื่น", "--create-divisions")
    assert result.exit_code == 1 and "ไม่ใช่ “เทศบาลตำบลอื่น”" in result.output
    assert counts()["Plan"] == 0


def test_no_plan_table_says_so(runner, tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text("เทศบาลตำบลตัวอย่าง\nประจำปีงบประมาณ พ.ศ. 2568\nจะปรับปรุงเว็บไซต์\n", encoding="utf-8")
    result = run_import(runner, path)
    assert result.exit_code == 1 and "ไม่พบตาราง" in result.output
    assert set(counts().values()) == {0}


def test_only_an_admin_of_the_organization_or_the_operator_imports(seeded, seed_path):
    # The operator at the command line is nobody signed in (None) with source CLI, as access.SYSTEM allows; a page
    # never is, and a person needs Action.IMPORT_PLAN on the organization imported into.
    for actor, source in ((seeded.users["clerk-head"], Source.WEB), (None, Source.WEB), (None, Source.LINE)):
        with pytest.raises(Refused):
            import_plan(seed_path, actor, organization=seeded.org, dry_run=True, source=source)
    allowed = import_plan(seed_path, seeded.users["admin"], organization=seeded.org, dry_run=True, source=Source.WEB)
    assert allowed.status == "unchanged"  # the seeded plan itself
    assert import_plan(seed_path, None, dry_run=True, source=Source.CLI).status == "unchanged"


def test_template_refuses_to_overwrite(runner, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("keep me", encoding="utf-8")
    result = runner.invoke(args=["template", str(path)])
    assert result.exit_code != 0 and path.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_template_has_thai_headers(tmp_path, suffix):
    path = tmp_path / f"plan{suffix}"
    write_template(path)
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle))
    else:
        header = [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]]
    assert any("มาตรการ" in h for h in header) and any("ผู้รับผิดชอบ" in h for h in header)


def test_seed_import_on_postgresql(postgres_database, seed_path):
    from flask_migrate import upgrade

    from tracker import create_app

    from .conftest import app_settings

    app = create_app(app_settings(DATABASE_URL=postgres_database))
    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        assert run_import(runner, seed_path, "--create-divisions").exit_code == 0
        assert run_import(runner, seed_path, "--create-divisions").exit_code == 0
        assert counts()["Task"] == 16 and counts()["Plan"] == 1
        clerk = division_named("สำนักปลัดเทศบาล")
        assert clerk.aliases == ["สำนักปลัด"]
        db.session.remove()
        db.engine.dispose()


# --- a division matched under another name; years no plan has (issue 10) -------------------------------------------


def test_seed_dry_run_says_which_names_mean_a_division_to_create(runner, seed_path):
    data = json.loads(run_import(runner, seed_path, "--dry-run", "--json", "--create-divisions").output)
    # The plan writes สำนักปลัด in one row and สำนักปลัดเทศบาล in another: one division, created once.
    assert data["division_spellings"] == [{"written": "สำนักปลัด", "division": "สำนักปลัดเทศบาล", "new": True}]
    text = run_import(runner, seed_path, "--dry-run", "--create-divisions").output
    assert "สำนักปลัด → สำนักปลัดเทศบาล (ชื่อเรียกอื่น; กองที่จะสร้างใหม่)" in text
    # Without --create-divisions they are unknown, refused under both names: no match to tell.
    refused = json.loads(run_import(runner, seed_path, "--dry-run", "--json").output)
    assert refused["division_spellings"] == [] and "สำนักปลัดเทศบาล" in refused["unknown_divisions"]


def test_a_division_matched_under_another_name_is_said_in_the_preview(runner, tmp_path):
    make_org(divisions=("สำนักปลัดเทศบาล", "กองคลัง", "กองสาธารณสุข"))
    path = write_csv(tmp_path / "plan.csv", [
        ("ตรวจสุขาภิบาลอาหาร", "", "6", "1. ตรวจ 2. รายงาน", "ต.ค. 68 - ก.ย. 69", "กองสาธารณสุขและสิ่งแวดล้อม, กองคลัง"),
        ("จัดทำคู่มือประชาชน", "", "6", "ร่างคู่มือ", "มี.ค. 69", "สำนักปลัด"),
    ], header=CSV_HEADER)
    result = run_import(runner, path, "--dry-run", "--json")
    data = json.loads(result.output)
    assert data["problems"] == [] and data["measures"][0]["divisions"] == ["กองสาธารณสุข", "กองคลัง"]
    assert data["division_spellings"] == [
        {"written": "กองสาธารณสุขและสิ่งแวดล้อม", "division": "กองสาธารณสุข", "new": False},
        {"written": "สำนักปลัด", "division": "สำนักปลัดเทศบาล", "new": False},
    ]
    text = run_import(runner, path, "--dry-run").output
    assert "ชื่อกองที่แผนเขียนต่างไป" in text
    assert "  กองสาธารณสุขและสิ่งแวดล้อม → กองสาธารณสุข (ชื่อเรียกอื่น)\n" in text
    assert "กองคลัง → กองคลัง" not in text


@pytest.mark.parametrize("year", ["0", "1", "2025", "9999"])
def test_an_impossible_fiscal_year_option_is_refused(runner, tmp_path, year):
    make_org()
    path = write_csv(tmp_path / "plan.csv", [(*CSV_ROWS[0][:4], "ตลอดปีงบประมาณ", CSV_ROWS[0][5])], header=CSV_HEADER)
    result = run_import(runner, path, "--fiscal-year", year, "--dry-run")
    assert result.exit_code != 0 and not isinstance(result.exception, ValueError)
    assert f"plan.csv: ปีงบประมาณ {year} ที่ระบุ (--fiscal-year) ไม่ใช่ปีที่เป็นไปได้" in result.output
    assert "พ.ศ." in result.output


def test_a_file_too_big_to_be_a_plan_is_refused(runner, tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(b" " * (5 * 1024 * 1024 + 1))
    result = run_import(runner, path, "--dry-run")
    assert result.exit_code != 0 and "plan.txt: ไฟล์มีขนาด 5.0 MB ใหญ่เกินที่รับได้ 5 MB" in result.output


def test_a_report_with_a_stray_byte_is_refused_saying_its_line_and_column(runner, seed_path, tmp_path):
    text = seed_path.read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_bytes(with_stray_byte(text, line=4, column=6))  # after "รายงา": five Thai letters of 3 bytes each
    offset = len("\n".join(text.split("\n")[:3]).encode()) + 1 + len("รายงา".encode())  # in bytes, from 0
    result = run_import(runner, path, "--dry-run")
    assert result.exit_code == 1
    assert f"plan.txt บรรทัด 4 ตัวอักษรที่ 6: อ่านไม่ได้ — ไบต์ 0xFF (ตำแหน่งไบต์ {offset:,})" in result.output
    assert f"(not UTF-8 text: byte 0xFF at line 4, column 6, byte offset {offset:,})" in result.output
    as_json = json.loads(run_import(runner, path, "--dry-run", "--json").output)
    assert as_json["status"] == "refused" and "บรรทัด 4 ตัวอักษรที่ 6" in as_json["problems"][0]
    assert set(counts().values()) == {0}


def test_a_csv_with_a_stray_byte_is_refused_saying_its_line_and_column(runner, tmp_path):
    make_org()
    path = tmp_path / "plan.csv"
    write_csv(path, CSV_ROWS, header=CSV_HEADER)
    text = path.read_bytes().decode("utf-8-sig")
    path.write_bytes(b"\xef\xbb\xbf" + with_stray_byte(text, line=3, column=4, stray=b"\xe0"))
    result = run_import(runner, path, "--dry-run")
    assert result.exit_code == 1
    assert "plan.csv บรรทัด 3 ตัวอักษรที่ 4: อ่านไม่ได้ — ไบต์ 0xE0" in result.output
    assert "line 3, column 4" in result.output


# --- every problem of a file in one run (issue 18) -------------------------------------------------------------------

PERIOD_COLUMN, INDICATORS_COLUMN, DIVISIONS_COLUMN = (
    "ช่วงระยะเวลาการดำเนินการ", "ตัวชี้วัดที่", "ผู้รับผิดชอบ"
)
# The file: a good row, then a day that does not exist, a year no plan is dated in, an indicator outside the
# framework, a division the organization does not have; the seeded organization already has its 2569 plan.
EVERY_KIND_OF_PROBLEM = [
    ("ปรับปรุงเว็บไซต์ให้เป็นปัจจุบัน", "", "9", "1. สำรวจ 2. ปรับปรุง", "ต.ค. 68 - มิ.ย. 69", "กองคลัง"),
    ("จัดทำคู่มือประชาชน", "", "6", "1. ร่างคู่มือ", "1 ก.พ. 69 - 31 ก.พ. 69", "กองช่าง"),
    ("อบรมเจ้าหน้าที่", "", "7", "1. อบรม", "ต.ค. 2568 - ก.ย. 2769", "กองคลัง"),
    ("เปิดเผยข้อมูลการจัดซื้อ", "", "12", "1. ประกาศ", "ต.ค. 68 - ก.ย. 69", "กองคลัง"),
    ("ตรวจสุขาภิบาลอาหาร", "", "6", "1. ตรวจ", "ต.ค. 68 - ก.ย. 69", "กองไม่มีจริง"),
]


def assert_every_problem_in_file_order(problems: list[str], source: str = "plan.csv") -> None:
    assert len(problems) == 5, problems
    existing, bad_day, bad_year, bad_indicator, unknown = problems
    assert existing.startswith(f"{source}: เทศบาลตำบลบางกระบือ มีแผนปีงบประมาณ 2569 อยู่แล้ว")  # the file's first
    assert bad_day.startswith(f"{source} แถว 3 คอลัมน์ “{PERIOD_COLUMN}”:") and "ไม่มีอยู่จริง" in bad_day
    assert bad_year.startswith(f"{source} แถว 4 คอลัมน์ “{PERIOD_COLUMN}”:") and "ไม่ใช่ปีที่เป็นไปได้" in bad_year
    assert bad_indicator.startswith(f"{source} แถว 5 คอลัมน์ “{INDICATORS_COLUMN}”:") and "[12]" in bad_indicator
    assert unknown.startswith(f"{source} แถว 6 คอลัมน์ “{DIVISIONS_COLUMN}”: ไม่รู้จักกอง “กองไม่มีจริง”")


def test_a_file_with_every_kind_of_problem_lists_them_all_in_one_run(runner, seeded, tmp_path):
    path = write_csv(tmp_path / "plan.csv", EVERY_KIND_OF_PROBLEM, header=CSV_HEADER)
    before = counts()
    result = run_import(runner, path)
    assert result.exit_code == 1
    listed = [line.removeprefix("  - ") for line in result.output.splitlines() if line.startswith("  - ")]
    assert_every_problem_in_file_order(listed)
    as_json = json.loads(run_import(runner, path, "--json").output)
    assert as_json == {"source": "plan.csv", "status": "refused", "problems": listed}
    dry_run = json.loads(run_import(runner, path, "--dry-run", "--json").output)
    assert dry_run["problems"] == listed
    assert counts() == before


def test_an_unknown_division_is_no_problem_with_create_divisions_and_the_rest_are_still_said(runner, seeded,
                                                                                            tmp_path):
    path = write_csv(tmp_path / "plan.csv", EVERY_KIND_OF_PROBLEM, header=CSV_HEADER)
    before = counts()
    result = run_import(runner, path, "--create-divisions", "--json")
    problems = json.loads(result.output)["problems"]
    assert result.exit_code == 1 and len(problems) == 4
    assert not any("กองไม่มีจริง" in p for p in problems) and "มีแผนปีงบประมาณ 2569 อยู่แล้ว" in problems[0]
    assert counts() == before


def test_a_file_whose_year_cannot_be_told_still_says_its_rows_and_divisions(runner, seeded, tmp_path):
    rows = [(*row[:4], "ตลอดปีงบประมาณ", row[5]) for row in EVERY_KIND_OF_PROBLEM]
    path = write_csv(tmp_path / "plan.csv", rows, header=CSV_HEADER)
    result = run_import(runner, path, "--json")
    problems = json.loads(result.output)["problems"]
    assert result.exit_code == 1 and len(problems) == 3, problems
    assert "--fiscal-year" in problems[0] and problems[0].startswith("plan.csv:")
    assert problems[1].startswith(f"plan.csv แถว 5 คอลัมน์ “{INDICATORS_COLUMN}”:")
    assert problems[2].startswith(f"plan.csv แถว 6 คอลัมน์ “{DIVISIONS_COLUMN}”: ไม่รู้จักกอง")


def seed_report_with(seed_path, tmp_path, *, bad_day: bool):
    """The seed report with its third measure's division one the organization does not have and, with `bad_day`,
    its second measure's period a day that does not exist."""
    lines = seed_path.read_text(encoding="utf-8").split("\n")
    header = next(n for n, line in enumerate(lines) if line.startswith("มาตรการ/โครงการ/") and "\t" in line)
    second, third = header + 2, header + 3  # indexes of the table's second and third rows
    cells = lines[third].split("\t")
    lines[third] = "\t".join([*cells[:-1], "กองไม่มีจริง"])
    if bad_day:
        cells = lines[second].split("\t")
        lines[second] = "\t".join([*cells[:-2], "๓๑ ก.พ. ๖๙", cells[-1]])
    path = tmp_path / "plan.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, second + 1, third + 1  # the rows' line numbers


@pytest.mark.parametrize("bad_day", [False, True], ids=["division", "division-and-day"])
def test_a_report_with_an_unknown_division_for_a_year_already_planned_says_both(runner, seeded, seed_path,
                                                                               tmp_path, bad_day):
    path, second, third = seed_report_with(seed_path, tmp_path, bad_day=bad_day)
    before = counts()
    result = run_import(runner, path)
    assert result.exit_code == 1
    as_json = json.loads(run_import(runner, path, "--json").output)
    problems = as_json["problems"]
    assert as_json["status"] == "refused" and len(problems) == 2 + bad_day, problems
    assert problems[0].startswith("plan.txt: เทศบาลตำบลบางกระบือ มีแผนปีงบประมาณ 2569 อยู่แล้ว")
    if bad_day:
        assert problems[1].startswith(f"plan.txt แถว 2 บรรทัด {second} คอลัมน์ “{PERIOD_COLUMN}”:")
    assert problems[-1].startswith(f"plan.txt แถว 3 บรรทัด {third} คอลัมน์ “{DIVISIONS_COLUMN}”: "
                                   "ไม่รู้จักกอง “กองไม่มีจริง”")
    assert all(problem in result.output for problem in problems)
    assert counts() == before


def test_a_file_with_only_warnings_is_previewed_and_imported(runner, seed_path, tmp_path):
    make_org()
    path = write_csv(tmp_path / "plan.csv", [CSV_ROWS[0], (*CSV_ROWS[1][:4], "ต.ค. 69", "กองคลัง")],
                     header=CSV_HEADER)
    data = json.loads(run_import(runner, path, "--dry-run", "--json", "--fiscal-year", "2569").output)
    assert data["status"] == "would_create" and data["problems"] == []
    assert any("อยู่นอกปีงบประมาณ 2569" in warning for warning in data["warnings"])
    result = run_import(runner, path, "--fiscal-year", "2569")
    assert result.exit_code == 0, result.output
    assert "คำเตือน (1)" in result.output and counts()["Task"] == 8


def test_a_report_with_an_impossible_year_and_an_empty_table_says_both(runner, tmp_path):
    header = "\t".join(("มาตรการ", "ขั้นตอนการดำเนินการ", "ช่วงระยะเวลา", "ผู้รับผิดชอบ"))
    path = tmp_path / "plan.txt"
    path.write_text(f"เทศบาลตำบลตัวอย่าง\nประจำปีงบประมาณ พ.ศ. 9999\n{header}\n", encoding="utf-8")
    result = run_import(runner, path, "--dry-run", "--json")
    problems = json.loads(result.output)["problems"]
    assert result.exit_code == 1 and len(problems) == 2, problems  # not a third saying the year is not known
    assert problems[0].startswith("plan.txt:") and "มีแต่หัวตาราง" in problems[0]  # the whole file's first
    assert problems[1].startswith("plan.txt บรรทัด 2:") and "ไม่ใช่ปีที่เป็นไปได้" in problems[1]
