"""What "progress" means, once: done, late, overdue, due soon and on track, counted the same way by the dashboard,
the LINE `สรุป` reply and the weekly digests; and a measure's percent, the one figure every surface shows of it.

A measure's percent (`measure_percent`) is a head's override when one is set (with its reason), else its tasks done
in percent of its tasks. The dashboard (a measure's row, the indicator table), LINE `สรุป`, the executive's weekly
digest, the public page and the three report files all show that figure, never one of their own. An indicator's
percent and the plan's overall percent (`combined_percent`) combine the shown percents of their measures weighted by
each measure's tasks: with no override it is exactly the tasks done in percent of all the tasks, and an override
counts for as many tasks as its measure has.

Pure: a task is given as its due date, whether it is done and the day it was done (local date; None when unknown or
not done), with today. A task is
- overdue when it is not done and its due date is before today;
- late when it was done after its due date (done, but not on time: the ITA asks whether the plan kept its dates);
- due soon when it is not done and falls due from today to today + HORIZON_DAYS;
- on track when it is neither overdue nor late;
- carried when it was moved on to the next fiscal year's plan (TaskStatus.CARRIED, tracker.plans.next_year): it
  stays in its plan's total, not done, and is no longer overdue, due soon, late or on track there (the work goes on
  in the next year's task).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

HORIZON_DAYS = 30  # "coming up": tasks due from today to today + 30 days


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


def measure_percent(done: int, total: int, override: int | None = None, reason: str | None = None) -> MeasurePercent:
    """Return a measure's percent of progress: a head's override (with its reason) when there is one, else its tasks
    done in percent of its tasks, rounded half up (1 of 8 is 13 %); 0 for a measure without tasks."""
    derived = _half_up(done, total)
    if override is None:
        return MeasurePercent(derived, derived, done, total)
    return MeasurePercent(override, derived, done, total, overridden=True, reason=reason)


def combined_percent(measures: Iterable[MeasurePercent]) -> MeasurePercent:
    """Return the percent of several measures (an indicator's, the plan's): their shown percents weighted by their
    tasks, rounded half up. Without an override it is the tasks done in percent of all their tasks; a measure without
    tasks weighs nothing, unless no measure has any (then each weighs the same)."""
    parts = list(measures)
    done, total = sum(m.done for m in parts), sum(m.total for m in parts)
    overridden = any(m.overridden and (m.total or not total) for m in parts)  # an override that counts
    if total:
        # In hundredths of a task: a derived measure counts its tasks done exactly, an override its share of its tasks.
        hundredths = sum(m.value * m.total if m.overridden else 100 * m.done for m in parts)
        value = (2 * hundredths + total) // (2 * total)
    else:
        value = (2 * sum(m.value for m in parts) + len(parts)) // (2 * len(parts)) if parts else 0
    return MeasurePercent(value, _half_up(done, total), done, total, overridden=overridden)


def is_overdue(due: date, done: bool, today: date) -> bool:
    """Tell whether a task is past its due date and not done."""
    return not done and due < today


def is_late(due: date, done: bool, done_on: date | None) -> bool:
    """Tell whether a task was done after its due date."""
    return done and done_on is not None and done_on > due


def is_due_soon(due: date, done: bool, today: date, horizon_days: int = HORIZON_DAYS) -> bool:
    """Tell whether a task not done falls due from today to the horizon."""
    return not done and today <= due <= today + timedelta(days=horizon_days)


@dataclass
class Progress:
    """Tasks counted: how many, done, done late, overdue, due soon."""

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

    def add(self, due: date, done: bool, today: date, done_on: date | None = None,
            horizon_days: int = HORIZON_DAYS, carried: bool = False) -> None:
        """Count one more task."""
        self.total += 1
        if carried:
            self.carried += 1
            return
        self.done += done
        self.late += is_late(due, done, done_on)
        self.overdue += is_overdue(due, done, today)
        self.due_soon += is_due_soon(due, done, today, horizon_days)


# A task as counted: (due date, done, day done), and whether it was carried over where a caller may have such tasks.
Counted = tuple[date, bool, date | None] | tuple[date, bool, date | None, bool]


def count(items: Iterable[Counted], today: date, horizon_days: int = HORIZON_DAYS) -> Progress:
    """Count tasks given as (due date, done, day done[, carried]) as of today."""
    progress = Progress()
    for due, done, done_on, *carried in items:
        progress.add(due, done, today, done_on, horizon_days, carried=any(carried))
    return progress
