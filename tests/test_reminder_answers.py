"""The reminder policy after people answered a reminder (issue 20): a snoozed task is not reminded before the day it
was put off to (its due date does not move); a task someone cannot do reaches its division's head in the next
working day's digest, once, with the reason; a reminder says who acknowledged it. Then the same through the daily
sweep on the seeded database, as the message people get."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker import clock, tasks
from tracker.extensions import db
from tracker.models import Notification, Source, TaskStatus
from tracker.organization import work_calendar
from tracker.reminders import outbox
from tracker.reminders.policy import Policy, plan_day, reminder_for
from tracker.workdays import WorkCalendar

from .test_reminders import person, sent, task

CAL = WorkCalendar()
DUE = date(2026, 3, 31)  # a Tuesday


def test_a_snoozed_task_is_reminded_again_from_the_day_it_was_put_off_to():
    before = sent(task(due=DUE), date(2026, 3, 1), date(2026, 4, 30))
    snoozed = sent(replace(task(due=DUE), snoozed_until=date(2026, 3, 30)), date(2026, 3, 1), date(2026, 4, 30))
    assert snoozed == {day: what for day, what in before.items() if day >= date(2026, 3, 30)}
    assert snoozed[DUE][0] == "due"  # still reminded on its own due date: the due date did not move


def test_an_overdue_snooze_holds_the_overdue_reminders_until_its_day():
    late = replace(task(due=DUE), snoozed_until=date(2026, 4, 9))
    assert reminder_for(late, date(2026, 4, 3), Policy(), CAL) is None  # 3 working days late: would have been sent
    assert reminder_for(replace(late, snoozed_until=None), date(2026, 4, 3), Policy(), CAL) is not None


def blocked(on: date, division: int = 1):
    return replace(task(id=7, due=DUE, division=division), blocked_reason="ยังไม่ได้รับงบประมาณ",
                   blocked_by="สมชาย", blocked_on=on)


PEOPLE = [person(1, "หัวหน้าสำนักปลัด", "head", 1), person(2, "สมชาย", "staff", 1),
          person(3, "ผอ.กองคลัง", "head", 2), person(4, "นายก", "executive", None)]


@pytest.mark.parametrize("said, heard", [
    (date(2026, 3, 10), date(2026, 3, 11)),  # Tuesday: the head hears on Wednesday
    (date(2026, 3, 13), date(2026, 3, 16)),  # Friday: on Monday
    (date(2026, 3, 14), date(2026, 3, 16)),  # Saturday: on Monday
    (date(2026, 4, 10), date(2026, 4, 16)),  # Friday before Songkran (13-15 April): on Thursday
])
def test_the_head_hears_of_a_task_someone_cannot_do_on_the_next_working_day_once(said, heard):
    t = blocked(said)
    days_heard = [day for day in (said + timedelta(days=n) for n in range(0, 12))
                  if any(d.cannot_do for d in plan_day(day, [t], PEOPLE, CAL).digests)]
    assert days_heard == [heard]
    (digest,) = [d for d in plan_day(heard, [t], PEOPLE, CAL).digests if d.cannot_do]
    assert digest.person.id == 1 and digest.cannot_do == (t,)  # their own division's head only, not staff or mayor


def test_an_answered_or_done_task_is_not_reported():
    day = date(2026, 3, 11)
    assert not any(d.cannot_do for d in plan_day(day, [replace(blocked(day - timedelta(days=1)), done=True)],
                                                 PEOPLE, CAL).digests)
    assert not any(d.cannot_do for d in plan_day(day, [replace(blocked(day - timedelta(days=1)),
                                                               blocked_reason=None)], PEOPLE, CAL).digests)


# --- through the daily sweep, as the head reads it ------------------------------------------------------------------


def _linked_tasks(text: str) -> set[int]:
    return {int(found) for found in re.findall(r"/tasks/(\d+)", text)}


def _messages(organization, day) -> dict[int, str]:
    outbox.sweep(organization, day)
    db.session.flush()
    rows = db.session.scalars(select(Notification)).all()
    rendered = outbox.render_rows(rows)
    return {row.recipient_id: rendered[row.id][0] for row in rows}


def test_the_heads_next_digest_names_the_task_the_reason_and_who(linked, on_day):
    on_day(date(2026, 3, 10))  # a Tuesday
    staff, head = linked.users["clerk-staff"], linked.users["clerk-head"]
    work = next(t for t in linked.tasks_of(linked.clerk) if t.due_date > date(2026, 4, 30))
    tasks.cannot_do(work, staff, "ยังไม่ได้รับงบประมาณ", source=Source.LINE)
    db.session.commit()
    on_day(date(2026, 3, 11))
    text = _messages(linked.org, clock.today())[head.id]
    assert "ทำไม่ได้ 1 งาน" in text and "ยังไม่ได้รับงบประมาณ" in text and staff.display_name in text
    assert work.id in _linked_tasks(text)


def test_a_snoozed_task_is_left_out_of_the_days_digest_and_an_acknowledged_one_says_who(linked, on_day):
    staff = linked.users["clerk-staff"]
    work = linked.tasks_of(linked.clerk)[0]
    work.status, work.assignee = TaskStatus.TODO, staff
    due = work.due_date
    db.session.commit()
    day = work.due_date - timedelta(days=7)
    while not work_calendar(work.organization_id).is_working_day(day):
        day -= timedelta(days=1)
    on_day(day)
    assert work.id in _linked_tasks(_messages(linked.org, day)[staff.id])
    db.session.query(Notification).delete()
    tasks.acknowledge(work, staff, source=Source.LINE)
    assert f"รับทราบแล้ว: {staff.display_name}" in _messages(linked.org, day)[staff.id]
    db.session.query(Notification).delete()
    tasks.snooze(work, staff, work.due_date, work_calendar(work.organization_id), source=Source.LINE)
    assert work.id not in _linked_tasks(_messages(linked.org, day).get(staff.id, ""))
    assert work.due_date == due  # only the reminder moved


def test_the_heads_weekly_summary_says_who_is_on_an_overdue_task_and_which_cannot_be_done(app):
    from tracker.reminders.digest import render_digest
    from tracker.reminders.policy import Digest, DivisionSummary

    on_it = replace(task(id=11, due=date(2026, 3, 2)), acknowledged_by="สมชาย")
    stuck = replace(task(id=12, due=date(2026, 3, 3), step=2), blocked_reason="รองบประมาณ", blocked_by="สมศรี")
    week = DivisionSummary(1, "สำนักปลัด", open=2, done=0, overdue=(on_it, stuck), due_this_week=(), overdue_count=2)
    text = render_digest(Digest(PEOPLE[0], date(2026, 3, 16), (), division=week), "https://ita.example.go.th")
    assert "ขั้นตอนที่ 1 (ครบกำหนด 2 มี.ค. 2569) · รับทราบแล้ว: สมชาย" in text
    assert "ขั้นตอนที่ 2 (ครบกำหนด 3 มี.ค. 2569) · ทำไม่ได้: รองบประมาณ" in text
