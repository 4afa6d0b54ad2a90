"""Completion over time: for each month of a fiscal year, how many of a group's tasks were planned to be done by the
month's end (due on or before it) against how many were done by then, and where to draw both on a small chart.

Pure: tasks come in as tracker.progress counts them, (due date, done, day done) with the day done a local date (None
when not done or not known), together with today. A task counts as done only while it is done now (a reopened task
is open again, whenever it was first closed), and one done on a day not recorded counts as done by today: the last
month's figure is then the same "done" as the rest of the dashboard.
"""
from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .progress import percent
from .thai import MONTHS_SHORT, be_year, fiscal_year_bounds


@dataclass(frozen=True)
class MonthFigure:
    """One month of the fiscal year: the tasks planned by its end, and those done by then (None: not begun yet)."""

    first: date
    last: date
    planned: int
    done: int | None
    total: int

    @property
    def label(self) -> str:
        """The month as an axis shows it: "ต.ค."."""
        return MONTHS_SHORT[self.first.month - 1]

    @property
    def long_label(self) -> str:
        """The month with its Buddhist-Era year: "ต.ค. 2568"."""
        return f"{self.label} {be_year(self.first.year)}"

    @property
    def planned_pct(self) -> float:
        return percent(self.planned, self.total)

    @property
    def done_pct(self) -> float | None:
        return None if self.done is None else percent(self.done, self.total)


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Plot:
    """Where a series goes on a chart of WIDTH x HEIGHT user units (the SVG's viewBox; CSS scales it to its box)."""

    planned: list[Point]
    done: list[Point]  # only the months begun
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]  # (y, percent)
    # The frame, for the template: the same for every chart, so small multiples compare at a glance.
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    def _points(self, points: list[Point]) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)

    @property
    def planned_points(self) -> str:
        return self._points(self.planned)

    @property
    def done_points(self) -> str:
        return self._points(self.done)

    @property
    def done_area(self) -> str:
        """The done line closed down to the 0 % line, to fill under it."""
        if not self.done:
            return ""
        base = [Point(self.done[-1].x, BOTTOM), Point(self.done[0].x, BOTTOM)]
        return self._points(self.done + base)


@dataclass
class CompletionSeries:
    """The months of one group of tasks: the whole agency (division_id None) or one division."""

    name: str
    division_id: int | None
    months: list[MonthFigure]

    @property
    def total(self) -> int:
        return self.months[0].total if self.months else 0

    @property
    def key(self) -> str:
        """A name for the element ids of its chart, unique on the page."""
        return "all" if self.division_id is None else f"division-{self.division_id}"

    @property
    def latest(self) -> MonthFigure | None:
        """The last month with a done figure: the month of today, or the last of a year that is over."""
        begun = [month for month in self.months if month.done is not None]
        return begun[-1] if begun else None

    @property
    def plot(self) -> Plot:
        return plot(self.months)


def fiscal_months(fiscal_year_be: int) -> list[tuple[date, date]]:
    """Return the first and last day of each month of a Thai fiscal year (BE), October to September."""
    start, _ = fiscal_year_bounds(fiscal_year_be)
    months = []
    year, month = start.year, start.month
    for _ in range(12):
        months.append((date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def completion(items: Iterable[tuple[date, bool, date | None]], fiscal_year_be: int, today: date) -> list[MonthFigure]:
    """Count tasks given as (due date, done, day done), cumulatively, at the end of each month of the fiscal year.

    A month that has not begun by today has no done figure; the month of today counts what is done so far.
    """
    dues: list[date] = []
    done_days: list[date] = []
    for due, done, done_on in items:
        dues.append(due)
        if done:
            # Not known when, or (a clock set wrong) later than today: done by today is what is known.
            done_days.append(today if done_on is None or done_on > today else done_on)
    dues.sort()
    done_days.sort()
    return [
        MonthFigure(first=first, last=last, planned=bisect_right(dues, last),
                    done=bisect_right(done_days, last) if first <= today else None, total=len(dues))
        for first, last in fiscal_months(fiscal_year_be)
    ]


# The chart's frame in user units. 300 wide is about the width a chart gets on a 360 px phone, so its text is drawn at
# about the size written here there; on a desktop three charts share a row and keep about the same size.
WIDTH, HEIGHT = 300, 168
LEFT, RIGHT, TOP, BOTTOM = 34, 294, 8, 142  # the plotting area: y labels to the left, month labels below
Y_TICKS = (0, 25, 50, 75, 100)


def _y(pct: float) -> float:
    return BOTTOM - (BOTTOM - TOP) * pct / 100


def plot(months: list[MonthFigure]) -> Plot:
    """Place each month at the middle of its twelfth of the width, and its percentages on the 0-100 % scale."""
    step = (RIGHT - LEFT) / max(len(months), 1)
    xs = [LEFT + step * (i + 0.5) for i in range(len(months))]
    return Plot(
        planned=[Point(x, _y(m.planned_pct)) for x, m in zip(xs, months, strict=True)],
        done=[Point(x, _y(m.done_pct)) for x, m in zip(xs, months, strict=True) if m.done_pct is not None],
        x_labels=[(x, m.label) for x, m in zip(xs, months, strict=True)],
        y_ticks=[(_y(pct), pct) for pct in Y_TICKS],
        width=WIDTH, height=HEIGHT, left=LEFT, right=RIGHT, top=TOP, bottom=BOTTOM,
    )
