"""Working days of a Thai government office: Monday to Friday, not a public or government holiday, not a day off the
organization added itself. Pure: the organization's days off come in as a set of dates.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate


@lru_cache(maxsize=64)
def _thai_holidays(year: int) -> dict[date, str]:
    import holidays  # here, not at the top: with dateutil it is a tenth of a second every `tracker` command would pay

    # PUBLIC and GOVERNMENT: government offices close on both (the Royal Ploughing Ceremony is GOVERNMENT only), and
    # the package includes substitution days ("in lieu") and the bridge holidays the cabinet has announced so far.
    # Cabinet announcements that come later are what an organization's own days off are for.
    calendar = holidays.country_holidays(
        "TH", years=year, categories=(holidays.PUBLIC, holidays.GOVERNMENT), language="th"
    )
    return dict(calendar.items())


@dataclass(frozen=True)
class _Year:
    """One calendar year counted once, so that every question about it is a look-up: which days are worked, how
    many working days have passed by each day, and where each working day is."""

    first: int  # ordinal of 1 January
    working: bytes  # by day of the year (0 = 1 January): 1 for a working day
    running: list[int]  # by day of the year: working days from 1 January up to and including that day
    worked: list[int]  # the day of the year of each working day, in order

    @classmethod
    def of(cls, year: int, working: bytes) -> _Year:
        return cls(date(year, 1, 1).toordinal(), working, list(accumulate(working)),
                   [i for i, open_ in enumerate(working) if open_])

    @property
    def total(self) -> int:
        return self.running[-1]


@lru_cache(maxsize=512)
def _thai_year(year: int) -> _Year:
    """A year of the Thai government calendar: Monday to Friday, not a public or government holiday."""
    first = date(year, 1, 1)
    length = date(year + 1, 1, 1).toordinal() - first.toordinal() if year < 9999 else 365
    closed = {day.toordinal() - first.toordinal() for day in _thai_holidays(year) if day.year == year}
    monday = first.weekday()
    return _Year.of(year, bytes((monday + i) % 7 < 5 and i not in closed for i in range(length)))


class WorkCalendar:
    """Answers which days are working days for one organization, and counts them, each in constant time.

    Each year is counted once (a running count of working days, built on first use; the Thai holidays' years are
    shared by every calendar, a year with one of the organization's days off is counted for this calendar alone), so
    that working days between two dates are a difference of two running counts, across years too. The days off are
    fixed when the calendar is made: a changed list of days off is a new calendar.
    """

    def __init__(self, days_off: Iterable[date] | dict[date, str] = (), weekdays_off: Iterable[int] = ()):
        self.days_off: dict[date, str] = dict(days_off) if isinstance(days_off, dict) else dict.fromkeys(days_off, "")
        # Weekdays (0 = Monday) off besides the weekend: a person's quiet days (their own calendar of reminders).
        self.weekdays_off = frozenset(weekdays_off)
        self._off_by_year: dict[int, list[date]] = {}
        for day in self.days_off:
            self._off_by_year.setdefault(day.year, []).append(day)
        self._years: dict[int, _Year] = {}
        # Working days before 1 January of each year of a contiguous range, counted from the first year asked about
        # (only differences are ever read, so the origin does not matter and never moves).
        self._starts: dict[int, int] = {}

    def with_weekdays_off(self, weekdays: Iterable[int]) -> WorkCalendar:
        """This calendar with these weekdays off too (a person's quiet days): the same one when there are none."""
        weekdays = frozenset(weekdays) | self.weekdays_off
        return self if weekdays == self.weekdays_off else WorkCalendar(self.days_off, weekdays)

    def holiday_name(self, day: date) -> str | None:
        """Return why the office is closed on a weekday, or None if it is open (or the day is a weekend)."""
        if day in self.days_off:
            return self.days_off[day] or "วันหยุดของหน่วยงาน"
        return _thai_holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """Tell whether the office works on this day."""
        year = self._year(day.year)
        return year.working[day.toordinal() - year.first] == 1

    def previous_working_day(self, day: date) -> date:
        """Return the day itself if it is a working day, else the last working day before it."""
        year = self._year(day.year)
        passed = year.running[day.toordinal() - year.first]  # working days of the year up to this day
        number = day.year
        while not passed:  # none yet this year: the last one of an earlier year
            number -= 1
            year = self._year(number)
            passed = year.total
        return date.fromordinal(year.first + year.worked[passed - 1])

    def next_working_day(self, day: date) -> date:
        """Return the day itself if it is a working day, else the first working day after it."""
        year = self._year(day.year)
        index = day.toordinal() - year.first
        if year.working[index]:
            return day
        passed, number = year.running[index], day.year
        while passed == year.total:  # no working day left this year: the first one of a later year
            number += 1
            year, passed = self._year(number), 0
        return date.fromordinal(year.first + year.worked[passed])

    def add_working_days(self, day: date, count: int) -> date:
        """Return the `count`-th working day after `day` (a reminder put off by 1, 3 or 5 working days)."""
        for _ in range(count):
            day = self.next_working_day(day + timedelta(days=1))
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days after `start` up to and including `end`; negative when `end` is before `start`.

        From Friday to the next Monday is 1 working day left; a task due today has 0 left; one due last
        working day is -1 (one working day overdue).
        """
        return self._rank(end) - self._rank(start)

    def _rank(self, day: date) -> int:
        """Working days up to and including `day`, counted from an origin of this calendar's own."""
        year = self._year(day.year)
        start = self._starts.get(day.year)
        if start is None:
            start = self._start_of(day.year)
        return start + year.running[day.toordinal() - year.first]

    def _start_of(self, number: int) -> int:
        starts = self._starts
        if not starts:
            starts[number] = 0
            return 0
        # Widen the contiguous range of years to reach this one, each year's start from its neighbour's.
        last = max(starts)
        while last < number:
            starts[last + 1] = starts[last] + self._year(last).total
            last += 1
        first = min(starts)
        while first > number:
            starts[first - 1] = starts[first] - self._year(first - 1).total
            first -= 1
        return starts[number]

    def _year(self, number: int) -> _Year:
        year = self._years.get(number)
        if year is None:
            year = _thai_year(number)
            off = self._off_by_year.get(number)
            if off or self.weekdays_off:  # this calendar's own days off that year: its own count of the year
                working = bytearray(year.working)
                for day in off or ():
                    working[day.toordinal() - year.first] = 0
                if self.weekdays_off:
                    monday = date(number, 1, 1).weekday()
                    for index in range(len(working)):
                        if (monday + index) % 7 in self.weekdays_off:
                            working[index] = 0
                year = _Year.of(number, bytes(working))
            self._years[number] = year
        return year

