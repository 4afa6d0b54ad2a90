"""The period forms real plans write, read by `thai.read_period`: quarters of the fiscal year, calendar-year plans,
recurring work with its rounds, events and school terms without dates, and what is refused and why.

Every form is checked as written with Arabic digits and again with Thai digits.
"""
from __future__ import annotations

import calendar
import dataclasses
from datetime import date
from itertools import pairwise

import pytest

from tracker.thai import (
    PERIOD_KINDS,
    Occurrence,
    Period,
    PeriodError,
    UndatedPeriod,
    parse_period,
    read_period,
    to_arabic_digits,
    to_thai_digits,
)

FY = 2569
FY_START, FY_END = date(2025, 10, 1), date(2026, 9, 30)
NO_FY = None


def both_digits(cases: list[tuple]) -> list:
    """Every case once with Arabic digits and once with Thai digits (once only when it has no digits)."""
    params: list = []
    for text, *expected in cases:
        written = dict.fromkeys([to_arabic_digits(text), to_thai_digits(text)])
        params.extend(pytest.param(variant, *expected, id=variant) for variant in written)
    return params


def check_rounds(period: Period) -> None:
    """A period's rounds are in order, do not overlap, and span exactly its first to its last day."""
    if not period.occurrences:
        return
    assert period.occurrences[0].start == period.start and period.occurrences[-1].end == period.end
    for occurrence in period.occurrences:
        assert period.start <= occurrence.start <= occurrence.end <= period.end
    for before, after in pairwise(period.occurrences):
        assert before.end < after.start


# --- quarters of the fiscal year ------------------------------------------------------------------------------------

Q1, Q2, Q3, Q4 = (
    (date(2025, 10, 1), date(2025, 12, 31)),
    (date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 7, 1), date(2026, 9, 30)),
)


@pytest.mark.parametrize(
    "text, fiscal_year, start, end",
    both_digits([
        ("ไตรมาส ๑ - ๔", FY, Q1[0], Q4[1]),
        ("ไตรมาส 1-4", FY, Q1[0], Q4[1]),
        ("ไตรมาสที่ 2", FY, *Q2),
        ("ไตรมาสที่ 4", FY, *Q4),
        ("ไตรมาสที่ 1-2", FY, Q1[0], Q2[1]),
        ("ไตรมาส 1 ถึง 3", FY, Q1[0], Q3[1]),
        ("ไตรมาสที่ 1 - ไตรมาสที่ 2", FY, Q1[0], Q2[1]),
        ("ไตรมาส 1 และ 2", FY, Q1[0], Q2[1]),  # listed, but one run
        ("ไตรมาส 2, 3", FY, Q2[0], Q3[1]),
        ("Q1-Q4", FY, Q1[0], Q4[1]),
        ("Q1 - Q2", FY, Q1[0], Q2[1]),
        ("q3", FY, *Q3),
        # A written fiscal year needs no plan's, and wins over it.
        ("ไตรมาสที่ 2/2569", NO_FY, *Q2),
        ("ไตรมาสที่ 2/2569", 2575, *Q2),
        ("ไตรมาส 2/69", NO_FY, *Q2),
        ("ไตรมาส 2 ปีงบประมาณ 2569", NO_FY, *Q2),
        ("ไตรมาส 2 ปีงบประมาณ 2569", 2575, *Q2),
        ("ไตรมาสที่ 3 ปีงบประมาณ พ.ศ. 2570", NO_FY, date(2027, 4, 1), date(2027, 6, 30)),
        ("ไตรมาส 1-2 ปีงบฯ 70", NO_FY, date(2026, 10, 1), date(2027, 3, 31)),
        # Another plan's fiscal year moves the quarters with it.
        ("ไตรมาสที่ 1", 2570, date(2026, 10, 1), date(2026, 12, 31)),
        # PDF text spaces everything out.
        ("ไ ต ร ม า ส ที่ 1 - 2", FY, Q1[0], Q2[1]),
    ]),
)
def test_a_run_of_quarters_is_one_period(text: str, fiscal_year: int | None, start: date, end: date) -> None:
    period = read_period(text, fiscal_year)
    assert (period.start, period.end, period.kind) == (start, end, "quarters")
    assert period.occurrences == () and period.warning is None
    assert parse_period(text, fiscal_year) == (start, end)


@pytest.mark.parametrize(
    "text, fiscal_year, rounds",
    both_digits([
        ("ไตรมาส 1 และ 3", FY, [("ไตรมาส 1/69", *Q1), ("ไตรมาส 3/69", *Q3)]),
        ("ไตรมาสที่ 1, 3", FY, [("ไตรมาส 1/69", *Q1), ("ไตรมาส 3/69", *Q3)]),
        ("ไตรมาสที่ 1 และไตรมาสที่ 4", FY, [("ไตรมาส 1/69", *Q1), ("ไตรมาส 4/69", *Q4)]),
        ("Q2, Q4", FY, [("ไตรมาส 2/69", *Q2), ("ไตรมาส 4/69", *Q4)]),
        ("ไตรมาส 1, 2 และ 4", FY, [("ไตรมาส 1/69", *Q1), ("ไตรมาส 2/69", *Q2), ("ไตรมาส 4/69", *Q4)]),
        ("ไตรมาส 2 และ 4/2570", NO_FY, [("ไตรมาส 2/70", date(2027, 1, 1), date(2027, 3, 31)),
                                        ("ไตรมาส 4/70", date(2027, 7, 1), date(2027, 9, 30))]),
    ]),
)
def test_quarters_listed_apart_are_rounds(text: str, fiscal_year: int | None, rounds: list[tuple]) -> None:
    # The work is done in each quarter listed, not from the first to the last: a round each.
    period = read_period(text, fiscal_year)
    assert period.kind == "recurring" and period.warning is None
    assert [(o.label, o.start, o.end) for o in period.occurrences] == rounds
    assert (period.start, period.end) == (rounds[0][1], rounds[-1][2])
    check_rounds(period)


@pytest.mark.parametrize(
    "text, quarter",
    both_digits([("ไตรมาส 5", "5"), ("ไตรมาสที่ 0", "0"), ("ไตรมาส 1-5", "5"), ("Q5", "5"), ("ไตรมาส 1 และ 6", "6"),
                 ("ไตรมาส 5/2569", "5"), ("ไตรมาส 12", "12")]),
)
def test_a_quarter_not_1_to_4_is_refused(text: str, quarter: str) -> None:
    for fiscal_year in (FY, NO_FY):
        with pytest.raises(PeriodError) as excinfo:
            read_period(text, fiscal_year)
        assert type(excinfo.value) is PeriodError
        message = str(excinfo.value)
        assert f'"{text}"' in message and f"ไตรมาส {quarter}" in message
        assert "ไตรมาส 1–4" in message and "quarters are 1-4" in message


@pytest.mark.parametrize("text", both_digits([("ไตรมาส 3-1",), ("ไตรมาสที่ 4 ถึง 2",)]))
def test_quarters_backwards_are_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="สิ้นสุดก่อนวันเริ่มต้น"):
        read_period(text, FY)


# --- calendar-year plans --------------------------------------------------------------------------------------------

YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))
WARNING_2569 = (
    "แผนใช้ปีปฏิทิน (1 ม.ค. 2569 – 31 ธ.ค. 2569) ไม่ตรงกับปีงบประมาณ 2569 (1 ต.ค. 2568 – 30 ก.ย. 2569): "
    "นำเข้าตามวันที่จริง งานที่ครบกำหนดหลังสิ้นปีงบประมาณจะเลยปีงบประมาณ"
)


@pytest.mark.parametrize(
    "text",
    both_digits([
        ("ม.ค. - ธ.ค. 69",),
        ("ม.ค. 69 - ธ.ค. 69",),
        ("มกราคม - ธันวาคม 2569",),
        ("1 ม.ค. 69 - 31 ธ.ค. 69",),
        ("ม.ค. - ธ.ค.",),  # no year: the calendar year the fiscal year ends in, not a range running backwards
        ("1 ม.ค. - 31 ธ.ค.",),
        ("ปีปฏิทิน 2569",),
        ("ตลอดปีปฏิทิน 2569",),
        ("ทั้งปีปฏิทิน พ.ศ. 2569",),
        ("ปีปฏิทิน",),
        ("ตลอด ปี ปฏิทิน",),
    ]),
)
def test_a_calendar_year_plan_is_read_and_warned_about(text: str) -> None:
    period = read_period(text, FY)
    assert (period.start, period.end) == YEAR_2026
    assert period.kind == "calendar_year" and period.occurrences == ()
    assert period.warning == WARNING_2569
    assert parse_period(text, FY) == YEAR_2026


@pytest.mark.parametrize("text", both_digits([("ม.ค. - ธ.ค. 69",), ("ปีปฏิทิน 2569",), ("ตลอดปีปฏิทิน 2026",)]))
def test_a_calendar_year_without_a_fiscal_year_has_nothing_to_warn_about(text: str) -> None:
    period = read_period(text)
    assert (period.start, period.end, period.kind, period.warning) == (*YEAR_2026, "calendar_year", None)


@pytest.mark.parametrize(
    "text, fiscal_year, year, side",
    both_digits([
        ("ตลอดปีปฏิทิน 2568", 2569, 2025, "ก่อนเริ่มปีงบประมาณ"),  # Jan-Sep 2025 is before fiscal year 2569
        ("ม.ค. - ธ.ค. 69", 2570, 2026, "ก่อนเริ่มปีงบประมาณ"),
        ("ปีปฏิทิน 2570", 2570, 2027, "หลังสิ้นปีงบประมาณ"),
    ]),
)
def test_the_warning_names_the_side_that_does_not_fit(text: str, fiscal_year: int, year: int, side: str) -> None:
    period = read_period(text, fiscal_year)
    assert (period.start, period.end) == (date(year, 1, 1), date(year, 12, 31))
    assert period.warning is not None and side in period.warning
    assert f"ไม่ตรงกับปีงบประมาณ {fiscal_year}" in period.warning
    assert f"(1 ม.ค. {year + 543} – 31 ธ.ค. {year + 543})" in period.warning


@pytest.mark.parametrize(
    "text, fiscal_year, expected",
    both_digits([
        ("ม.ค. - มี.ค. 69", FY, (date(2026, 1, 1), date(2026, 3, 31))),
        ("ม.ค. 69 - ธ.ค. 70", FY, (date(2026, 1, 1), date(2027, 12, 31))),  # two years: a range, not a calendar year
        ("2 ม.ค. 69 - 31 ธ.ค. 69", FY, (date(2026, 1, 2), date(2026, 12, 31))),
        ("ต.ค. 68 - ก.ย. 69", FY, (FY_START, FY_END)),
    ]),
)
def test_other_ranges_are_no_calendar_year(text: str, fiscal_year: int, expected: tuple[date, date]) -> None:
    period = read_period(text, fiscal_year)
    assert (period.start, period.end, period.kind, period.warning) == (*expected, "range", None)


def test_a_year_without_saying_which_kind_stays_unread() -> None:
    # "ตลอดปี 2569" could be the calendar or the fiscal year: refused as before, never guessed.
    for text in ("ตลอดปี 2569", "ตลอดปี ๒๕๖๙"):
        with pytest.raises(PeriodError, match="ตัวอย่างที่อ่านได้"):
            read_period(text, FY)


# --- recurring work -------------------------------------------------------------------------------------------------

MONTHLY = (12, ("ต.ค. 68", date(2025, 10, 31)), ("ก.ย. 69", FY_END))
QUARTERLY = (4, ("ไตรมาส 1/69", date(2025, 12, 31)), ("ไตรมาส 4/69", FY_END))
DAYS_1_5 = (12, ("1-5 ต.ค. 68", date(2025, 10, 5)), ("1-5 ก.ย. 69", date(2026, 9, 5)))


@pytest.mark.parametrize(
    "text, fiscal_year, start, end, count, first, last",
    both_digits([
        # Every month of the fiscal year, due on each month's last day.
        ("ทุกเดือน", FY, FY_START, FY_END, *MONTHLY),
        ("รายเดือน", FY, FY_START, FY_END, *MONTHLY),
        ("เดือนละ 1 ครั้ง", FY, FY_START, FY_END, *MONTHLY),
        ("เดือนละครั้ง", FY, FY_START, FY_END, *MONTHLY),
        ("ทุก ๆ เดือน", FY, FY_START, FY_END, *MONTHLY),
        ("ทุกเดือน ตลอดปีงบประมาณ", FY, FY_START, FY_END, *MONTHLY),
        ("ทุกเดือน ปีงบประมาณ 2569", NO_FY, FY_START, FY_END, *MONTHLY),
        # Every quarter, due at each quarter's end.
        ("ทุกไตรมาส", FY, FY_START, FY_END, *QUARTERLY),
        ("รายไตรมาส", FY, FY_START, FY_END, *QUARTERLY),
        ("ไตรมาสละ 1 ครั้ง", FY, FY_START, FY_END, *QUARTERLY),
        ("ทุก 3 เดือน", FY, FY_START, FY_END, *QUARTERLY),
        # Some days of every month, due on the last of them.
        ("ทุกวันที่ ๑ - ๕ ของทุกเดือน", FY, FY_START, date(2026, 9, 5), *DAYS_1_5),
        ("ทุกวันที่ 1-5 ของเดือน", FY, FY_START, date(2026, 9, 5), *DAYS_1_5),
        ("ทุกวันที่ 1 ถึง 5", FY, FY_START, date(2026, 9, 5), *DAYS_1_5),
        ("วันที่ 1-5 ของทุกเดือน", FY, FY_START, date(2026, 9, 5), *DAYS_1_5),
        ("ภายในวันที่ 5 ของทุกเดือน", FY, FY_START, date(2026, 9, 5), *DAYS_1_5),
        ("ทุกวันที่ 25 ของเดือน", FY, date(2025, 10, 25), date(2026, 9, 25),
         12, ("25 ต.ค. 68", date(2025, 10, 25)), ("25 ก.ย. 69", date(2026, 9, 25))),
        # With a range: only the rounds inside it.
        ("ทุกเดือน (ต.ค. 68 - มี.ค. 69)", NO_FY, FY_START, date(2026, 3, 31),
         6, ("ต.ค. 68", date(2025, 10, 31)), ("มี.ค. 69", date(2026, 3, 31))),
        ("ทุกเดือน (ต.ค. 68 - มี.ค. 69)", FY, FY_START, date(2026, 3, 31),
         6, ("ต.ค. 68", date(2025, 10, 31)), ("มี.ค. 69", date(2026, 3, 31))),
        ("รายเดือน ต.ค. 68 - ธ.ค. 68", NO_FY, FY_START, date(2025, 12, 31),
         3, ("ต.ค. 68", date(2025, 10, 31)), ("ธ.ค. 68", date(2025, 12, 31))),
        ("ทุกเดือน ในช่วง ม.ค. - มี.ค.", FY, date(2026, 1, 1), date(2026, 3, 31),
         3, ("ม.ค. 69", date(2026, 1, 31)), ("มี.ค. 69", date(2026, 3, 31))),
        ("ต.ค. 68 - ก.ย. 69 (รายไตรมาส)", NO_FY, FY_START, FY_END, *QUARTERLY),
        ("ต.ค. 68 - ก.ย. 69 รายไตรมาส", NO_FY, FY_START, FY_END, *QUARTERLY),
        ("ทุกเดือน ไตรมาส 1-2", FY, FY_START, date(2026, 3, 31),
         6, ("ต.ค. 68", date(2025, 10, 31)), ("มี.ค. 69", date(2026, 3, 31))),
        ("ทุกวันที่ 1-5 ของเดือน (ม.ค. 69 - มี.ค. 69)", NO_FY, date(2026, 1, 1), date(2026, 3, 5),
         3, ("1-5 ม.ค. 69", date(2026, 1, 5)), ("1-5 มี.ค. 69", date(2026, 3, 5))),
        ("ต.ค. 68 - ธ.ค. 68 ทุกวันที่ 25", NO_FY, date(2025, 10, 25), date(2025, 12, 25),
         3, ("25 ต.ค. 68", date(2025, 10, 25)), ("25 ธ.ค. 68", date(2025, 12, 25))),
        # From a month to the end of the fiscal year (the plan's, or the one the month falls in).
        ("ทุกเดือน ตั้งแต่ ม.ค. 69", NO_FY, date(2026, 1, 1), FY_END,
         9, ("ม.ค. 69", date(2026, 1, 31)), ("ก.ย. 69", FY_END)),
        ("ทุกเดือน ตั้งแต่ ม.ค. 69", FY, date(2026, 1, 1), FY_END,
         9, ("ม.ค. 69", date(2026, 1, 31)), ("ก.ย. 69", FY_END)),
        ("ทุกเดือน ตั้งแต่ มีนาคม เป็นต้นไป", FY, date(2026, 3, 1), FY_END,
         7, ("มี.ค. 69", date(2026, 3, 31)), ("ก.ย. 69", FY_END)),
        # A round partly outside the range is cut to it.
        ("ทุกไตรมาส (15 พ.ย. 68 - 10 ก.พ. 69)", NO_FY, date(2025, 11, 15), date(2026, 2, 10),
         2, ("ไตรมาส 1/69", date(2025, 12, 31)), ("ไตรมาส 2/69", date(2026, 2, 10))),
        ("ทุกเดือน (15 ต.ค. 68 - 10 ธ.ค. 68)", NO_FY, date(2025, 10, 15), date(2025, 12, 10),
         3, ("15-31 ต.ค. 68", date(2025, 10, 31)), ("1-10 ธ.ค. 68", date(2025, 12, 10))),
        ("ทุกวันที่ 1-5 ของเดือน (3 ต.ค. 68 - 3 ธ.ค. 68)", NO_FY, date(2025, 10, 3), date(2025, 12, 3),
         3, ("3-5 ต.ค. 68", date(2025, 10, 5)), ("1-3 ธ.ค. 68", date(2025, 12, 3))),
        # A note in brackets that is no range is left aside.
        ("ทุกเดือน (ตามกำหนดการ)", FY, FY_START, FY_END, *MONTHLY),
    ]),
)
def test_recurring_work_has_a_round_each_time(
    text: str, fiscal_year: int | None, start: date, end: date, count: int, first: tuple, last: tuple
) -> None:
    period = read_period(text, fiscal_year)
    assert (period.start, period.end, period.kind) == (start, end, "recurring")
    assert len(period.occurrences) == count
    assert (period.occurrences[0].label, period.occurrences[0].end) == first
    assert (period.occurrences[-1].label, period.occurrences[-1].end) == last
    assert period.warning is None
    check_rounds(period)
    assert parse_period(text, fiscal_year) == (start, end)


def test_monthly_rounds_are_the_months_of_the_fiscal_year() -> None:
    period = read_period("ทุกเดือน", FY)
    assert [o.label for o in period.occurrences] == [
        "ต.ค. 68", "พ.ย. 68", "ธ.ค. 68", "ม.ค. 69", "ก.พ. 69", "มี.ค. 69",
        "เม.ย. 69", "พ.ค. 69", "มิ.ย. 69", "ก.ค. 69", "ส.ค. 69", "ก.ย. 69",
    ]
    assert all(o.start.day == 1 and o.end.month == o.start.month for o in period.occurrences)
    assert period.occurrences[4] == Occurrence("ก.พ. 69", date(2026, 2, 1), date(2026, 2, 28))


@pytest.mark.parametrize("text", both_digits([("ทุกวันที่ 31 ของเดือน",), ("ทุกวันที่ 29-31 ของเดือน",)]))
def test_a_day_past_a_short_month_is_its_last_day(text: str) -> None:
    # Day 31 of a 30-day month, or of February, is the month's last day: no round skipped, nothing to warn about.
    period = read_period(text, FY)
    ends = [o.end for o in period.occurrences]
    assert ends == [date(y, m, calendar.monthrange(y, m)[1])
                    for y, m in [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 10)]]
    assert period.warning is None
    february = period.occurrences[4]
    assert february.end == date(2026, 2, 28) and february.start <= february.end


def test_a_range_with_a_calendar_year_keeps_its_warning() -> None:
    period = read_period("ทุกเดือน (ม.ค. - ธ.ค. 69)", FY)
    assert period.kind == "recurring" and len(period.occurrences) == 12
    assert (period.start, period.end) == YEAR_2026 and period.warning == WARNING_2569


@pytest.mark.parametrize(
    "text",
    both_digits([("ทุกสัปดาห์",), ("รายสัปดาห์",), ("สัปดาห์ละ 1 ครั้ง",), ("ทุก 2 สัปดาห์",), ("ทุกวัน",), ("รายวัน",),
                 ("ทุกวันทำการ",), ("วันละ 1 ครั้ง",), ("ทุกวันจันทร์",), ("ทุก ๆ สัปดาห์",),
                 ("ต.ค. 68 - ก.ย. 69 (ทุกสัปดาห์)",), ("ทุกสัปดาห์ ต.ค. 68 - มี.ค. 69",)]),
)
def test_weekly_and_daily_work_is_refused_saying_what_to_write(text: str) -> None:
    for fiscal_year in (FY, NO_FY):
        with pytest.raises(PeriodError) as excinfo:
            read_period(text, fiscal_year)
        assert type(excinfo.value) is PeriodError
        message = str(excinfo.value)
        assert f'"{text}"' in message and "รายสัปดาห์หรือรายวัน" in message
        assert '"ต.ค. 68 - ก.ย. 69"' in message and '"ทุกเดือน"' in message  # what to write instead
        assert "weekly or daily work is tracked as one task for the period" in message


@pytest.mark.parametrize(
    "text, day",
    both_digits([("ทุกวันที่ 32 ของเดือน", "32"), ("ทุกวันที่ 32", "32"), ("ทุกวันที่ 0 ของเดือน", "0"),
                 ("ภายในวันที่ 32 ของทุกเดือน", "32"), ("ทุกวันที่ 1-32 ของเดือน", "32"),
                 ("วันที่ 40 ของทุกเดือน", "40"), ("ทุกวันที่ 100", "100")]),
)
def test_a_day_of_the_month_that_cannot_be_is_refused(text: str, day: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        read_period(text, FY)
    message = str(excinfo.value)
    assert f'"{text}"' in message and f"วันที่ {day} ของเดือน" in message and "1–31" in message


def test_days_of_the_month_backwards_are_refused() -> None:
    for text in ("ทุกวันที่ 5-1 ของเดือน", "ทุกวันที่ ๕ - ๑ ของเดือน"):
        with pytest.raises(PeriodError, match="สิ้นสุดก่อนวันเริ่มต้น"):
            read_period(text, FY)


@pytest.mark.parametrize(
    "text",
    both_digits([("ไตรมาส 1-2",), ("ไตรมาสที่ 2",), ("Q1-Q4",), ("ไตรมาส 1 และ 3",), ("ทุกเดือน",), ("ทุกไตรมาส",),
                 ("ทุกวันที่ 1-5 ของเดือน",), ("ภายในวันที่ 5 ของทุกเดือน",), ("ปีปฏิทิน",), ("ม.ค. - ธ.ค.",),
                 ("ทุกเดือน ตั้งแต่ ม.ค.",), ("ทุกเดือน (ต.ค. - มี.ค.)",)]),
)
def test_a_period_without_a_year_needs_the_fiscal_year(text: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        read_period(text)
    message = str(excinfo.value)
    assert f'"{text}"' in message and "ต้องระบุปีงบประมาณ" in message


def test_an_impossible_fiscal_year_is_refused_for_the_new_forms_too() -> None:
    for text in ("ไตรมาส 1-2", "ทุกเดือน", "ปีปฏิทิน", "ม.ค. - ธ.ค."):
        with pytest.raises(PeriodError, match="ปีงบประมาณ 9999 ไม่ใช่ปีที่เป็นไปได้"):
            read_period(text, 9999)


def test_recurring_work_with_no_round_in_its_range_is_refused() -> None:
    with pytest.raises(PeriodError, match="ไม่มีรอบใดอยู่ในช่วงที่ระบุ"):
        read_period("ทุกวันที่ 1-5 ของเดือน (10 ต.ค. 68 - 20 ต.ค. 68)")


def test_rounds_over_years_are_refused_as_a_slip() -> None:
    # Four years of months: more rounds than a plan has, a slip in a written year (ก.ย. 72 for ก.ย. 69).
    with pytest.raises(PeriodError, match="48 รอบ เกินที่รับได้ 36 รอบ"):
        read_period("ทุกเดือน (ต.ค. 68 - ก.ย. 72)")
    assert len(read_period("ทุกเดือน (ต.ค. 68 - ก.ย. 71)").occurrences) == 36


# --- events and school terms ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    both_digits([
        ("ตามห้วงเวลาจัดงานประเพณี",),
        ("ตาม ห้วง เวลา การจัดงาน",),
        ("ตามช่วงเวลาเทศกาลสงกรานต์",),
        ("ตามกำหนดการของจังหวัด",),
        ("ตามปฏิทินการศึกษา 2569",),
        ("ตามระยะเวลาที่กำหนด",),
        ("ภาคเรียนที่ 1",),
        ("ภาคเรียนที่ ๒/๒๕๖๙",),
        ("ภาคการศึกษาที่ 1",),
        ("ช่วงเทศกาลปีใหม่",),
        ("งานประเพณีลอยกระทง",),
        ("เมื่อมีการร้องเรียน",),
        ("เมื่อได้รับแจ้ง",),
        ("ตามความเหมาะสม",),
        ("ตามที่ได้รับมอบหมาย",),
        ("ภาคเรียนที่ 1 (ทุกเดือน)",),  # how often, but still not when
        ("ตามปฏิทินกิจกรรม (ประมาณกลางปี)",),
    ]),
)
def test_an_event_or_a_term_is_undated_not_unreadable(text: str) -> None:
    for fiscal_year in (FY, NO_FY):
        with pytest.raises(UndatedPeriod) as excinfo:
            read_period(text, fiscal_year)
        error = excinfo.value
        assert isinstance(error, PeriodError) and isinstance(error, ValueError)
        assert error.text == text
        assert str(error) == (
            f"ช่วงเวลา “{text.strip()}” ไม่ได้ระบุวันที่ (ตามกิจกรรมหรือภาคเรียน) — กำหนดวันที่ในหน้าตัวอย่างก่อนนำเข้า"
        )
    # Callers of parse_period keep treating it as a period they cannot read.
    with pytest.raises(PeriodError):
        parse_period(text, FY)


@pytest.mark.parametrize(
    "text, expected",
    both_digits([
        ("ต.ค. 68 - ก.ย. 69 (ตามปฏิทินกิจกรรม)", (FY_START, FY_END)),
        ("ต.ค. 68 - ก.ย. 69 (ตามห้วงเวลาจัดงาน)", (FY_START, FY_END)),
        ("มี.ค. 69 (ช่วงเทศกาล)", (date(2026, 3, 1), date(2026, 3, 31))),
        ("ไตรมาส 3 (ตามกำหนดการ)", Q3),
        ("ภาคเรียนที่ 1 (พ.ค. - ก.ย. 69)", (date(2026, 5, 1), date(2026, 9, 30))),
        ("ตามกำหนดการ (ม.ค. 69)", (date(2026, 1, 1), date(2026, 1, 31))),
    ]),
)
def test_dates_written_with_an_event_are_read(text: str, expected: tuple[date, date]) -> None:
    assert parse_period(text, FY) == expected


# --- everything else stays refused, the old forms read as before ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    both_digits([("ไตรมาส",), ("ทุก",), ("ทุก 6 เดือน",), ("เดือนละ 2 ครั้ง",), ("ทุกเดือนละ 2 ครั้ง",), ("abc (def)",),
                 ("ไตรมาส 1-2-3",), ("ตั้งแต่ ม.ค. 69",), ("ไตรมาสที่ 1 ปี 2569",),
                 ("ทุกเดือน ไตรมาส 1 และ 3",)]),
)
def test_anything_else_stays_unreadable(text: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        read_period(text, FY)
    assert type(excinfo.value) is PeriodError
    assert "ตัวอย่างที่อ่านได้" in str(excinfo.value) and excinfo.value.text == text


@pytest.mark.parametrize(
    "text, fiscal_year, expected, kind",
    both_digits([
        ("ต.ค. 68 - ก.ย. 69", NO_FY, (FY_START, FY_END), "range"),
        ("ตุลาคม 2568 – กันยายน 2569", FY, (FY_START, FY_END), "range"),
        ("15 ต.ค. 68 - 20 ธ.ค. 68", NO_FY, (date(2025, 10, 15), date(2025, 12, 20)), "range"),
        ("ต.ค. - ธ.ค.", FY, (FY_START, date(2025, 12, 31)), "range"),
        ("มี.ค. 69", NO_FY, (date(2026, 3, 1), date(2026, 3, 31)), "range"),
        ("15 มี.ค. 69", NO_FY, (date(2026, 3, 15), date(2026, 3, 15)), "range"),
        ("ปีงบประมาณ พ.ศ. 2569", NO_FY, (FY_START, FY_END), "fiscal_year"),
        ("ปีงบฯ 69", 2575, (FY_START, FY_END), "fiscal_year"),
        ("ตลอดปีงบประมาณ", FY, (FY_START, FY_END), "fiscal_year"),
        ("ตลอดปี", FY, (FY_START, FY_END), "fiscal_year"),
    ]),
)
def test_the_old_forms_read_as_before(
    text: str, fiscal_year: int | None, expected: tuple[date, date], kind: str
) -> None:
    assert parse_period(text, fiscal_year) == expected
    period = read_period(text, fiscal_year)
    assert (period.start, period.end, period.kind, period.occurrences, period.warning) == (*expected, kind, (), None)


@pytest.mark.parametrize("text, fiscal_year", [("ก.ค. - ธ.ค.", FY), ("ก.ย. 69 - ต.ค. 68", NO_FY)])
def test_a_range_running_backwards_is_still_refused(text: str, fiscal_year: int | None) -> None:
    with pytest.raises(PeriodError, match="สิ้นสุดก่อนวันเริ่มต้น"):
        read_period(text, fiscal_year)


def test_the_period_types() -> None:
    assert PERIOD_KINDS == ("range", "fiscal_year", "quarters", "calendar_year", "recurring")
    period = Period(FY_START, FY_END)
    assert (period.kind, period.occurrences, period.warning) == ("range", (), None)
    with pytest.raises(ValueError):
        Period(FY_START, FY_END, kind="weekly")
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.start = FY_END  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Occurrence("ต.ค. 68", FY_START, date(2025, 10, 31)).end = FY_END  # type: ignore[misc]
    assert issubclass(UndatedPeriod, PeriodError)
