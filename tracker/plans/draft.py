"""What a plan file says, before anything touches the database: the common shape every reader produces."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from datetime import date

from ..models import IndicatorSource
from ..thai import Occurrence, Period


class PlanFileError(Exception):
    """A plan file that cannot be imported; each problem names the file, where in it, and what was expected.

    `draft` is what a reader could read despite the problems (every row it got through), so that the checks after
    reading still run on it and one import says every problem at once; None when nothing could be read past them (not
    text, no table header, too big).
    """

    def __init__(self, problems: list[str], draft: PlanDraft | None = None):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.draft = draft


def where(source: str, row: int | None = None, column: str | None = None, line: int | None = None) -> str:
    """Name a place in a file the way the person who wrote it will look for it."""
    parts = [source]
    if row is not None:
        parts.append(f"แถว {row}")
    if line is not None:
        parts.append(f"บรรทัด {line}")
    if column is not None:
        parts.append(f"คอลัมน์ “{column}”")
    return " ".join(parts)


# The place `where` writes at the start of a problem, after the file's name (and a sheet's, when not the first).
_PLACE = re.compile(r"(?: แผ่นงาน “[^”]*”)?(?: แถว (\d+))?(?: บรรทัด (\d+))?")


def in_file_order(problems: list[str], source: str) -> list[str]:
    """Order problems as a person reads the file: those of the whole file first, then by line (a report's) or row
    (a sheet's); problems of one place keep the order they were found in."""

    def position(problem: str) -> tuple[int, int]:
        found = _PLACE.match(problem, len(source)) if problem.startswith(source) else None
        number = (found.group(2) or found.group(1)) if found else None  # the line where a report gives both
        return (1, int(number)) if number else (0, 0)

    return sorted(problems, key=position)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line ends a text editor counts lines by


def decode_text(data: bytes, source: str, *, cp874: bool = False) -> str:
    """Decode a plan file's bytes as UTF-8 (a BOM allowed) or, with `cp874`, as Thai Windows' ANSI code page; raise
    PlanFileError naming the line, column and byte offset of the first byte that is not text."""
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    body = data[bom:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        failure, encoding = error, "utf-8"
    # A UTF-8 file with a stray byte or two (a paste from elsewhere, a cut-off save) is still UTF-8: read as cp874,
    # its Thai would turn into other letters, and the place to point at is the stray byte's.
    if cp874 and not bom and not _mostly_utf8(body):
        try:
            return body.decode("cp874")
        except UnicodeDecodeError as error:
            failure, encoding = error, "cp874"
    raise PlanFileError([_undecodable(source, bom, failure, encoding)])


def _mostly_utf8(body: bytes) -> bool:
    """Tell whether the characters UTF-8 reads outside ASCII outnumber the bytes it cannot read: Thai in cp874 reads
    as UTF-8 only here and there, by chance."""
    text = body.decode("utf-8", errors="replace")
    stray = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return non_ascii - stray > stray


def _undecodable(source: str, bom: int, error: UnicodeDecodeError, encoding: str) -> str:
    # Everything before the failing byte decodes (the decoder stops at the first byte it cannot read), so the line
    # and the column are counted in the characters a text editor shows.
    before = error.object[: error.start].decode(encoding, errors="replace")
    lines = _LINE_BREAK.split(before)
    line, column = len(lines), len(lines[-1]) + 1
    offset = bom + error.start  # from the file's first byte, the BOM counted, as a hex editor shows it
    bad = error.object[error.start : error.end]  # a byte, or the start of a character cut off at the end
    stray = " ".join(f"0x{byte:02X}" for byte in bad)
    # Said as what the file was taken for: UTF-8, or (a CSV that does not read as UTF-8) Thai Windows' code page too.
    thai, english = "UTF-8", "UTF-8"
    if encoding != "utf-8":
        thai, english = "UTF-8 หรือ TIS-620 (cp874)", "UTF-8 or TIS-620/cp874"
    return (
        f"{where(source, line=line)} ตัวอักษรที่ {column}: อ่านไม่ได้ — ไบต์ {stray} (ตำแหน่งไบต์ {offset:,}) "
        f"ไม่ใช่ข้อความ {thai} ลบหรือพิมพ์ตัวอักษรตรงนั้นใหม่ แล้วบันทึกเป็น UTF-8 "
        f"(not {english} text: {'byte' if len(bad) == 1 else 'bytes'} {stray} at line {line}, column {column}, "
        f"byte offset {offset:,})"
    )


@dataclass
class OrganizationDraft:
    name: str
    kind: str | None = None
    district: str | None = None
    province: str | None = None


@dataclass
class ScoresDraft:
    """ITA scores of the assessment year the report analyses (the year before the plan's)."""

    year_be: int
    overall: float | None = None
    tools: dict[str, float] = field(default_factory=dict)  # IIT, EIT, OIT
    indicators: dict[int, float] = field(default_factory=dict)
    indicator_names: dict[int, str] = field(default_factory=dict)
    indicator_analysis: dict[int, str] = field(default_factory=dict)


@dataclass
class MeasureDraft:
    title: str
    place: str  # where the row is in the file, for messages
    cells: dict[str, str] = field(default_factory=dict)  # where each column's cell is, for the checks after reading
    analysis: str = ""
    period_text: str = ""
    start: date | None = None
    end: date | None = None
    steps: list[str] = field(default_factory=list)
    division_names: list[str] = field(default_factory=list)  # as written in the file
    indicators: list[int] = field(default_factory=list)
    indicator_source: str = IndicatorSource.EXPLICIT.value
    indicator_note: str = ""  # why an inferred link was chosen, shown in the dry run
    occurrences: tuple[Occurrence, ...] = ()  # a recurring period's rounds (thai.read_period): tasks per round
    undated: bool = False  # the period names an event or a term, not dates (thai.UndatedPeriod)
    weight: float | None = None  # the plan's "น้ำหนัก"
    details: list[tuple[str, str]] = field(default_factory=list)  # the plan's other columns, (heading, text)
    warnings: list[str] = field(default_factory=list)  # of this row (a calendar-year period), shown in the preview

    def take_period(self, period: Period, place: str) -> None:
        """Give the row the dates (and a recurring period's rounds) read from its period; its warning, at `place`."""
        self.start, self.end, self.occurrences, self.undated = period.start, period.end, period.occurrences, False
        if period.warning:
            self.warnings.append(f"{place}: {period.warning}")

    @property
    def missing(self) -> tuple[str, ...]:
        """What the row lacks to be more than a draft (rows.DRAFTABLE): a period (none written, or an event's, with
        no dates), its divisions. A period written wrong is no draft's: it is a problem of the row, said as read."""
        no_period = self.start is None and (not self.period_text or self.undated)
        return tuple(
            column for column, lacking in (("period", no_period), ("divisions", not self.division_names)) if lacking
        )


@dataclass
class PlanDraft:
    source: str
    fiscal_year: int | None
    measures: list[MeasureDraft]
    organization: OrganizationDraft | None = None
    scores: ScoresDraft | None = None
    warnings: list[str] = field(default_factory=list)
    year_refused: bool = False  # fiscal_year is None and a problem of the reader's already says why
