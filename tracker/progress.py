"""What "progress" means, once: where a task stands on a day (`task_state`), counted in working days, and the
tasks counted from their states (`count_states`: done, late, overdue, due soon, on track), the same way by the
dashboard, My tasks, the board, the measure grid, the task page, LINE's cards, reminders and `สรุป`, the weekly
digests, the public page and the results report; and a measure's percent, the one figure every surface shows of it.
The Thai words of a state are `labels.state_text` (the chip) and `labels.state_status` (its status on that day).

A measure's percent (`measure_percent`) is a head's override when one is set (with its reason), else its tasks done
in percent of its tasks. The dashboard (a measure's row, the indicator table), LINE `สรุป`, the executive's weekly
digest, the public page and the three report files all show that figure, never one of their own. A draft measure
(imported without its period or divisions, so without tasks yet: `MeasurePercent.draft` says what it lacks) has no
figure of its own: every surface shows it as a draft (labels.percent_text), never as "0 %", which would read as
"nothing done" of a measure that has nothing to do yet.

An indicator's percent and the plan's overall percent (`combined_percent`) combine the shown percents of their
measures:
- weighted by the plan's weights when every measure of the set has one (the plan's "น้ำหนัก" column, Measure.weight):
  sum(weight x percent) / sum(weight), exactly (in fractions: a weight of 12.5 never rounds as a float would), then
  halves up. The agency set the weights to say what each measure is worth to the plan, and its report is read against
  them: three measures of 50/30/20 with the first done are 50 % done whatever their task counts. A draft counts as 0 %
  with its weight: the plan promised it and it is not done, so leaving it out would overstate the plan;
- otherwise weighted by each measure's tasks (a plan without weights, or one whose weights the import found for some
  measures only, which are no weighting of the whole): with no override it is exactly the tasks done in percent of
  all the tasks, and an override counts for as many tasks as its measure has.

A task is read as a `Record`: its due date, its status and the local day it was done (`record_of` reads a Task, a
query's row or the reminder policy's TaskInfo). On a day, in working days of the organization's calendar, it is
- carried when it was moved on to the next fiscal year's plan (TaskStatus.CARRIED, tracker.plans.next_year): it
  stays in its plan's total, not done, and is no longer overdue, due soon, late or on track there (the work goes on
  in the next year's task);
- done when its status is done: on time when done by its due date (or on a day not recorded), else late by the
  working days from the due date to the day it was done (at least 1: due on a Saturday, closed on Monday: late);
- otherwise open: overdue when its due date is before the day, by the working days since (at least 1); due soon when
  it falls due within SOON_WORKING_DAYS working days (0: the day is the last working day before it falls due, "due
  today"); due later otherwise;
- on track when it is neither overdue nor late nor carried.
A report as of an earlier day reads each task as it stood then (`Record.as_of`: a step closed in April was under way
on 31 March). The database counts what it must count for cost (the daily sweep over every agency; a measure's
percent in LINE, the divisions' page) with `done_sql` and `overdue_sql`, the same rule written in SQL;
tests/test_task_state.py checks both agree on every state.
"""
from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

    from .workdays import WorkCalendar

# What "due soon" means everywhere (My tasks, the dashboard, LINE `สรุป`): due within two working weeks.
# My tasks said 10 working days, the dashboard and `สรุป` 30 calendar days; settled on 10 working days because
# - every other count of a task's days is in working days: a holiday week (Songkran, the New Year) then never eats
#   the warning, which 30 calendar days could shrink to 17 working days;
# - it is the span the reminders cover: the default first lead time, 14 calendar days, is 10 working days in an
#   ordinary fortnight, so the tasks "due soon" are the ones people are being reminded of;
# - two weeks is what a division can still act on; a month ahead lists most of a quarter's steps and says nothing
#   urgent (the dashboard's list of them is read in seconds).
SOON_WORKING_DAYS = 10

# A task's status as stored (tracker.models.TaskStatus's values: its members are equal to these strings). Named here
# so that this module needs no database; tests/test_task_state.py checks they are TaskStatus's.
TODO, DOING, DONE, CARRIED = "todo", "doing", "done", "carried"


def percent(part: int, whole: int) -> float:
    """Return part of whole in percent; 0 of nothing is 0 %."""
    return 100.0 * part / whole if whole else 0.0


def _half_up(part: int, whole: int) -> int:
    """Return 100 * part / whole as a whole number, halves rounded up (1 of 8 is 13); 0 of nothing is 0."""
    if whole <= 0:
        return 0
    # Whole numbers, exactly: round() would take 12.5 to 12 (it rounds halves to even), a report reader expects 13.
    return (200 * part + whole) // (2 * whole)


@dataclass(frozen=True)
class MeasurePercent:
    """A measure's percent of progress as every surface shows it (or an indicator's, or the plan's, combined)."""

    value: int  # 0-100: the figure shown
    derived: int  # the tasks done in percent of the tasks, whatever a head set
    done: int  # tasks done
    total: int  # tasks
    overridden: bool = False  # `value` is a head's (for a combination: at least one of its measures' is)
    reason: str | None = None  # why a head set it (a measure's own override only)
    weight: float | None = None  # the plan's weight of the measure (0 < w <= 100), when it gives one
    # A draft measure (Measure.is_draft: no tasks yet): what its plan row lacks, "period" and/or "divisions" (empty
    # when it lacks neither any more); None for a measure that is no draft. Shown as a draft, not as its 0 %.
    draft: tuple[str, ...] | None = None

    @property
    def is_draft(self) -> bool:
        """Shown as a draft: a draft measure whose percent no head set (a head's figure is a figure, draft or not)."""
        return self.draft is not None and not self.overridden


def measure_percent(done: int, total: int, override: int | None = None, reason: str | None = None,
                    weight: float | None = None, draft: tuple[str, ...] | None = None) -> MeasurePercent:
    """Return a measure's percent of progress: a head's override (with its reason) when there is one, else its tasks
    done in percent of its tasks, rounded half up (1 of 8 is 13 %); 0 for a measure without tasks (a draft's). The
    measure's weight and what a draft lacks go with it, for `combined_percent` and the surfaces."""
    derived = _half_up(done, total)
    if override is None:
        return MeasurePercent(derived, derived, done, total, weight=weight, draft=draft)
    return MeasurePercent(override, derived, done, total, overridden=True, reason=reason, weight=weight, draft=draft)


def combined_percent(measures: Iterable[MeasurePercent]) -> MeasurePercent:
    """Return the percent of several measures (an indicator's, the plan's), rounded half up: their shown percents
    weighted by their weights when every one has a weight (a draft counts 0 % with its weight), else by their tasks.
    By tasks, without an override it is the tasks done in percent of all their tasks; a measure without tasks weighs
    nothing, unless no measure has any (then each weighs the same). See the module for why."""
    parts = list(measures)
    done, total = sum(m.done for m in parts), sum(m.total for m in parts)
    if parts and all(m.weight is not None for m in parts):
        return MeasurePercent(_weighted(parts), _half_up(done, total), done, total,
                              overridden=any(m.overridden for m in parts))
    overridden = any(m.overridden and (m.total or not total) for m in parts)  # an override that counts
    if total:
        # In hundredths of a task: a derived measure counts its tasks done exactly, an override its share of its tasks.
        hundredths = sum(m.value * m.total if m.overridden else 100 * m.done for m in parts)
        value = (2 * hundredths + total) // (2 * total)
    else:
        value = (2 * sum(m.value for m in parts) + len(parts)) // (2 * len(parts)) if parts else 0
    return MeasurePercent(value, _half_up(done, total), done, total, overridden=overridden)


def _weighted(parts: list[MeasurePercent]) -> int:
    """Return sum(weight x shown percent) / sum(weight), halves rounded up, in exact fractions: a weight is read as
    the decimal it was written as (12.5, 33.3), so 1/2 of a percent is never a float's 0.49999."""
    weights = [Fraction(str(m.weight)) for m in parts]
    whole = sum(weights, Fraction(0))
    if whole <= 0:  # (weights are above 0: no plan gets here; nothing to divide by)
        return 0
    mean = sum((w * m.value for w, m in zip(weights, parts, strict=True)), Fraction(0)) / whole
    return math.floor(mean + Fraction(1, 2))


class StateKind(enum.StrEnum):
    """Where a task stands on a day (the CSS class of its chip, the colour of its LINE card)."""

    LATER = "later"  # open, due in more than SOON_WORKING_DAYS working days
    SOON = "soon"  # open, due within SOON_WORKING_DAYS working days (0: due today)
    OVERDUE = "overdue"  # open, past its due date
    DONE = "done"  # done by its due date
    LATE = "late"  # done after its due date
    CARRIED = "carried"  # carried over to the next fiscal year's plan


@dataclass(frozen=True)
class TaskState:
    """A task's state on a day: what it is, by how many working days, and its status that day."""

    kind: StateKind
    days: int = 0  # working days: left (later, soon; 0 = due today), late (overdue, late; at least 1); else 0
    status: str = TODO  # its status that day (a TaskStatus value): todo, doing, done or carried

    @property
    def is_done(self) -> bool:
        return self.kind is StateKind.DONE or self.kind is StateKind.LATE

    @property
    def is_open(self) -> bool:
        """Still to be worked on in its plan: neither done nor carried over."""
        return not self.is_done and self.kind is not StateKind.CARRIED


@dataclass(frozen=True)
class Record:
    """A task as its state is read: its due date, its status and the local day it was done."""

    due: date
    status: str  # a TaskStatus value
    done_on: date | None = None  # the local (Asia/Bangkok) day it was done; None: not done, or not recorded

    @classmethod
    def of(cls, due: date, status: str, done_at: datetime | None) -> Record:
        """Read a task's stored columns: its due date, status and the instant it was done (UTC)."""
        status = getattr(status, "value", status)  # a TaskStatus, or its value
        return cls(due, status, _local_date(done_at) if done_at is not None and status == DONE else None)

    def as_of(self, day: date) -> Record:
        """The task as it stood at the end of an earlier day: one done after it was under way then ("doing")."""
        if self.status == DONE and self.done_on is not None and self.done_on > day:
            return Record(self.due, DOING)
        return self


def record_of(task: Any) -> Record:
    """Read a task as its state is read: a Record as it is; the reminder policy's TaskInfo by its `record`; a Task,
    or a query's row, by its `due_date`, `status` and `done_at`."""
    if isinstance(task, Record):
        return task
    record = getattr(task, "record", None)
    if isinstance(record, Record):
        return record
    return Record.of(task.due_date, task.status, task.done_at)


def task_state(task: Any, today: date, calendar: WorkCalendar) -> TaskState:
    """Say where a task (a Task, a query's row with due_date, status and done_at, or a Record) stands on `today`,
    counted in working days of the organization's calendar."""
    record = record_of(task)
    status = str(getattr(record.status, "value", record.status))  # a TaskStatus, or its value
    if status == CARRIED:
        return TaskState(StateKind.CARRIED, 0, CARRIED)
    due = record.due
    if status == DONE:
        if record.done_on is not None and record.done_on > due:
            late = max(calendar.working_days_between(due, record.done_on), 1)  # closed on a Saturday: still late
            return TaskState(StateKind.LATE, late, DONE)
        return TaskState(StateKind.DONE, 0, DONE)
    left = calendar.working_days_between(today, due)
    if due < today:
        return TaskState(StateKind.OVERDUE, max(-left, 1), status)  # due Saturday, seen Monday: one day late
    return TaskState(StateKind.SOON if left <= SOON_WORKING_DAYS else StateKind.LATER, left, status)


@dataclass
class Progress:
    """Tasks counted from their states: how many, done, done late, overdue, due soon, carried over."""

    total: int = 0
    done: int = 0
    late: int = 0  # done, after the due date
    overdue: int = 0
    due_soon: int = 0
    carried: int = 0  # carried over to the next year's plan

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def on_track(self) -> int:
        """Tasks done on time, or not yet past their due date."""
        return self.total - self.overdue - self.late - self.carried

    @property
    def pct_done(self) -> float:
        return percent(self.done, self.total)

    @property
    def pct_on_track(self) -> float:
        return percent(self.on_track, self.total)

    def add(self, state: TaskState) -> None:
        """Count one more task, in its state."""
        self.total += 1
        kind = state.kind
        if kind is StateKind.CARRIED:
            self.carried += 1
        elif state.is_done:
            self.done += 1
            self.late += kind is StateKind.LATE
        elif kind is StateKind.OVERDUE:
            self.overdue += 1
        elif kind is StateKind.SOON:
            self.due_soon += 1


def count_states(states: Iterable[TaskState]) -> Progress:
    """Count tasks from their states (task_state): what the dashboard, LINE `สรุป` and the digests print."""
    progress = Progress()
    for state in states:
        progress.add(state)
    return progress


# --- the same rule in SQL, for the counts the database makes ------------------------------------------------------


def done_sql(status: Any) -> ColumnElement[bool]:
    """The SQL twin of a state's done (done or late), over a task's status column."""
    return status == DONE


def overdue_sql(status: Any, due: Any, day: date) -> ColumnElement[bool]:
    """The SQL twin of a state's overdue on `day`, over a task's status and due date columns: open, due before it."""
    return and_(status.in_((TODO, DOING)), due < day)


def _local_date(moment: datetime) -> date:
    """The local day of a stored instant: a task closed at 23:30 UTC was closed the next day in Bangkok."""
    from .clock import local_date  # on use: the rest of this module (and the reminder policy) import no Flask

    return local_date(moment)
