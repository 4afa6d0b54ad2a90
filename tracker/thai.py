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
# No plan is dated before this, so a smaller 4-digit year must be CE.
_FIRST_BE_YEAR = 2400

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
_NO_SUCH_DAY = 'อ่านช่วงเวลาไม่ได้: "{text}" มีวันที่ที่ไม่มีอยู่จริง'
_END_BEFORE_START = 'ช่วงเวลา "{text}" สิ้นสุดก่อนวันเริ่มต้น ({start} – {end})'


class PeriodError(ValueError):
    """A period cell that cannot be turned into a pair of dates."""

    def __init__(self, text: str, template: str = _UNREADABLE, **extra: str) -> None:
        # Keep the raw cell so callers can show it or log it untouched.
        self.text = text
        super().__init__(template.format(text=text.strip(), **extra))


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


def _written_year_to_ce(written: str) -> int:
    """Turn a year as written (2 or 4 digits, BE or CE) into a CE year."""
    number = int(written)
    if len(written) == 2:
        # Plans abbreviate BE years: "68" means 2568.
        return ce_year(2500 + number)
    return number if number < _FIRST_BE_YEAR else ce_year(number)


def _ce_year_in_fiscal_year(month: int, fy_be: int) -> int:
    """Return the CE year a month falls in within the given fiscal year."""
    end_ce = ce_year(fy_be)
    return end_ce - 1 if month >= 10 else end_ce


@dataclass(frozen=True)
class _Point:
    day: int | None
    month: int
    year: int | None  # CE


def _point(match: re.Match[str], prefix: str) -> _Point:
    """Read one end of a period out of a regex match."""
    day = match[f"{prefix}day"]
    year = match[f"{prefix}year"]
    return _Point(
        day=int(day) if day else None,
        month=_MONTH_BY_SPELLING[match[f"{prefix}month"].replace(".", "")],
        year=_written_year_to_ce(year) if year else None,
    )


def _first_day(text: str, point: _Point, year: int) -> date:
    """Return the day a period starts on, the 1st unless a day is written."""
    try:
        return date(year, point.month, 1 if point.day is None else point.day)
    except ValueError:
        raise PeriodError(text, _NO_SUCH_DAY) from None


def _last_day(text: str, point: _Point, year: int) -> date:
    """Return the day a period ends on, the month's last unless a day is written."""
    day = calendar.monthrange(year, point.month)[1] if point.day is None else point.day
    try:
        return date(year, point.month, day)
    except ValueError:
        raise PeriodError(text, _NO_SUCH_DAY) from None


def parse_period(text: str, fiscal_year: int | None = None) -> tuple[date, date]:
    """Read a period as Thai plans write it and return its first and last day."""
    compact = _compact(text)

    match = _WHOLE_YEAR_RE.fullmatch(compact)
    if match:
        if match["year"]:
            return fiscal_year_bounds(be_year(_written_year_to_ce(match["year"])))
        if fiscal_year is None:
            raise PeriodError(text, _NEEDS_FISCAL_YEAR)
        return fiscal_year_bounds(fiscal_year)

    match = _RANGE_RE.fullmatch(compact)
    if match:
        start, end = _point(match, "s"), _point(match, "e")
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
            start_year = _ce_year_in_fiscal_year(start.month, fiscal_year)
            end_year = _ce_year_in_fiscal_year(end.month, fiscal_year)
        first = _first_day(text, start, start_year)
        last = _last_day(text, end, end_year)
        if last < first:
            raise PeriodError(
                text, _END_BEFORE_START, start=format_date(first), end=format_date(last)
            )
        return first, last

    match = _SINGLE_RE.fullmatch(compact)
    if match:
        point = _point(match, "s")
        if point.year is None:
            if fiscal_year is None:
                raise PeriodError(text, _NEEDS_FISCAL_YEAR)
            year = _ce_year_in_fiscal_year(point.month, fiscal_year)
        else:
            year = point.year
        first = _first_day(text, point, year)
        # A written day means that single day, otherwise the whole month.
        return first, (_last_day(text, point, year) if point.day is None else first)

    raise PeriodError(text)
