"""What the daily sweep reads: only the tasks that can give a message that day, for every organization at once, in
a number of statements that does not grow with the organizations that have nothing that day.

    1. what decides which due dates matter: each organization's policy, the days off from the earliest open task on,
       the earliest due date of an open task (an index of open tasks by due date answers it);
    2. the candidates: open tasks due in the day's ranges (policy.reminder_due_dates: the lead times' and the
       overdue cadence's). One statement for the organizations of the usual policy and calendar; one for all the
       others, by their ranges' union, restricted to them; and the few open tasks with lead times of their own, due
       from the day on (an index of those answers it);
    3. the organizations with a candidate, and on the week's first working day every organization with a plan, in
       batches of BATCH: the candidates' details, people, LINE groups, and for the weekly summaries each division's
       counts and each measure's (the database counts, grouped) and the open tasks the digests list, never every
       task.

The policy then decides exactly, per organization, who gets what (plan_day): the ranges only choose what to read, so
reading a few tasks too many changes nothing. Every statement names the organizations it reads (or reads all of
them) through `access.scoped_to`: this is the one reader of many agencies at once; each organization's rows go to
that organization's plan only.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from ..access import reminder_audience, scoped_to
from ..clock import local_date
from ..extensions import db
from ..measures import counted_percent, with_task_counts
from ..models import DayOff, Division, FiscalYear, Measure, Organization, Plan, Task, TaskStatus, User
from ..plans.current import PlanYear, choose
from ..progress import CARRIED, DONE, Record, done_sql, overdue_sql
from ..workdays import WorkCalendar
from .inputs import Inputs, day_of, policy_of
from .policy import (
    SUMMARY_LISTED,
    DateRange,
    DivisionCount,
    Group,
    MeasureLine,
    Person,
    Policy,
    TaskInfo,
    Week,
    cannot_do_window,
    is_weekly_digest_day,
    merge_ranges,
    reminder_due_dates,
)

BATCH = 500  # organizations read and planned at a time: what bounds the sweep's memory
CHUNK = 5000  # ids in one IN list (far below SQLite's and PostgreSQL's limits on parameters)

# Open tasks (TaskStatus.is_open: neither done nor carried over to the next year), written as the partial index of
# migration 0010 says it, so that SQLite and PostgreSQL use it (a bound parameter in its place would not match the
# index's own condition).
OPEN: ColumnElement[bool] = text("task.status IN ('todo', 'doing')")  # type: ignore[assignment]
# A task someone said they cannot do, waiting for the head (the partial index of migration 0015, written as it is).
BLOCKED: ColumnElement[bool] = text("task.blocked_reason IS NOT NULL")  # type: ignore[assignment]
# A task follows the organization's lead times when its own are NULL, or JSON null (what setting None writes).
OWN_LEAD_TIMES: ColumnElement[bool] = text("CAST(task.reminder_days AS TEXT) <> 'null'")  # type: ignore[assignment]
# Open tasks that have not reached the escalation ladder's last step; tasks that reached it; tasks in progress (the
# partial indexes of migration 0016, written as they are).
CLIMBING: ColumnElement[bool] = text(  # type: ignore[assignment]
    "task.status IN ('todo', 'doing') AND task.escalated_executive_at IS NULL")
AT_THE_TOP: ColumnElement[bool] = text("task.escalated_executive_at IS NOT NULL")  # type: ignore[assignment]
DOING: ColumnElement[bool] = text("task.status = 'doing'")  # type: ignore[assignment]
QUIET: ColumnElement[bool] = text('"user".quiet_days IS NOT NULL')  # type: ignore[assignment]


@dataclass(frozen=True)
class _Setting:
    """What decides an organization's ranges on a day: its policy and its days off in the window that matters."""

    policy: Policy
    days_off: frozenset[date]
    quiet: frozenset[frozenset[int]] = frozenset()  # its people's quiet days: their lead times move earlier


@dataclass
class _Day:
    """The day's decisions for every organization read, before any task is."""

    day: date
    policies: dict[int, Policy]
    days_off: dict[int, dict[date, str]]  # from `window` on
    earliest: date | None  # the earliest due date of an open task
    quiet: dict[int, frozenset[frozenset[int]]] = field(default_factory=dict)  # the quiet days of its people
    calendars: dict[frozenset, WorkCalendar] = field(default_factory=dict)  # one per distinct set of days off

    def calendar(self, organization_id: int) -> WorkCalendar:
        own = self.days_off.get(organization_id, {})
        key = frozenset(own)
        calendar = self.calendars.get(key)
        if calendar is None:  # shared: organizations without days off of their own count each year once together
            calendar = self.calendars[key] = WorkCalendar(own)
        return calendar

    def setting(self, organization_id: int) -> _Setting:
        return _Setting(self.policies[organization_id], frozenset(self.days_off.get(organization_id, ())),
                        self.quiet.get(organization_id, frozenset()))

    def ranges(self, setting: _Setting, organization_id: int) -> list[DateRange]:
        """The due dates whose open tasks can be reminded that day under a setting: by the organization's calendar,
        and by each of its people's with quiet days (a lead time moved back to today from a quiet day after it)."""
        calendar = self.calendar(organization_id)
        calendars = [calendar, *(calendar.with_weekdays_off(q) for q in setting.quiet)]
        return merge_ranges(r for c in calendars for r in reminder_due_dates(self.day, setting.policy, c,
                                                                             self.earliest))


def day_inputs(day: date, organization_ids: Iterable[int] | None = None,
               batch: int = BATCH) -> Iterator[list[tuple[int, Inputs]]]:
    """Yield, batch by batch, the policy's inputs of each organization that can have a message on `day` (all of
    them, or those of `organization_ids`): its candidate tasks, people, calendar, policy, LINE groups, and on its
    week's first working day its weekly figures. Organizations with nothing that day are not yielded."""
    only = sorted(set(organization_ids)) if organization_ids is not None else None
    decided = _decide(day, only)
    if decided is None:
        return
    weekly_plans = _weekly_plans(decided, only)
    candidates = _candidates(decided, only, sorted(weekly_plans))
    chosen = sorted(candidates.keys() | weekly_plans.keys())
    for start in range(0, len(chosen), batch):
        organizations = chosen[start:start + batch]
        yield list(_read_batch(decided, organizations, candidates, weekly_plans))


# --- 1. what decides the ranges ----------------------------------------------------------------------------------


def _decide(day: date, only: list[int] | None) -> _Day | None:
    if not WorkCalendar().is_working_day(day):
        return None  # closed for every organization (days off only ever close more days): nothing at all is sent
    policies = {
        id_: policy_of(reminder_days, overdue_every, head_after, executive_after, idle_after)
        for id_, reminder_days, overdue_every, head_after, executive_after, idle_after in db.session.execute(
            scoped_to(select(Organization.id, Organization.reminder_days, Organization.overdue_every,
                             Organization.escalate_head_after, Organization.escalate_executive_after,
                             Organization.idle_nudge_after), Organization, only))
    }
    earliest = db.session.scalar(scoped_to(select(func.min(Task.due_date)).where(OPEN), Task, only))
    # Days off matter from the earliest open task on (the working days it is late), and over this week (whether the
    # day is its first working day); any earlier one changes no count the policy makes today.
    window = min(earliest or day, day - timedelta(days=7))
    days_off: dict[int, dict[date, str]] = defaultdict(dict)
    for organization_id, off, name in db.session.execute(
            scoped_to(select(DayOff.organization_id, DayOff.day, DayOff.name).where(DayOff.day >= window), DayOff,
                      only)):
        days_off[organization_id][off] = name
    # The few people with quiet days (a partial index), by organization.
    quiet: dict[int, set[frozenset[int]]] = defaultdict(set)
    for organization_id, weekdays in db.session.execute(
            scoped_to(select(User.organization_id, User.quiet_days), User, only).where(QUIET, User.active)):
        if weekdays:
            quiet[organization_id].add(frozenset(weekdays))
    return _Day(day, policies, dict(days_off), earliest, quiet={o: frozenset(q) for o, q in quiet.items()})


# --- 2. the candidates -------------------------------------------------------------------------------------------


def _candidates(decided: _Day, only: list[int] | None, weekly: list[int]) -> dict[int, set[int]]:
    """Return the candidate task ids of each organization that has any."""
    by_setting: dict[_Setting, list[int]] = defaultdict(list)
    for organization_id in decided.policies:
        by_setting[decided.setting(organization_id)].append(organization_id)
    ranges: dict[_Setting, list[DateRange]] = {
        setting: decided.ranges(setting, ids[0]) for setting, ids in by_setting.items()
    }
    found: dict[int, set[int]] = defaultdict(set)
    if by_setting:
        # The usual setting (most organizations share it): read across every organization, keep its own.
        usual = max(by_setting, key=lambda s: len(by_setting[s]))
        usual_ids = set(by_setting[usual])
        for task_id, organization_id in _open_due_in(ranges[usual], only):
            if organization_id in usual_ids:
                found[organization_id].add(task_id)
        # Every other one: the union of their ranges, read for them only (a task read too many changes nothing).
        others = sorted(id_ for s, ids in by_setting.items() if s != usual for id_ in ids)
        union = merge_ranges(r for s in by_setting if s != usual for r in ranges[s])
        for part in chunks(others):
            for task_id, organization_id in _open_due_in(union, part):
                found[organization_id].add(task_id)
    # Tasks someone said they cannot do since the last working day (policy.cannot_do_window): their heads hear of them.
    # Read from a week before the Thai calendar's window: an organization's own days off only move its window
    # earlier, and a task read too many changes nothing (the policy decides each exactly).
    since = datetime.combine(cannot_do_window(decided.day, WorkCalendar()), time(0), tzinfo=UTC) - timedelta(days=7)
    query = scoped_to(select(Task.id, Task.organization_id), Task, only).where(BLOCKED, OPEN,
                                                                            Task.blocked_at >= since)
    for task_id, organization_id in db.session.execute(query):
        found[organization_id].add(task_id)
    _climbing(decided, only, weekly, found)
    # Tasks with lead times of their own, due from today on (their overdue reminders are in the ranges above).
    query = scoped_to(select(Task.id, Task.organization_id), Task, only).where(OWN_LEAD_TIMES, OPEN,
                                                                            Task.due_date >= decided.day)
    for task_id, organization_id in db.session.execute(query):
        found[organization_id].add(task_id)
    return found


def _climbing(decided: _Day, only: list[int] | None, weekly: list[int], found: dict[int, set[int]]) -> None:
    """Add the escalation ladder's and the idle nudge's candidates: bounds in calendar days, which are never fewer
    than working days (the policy decides each task exactly; a task read too many changes nothing). Activity is
    compared a day early, as UTC is to the local day."""
    day = decided.day

    def before(days: int) -> datetime:  # a moment before which activity is at least `days` local days old, or more
        return datetime.combine(day - timedelta(days=days - 1), time(0), tzinfo=UTC)

    steps = [n for p in decided.policies.values() for n in (p.escalate_head_after, p.escalate_executive_after) if n > 0]
    if steps:
        # Overdue by the lowest step, not at the top yet, with no activity since: climbing (or told today).
        least = min(steps)
        query = scoped_to(select(Task.id, Task.organization_id), Task, only).where(
            CLIMBING, Task.due_date <= day - timedelta(days=least),
            or_(Task.last_activity_at.is_(None), Task.last_activity_at < before(least)))
        for task_id, organization_id in db.session.execute(query):
            found[organization_id].add(task_id)
        # At the top since the weekly summary before (a week of days off at most between two): the executives',
        # for the organizations whose weekly day this is (`weekly`); on any day, those that reached it that day
        # (their heads hear of them, whatever the day).
        for since, organizations in ((datetime.combine(day - timedelta(days=15), time(0), tzinfo=UTC), weekly),
                                     (before(2), only)):
            if organizations == []:
                continue
            query = scoped_to(select(Task.id, Task.organization_id), Task, organizations).where(
                AT_THE_TOP, Task.escalated_executive_at >= since, OPEN)
            for task_id, organization_id in db.session.execute(query):
                found[organization_id].add(task_id)
    idle = [p.idle_nudge_after for p in decided.policies.values() if p.idle_nudge_after > 0]
    if idle:
        # In progress, not overdue, untouched for the fewest days any organization nudges after.
        query = scoped_to(select(Task.id, Task.organization_id), Task, only).where(
            DOING, Task.last_activity_at < before(min(idle)), Task.due_date >= day,
            or_(Task.nudged_at.is_(None), Task.nudged_at >= before(2)))
        for task_id, organization_id in db.session.execute(query):
            found[organization_id].add(task_id)


def _open_due_in(ranges: Sequence[DateRange], only: list[int] | None) -> list[tuple[int, int]]:
    # The ranges as their dates, one IN list a statement: each date is one look-up in the index of open tasks
    # (SQLite turns an OR of ranges into a scan of the whole index; PostgreSQL reads an IN list as = ANY).
    dates = [first + timedelta(days=i) for first, last in ranges for i in range((last - first).days + 1)]
    found = []
    for part in chunks(dates):
        query = scoped_to(select(Task.id, Task.organization_id), Task, only).where(OPEN, Task.due_date.in_(part))
        found += [(id_, org) for id_, org in db.session.execute(query)]
    return found


def chunks(values: Sequence, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield list(values[start:start + size])


# --- the weekly summaries' plans ---------------------------------------------------------------------------------


def _weekly_plans(decided: _Day, only: list[int] | None) -> dict[int, int]:
    """Return the current plan of each organization whose week's first working day this is (and has a plan)."""
    day = decided.day
    monday = day - timedelta(days=day.weekday())
    usual_weekly = is_weekly_digest_day(day, WorkCalendar())
    # Only days off this week move an organization's weekly day: without one, the Thai calendar's day is its day.
    own_week = [id_ for id_, off in decided.days_off.items() if any(monday <= d <= day for d in off)]
    if not usual_weekly and not own_week:
        return {}
    asked = only if usual_weekly else sorted(own_week)  # (days_off were read for `only` already)
    plans: dict[int, list[PlanYear]] = defaultdict(list)
    query = (scoped_to(select(Plan.organization_id, Plan.id, Plan.fiscal_year_id, FiscalYear.year_be), Plan, asked)
             .join(FiscalYear, FiscalYear.id == Plan.fiscal_year_id).order_by(FiscalYear.year_be.desc()))
    for organization_id, *plan in db.session.execute(query):
        plans[organization_id].append(PlanYear(*plan))
    weekly = {}
    for organization_id, years in plans.items():
        if organization_id in decided.policies and is_weekly_digest_day(day, decided.calendar(organization_id)):
            weekly[organization_id] = choose(years, day).plan_id  # type: ignore[union-attr]  # years: not empty
    return weekly


# --- 3. a batch of organizations ---------------------------------------------------------------------------------

_ACKNOWLEDGED_BY, _BLOCKED_BY = aliased(User), aliased(User)
_TASK_COLUMNS = (Task.id, Task.organization_id, Measure.order, Measure.title, Task.step_number, Task.step_text,
                 Task.division_id, Division.name, Task.assignee_id, Task.due_date, Task.status, Task.reminder_days,
                 Measure.plan_id, Task.done_at, Task.measure_id, Measure.progress_override, Measure.progress_reason,
                 Measure.weight, Task.snoozed_until, _ACKNOWLEDGED_BY.display_name, Task.blocked_reason,
                 _BLOCKED_BY.display_name, Task.blocked_at, Task.last_activity_at, Task.escalated_head_at,
                 Task.escalated_executive_at, Task.nudged_at)


def _task_rows():
    return (select(*_TASK_COLUMNS).join(Measure, Measure.id == Task.measure_id)
            .join(Division, Division.id == Task.division_id)
            .outerjoin(_ACKNOWLEDGED_BY, _ACKNOWLEDGED_BY.id == Task.acknowledged_by_id)
            .outerjoin(_BLOCKED_BY, _BLOCKED_BY.id == Task.blocked_by_id))


def _task_info(row) -> tuple[int, TaskInfo]:
    (id_, organization_id, order, title, step_number, step_text, division_id, division_name, assignee_id, due,
     status, reminder_days, plan_id, done_at, measure_id, progress_override, progress_reason, measure_weight,
     snoozed_until,
     acknowledged_by, blocked_reason, blocked_by, blocked_at, last_activity_at, escalated_head_at,
     escalated_executive_at, nudged_at) = row
    record = Record.of(due, status, done_at)  # read as tracker.progress reads every task
    return organization_id, TaskInfo(
        id=id_, measure_order=order, measure_title=title, step_number=step_number, step_text=step_text,
        division_id=division_id, division_name=division_name, assignee_id=assignee_id, due=due,
        done=record.status == DONE,
        reminder_days=tuple(reminder_days) if reminder_days is not None else None,
        plan_id=plan_id, done_on=record.done_on, carried=record.status == CARRIED,
        measure_id=measure_id, progress_override=progress_override, progress_reason=progress_reason,
        measure_weight=measure_weight, snoozed_until=snoozed_until, acknowledged_by=acknowledged_by,
        blocked_reason=blocked_reason,
        blocked_by=blocked_by, blocked_on=local_date(blocked_at) if blocked_at else None,
        doing=status is TaskStatus.DOING, last_activity_on=day_of(last_activity_at),
        escalated_head_on=day_of(escalated_head_at), escalated_executive_on=day_of(escalated_executive_at),
        nudged_on=day_of(nudged_at),
    )


def _read_batch(decided: _Day, organizations: list[int], candidates: dict[int, set[int]],
                weekly_plans: dict[int, int]) -> Iterator[tuple[int, Inputs]]:
    tasks: dict[int, list[TaskInfo]] = defaultdict(list)
    for part in chunks(sorted(id_ for o in organizations for id_ in candidates.get(o, ()))):
        for row in db.session.execute(_task_rows().where(Task.id.in_(part)).order_by(Task.id)):
            organization_id, info = _task_info(row)
            tasks[organization_id].append(info)
    people: dict[int, list[Person]] = defaultdict(list)
    line_ids: dict[int, dict[int, str]] = defaultdict(dict)
    for id_, organization_id, name, role, division_id, active, line_user_id, paused_until, by_line, quiet in (
            db.session.execute(
            scoped_to(select(User.id, User.organization_id, User.display_name, User.role, User.division_id,
                             User.active, User.line_user_id, User.paused_until, User.reminders_by_line,
                             User.quiet_days), User, organizations).order_by(User.id))):
        people[organization_id].append(Person(id_, name, role.value, division_id, active, line_user_id is not None,
                                              reminder_audience(role), paused_until=paused_until, by_line=by_line,
                                              quiet_days=frozenset(quiet or ())))
        if line_user_id:
            line_ids[organization_id][id_] = line_user_id
    groups: dict[int, list[Group]] = defaultdict(list)
    group_ids: dict[int, dict[int, str]] = defaultdict(dict)
    for id_, organization_id, name, line_group_id, members in db.session.execute(
            scoped_to(select(Division.id, Division.organization_id, Division.name, Division.line_group_id,
                             Division.line_group_members), Division, organizations)
            .where(Division.line_group_id.is_not(None))
            .order_by(Division.id)):
        groups[organization_id].append(Group(id_, name, members or 0))
        if line_group_id:  # (every one is: the query says so; the if is for mypy)
            group_ids[organization_id][id_] = line_group_id
    weeks = _weeks(decided.day, {o: weekly_plans[o] for o in organizations if o in weekly_plans})
    for organization_id in organizations:
        yield organization_id, Inputs(
            tasks[organization_id], people[organization_id], decided.calendar(organization_id),
            decided.policies[organization_id], groups=groups[organization_id], line_ids=line_ids[organization_id],
            group_ids=group_ids[organization_id], summary_plan_id=weekly_plans.get(organization_id),
            week=weeks.get(organization_id, Week((), ())),
        )


def _weeks(day: date, plans: dict[int, int]) -> dict[int, Week]:
    """Count the weekly summaries' figures in the database: per division of each organization's current plan, its
    tasks, done and overdue (tracker.progress's states, in its SQL: done_sql, overdue_sql), and read the open tasks
    the digests list: each division's oldest overdue ones and those due from the day to the week's end."""
    if not plans:
        return {}
    organizations, plan_ids = sorted(plans), sorted(set(plans.values()))
    done, overdue = done_sql(Task.status), overdue_sql(Task.status, Task.due_date, day)
    counted = (
        scoped_to(select(Task.organization_id, Task.division_id, Division.name, func.count(),
                         func.sum(case((done, 1), else_=0)),
                         func.sum(case((overdue, 1), else_=0))), Task, organizations)
        .join(Measure, Measure.id == Task.measure_id).join(Division, Division.id == Task.division_id)
        .where(Measure.plan_id.in_(plan_ids))
        .group_by(Task.organization_id, Task.division_id, Division.name)
    )
    counts: dict[int, list[DivisionCount]] = defaultdict(list)
    for organization_id, division_id, name, total, done_count, overdue in db.session.execute(counted):
        counts[organization_id].append(DivisionCount(division_id, name, total, done_count or 0, overdue or 0))
    # Each measure's percent (a head's override, else its tasks done; its weight; a draft's lacks), counted in the
    # database too: every measure of the plan, a draft without tasks as well (it weighs in a weighted plan).
    measures: dict[int, list[MeasureLine]] = defaultdict(list)
    for organization_id, order, title, *counted_measure in db.session.execute(with_task_counts(
            scoped_to(select(Measure.organization_id, Measure.order, Measure.title), Measure, organizations)
            .where(Measure.plan_id.in_(plan_ids))
    ).order_by(Measure.organization_id, Measure.order, Measure.id)):
        measures[organization_id].append(MeasureLine(order, title, counted_percent(*counted_measure)))
    sunday = day + timedelta(days=6 - day.weekday())
    of_plans = (Measure.plan_id.in_(plan_ids), OPEN)
    # Of the overdue tasks, only the SUMMARY_LISTED oldest of each division: the digest counts the others (above).
    # Ranked in the database, in the order the policy lists them (policy._task_order); reading every overdue task
    # of a whole deployment into Python was a fifth of the heaviest day's sweep.
    ranked = (
        scoped_to(select(Task.id, func.row_number().over(
            partition_by=Task.division_id,
            order_by=(Task.due_date, Measure.order, Task.step_number, Task.id)).label("rank")), Task, organizations)
        .join(Measure, Measure.id == Task.measure_id)
        .where(*of_plans, Task.due_date < day)
        .subquery()
    )
    oldest = select(ranked.c.id).where(ranked.c.rank <= SUMMARY_LISTED)
    listed: dict[int, list[TaskInfo]] = defaultdict(list)
    for row in db.session.execute(
            scoped_to(_task_rows(), Task, organizations)
            .where(*of_plans, or_(Task.id.in_(oldest), and_(Task.due_date >= day, Task.due_date <= sunday)))
            .order_by(Task.id)):
        organization_id, info = _task_info(row)
        listed[organization_id].append(info)
    # A plan is one organization's: the plan ids of the batch pick each organization's current plan only.
    return {o: Week(tuple(counts[o]), tuple(listed[o]), tuple(measures[o])) for o in organizations}
