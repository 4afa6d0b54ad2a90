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


_EXAMPLES = '"ต.ค. 68 - ก.ย. 69", "ตุลาคม 2568 – กันยายน 2569", "ตลอดปีงบประมาณ", "ไตรมาส 1-2", "ทุกเดือน"'
_UNREADABLE = 'อ่านช่วงเวลาไม่ได้: "{text}" (ตัวอย่างที่อ่านได้: ' + _EXAMPLES + ")"
_NEEDS_FISCAL_YEAR = (
    'อ่านช่วงเวลาไม่ได้: "{text}" ไม่ได้ระบุปี ต้องระบุปีงบประมาณของแผนก่อน'
)
_NO_SUCH_DAY = 'ช่วงเวลา "{text}" มีวันที่ที่ไม่มีอยู่จริง: {detail} (no such date: the month has {days} days)'
_IMPOSSIBLE_YEAR = 'ช่วงเวลา "{text}" มีปี {year} ซึ่งไม่ใช่ปีที่เป็นไปได้ — {expected}'
_IMPOSSIBLE_FISCAL_YEAR = 'ปีงบประมาณ {year} ไม่ใช่ปีที่เป็นไปได้ จึงอ่านช่วงเวลา "{text}" ไม่ได้ — {expected}'
_END_BEFORE_START = 'ช่วงเวลา "{text}" สิ้นสุดก่อนวันเริ่มต้น ({start} – {end})'
_NO_SUCH_QUARTER = (
    'ช่วงเวลา "{text}" ระบุไตรมาส {quarter} — ปีงบประมาณมีไตรมาส 1–4 เท่านั้น '
    "(ไตรมาส 1 = ต.ค.–ธ.ค., 2 = ม.ค.–มี.ค., 3 = เม.ย.–มิ.ย., 4 = ก.ค.–ก.ย.; quarters are 1-4)"
)
_QUARTERS_BACKWARDS = 'ช่วงเวลา "{text}" สิ้นสุดก่อนวันเริ่มต้น (ไตรมาส {first} – ไตรมาส {last})'
_NO_SUCH_DAY_OF_MONTH = (
    'ช่วงเวลา "{text}" ระบุวันที่ {day} ของเดือน ซึ่งไม่มีอยู่จริง — วันที่ของเดือนคือ 1–31 (no such day of a month)'
)
_DAYS_BACKWARDS = 'ช่วงเวลา "{text}" สิ้นสุดก่อนวันเริ่มต้น (วันที่ {first} – {last} ของเดือน)'
_TOO_FREQUENT = (
    'ช่วงเวลา "{text}" เป็นงานรายสัปดาห์หรือรายวัน ซึ่งจะเป็นงานมากเกินติดตาม — ติดตามเป็นงานเดียวตลอดช่วง '
    'เช่น "ต.ค. 68 - ก.ย. 69" หรือเป็นรายเดือน เช่น "ทุกเดือน" หรือ "ทุกวันที่ 1-5 ของเดือน" '
    "(weekly or daily work is tracked as one task for the period, or one a month)"
)
_NO_ROUNDS = 'ช่วงเวลา "{text}" ไม่มีรอบใดอยู่ในช่วงที่ระบุ ({start} – {end})'
_TOO_MANY_ROUNDS = (
    'ช่วงเวลา "{text}" มี {count} รอบ เกินที่รับได้ {limit} รอบ — ตรวจปีที่เขียน '
    "(too many rounds: a plan covers a fiscal year)"
)
_UNDATED = "ช่วงเวลา “{text}” ไม่ได้ระบุวันที่ (ตามกิจกรรมหรือภาคเรียน) — กำหนดวันที่ในหน้าตัวอย่างก่อนนำเข้า"
_CALENDAR_YEAR_WARNING = (
    "แผนใช้ปีปฏิทิน ({period}) ไม่ตรงกับปีงบประมาณ {fiscal_year} ({fiscal_period}): นำเข้าตามวันที่จริง {consequence}"
)
_DUE_AFTER_FISCAL_YEAR = "งานที่ครบกำหนดหลังสิ้นปีงบประมาณจะเลยปีงบประมาณ"
_DUE_BEFORE_FISCAL_YEAR = "งานที่ครบกำหนดก่อนเริ่มปีงบประมาณจะอยู่ก่อนปีงบประมาณ"


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


class UndatedPeriod(PeriodError):
    """A period that names when by an event or a school term, not by dates ("ตามห้วงเวลาจัดงานประเพณี", "ภาคเรียนที่ 1"):
    readable, but it has no dates; the measure is imported as a draft whose dates a person sets."""

    def __init__(self, text: str) -> None:
        super().__init__(text, _UNDATED)


# Words that tie a period to an event, a school term or a request rather than to dates. A period with one of them and
# no date that can be read is undated (a draft to complete), not unreadable: nothing is wrong with the plan, the dates
# just are not in it. Matched in the text without spaces, as PDF text spaces words out.
_UNDATED_WORDS: tuple[str, ...] = (
    "ตามห้วงเวลา", "ตามช่วงเวลา", "ตามกำหนดการ", "ตามปฏิทิน", "ตามระยะเวลาที่",  # "as scheduled" for an event
    "ภาคเรียน", "ภาคการศึกษา",  # a school term, whose dates the school sets each year
    "เทศกาล", "ประเพณี",  # a festival, a traditional event
    "เมื่อมี", "เมื่อได้รับ", "ตามความเหมาะสม", "ตามที่ได้รับ",  # on request, when assigned, as fits
)

PERIOD_KINDS: tuple[str, ...] = ("range", "fiscal_year", "quarters", "calendar_year", "recurring")


@dataclass(frozen=True)
class Occurrence:
    """One round of a recurring period: its tasks are named by its label and fall due on its last day."""

    label: str  # as people name the round: BE year, Thai month abbreviation, Arabic digits ("ต.ค. 68", "ไตรมาส 1/69")
    start: date
    end: date  # the round's last day: its tasks fall due then


@dataclass(frozen=True)
class Period:
    """A period read from a plan: its first and last day, how it was written (one of PERIOD_KINDS), its rounds when
    the work recurs, and a warning a person reads in the import preview."""

    start: date
    end: date
    kind: str = "range"
    # Only for recurring periods (and quarters listed apart, "ไตรมาส 1 และ 3"): one per round, in order, inside
    # [start, end].
    occurrences: tuple[Occurrence, ...] = ()
    warning: str | None = None  # Thai, e.g. a calendar-year plan in a fiscal-year import

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}, expected one of {PERIOD_KINDS}")


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


_DASH = r"(?:-|–|—|−|(?:จน)?ถึง)"
_WHOLE_YEAR_RE = re.compile(
    # A year is only taken together with "งบ"; "ตลอดปี 2569" could mean the calendar year.
    rf"(?:ตลอด|ทั้ง)?ปีงบ(?:ประมาณ|ฯ)?{_ERA}(?P<year>{_YEAR})?|(?:ตลอด|ทั้ง)ปี"
)
_RANGE_RE = re.compile(
    rf"(?:ตั้งแต่)?{_point_pattern('s')}{_DASH}{_point_pattern('e')}"
)
_SINGLE_RE = re.compile(_point_pattern("s"))
# "ปีปฏิทิน 2569" names the calendar year outright, unlike "ตลอดปี 2569" (which stays unread: it could be either).
_CALENDAR_YEAR_RE = re.compile(rf"(?:ตลอด|ทั้ง)?ปีปฏิทิน{_ERA}(?P<year>{_YEAR})?")
# Quarters of the fiscal year: "ไตรมาสที่ 1-2", "ไตรมาส 1 และ 3", "Q1-Q4", "ไตรมาสที่ 2/2569", "ไตรมาส 2 ปีงบประมาณ 2569".
_QUARTER_WORD = r"(?:ไตรมาส(?:ที่)?|Q)"
_QUARTER_LIST_SEP = r"(?:และ|,)"
_QUARTERS_RE = re.compile(
    rf"{_QUARTER_WORD}(?P<quarters>\d{{1,2}}(?:(?:{_DASH}|{_QUARTER_LIST_SEP}){_QUARTER_WORD}?\d{{1,2}})*)"
    rf"(?:/(?P<slash_year>{_YEAR})|(?:ของ)?ปีงบ(?:ประมาณ|ฯ)?{_ERA}(?P<fiscal_year>{_YEAR}))?",
    re.IGNORECASE,  # "q1-q4" too
)
_QUARTER_LIST_SEP_RE = re.compile(_QUARTER_LIST_SEP)
_NUMBER_RE = re.compile(r"\d+")


def _day_span_pattern(prefix: str) -> str:
    """Build the regex for the days of the month a round takes ("1-5", "25"), with named groups under prefix."""
    # 1-3 digits: "วันที่ 100" is refused as no such day rather than unread, and never a number too long to convert.
    return rf"(?P<{prefix}first>\d{{1,3}})(?:{_DASH}(?:วันที่)?(?P<{prefix}last>\d{{1,3}}))?"


# How often work recurs: every month, every quarter, or some days of every month.
_RECURRENCE = (
    r"(?P<monthly>ทุกเดือน|รายเดือน|เดือนละ1?ครั้ง)"
    r"|(?P<quarterly>ทุกไตรมาส|รายไตรมาส|ไตรมาสละ1?ครั้ง|ทุก3เดือน)"
    # "ทุกวันที่ 1-5 ของเดือน", "ทุกวันที่ 25": "every day N" can only mean every month.
    rf"|ทุกวันที่{_day_span_pattern('every_')}(?:ของ(?:ทุก)?เดือน|ทุกเดือน)?"
    # "วันที่ 1-5 ของทุกเดือน", "ภายในวันที่ 5 ของทุกเดือน" (by the 5th: days 1-5).
    rf"|(?P<within>ภายใน)?วันที่{_day_span_pattern('')}(?:ของ)?ทุกเดือน"
)
_RECURRENCE_RE = re.compile(_RECURRENCE)
_RECURRENCE_AT_END_RE = re.compile(rf"(?:{_RECURRENCE})\Z")
# Words between a recurrence and its range: "ทุกเดือน ในช่วง ต.ค. 68 - มี.ค. 69".
_LINK_RE = re.compile(r"\A(?:ในช่วง|ช่วง|ระหว่าง|,|:)")
# A range open at one end, only read with a recurrence: "ทุกเดือน ตั้งแต่ ม.ค. 69" runs to the fiscal year's end.
_FROM_RE = re.compile(rf"ตั้งแต่{_point_pattern('s')}(?:เป็นต้นไป)?")
_UNTIL_RE = re.compile(rf"(?:จน)?ถึง{_point_pattern('s')}")
# Weekly or daily work: a task a week or a day is more than anyone tracks (and than the import accepts).
_TOO_FREQUENT_RE = re.compile(
    r"ทุก\d*สัปดาห์|รายสัปดาห์|สัปดาห์ละ|ทุก\d*อาทิตย์|อาทิตย์ละ|ทุกวัน(?!ที่)|รายวัน|วันละ"
)
# A note in brackets after the period: "ต.ค. 68 - ก.ย. 69 (ตามปฏิทินกิจกรรม)", "ทุกเดือน (ต.ค. 68 - มี.ค. 69)".
_NOTE_RE = re.compile(r"(?P<main>[^()]+)\((?P<note>[^()]*)\)")
# A plan covers a fiscal year; more rounds than three years of months is a slip in a written year.
_MAX_ROUNDS = 36
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


def _needed_fiscal_year(text: str, fiscal_year: int | None) -> int:
    """Return the plan's fiscal year for a period that names none, refusing when there is none or it is impossible."""
    if fiscal_year is None:
        raise PeriodError(text, _NEEDS_FISCAL_YEAR)
    return _check_fiscal_year(text, fiscal_year)


def _written_fiscal_year(text: str, written: str) -> int:
    """Return the fiscal year (BE) a period writes ("2569", "69", "2026")."""
    return be_year(_written_year_to_ce(text, written))


def _month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _range_days(text: str, match: re.Match[str], fiscal_year: int | None) -> tuple[date, date]:
    """Return the first and last day of a range of months or days ("ต.ค. 68 - ก.ย. 69", "ต.ค. - ธ.ค.")."""
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
    elif start.month == 1 and end.month == 12:
        # "ม.ค. - ธ.ค." in a fiscal-year plan is a calendar-year plan, not a range running backwards: the calendar year
        # the fiscal year ends in (and a warning says it does not match the fiscal year).
        start_year = end_year = ce_year(_check_fiscal_year(text, fiscal_year))
    else:
        start_year = _ce_year_in_fiscal_year(text, start.month, fiscal_year)
        end_year = _ce_year_in_fiscal_year(text, end.month, fiscal_year)
    first = _first_day(text, start, start_year)
    last = _last_day(text, end, end_year)
    if last < first:
        raise PeriodError(text, _END_BEFORE_START, start=format_date(first), end=format_date(last))
    return first, last


def _single_days(text: str, match: re.Match[str], fiscal_year: int | None) -> tuple[date, date]:
    """Return the first and last day of a single month or day ("มี.ค. 69", "15 มี.ค. 69", "มีนาคม")."""
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


def _calendar_year_warning(start: date, end: date, fiscal_year: int | None) -> str | None:
    """Say, for the import preview, that a calendar-year plan does not match the fiscal year it is imported into."""
    if fiscal_year is None or not is_plausible_be_year(fiscal_year):
        # Nothing to compare with (a written year is read whatever the plan's year; an impossible one is refused
        # wherever it is needed).
        return None
    fiscal_start, fiscal_end = fiscal_year_bounds(fiscal_year)
    consequences = []
    if start < fiscal_start:
        consequences.append(_DUE_BEFORE_FISCAL_YEAR)
    if end > fiscal_end:
        consequences.append(_DUE_AFTER_FISCAL_YEAR)
    if not consequences:
        return None
    return _CALENDAR_YEAR_WARNING.format(
        period=format_period(start, end), fiscal_year=fiscal_year,
        fiscal_period=format_period(fiscal_start, fiscal_end), consequence=" ".join(consequences),
    )


def _dated(first: date, last: date, fiscal_year: int | None) -> Period:
    """Return the period of written dates; 1 Jan - 31 Dec of one year is a calendar-year plan, warned about."""
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return Period(first, last, "calendar_year", warning=_calendar_year_warning(first, last, fiscal_year))
    return Period(first, last)


def _quarter_label(first: date) -> str:
    """Name a quarter by its first day as people do: "ไตรมาส 1/69" (quarter 1 of fiscal year 2569)."""
    quarter = (first.month - 10) % 12 // 3 + 1
    return f"ไตรมาส {quarter}/{fiscal_year_of(first) % 100:02d}"


def _quarter(fiscal_year: int, quarter: int) -> Occurrence:
    """Return a quarter (1-4) of a fiscal year: quarter 1 is October to December."""
    month_index = 9 + 3 * (quarter - 1)  # October is month index 9 of the fiscal year's first calendar year
    year = ce_year(fiscal_year) - 1 + month_index // 12
    month = month_index % 12 + 1
    first = date(year, month, 1)
    return Occurrence(_quarter_label(first), first, _month_end(year, month + 2))


def _quarter_numbers(text: str, written: str) -> list[int]:
    """Return the quarters a period lists ("1-2", "1และ3", "Q1-Q4"), in order, refusing a quarter not 1-4."""
    quarters: set[int] = set()
    for item in _QUARTER_LIST_SEP_RE.split(written):
        numbers = [int(n) for n in _NUMBER_RE.findall(item)]
        if len(numbers) > 2:
            raise PeriodError(text)  # "1-2-3": not a range
        for number in numbers:
            if not 1 <= number <= 4:
                raise PeriodError(text, _NO_SUCH_QUARTER, quarter=str(number))
        first, last = numbers[0], numbers[-1]
        if last < first:
            raise PeriodError(text, _QUARTERS_BACKWARDS, first=str(first), last=str(last))
        quarters.update(range(first, last + 1))
    return sorted(quarters)


def _quarters(text: str, match: re.Match[str], fiscal_year: int | None) -> Period:
    """Return the quarters of a fiscal year a period names: one run of quarters, or quarters listed apart, each a
    round of its own ("ไตรมาส 1 และ 3": the work is done twice, not from October to June)."""
    quarters = _quarter_numbers(text, match["quarters"])
    written = match["slash_year"] or match["fiscal_year"]
    year = _written_fiscal_year(text, written) if written else _needed_fiscal_year(text, fiscal_year)
    rounds = tuple(_quarter(year, quarter) for quarter in quarters)
    if quarters == list(range(quarters[0], quarters[-1] + 1)):
        return Period(rounds[0].start, rounds[-1].end, "quarters")
    return Period(rounds[0].start, rounds[-1].end, "recurring", rounds)


def _read_dates(text: str, compact: str, fiscal_year: int | None) -> Period | None:
    """Read a period written as dates, a whole year or quarters; None when the text is none of these."""
    match = _WHOLE_YEAR_RE.fullmatch(compact)
    if match:
        if match["year"]:
            year = _written_fiscal_year(text, match["year"])
        else:
            year = _needed_fiscal_year(text, fiscal_year)
        return Period(*fiscal_year_bounds(year), kind="fiscal_year")
    match = _CALENDAR_YEAR_RE.fullmatch(compact)
    if match:
        # Without a year, the calendar year the plan's fiscal year ends in, as "ม.ค. - ธ.ค." is read.
        ce = _written_year_to_ce(text, match["year"]) if match["year"] else ce_year(
            _needed_fiscal_year(text, fiscal_year))
        return _dated(date(ce, 1, 1), date(ce, 12, 31), fiscal_year)
    match = _QUARTERS_RE.fullmatch(compact)
    if match:
        return _quarters(text, match, fiscal_year)
    match = _RANGE_RE.fullmatch(compact)
    if match:
        return _dated(*_range_days(text, match, fiscal_year), fiscal_year)
    match = _SINGLE_RE.fullmatch(compact)
    if match:
        return _dated(*_single_days(text, match, fiscal_year), fiscal_year)
    return None


def _open_range(text: str, compact: str, fiscal_year: int | None) -> Period | None:
    """Read a range open at one end, "ตั้งแต่ ม.ค. 69" (to the fiscal year's end) or "ถึง มี.ค. 69" (from its start);
    None when the text is neither. The fiscal year is the plan's, or the one the written month falls in."""
    for pattern, opens in ((_FROM_RE, True), (_UNTIL_RE, False)):
        match = pattern.fullmatch(compact)
        if not match:
            continue
        point = _point(text, match, "s")
        year = point.year
        if year is None:
            year = _ce_year_in_fiscal_year(text, point.month, _needed_fiscal_year(text, fiscal_year))
        day = _first_day(text, point, year) if opens else _last_day(text, point, year)
        plan_year = _check_fiscal_year(text, fiscal_year if fiscal_year is not None else fiscal_year_of(day))
        fiscal_start, fiscal_end = fiscal_year_bounds(plan_year)
        first, last = (day, fiscal_end) if opens else (fiscal_start, day)
        if last < first:
            raise PeriodError(text, _END_BEFORE_START, start=format_date(first), end=format_date(last))
        return Period(first, last)
    return None


@dataclass(frozen=True)
class _Rounds:
    """How often work recurs: every month (on some days of it, when written) or every quarter."""

    every: str  # "month" or "quarter"
    days: tuple[int, int] | None = None  # the days of the month a monthly round takes, when written


def _rounds(text: str, match: re.Match[str]) -> _Rounds:
    """Read how often work recurs out of a match of _RECURRENCE, refusing a day of the month that cannot be."""
    if match["monthly"]:
        return _Rounds("month")
    if match["quarterly"]:
        return _Rounds("quarter")
    if match["every_first"]:
        first, last = match["every_first"], match["every_last"] or match["every_first"]
    elif match["within"] and not match["last"]:
        first, last = "1", match["first"]  # by the 5th: from the 1st
    else:
        first, last = match["first"], match["last"] or match["first"]
    days = int(first), int(last)
    for day in days:
        if not 1 <= day <= 31:
            raise PeriodError(text, _NO_SUCH_DAY_OF_MONTH, day=str(day))
    if days[1] < days[0]:
        raise PeriodError(text, _DAYS_BACKWARDS, first=str(days[0]), last=str(days[1]))
    return _Rounds("month", days)


def _month_starts(start: date, end: date, step: int) -> list[date]:
    """Return the first day of every step-th month from start's month while it is not after end."""
    firsts = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        firsts.append(date(year, month, 1))
        year, month = year + (month - 1 + step) // 12, (month - 1 + step) % 12 + 1
    return firsts


def _days_label(first: date, last: date) -> str:
    """Name a round within one month as people do: "ต.ค. 68" for the whole month, "1-5 ต.ค. 68", "25 ต.ค. 68"."""
    month = f"{MONTHS_SHORT[first.month - 1]} {be_year(first.year) % 100:02d}"
    if first.day == 1 and last == _month_end(last.year, last.month):
        return month
    if first == last:
        return f"{first.day} {month}"
    return f"{first.day}-{last.day} {month}"


def _occurrences(rounds: _Rounds, start: date, end: date) -> list[Occurrence]:
    """Return the rounds of recurring work within [start, end]: a round partly outside is cut to it."""
    if rounds.every == "quarter":
        # The fiscal year's quarters start in October, January, April and July, as calendar quarters do.
        quarter_start = date(start.year, start.month - (start.month - 1) % 3, 1)
        return [
            Occurrence(_quarter_label(first), max(first, start), min(_month_end(first.year, first.month + 2), end))
            for first in _month_starts(quarter_start, end, 3)
        ]
    found = []
    for first_of_month in _month_starts(start, end, 1):
        year, month = first_of_month.year, first_of_month.month
        days = calendar.monthrange(year, month)[1]
        first_day, last_day = rounds.days or (1, days)
        # Day 31 of a 30-day month is its last day: "ทุกวันที่ 31" means the month's end, not a month skipped.
        first = max(date(year, month, min(first_day, days)), start)
        last = min(date(year, month, min(last_day, days)), end)
        if first <= last:
            found.append(Occurrence(_days_label(first, last), first, last))
    return found


def _recurring(text: str, rounds: _Rounds, span: Period) -> Period:
    """Return recurring work's period: its rounds within the span, from the first round's start to the last's end."""
    found = _occurrences(rounds, span.start, span.end)
    if not found:
        raise PeriodError(text, _NO_ROUNDS, start=format_date(span.start), end=format_date(span.end))
    if len(found) > _MAX_ROUNDS:
        raise PeriodError(text, _TOO_MANY_ROUNDS, count=str(len(found)), limit=str(_MAX_ROUNDS))
    return Period(found[0].start, found[-1].end, "recurring", tuple(found), span.warning)


def _read_span(text: str, compact: str, fiscal_year: int | None) -> Period | None:
    """Read the range recurring work is written with; None when it is no range (quarters listed apart are none)."""
    span = _read_dates(text, compact, fiscal_year) or _open_range(text, compact, fiscal_year)
    return None if span is None or span.kind == "recurring" else span


def _read_recurring(text: str, compact: str, fiscal_year: int | None) -> Period | None:
    """Read recurring work, over the fiscal year ("ทุกเดือน") or a range written before or after it ("ทุกเดือน
    ตั้งแต่ ม.ค. 69", "ต.ค. 68 - ก.ย. 69 รายไตรมาส"); None when the text is not recurring work."""
    match = _RECURRENCE_RE.fullmatch(compact)
    if match:
        rounds = _rounds(text, match)
        return _recurring(text, rounds, Period(*fiscal_year_bounds(_needed_fiscal_year(text, fiscal_year))))
    candidates = []
    match = _RECURRENCE_RE.match(compact)
    if match:
        candidates.append((match, _LINK_RE.sub("", compact[match.end():], count=1)))
    match = _RECURRENCE_AT_END_RE.search(compact)
    if match and match.start() > 0:
        candidates.append((match, compact[:match.start()]))
    for match, rest in candidates:
        rounds = _rounds(text, match)
        span = _read_span(text, rest, fiscal_year)
        if span is not None:
            return _recurring(text, rounds, span)
    return None


def _read_compact(text: str, compact: str, fiscal_year: int | None) -> Period | None:
    """Read a period without a bracketed note; None when it is no form this module reads."""
    return _read_dates(text, compact, fiscal_year) or _read_recurring(text, compact, fiscal_year)


def _read_noted(text: str, main: str, note: str, fiscal_year: int | None) -> Period | None:
    """Read a period followed by a note in brackets: recurring work and its range, one in the brackets ("ทุกเดือน
    (ต.ค. 68 - มี.ค. 69)", "ต.ค. 68 - ก.ย. 69 (รายไตรมาส)"); otherwise the period without its note ("ต.ค. 68 -
    ก.ย. 69 (ตามปฏิทินกิจกรรม)"), or an event's dates in its brackets ("ภาคเรียนที่ 1 (พ.ค. - ก.ย. 69)")."""
    for recurrence, written_span in ((main, note), (note, main)):
        match = _RECURRENCE_RE.fullmatch(recurrence)
        if match:
            rounds = _rounds(text, match)
            span = _read_span(text, written_span, fiscal_year)
            if span is not None:
                return _recurring(text, rounds, span)
    period = _read_compact(text, main, fiscal_year)
    if period is None and _names_no_dates(main):
        # Only dates: "ภาคเรียนที่ 1 (ทุกเดือน)" says how often, not when, and stays undated.
        period = _read_dates(text, note, fiscal_year)
    return period


def _names_no_dates(compact: str) -> bool:
    """Tell whether a period ties the work to an event, a term or a request (see _UNDATED_WORDS)."""
    return any(word in compact for word in _UNDATED_WORDS)


def read_period(text: str, fiscal_year: int | None = None) -> Period:
    """Read a period as Thai plans write it: a range of months or days, the fiscal year, quarters of it, a calendar
    year, or recurring work (every month, every quarter, days 1-5 of each month) with its rounds.

    A period without a year is read in the plan's fiscal year (BE), and needs it. Raise UndatedPeriod for an event's
    or a school term's period that has no dates, PeriodError (which it is one of) for anything else that cannot be
    read, saying why in Thai; a date is never guessed.
    """
    # "ทุก ๆ เดือน": the repetition mark (ไม้ยมก) says nothing more than "ทุก".
    compact = _compact(text).replace("ทุกๆ", "ทุก")
    if _TOO_FREQUENT_RE.search(compact):
        raise PeriodError(text, _TOO_FREQUENT)
    period = _read_compact(text, compact, fiscal_year)
    if period is None:
        match = _NOTE_RE.fullmatch(compact)
        if match:
            period = _read_noted(text, match["main"], match["note"], fiscal_year)
    if period is not None:
        return period
    if _names_no_dates(compact):
        raise UndatedPeriod(text)
    raise PeriodError(text)


def parse_period(text: str, fiscal_year: int | None = None) -> tuple[date, date]:
    """Read a period as Thai plans write it and return its first and last day (see read_period)."""
    period = read_period(text, fiscal_year)
    return period.start, period.end


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
