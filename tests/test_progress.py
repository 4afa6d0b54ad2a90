"""What progress means, once: the dashboard, the LINE summary and the weekly digests count the same way."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker import clock, dashboard, progress
from tracker.extensions import db
from tracker.labels import DUE_SOON
from tracker.line.replies import summary_text
from tracker.models import TaskStatus
from tracker.organization import work_calendar
from tracker.reminders.inputs import load_inputs
from tracker.workdays import WorkCalendar

TODAY = date(2026, 4, 1)


CAL = WorkCalendar()


def state(due: date, status: str = "todo", done_on: date | None = None, today: date = TODAY) -> progress.TaskState:
    return progress.task_state(progress.Record(due, status, done_on), today, CAL)


@pytest.mark.parametrize("due, done_on, late", [
    (TODAY, TODAY, False),
    (TODAY, TODAY + timedelta(days=1), True),
    (TODAY, None, False),
])
def test_done_late(due, done_on, late):
    # (done on a later day: seen from that day, when it was done)
    assert (state(due, "done", done_on, done_on or TODAY).kind is progress.StateKind.LATE) is late
    assert state(due, "doing", today=TODAY + timedelta(days=9)).kind is progress.StateKind.OVERDUE


@pytest.mark.parametrize("due, done, overdue, soon", [
    (TODAY - timedelta(days=1), False, True, False),
    (TODAY - timedelta(days=1), True, False, False),
    (TODAY, False, False, True),
    (date(2026, 4, 21), False, False, True),  # 10 working days (Chakri Day 6 April, Songkran 13-15 April)
    (date(2026, 4, 22), False, False, False),  # 11
    (TODAY + timedelta(days=5), True, False, False),
])
def test_one_task(due, done, overdue, soon):
    found = state(due, "done" if done else "todo")
    assert (found.kind is progress.StateKind.OVERDUE) is overdue
    assert (found.kind is progress.StateKind.SOON) is soon


def test_counted():
    week_ago = TODAY - timedelta(days=7)
    counted = progress.count_states([
        state(TODAY - timedelta(days=3)),  # overdue
        state(TODAY - timedelta(days=3), "done", week_ago),  # done on time
        state(week_ago, "done", TODAY - timedelta(days=2)),  # done, late
        state(TODAY + timedelta(days=3)),  # due soon
        state(TODAY + timedelta(days=90)),  # later
    ])
    assert (counted.total, counted.done, counted.late, counted.overdue, counted.due_soon, counted.open) == (
        5, 2, 1, 1, 1, 3)
    assert counted.on_track == 3 and counted.pct_done == 40.0 and counted.pct_on_track == 60.0
    assert progress.count_states([]).pct_done == 0.0


def test_the_dashboard_the_line_summary_and_the_weekly_digest_agree(seeded, linked, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    tasks = seeded.tasks_of(seeded.clerk)
    tasks[0].status = TaskStatus.DONE
    db.session.commit()
    board = dashboard.build(seeded.org.id, TODAY, work_calendar(seeded.org))
    o = board.overall
    text = summary_text(seeded.users["mayor"])
    assert f"เสร็จแล้ว {o.done} จาก {o.total} งาน" in text
    assert f"เกินกำหนด {o.overdue} งาน" in text and f"{DUE_SOON} {o.due_soon} งาน" in text

    monday = date(2026, 3, 30)  # the week's first working day: the executive's summary
    plan = load_inputs(seeded.org, monday).plan(monday)
    (mayors,) = [d for d in plan.digests if d.person.name == "นายกเทศมนตรี"]
    on_monday = dashboard.build(seeded.org.id, monday, work_calendar(seeded.org)).overall
    assert (mayors.organization.total, mayors.organization.done, mayors.organization.overdue) == (
        on_monday.total, on_monday.done, on_monday.overdue)


def test_a_second_years_plan_does_not_change_this_years_figures(seeded, linked, monkeypatch):
    from tracker.models import Measure, Plan, Task
    from tracker.plans.build import ensure_fiscal_year

    plan = Plan(organization=seeded.org, fiscal_year=ensure_fiscal_year(2570), source="next.csv", content_hash="n")
    measure = Measure(plan=plan, order=1, title="มาตรการปีหน้า", period_start=date(2026, 10, 1),
                      period_end=date(2027, 9, 30), divisions=[seeded.clerk])
    db.session.add_all([plan, measure] + [
        Task(measure=measure, step_number=n, step_text=f"ขั้นตอน {n}", division=seeded.clerk,
             due_date=date(2026, 12, 31)) for n in (1, 2, 3)
    ])
    db.session.commit()
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    this_year = dashboard.build(seeded.org.id, TODAY, work_calendar(seeded.org)).overall
    assert this_year.total == 16 and "จาก 16 งาน" in summary_text(seeded.users["mayor"])
    assert "จาก 8 งาน" in summary_text(seeded.users["clerk-head"])

    next_year = date(2026, 11, 2)  # a Monday of fiscal year 2570
    monkeypatch.setattr(clock, "today", lambda: next_year)
    assert "จาก 3 งาน" in summary_text(seeded.users["mayor"])
    (mayors,) = [d for d in load_inputs(seeded.org, next_year).plan(next_year).digests
                 if d.person.name == "นายกเทศมนตรี"]
    assert mayors.organization.total == 3
