from datetime import date

import pytest

from tracker.thai import (
    MONTHS_LONG,
    MONTHS_SHORT,
    THAI_DIGITS,
    PeriodError,
    be_year,
    ce_year,
    file_date,
    fiscal_year_bounds,
    fiscal_year_of,
    format_date,
    format_period,
    is_plausible_be_year,
    parse_period,
    to_arabic_digits,
    to_thai_digits,
)

FY2569 = (date(2025, 10, 1), date(2026, 9, 30))
MARCH_2026 = (date(2026, 3, 1), date(2026, 3, 31))


def test_month_tables() -> None:
    assert len(MONTHS_SHORT) == len(MONTHS_LONG) == 12
    assert MONTHS_SHORT[0] == "ม.ค." and MONTHS_SHORT[9] == "ต.ค."
    assert MONTHS_LONG[0] == "มกราคม" and MONTHS_LONG[11] == "ธันวาคม"
    assert THAI_DIGITS == "๐๑๒๓๔๕๖๗๘๙"


@pytest.mark.parametrize(
    "value,expected",
    [
        (0, "๐"),
        (2569, "๒๕๖๙"),
        ("1234567890", "๑๒๓๔๕๖๗๘๙๐"),
        ("96.39%", "๙๖.๓๙%"),
        ("ปี 2569", "ปี ๒๕๖๙"),
        ("", ""),
        ("๑๒ already", "๑๒ already"),
    ],
)
def test_to_thai_digits(value: str | int, expected: str) -> None:
    assert to_thai_digits(value) == expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("๒๕๖๙", "2569"),
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("ต.ค.๖๘ - ก.ย.๖๙", "ต.ค.68 - ก.ย.69"),
        ("mixed ๑2๓", "mixed 123"),
        ("no digits", "no digits"),
        ("", ""),
    ],
)
def test_to_arabic_digits(value: str, expected: str) -> None:
    assert to_arabic_digits(value) == expected


def test_digit_round_trip() -> None:
    assert to_arabic_digits(to_thai_digits("0123456789")) == "0123456789"


@pytest.mark.parametrize("ce,be", [(2025, 2568), (2026, 2569), (1957, 2500), (2000, 2543)])
def test_be_ce_years(ce: int, be: int) -> None:
    assert be_year(ce) == be
    assert ce_year(be) == ce


@pytest.mark.parametrize(
    "day,expected",
    [
        (date(2025, 9, 30), 2568),
        (date(2025, 10, 1), 2569),
        (date(2025, 12, 31), 2569),
        (date(2026, 1, 1), 2569),
        (date(2026, 9, 30), 2569),
        (date(2026, 10, 1), 2570),
    ],
)
def test_fiscal_year_of(day: date, expected: int) -> None:
    assert fiscal_year_of(day) == expected


@pytest.mark.parametrize(
    "fy,expected",
    [
        (2569, FY2569),
        (2568, (date(2024, 10, 1), date(2025, 9, 30))),
        (2570, (date(2026, 10, 1), date(2027, 9, 30))),
    ],
)
def test_fiscal_year_bounds(fy: int, expected: tuple[date, date]) -> None:
    assert fiscal_year_bounds(fy) == expected
    assert fiscal_year_of(expected[0]) == fy
    assert fiscal_year_of(expected[1]) == fy


@pytest.mark.parametrize(
    "day,kwargs,expected",
    [
        (date(2025, 10, 1), {}, "1 ต.ค. 2568"),
        (date(2025, 10, 1), {"thai_digits": True}, "๑ ต.ค. ๒๕๖๘"),
        (date(2025, 10, 1), {"long": True}, "1 ตุลาคม 2568"),
        (date(2025, 10, 1), {"long": True, "thai_digits": True}, "๑ ตุลาคม ๒๕๖๘"),
        (date(2026, 2, 28), {}, "28 ก.พ. 2569"),
        (date(2026, 1, 15), {"long": True}, "15 มกราคม 2569"),
        (date(2026, 12, 31), {"thai_digits": True}, "๓๑ ธ.ค. ๒๕๖๙"),
    ],
)
def test_format_date(day: date, kwargs: dict[str, bool], expected: str) -> None:
    assert format_date(day, **kwargs) == expected


@pytest.mark.parametrize("day,expected", [(date(2026, 3, 31), "2569-03-31"), (date(2026, 12, 7), "2569-12-07"),
                                          (date(2025, 10, 1), "2568-10-01"), (date(2024, 2, 29), "2567-02-29")])
def test_file_date_is_iso_shaped_with_the_buddhist_era_year(day: date, expected: str) -> None:
    assert file_date(day) == expected


@pytest.mark.parametrize(
    "thai_digits,expected",
    [
        (False, "1 ต.ค. 2568 – 30 ก.ย. 2569"),
        (True, "๑ ต.ค. ๒๕๖๘ – ๓๐ ก.ย. ๒๕๖๙"),
    ],
)
def test_format_period(thai_digits: bool, expected: str) -> None:
    assert format_period(*FY2569, thai_digits=thai_digits) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # Abbreviations with two-digit BE years, Thai digits.
        ("ต.ค.๖๘ - ก.ย.๖๙", FY2569),
        ("ต.ค.68-ก.ย.69", FY2569),
        ("ต.ค. 68 - ก.ย. 69", FY2569),
        # PDF extraction spaces out letters and digits.
        ("ต . ค . ๖ ๘ - ก.ย.๖๙", FY2569),
        ("ต . ค . ๖ ๘  -  ก . ย . ๖ ๙", FY2569),
        # Full month names and every separator.
        ("ตุลาคม 2568 – กันยายน 2569", FY2569),
        ("ตุลาคม 2568 — กันยายน 2569", FY2569),
        ("ตุลาคม 2568 - กันยายน 2569", FY2569),
        ("ตุลาคม 2568 ถึง กันยายน 2569", FY2569),
        ("ตั้งแต่ ตุลาคม 2568 จนถึง กันยายน 2569", FY2569),
        ("ตุลาคม ๒๕๖๘ – กันยายน ๒๕๖๙", FY2569),
        ("เดือนตุลาคม 2568 - เดือนกันยายน 2569", FY2569),
        # Four-digit years with abbreviations.
        ("ต.ค. 2568 - ก.ย. 2569", FY2569),
        ("ต.ค. พ.ศ. 2568 - ก.ย. พ.ศ. 2569", FY2569),
        # Four-digit years below 2400 are CE.
        ("ตุลาคม 2025 - กันยายน 2026", FY2569),
        ("ต.ค. 2025 - ก.ย. 2569", FY2569),
        # Missing final dot, or no dots at all.
        ("ต.ค 68 - ก.ย 69", FY2569),
        ("ตค 68 - กย 69", FY2569),
        ("ตค.68-ก.ย69", FY2569),
        # Days narrow the range.
        ("1 ต.ค. 68 - 30 ก.ย. 69", FY2569),
        ("15 ต.ค. 68 - 20 ธ.ค. 68", (date(2025, 10, 15), date(2025, 12, 20))),
        ("๑ ม.ค. ๖๙ – ๓๑ มี.ค. ๖๙", (date(2026, 1, 1), date(2026, 3, 31))),
        ("10 มีนาคม 2569 - มิถุนายน 2569", (date(2026, 3, 10), date(2026, 6, 30))),
        # A start without a year borrows the end's year.
        ("ต.ค. - ธ.ค. 68", (date(2025, 10, 1), date(2025, 12, 31))),
        ("พ.ย. - ก.พ. 69", (date(2025, 11, 1), date(2026, 2, 28))),
        ("ม.ค. - มี.ค. 69", (date(2026, 1, 1), date(2026, 3, 31))),
        ("ธันวาคม - มกราคม 2569", (date(2025, 12, 1), date(2026, 1, 31))),
        # An end without a year borrows the start's year.
        ("ต.ค. 68 - ธ.ค.", (date(2025, 10, 1), date(2025, 12, 31))),
        ("พ.ย. 68 - ก.พ.", (date(2025, 11, 1), date(2026, 2, 28))),
        # Leap February.
        ("ก.พ. 67", (date(2024, 2, 1), date(2024, 2, 29))),
        # Whole fiscal year with a written year.
        ("ปีงบประมาณ พ.ศ. 2569", FY2569),
        ("ปีงบประมาณ 2569", FY2569),
        ("ปีงบฯ 69", FY2569),
        ("ปีงบประมาณ พ.ศ. ๒๕๖๙", FY2569),
        ("ตลอดปีงบประมาณ 2569", FY2569),
        ("ปี งบ ประมาณ ๒ ๕ ๖ ๙", FY2569),
        # A single month.
        ("มี.ค. 69", MARCH_2026),
        ("มีนาคม 2569", MARCH_2026),
        ("มี.ค.๖๙", MARCH_2026),
        ("มีค 69", MARCH_2026),
        ("มีนาคม 2026", MARCH_2026),
        ("กุมภาพันธ 2569", (date(2026, 2, 1), date(2026, 2, 28))),
        # A single written day.
        ("15 มี.ค. 69", (date(2026, 3, 15), date(2026, 3, 15))),
        # Cell noise around the text.
        ("  \n ต.ค. 68 -\n ก.ย. 69 \n", FY2569),
        ("\u200bต.ค.\u200b68 - ก.ย. 69", FY2569),
    ],
)
def test_parse_period(text: str, expected: tuple[date, date]) -> None:
    assert parse_period(text) == expected
    # A written year always wins over the plan's fiscal year.
    assert parse_period(text, fiscal_year=2575) == expected


@pytest.mark.parametrize(
    "text,fiscal_year,expected",
    [
        ("ตลอดปีงบประมาณ", 2569, FY2569),
        ("ตลอดปี", 2569, FY2569),
        ("ทั้งปีงบประมาณ", 2569, FY2569),
        ("ทั้งปี", 2570, (date(2026, 10, 1), date(2027, 9, 30))),
        ("ตลอด ปี งบ ประมาณ", 2569, FY2569),
        ("มีนาคม", 2569, MARCH_2026),
        ("มี.ค.", 2569, MARCH_2026),
        ("ตุลาคม", 2569, (date(2025, 10, 1), date(2025, 10, 31))),
        ("ธ.ค.", 2569, (date(2025, 12, 1), date(2025, 12, 31))),
        ("ก.ย.", 2569, (date(2026, 9, 1), date(2026, 9, 30))),
        ("ต.ค. - ธ.ค.", 2569, (date(2025, 10, 1), date(2025, 12, 31))),
        ("พ.ย. - ก.พ.", 2569, (date(2025, 11, 1), date(2026, 2, 28))),
        ("ต.ค. - ก.ย.", 2569, FY2569),
        ("เม.ย. - มิ.ย.", 2569, (date(2026, 4, 1), date(2026, 6, 30))),
        ("1 ต.ค. - 15 พ.ย.", 2569, (date(2025, 10, 1), date(2025, 11, 15))),
    ],
)
def test_parse_period_inside_fiscal_year(
    text: str, fiscal_year: int, expected: tuple[date, date]
) -> None:
    assert parse_period(text, fiscal_year) == expected


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "",
        "   ",
        "13/2568",
        "ต.ค. 68 - ",
        " - ก.ย. 69",
        "ต.ค. 68 ก.ย. 69",
        "ต.ค. 568",
        "ต.ค. 68 - ก.ย. 69 - ธ.ค. 69",
        "ตลอดปี 2569",
        "1/10/2568",
        "๑๒๓",
        "ตุลา 68",
    ],
)
def test_parse_period_garbage(text: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text, fiscal_year=2569)
    message = str(excinfo.value)
    assert f'"{text.strip()}"' in message
    assert "ตัวอย่างที่อ่านได้" in message
    assert excinfo.value.text == text


@pytest.mark.parametrize(
    "text",
    ["ตลอดปีงบประมาณ", "ตลอดปี", "ทั้งปีงบประมาณ", "ปีงบประมาณ", "มีนาคม", "ก.ย.", "ต.ค. - ธ.ค."],
)
def test_parse_period_needs_fiscal_year(text: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text)
    message = str(excinfo.value)
    assert f'"{text}"' in message
    assert "ปีงบประมาณ" in message
    assert excinfo.value.text == text


@pytest.mark.parametrize(
    "text,fiscal_year",
    [
        ("ก.ย. 69 - ต.ค. 68", None),
        ("กันยายน 2569 – ตุลาคม 2568", None),
        ("30 ต.ค. 68 - 1 ต.ค. 68", None),
        ("ก.ค. - ธ.ค.", 2569),
    ],
)
def test_parse_period_end_before_start(text: str, fiscal_year: int | None) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text, fiscal_year)
    message = str(excinfo.value)
    assert f'"{text}"' in message
    assert "สิ้นสุดก่อน" in message


@pytest.mark.parametrize("text", ["31 ก.ย. 69", "30 ก.พ. 69 - มี.ค. 69", "0 ต.ค. 68"])
def test_parse_period_no_such_day(text: str) -> None:
    with pytest.raises(PeriodError, match="ไม่มีอยู่จริง") as excinfo:
        parse_period(text)
    assert f'"{text}"' in str(excinfo.value)


def test_period_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        parse_period("abc")


# --- days that do not exist, years no plan is dated in (issue 10, items 10 and 13) -----------------------------------


@pytest.mark.parametrize(
    "text, day_written, days",
    [
        ("31 ก.พ. 70", "31 ก.พ. 2570", 28),
        ("30 ก.พ. 2570", "30 ก.พ. 2570", 28),
        ("29 ก.พ. 2569", "29 ก.พ. 2569", 28),  # 2026 is not a leap year
        ("1 ก.พ. 70 - 31 ก.พ. 70", "31 ก.พ. 2570", 28),
        ("31 เม.ย. 69", "31 เม.ย. 2569", 30),
        ("๓๑ ก.พ. ๗๐", "31 ก.พ. 2570", 28),
        ("0 ต.ค. 68", "0 ต.ค. 2568", 31),
    ],
)
def test_a_day_that_does_not_exist_is_said_so(text: str, day_written: str, days: int) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text, 2569)
    message = str(excinfo.value)
    assert f'"{text}"' in message
    assert "ไม่มีอยู่จริง" in message and f"วันที่ {day_written} ไม่มีในปฏิทิน" in message
    assert f"มี {days} วัน" in message
    # Not the message of a text that cannot be read: the text was read, the day is not in the calendar.
    assert "อ่านช่วงเวลาไม่ได้" not in message and "ตัวอย่างที่อ่านได้" not in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("29 ก.พ. 2571", (date(2028, 2, 29), date(2028, 2, 29))),  # 2028 is a leap year
        ("29 ก.พ. 67", (date(2024, 2, 29), date(2024, 2, 29))),
        ("1 ก.พ. 71 - 29 ก.พ. 71", (date(2028, 2, 1), date(2028, 2, 29))),
        ("31 ม.ค. 70", (date(2027, 1, 31), date(2027, 1, 31))),
    ],
)
def test_leap_days_and_month_ends_exist(text: str, expected: tuple[date, date]) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    "text, year",
    [
        ("ต.ค. 0000", "0000"),
        ("ต.ค. 0001 - ก.ย. 0002", "0001"),  # CE 1: a BE reading would fall before year 1
        ("ม.ค. 0543", "0543"),  # BE 1086 if read as CE
        ("ปีงบประมาณ 0001", "0001"),
        ("ปีงบประมาณ 9999", "9999"),
        ("ต.ค. 9999", "9999"),
        ("1 ม.ค. 9999", "9999"),
        ("ต.ค. 2399 - ก.ย. 2400", "2399"),  # read as CE: BE 2942
        ("ตุลาคม 2158", "2158"),  # CE 2158 is BE 2701
        ("ต.ค. 2701", "2701"),
        ("ต.ค. ๙๙๙๙", "9999"),
    ],
)
def test_a_year_no_plan_is_dated_in_is_refused_asking_for_the_buddhist_era(text: str, year: str) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text, 2569)
    assert type(excinfo.value) is PeriodError  # never the ValueError of date() or of a year out of range
    message = str(excinfo.value)
    assert f'"{text}"' in message and f"ปี {year}" in message
    assert "ไม่ใช่ปีที่เป็นไปได้" in message and "พ.ศ." in message and "Buddhist-era" in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ต.ค. 2400", (date(1857, 10, 1), date(1857, 10, 31))),
        ("ก.ย. 2700", (date(2157, 9, 1), date(2157, 9, 30))),
        ("ตุลาคม 2157", (date(2157, 10, 1), date(2157, 10, 31))),  # CE, the last year the span has
        ("มกราคม 1857", (date(1857, 1, 1), date(1857, 1, 31))),
        ("ต.ค. 00", (date(1957, 10, 1), date(1957, 10, 31))),  # two digits are BE 25xx
        ("ต.ค. 99", (date(2056, 10, 1), date(2056, 10, 31))),
    ],
)
def test_years_at_the_edges_of_the_span_are_read(text: str, expected: tuple[date, date]) -> None:
    assert parse_period(text) == expected


@pytest.mark.parametrize("fiscal_year", [0, 1, 544, 2025, 2399, 2701, 9999, -1])
@pytest.mark.parametrize("text", ["ตลอดปีงบประมาณ", "มีนาคม", "ต.ค. - ธ.ค."])
def test_an_impossible_fiscal_year_is_refused_not_computed_with(text: str, fiscal_year: int) -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period(text, fiscal_year)
    message = str(excinfo.value)
    assert f"ปีงบประมาณ {fiscal_year} ไม่ใช่ปีที่เป็นไปได้" in message and f'"{text}"' in message


def test_plausible_years() -> None:
    assert [is_plausible_be_year(y) for y in (2399, 2400, 2569, 2700, 2701, 0, 9999)] == [
        False, True, True, True, False, False, False
    ]


def test_a_long_cell_is_quoted_short() -> None:
    with pytest.raises(PeriodError) as excinfo:
        parse_period("ก" * 5000)
    assert len(str(excinfo.value)) < 400 and "…" in str(excinfo.value)
