"""What "progress" means, once: done, late, overdue, due soon and on track, counted the same way by the dashboard,
the LINE `สรุป` reply and the weekly digests.

Pure: a task is given as its due date, whether it is done and the day it was done (local date; None when unknown or
not done), with today. A task is
- overdue when it is not done and its due date is before today;
- late when it was done after its due date (done, but not on time: the ITA asks whether the plan kept its dates);
- due soon when it is not done and falls due from today to today + HORIZON_DAYS;
- on track when it is neither overdue nor late.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

HORIZON_DAYS = 30  # "coming up": tasks due from today to today + 30 days


def percent(part: int, whole: int) -> float:
    """Return part of whole in percent; 0 of nothing is 0 %."""
    return 100.0 * part / whole if whole else 0.0


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

    @property
    def open(self) -> int:
        return self.total - self.done

    @property
    def on_track(self) -> int:
        """Tasks done on time, or not yet past their due date."""
        return self.total - self.overdue - self.late

    @property
    def pct_done(self) -> float:
        return percent(self.done, self.total)

    @property
    def pct_on_track(self) -> float:
        return percent(self.on_track, self.total)

    def add(self, due: date, done: bool, today: date, done_on: date | None = None,
            horizon_days: int = HORIZON_DAYS) -> None:
        """Count one more task."""
        self.total += 1
        self.done += done
        self.late += is_late(due, done, done_on)
        self.overdue += is_overdue(due, done, today)
        self.due_soon += is_due_soon(due, done, today, horizon_days)


def count(items: Iterable[tuple[date, bool, date | None]], today: date, horizon_days: int = HORIZON_DAYS) -> Progress:
    """Count tasks given as (due date, done, day done) as of today."""
    progress = Progress()
    for due, done, done_on in items:
        progress.add(due, done, today, done_on, horizon_days)
    return progress
