"""Working days: weekends, Thai public and government holidays, substitution days, the organization's own days off."""
from __future__ import annotations

from datetime import date

import pytest

from tracker.workdays import WorkCalendar, describe_due

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


def test_describe_due():
    today = date(2026, 3, 11)  # a Wednesday
    assert describe_due(date(2026, 3, 11), False, today, CAL).text == "ครบกำหนดวันนี้"
    assert describe_due(date(2026, 3, 9), False, today, CAL).text == "เกินกำหนด 2 วันทำการ"
    assert describe_due(date(2026, 3, 13), False, today, CAL).text == "เหลือ 2 วันทำการ"
    assert describe_due(date(2026, 3, 13), False, today, CAL).kind == "soon"
    assert describe_due(date(2026, 6, 30), False, today, CAL).kind == "later"
    assert describe_due(date(2026, 3, 2), True, today, CAL).kind == "done"
    # Due on a Saturday, seen on Monday: late by one day even though no working day passed in between.
    assert describe_due(date(2026, 3, 7), False, date(2026, 3, 9), CAL).text == "เกินกำหนด 1 วันทำการ"
