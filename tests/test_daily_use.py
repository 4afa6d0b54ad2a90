"""Daily use people can trust (issue 10): the traps found by trying every role, through the real pages."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker import clock, demo
from tracker.extensions import db
from tracker.models import AuditEvent, Comment, Evidence, Measure, Plan, Task, TaskStatus
from tracker.plans.build import ensure_fiscal_year
from tracker.thai import fiscal_year_of

from .factories import events, login, post_form, post_progress

TODAY = date(2026, 3, 16)  # a Monday of fiscal year 2569, two weeks before the seed's first due dates


def selected_status(page: str) -> str:
    match = re.search(r'<select[^>]*name="status"[^>]*>(.*?)</select>', page, re.S)
    assert match, "no status select on the page"
    chosen = re.search(r'<option selected value="(\w+)"|<option value="(\w+)" selected', match.group(1))
    return next(g for g in chosen.groups() if g) if chosen else re.search(r'value="(\w+)"', match.group(1)).group(1)


# --- 1. the progress form shows where the task stands; closing is its own act, and can be taken back -----------------


def test_saving_a_note_never_closes_the_task(client, seeded, on_day):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    assert selected_status(client.get(f"/tasks/{task.id}").get_data(as_text=True)) == "todo"
    post_progress(client, task, status="doing", note="เริ่มร่างคู่มือ", save="1")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert selected_status(page) == "doing"  # the current status, not the next one
    # One more note, the select left as the page shows it: the task stays in progress.
    post_progress(client, task, status=selected_status(page), note="ส่งร่างให้หัวหน้าแล้ว", save="1")
    db.session.expire_all()
    assert task.status is TaskStatus.DOING and task.done_at is None
    assert [c.text for c in task.comments] == ["เริ่มร่างคู่มือ", "ส่งร่างให้หัวหน้าแล้ว"]
    assert 'value="done"' not in page.split('name="status"', 1)[1].split("</select>", 1)[0]


def test_closing_is_a_button_and_the_closer_may_undo_for_a_while(client, seeded, on_day):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    post_progress(client, task, status="doing", note="เริ่มแล้ว", save="1")
    response = post_progress(client, task, status="doing", note="เสร็จแล้ว", close="1")
    assert response.status_code == 302
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "ยกเลิกได้ภายใน 15 นาที" in page and "ยกเลิกการปิดงาน" in page
    db.session.expire_all()
    assert task.status is TaskStatus.DONE and task.done_by == seeded.users["clerk-staff"]

    assert post_form(client, f"/tasks/{task.id}/undo", {}, token_from=f"/tasks/{task.id}").status_code == 302
    db.session.expire_all()
    assert task.status is TaskStatus.DOING and task.done_at is None  # back to where it was before closing
    assert events("task.undo")[-1].actor == seeded.users["clerk-staff"]


def test_only_the_closer_may_undo_and_only_for_15_minutes(client, seeded, on_day, monkeypatch):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    post_progress(client, task, status="todo", close="1")
    login(client, "clerk-head")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "ยกเลิกการปิดงาน" not in page  # the head reopens with a reason instead
    assert post_form(client, f"/tasks/{task.id}/undo", {}, token_from=f"/tasks/{task.id}").status_code == 400
    login(client, "clerk-staff")
    later = clock.now() + timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "ยกเลิกการปิดงาน" not in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    response = post_form(client, f"/tasks/{task.id}/undo", {}, token_from=f"/tasks/{task.id}")
    assert response.status_code == 400 and "เลยเวลายกเลิกแล้ว" in response.get_data(as_text=True)
    db.session.expire_all()
    assert task.status is TaskStatus.DONE


# --- 2. the trail says, in names, who got a task, who closed it, from what to what -----------------------------------


def test_assigning_and_closing_record_names_before_and_after(client, seeded, on_day):
    task = seeded.tasks_of(seeded.clerk)[0]
    staff = seeded.users["clerk-staff"]
    login(client, "clerk-head")
    post_form(client, f"/tasks/{task.id}/assign", {"assignee": str(staff.id)}, token_from=f"/tasks/{task.id}")
    assigned = events("task.assign")[-1]
    assert assigned.before["assignee_id"] is None and assigned.after["assignee_id"] == staff.id
    assert assigned.after["assignee"] == "เจ้าหน้าที่สำนักปลัด"
    post_progress(client, task, status="doing", close="1")
    closed = events("task.tick_off")[-1]
    assert closed.after["done_by_id"] == seeded.users["clerk-head"].id
    assert closed.after["done_by"] == "หัวหน้าสำนักปลัด"

    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "ผู้รับมอบหมาย: ทั้งกอง (ยังไม่มอบหมาย) → เจ้าหน้าที่สำนักปลัด" in page
    assert "ผู้ปิดงาน: — → หัวหน้าสำนักปลัด" in page and "สถานะ: ยังไม่เริ่ม → เสร็จแล้ว" in page
    login(client, "admin")
    trail = client.get("/audit").get_data(as_text=True)
    assert "เจ้าหน้าที่สำนักปลัด</ins>" in trail and "หัวหน้าสำนักปลัด</ins>" in trail


def test_setting_changes_are_named_in_thai(client, seeded):
    login(client, "admin")
    post_form(client, "/admin/reminders", {"lead_times": "7, 1", "overdue_every": "5"},
              token_from="/admin/reminders")
    trail = client.get("/audit").get_data(as_text=True)
    assert "แจ้งเตือนก่อนครบกำหนด (วัน)" in trail and "แจ้งซ้ำเมื่อเกินกำหนดทุก (วันทำการ)" in trail
    assert "reminder_days" not in trail and "overdue_every" not in trail


# --- 5. fiscal years: the current plan by default, the year shown, another year a click away ------------------------


@pytest.fixture
def next_year(seeded):
    """The plan of fiscal year 2570 imported beside 2569's, with one step for the clerk's division."""
    plan = Plan(organization=seeded.org, fiscal_year=ensure_fiscal_year(2570), source="2570.csv", content_hash="n")
    measure = Measure(plan=plan, order=1, title="มาตรการปีงบประมาณ 2570", period_start=date(2026, 10, 1),
                      period_end=date(2027, 9, 30), divisions=[seeded.clerk])
    task = Task(measure=measure, step_number=1, step_text="ขั้นตอนของปีหน้า", division=seeded.clerk,
                due_date=date(2026, 12, 31))
    db.session.add_all([plan, measure, task])
    db.session.commit()
    return task


def test_my_tasks_and_the_board_show_the_current_years_plan(client, seeded, next_year, on_day):
    login(client, "clerk-head")
    for url in ("/tasks", f"/divisions/{seeded.clerk.id}"):
        page = client.get(url).get_data(as_text=True)
        assert "แผนปีงบประมาณ 2569" in page and "ขั้นตอนของปีหน้า" not in page
        assert "ปีงบประมาณ:" in page and "?year=2570" in page  # two years: a switcher
        other = client.get(url + "?year=2570").get_data(as_text=True)
        assert "แผนปีงบประมาณ 2570" in other and "ขั้นตอนของปีหน้า" in other
        assert "จัดทำคู่มือ" not in other and "ไม่ใช่แผนของปีงบประมาณปัจจุบัน" in other
        assert client.get(url + "?year=2555").status_code == 404


def test_after_new_year_the_new_plan_is_the_default(client, seeded, next_year, on_day):
    on_day(date(2026, 11, 2))
    login(client, "clerk-head")
    page = client.get("/tasks").get_data(as_text=True)
    assert "แผนปีงบประมาณ 2570" in page and "ขั้นตอนของปีหน้า" in page


# --- 6. a task closed after its due date is late, not on track --------------------------------------------------------


def test_a_task_closed_late_says_so_everywhere(client, seeded, on_day):
    task = seeded.tasks_of(seeded.clerk)[0]  # due 31 March 2569
    on_day(date(2026, 4, 3))  # a Friday: three working days late
    login(client, "clerk-head")
    post_progress(client, task, status="doing", close="1")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "เสร็จช้า 3 วันทำการ" in page
    assert "เสร็จช้า 3 วันทำการ" in client.get("/tasks").get_data(as_text=True)
    assert "เสร็จช้า 3 วันทำการ" in client.get(f"/measures/{task.measure_id}").get_data(as_text=True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "เสร็จช้า 1 งาน" in dashboard


def test_the_measure_grid_shows_overdue_steps(client, seeded, on_day):
    task = seeded.tasks_of(seeded.clerk)[0]
    on_day(date(2026, 4, 7))
    login(client, "mayor")
    page = client.get(f"/measures/{task.measure_id}").get_data(as_text=True)
    assert re.search(r'class="chip overdue"[^>]*>เกินกำหนด \d+ วันทำการ', page)


# --- 9. the administrator can assign and reschedule any task (a head may be away) -----------------------------------


def test_the_administrator_assigns_and_reschedules_from_the_task_page_and_the_board(client, seeded):
    task = seeded.tasks_of(seeded.finance)[0]
    login(client, "admin")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "มอบหมายและกำหนดส่ง" in page
    board = client.get(f"/divisions/{seeded.finance.id}").get_data(as_text=True)
    assert 'name="task_ids"' in board and "มอบหมายงานที่เลือกให้" in board
    staff = seeded.users["finance-staff"]
    assert post_form(client, f"/divisions/{seeded.finance.id}/assign",
                     {"task_ids": [task.id], "assignee": str(staff.id)}).status_code == 302
    db.session.expire_all()
    assert task.assignee == staff and events("task.assign")[-1].actor == seeded.users["admin"]


# --- 11. the demo tells a living story ------------------------------------------------------------------------------


def test_the_demo_plan_lies_in_this_fiscal_year_with_a_past(app, runner):
    result = runner.invoke(args=["demo", "--no-run", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:8765"  # messages link to where the demo runs
    plan = db.session.scalar(select(Plan))
    today = clock.today()
    assert plan.fiscal_year.year_be == fiscal_year_of(today) and f"แผนปีงบประมาณ {fiscal_year_of(today)}" in (
        result.output)
    tasks = db.session.scalars(select(Task)).all()
    done = [t for t in tasks if t.status is TaskStatus.DONE]
    assert len(done) >= 3 and all(t.done_at for t in done)
    assert any(t.status is TaskStatus.DOING for t in tasks)
    assert any(t.status is not TaskStatus.DONE and t.due_date < today for t in tasks)  # overdue
    assert any(clock.local_date(t.done_at) > t.due_date for t in done)  # one done late
    assert db.session.scalar(select(Evidence).limit(1)) is not None
    assert db.session.scalar(select(Comment).limit(1)) is not None
    assert all(plan.fiscal_year.start <= t.due_date <= plan.fiscal_year.end for t in tasks)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.tick_off").limit(1)) is not None


def test_the_demo_as_published_keeps_the_reports_plan(app):
    built = demo.build(as_published=True)
    db.session.commit()
    assert built.plan.fiscal_year.year_be == 2569
    assert all(t.status is TaskStatus.TODO for m in built.plan.measures for t in m.tasks)
