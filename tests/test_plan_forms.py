"""Plans as agencies really write them (issue 22, part 2): periods by quarter, calendar year, recurring round or event;
divisions as every division, lists or abbreviations; rows without a period or a division imported as drafts and
completed later; a plan's extra columns kept, its weights kept.

Each test imports a small CSV through the command people run (`tracker import`) or the web pages, and checks what a
person then sees: the measures, their tasks and due dates, the preview's warnings and problems.
"""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from tracker.divisions import catalogue_entry
from tracker.extensions import db
from tracker.models import AuditAction, Measure, Plan, Role, Task
from tracker.plans.rows import means_every_division, split_divisions

from .factories import count, events, login, make_user, post_form, write_csv
from .test_import import make_org, run_import

HEADER = ("มาตรการ", "ตัวชี้วัด", "ขั้นตอน", "ช่วงเวลา", "ผู้รับผิดชอบ")
STEPS = "1. รวบรวมข้อมูล 2. เผยแพร่บนเว็บไซต์"


def plan_csv(tmp_path, rows, header=HEADER):
    return write_csv(tmp_path / "plan.csv", rows, header=header)


def only_plan() -> Plan:
    return db.session.scalar(select(Plan))


def preview_json(runner, path, *args) -> dict:
    result = run_import(runner, path, "--dry-run", "--json", "--fiscal-year", "2569", *args)
    return json.loads(result.output)


# --- divisions -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("สำนักปลัด / กองคลัง", ["สำนักปลัด", "กองคลัง"]),
        ("สำนักปลัด และกองคลัง", ["สำนักปลัด", "กองคลัง"]),
        ("กองคลังและกองช่าง", ["กองคลัง", "กองช่าง"]),
        ("กองคลัง, กองช่าง, สำนักปลัด", ["กองคลัง", "กองช่าง", "สำนักปลัด"]),
        ("สป./กค./กช.", ["สป", "กค", "กช"]),  # a name's last dot is dropped; the catalogue reads it either way
        # "และ" inside a division's own name is not a list
        ("กองสาธารณสุขและสิ่งแวดล้อม", ["กองสาธารณสุขและสิ่งแวดล้อม"]),
        ("กองวิชาการและแผนงาน", ["กองวิชาการและแผนงาน"]),
        ("ทุกกอง", ["ทุกกอง"]),
        ("ทุกสำนัก/กอง", ["ทุกสำนัก/กอง"]),
    ],
)
def test_division_cells_split_into_divisions(cell, expected):
    assert split_divisions(cell) == expected


@pytest.mark.parametrize("cell", ["ทุกกอง", "ทุกหน่วยงาน", "ทุกส่วนราชการ", "ทุกสำนัก/กอง", "ทุกกอง/สำนัก/หน่วย",
                                  "ทุกหน่วยงานที่เกี่ยวข้อง", "ทุกกองฯ", "all divisions"])
def test_every_division_as_plans_write_it(cell):
    assert means_every_division(cell)


@pytest.mark.parametrize("cell", ["กองทุก", "ทุกคน", "สำนักปลัด", "ทุกวัน"])
def test_not_every_division(cell):
    assert not means_every_division(cell)


@pytest.mark.parametrize("abbreviation, division", [
    ("สป.", "สำนักปลัดเทศบาล"), ("สน.ปลัด", "สำนักปลัดเทศบาล"), ("กค.", "กองคลัง"), ("กช.", "กองช่าง"),
    ("กศ.", "กองการศึกษา"), ("กสธ.", "กองสาธารณสุขและสิ่งแวดล้อม"), ("กสว.", "กองสวัสดิการสังคม"),
    ("กวผ.", "กองวิชาการและแผนงาน"), ("ตสน.", "หน่วยตรวจสอบภายใน"),
])
def test_abbreviations_name_the_common_divisions(abbreviation, division):
    spec = catalogue_entry(abbreviation)
    assert spec is not None and spec.name == division


def test_every_division_lists_and_abbreviations_import(runner, tmp_path):
    make_org()
    path = plan_csv(tmp_path, [
        ("ประกาศเจตนารมณ์", "1", "1. ประกาศ", "ต.ค. 68 - ก.ย. 69", "ทุกหน่วยงาน"),
        ("จัดทำคู่มือ", "6", "1. ร่าง", "ต.ค. 68 - ก.ย. 69", "สป. และกค."),
        ("ซ่อมถนน", "6", "1. สำรวจ", "ต.ค. 68 - ก.ย. 69", "กองคลังและกองช่าง"),
    ])
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    every, manual, roads = only_plan().measures
    assert {d.name for d in every.divisions} == {"สำนักปลัดเทศบาล", "กองคลัง", "กองช่าง"}
    assert [d.name for d in manual.divisions] == ["สำนักปลัดเทศบาล", "กองคลัง"]
    assert [d.name for d in roads.divisions] == ["กองคลัง", "กองช่าง"]


def test_an_abbreviation_creates_the_division_it_stands_for(runner, tmp_path):
    make_org(divisions=())
    path = plan_csv(tmp_path, [("จัดทำคู่มือ", "6", "1. ร่าง", "ต.ค. 68 - ก.ย. 69", "สป./กค.")])
    result = run_import(runner, path, "--create-divisions")
    assert result.exit_code == 0, result.output
    (measure,) = only_plan().measures
    assert [d.name for d in measure.divisions] == ["สำนักปลัดเทศบาล", "กองคลัง"]
    assert [d.short_name for d in measure.divisions] == ["สำนักปลัด", "คลัง"]


# --- periods -------------------------------------------------------------------------------------------------------


def test_quarters_import_with_the_quarters_dates(runner, tmp_path):
    make_org()
    path = plan_csv(tmp_path, [
        ("รายงานผล", "6", STEPS, "ไตรมาส ๑ - ๔", "กองคลัง"),
        ("ประเมินความพึงพอใจ", "6", "1. ประเมิน", "ไตรมาสที่ 2", "กองคลัง"),
    ])
    result = run_import(runner, path, "--fiscal-year", "2569")
    assert result.exit_code == 0, result.output
    year, second = only_plan().measures
    assert (year.period_start, year.period_end) == (date(2025, 10, 1), date(2026, 9, 30))
    assert (second.period_start, second.period_end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert [t.due_date for t in second.tasks] == [date(2026, 3, 31)]


def test_a_monthly_measure_makes_a_task_per_month(runner, tmp_path):
    """Tasks per round: each month's report is its own deadline, reminder and evidence (build.planned_tasks)."""
    make_org()
    path = plan_csv(tmp_path, [("เผยแพร่ข้อมูลจัดซื้อจัดจ้าง", "9", STEPS, "ทุกเดือน", "กองคลัง")])
    data = preview_json(runner, path)
    (measure,) = data["measures"]
    assert measure["rounds"] == 12 and measure["task_count"] == 24
    assert measure["tasks"][0] == {"text": "รวบรวมข้อมูล (รอบ ต.ค. 68)", "due": "2025-10-16"}
    assert measure["tasks"][-1] == {"text": "เผยแพร่บนเว็บไซต์ (รอบ ก.ย. 69)", "due": "2026-09-30"}
    result = run_import(runner, path, "--fiscal-year", "2569")
    assert result.exit_code == 0, result.output
    tasks = only_plan().measures[0].tasks
    assert len(tasks) == 24 and len({t.step_number for t in tasks}) == 24
    month_ends = sorted({t.due_date for t in tasks if t.step_text.startswith("เผยแพร่")})
    assert month_ends[0] == date(2025, 10, 31) and month_ends[-1] == date(2026, 9, 30) and len(month_ends) == 12


def test_days_of_every_month_fall_due_on_the_last_of_them(runner, tmp_path):
    make_org()
    path = plan_csv(tmp_path, [("รายงานผลการจัดซื้อ", "9", "1. รายงาน", "ทุกวันที่ ๑ - ๕ ของทุกเดือน", "กองคลัง")])
    result = run_import(runner, path, "--fiscal-year", "2569")
    assert result.exit_code == 0, result.output
    dues = [t.due_date for t in only_plan().measures[0].tasks]
    assert len(dues) == 12 and all(d.day == 5 for d in dues)
    assert dues[0] == date(2025, 10, 5) and dues[-1] == date(2026, 9, 5)


def test_too_many_rounds_are_refused_with_why(runner, tmp_path):
    make_org()
    steps = " ".join(f"{n}. ขั้นที่{n}" for n in range(1, 12))  # 11 steps x 12 months = 132 tasks a division
    path = plan_csv(tmp_path, [("รายงาน", "9", steps, "ทุกเดือน", "กองคลัง")])
    result = run_import(runner, path, "--fiscal-year", "2569")
    assert result.exit_code != 0
    assert "11 ขั้นตอน × 12 รอบ = 132 งานต่อกอง" in result.output
    assert count(Plan) == 0


def test_a_calendar_year_plan_is_warned_and_keeps_its_dates(runner, tmp_path):
    make_org()
    path = plan_csv(tmp_path, [("อบรมคุณธรรม", "7", "1. จัดอบรม 2. สรุปผล", "ม.ค. - ธ.ค. 69", "กองคลัง")])
    data = preview_json(runner, path)
    (measure,) = data["measures"]
    assert (measure["start"], measure["end"]) == ("2026-01-01", "2026-12-31")
    assert any("ปีปฏิทิน" in w for w in data["warnings"]), data["warnings"]
    result = run_import(runner, path, "--fiscal-year", "2569")
    assert result.exit_code == 0, result.output
    assert max(t.due_date for t in only_plan().measures[0].tasks) == date(2026, 12, 31)


# --- drafts --------------------------------------------------------------------------------------------------------

DRAFT_ROWS = [
    ("ประกาศเจตนารมณ์", "1", "1. ประกาศ", "ต.ค. 68 - ก.ย. 69", "กองคลัง"),
    ("จัดงานประเพณีโปร่งใส", "1", STEPS, "ตามห้วงเวลาจัดงานประเพณี", "กองคลัง"),
    ("อบรมเจ้าหน้าที่", "7", "1. อบรม", "", "สำนักปลัด"),
    ("ปรับปรุงเว็บไซต์", "9", "1. ปรับปรุง", "มี.ค. 69", ""),
]


def test_rows_without_a_period_or_division_refuse_the_file_unless_drafts_are_allowed(runner, tmp_path):
    make_org()
    path = plan_csv(tmp_path, DRAFT_ROWS)
    refused = run_import(runner, path, "--fiscal-year", "2569")
    assert refused.exit_code != 0 and count(Plan) == 0
    assert "plan.csv แถว 3 คอลัมน์ “ช่วงระยะเวลาการดำเนินการ”: ช่วงเวลา “ตามห้วงเวลาจัดงานประเพณี” ไม่ได้ระบุวันที่" \
        in refused.output
    assert "plan.csv แถว 4 คอลัมน์ “ช่วงระยะเวลาการดำเนินการ”: ช่องว่าง — ต้องมีช่วงระยะเวลาการดำเนินการ" \
        in refused.output
    assert "plan.csv แถว 5 คอลัมน์ “ผู้รับผิดชอบ”: ช่องว่าง — ต้องมีผู้รับผิดชอบ" in refused.output
    assert "--allow-drafts" in refused.output

    result = run_import(runner, path, "--fiscal-year", "2569", "--allow-drafts")
    assert result.exit_code == 0, result.output
    assert "[ร่าง — ยังไม่กำหนดช่วงเวลา — ยังไม่สร้างงาน]" in result.output
    whole, event, unnamed_period, no_division = only_plan().measures
    assert not whole.is_draft and len(whole.tasks) == 1
    for draft in (event, unnamed_period, no_division):
        assert draft.is_draft and draft.tasks == []
    assert event.draft_steps == ["รวบรวมข้อมูล", "เผยแพร่บนเว็บไซต์"]
    assert event.period_start is None and event.period_text == "ตามห้วงเวลาจัดงานประเพณี"
    assert no_division.period_start == date(2026, 3, 1) and no_division.divisions == []


def test_a_draft_is_completed_on_its_page_and_gets_the_tasks_the_file_would_have_given(app, client, runner, tmp_path):
    org = make_org()
    path = plan_csv(tmp_path, DRAFT_ROWS)
    assert run_import(runner, path, "--fiscal-year", "2569", "--allow-drafts").exit_code == 0
    admin = make_user(org, "draft-admin", Role.ADMIN)
    head = make_user(org, "draft-head", Role.HEAD, org.divisions[1])
    db.session.commit()
    event = only_plan().measures[1]
    finance, works = org.divisions[1], org.divisions[2]

    login(client, head.username)
    page = client.get(f"/measures/{event.id}").get_data(as_text=True)
    assert "ร่าง" in page and "ผู้ดูแลระบบเป็นผู้กรอกให้ครบ" in page
    refused = post_form(client, f"/measures/{event.id}/complete", {"period": "ทุกไตรมาส", "divisions": [finance.id]})
    assert refused.status_code == 403

    client.get("/logout")
    login(client, admin.username)
    page = client.get(f"/measures/{event.id}").get_data(as_text=True)
    assert f'action="/measures/{event.id}/complete"' in page
    assert 'placeholder="เช่น ต.ค. 68 - ก.ย. 69' in page  # an example of the plan's own year, as its rows write it
    wrong = post_form(client, f"/measures/{event.id}/complete", {"period": "ตามสะดวก", "divisions": [finance.id]})
    assert wrong.status_code == 400 and "อ่านช่วงเวลาไม่ได้" in wrong.get_data(as_text=True)
    same = post_form(client, f"/measures/{event.id}/complete",
                     {"period": "ตามห้วงเวลาจัดงานประเพณี", "divisions": [finance.id]})
    assert same.status_code == 400 and "ยังไม่ได้ระบุวันที่ — กรอกเป็นเดือน ไตรมาส หรือรอบ" in same.get_data(as_text=True)
    none = post_form(client, f"/measures/{event.id}/complete", {"period": "ทุกไตรมาส"})
    assert none.status_code == 400 and "เลือกกองที่รับผิดชอบอย่างน้อยหนึ่งกอง" in none.get_data(as_text=True)
    db.session.expire_all()
    assert event.is_draft and event.tasks == []

    done = post_form(client, f"/measures/{event.id}/complete",
                     {"period": "ทุกไตรมาส", "divisions": [finance.id, works.id]})
    assert done.status_code == 302
    db.session.expire_all()
    assert not event.is_draft
    assert len(event.tasks) == 2 * 4 * 2  # steps x quarters x divisions
    last_steps = sorted({t.due_date for t in event.tasks if t.step_text.startswith("เผยแพร่")})
    assert last_steps == [date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]
    (event_audit,) = events(AuditAction.MEASURE_COMPLETE.value)
    assert event_audit.actor_id == admin.id and event_audit.after["tasks"] == 16
    # The same form sent again (a second tab, a double tap): said, nothing made twice.
    again = post_form(client, f"/measures/{event.id}/complete", {"period": "ทุกไตรมาส", "divisions": [finance.id]})
    assert again.status_code == 302
    assert "มาตรการนี้ครบแล้ว" in client.get(again.location).get_data(as_text=True)
    assert count(Task, Task.measure_id == event.id) == 16


def test_another_agencys_division_cannot_complete_a_draft(app, client, runner, tmp_path):
    org = make_org()
    other = make_org("เทศบาลอื่น", divisions=("กองคลัง",))
    path = plan_csv(tmp_path, DRAFT_ROWS)
    assert run_import(runner, path, "--fiscal-year", "2569", "--allow-drafts", "--org", org.name).exit_code == 0
    admin = make_user(org, "draft-admin", Role.ADMIN)
    db.session.commit()
    event = db.session.scalar(select(Measure).where(Measure.title == "จัดงานประเพณีโปร่งใส"))
    login(client, admin.username)
    answer = post_form(client, f"/measures/{event.id}/complete",
                       {"period": "ทุกไตรมาส", "divisions": [other.divisions[0].id]})
    assert answer.status_code == 400
    db.session.expire_all()
    assert event.is_draft and count(Task, Task.measure_id == event.id) == 0


# --- extra columns and weights -------------------------------------------------------------------------------------

EXTRA_HEADER = (*HEADER, "งบประมาณ (บาท)", "น้ำหนัก (ร้อยละ)", "ผลผลิต", "ตัวชี้วัดความสำเร็จ", "ต.ค. 68", "พ.ย. 68",
                "ธ.ค. 68")


def test_extra_columns_are_kept_on_the_measure_and_shown(app, client, runner, tmp_path):
    org = make_org()
    path = plan_csv(tmp_path, [
        ("จัดทำคู่มือ", "6", "1. ร่าง", "ต.ค. 68 - ก.ย. 69", "กองคลัง", "๕๐,๐๐๐", "60", "คู่มือ 1 เล่ม",
         "ร้อยละ 80 ของผู้รับบริการพึงพอใจ", "✓", "", "✓"),
        ("อบรม", "7", "1. อบรม", "ต.ค. 68 - ก.ย. 69", "กองคลัง", "", "40%", "", "", "", "/", ""),
    ], header=EXTRA_HEADER)
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    manual, training = only_plan().measures
    assert manual.weight == 60 and training.weight == 40
    assert manual.details == [["งบประมาณ", "๕๐,๐๐๐"], ["ผลผลิต", "คู่มือ 1 เล่ม"],
                              ["ตัวชี้วัดความสำเร็จ", "ร้อยละ 80 ของผู้รับบริการพึงพอใจ"],
                              ["เป้าหมายรายเดือน", "ต.ค. 68, ธ.ค. 68"]]
    assert training.details[-1] == ["เป้าหมายรายเดือน", "พ.ย. 68"]
    assert "งบประมาณ: ๕๐,๐๐๐" in result.output and "น้ำหนัก 60" in result.output  # the preview shows them
    admin = make_user(org, "extra-admin", Role.ADMIN)
    db.session.commit()
    login(client, admin.username)
    page = client.get(f"/measures/{manual.id}").get_data(as_text=True)
    assert "คู่มือ 1 เล่ม" in page and "น้ำหนัก 60" in page and "ต.ค. 68, ธ.ค. 68" in page


def test_a_weight_that_is_not_a_number_is_a_problem_where_it_is(runner, tmp_path):
    make_org()
    path = plan_csv(tmp_path, [
        ("จัดทำคู่มือ", "6", "1. ร่าง", "ต.ค. 68 - ก.ย. 69", "กองคลัง", "", "มาก", "", "", "", "", ""),
    ], header=EXTRA_HEADER)
    result = run_import(runner, path)
    assert result.exit_code != 0 and count(Plan) == 0
    assert re.search(r"plan\.csv แถว 2 คอลัมน์ “น้ำหนัก \(ร้อยละ\)”: “มาก” ไม่ใช่น้ำหนัก", result.output), result.output


def test_the_seed_has_no_extra_columns_and_no_drafts(runner, seed_path):
    result = run_import(runner, seed_path, "--dry-run", "--json", "--create-divisions")
    data = json.loads(result.output)
    assert all(not m["draft"] and not m["details"] and m["weight"] is None and not m["rounds"]
               for m in data["measures"])


# --- drafts completed in the web preview ----------------------------------------------------------------------------


def test_drafts_are_completed_in_the_preview_before_importing(app, client, tmp_path):
    from .test_imports_web import ORG_NAME, confirm_data, token_of, upload

    app.instance_path = str(tmp_path / "instance")  # keep test uploads out of the real instance folder
    org = make_org(ORG_NAME)
    make_user(org, "web-admin", Role.ADMIN)
    db.session.commit()
    login(client, "web-admin")
    path = plan_csv(tmp_path, DRAFT_ROWS)
    first = upload(client, path)
    assert first.status_code == 200, first.get_data(as_text=True)
    page = first.get_data(as_text=True)
    token = token_of(page)
    # Each draft row says what it lacks and offers the field for it; the complete row offers none.
    assert page.count('class="chip draft"') == 3
    assert 'name="period-2"' in page and 'name="period-3"' in page and 'name="period-1"' not in page
    assert 'name="divisions-4"' in page and 'name="divisions-2"' not in page
    assert "ร่าง 3" in page  # on the import button
    assert 'placeholder="เช่น ต.ค. 68 - ก.ย. 69' in page

    finance = next(d for d in org.divisions if d.name == "กองคลัง")
    data = confirm_data(client, page, {})
    data.update({"period-2": "ไตรมาส 2", "period-3": "ตามใจ", "divisions-4": [finance.name], "action": "check"})
    checked = client.post(f"/imports/{token}/confirm", data=data)
    assert checked.status_code == 200
    again = checked.get_data(as_text=True)
    assert count(Plan) == 0  # checking writes nothing
    assert "1 ม.ค. 2569 – 31 มี.ค. 2569" in again  # the typed quarter, read as its dates
    assert "ที่กรอกไว้ — อ่านช่วงเวลาไม่ได้" in again  # the unreadable one says why and stays a draft
    assert 'value="ตามใจ"' in again  # what was typed is kept in its field
    assert "ร่าง 1" in again

    data["action"] = "import"
    data["period-3"] = ""
    done = client.post(f"/imports/{token_of(again)}/confirm", data=data)
    assert done.status_code == 302
    db.session.expire_all()
    whole, event, unnamed, website = only_plan().measures
    assert not event.is_draft and {t.due_date for t in event.tasks} == {date(2026, 2, 28), date(2026, 3, 31)}
    assert unnamed.is_draft and unnamed.tasks == []
    assert not website.is_draft and [d.name for d in website.divisions] == ["กองคลัง"]


def test_a_recurring_measure_copied_into_the_next_year_names_its_rounds_a_year_on(runner, tmp_path):
    from tracker.models import Source
    from tracker.plans.build import round_a_year_on
    from tracker.plans.next_year import copy_plan

    assert round_a_year_on("รายงาน (รอบ ไตรมาส 4/69)") == "รายงาน (รอบ ไตรมาส 4/70)"
    assert round_a_year_on("รายงาน (รอบ 1-5 ธ.ค. 99)") == "รายงาน (รอบ 1-5 ธ.ค. 00)"
    assert round_a_year_on("ประชุม (ครั้งที่ 2)") == "ประชุม (ครั้งที่ 2)"  # not a round: as it is
    org = make_org()
    path = plan_csv(tmp_path, [("เผยแพร่ข้อมูลจัดซื้อจัดจ้าง", "9", STEPS, "ทุกเดือน", "กองคลัง")])
    assert run_import(runner, path, "--fiscal-year", "2569").exit_code == 0
    admin = make_user(org, "copy-admin", Role.ADMIN)
    db.session.commit()
    copy = copy_plan(only_plan(), admin, source=Source.WEB)
    db.session.commit()
    tasks = sorted(copy.measures[0].tasks, key=lambda t: t.step_number)
    assert (tasks[0].step_text, tasks[0].due_date) == ("รวบรวมข้อมูล (รอบ ต.ค. 69)", date(2026, 10, 16))
    assert (tasks[-1].step_text, tasks[-1].due_date) == ("เผยแพร่บนเว็บไซต์ (รอบ ก.ย. 70)", date(2027, 9, 30))
