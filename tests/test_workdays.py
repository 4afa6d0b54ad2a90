"""Working days: weekends, Thai public and government holidays, substitution days, the organization's own days off."""
from __future__ import annotations

import random
import time
from datetime import date, timedelta

import pytest

from tracker.progress import Record, task_state
from tracker.workdays import WorkCalendar

CAL = WorkCalendar()


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 3, 2), True),  # a Monday
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 4, 13), False),  # Songkran
        (date(2026, 4, 14), False),
        (date(2026, 4, 15), False),
        (date(2025, 4, 16), False),  # Songkran 2568 fell on a Sunday: substitution day
        (date(2025, 12, 5), False),  # King Bhumibol's birthday
        (date(2026, 12, 7), False),  # 5 Dec 2026 is a Saturday: substitution Monday
        (date(2025, 12, 10), False),  # Constitution Day
        (date(2026, 5, 13), False),  # Royal Ploughing Ceremony: a government holiday, not a public one
        (date(2026, 12, 8), True),
    ],
)
def test_thai_working_days(day, working):
    assert CAL.is_working_day(day) is working


def test_holiday_names_are_thai():
    assert "สงกรานต์" in CAL.holiday_name(date(2026, 4, 13))


def test_days_off_of_the_organization():
    local = WorkCalendar({date(2026, 3, 2): "งานประจำปีจังหวัด"})
    assert not local.is_working_day(date(2026, 3, 2))
    assert local.holiday_name(date(2026, 3, 2)) == "งานประจำปีจังหวัด"
    assert CAL.is_working_day(date(2026, 3, 2))


def test_previous_and_next_working_day():
    # Songkran 13-15 April 2026 (Mon-Wed): the working day before is Friday 10 April.
    assert CAL.previous_working_day(date(2026, 4, 14)) == date(2026, 4, 10)
    assert CAL.next_working_day(date(2026, 4, 13)) == date(2026, 4, 16)


@pytest.mark.parametrize(
    "start, end, count",
    [
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Friday -> Monday
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2026, 3, 9), date(2026, 3, 20), 9),
        (date(2026, 3, 2), date(2026, 3, 13), 8),  # 3 March 2026 is Makha Bucha
        (date(2026, 4, 10), date(2026, 4, 16), 1),  # over Songkran
        (date(2026, 3, 11), date(2026, 3, 9), -2),  # two working days late
    ],
)
def test_working_days_between(start, end, count):
    assert CAL.working_days_between(start, end) == count


# --- counted in constant time, meaning exactly what walking day by day means -------------------------------------


def walked_between(calendar: WorkCalendar, start: date, end: date) -> int:
    """The definition, day by day: working days after `start` up to and including `end`, negative backwards."""
    open_on = lambda day: day.weekday() < 5 and calendar.holiday_name(day) is None  # noqa: E731
    step = 1 if end >= start else -1
    count, day = 0, start
    while day != end:
        day += timedelta(days=step)
        count += step * open_on(day if step > 0 else day + timedelta(days=1))
    return count


def walked_previous(calendar: WorkCalendar, day: date, step: int = -1) -> date:
    while not (day.weekday() < 5 and calendar.holiday_name(day) is None):
        day += timedelta(days=step)
    return day


OWN_DAYS_OFF = {  # each a working day of the Thai calendar
    date(2025, 12, 29): "ต่อวันหยุดปีใหม่",  # with 31 Dec - 2 Jan (Thai holidays) and the weekends: 26 Dec to 5 Jan
    date(2025, 12, 30): "ต่อวันหยุดปีใหม่",
    date(2026, 8, 14): "งานประเพณี",
    date(2027, 1, 4): "งานกาชาด",
    date(2027, 1, 5): "งานกาชาด",
    date(2028, 3, 6): "ประชุมประจำปี",
}


@pytest.mark.slow  # every day of four fiscal years, each against a day-by-day walk
@pytest.mark.parametrize("calendar", [pytest.param(WorkCalendar(), id="thai-holidays"),
                                      pytest.param(WorkCalendar(OWN_DAYS_OFF), id="with-own-days-off")])
def test_counts_are_the_day_by_day_definition_over_years(calendar):
    first, last = date(2024, 10, 1), date(2028, 9, 30)  # four fiscal years
    every_day = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    for day in every_day:
        assert calendar.is_working_day(day) is (day.weekday() < 5 and calendar.holiday_name(day) is None), day
        assert calendar.previous_working_day(day) == walked_previous(calendar, day), day
        assert calendar.next_working_day(day) == walked_previous(calendar, day, +1), day
    anchor = date(2026, 3, 2)
    for day in every_day:  # from one day to every other, forwards and backwards, across the years
        assert calendar.working_days_between(anchor, day) == walked_between(calendar, anchor, day), day
        assert calendar.working_days_between(day, anchor) == walked_between(calendar, day, anchor), day
    rng = random.Random(2569)
    for _ in range(2000):
        start, end = rng.choice(every_day), rng.choice(every_day)
        assert calendar.working_days_between(start, end) == walked_between(calendar, start, end), (start, end)


def test_own_days_off_count_in_that_calendar_only():
    assert all(CAL.is_working_day(day) for day in OWN_DAYS_OFF)
    local = WorkCalendar(OWN_DAYS_OFF)
    # 29-30 Dec 2025 off, 31 Dec - 2 Jan Thai holidays: from Friday 26 Dec, Monday 5 Jan is the next working day
    assert local.working_days_between(date(2025, 12, 26), date(2026, 1, 5)) == 1
    assert CAL.working_days_between(date(2025, 12, 26), date(2026, 1, 5)) == 3
    assert local.previous_working_day(date(2026, 1, 4)) == date(2025, 12, 26)
    assert local.next_working_day(date(2025, 12, 29)) == date(2026, 1, 5)
    assert CAL.next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)


def test_a_hundred_thousand_counts_take_well_under_a_second():
    calendar = WorkCalendar(OWN_DAYS_OFF)
    rng = random.Random(7)
    first = date(2025, 10, 1)
    pairs = [(first + timedelta(days=rng.randrange(730)), first + timedelta(days=rng.randrange(730)))
             for _ in range(100_000)]
    calendar.working_days_between(date(2025, 10, 1), date(2027, 9, 30))  # the one-time count of the years
    started = time.perf_counter()
    for start, end in pairs:
        calendar.working_days_between(start, end)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"{elapsed:.3f} s"
    started = time.perf_counter()
    for start, end in pairs:
        task_state(Record(end, "todo"), start, calendar)
    assert time.perf_counter() - started < 1.0  # what My tasks and the dashboard call for each task shown
