"""Working days of a Thai government office: Monday to Friday, not a public or government holiday, not a day off the
organization added itself. Pure: the organization's days off come in as a set of dates.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _thai_holidays(year: int) -> dict[date, str]:
    # PUBLIC and GOVERNMENT: government offices close on both (the Royal Ploughing Ceremony is GOVERNMENT only), and
    # the package includes substitution days ("in lieu") and the bridge holidays the cabinet has announced so far.
    # Cabinet announcements that come later are what an organization's own days off are for.
    calendar = holidays.country_holidays(
        "TH", years=year, categories=(holidays.PUBLIC, holidays.GOVERNMENT), language="th"
    )
    return dict(calendar.items())


class WorkCalendar:
    """Answers which days are working days for one organization."""

    def __init__(self, days_off: Iterable[date] | dict[date, str] = ()):
        self.days_off: dict[date, str] = dict(days_off) if isinstance(days_off, dict) else dict.fromkeys(days_off, "")

    def holiday_name(self, day: date) -> str | None:
        """Return why the office is closed on a weekday, or None if it is open (or the day is a weekend)."""
        if day in self.days_off:
            return self.days_off[day] or "วันหยุดของหน่วยงาน"
        return _thai_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """Tell whether the office works on this day."""
        return day.weekday() < 5 and self.holiday_name(day) is None

    def previous_working_day(self, day: date) -> date:
        """Return the day itself if it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def next_working_day(self, day: date) -> date:
        """Return the day itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days after `start` up to and including `end`; negative when `end` is before `start`.

        From Friday to the next Monday is 1 working day left; a task due today has 0 left; one due last
        working day is -1 (one working day overdue).
        """
        if end == start:
            return 0
        step = 1 if end > start else -1
        count, day = 0, start
        while day != end:
            day += timedelta(days=step)
            if self.is_working_day(day if step > 0 else day + timedelta(days=1)):
                count += step
        return count


SOON_WORKING_DAYS = 10  # two working weeks: what "due soon" means on My tasks and the dashboard


@dataclass(frozen=True)
class DueState:
    kind: str  # overdue | soon | later | done | late (done after its due date)
    working_days: int  # left (positive) or overdue (negative), in working days
    text: str


def describe_due(due: date, done: bool, today: date, calendar: WorkCalendar, done_on: date | None = None) -> DueState:
    """Say how a due date stands today, counted in working days, as a person reads it; a task done after its due
    date (`done_on`, the local day it was closed) says by how much it was late."""
    if done:
        if done_on is not None and done_on > due:
            late = max(calendar.working_days_between(due, done_on), 1)  # closed on a Saturday: still a day late
            return DueState("late", -late, f"เสร็จช้า {late} วันทำการ")
        return DueState("done", 0, "เสร็จแล้ว")
    left = calendar.working_days_between(today, due)
    if due < today:
        late = max(-left, 1)  # due on a Saturday and today is Monday: still one day late, not zero
        return DueState("overdue", -late, f"เกินกำหนด {late} วันทำการ")
    if left == 0:
        return DueState("soon", 0, "ครบกำหนดวันนี้")
    kind = "soon" if left <= SOON_WORKING_DAYS else "later"
    return DueState(kind, left, f"เหลือ {left} วันทำการ")
