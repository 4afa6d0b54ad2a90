"""Who is reminded of what over LINE on a given day: pure planning, no Flask, no database.

Plain dataclasses in, plain dataclasses out, so the daily sweep, the admin's preview and a whole-year forecast all use
the same rules. Days are counted with `tracker.workdays.WorkCalendar` (weekends, Thai public and government holidays
including substitution days, the organization's own days off); progress in the weekly summaries is counted as the
dashboard counts it (`tracker.progress`), a measure's percent too (a head's override, else its tasks done).

    plan_day()              the day's messages: at most one digest per person and one per division group
    reminder_for()          the rule for one task on one day (lead times, then the overdue cadence)
    escalation_step()       how far up the line an overdue task nobody touches has climbed (its head, the executives)
    nudge_for()             the one nudge of a task in progress that nobody touched for a while
    recipients_for()        who hears of a task (its assignee, else the division's staff, else its head)
    is_weekly_digest_day()  the first working day of a week, when heads and executives get their summaries

Who hears of what besides their own tasks is each person's `Audience`, which `tracker.access.reminder_audience`
gives from their role (who may do what lives there): the policy never reads a role.

A division whose LINE group the bot is in hears of its overdue tasks and its weekly digest there, once for the whole
team, rather than each member privately; LINE counts a push into a group once per member of the group.

The escalation ladder counts working days an overdue task goes without activity (a note, evidence, an answer, a new
due date or assignee: tracker.tasks._touched), from its due date or its last activity, whichever is later: at
`escalate_head_after` its division's head hears of it in their next digest, at `escalate_executive_after` the
executives in their weekly summary. Each step is reached once and recorded on the task (tracker.reminders.outbox);
activity clears the steps and the clock starts again. A step recorded on the day itself is still "reached that day",
so that planning the day again (the deliverer does, at each send) plans the same digests.

A person may pause their reminders to a day (leave, training): meanwhile the reminders of the tasks given to them go
to their division's head, and they hear of nothing. A person who takes no reminders over LINE hears of nothing; the
admin sees them among those not reached. A person's quiet days are weekdays off of their own for their reminders: a
lead time that falls on one moves to their working day before, as for a holiday, the overdue cadence and the idle
nudge count their working days, and nothing reminds them that day. (The weekly summaries, escalations and "cannot
do" of heads and executives are not reminders: they come on the organization's day.)
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from tracker.progress import (
    CARRIED,
    DONE,
    TODO,
    MeasurePercent,
    Record,
    StateKind,
    TaskState,
    combined_percent,
    count_states,
    measure_percent,
    task_state,
)
from tracker.workdays import WorkCalendar

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Audience:
    """What a person hears of besides the tasks given to them (tracker.access.AUDIENCE, by role)."""

    division_tasks: bool = False  # their division's tasks given to nobody, or to someone who left
    division_tasks_fallback: bool = False  # those, when nobody active in the division has `division_tasks`
    division_week: bool = False  # their division's weekly digest (its LINE group gets it instead, if it has one)
    organization_week: bool = False  # the weekly summary of the whole plan


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    role: str  # "admin" | "executive" | "head" | "staff": for the words only (labels); `audience` decides
    division_id: int | None
    active: bool
    line_linked: bool
    audience: Audience
    paused_until: date | None = None  # their reminders paused to this local day included; their tasks go to the head
    by_line: bool = True  # False: they take no reminders over LINE at all
    quiet_days: frozenset[int] = frozenset()  # weekdays (0 = Monday) of no reminders: those move to the day before

    def paused_on(self, day: date) -> bool:
        return paused_on(self.paused_until, day)


def paused_on(paused_until: date | None, day: date) -> bool:
    """Tell whether reminders paused to `paused_until` (its last day, included) are paused on `day`."""
    return paused_until is not None and day <= paused_until


@dataclass(frozen=True)
class TaskInfo:
    id: int
    measure_order: int
    measure_title: str
    step_number: int
    step_text: str
    division_id: int
    division_name: str
    assignee_id: int | None
    due: date
    done: bool
    reminder_days: tuple[int, ...] | None = None  # per-task override of the lead times; () means none
    plan_id: int | None = None  # the weekly summaries count the current plan's tasks only
    done_on: date | None = None  # the local day it was done, when it is
    carried: bool = False  # carried over to the next year's plan: no reminder, counted as tracker.progress does
    # Its measure, for the measures' percents of the weekly summary: the measure's id, a head's override of its
    # percent with the reason, and the plan's weight of it (tracker.progress.combined_percent).
    measure_id: int | None = None
    progress_override: int | None = None
    progress_reason: str | None = None
    measure_weight: float | None = None
    # What the people doing it answered (tracker.tasks): no reminder before `snoozed_until`; who said they are on it;
    # why it cannot be done, who said so and on which local day (the head hears of it the next working day).
    snoozed_until: date | None = None
    acknowledged_by: str | None = None
    blocked_reason: str | None = None
    blocked_by: str | None = None
    blocked_on: date | None = None
    # In progress (status doing): the idle nudge is for those. The local day anything was last done on it; the days
    # it reached each step of the escalation ladder and was nudged (None: not since its last activity).
    doing: bool = False
    last_activity_on: date | None = None
    escalated_head_on: date | None = None
    escalated_executive_on: date | None = None
    nudged_on: date | None = None

    @property
    def record(self) -> Record:
        """The task as its state is read (tracker.progress.task_state): open ones are all "todo" here."""
        return Record(self.due, CARRIED if self.carried else DONE if self.done else TODO, self.done_on)


@dataclass(frozen=True)
class Policy:
    reminder_days: tuple[int, ...] = (14, 7, 3, 1, 0)  # calendar days before the due date; 0 = on the due date
    overdue_every: int = 3  # then every N working days while overdue; <= 0 turns overdue reminders off
    # The escalation ladder and the idle nudge, in working days without activity (<= 0 turns a step off).
    escalate_head_after: int = 3
    escalate_executive_after: int = 10
    idle_nudge_after: int = 10


@dataclass(frozen=True)
class Reminder:
    task: TaskInfo
    kind: str  # "before" | "due" | "overdue" | "idle" (the nudge of a task in progress nobody touched)
    days_left: int  # calendar days from the sending day to the due date (kind before/due/idle); 0 for overdue
    working_days_overdue: int  # > 0 only for kind overdue
    state: TaskState  # where the task stands on the sending day, as every surface words it (labels.state_text)
    idle_working_days: int = 0  # kind idle: working days since anything was done on it


@dataclass(frozen=True)
class Escalation:
    """An overdue task nobody touched, at a step of the escalation ladder on a day."""

    task: TaskInfo
    step: int  # 1: its division's head hears of it; 2: the executives too
    idle_working_days: int  # since its due date or its last activity, whichever is later
    state: TaskState  # overdue N working days, as every surface words it
    head_told: bool = True  # its head hears of it (not when the organization turned the head's step off)


@dataclass(frozen=True)
class Covered:
    """A reminder of a task whose person paused their reminders: their division's head gets it meanwhile."""

    reminder: Reminder
    person_name: str
    paused_until: date


@dataclass(frozen=True)
class DivisionSummary:
    """The head's weekly digest of their division."""

    division_id: int
    division_name: str
    open: int
    done: int
    overdue: tuple[TaskInfo, ...]  # the first SUMMARY_LISTED overdue tasks, oldest due date first
    due_this_week: tuple[TaskInfo, ...]  # by due date
    overdue_count: int = 0  # every overdue task of the division (the digest names the first few)


@dataclass(frozen=True)
class MeasureLine:
    """A measure of the plan the weekly summaries count, with its percent as every surface shows it."""

    order: int
    title: str
    percent: MeasurePercent


@dataclass(frozen=True)
class OrganizationSummary:
    """The executive's weekly summary."""

    total: int
    done: int
    overdue: int
    per_division: tuple[tuple[str, int, int, int], ...]  # (name, total, done, overdue), by name
    measures: tuple[MeasureLine, ...] = ()  # by order
    # Tasks that climbed to the executives since the last weekly summary, the longest idle first.
    escalated: tuple[Escalation, ...] = ()

    @property
    def percent(self) -> MeasurePercent:
        """The plan's overall percent, its measures' combined as the dashboard and the results report combine them."""
        return combined_percent(m.percent for m in self.measures)


@dataclass(frozen=True)
class Digest:
    """Everything one person gets on one day, sent as ONE LINE message: LINE counts (and bills) every push."""

    person: Person
    day: date
    reminders: tuple[Reminder, ...]  # overdue first (most overdue first), then due, then by due date
    division: DivisionSummary | None = None
    organization: OrganizationSummary | None = None
    # A head's: their division's tasks someone said they cannot do since the last working day, waiting for an answer.
    cannot_do: tuple[TaskInfo, ...] = ()
    # A head's: their division's overdue tasks that reached the escalation ladder that day, the longest idle first;
    # and the reminders of their people who paused theirs.
    escalated: tuple[Escalation, ...] = ()
    covering: tuple[Covered, ...] = ()

    @property
    def kind(self) -> str:
        """What the message is for, in the quota forecast: the first of reminders, escalations, nudges, digests
        (weekly summaries, a "cannot do") it carries."""
        if self.covering or any(r.kind != "idle" for r in self.reminders):
            return REMINDERS
        if self.escalated:  # (the executives' ride in their weekly summary, which goes anyway: a digest)
            return ESCALATIONS
        if self.reminders:
            return NUDGES
        return DIGESTS


@dataclass(frozen=True)
class Group:
    """A division's LINE group that the bot is in."""

    division_id: int
    division_name: str
    members: int  # member count as LINE reports it: a push into the group costs one message per member


@dataclass(frozen=True)
class GroupDigest:
    """What a division's group gets on one day, as ONE push (which LINE counts once per member of the group)."""

    group: Group
    day: date
    reminders: tuple[Reminder, ...]  # the division's overdue reminders (kind "overdue" only), most overdue first
    division: DivisionSummary | None = None  # the weekly digest, on the week's first working day


@dataclass(frozen=True)
class Unreachable:
    """Someone who would have been messaged but cannot be: listed for the admin instead."""

    person: Person
    reason: str  # "inactive" | "not_linked" | "no_line" (they take no reminders over LINE)
    kind: str | None = None  # not_linked: what their message would have been for (Digest.kind), in the forecast


@dataclass(frozen=True)
class DayPlan:
    day: date
    digests: tuple[Digest, ...]  # by person name
    unreachable: tuple[Unreachable, ...]  # by person name
    group_digests: tuple[GroupDigest, ...] = ()  # by division name
    # What the day's sweep records on the tasks (whether or not anyone could be told): each task's step of the
    # escalation ladder, and the tasks nudged.
    escalations: tuple[Escalation, ...] = ()
    nudged: tuple[TaskInfo, ...] = ()

    @property
    def message_count(self) -> int:
        """LINE's count of this day's messages: one per private digest, one per member of each group pushed to."""
        return len(self.digests) + sum(g.group.members for g in self.group_digests)

    def messages_by_kind(self, *, if_all_linked: bool = False) -> dict[str, int]:
        """The day's messages by what they are for (Digest.kind), as LINE counts them: adds up to message_count
        (with `if_all_linked`, to it and the people not linked to LINE yet)."""
        counted = dict.fromkeys(KINDS, 0)
        for digest in self.digests:
            counted[digest.kind] += 1
        for missed in self.unreachable:
            if if_all_linked and missed.kind is not None:
                counted[missed.kind] += 1
        for group in self.group_digests:
            counted[REMINDERS if group.reminders else DIGESTS] += group.group.members
        return counted


# What a message is for, in the quota forecast (Digest.kind), in the order a message that carries several is counted.
REMINDERS, ESCALATIONS, NUDGES, DIGESTS = "reminders", "escalations", "nudges", "digests"
KINDS = (REMINDERS, ESCALATIONS, NUDGES, DIGESTS)


# --- Reminders ----------------------------------------------------------------------------------------------------


def reminder_for(task: TaskInfo, day: date, policy: Policy, calendar: WorkCalendar) -> Reminder | None:
    """Return the reminder of this task to send on this day, or None."""
    if task.done or task.carried:
        return None
    if task.snoozed_until is not None and day < task.snoozed_until:
        return None  # put off by the person doing it (tracker.tasks.snooze): the due date itself has not moved
    # Nothing is ever sent on a day off: a lead time that lands there moves to the working day before, and an
    # overdue count does not move over a weekend, so without this a Friday reminder would repeat on Sat and Sun.
    if not calendar.is_working_day(day):
        return None
    if day > task.due:
        every = policy.overdue_every
        if every <= 0:
            return None
        late = calendar.working_days_between(task.due, day)  # due Saturday: Monday is 1 working day late
        if late >= 1 and late % every == 0:
            return Reminder(task, "overdue", 0, late, task_state(task, day, calendar))
        return None
    lead_times = task.reminder_days if task.reminder_days is not None else policy.reminder_days
    # Several lead times may move to the same working day (e.g. 3 and 1 both before Songkran): one reminder, the
    # nearest. Negative lead times would be after the due date, which the overdue cadence covers: ignored.
    for lead in sorted(n for n in set(lead_times) if n >= 0):
        if calendar.previous_working_day(task.due - timedelta(days=lead)) == day:
            kind = "due" if lead == 0 else "before"
            # due on a Saturday: the "due" reminder goes on Friday with days_left 1; its state says "due today"
            # (Friday is the last working day before it), as the web does
            return Reminder(task, kind, (task.due - day).days, 0, task_state(task, day, calendar))
    return None


def escalation_step(task: TaskInfo, day: date, policy: Policy, calendar: WorkCalendar) -> Escalation | None:
    """Return how far up the line an overdue task has climbed on a day, or None: working days without activity,
    counted from its due date or its last activity, whichever is later, against the organization's two steps."""
    if task.done or task.carried or day <= task.due:
        return None
    since = task.due if task.last_activity_on is None else max(task.due, task.last_activity_on)
    idle = calendar.working_days_between(since, day)
    step = 0
    if 0 < policy.escalate_head_after <= idle:
        step = 1
    if 0 < policy.escalate_executive_after <= idle:
        step = 2
    return Escalation(task, step, idle, task_state(task, day, calendar)) if step else None


def _reached_on(escalation: Escalation, step: int, day: date) -> bool:
    """Tell whether the task reaches this step on this day: not recorded yet, or recorded that very day."""
    task = escalation.task
    recorded = task.escalated_head_on if step == 1 else task.escalated_executive_on
    return escalation.step >= step and (recorded is None or recorded == day)


def nudge_for(task: TaskInfo, day: date, policy: Policy, calendar: WorkCalendar) -> Reminder | None:
    """Return the nudge of a task in progress nobody touched for `idle_nudge_after` working days, or None. Once
    since its last activity (a nudge recorded that day is that day's); an overdue task has its overdue reminders and
    the escalation ladder instead, and a task whose reminders were put off is not nudged before that day."""
    every = policy.idle_nudge_after
    if every <= 0 or not task.doing or task.done or task.carried or task.last_activity_on is None:
        return None
    if day > task.due or (task.nudged_on is not None and task.nudged_on != day):
        return None
    if task.snoozed_until is not None and day < task.snoozed_until:
        return None
    if not calendar.is_working_day(day):
        return None
    idle = calendar.working_days_between(task.last_activity_on, day)
    if idle < every:
        return None
    return Reminder(task, "idle", (task.due - day).days, 0, task_state(task, day, calendar), idle)


DateRange = tuple[date, date]  # due dates from the first to the last, both included


def reminder_due_dates(day: date, policy: Policy, calendar: WorkCalendar, earliest: date | None) -> list[DateRange]:
    """Return the due dates whose open tasks can be reminded on `day` under this policy and calendar, as merged
    ranges in order: what the daily sweep reads instead of every task.

    A lead time L reminds of the tasks due L days after a day that moves back to `day`: due - L from `day` up to
    the day before the next working day. The overdue cadence reminds of the tasks due before `day` whose working
    days late are a multiple of it: for each multiple k, the due dates from the k-th working day before `day` up
    to the day before the (k-1)-th, back to `earliest` (the earliest due date of any open task; None: none open).
    A task's own lead times are not covered here: the sweep reads those few tasks by themselves.
    """
    if not calendar.is_working_day(day):
        return []  # nothing is sent on a day off
    following = calendar.next_working_day(day + ONE_DAY)
    ranges = [(day + timedelta(days=lead), following - ONE_DAY + timedelta(days=lead))
              for lead in set(policy.reminder_days) if lead >= 0]
    every = policy.overdue_every
    if every > 0 and earliest is not None:
        later, late = day, 0  # later: the (late)-th working day before `day` (day itself is the 0th)
        while later > earliest:
            working = calendar.previous_working_day(later - ONE_DAY)
            late += 1
            if late % every == 0:  # due from this working day up to the next one: exactly `late` working days late
                ranges.append((max(working, earliest), later - ONE_DAY))
            later = working
    return merge_ranges(ranges)


def merge_ranges(ranges: Iterable[DateRange]) -> list[DateRange]:
    """Return the same dates as ranges in order, overlapping and touching ones merged."""
    merged: list[DateRange] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + ONE_DAY:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


# --- Recipients ---------------------------------------------------------------------------------------------------


class _People:
    """The people of one plan_day call, indexed once."""

    def __init__(self, people: Sequence[Person], day: date | None, calendar: WorkCalendar | None = None):
        self.day = day  # None: pauses are not looked at (who hears of a task at all)
        self.calendar = calendar  # the organization's, which each person's quiet days add to
        self._calendars: dict[frozenset[int], WorkCalendar] = {}
        self.any_quiet = False
        self.by_id: dict[int, Person] = {}
        self.sharing: dict[int, list[Person]] = defaultdict(list)  # active, division_tasks, by division
        self.fallback: dict[int, list[Person]] = defaultdict(list)  # active, division_tasks_fallback, by division
        for person in people:
            if person.id in self.by_id:
                continue  # the same person twice would be messaged twice
            self.by_id[person.id] = person
            self.any_quiet = self.any_quiet or bool(person.quiet_days)
            if person.active and person.division_id is not None and not self.paused(person):
                if person.audience.division_tasks:
                    self.sharing[person.division_id].append(person)
                elif person.audience.division_tasks_fallback:
                    self.fallback[person.division_id].append(person)

    def recipients(self, task: TaskInfo) -> list[Person]:
        assignee = self.by_id.get(task.assignee_id) if task.assignee_id is not None else None
        if assignee is not None and assignee.active:
            return [] if self.paused(assignee) else [assignee]  # paused: their head covers (covering_heads)
        # Unassigned, assigned to someone who left, or to an id nobody has any more: the division's staff share it;
        # a division without (active) staff hears through its head, so that the reminder still reaches someone.
        return list(self.sharing.get(task.division_id) or self.fallback.get(task.division_id) or ())

    def calendar_of(self, person: Person) -> WorkCalendar:
        """The calendar of a person's reminders: the organization's, with their quiet days off too."""
        assert self.calendar is not None  # (plan_day gives it)
        if not person.quiet_days:
            return self.calendar
        own = self._calendars.get(person.quiet_days)
        if own is None:
            own = self._calendars[person.quiet_days] = self.calendar.with_weekdays_off(person.quiet_days)
        return own

    def paused(self, person: Person) -> bool:
        return self.day is not None and person.paused_on(self.day)

    def inactive_assignee(self, task: TaskInfo) -> Person | None:
        assignee = self.by_id.get(task.assignee_id) if task.assignee_id is not None else None
        return assignee if assignee is not None and not assignee.active else None

    def paused_assignee(self, task: TaskInfo) -> Person | None:
        assignee = self.by_id.get(task.assignee_id) if task.assignee_id is not None else None
        return assignee if assignee is not None and assignee.active and self.paused(assignee) else None

    def heads(self, division_id: int) -> list[Person]:
        """Who hears of a division's tasks as its head (their weekly digest), active and not paused."""
        return [p for p in self.by_id.values() if p.active and p.audience.division_week
                and p.division_id == division_id and not self.paused(p)]


def recipients_for(task: TaskInfo, people: Sequence[Person], day: date | None = None) -> list[Person]:
    """Return who should hear about this task (on a day: people who paused their reminders then do not): active
    people only; whether they linked LINE is plan_day's concern."""
    return _People(people, day).recipients(task)


# --- Weekly digests -----------------------------------------------------------------------------------------------


def is_weekly_digest_day(day: date, calendar: WorkCalendar) -> bool:
    """Tell whether this is the first working day of its ISO week (Monday, or later when Monday is a day off)."""
    sunday_before = day - timedelta(days=day.weekday() + 1)
    return calendar.is_working_day(day) and calendar.working_days_between(sunday_before, day) == 1


def _task_order(task: TaskInfo) -> tuple:
    return (task.due, task.measure_order, task.step_number, task.id)


@dataclass(frozen=True)
class DivisionCount:
    """One division's tasks of the plan the weekly summaries count, counted as tracker.progress counts them."""

    division_id: int
    division_name: str
    total: int
    done: int
    overdue: int  # not done, due before the day


# A head's weekly digest names this many of the division's overdue tasks (the oldest) and counts the rest: a
# message read on a phone. The daily sweep reads no more of them than that (selection.py).
SUMMARY_LISTED = 5


@dataclass(frozen=True)
class Week:
    """What the weekly summaries read of an organization: each division's counts (divisions with tasks only) and
    the open tasks they list: at least each division's SUMMARY_LISTED oldest overdue tasks, and those due from the
    day to the end of the week (more are allowed: they change nothing)."""

    counts: tuple[DivisionCount, ...]
    open_tasks: tuple[TaskInfo, ...]
    measures: tuple[MeasureLine, ...] = ()  # the plan's measures, by order (week_of: those its tasks are of)


def week_of(tasks: Iterable[TaskInfo], day: date, calendar: WorkCalendar) -> Week:
    """Count the weekly summaries' figures from the tasks' states on the day (a forecast, a dry run, the tests); the
    daily sweep has the database count them instead (tracker/reminders/selection.py, with the same rule's SQL)."""
    stated = [(t, task_state(t, day, calendar)) for t in tasks]  # read twice: per division, per measure
    by_division: dict[int, list[tuple[TaskInfo, TaskState]]] = defaultdict(list)
    for task, state in stated:
        by_division[task.division_id].append((task, state))
    counts = []
    for division_id, of_division in by_division.items():
        counted = count_states(state for _, state in of_division)
        counts.append(DivisionCount(division_id, of_division[0][0].division_name, counted.total, counted.done,
                                    counted.overdue))
    sunday = _sunday(day)
    listed = tuple(t for pairs in by_division.values() for t, state in pairs if state.is_open and t.due <= sunday)
    return Week(tuple(counts), listed, _measures_of(stated))


def _measures_of(stated: Iterable[tuple[TaskInfo, TaskState]]) -> tuple[MeasureLine, ...]:
    """Each measure of the tasks with its percent (tracker.progress.measure_percent), by order."""
    by_measure: dict[tuple, list[tuple[TaskInfo, TaskState]]] = defaultdict(list)
    for task, state in stated:
        by_measure[(task.measure_order, task.measure_id, task.measure_title)].append((task, state))
    lines = []
    for (order, _, title), of_measure in sorted(by_measure.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
        first = of_measure[0][0]
        # (a measure of tasks is no draft: a draft has none, and so no line here; the daily sweep counts every
        # measure of the plan in the database, drafts too: selection._weeks)
        percent = measure_percent(count_states(state for _, state in of_measure).done, len(of_measure),
                                  first.progress_override, first.progress_reason, first.measure_weight)
        lines.append(MeasureLine(order, title, percent))
    return tuple(lines)


def _sunday(day: date) -> date:
    return day + timedelta(days=6 - day.weekday())


def _division_summary(counted: DivisionCount, open_tasks: list[TaskInfo], day: date,
                      calendar: WorkCalendar) -> DivisionSummary:
    sunday = _sunday(day)
    open_tasks = sorted(open_tasks, key=_task_order)
    return DivisionSummary(
        division_id=counted.division_id,
        division_name=counted.division_name,
        open=counted.total - counted.done,
        done=counted.done,
        overdue=tuple(t for t in open_tasks
                      if task_state(t, day, calendar).kind is StateKind.OVERDUE)[:SUMMARY_LISTED],
        due_this_week=tuple(t for t in open_tasks if day <= t.due <= sunday),
        overdue_count=counted.overdue,
    )


def _organization_summary(counts: Sequence[DivisionCount], measures: tuple[MeasureLine, ...]) -> OrganizationSummary:
    rows = sorted((c.division_name, c.division_id, c.total, c.done, c.overdue) for c in counts)
    # by name; the id only keeps two divisions of the same name apart
    return OrganizationSummary(
        total=sum(r[2] for r in rows),
        done=sum(r[3] for r in rows),
        overdue=sum(r[4] for r in rows),
        per_division=tuple((name, total, done, overdue) for name, _, total, done, overdue in rows),
        measures=measures,
    )


# --- The day's plan -----------------------------------------------------------------------------------------------


def _reminder_order(reminder: Reminder) -> tuple:
    rank = {"overdue": 0, "due": 1}.get(reminder.kind, 2)
    return (rank, -reminder.working_days_overdue, *_task_order(reminder.task))


def _person_order(person: Person) -> tuple:
    return (person.name, person.id)


def _group_order(group: Group) -> tuple:
    return (group.division_name, group.division_id)


def plan_day(
    day: date,
    tasks: Sequence[TaskInfo],
    people: Sequence[Person],
    calendar: WorkCalendar,
    policy: Policy = Policy(),
    groups: Sequence[Group] = (),
    summary_plan_id: int | None = None,
    week: Week | None = None,
) -> DayPlan:
    """Plan the day's LINE messages: at most one digest per person and one per division group, and who could not be
    reached.

    A division with a group hears of its overdue tasks and gets its weekly digest there instead of privately; the
    reminders before and on the due date stay personal nudges, sent privately as for any division. The weekly
    summaries count the tasks of `summary_plan_id` (the current plan) when given, every task otherwise; or, given
    `week`, read their figures from it (the daily sweep passes the candidates of the day's reminders as `tasks`,
    and the database's counts of the current plan as `week`).
    """
    if not calendar.is_working_day(day):
        return DayPlan(day, (), ())  # nothing at all is sent on a day the office is closed
    index = _People(people, day, calendar)
    group_of: dict[int, Group] = {}
    for group in groups:
        group_of.setdefault(group.division_id, group)  # one group per division: a second one would double the cost
    parts = _Parts()
    _add_reminders(parts, tasks, day, policy, calendar, index, group_of)
    _add_cannot_do(parts, tasks, day, calendar, index)
    _add_escalations(parts, tasks, day, policy, calendar, index)
    if is_weekly_digest_day(day, calendar):
        if week is None:
            week = week_of([t for t in tasks if summary_plan_id is None or t.plan_id == summary_plan_id], day,
                           calendar)
        _add_weekly_summaries(parts, week, day, calendar, index, group_of)
    return _day_plan(parts, day, index, group_of)


class _Parts:
    """What plan_day gathers before it makes the digests: per person, per division group, and who was missed."""

    def __init__(self) -> None:
        self.reminders: dict[int, list[Reminder]] = defaultdict(list)  # by person
        self.divisions: dict[int, DivisionSummary] = {}  # a head's weekly summary, by person
        self.organization: dict[int, OrganizationSummary] = {}  # an executive's weekly summary, by person
        self.inactive: dict[int, Person] = {}  # would have been messaged
        self.group_reminders: dict[int, list[Reminder]] = defaultdict(list)  # by division
        self.group_divisions: dict[int, DivisionSummary] = {}  # by division
        self.cannot_do: dict[int, list[TaskInfo]] = defaultdict(list)  # a head's, by person
        self.escalated: dict[int, list[Escalation]] = defaultdict(list)  # a head's, by person
        self.covering: dict[int, list[Covered]] = defaultdict(list)  # a head's, by person
        self.escalations: list[Escalation] = []  # every task at a step, reached that day (to record)
        self.to_executives: list[Escalation] = []  # reached the executives since the last weekly summary
        self.nudged: list[TaskInfo] = []
        self.no_line: dict[int, Person] = {}  # would have been messaged, but take nothing over LINE


def _add_reminders(parts: _Parts, tasks: Sequence[TaskInfo], day: date, policy: Policy, calendar: WorkCalendar,
                   index: _People, group_of: dict[int, Group]) -> None:
    for task in tasks:
        # The nudge only when nothing else reminds of the task that day: a digest names a task once.
        reminder = reminder_for(task, day, policy, calendar) or nudge_for(task, day, policy, calendar)
        quiet = index.any_quiet and any(p.quiet_days for p in index.recipients(task))
        if reminder is None and not quiet:
            continue
        paused = index.paused_assignee(task)
        if reminder is not None and reminder.kind == "overdue" and task.division_id in group_of:
            parts.group_reminders[task.division_id].append(reminder)  # the team talks it over in the group
        elif paused is not None:
            # Their head covers while they are away; a nudge is for the person doing it: nobody's meanwhile.
            if reminder is not None and reminder.kind != "idle":
                assert paused.paused_until is not None  # (paused: for mypy)
                for head in index.heads(task.division_id):
                    if head.id != paused.id:
                        parts.covering[head.id].append(Covered(reminder, paused.name, paused.paused_until))
        else:
            nudged = False
            for person in index.recipients(task):
                own = reminder if not person.quiet_days else _own_reminder(task, person, day, policy, calendar,
                                                                             index, reminder)
                if own is not None:
                    parts.reminders[person.id].append(own)
                    nudged = nudged or own.kind == "idle"
            if nudged:
                parts.nudged.append(task)
        if reminder is None or reminder.kind == "idle":
            continue
        left = index.inactive_assignee(task)
        if left is not None:
            # The division's staff (or its group) got it instead; the admin should reassign the task.
            parts.inactive[left.id] = left


def _own_reminder(task: TaskInfo, person: Person, day: date, policy: Policy, calendar: WorkCalendar, index: _People,
                  reminder: Reminder | None) -> Reminder | None:
    """The reminder of a task to a person with quiet days: by their own calendar (none on a quiet day; a lead time
    that falls on one comes the working day before), its state as every surface words it (the organization's
    working days); or the day's nudge, on a day of theirs."""
    own = index.calendar_of(person)
    if not own.is_working_day(day):
        return None
    mine = reminder_for(task, day, policy, own)
    if mine is None:
        return reminder if reminder is not None and reminder.kind == "idle" else None
    late = calendar.working_days_between(task.due, day) if mine.kind == "overdue" else 0
    return replace(mine, state=task_state(task, day, calendar), working_days_overdue=late)


def cannot_do_window(day: date, calendar: WorkCalendar) -> date:
    """The first local day whose "cannot do" a head hears of on `day`: the last working day before it (so those said
    after that day's digest went, a weekend's too, come in this one), each once."""
    return calendar.previous_working_day(day - ONE_DAY)


def _add_cannot_do(parts: _Parts, tasks: Sequence[TaskInfo], day: date, calendar: WorkCalendar,
                   index: _People) -> None:
    """A task someone cannot do goes to their division's head in the next working day's digest: the head decides
    (reassign, reschedule, answer), so it is theirs privately, not the division's group's."""
    since = cannot_do_window(day, calendar)
    for task in tasks:
        if task.blocked_reason is None or task.blocked_on is None or task.done or task.carried:
            continue
        if not since <= task.blocked_on < day:
            continue
        for person in index.heads(task.division_id):
            parts.cannot_do[person.id].append(task)


def _add_escalations(parts: _Parts, tasks: Sequence[TaskInfo], day: date, policy: Policy, calendar: WorkCalendar,
                     index: _People) -> None:
    """Overdue tasks nobody touched climb the ladder: the head hears of a task the day it reaches a step (in their
    daily digest: privately, theirs to act on); the executives of those that reached the last step since their
    last weekly summary, in this one."""
    last_weekly = previous_weekly_digest_day(day, calendar)
    for task in tasks:
        escalation = escalation_step(task, day, policy, calendar)
        if escalation is None:
            continue
        # A task that jumps to step 2 reaches step 1 too, unless the organization turned the head's step off.
        to_head = policy.escalate_head_after > 0 and _reached_on(escalation, 1, day)
        if not to_head:
            escalation = replace(escalation, head_told=False)
        if to_head or _reached_on(escalation, 2, day):
            parts.escalations.append(escalation)
        if to_head:
            for head in index.heads(task.division_id):
                parts.escalated[head.id].append(escalation)
        if escalation.step == 2 and (task.escalated_executive_on is None
                                     or last_weekly < task.escalated_executive_on <= day):
            parts.to_executives.append(escalation)


def previous_weekly_digest_day(day: date, calendar: WorkCalendar) -> date:
    """The weekly digests' day before this day (the first working day of an earlier week)."""
    earlier = day - ONE_DAY
    for _ in range(28):  # a week of days off at most, in practice: Songkran and a weekend
        if is_weekly_digest_day(earlier, calendar):
            return earlier
        earlier -= ONE_DAY
    return day - timedelta(days=7)


def _escalation_order(escalation: Escalation) -> tuple:
    return (-escalation.idle_working_days, *_task_order(escalation.task))


def _add_weekly_summaries(parts: _Parts, week: Week, day: date, calendar: WorkCalendar, index: _People,
                          group_of: dict[int, Group]) -> None:
    open_by_division: dict[int, list[TaskInfo]] = defaultdict(list)
    for task in week.open_tasks:
        open_by_division[task.division_id].append(task)
    summaries = {c.division_id: _division_summary(c, open_by_division[c.division_id], day, calendar)
                 for c in week.counts}
    whole = _organization_summary(week.counts, week.measures) if week.counts else None
    if whole is not None and parts.to_executives:
        whole = replace(whole, escalated=tuple(sorted(parts.to_executives, key=_escalation_order)))
    for division_id in group_of.keys() & summaries.keys():
        parts.group_divisions[division_id] = summaries[division_id]  # whether or not the division has a head
    for person in index.by_id.values():
        # A division without tasks has nothing to report (and no name to report it under); no plan, no summary.
        hears = person.audience
        if index.paused(person):
            continue  # away: nothing, their weekly summary neither
        if hears.division_week and person.division_id in group_of:
            continue  # their division's group has it
        if hears.division_week and person.division_id in summaries:
            if person.active:
                parts.divisions[person.id] = summaries[person.division_id]
        elif hears.organization_week and whole is not None:
            if person.active:
                parts.organization[person.id] = whole
        else:
            continue  # no weekly digest for them (administrators)
        if not person.active:
            parts.inactive[person.id] = person


def _day_plan(parts: _Parts, day: date, index: _People, group_of: dict[int, Group]) -> DayPlan:
    digests: list[Digest] = []
    unreachable = [Unreachable(p, "inactive") for p in parts.inactive.values()]
    messaged = (parts.reminders.keys() | parts.divisions.keys() | parts.organization.keys() | parts.cannot_do.keys()
                | parts.escalated.keys() | parts.covering.keys())
    for person_id in messaged:
        person = index.by_id[person_id]  # active: recipients and the weekly parts above are active people only
        if not person.by_line:
            unreachable.append(Unreachable(person, "no_line"))  # they follow their tasks on the web
            continue
        digest = Digest(
                person=person,
                day=day,
                reminders=tuple(sorted(parts.reminders.get(person_id, ()), key=_reminder_order)),
                division=parts.divisions.get(person_id),
                organization=parts.organization.get(person_id),
                cannot_do=tuple(sorted(parts.cannot_do.get(person_id, ()), key=_task_order)),
                escalated=tuple(sorted(parts.escalated.get(person_id, ()), key=_escalation_order)),
                covering=tuple(sorted(parts.covering.get(person_id, ()),
                                      key=lambda c: (c.person_name, _reminder_order(c.reminder)))),
            )
        if person.line_linked:
            digests.append(digest)
        else:
            unreachable.append(Unreachable(person, "not_linked", digest.kind))
    digests.sort(key=lambda d: _person_order(d.person))
    unreachable.sort(key=lambda u: _person_order(u.person))
    # A group needs no linking: the bot is in it. A division with nothing to say that day gets nothing.
    group_digests = [
        GroupDigest(
            group=group_of[division_id],
            day=day,
            reminders=tuple(sorted(parts.group_reminders.get(division_id, ()), key=_reminder_order)),
            division=parts.group_divisions.get(division_id),
        )
        for division_id in parts.group_reminders.keys() | parts.group_divisions.keys()
    ]
    group_digests.sort(key=lambda g: _group_order(g.group))
    return DayPlan(day, tuple(digests), tuple(unreachable), tuple(group_digests),
                   escalations=tuple(sorted(parts.escalations, key=lambda e: e.task.id)),
                   nudged=tuple(sorted(parts.nudged, key=lambda t: t.id)))
