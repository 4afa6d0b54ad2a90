"""The daily sweep of a whole deployment reads only what can give a message that day (tracker/reminders/selection.py),
and plans exactly what reading every task of every organization would have planned.

The agencies are written straight into the tables (tests/agencies.py): hundreds of them, with policies, days off, LINE
groups and lead times of their own, so that the date ranges the sweep reads are checked against the policy itself
across weekends, Thai holidays, an organization's own days off and the turn of the year.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import AuditAction, AuditEvent, DayOff, Notification, Organization, Task, TaskStatus, User
from tracker.reminders import outbox, selection
from tracker.reminders.inputs import load_inputs
from tracker.reminders.policy import escalation_step, nudge_for, reminder_for

from .agencies import add_agencies

# Days that move reminders about: a Monday after a weekend, the Friday before it, the days around Songkran (13-15 April,
# with its substitution days), the year's end and start, a Saturday, the last day of a month (a third of due dates).
DAYS = [date(2025, 12, 29), date(2025, 12, 30), date(2026, 1, 2), date(2026, 1, 5), date(2026, 3, 2), date(2026, 3, 6),
        date(2026, 3, 7), date(2026, 3, 31), date(2026, 4, 10), date(2026, 4, 16), date(2026, 4, 17),
        date(2026, 4, 20), date(2026, 6, 1), date(2026, 6, 29), date(2026, 9, 30)]


def planned_reading_everything(day: date, organization_ids: list[int]) -> dict[int, object]:
    """Each organization's plan of the day from every one of its tasks: what the sweep did before it selected."""
    plans = {}
    for organization_id in organization_ids:
        plan = load_inputs(db.session.get(Organization, organization_id), day).plan(day)
        if plan.digests or plan.group_digests or plan.unreachable:
            plans[organization_id] = plan
    return plans


def planned_by_the_sweep(day: date, organization_ids: list[int] | None = None, batch: int = selection.BATCH):
    plans = {}
    for inputs_of in selection.day_inputs(day, organization_ids, batch):
        for organization_id, inputs in inputs_of:
            plan = inputs.plan(day)
            if plan.digests or plan.group_digests or plan.unreachable:
                plans[organization_id] = plan
    return plans


@pytest.fixture
def agencies(app):
    """20 agencies, many with a policy, a day off, a LINE group or lead times of their own; the earlier tasks done.

    Besides, the cases too rare to be left to chance (80 agencies at random did not have them either): a day off that
    moves an agency's weekly digests to a day of DAYS (off on Monday 29 December, so they go on Tuesday 30 December;
    off on Thursday 16 April, the first working day after Songkran, so they go on Friday 17 April), and a task whose
    own lead time falls in no agency's ranges (10 days: due on Friday 10 April, reminded on 31 March). Twenty were
    enough when they replaced 80: every mistake put into selection.py on purpose that 80 caught, 20 caught too (the
    ranges, the days off read, the other settings' union, the weekly lists, the LINE groups, a batch's last agency),
    and these cases catch the ones 80 missed (the own lead times' query, the weekly day moved by a day off)."""
    ids = add_agencies(20, tasks_each=40, seed=7, done_before=date(2026, 2, 1), own_policy_share=0.3,
                       own_day_off_share=0.4, own_lead_share=0.1, group_share=0.3)
    db.session.add_all([DayOff(organization_id=ids[0], day=date(2025, 12, 29), name="วันหยุดของหน่วยงาน"),
                        DayOff(organization_id=ids[1], day=date(2026, 4, 16), name="วันหยุดของหน่วยงาน")])
    task = db.session.scalar(sa.select(Task).where(Task.organization_id == ids[2], Task.status != TaskStatus.DONE)
                             .order_by(Task.id).limit(1))
    task.due_date, task.reminder_days = date(2026, 4, 10), [10]
    # People with quiet days (their lead times move to the day before: ranges of their own calendars), and tasks in
    # progress untouched since the autumn, or touched in the days before (the idle nudge's candidates).
    for organization_id, weekdays in ((ids[3], [4]), (ids[4], [0]), (ids[5], [1, 3])):
        for user in db.session.scalars(sa.select(User).where(User.organization_id == organization_id)):
            user.quiet_days = weekdays
    # Due when a lead time falls on ids[3]'s quiet Friday 17 April: reminded on Thursday 16 April (a day of DAYS).
    open_tasks = db.session.scalars(sa.select(Task).where(Task.organization_id == ids[3],
                                                          Task.status != TaskStatus.DONE).order_by(Task.id)).all()
    dues = (date(2026, 5, 1), date(2026, 4, 24), date(2026, 4, 20), date(2026, 4, 17))
    for task, due in zip(open_tasks[:len(dues)], dues, strict=True):
        task.due_date = due
    # In progress, due in September, last touched from November on: nudged on the days of DAYS 10 working days after.
    doing = db.session.scalars(sa.select(Task).where(Task.organization_id.in_(ids[6:10]),
                                                     Task.status != TaskStatus.DONE).order_by(Task.id)).all()
    for number, task in enumerate(doing[::3]):
        task.status, task.due_date = TaskStatus.DOING, date(2026, 9, 30)
        task.last_activity_at = datetime(2025, 11, 3, 3, 0, tzinfo=UTC) + timedelta(days=7 * (number % 30))
    db.session.commit()
    return ids


@pytest.mark.slow  # reads every task of 20 agencies one by one, on each of 15 days, to compare
def test_the_sweep_plans_what_reading_every_task_plans(agencies):
    sending = []
    for day in DAYS:
        expected = planned_reading_everything(day, agencies)
        # Small batches too: an organization's inputs never depend on which others share its batch.
        for batch in (selection.BATCH, 7):
            assert planned_by_the_sweep(day, batch=batch) == expected, day
        sending.append(bool(expected))
    assert any(sending)  # the days above do send messages


def test_an_organization_asked_for_alone_gets_the_same_plan(agencies):
    day = date(2026, 3, 31)
    every = planned_by_the_sweep(day)
    for organization_id in agencies[:10]:
        alone = planned_by_the_sweep(day, [organization_id])
        assert alone == ({organization_id: every[organization_id]} if organization_id in every else {})


@pytest.mark.parametrize("ladder", [False, True], ids=["reminders-only", "with-the-escalation-ladder"])
def test_the_sweep_reads_only_the_tasks_that_give_a_reminder(app, ladder):
    # Every agency on the usual policy and the Thai calendar: the tasks read are exactly those with a reminder that
    # day, found here the slow way (every task of every agency, asked one by one). With the escalation ladder on,
    # every task that climbs is read too, and besides them only overdue tasks its bound in calendar days reads (a
    # Friday's task on Monday is 3 days but 1 working day late).
    agencies = add_agencies(50, tasks_each=40, seed=3, done_before=date(2026, 2, 1), own_lead_share=0.0)
    if not ladder:
        db.session.execute(sa.update(Organization).values(escalate_head_after=0, escalate_executive_after=0,
                                                          idle_nudge_after=0))
        db.session.commit()
    for day in (date(2026, 3, 17), date(2026, 3, 31), date(2026, 4, 20)):
        read = {task.id for inputs_of in selection.day_inputs(day) for _, inputs in inputs_of for task in inputs.tasks}
        due, overdue = set(), set()
        for organization_id in agencies:
            inputs = load_inputs(db.session.get(Organization, organization_id), day)
            due |= {t.id for t in inputs.tasks if reminder_for(t, day, inputs.policy, inputs.calendar)
                    or escalation_step(t, day, inputs.policy, inputs.calendar)
                    or nudge_for(t, day, inputs.policy, inputs.calendar)}
            overdue |= {t.id for t in inputs.tasks if not (t.done or t.carried) and (day - t.due).days >= 3}
        if ladder:
            assert due <= read <= due | overdue and due & overdue, day
        else:
            assert read == due and due, day


def test_nothing_is_read_on_a_day_off(agencies):
    assert list(selection.day_inputs(date(2026, 4, 13))) == []  # Songkran
    assert list(selection.day_inputs(date(2026, 3, 8))) == []  # a Sunday


def statements_of(call) -> list[str]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        words = statement.lstrip().split()
        # an INSERT with its table: the outbox's rows, or the trail's events of the escalation ladder
        statements.append(" ".join(words[:3]).upper() if words[0].upper() == "INSERT" else words[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return statements


def sweep_all(day: date) -> int:
    written = 0
    for results in outbox.sweep_batches(day):
        written += sum(r.created for r in results.values())
        db.session.commit()
    return written


def escalations() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == AuditAction.TASK_ESCALATE.value))


def test_the_sweeps_statements_do_not_grow_with_the_agencies_and_a_second_sweep_writes_nothing(app, monkeypatch):
    # Ids go CHUNK to an IN list: with more than CHUNK tasks due, one statement more per CHUNK (that grows with what
    # is due, not with the agencies); here the lists are made long enough to hold every one.
    monkeypatch.setattr(selection, "CHUNK", 20_000)
    day = date(2026, 3, 30)  # a Monday: the weekly summaries are counted too
    add_agencies(20, tasks_each=40, seed=5, own_lead_share=0.1, group_share=0.3)
    few = statements_of(lambda: sweep_all(day))
    escalations_before = escalations()
    db.session.execute(sa.delete(Notification))
    db.session.commit()
    add_agencies(200, tasks_each=40, seed=6, own_lead_share=0.1, group_share=0.3)
    written: list[int] = []
    many = statements_of(lambda: written.append(sweep_all(day)))
    # One batch either way: the same reads; the rows written 1,000 to an INSERT (SQLAlchemy's insertmanyvalues).
    assert written[0] > 1000 and many.count("SELECT") == few.count("SELECT")
    assert many.count("INSERT INTO NOTIFICATION") == -(-written[0] // 1000)
    # The steps the tasks reached: one UPDATE per step and CHUNK tasks, one for the agencies' revisions, and their
    # trail's events in one executemany (SQLite's: one statement; PostgreSQL's: 1,000 rows to a statement).
    events = escalations() - escalations_before
    assert events > 1000 and 1 <= many.count("INSERT INTO AUDIT_EVENT") <= -(-events // 1000)
    assert many.count("UPDATE") == few.count("UPDATE") <= 4
    assert sweep_all(day) == 0  # (address, kind, day) is unique: the same day again adds nothing


def test_the_sweep_works_through_agencies_a_batch_at_a_time(app):
    day = date(2026, 3, 31)
    add_agencies(30, tasks_each=40, seed=9)
    batches = list(outbox.sweep_batches(day, batch=8))
    assert len(batches) > 1 and all(len(b) <= 8 for b in batches)
    db.session.commit()
    written = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    assert written == sum(r.created for b in batches for r in b.values()) > 0


def test_dates_of_the_day_are_merged_ranges(app):
    from tracker.reminders.policy import Policy, reminder_due_dates
    from tracker.workdays import WorkCalendar

    friday = date(2026, 3, 6)
    ranges = reminder_due_dates(friday, Policy((14, 7, 3, 1, 0), 0), WorkCalendar(), None)
    # Friday speaks for the weekend too: each lead time reminds of a Friday-to-Sunday; 0, 1 and 3 days ahead touch,
    # so they are one range (Friday to Wednesday); no overdue cadence, nothing before Friday.
    assert ranges == [(friday, friday + timedelta(days=5)), (friday + timedelta(days=7), friday + timedelta(days=9)),
                      (friday + timedelta(days=14), friday + timedelta(days=16))]


# --- the scheduler's daily job ------------------------------------------------------------------------------------


def test_the_daily_job_sweeps_every_agency_and_delivers_only_where_rows_are_due(app, on_day, monkeypatch):
    from jobs import work
    from tracker.models import NotificationStatus

    day = date(2026, 3, 31)
    on_day(day)
    agencies = add_agencies(12, tasks_each=40, seed=4)
    idle = add_agencies(3, tasks_each=0, seed=8)  # nothing due: never visited
    visited: list[int] = []
    monkeypatch.setattr(work, "channel_for", lambda organization_id: visited.append(organization_id) or _Sent())
    work.send_todays_reminders()
    rows = db.session.execute(sa.select(Notification.organization_id, Notification.status)).all()
    with_rows = {organization_id for organization_id, _ in rows}
    assert with_rows and with_rows <= set(agencies) and not set(visited) & set(idle)
    assert sorted(visited) == sorted(with_rows)  # each agency with messages, through its own channel, once
    assert {status for _, status in rows} == {NotificationStatus.SENT}
    visited.clear()
    work.deliver_pending()  # nothing is due any more: no agency is visited
    assert visited == []


class _Sent:
    """A LINE channel that accepts every push."""

    name = "accepting"

    def send(self, to, messages, retry_key):
        from tracker.line.channel import SENT, SendResult

        return SendResult(SENT, "accepted", "request-1")


def test_the_cycle_collector_is_paused_only_inside_a_batch(app, monkeypatch):
    import gc

    add_agencies(10, tasks_each=40, seed=12)
    seen_by_the_caller = [gc.isenabled() for _ in outbox.sweep_batches(date(2026, 3, 31), batch=4)]
    assert seen_by_the_caller == [True] * len(seen_by_the_caller) and len(seen_by_the_caller) > 1
    assert gc.isenabled()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug while rendering")

    monkeypatch.setattr(outbox, "_rows", broken)
    with pytest.raises(RuntimeError):
        list(outbox.sweep_batches(date(2026, 3, 31)))
    assert gc.isenabled()  # never left off by a failed sweep
