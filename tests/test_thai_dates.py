"""Days people type, in the Buddhist Era: what `thai.parse_be_date` reads, what it refuses and why."""
from __future__ import annotations

from datetime import date

import pytest

from tracker.thai import BE_INPUT_EXAMPLE, BEDateError, format_be_input, parse_be_date

MARCH_31 = date(2026, 3, 31)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("31/3/2569", MARCH_31),
        ("31/03/2569", MARCH_31),
        ("31-3-2569", MARCH_31),
        ("31.3.2569", MARCH_31),  # an iPhone's decimal keypad has "." but no "/"
        ("31,3,2569", MARCH_31),
        (" 31 / 3 / 2569 ", MARCH_31),
        ("31/3/พ.ศ. 2569", MARCH_31),
        ("31 มี.ค. 2569", MARCH_31),
        ("31 มี.ค 2569", MARCH_31),
        ("31 มีค 2569", MARCH_31),
        ("31มี.ค.2569", MARCH_31),
        ("31 มีนาคม 2569", MARCH_31),
        ("31 มีนาคม พ.ศ. 2569", MARCH_31),
        ("วันที่ 31 มีนาคม 2569", MARCH_31),
        ("31 เดือนมีนาคม 2569", MARCH_31),
        ("๓๑/๓/๒๕๖๙", MARCH_31),
        ("๓๑ มี.ค. ๒๕๖๙", MARCH_31),
        ("31/3/69", MARCH_31),  # two digits: the BE year 25xx, as plans abbreviate
        ("31 มี.ค. 69", MARCH_31),
        ("31032569", MARCH_31),  # digits only, from a numeric keypad
        ("310369", MARCH_31),
        ("2569-03-31", MARCH_31),  # year first, still BE
        ("1/10/2568", date(2025, 10, 1)),
        ("5 พ.ย. 2568", date(2025, 11, 5)),
        ("5 พ. ย. 68", date(2025, 11, 5)),
        ("1 กุมภาพันธ 2569", date(2026, 2, 1)),  # February without its final mark, as PDFs drop it
        ("29/2/2567", date(2024, 2, 29)),  # a leap day: 2024 CE
        ("1/1/2400", date(1857, 1, 1)),
        ("31/12/2700", date(2157, 12, 31)),
    ],
)
def test_reads_what_people_type(typed, expected):
    assert parse_be_date(typed) == expected


@pytest.mark.parametrize(
    "typed, message",
    [
        # A common-era year: say which calendar is expected, and what the year would be in it.
        ("31/3/2026", "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569"),
        ("31 มีนาคม 2026", "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569"),
        ("2026-03-31", "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569"),
        ("๓๑/๓/๒๐๒๖", "ปี 2026 เป็น ค.ศ."),
        ("1/1/1999", "ปี 1999 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2542"),
        # Out of any sensible range, in either calendar.
        ("1/1/3000", "ปี 3000 อยู่นอกช่วงที่รับได้ — กรอกปี พ.ศ. ระหว่าง 2400 ถึง 2700"),
        ("1/1/1000", "ปี 1000 อยู่นอกช่วงที่รับได้"),
        ("1/1/2701", "ปี 2701 อยู่นอกช่วงที่รับได้"),
        # A day that does not exist.
        ("31/2/2569", "ไม่มีวันที่ 31 กุมภาพันธ์ 2569 (กุมภาพันธ์ 2569 มี 28 วัน)"),
        ("29/2/2569", "ไม่มีวันที่ 29 กุมภาพันธ์ 2569"),
        ("31/4/2569", "ไม่มีวันที่ 31 เมษายน 2569 (เมษายน 2569 มี 30 วัน)"),
        ("0/3/2569", "ไม่มีวันที่ 0 มีนาคม 2569"),
        ("3/31/2569", "ไม่มีเดือนที่ 31 — กรอกวันก่อนเดือน"),  # month first, the Western habit
        ("1/13/2569", "ไม่มีเดือนที่ 13"),
        # Junk, and nothing at all.
        ("abc", "อ่านวันที่ “abc” ไม่ได้ — กรอกแบบ วัน/เดือน/ปี พ.ศ. เช่น 31/03/2569"),
        ("31/3", "อ่านวันที่ “31/3” ไม่ได้"),
        ("31 มีน 2569", "อ่านวันที่ “31 มีน 2569” ไม่ได้"),
        ("31/3/25690", "อ่านวันที่"),
        ("<script>", "อ่านวันที่ “<script>” ไม่ได้"),
        ("x" * 100, "อ่านวันที่ “" + "x" * 39 + "…” ไม่ได้"),
        ("", "ต้องระบุวันที่"),
        ("   ", "ต้องระบุวันที่"),
    ],
)
def test_refuses_with_a_thai_reason(typed, message):
    with pytest.raises(BEDateError) as refused:
        parse_be_date(typed)
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize(
    "day, shown",
    [(MARCH_31, "31/03/2569"), (date(2025, 10, 1), "01/10/2568"), (date(2024, 2, 29), "29/02/2567")],
)
def test_format_be_input_reads_back(day, shown):
    assert format_be_input(day) == shown
    assert parse_be_date(shown) == day


def test_the_example_is_itself_readable():
    assert parse_be_date(BE_INPUT_EXAMPLE) == MARCH_31
