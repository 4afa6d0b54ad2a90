"""Thai digits, Buddhist-era years, fiscal years and the period text of local plans.

Pure stdlib so it can be used from models, views, importers and tests alike.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")

# The Buddhist era (พ.ศ.) runs 543 years ahead of the common era.
_BE_OFFSET = 543
# The years a plan can be dated in, BE: no plan is dated before 2400 (so a smaller 4-digit year is CE), and a year
# past 2700 is a slip (9999, a CE year typed as BE). CE 1857-2157 is the same span.
FIRST_BE_YEAR = 2400
LAST_BE_YEAR = 2700

MONTHS_SHORT: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
MONTHS_LONG: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)


def to_thai_digits(s: str | int) -> str:
    """Replace Arabic digits with Thai digits."""
    return str(s).translate(_TO_THAI)


def to_arabic_digits(s: str) -> str:
    """Replace Thai digits with Arabic digits, leaving everything else alone."""
    return s.translate(_TO_ARABIC)


def be_year(ce: int) -> int:
    """Convert a CE year to a Buddhist-era year."""
    return ce + _BE_OFFSET


def ce_year(be: int) -> int:
    """Convert a Buddhist-era year to a CE year."""
    return be - _BE_OFFSET


def is_plausible_be_year(year_be: int) -> bool:
    """Tell whether a Buddhist-era year is one a plan can be dated in (2400-2700)."""
    return FIRST_BE_YEAR <= year_be <= LAST_BE_YEAR


def year_expected() -> str:
    """Say which years are expected, for messages: the Buddhist era, within the span plans are dated in."""
    return (
        f"ต้องเป็นปี พ.ศ. {FIRST_BE_YEAR}–{LAST_BE_YEAR} เช่น 2569 หรือ 69 "
        f"(expected a Buddhist-era year, {FIRST_BE_YEAR}-{LAST_BE_YEAR})"
    )


def fiscal_year_of(d: date) -> int:
    """Return the Thai fiscal year (BE) that contains the given day."""
    # The fiscal year starts on 1 October and is named after the year it ends in.
    return be_year(d.year + 1 if d.month >= 10 else d.year)


def fiscal_year_bounds(fy_be: int) -> tuple[date, date]:
    """Return the first and last day of a Thai fiscal year given in BE."""
    end_ce = ce_year(fy_be)
    return date(end_ce - 1, 10, 1), date(end_ce, 9, 30)


def format_date(d: date, *, thai_digits: bool = False, long: bool = False) -> str:
    """Format a day the Thai way, e.g. "1 ต.ค. 2568"."""
    months = MONTHS_LONG if long else MONTHS_SHORT
    text = f"{d.day} {months[d.month - 1]} {be_year(d.year)}"
    return to_thai_digits(text) if thai_digits else text


def file_date(d: date) -> str:
    """Write a day for a file name people download: year-month-day with the Buddhist-era year, e.g. "2569-03-31"
    (sorts like ISO 8601, reads as Thai offices date their files)."""
    return f"{be_year(d.year):04d}-{d.month:02d}-{d.day:02d}"


def format_period(start: date, end: date, *, thai_digits: bool = False) -> str:
    """Format a period as "1 ต.ค. 2568 – 30 ก.ย. 2569"."""
    return (
        f"{format_date(start, thai_digits=thai_digits)}"
        f" – {format_date(end, thai_digits=thai_digits)}"
    )


_EXAMPLES = '"ต.ค. 68 - ก.ย. 69", "ตุลาคม 2568 – กันยายน 2569", "ตลอดปีงบประมาณ"'
_UNREADABLE = 'อ่านช่วงเวลาไม่ได้: "{text}" (ตัวอย่างที่อ่านได้: ' + _EXAMPLES + ")"
_NEEDS_FISCAL_YEAR = (
    'อ่านช่วงเวลาไม่ได้: "{text}" ไม่ได้ระบุปี ต้องระบุปีงบประมาณของแผนก่อน'
)
_NO_SUCH_DAY = 'ช่วงเวลา "{text}" มีวันที่ที่ไม่มีอยู่จริง: {detail} (no such date: the month has {days} days)'
_IMPOSSIBLE_YEAR = 'ช่วงเวลา "{text}" มีปี {year} ซึ่งไม่ใช่ปีที่เป็นไปได้ — {expected}'
_IMPOSSIBLE_FISCAL_YEAR = 'ปีงบประมาณ {year} ไม่ใช่ปีที่เป็นไปได้ จึงอ่านช่วงเวลา "{text}" ไม่ได้ — {expected}'
_END_BEFORE_START = 'ช่วงเวลา "{text}" สิ้นสุดก่อนวันเริ่มต้น ({start} – {end})'


_SHOWN = 100  # characters of a period's text a message quotes


class PeriodError(ValueError):
    """A period cell that cannot be turned into a pair of dates."""

    def __init__(self, text: str, template: str = _UNREADABLE, **extra: str) -> None:
        # Keep the raw cell so callers can show it or log it untouched.
        self.text = text
        shown = text.strip()
        if len(shown) > _SHOWN:
            shown = shown[:_SHOWN] + "…"
        super().__init__(template.format(text=shown, **extra))


def _month_alternatives() -> dict[str, int]:
    """Map every accepted spelling of a month, without dots, to its number."""
    spellings: dict[str, int] = {}
    for number, (short, long_name) in enumerate(zip(MONTHS_SHORT, MONTHS_LONG, strict=True), 1):
        spellings[long_name] = number
        spellings[short.replace(".", "")] = number
    # PDF extraction often drops the final mark (การันต์) of February.
    spellings["กุมภาพันธ"] = 2
    return spellings


_MONTH_BY_SPELLING = _month_alternatives()


def _month_pattern() -> str:
    """Build a regex alternation for month names and loosely dotted abbreviations."""
    parts = [re.escape(name) for name in MONTHS_LONG] + ["กุมภาพันธ"]
    for short in MONTHS_SHORT:
        # Every dot is optional: "ต.ค.", "ต.ค" and "ตค" all occur in real plans.
        parts.append(r"\.?".join(re.escape(p) for p in short.split(".") if p) + r"\.?")
    return "|".join(parts)


_MONTH = _month_pattern()
_YEAR = r"\d{4}|\d{2}"
_ERA = r"(?:พ\.?ศ\.?)?"


def _point_pattern(prefix: str) -> str:
    """Build the regex for one end of a period, with named groups under prefix."""
    return (
        rf"(?P<{prefix}day>\d{{1,2}})?(?:เดือน)?(?P<{prefix}month>{_MONTH})"
        rf"{_ERA}(?P<{prefix}year>{_YEAR})?"
    )


_WHOLE_YEAR_RE = re.compile(
    # A year is only taken together with "งบ"; "ตลอดปี 2569" could mean the calendar year.
    rf"(?:ตลอด|ทั้ง)?ปีงบ(?:ประมาณ|ฯ)?{_ERA}(?P<year>{_YEAR})?|(?:ตลอด|ทั้ง)ปี"
)
_RANGE_RE = re.compile(
    rf"(?:ตั้งแต่)?{_point_pattern('s')}(?:-|–|—|−|(?:จน)?ถึง){_point_pattern('e')}"
)
_SINGLE_RE = re.compile(_point_pattern("s"))
# PDF text puts spaces inside words and numbers; zero-width spaces are not \s.
_SPACES_RE = re.compile(r"[\s\u200b\ufeff]+")


def _compact(text: str) -> str:
    """Return text with Arabic digits and no whitespace at all."""
    return _SPACES_RE.sub("", to_arabic_digits(text))


def _written_year_to_ce(text: str, written: str) -> int:
    """Turn a year as written (2 or 4 digits, BE or CE) into a CE year; refuse a year no plan is dated in."""
    number = int(written)
    if len(written) == 2:
        # Plans abbreviate BE years: "68" means 2568.
        return ce_year(2500 + number)
    year_be = be_year(number) if number < FIRST_BE_YEAR else number
    if not is_plausible_be_year(year_be):
        # 0000, 0001 (a BE year before CE 1), 9999, a CE year far off: a slip, never a date to compute with.
        raise PeriodError(text, _IMPOSSIBLE_YEAR, year=written, expected=year_expected())
    return ce_year(year_be)


def _check_fiscal_year(text: str, fy_be: int) -> int:
    """Return the plan's fiscal year when a period needs it, refusing one no plan can have."""
    if not is_plausible_be_year(fy_be):
        raise PeriodError(text, _IMPOSSIBLE_FISCAL_YEAR, year=str(fy_be), expected=year_expected())
    return fy_be


def _ce_year_in_fiscal_year(text: str, month: int, fy_be: int) -> int:
    """Return the CE year a month falls in within the given fiscal year."""
    end_ce = ce_year(_check_fiscal_year(text, fy_be))
    return end_ce - 1 if month >= 10 else end_ce


@dataclass(frozen=True)
class _Point:
    day: int | None
    month: int
    year: int | None  # CE


def _point(text: str, match: re.Match[str], prefix: str) -> _Point:
    """Read one end of a period out of a regex match."""
    day = match[f"{prefix}day"]
    year = match[f"{prefix}year"]
    return _Point(
        day=int(day) if day else None,
        month=_MONTH_BY_SPELLING[match[f"{prefix}month"].replace(".", "")],
        year=_written_year_to_ce(text, year) if year else None,
    )


def _day(text: str, year: int, month: int, day: int) -> date:
    """Return a day of a month, or say plainly that the month has no such day (31 ก.พ., 29 ก.พ. of a common year)."""
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        detail = (
            f"วันที่ {day} {MONTHS_SHORT[month - 1]} {be_year(year)} ไม่มีในปฏิทิน — "
            f"เดือน{MONTHS_LONG[month - 1]} {be_year(year)} มี {days} วัน"
        )
        raise PeriodError(text, _NO_SUCH_DAY, detail=detail, days=str(days))
    return date(year, month, day)


def _first_day(text: str, point: _Point, year: int) -> date:
    """Return the day a period starts on, the 1st unless a day is written."""
    return _day(text, year, point.month, 1 if point.day is None else point.day)


def _last_day(text: str, point: _Point, year: int) -> date:
    """Return the day a period ends on, the month's last unless a day is written."""
    day = calendar.monthrange(year, point.month)[1] if point.day is None else point.day
    return _day(text, year, point.month, day)


def parse_period(text: str, fiscal_year: int | None = None) -> tuple[date, date]:
    """Read a period as Thai plans write it and return its first and last day."""
    compact = _compact(text)

    match = _WHOLE_YEAR_RE.fullmatch(compact)
    if match:
        if match["year"]:
            return fiscal_year_bounds(be_year(_written_year_to_ce(text, match["year"])))
        if fiscal_year is None:
            raise PeriodError(text, _NEEDS_FISCAL_YEAR)
        return fiscal_year_bounds(_check_fiscal_year(text, fiscal_year))

    match = _RANGE_RE.fullmatch(compact)
    if match:
        start, end = _point(text, match, "s"), _point(text, match, "e")
        start_year, end_year = start.year, end.year
        if start_year is not None and end_year is not None:
            pass
        elif end_year is not None:
            # "ต.ค. - ธ.ค. 68": a later start month must belong to the year before.
            start_year = end_year - 1 if start.month > end.month else end_year
        elif start_year is not None:
            end_year = start_year + 1 if end.month < start.month else start_year
        elif fiscal_year is None:
            raise PeriodError(text, _NEEDS_FISCAL_YEAR)
        else:
            start_year = _ce_year_in_fiscal_year(text, start.month, fiscal_year)
            end_year = _ce_year_in_fiscal_year(text, end.month, fiscal_year)
        first = _first_day(text, start, start_year)
        last = _last_day(text, end, end_year)
        if last < first:
            raise PeriodError(
                text, _END_BEFORE_START, start=format_date(first), end=format_date(last)
            )
        return first, last

    match = _SINGLE_RE.fullmatch(compact)
    if match:
        point = _point(text, match, "s")
        if point.year is None:
            if fiscal_year is None:
                raise PeriodError(text, _NEEDS_FISCAL_YEAR)
            year = _ce_year_in_fiscal_year(text, point.month, fiscal_year)
        else:
            year = point.year
        first = _first_day(text, point, year)
        # A written day means that single day, otherwise the whole month.
        return first, (_last_day(text, point, year) if point.day is None else first)

    raise PeriodError(text)


# --- days people type: due dates, days off, date filters ---------------------------------------------------------
# Every date a person types is a Buddhist-Era day, as every date they read is. These read what Thai people write
# (31/3/2569, 31-03-2569, 31 มี.ค. 2569, 31 มีนาคม พ.ศ. 2569, Thai digits, a two-digit year 69) and refuse, saying
# why in Thai, a year that looks like the common era, a year out of range, a day that does not exist, and junk.

BE_INPUT_FORMAT = "วัน/เดือน/ปี พ.ศ."
BE_INPUT_EXAMPLE = "31/03/2569"
BE_INPUT_HINT = f"{BE_INPUT_FORMAT} เช่น {BE_INPUT_EXAMPLE}"
# A typed year outside these is a slip (a plan, a day off, a filter are all within a few years of today).
FIRST_INPUT_BE_YEAR = 2400
LAST_INPUT_BE_YEAR = 2700


class BEDateError(ValueError):
    """A typed day that cannot be read as a Buddhist-Era date; the message says why, in Thai."""


def _typed_month_pattern() -> str:
    """Build a regex alternation of the month names people type: long names first, then loose abbreviations."""
    parts = [re.escape(name) for name in MONTHS_LONG] + ["กุมภาพันธ"]
    for short in MONTHS_SHORT:
        # "มี.ค.", "มี.ค", "มีค" and "มี. ค." are all typed.
        parts.append(r"\.?\s?".join(re.escape(p) for p in short.split(".") if p) + r"\.?")
    return "|".join(parts)


def _typed_month_number(written: str) -> int:
    """Return the number of a month name as typed (see `_typed_month_pattern`)."""
    bare = re.sub(r"[.\s]", "", written)
    for number, (short, long_name) in enumerate(zip(MONTHS_SHORT, MONTHS_LONG, strict=True), 1):
        if bare in (long_name, short.replace(".", "")):
            return number
    return 2  # "กุมภาพันธ" without its final mark, the one other spelling the pattern accepts


_SEP = r"\s*[/\-.,]\s*"
_TYPED_ERA = r"(?:พ\.?\s?ศ\.?\s*)?"
_TYPED_NUMERIC_RE = re.compile(
    rf"(?P<day>\d{{1,2}}){_SEP}(?P<month>\d{{1,2}}){_SEP}{_TYPED_ERA}(?P<year>\d{{4}}|\d{{2}})"
)
_TYPED_COMPACT_RE = re.compile(r"(?P<day>\d{2})(?P<month>\d{2})(?P<year>\d{4}|\d{2})")  # 31032569, from a keypad
_TYPED_YEAR_FIRST_RE = re.compile(rf"{_TYPED_ERA}(?P<year>\d{{4}}){_SEP}(?P<month>\d{{1,2}}){_SEP}(?P<day>\d{{1,2}})")
_TYPED_NAMED_RE = re.compile(
    rf"(?P<day>\d{{1,2}})\s*(?:เดือน\s*)?(?P<month>{_typed_month_pattern()})\s*{_TYPED_ERA}(?P<year>\d{{4}}|\d{{2}})"
)
_TYPED_SPACES_RE = re.compile(r"[\s\u200b\ufeff]+")


def _typed_year_ce(written: str) -> int:
    """Turn a typed year (BE, 4 digits or the last 2) into a CE year, refusing a CE year or one out of range."""
    number = int(written)
    if len(written) == 2:
        number += 2500  # "69" is 2569, as plans and people abbreviate
    if FIRST_INPUT_BE_YEAR <= number <= LAST_INPUT_BE_YEAR:
        return ce_year(number)
    if FIRST_INPUT_BE_YEAR <= be_year(number) <= LAST_INPUT_BE_YEAR:
        raise BEDateError(f"ปี {number} เป็น ค.ศ. — กรอกปี พ.ศ. เช่น {be_year(number)}")
    raise BEDateError(
        f"ปี {number} อยู่นอกช่วงที่รับได้ — กรอกปี พ.ศ. ระหว่าง {FIRST_INPUT_BE_YEAR} ถึง {LAST_INPUT_BE_YEAR}"
        f" เช่น {BE_INPUT_EXAMPLE[-4:]}"
    )


def parse_be_date(text: str) -> date:
    """Read a day typed in the Buddhist Era (31/3/2569, 31 มี.ค. 2569, ๓๑/๓/๒๕๖๙, 31/3/69) and return it."""
    typed = _TYPED_SPACES_RE.sub(" ", to_arabic_digits(text or "")).strip()
    typed = re.sub(r"^วันที่\s*", "", typed)
    if not typed:
        raise BEDateError(f"ต้องระบุวันที่ ({BE_INPUT_HINT})")
    for pattern in (_TYPED_NUMERIC_RE, _TYPED_NAMED_RE, _TYPED_COMPACT_RE, _TYPED_YEAR_FIRST_RE):
        match = pattern.fullmatch(typed)
        if match:
            break
    else:
        shown = typed if len(typed) <= 40 else typed[:39] + "…"
        raise BEDateError(f"อ่านวันที่ “{shown}” ไม่ได้ — กรอกแบบ {BE_INPUT_HINT}")
    year = _typed_year_ce(match["year"])
    written_month = match["month"]
    month = int(written_month) if written_month.isdigit() else _typed_month_number(written_month)
    if not 1 <= month <= 12:
        raise BEDateError(f"ไม่มีเดือนที่ {month} — กรอกวันก่อนเดือน แบบ {BE_INPUT_HINT}")
    day = int(match["day"])
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        month_year = f"{MONTHS_LONG[month - 1]} {be_year(year)}"
        raise BEDateError(f"ไม่มีวันที่ {day} {month_year} ({month_year} มี {days_in_month} วัน)")
    return date(year, month, day)


def format_be_input(d: date) -> str:
    """Write a day as a date field shows it and reads it back: "31/03/2569"."""
    return f"{d.day:02d}/{d.month:02d}/{be_year(d.year)}"
