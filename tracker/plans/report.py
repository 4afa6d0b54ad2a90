"""Read an ITA analysis report as text pulled out of the published Word or PDF document.

Reports vary: Thai or Arabic digits, markdown headings or none, the plan as a tab-separated table or flattened to one
cell a line. This reader takes what the report states and nothing else: the agency, the years, the scores, and the
rows of the improvement table. Where the report contradicts itself it says so in warnings, and where there is no plan
table it refuses rather than invent one.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

from ..ita import indicators_for
from ..labels import PLAN_COLUMN
from ..thai import is_plausible_be_year, to_arabic_digits, year_expected
from .draft import MeasureDraft, OrganizationDraft, PlanDraft, PlanFileError, ScoresDraft, where
from .rows import (
    COLUMNS,
    MAX_MEASURES,
    REQUIRED,
    clean,
    columns_named,
    header_columns,
    is_header,
    measure_from_row,
    month_columns,
    strip_junk,
    too_many_rows,
)

ORG_KINDS = (
    "องค์การบริหารส่วนตำบล",
    "องค์การบริหารส่วนจังหวัด",
    "เทศบาลตำบล",
    "เทศบาลเมือง",
    "เทศบาลนคร",
)
# A name is one word of at most 150 characters after its kind (Organization.name holds 200): a longer run is not a name.
_ORG = re.compile("(" + "|".join(ORG_KINDS) + r")(\S{1,150})(?!\S)")
_NUM = r"(\d{1,3}(?:\.\d+)?)(?![\d.])"
# "ภาพรวม ๘๕ คะแนนขึ้นไป" is the pass line, not a result.
_NOT_A_TARGET = r"(?!\s*(?:คะแนน\s*)?ขึ้นไป)"
# Every run of spaces below is matched possessively (*+) and never next to another quantifier that could take the
# same spaces: a line of tens of thousands of spaces must cost its length, not its square.
_OVERALL = re.compile(r"ภาพรวม(?:อยู่ที่|เท่ากับ|คือ|ได้|[ \t])*+(?:ร้อยละ[ \t]*+)?" + _NUM + _NOT_A_TARGET)
_TOOL = re.compile(r"\b(IIT|EIT|OIT)[ \t]*+(?:ได้)?(?:คะแนน)?[ \t:=]*+" + _NUM + _NOT_A_TARGET)
# The name runs up to the score's word; its trailing spaces are cleaned off afterwards rather than matched apart.
_INDICATOR_SCORE = re.compile(
    r"ตัวชี้วัดที่\s*+(\d{1,2})\s*+([^\d\n]*?)(?:ได้คะแนน|มีค่าคะแนน|คะแนน)\s*+" + _NUM
)
_INDICATOR_ROW = re.compile(r"^\s*+(\d{1,2})\t([^\t]+)\t\s*+" + _NUM + r"\s*$")
_INDICATOR_HEADING = re.compile(r"^[#*\s]*+ตัวชี้วัดที่\s*+(\d{1,2})\s*+([^\d*]*+)[*\s]*+$")
_SECTION_SCORE = re.compile(r"(?:มีค่าคะแนน|ได้คะแนน)\s*+" + _NUM)
_FISCAL_YEAR = re.compile(r"ปีงบประมาณ\s*+(?:พ\.ศ\.)?\s*+(\d{4})")
_MAX_LISTED = 10  # lines or names a warning lists before it says how many more
_PLAN_HEADING = "การนำผลการวิเคราะห์ไปสู่"


@dataclass
class _Mention:
    value: float
    line: int
    kind: str  # table, list, section


def read_report(text: str, source: str) -> PlanDraft:
    """Read the organization, years, ITA scores and improvement table of a report's text; raise PlanFileError with
    every problem found in it, each naming the file and the line."""
    text = strip_junk(text)
    context = read_context(text, source)
    problems = context.problems
    measures = _plan_table(text.splitlines(), source, context.fiscal_year, problems)
    draft = PlanDraft(
        source=source,
        fiscal_year=context.fiscal_year,
        measures=measures,
        organization=context.organization,
        scores=context.scores,
        warnings=context.warnings,
        year_refused=context.year_refused,
    )
    if problems:
        raise PlanFileError(problems, draft)  # with what was read, for the import's own checks to run on
    return draft


@dataclass
class ReportContext:
    """What a report says around its plan table: the agency, the plan's fiscal year, the scores, and its warnings
    and problems (a year no report can be of)."""

    organization: OrganizationDraft | None
    fiscal_year: int | None
    scores: ScoresDraft | None
    warnings: list[str]
    problems: list[str]
    year_refused: bool  # fiscal_year is None and a problem above says why


def read_context(text: str, source: str) -> ReportContext:
    """Read everything of a report's text but its plan table: read_report's first half, which the Word reader uses
    on a document's text outside its plan table."""
    text = strip_junk(text)
    arabic = to_arabic_digits(text)
    lines = arabic.splitlines()
    warnings: list[str] = []
    problems: list[str] = []

    organization = _organization(lines)
    years = _fiscal_years(arabic, source, problems)
    assessment_year = years[0] if years else None
    fiscal_year = max(years) if years and max(years) > years[0] else (years[0] + 1 if years else None)
    if fiscal_year is not None and not is_plausible_be_year(fiscal_year):
        problems.append(f"{source}: ปีงบประมาณของแผน {fiscal_year} ไม่ใช่ปีที่เป็นไปได้ — {year_expected()}")
        fiscal_year = None
    year_refused = fiscal_year is None and bool(problems)  # only problems of its years so far

    scores = _scores(lines, assessment_year, source, warnings) if assessment_year else None
    if organization:
        warnings.extend(_other_organizations(lines, organization.name, source))
    return ReportContext(organization, fiscal_year, scores, warnings, problems, year_refused)


def _fiscal_years(arabic: str, source: str, problems: list[str]) -> list[int]:
    """The fiscal years the report names ("ปีงบประมาณ พ.ศ. ๒๕๖๘"), in order; a year no report can be of is a
    problem at its line, not a date to compute with."""
    # Where each line starts, as str.splitlines() cuts them, to name the line of a year found in the whole text.
    starts = [0, *accumulate(len(line) for line in arabic.splitlines(keepends=True))]
    years = []
    for m in _FISCAL_YEAR.finditer(arabic):
        year = int(m.group(1))
        if is_plausible_be_year(year):
            years.append(year)
        else:
            line = bisect_right(starts, m.start(1))
            problems.append(f"{where(source, line=line)}: ปีงบประมาณ {m.group(1)} ไม่ใช่ปีที่เป็นไปได้ — {year_expected()}")
    return years


def _organization(lines: list[str]) -> OrganizationDraft | None:
    # The agency's name stands alone on a line of the cover; the line after it gives district and province.
    for index, line in enumerate(lines[:60]):
        m = _ORG.fullmatch(line.strip())
        if m:
            draft = OrganizationDraft(name=m.group(0), kind=m.group(1))
            nearby = " ".join(lines[index + 1 : index + 4])
            if district := re.search(r"อำเภอ\s*(\S+)", nearby):
                draft.district = district.group(1)
            if province := re.search(r"จังหวัด\s*(\S+)", nearby):
                draft.province = province.group(1)
            return draft
    m = _ORG.search("\n".join(lines))
    return OrganizationDraft(name=m.group(0), kind=m.group(1)) if m else None


@dataclass
class _Scan:
    """Everything the report says about scores, with the line it says it on."""

    overall: list[_Mention] = field(default_factory=list)
    tools: dict[str, list[_Mention]] = field(default_factory=lambda: defaultdict(list))
    indicators: dict[int, list[_Mention]] = field(default_factory=lambda: defaultdict(list))
    names: dict[int, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    analysis: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def _scores(lines: list[str], year: int, source: str, warnings: list[str]) -> ScoresDraft:
    scan = _scan(lines)
    scores = ScoresDraft(year_be=year)
    scores.overall = _agreed("คะแนนภาพรวม (overall score)", scan.overall, source, warnings)
    for tool, found_tool in scan.tools.items():
        scores.tools[tool] = _most_stated(f"คะแนน {tool}", found_tool, source, warnings)
    for number in sorted(scan.indicators):
        if 1 <= number <= 10:
            scores.indicators[number] = _most_stated(f"คะแนนตัวชี้วัดที่ {number}", scan.indicators[number], source,
                                                     warnings)
    scores.indicator_analysis = {n: " ".join(texts) for n, texts in scan.analysis.items() if 1 <= n <= 10}
    scores.indicator_names = _indicator_names(scan.names, year, source, warnings)
    return scores


def _scan(lines: list[str]) -> _Scan:
    """Collect every score the report states (overall, per tool, per indicator), the names it gives indicators and
    the analysis text under each indicator's heading."""
    scan = _Scan()
    section: int | None = None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("#") or _PLAN_HEADING in stripped:
            section = None
        heading = _INDICATOR_HEADING.match(line) if len(stripped) < 100 else None
        if heading and not stripped.startswith(("-", "•")):
            section = int(heading.group(1))
            scan.names[section].append((clean(heading.group(2)), number))
            continue
        for m in _OVERALL.finditer(line):
            scan.overall.append(_Mention(float(m.group(1)), number, "text"))
        for m in _TOOL.finditer(line):
            scan.tools[m.group(1)].append(_Mention(float(m.group(2)), number, "text"))
        if row := _INDICATOR_ROW.match(line):
            scan.indicators[int(row.group(1))].append(_Mention(float(row.group(3)), number, "table"))
            scan.names[int(row.group(1))].append((clean(row.group(2)), number))
            continue
        found = list(_INDICATOR_SCORE.finditer(line))
        for m in found:
            kind = "section" if section == int(m.group(1)) else "list"
            scan.indicators[int(m.group(1))].append(_Mention(float(m.group(3)), number, kind))
            if m.group(2).strip():
                scan.names[int(m.group(1))].append((clean(m.group(2)), number))
        if section is not None and not found:
            for m in _SECTION_SCORE.finditer(line):
                scan.indicators[section].append(_Mention(float(m.group(1)), number, "section"))
            if stripped:
                scan.analysis[section].append(stripped)
    return scan


def _indicator_names(names: dict[int, list[tuple[str, int]]], year: int, source: str,
                     warnings: list[str]) -> dict[int, str]:
    """Name each indicator as the year's framework does, warning where the report writes another name."""
    official = {spec.number: spec.name for spec in indicators_for(year)}
    chosen: dict[int, str] = {}
    for number in sorted(names):
        written = {name: line for name, line in reversed(names[number]) if name}
        chosen[number] = official.get(number) or Counter(n for n, _ in names[number]).most_common(1)[0][0]
        odd = {name: line for name, line in written.items() if _key(name) != _key(official.get(number, name))}
        if odd and number in official:
            listed = _listed(
                [f"“{name}” (บรรทัด {line})" for name, line in sorted(odd.items(), key=lambda x: x[1])], ", "
            )
            warnings.append(
                f"{source}: ตัวชี้วัดที่ {number} ในรายงานเขียนชื่อว่า {listed} แต่ชื่อในกรอบการประเมิน ITA {year} "
                f"คือ “{official[number]}” — ใช้ชื่อตามกรอบการประเมิน"
            )
    return chosen


def _listed(items: list[str], separator: str) -> str:
    """Join the first few items of a warning's list, saying how many more there are."""
    shown = separator.join(items[:_MAX_LISTED])
    return shown if len(items) <= _MAX_LISTED else f"{shown} และอีก {len(items) - _MAX_LISTED:,} แห่ง"


def _agreed(label: str, mentions: list[_Mention], source: str, warnings: list[str]) -> float | None:
    """Take the value the report states most often, None if it states none; say where it states another."""
    if not mentions:
        return None
    return _most_stated(label, mentions, source, warnings)


def _most_stated(label: str, mentions: list[_Mention], source: str, warnings: list[str]) -> float:
    """_agreed() of at least one mention (every list in a _Scan has one: it is made by appending one)."""
    counts = Counter(m.value for m in mentions)
    # Ties go to the score table, then to the summary list: prose is where copy-paste slips happen.
    rank = {"table": 0, "list": 1, "text": 2, "section": 3}
    best: dict[float, int] = {}  # each value's best-ranked mention, found in one pass
    for m in mentions:
        best[m.value] = min(best.get(m.value, len(rank)), rank[m.kind])
    value = max(counts, key=lambda v: (counts[v], -best[v]))
    others = [m for m in mentions if m.value != value]
    if others:
        agreeing = _listed([str(m.line) for m in mentions if m.value == value], ", ")
        odd = _listed([f"บรรทัด {m.line} เขียน {m.value:.2f}" for m in others], "; ")
        warnings.append(
            f"{source}: {label} ไม่ตรงกันในรายงาน — {value:.2f} (บรรทัด {agreeing}) แต่ {odd}; ใช้ {value:.2f}"
        )
    return value


def _key(name: str) -> str:
    return re.sub(r"\s+", "", name)


def _other_organizations(lines: list[str], own: str, source: str) -> list[str]:
    """Warn about agencies named in the report that are not its own: a sign of text copied from another report."""
    own_match = _ORG.match(own)
    own_tail = _key(own_match.group(2)) if own_match else _key(own)
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        for m in _ORG.finditer(line):
            # A PDF line break can split the name ("เทศบาลตำบลบาง กระบือ"): compare with the spaces taken out.
            following = _key(line[m.start(2) : m.start(2) + len(own_tail) + 20])
            if not following.startswith(own_tail) and m.group(0) not in seen:
                seen[m.group(0)] = number
    found = [
        f"{where(source, line=line)}: รายงานกล่าวถึง “{name}” ซึ่งไม่ใช่ “{own}” — อาจคัดลอกมาจากรายงานของหน่วยงานอื่น"
        for name, line in seen.items()
    ]
    if len(found) > _MAX_LISTED:
        found[_MAX_LISTED:] = [f"{source}: และกล่าวถึงหน่วยงานอื่นอีก {len(found) - _MAX_LISTED:,} แห่ง"]
    return found


def _plan_table(lines: list[str], source: str, fiscal_year: int | None, problems: list[str]) -> list[MeasureDraft]:
    """Find the improvement table, tab-separated or one cell a line, and read its rows; a table without a row is a
    problem, as is a report without a table."""
    measures: list[MeasureDraft] | None = None
    before = len(problems)  # the report's own problems (its years) say nothing of the table
    for index, line in enumerate(lines):
        if "\t" in line and is_header(line.split("\t")):
            measures = _tab_rows(lines, index, source, fiscal_year, problems)
            break
    else:
        flattened = _flattened_header(lines)
        if flattened is not None:
            start, width = flattened
            measures = _flattened_rows(lines, start, width, source, fiscal_year, problems)
    if measures is None:
        problems.append(
            f"{source}: ไม่พบตารางแผนปรับปรุง (ต้องมีหัวตาราง {', '.join(PLAN_COLUMN[c] for c in REQUIRED)}) — "
            "ไม่ได้นำเข้าอะไร. No improvement-plan table was found (a header naming the measure, steps, period "
            "and responsible columns); nothing was imported."
        )
        return []
    if not measures and len(problems) == before:  # rows refused are said each; none at all is said here
        problems.append(
            f"{source}: ตารางแผนปรับปรุงมีแต่หัวตาราง ไม่มีมาตรการ — เพิ่มมาตรการใต้หัวตาราง แถวละหนึ่งมาตรการ "
            "(no measures below the header)"
        )
    return measures


def _tab_rows(lines: list[str], header: int, source: str, fiscal_year: int | None, problems: list[str]) -> list:
    header_cells = lines[header].split("\t")
    columns = header_columns(header_cells)
    measures: list[MeasureDraft] = []
    rows = 0
    for number, line in enumerate(lines[header + 1 :], start=header + 2):
        if not line.strip():
            continue
        if "\t" not in line:
            break  # the table has ended
        rows += 1
        if rows > MAX_MEASURES:
            problems.append(too_many_rows(where(source, line=number)))
            break
        cells = line.split("\t")
        if len(cells) != len(header_cells):
            problems.append(
                f"{where(source, line=number)}: แถวนี้มี {len(cells)} ช่อง แต่หัวตารางมี {len(header_cells)} ช่อง "
                f"(expected {len(header_cells)} tab-separated cells)"
            )
            continue
        measure = measure_from_row(
            cells, columns, source=source, row=len(measures) + 1, line=number, fiscal_year=fiscal_year,
            problems=problems, months=month_columns(header_cells),
        )
        if measure:
            measures.append(measure)
    return measures


def _flattened_header(lines: list[str]) -> tuple[int, int] | None:
    """Find a header written one cell a line: a run of short lines without numbers, each naming one more column."""
    named: list[tuple[str, ...] | None] = [None] * len(lines)  # each line's columns, worked out once

    def columns_of(number: int) -> tuple[str, ...]:
        if named[number] is None:
            text = lines[number].strip()
            short = bool(text) and len(text) <= 80 and not re.search(r"\d", to_arabic_digits(text))
            named[number] = columns_named(text) if short else ()
        return named[number] or ()

    for index in range(len(lines)):
        found: list[str] = []  # as header_columns would map the lines from index on, one more column a line
        for number in range(index, min(len(lines), index + len(COLUMNS) + 1)):
            column = next((c for c in columns_of(number) if c not in found), None)
            if column is None:
                break
            found.append(column)
        if all(c in found for c in REQUIRED):
            return index, len(found)
    return None


def _flattened_rows(
    lines: list[str], start: int, width: int, source: str, fiscal_year: int | None, problems: list[str]
) -> list:
    numbered = [(n, line) for n, line in enumerate(lines[start:], start=start + 1) if line.strip()]
    columns = header_columns([line for _, line in numbered[:width]])
    body = numbered[width:]
    measures = []
    for offset in range(0, len(body), width):
        chunk = body[offset : offset + width]
        if offset // width >= MAX_MEASURES:
            problems.append(too_many_rows(where(source, line=chunk[0][0])))
            break
        if len(chunk) < width:
            problems.append(
                f"{where(source, line=chunk[0][0])}: ตารางที่แยกช่องละบรรทัดจบไม่ครบแถว — มี {len(chunk)} ช่อง "
                f"ต้องมี {width} (expected {width} cells, one a line)"
            )
            break
        measure = measure_from_row(
            [line for _, line in chunk], columns, source=source, row=offset // width + 1, line=chunk[0][0],
            fiscal_year=fiscal_year, problems=problems,
        )
        if measure:
            measures.append(measure)
    return measures
