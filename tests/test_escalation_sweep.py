"""The escalation ladder, the idle nudge, paused reminders and quiet days through the daily sweep, on the seeded
database: the steps recorded on the tasks once with their audit events, activity clearing them, and the digests as the
deliverer renders them (tests/test_escalation.py tests the policy itself).

Every task of the seeded plan is first moved to 30 September 2026, out of the way; each test then sets the few it is
about. Days of March 2026: Tuesday 3 March is Makha Bucha.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select, update

from tracker import clock, tasks
from tracker.extensions import db
from tracker.labels import IDLE, PAUSED_UNTIL
from tracker.models import AuditAction, AuditEvent, Notification, Organization, Source, Task, TaskStatus
from tracker.reminders import outbox
from tracker.reminders.settings import set_quiet_days

DUE = date(2026, 3, 6)  # a Friday: Mon 9 March is 1 working day late, Wed 11 March 3
WED_11, THU_12, FRI_13 = date(2026, 3, 11), date(2026, 3, 12), date(2026, 3, 13)
MON_16, TUE_17, WED_18 = date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 18)
ACTIVE_ON = date(2026, 3, 2)  # Tuesday 17 March is the 10th working day after it (3 March is a holiday)
OUT_OF_THE_WAY = date(2026, 9, 30)
ESCALATION_HEADING = f"งานเกินกำหนดที่{IDLE}"
COVERING_HEADING = "งานของผู้ที่พักการแจ้งเตือน"


@pytest.fixture
def org(linked):
    """The seeded organization, every person linked to LINE, every task due at the end of the fiscal year."""
    db.session.execute(update(Task).values(due_date=OUT_OF_THE_WAY).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()
    return linked


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=clock.local_zone())


def overdue_task(seeded, assignee="clerk-staff") -> Task:
    """A task of the clerk's office due Friday 6 March, given to someone, nothing done on it."""
    work = seeded.tasks_of(seeded.clerk)[0]
    work.due_date, work.assignee = DUE, seeded.users[assignee] if assignee else None
    db.session.commit()
    return work


def idle_task(seeded) -> Task:
    """A task of the clerk's office in progress, due 30 June, whose last activity was on Monday 2 March."""
    work = seeded.tasks_of(seeded.clerk)[1]
    work.due_date, work.status, work.assignee = date(2026, 6, 30), TaskStatus.DOING, seeded.users["clerk-staff"]
    work.last_activity_at = at_nine(ACTIVE_ON)
    db.session.commit()
    return work


def sweep(seeded, on_day, day: date) -> outbox.SweepResult:
    on_day(day)
    result = outbox.sweep(seeded.org, day)
    db.session.commit()
    db.session.expire_all()
    return result


def rows_of(day: date) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.for_date == day)
                                   .order_by(Notification.id)))


def texts_of(day: date) -> dict[int, str]:
    """Each person's digest of the day, rendered as the deliverer renders it (clock.today() must be that day)."""
    rows = rows_of(day)
    rendered = outbox.render_rows(rows)
    return {row.recipient_id: rendered[row.id][0] for row in rows if row.recipient_id is not None}


def events(action: AuditAction, task: Task | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action.value)
    if task is not None:
        query = query.where(AuditEvent.object_type == "Task", AuditEvent.object_id == task.id)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def revision(seeded) -> int:
    return db.session.scalar(select(Organization.revision).where(Organization.id == seeded.org.id))


def section(text: str, heading: str) -> str:
    """The part of a digest from a heading to the next blank line."""
    start = text.index(heading)
    end = text.find("\n\n", start)
    return text[start:] if end < 0 else text[start:end]


def linked_tasks(text: str) -> set[int]:
    return {int(found) for found in re.findall(r"/tasks/(\d+)", text)}


# --- the head hears of an overdue task nobody touches -------------------------------------------------------------


def test_the_sweep_records_step_one_once_with_its_event_and_the_heads_digest_names_the_task(org, on_day):
    work, head = overdue_task(org), org.users["clerk-head"]
    before = revision(org)
    sweep(org, on_day, date(2026, 3, 10))  # 2 working days late: nothing yet
    assert work.escalated_head_at is None and events(AuditAction.TASK_ESCALATE) == []
    sweep(org, on_day, WED_11)
    assert clock.local_date(work.escalated_head_at) == WED_11 and work.escalated_executive_at is None
    (event,) = events(AuditAction.TASK_ESCALATE)
    assert (event.object_id, event.source, event.actor_id) == (work.id, Source.SYSTEM, None)
    assert event.after == {"step": 1, "idle_working_days": 3}
    assert revision(org) > before
    assert [row.recipient_id for row in rows_of(WED_11)].count(head.id) == 1
    text = texts_of(WED_11)[head.id]
    escalated = section(text, ESCALATION_HEADING)
    assert work.step_text[:40] in escalated and linked_tasks(escalated) == {work.id}
    assert f"{IDLE} 3 วันทำการ" in escalated
    # The staff get their overdue reminder, not the escalation.
    assert ESCALATION_HEADING not in texts_of(WED_11)[org.users["clerk-staff"].id]

    rows, moved = len(rows_of(WED_11)), revision(org)
    again = sweep(org, on_day, WED_11)
    assert again.created == 0 and len(rows_of(WED_11)) == rows
    assert len(events(AuditAction.TASK_ESCALATE)) == 1 and revision(org) == moved
    assert ESCALATION_HEADING in texts_of(WED_11)[head.id]  # planned again at delivery: the same digest


def test_activity_clears_the_steps_and_restarts_the_clock(org, on_day):
    work, staff, head = overdue_task(org), org.users["clerk-staff"], org.users["clerk-head"]
    sweep(org, on_day, WED_11)
    assert work.escalated_head_at is not None
    on_day(THU_12)
    tasks.comment(work, staff, "กำลังรวบรวมเอกสาร", source=Source.WEB)
    db.session.commit()
    assert (work.escalated_head_at, work.escalated_executive_at, work.nudged_at) == (None, None, None)
    assert clock.local_date(work.last_activity_at) == THU_12
    sweep(org, on_day, FRI_13)  # 1 working day since the note
    assert work.escalated_head_at is None and len(events(AuditAction.TASK_ESCALATE, work)) == 1
    assert ESCALATION_HEADING not in texts_of(FRI_13).get(head.id, "")
    sweep(org, on_day, MON_16)  # 2 (and a Monday: the head's weekly summary, without the escalation)
    assert work.escalated_head_at is None and ESCALATION_HEADING not in texts_of(MON_16).get(head.id, "")
    sweep(org, on_day, TUE_17)  # 3 working days after the note
    assert clock.local_date(work.escalated_head_at) == TUE_17
    assert [e.after for e in events(AuditAction.TASK_ESCALATE, work)] == [
        {"step": 1, "idle_working_days": 3}, {"step": 1, "idle_working_days": 3}]
    assert work.id in linked_tasks(section(texts_of(TUE_17)[head.id], ESCALATION_HEADING))


def test_a_task_overdue_past_both_steps_reaches_the_executives_weekly_summary(org, on_day):
    work = overdue_task(org)
    sweep(org, on_day, date(2026, 3, 20))  # 10 working days late (Friday): first seen past both steps
    assert clock.local_date(work.escalated_head_at) == clock.local_date(work.escalated_executive_at) == date(2026, 3,
                                                                                                            20)
    assert [e.after["step"] for e in events(AuditAction.TASK_ESCALATE, work)] == [1, 2]
    sweep(org, on_day, date(2026, 3, 23))  # the next weekly digest day
    mayor = texts_of(date(2026, 3, 23))[org.users["mayor"].id]
    assert work.id in linked_tasks(section(mayor, f"{ESCALATION_HEADING}จนถึงผู้บริหาร"))
    assert len(events(AuditAction.TASK_ESCALATE, work)) == 2
    sweep(org, on_day, date(2026, 3, 30))  # the weekly digest day after: not again
    assert f"{ESCALATION_HEADING}จนถึงผู้บริหาร" not in texts_of(date(2026, 3, 30))[org.users["mayor"].id]


# --- the idle nudge -----------------------------------------------------------------------------------------------


def test_a_task_in_progress_untouched_for_ten_working_days_is_nudged_once(org, on_day):
    work, staff = idle_task(org), org.users["clerk-staff"]
    sweep(org, on_day, MON_16)  # 9 working days
    assert work.nudged_at is None and staff.id not in texts_of(MON_16)
    sweep(org, on_day, TUE_17)
    assert clock.local_date(work.nudged_at) == TUE_17
    (event,) = events(AuditAction.TASK_NUDGE)
    assert (event.object_id, event.source, event.actor_id) == (work.id, Source.SYSTEM, None)
    text = texts_of(TUE_17)[staff.id]
    assert f"{IDLE} 10 วันทำการ" in text and work.id in linked_tasks(text)
    sweep(org, on_day, TUE_17)
    assert len(events(AuditAction.TASK_NUDGE)) == 1
    sweep(org, on_day, WED_18)
    assert len(events(AuditAction.TASK_NUDGE)) == 1 and rows_of(WED_18) == []
    assert clock.local_date(work.nudged_at) == TUE_17


def test_a_nudge_swept_ahead_of_its_day_is_still_in_the_digest_sent_on_that_day(org, on_day):
    # `tracker reminders --on 2026-03-17` run the day before: the nudge is recorded at the day's local midnight
    # (outbox.record_steps), so that the plan made again at delivery still has it "reached that day".
    work, staff = idle_task(org), org.users["clerk-staff"]
    on_day(MON_16)
    outbox.sweep(org.org, TUE_17)
    db.session.commit()
    db.session.expire_all()
    assert work.nudged_at == clock.start_of(TUE_17)
    assert [row.recipient_id for row in rows_of(TUE_17)] == [staff.id]
    on_day(TUE_17)
    assert f"{IDLE} 10 วันทำการ" in texts_of(TUE_17).get(staff.id, "")


def test_a_nudge_swept_early_in_the_morning_is_still_in_the_digest_sent_that_day(org, on_day, monkeypatch):
    # A sweep before 07:00 in Bangkok (REMINDER_TIME 06:30) records the nudge on the same local day, the day before
    # in UTC: the plan made again at delivery must still have it.
    work, staff = idle_task(org), org.users["clerk-staff"]
    on_day(TUE_17)
    early = datetime.combine(TUE_17, time(6, 30), tzinfo=clock.local_zone())
    monkeypatch.setattr(clock, "now", lambda: early)
    outbox.sweep(org.org, TUE_17)
    db.session.commit()
    db.session.expire_all()
    assert clock.local_date(work.nudged_at) == TUE_17
    assert f"{IDLE} 10 วันทำการ" in texts_of(TUE_17).get(staff.id, "")


# --- a paused assignee --------------------------------------------------------------------------------------------


def test_a_paused_assignee_gets_nothing_and_their_head_covers(org, on_day):
    work, staff, head = overdue_task(org), org.users["clerk-staff"], org.users["clerk-head"]
    staff.paused_until = date(2026, 3, 20)
    db.session.commit()
    sweep(org, on_day, WED_11)  # 3 working days late: an overdue reminder
    assert staff.id not in [row.recipient_id for row in rows_of(WED_11)]
    covering = section(texts_of(WED_11)[head.id], COVERING_HEADING)
    assert f"{staff.display_name} ({PAUSED_UNTIL} 20 มี.ค. 2569)" in covering
    assert linked_tasks(covering) == {work.id}


# --- a quiet day ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quiet, heard_on", [(None, FRI_13), ([4], THU_12)])
def test_a_lead_time_on_a_quiet_friday_comes_on_the_thursday_before(org, on_day, quiet, heard_on):
    """A task due Monday 16 March: its 3-day lead time is Friday 13 March. Someone who keeps Fridays quiet hears of it
    on Thursday instead, and nothing on the Friday."""
    staff = org.users["clerk-staff"]
    work = org.tasks_of(org.clerk)[0]
    work.due_date, work.assignee, work.status = MON_16, staff, TaskStatus.TODO
    set_quiet_days(staff, staff, quiet or [], source=Source.WEB)
    db.session.commit()
    for day in (THU_12, FRI_13):
        sweep(org, on_day, day)
        rows = [row for row in rows_of(day) if row.recipient_id == staff.id]
        assert len(rows) == (1 if day == heard_on else 0), day
        if rows:
            assert work.id in linked_tasks(texts_of(day)[staff.id])


# --- the organization's settings ----------------------------------------------------------------------------------


def test_nothing_is_recorded_when_the_organization_turns_the_ladder_and_the_nudge_off(org, on_day):
    overdue, idle = overdue_task(org), idle_task(org)
    long_overdue = org.tasks_of(org.clerk)[2]
    long_overdue.due_date = date(2025, 12, 31)
    db.session.commit()
    on_day(TUE_17)
    planned = outbox.plan_for(org.org, TUE_17)  # with the defaults: all three would be recorded
    assert {e.task.id for e in planned.escalations} == {overdue.id, long_overdue.id}
    assert [t.id for t in planned.nudged] == [idle.id]
    org.org.escalate_head_after = org.org.escalate_executive_after = org.org.idle_nudge_after = 0
    db.session.commit()
    result = sweep(org, on_day, TUE_17)
    assert result.plan.escalations == () and result.plan.nudged == ()
    assert db.session.scalar(select(func.count()).select_from(Task).where(
        (Task.escalated_head_at.is_not(None)) | (Task.escalated_executive_at.is_not(None))
        | (Task.nudged_at.is_not(None)))) == 0
    assert events(AuditAction.TASK_ESCALATE) == [] and events(AuditAction.TASK_NUDGE) == []
    texts = texts_of(TUE_17)
    assert not any(ESCALATION_HEADING in text or IDLE in text for text in texts.values())
