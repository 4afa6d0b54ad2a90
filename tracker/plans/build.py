"""Turn a checked plan draft into rows: organization, fiscal years, assessment, divisions, plan, measures, tasks.

Only `write` touches the session, and it only adds and flushes: the caller commits, so an import is one transaction.
"""
from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from .. import audit
from ..access import scoped
from ..divisions import DivisionSpec, catalogue_entry
from ..extensions import db
from ..ita import OIT_ITEMS, indicators_for
from ..models import (
    Assessment,
    AuditAction,
    Division,
    FiscalYear,
    Indicator,
    IndicatorScore,
    Measure,
    OitItem,
    OitPurpose,
    Organization,
    Plan,
    Source,
    Task,
    User,
)
from ..thai import Occurrence, fiscal_year_bounds
from .draft import PlanDraft


def spread_due_dates(start: date, end: date, steps: int) -> list[date]:
    """Spread the due dates of a measure's steps over its period, the last one due on its last day.

    Step k of n is due k/n of the way through. Where the period is at least a month a step, the date is moved to the
    end of its month, since offices plan and report by month: four steps over a fiscal year fall due at the ends of
    December, March, June and September.
    """
    if steps <= 0:
        return []
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    dates = []
    for k in range(1, steps + 1):
        if months >= steps:
            month_index = start.month - 1 + math.ceil(months * k / steps) - 1
            year, month = start.year + month_index // 12, month_index % 12 + 1
            due = date(year, month, calendar.monthrange(year, month)[1])
        else:
            due = start + timedelta(days=round((end - start).days * k / steps))
        dates.append(min(due, end))
    dates[-1] = end
    return dates


# The most tasks one measure gives one division: a recurring period multiplies the steps by its rounds (12 a month),
# and a plan that asks for more than this is a plan to track otherwise (a step per month, not per week).
MAX_TASKS_PER_DIVISION = 120


@dataclass(frozen=True)
class PlannedTask:
    """One task a measure's step gives each responsible division: its number, its text, when it falls due."""

    step_number: int
    text: str
    due: date


def planned_tasks(
    steps: Sequence[str], start: date, end: date, occurrences: Sequence[Occurrence] = ()
) -> list[PlannedTask]:
    """The tasks of a measure, the one rule for the preview, the import and a draft completed later.

    A measure done once: each step a task, due dates spread over the period (spread_due_dates). A recurring one
    (thai.read_period's occurrences: every month, every quarter, days 1-5 of each month) gives every step a task in
    every round, named by its round and spread over the round, numbered on across rounds. Tasks per round rather than
    one task with checkpoints, because a round is what people are reminded of, tick off with its own evidence and are
    late on (the reminders, the outbox, the escalation ladder and the results report all work per task), and a
    monthly report missed in March is late whatever was done in February.
    """
    if not occurrences:
        dues = spread_due_dates(start, end, len(steps))
        return [PlannedTask(n, text, due) for n, (text, due) in enumerate(zip(steps, dues, strict=True), start=1)]
    planned: list[PlannedTask] = []
    for occurrence in occurrences:
        dues = spread_due_dates(occurrence.start, occurrence.end, len(steps))
        for text, due in zip(steps, dues, strict=True):
            planned.append(PlannedTask(len(planned) + 1, round_text(text, occurrence.label), due))
    return planned


def round_text(step: str, label: str) -> str:
    """A recurring step's task text: the step and its round, "รวบรวมข้อมูล (รอบ ต.ค. 68)"."""
    return f"{step} (รอบ {label})"


# A round's label ends in its two-digit Buddhist year ("ต.ค. 68", "1-5 ต.ค. 68", "ไตรมาส 1/69": thai.Occurrence).
_ROUND_YEAR = re.compile(r"\(รอบ [^()]*?(?P<year>\d{2})\)\Z")


def round_a_year_on(task_text: str) -> str:
    """The text of a recurring task's round a year later, as a plan copied into the next fiscal year has it
    ("… (รอบ ต.ค. 68)" -> "… (รอบ ต.ค. 69)"); any other text as it is."""
    found = _ROUND_YEAR.search(task_text)
    if found is None:
        return task_text
    return f"{task_text[:found.start('year')]}{(int(found['year']) + 1) % 100:02d}{task_text[found.end('year'):]}"


@dataclass
class NewDivision:
    """A division the import will create, named by the fullest spelling the plan uses."""

    name: str
    spellings: set[str] = field(default_factory=set)
    spec: DivisionSpec | None = None
    places: list[str] = field(default_factory=list)  # where the plan names it, for messages


@dataclass
class Resolution:
    """What the draft's names mean in the database: the organization, the year, every division name."""

    organization: Organization | None
    fiscal_year: int
    divisions: dict[str, list[Division | NewDivision]]  # plan's name -> the divisions it means
    new_divisions: list[NewDivision]  # created on import with `create`, otherwise reported missing
    create: bool = False
    existing_plan: Plan | None = None


def ensure_fiscal_year(year_be: int) -> FiscalYear:
    """Return the fiscal year row, creating it with its framework's indicators and OIT items when first used."""
    fiscal_year = db.session.scalar(select(FiscalYear).where(FiscalYear.year_be == year_be))
    if fiscal_year is None:
        start, end = fiscal_year_bounds(year_be)
        fiscal_year = FiscalYear(year_be=year_be, start=start, end=end)
        fiscal_year.oit_items = [
            OitItem(purpose=OitPurpose(purpose), code=code, name=name)
            for purpose, (code, name) in OIT_ITEMS.get(year_be, {}).items()
        ]
        fiscal_year.indicators = [
            Indicator(number=spec.number, name=spec.name, tool=spec.tool) for spec in indicators_for(year_be)
        ]
        db.session.add(fiscal_year)
        db.session.flush()
    return fiscal_year


def write(
    draft: PlanDraft,
    resolution: Resolution,
    content_hash: str,
    *,
    actor: User | None,
    source: Source,
) -> Plan:
    """Add the plan and everything it needs to the session; flushes, never commits."""
    organization = resolution.organization or _new_organization(draft, actor, source)
    created = _new_divisions(resolution, organization, actor, source)

    def divisions_for(name: str) -> list[Division]:
        return [created[id(d)] if isinstance(d, NewDivision) else d for d in resolution.divisions[name]]

    plan_year = ensure_fiscal_year(resolution.fiscal_year)
    if draft.scores and (draft.scores.overall is not None or draft.scores.indicators):
        _write_assessment(draft, organization, actor, source)
    plan = Plan(organization=organization, fiscal_year=plan_year, source=draft.source, content_hash=content_hash,
                imported_by=actor)
    db.session.add(plan)
    task_count = _write_measures(draft, plan, {i.number: i for i in plan_year.indicators}, divisions_for)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.PLAN_IMPORT,
        plan,
        after={
            "source": draft.source,
            "fiscal_year": resolution.fiscal_year,
            "measures": len(draft.measures),
            "tasks": task_count,
            "content_hash": content_hash,
        },
        source=source,
    )
    return plan


def _new_organization(draft: PlanDraft, actor: User | None, source: Source) -> Organization:
    """The organization the report names, created on its first import."""
    assert draft.organization is not None
    organization = Organization(
        name=draft.organization.name,
        kind=draft.organization.kind,
        district=draft.organization.district,
        province=draft.organization.province,
    )
    audit.created(actor, AuditAction.ORGANIZATION_CREATE, organization, source=source)
    return organization


def _new_divisions(
    resolution: Resolution, organization: Organization, actor: User | None, source: Source
) -> dict[int, Division]:
    """Create the divisions the plan names that do not exist yet; return them by id() of their NewDivision."""
    created: dict[int, Division] = {}
    for new in resolution.new_divisions:
        spec = new.spec or catalogue_entry(new.name)
        # Only the plan's own other spellings: the common ones are matched through the catalogue anyway.
        aliases = sorted(new.spellings - {new.name})
        division = Division(
            organization=organization,
            name=new.name,
            short_name=spec.short_name if spec else None,
            name_en=spec.name_en if spec else None,
            aliases=aliases,
        )
        audit.created(actor, AuditAction.DIVISION_CREATE, division, source=source)
        created[id(new)] = division
    return created


def _write_measures(
    draft: PlanDraft, plan: Plan, indicators: dict[int, Indicator], divisions_for: Callable[[str], list[Division]]
) -> int:
    """Add a measure per row of the plan and a task per step and responsible division; return how many tasks."""
    task_count = 0
    for order, item in enumerate(draft.measures, start=1):
        divisions: list[Division] = []
        for name in item.division_names:
            for division in divisions_for(name):
                if division not in divisions:
                    divisions.append(division)
        measure = Measure(
            plan=plan,
            order=order,
            title=item.title,
            analysis=item.analysis or None,
            period_text=item.period_text,
            period_start=item.start,
            period_end=item.end,
            indicator_source=item.indicator_source,
            divisions=divisions,
            indicators=[indicators[n] for n in item.indicators if n in indicators],
            weight=item.weight,
            details=[list(pair) for pair in item.details] or None,
            # A row without its dates or divisions has no tasks yet: its steps wait here (Measure.is_draft).
            draft_steps=list(item.steps) if item.missing else None,
        )
        db.session.add(measure)
        if item.missing:
            continue
        assert item.start and item.end
        task_count += add_tasks(measure, planned_tasks(item.steps, item.start, item.end, item.occurrences), divisions)
    return task_count


def add_tasks(measure: Measure, planned: Sequence[PlannedTask], divisions: Sequence[Division]) -> int:
    """Add a task per planned task and division to the session; return how many."""
    for task in planned:
        for division in divisions:
            db.session.add(Task(measure=measure, step_number=task.step_number, step_text=task.text,
                                division=division, due_date=task.due))
    return len(planned) * len(divisions)


def _write_assessment(draft: PlanDraft, organization: Organization, actor: User | None, source: Source) -> None:
    scores = draft.scores
    assert scores is not None
    year = ensure_fiscal_year(scores.year_be)
    assessment = db.session.scalar(
        scoped(Assessment, organization.id).where(Assessment.fiscal_year_id == year.id)
    )
    before = audit.snapshot(assessment) if assessment else None
    if assessment is None:
        assessment = Assessment(organization=organization, fiscal_year=year)
        db.session.add(assessment)
    assessment.overall = scores.overall
    assessment.iit = scores.tools.get("IIT")
    assessment.eit = scores.tools.get("EIT")
    assessment.oit = scores.tools.get("OIT")
    assessment.source = draft.source
    by_number = {indicator.number: indicator for indicator in year.indicators}
    existing = {score.indicator.number: score for score in assessment.scores}
    for number, value in scores.indicators.items():
        if number not in by_number:
            continue
        row = existing.get(number) or IndicatorScore(indicator=by_number[number])
        row.score = value
        row.analysis = scores.indicator_analysis.get(number)
        if number not in existing:
            assessment.scores.append(row)
    db.session.flush()
    audit.record(actor, AuditAction.ASSESSMENT_IMPORT, assessment, before=before, after=audit.snapshot(assessment),
                 source=source)
