"""Plan import: a report (text, Word, PDF), CSV or XLSX file -> a checked draft -> measures and tasks, in one
transaction.

    read_plan_file()  report.py / word.py / pdf.py / sheets.py   what the file says
    resolve()         matching.py             what its names mean here (organization, divisions, indicators)
    preview()                                 what an import would create: the dry run, text or JSON
    build.write()                             the rows, added to the caller's transaction

`import_plan` runs them in that order and writes nothing unless every check passed; the caller commits. A file with
problems still goes through every check that what could be read allows (a row whose date is wrong still names its
divisions; the plan still has a year a plan may already exist for), so one run lists every problem, file-wide ones
first, then by row or line.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from ..access import Action, require, scoped
from ..divisions import catalogue_entry, division_key
from ..extensions import db
from ..ita import indicators_for
from ..labels import INDICATOR_SOURCE, PLAN_COLUMN
from ..models import (
    Assessment,
    FiscalYear,
    IndicatorSource,
    Organization,
    Plan,
    Source,
    User,
)
from ..thai import PeriodError, fiscal_year_bounds, is_plausible_be_year, read_period, year_expected
from . import build
from .draft import PlanDraft, PlanFileError, decode_text, in_file_order
from .matching import KnownDivision, infer_indicator, match_division
from .preview import division_names, preview
from .report import read_report
from .rows import MAX_DIVISION_NAME, clean, means_every_division, shorten
from .sheets import read_sheet

__all__ = [
    "MAX_PLAN_FILE_BYTES", "ImportResult", "PlanFileError", "RowChoice", "UPLOAD_SUFFIXES", "import_plan",
    "read_plan_file", "too_large",
]

# A plan is a few pages of text or a small spreadsheet (the seed report is 60 KB): a bigger file is not a plan, and
# reading it is refused before it costs anything, from the web upload and the command line alike.
MAX_PLAN_FILE_BYTES = 5 * 1024 * 1024
REPORT_SUFFIXES = {".txt", ".md", ".text"}
SHEET_SUFFIXES = {".csv", ".xlsx"}
WORD_SUFFIXES = {".docx"}
PDF_SUFFIXES = {".pdf"}
# What the web upload offers: the report's text, the report as a Word document or PDF, and the template.
UPLOAD_SUFFIXES = (".txt", ".docx", ".pdf", ".csv", ".xlsx")


def too_large(source: str, size: int | None = None) -> str:
    """The problem of a file too big to be a plan; without its size, of one read only as far as the limit."""
    limit = MAX_PLAN_FILE_BYTES // 2**20
    how_big = f"มีขนาด {size / 2**20:,.1f} MB " if size is not None else ""
    return (
        f"{source}: ไฟล์{how_big}ใหญ่เกินที่รับได้ {limit} MB — แผนจริงมีขนาดไม่ถึง 1 MB "
        f"(a plan file of at most {limit} MB)"
    )


@dataclass
class ImportResult:
    """The outcome of an import or a dry run; `preview` is also the `--json` output."""

    preview: dict
    status: str  # would_create | created | unchanged | refused
    problems: list[str] = field(default_factory=list)
    plan: Plan | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def read_plan_file(path: Path, *, source: str | None = None, fiscal_year: int | None = None) -> PlanDraft:
    """Read a plan file by its kind: report text, Word document, PDF, CSV or XLSX. Raise PlanFileError with every
    problem found in it, each naming the file and, where it is in one, the row or line and the column."""
    source = source or path.name
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size > MAX_PLAN_FILE_BYTES:
        raise PlanFileError([too_large(source, size)])
    if fiscal_year is not None and not is_plausible_be_year(fiscal_year):
        raise PlanFileError(
            [f"{source}: ปีงบประมาณ {fiscal_year} ที่ระบุ (--fiscal-year) ไม่ใช่ปีที่เป็นไปได้ — {year_expected()}"]
        )
    if suffix in SHEET_SUFFIXES:
        return read_sheet(path, source, fiscal_year)
    if suffix in REPORT_SUFFIXES:
        return read_report(decode_text(path.read_bytes(), source), source)
    if suffix in WORD_SUFFIXES:
        from .word import read_word  # python-docx is imported only when a .docx is read

        return read_word(path, source, fiscal_year)
    if suffix in PDF_SUFFIXES:
        from .pdf import read_pdf  # pypdf is imported only when a PDF is read

        return read_pdf(path, source)
    raise PlanFileError(
        [
            f"{source}: ไม่รู้จักชนิดไฟล์ “{suffix or '(none)'}” — รับ .txt (ข้อความรายงาน), .docx (รายงาน Word), "
            ".pdf, .csv, .xlsx"
        ]
    )


def import_plan(
    path: Path,
    actor: User | None,
    *,
    source_name: str | None = None,
    organization: Organization | None = None,
    fiscal_year: int | None = None,
    create_divisions: bool = False,
    indicator_choices: dict[int, list[int]] | None = None,
    row_choices: dict[int, RowChoice] | None = None,
    allow_drafts: bool = False,
    dry_run: bool = False,
    source: Source,
) -> ImportResult:
    """Import a plan file, or with `dry_run` only say what it would create. Writes nothing when anything is wrong.

    Who may: Action.IMPORT_PLAN, into `organization`; `actor` None is the operator at the server's command line
    (source CLI, access.SYSTEM), who may also import into an organization the file names or creates.

    A file that cannot be read whole (or whose year cannot be told) raises PlanFileError with every problem the
    checks found, in the file's order; a file read whole comes back refused, its preview with its problems.

    `indicator_choices` maps a measure's position (1-based) to the indicator numbers a person confirmed;
    `row_choices` to the period and divisions a person gave a row the plan left without them (the preview's fields).
    A row still without its dates or divisions is a problem, or with `allow_drafts` a draft measure imported without
    tasks, for a person to complete (tracker.measures.complete).
    """
    require(actor, Action.IMPORT_PLAN, organization, source=source)
    try:
        draft = read_plan_file(path, source=source_name, fiscal_year=fiscal_year)
        problems: list[str] = []
    except PlanFileError as error:
        if error.draft is None:
            raise  # nothing could be read past its problems (not text, no header): there is nothing more to check
        # The rows that could be read still name divisions and the plan still has a year: check them too, so that
        # one run says every problem of the file, not those of reading first and the rest on the next upload.
        draft, problems = error.draft, list(error.problems)
    unreadable = bool(problems)
    choices = row_choices or {}
    _choose_divisions(draft, choices)
    if fiscal_year and draft.fiscal_year and fiscal_year != draft.fiscal_year:
        problems.append(
            f"{draft.source}: แผนนี้เป็นของปีงบประมาณ {draft.fiscal_year} แต่สั่งให้นำเข้าเป็นปี {fiscal_year}"
        )
    plan_year = draft.fiscal_year or fiscal_year
    if plan_year is None and not (draft.year_refused and unreadable):
        problems.append(f"{draft.source}: ไม่ทราบปีงบประมาณของแผน — ระบุด้วย --fiscal-year")
    database_ready = _database_ready()
    org = _resolve_organization(draft, organization, problems, database_ready)
    divisions, new_divisions = _resolve_divisions(draft, org, create_divisions, problems)
    if plan_year is None:  # so a problem says why; what depends on the year cannot be checked
        raise PlanFileError(in_file_order(problems, draft.source))
    resolution = build.Resolution(org, plan_year, divisions, new_divisions, create=create_divisions)
    _link_indicators(draft, org, plan_year, indicator_choices or {}, database_ready)
    _choose_periods(draft, choices, plan_year)
    _check_periods(draft, plan_year)
    _check_rows(draft, allow_drafts, problems)

    content_hash = _content_hash(draft, resolution)
    status = "would_create"
    if org is not None and database_ready:
        resolution.existing_plan = db.session.scalar(
            scoped(Plan, org.id).join(FiscalYear).where(FiscalYear.year_be == plan_year)
        )
    existing = resolution.existing_plan
    if existing is not None:
        if existing.content_hash == content_hash:
            status = "unchanged"
        else:
            problems.append(
                f"{draft.source}: {existing.organization.name} มีแผนปีงบประมาณ {plan_year} อยู่แล้ว "
                f"(นำเข้าจาก {existing.source}) และไฟล์นี้ต่างจากเดิม — แก้ไขงานในระบบแทนการนำเข้าซ้ำ. "
                "A different plan for this year is already imported."
            )
    if not database_ready:
        problems.append("ฐานข้อมูลยังไม่ได้สร้าง — รัน `tracker db upgrade` ก่อนนำเข้าจริง (database not initialised)")
    problems = in_file_order(problems, draft.source)
    if unreadable:
        raise PlanFileError(problems)  # refused as a file that cannot be read is, every problem in it said
    if problems:
        status = "refused"

    result = ImportResult(preview(draft, resolution, status, problems), status, problems)
    if dry_run or problems or status == "unchanged":
        if existing is not None and status == "unchanged":
            result.plan = existing
        return result
    result.plan = build.write(draft, resolution, content_hash, actor=actor, source=source)
    result.status = result.preview["status"] = "created"
    return result


def _database_ready() -> bool:
    # A dry run should still show what a file holds on a machine where `tracker db upgrade` has not been run yet.
    return sa_inspect(db.engine).has_table("plan")


def _resolve_organization(
    draft: PlanDraft, chosen: Organization | None, problems: list[str], database_ready: bool
) -> Organization | None:
    named = draft.organization.name if draft.organization else None
    if chosen is not None:
        if named and division_key(named) != division_key(chosen.name):
            problems.append(f"{draft.source}: รายงานนี้เป็นของ “{named}” ไม่ใช่ “{chosen.name}”")
        return chosen
    if not database_ready:
        return None
    if named:
        return db.session.scalar(select(Organization).where(Organization.name == named))
    organizations = db.session.scalars(select(Organization)).all()
    if len(organizations) == 1:
        return organizations[0]
    problems.append(
        f"{draft.source}: ไฟล์ไม่ได้ระบุหน่วยงาน — ระบุด้วย --org "
        f"({'ยังไม่มีหน่วยงานในระบบ' if not organizations else 'มี ' + str(len(organizations)) + ' หน่วยงาน'})"
    )
    return None


# How a division's own name starts (กองคลัง, สำนักปลัด, ส่วนโยธา, หน่วยตรวจสอบภายใน); a name that does not is an
# abbreviation or a short name (กค., ตรวจสอบภายใน).
_UNIT_NAME = re.compile(r"(?:กอง|สำนัก|ส่วน|หน่วย|งาน)")


def _resolve_divisions(
    draft: PlanDraft, org: Organization | None, create: bool, problems: list[str]
) -> tuple[dict[str, list], list[build.NewDivision]]:
    """What each division name of the plan means: the organization's divisions, or one to create (or, without
    `create`, a problem at the first cell that names it)."""
    known = [KnownDivision(d.id, d.name, d.short_name, list(d.aliases or [])) for d in (org.divisions if org else [])]
    rows = {d.id: d for d in (org.divisions if org else [])}
    meaning: dict[str, list] = {}
    new: dict[str, build.NewDivision] = {}  # key of the common spelling -> division to create
    for measure in draft.measures:
        place = measure.cells.get("divisions", measure.place)
        for name in measure.division_names:
            if name in meaning or len(name) > MAX_DIVISION_NAME:  # a name too long is refused as it is read
                continue
            if means_every_division(name):
                meaning[name] = list(rows.values())
                if not rows:
                    problems.append(f"{place}: “{name}” แต่หน่วยงานยังไม่มีกองในระบบ")
                continue
            found = match_division(name, known)
            if found:
                meaning[name] = [rows[found.id]]
                continue
            # Not here yet: group the spellings of one division (สำนักปลัด, สำนักปลัดเทศบาล) so the preview counts
            # it once, whether it will be created or is reported missing.
            spec = catalogue_entry(name)
            # An abbreviation (กค., สป.) names no division to create: the common name it stands for does.
            spelled = spec.name if spec and not _UNIT_NAME.match(name) else name
            target = new.setdefault(division_key(spec.name if spec else name),
                                    build.NewDivision(name=spelled, spec=spec))
            target.spellings.add(name)
            target.places.append(place)
            if len(spelled) > len(target.name):  # name it by the fullest spelling the plan uses
                target.name = spelled
            meaning[name] = [target]
    if new and not create:
        for target in new.values():
            spellings = " / ".join(f"“{s}”" for s in sorted(target.spellings))
            problems.append(
                f"{target.places[0]}: ไม่รู้จักกอง {spellings} — เพิ่มกองนี้ก่อน หรือสั่ง --create-divisions "
                f"(unknown division; known: {', '.join(d.name for d in known) or 'none'})"
            )
    return meaning, list(new.values())


def _link_indicators(
    draft: PlanDraft, org: Organization | None, plan_year: int, choices: dict[int, list[int]], database_ready: bool
) -> None:
    documents = {spec.number: spec.name for spec in indicators_for(plan_year)}
    analysis = dict(draft.scores.indicator_analysis) if draft.scores else {}
    if not analysis and org is not None and database_ready:
        # A sheet carries no analysis: use the one from the organization's latest imported report.
        latest = db.session.scalar(
            scoped(Assessment, org.id).join(FiscalYear)
            .order_by(FiscalYear.year_be.desc())
        )
        if latest:
            analysis = {s.indicator.number: s.analysis or "" for s in latest.scores}
    for number, text in analysis.items():
        if number in documents:  # only the year's indicators can be inferred, whatever sections a report has
            documents[number] = f"{documents[number]} {text}"
    for position, measure in enumerate(draft.measures, start=1):
        if position in choices:
            measure.indicators = sorted(set(choices[position]))
            measure.indicator_source = IndicatorSource.CONFIRMED.value
            measure.indicator_note = INDICATOR_SOURCE[IndicatorSource.CONFIRMED]
        elif not measure.indicators:
            guess = infer_indicator(measure.analysis or measure.title, documents)
            measure.indicators, measure.indicator_note = guess.numbers, guess.note
            measure.indicator_source = IndicatorSource.INFERRED.value


@dataclass(frozen=True)
class RowChoice:
    """What a person gave, in the preview, a row the plan left without its period or divisions."""

    period_text: str | None = None  # as a plan writes a period ("ต.ค. 68 - ก.ย. 69", "ทุกเดือน")
    division_names: tuple[str, ...] = ()  # the organization's (or the plan's) division names


def _choose_divisions(draft: PlanDraft, choices: dict[int, RowChoice]) -> None:
    for position, measure in enumerate(draft.measures, start=1):
        choice = choices.get(position)
        if choice and choice.division_names and not measure.division_names:
            measure.division_names = list(choice.division_names)


def _choose_periods(draft: PlanDraft, choices: dict[int, RowChoice], plan_year: int) -> None:
    """Read the period a person typed for a row without dates; one that cannot be read leaves the row a draft and
    says why (a warning of the row: the person types it again, or completes the measure later)."""
    for position, measure in enumerate(draft.measures, start=1):
        choice = choices.get(position)
        if not choice or not choice.period_text or measure.start is not None:
            continue
        try:
            period = read_period(choice.period_text, plan_year)
        except PeriodError as error:
            measure.warnings.append(f"{measure.cells.get('period', measure.place)}: ที่กรอกไว้ — {error}")
            continue
        measure.period_text = clean(choice.period_text)[:200]
        measure.take_period(period, measure.place)


def _check_periods(draft: PlanDraft, plan_year: int) -> None:
    start, end = fiscal_year_bounds(plan_year)
    for measure in draft.measures:
        if measure.warnings:  # the period's own warning (a calendar-year plan) already says it
            continue
        if measure.start and measure.end and (measure.start < start or measure.end > end):
            draft.warnings.append(
                f"{measure.place}: ช่วงเวลา “{measure.period_text}” อยู่นอกปีงบประมาณ {plan_year}"
            )


def _check_rows(draft: PlanDraft, allow_drafts: bool, problems: list[str]) -> None:
    """Say what each incomplete row lacks: a problem, or with `allow_drafts` a warning that it comes in as a draft;
    and refuse a row whose rounds would give a division more tasks than anyone tracks."""
    for measure in draft.measures:
        draft.warnings.extend(measure.warnings)
        for column in measure.missing:
            place = measure.cells.get(column, measure.place)
            lack = (f"ช่วงเวลา “{shorten(measure.period_text)}” ไม่ได้ระบุวันที่" if column == "period" and measure.undated
                    else f"ช่องว่าง — ต้องมี{PLAN_COLUMN[column]}")
            if allow_drafts:
                draft.warnings.append(f"{place}: {lack} — นำเข้าเป็นร่าง (ยังไม่มีงาน) กรอกให้ครบในหน้ามาตรการ")
            else:
                problems.append(
                    f"{place}: {lack} — กรอกในหน้าตัวอย่างก่อนนำเข้า หรือนำเข้าเป็นร่าง (--allow-drafts) "
                    f"แล้วกรอกภายหลัง (required: {column}, or import the row as a draft)"
                )
        if measure.start and measure.end and measure.occurrences and measure.steps:
            per_division = len(measure.steps) * len(measure.occurrences)
            if per_division > build.MAX_TASKS_PER_DIVISION:
                problems.append(
                    f"{measure.cells.get('period', measure.place)}: {len(measure.steps)} ขั้นตอน × "
                    f"{len(measure.occurrences)} รอบ = {per_division:,} งานต่อกอง เกินที่รับได้ "
                    f"{build.MAX_TASKS_PER_DIVISION} — รวมขั้นตอนหรือรายงานเป็นรายเดือน/รายไตรมาส "
                    f"(at most {build.MAX_TASKS_PER_DIVISION} tasks a division)"
                )



def _content_hash(draft: PlanDraft, resolution: build.Resolution) -> str:
    """Hash what the plan says, not the file's bytes: the same plan as report, CSV or XLSX hashes alike."""
    content = {
        "fiscal_year": resolution.fiscal_year,
        "measures": [
            {
                "title": m.title,
                "analysis": m.analysis,
                "indicators": m.indicators,
                "start": m.start.isoformat() if m.start else None,
                "end": m.end.isoformat() if m.end else None,
                "divisions": sorted(division_names(resolution, m.division_names)),
                "steps": m.steps,
                # Only what a plan of the seed's shape never has, so a plan imported before these existed hashes as
                # it did: rounds, a draft, a weight, extra columns.
                **({"rounds": [[o.label, o.end.isoformat()] for o in m.occurrences]} if m.occurrences else {}),
                **({"draft": list(m.missing)} if m.missing else {}),
                **({"weight": m.weight} if m.weight is not None else {}),
                **({"details": [list(d) for d in m.details]} if m.details else {}),
            }
            for m in draft.measures
        ],
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
