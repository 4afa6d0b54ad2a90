"""Answers to a reminder (issue 20), as the domain verbs take them from LINE's buttons and the task page: รับทราบ/กำลังทำ,
เลื่อนการเตือน (only the reminders move, never the due date), ทำไม่ได้ with the reason until the head acts on it; and
the activity clock every change restarts."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker import clock, tasks
from tracker.access import Refused
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.models import AuditAction, Comment, Source, TaskStatus
from tracker.organization import work_calendar

from .factories import count, events

TODAY = date(2026, 3, 11)  # a Wednesday: the `on_day` fixture starts here


@pytest.fixture
def task(seeded, on_day):
    """An open task of the clerk's office, due a week from TODAY."""
    task = seeded.tasks_of(seeded.clerk)[0]
    task.status, task.due_date = TaskStatus.TODO, TODAY + timedelta(days=7)
    db.session.commit()
    return task


def test_acknowledging_starts_the_task_and_is_said_once(seeded, task):
    staff = seeded.users["clerk-staff"]
    tasks.acknowledge(task, staff, source=Source.LINE)
    tasks.acknowledge(task, staff, source=Source.LINE)  # pressed twice, or on two devices
    db.session.commit()
    assert task.status is TaskStatus.DOING and task.acknowledged_by == staff
    assert task.acknowledged_at == task.last_activity_at == clock.now()
    (event,) = events(AuditAction.TASK_ACKNOWLEDGE.value)
    assert event.source == Source.LINE.value and event.after["acknowledged_by"] == staff.display_name


def test_only_the_people_doing_a_task_answer_it_and_not_once_it_is_done(seeded, task):
    for outsider in ("finance-staff", "finance-head", "mayor"):
        with pytest.raises(Refused):
            tasks.acknowledge(task, seeded.users[outsider], source=Source.LINE)
        with pytest.raises(Refused):
            tasks.cannot_do(task, seeded.users[outsider], "ไม่ใช่งานของกอง", source=Source.LINE)
    tasks.tick_off(task, seeded.users["clerk-staff"], source=Source.WEB)
    with pytest.raises(DomainError):
        tasks.acknowledge(task, seeded.users["clerk-staff"], source=Source.LINE)
    assert events(AuditAction.TASK_ACKNOWLEDGE.value) == [] and events(AuditAction.TASK_CANNOT_DO.value) == []


def test_a_snooze_moves_the_reminders_up_to_the_due_date_never_the_due_date(seeded, task):
    staff, calendar, due = seeded.users["clerk-staff"], work_calendar(task.organization_id), task.due_date
    for refused in (TODAY, TODAY - timedelta(days=1), due + timedelta(days=1)):
        with pytest.raises(DomainError):
            tasks.snooze(task, staff, refused, calendar, source=Source.LINE)
    tasks.snooze(task, staff, due, calendar, source=Source.LINE)
    db.session.commit()
    assert task.snoozed_until == due and task.due_date == due
    assert task.last_activity_at is None  # putting a reminder off is not work on the task
    assert len(events(AuditAction.TASK_SNOOZE.value)) == 1


def test_an_overdue_task_is_snoozed_five_working_days_at_most(seeded, task, on_day):
    on_day(date(2026, 4, 8))  # a Wednesday, long after the due date; 13-15 April is Songkran
    staff, calendar = seeded.users["clerk-staff"], work_calendar(task.organization_id)
    first, last = tasks.snooze_bounds(task, clock.today(), calendar)
    assert (first, last) == (date(2026, 4, 9), date(2026, 4, 20))  # Thu, Fri, (Songkran), Thu 16, Fri 17, Mon 20
    with pytest.raises(DomainError):
        tasks.snooze(task, staff, last + timedelta(days=1), calendar, source=Source.LINE)
    tasks.snooze(task, staff, last, calendar, source=Source.LINE)
    assert task.snoozed_until == last


def test_cannot_do_is_flagged_with_the_reason_until_the_head_answers(seeded, task):
    staff, head = seeded.users["clerk-staff"], seeded.users["clerk-head"]
    with pytest.raises(DomainError):
        tasks.cannot_do(task, staff, "   ", source=Source.LINE)  # a reason is required
    tasks.cannot_do(task, staff, "ยังไม่ได้รับงบประมาณ", source=Source.LINE)
    db.session.commit()
    assert task.blocked_reason == "ยังไม่ได้รับงบประมาณ" and task.blocked_by == staff
    assert count(Comment, Comment.task_id == task.id, Comment.text.contains("ยังไม่ได้รับงบประมาณ")) == 1
    with pytest.raises(Refused):
        tasks.answer_cannot_do(task, staff, "ทำต่อไป", source=Source.WEB)  # the head answers, not the staff
    tasks.answer_cannot_do(task, head, "ใช้งบกลางไปก่อน", source=Source.WEB)
    db.session.commit()
    assert task.blocked_reason is None and task.blocked_by is None
    (answered,) = events(AuditAction.TASK_CANNOT_DO_ANSWER.value)
    assert answered.before["blocked_reason"] == "ยังไม่ได้รับงบประมาณ" and answered.after["answer"] == "ใช้งบกลางไปก่อน"
    with pytest.raises(DomainError):
        tasks.answer_cannot_do(task, head, "อีกครั้ง", source=Source.WEB)  # nothing left to answer


@pytest.mark.parametrize("act", ["assign", "reschedule"])
def test_reassigning_or_rescheduling_is_the_heads_answer_too(seeded, task, act):
    head = seeded.users["clerk-head"]
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ลาคลอด", source=Source.LINE)
    if act == "assign":
        tasks.assign(task, head, head, source=Source.WEB)
    else:
        tasks.reschedule(task, head, task.due_date + timedelta(days=30), source=Source.WEB)
    assert task.blocked_reason is None


def test_a_new_due_date_before_a_snooze_ends_the_snooze(seeded, task):
    staff, head = seeded.users["clerk-staff"], seeded.users["clerk-head"]
    tasks.snooze(task, staff, task.due_date, work_calendar(task.organization_id), source=Source.LINE)
    tasks.reschedule(task, head, TODAY + timedelta(days=2), source=Source.WEB)
    assert task.snoozed_until is None  # its reminders would have missed the new date


@pytest.mark.parametrize("act", ["comment", "progress", "evidence", "reschedule"])
def test_every_change_restarts_the_activity_clock(seeded, task, on_day, act):
    staff, head = seeded.users["clerk-staff"], seeded.users["clerk-head"]
    on_day(TODAY + timedelta(days=1))
    if act == "comment":
        tasks.comment(task, staff, "เริ่มแล้ว", source=Source.WEB)
    elif act == "progress":
        tasks.change_status(task, staff, TaskStatus.DOING, source=Source.WEB)
    elif act == "evidence":
        tasks.add_evidence(task, staff, url="https://bangkrabue.go.th/ita", source=Source.WEB)
    else:
        tasks.reschedule(task, head, task.due_date + timedelta(days=3), source=Source.WEB)
    assert task.last_activity_at == clock.now()
