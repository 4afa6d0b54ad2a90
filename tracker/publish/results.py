"""The results report of an organization's plan for one fiscal year, as of one day, read from the database.

One builder for every output (the public page, PDF, DOCX, XLSX): they all print the same figures. A step stands as
tracker.progress.task_state says it stood on the report's day (`Record.as_of`): done when it was done by the end of
that day (Asia/Bangkok), so the 6-month report printed in June still says what stood on 31 March. Only evidence a head
accepted and made public is listed (PDPA: a staff upload may hold personal data), and no person is named but the
signer the agency chooses to print.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import selectinload

from ..access import scoped
from ..extensions import db
from ..labels import state_status
from ..measures import draft_missing
from ..models import Evidence, EvidenceFile, EvidenceReview, Measure, OitItem, Organization, Plan, Task
from ..oit import results_item_for_plan
from ..organization import public_url, work_calendar
from ..plans.current import NoSuchPlan, plan_of_year
from ..progress import (
    MeasurePercent,
    Record,
    TaskState,
    combined_percent,
    count_states,
    measure_percent,
    record_of,
    task_state,
)
from ..thai import fiscal_year_bounds, format_date
from ..workdays import WorkCalendar
from .model import EvidenceLink, MeasureRow, ResultsReport, Signature, StepRow

# A public piece's address for a reader outside: of its link (no file), or of one of its files.
EvidenceUrl = Callable[[Evidence, EvidenceFile | None], str | None]


@dataclass(frozen=True)
class Round:
    """A reporting round: the day its figures stand on and how the report names it."""

    as_of: date
    label: str


def rounds(year_be: int) -> tuple[Round, Round]:
    """The rounds agencies report in: 6 months (to 31 March) and 12 months (to 30 September, the year's end)."""
    start, end = fiscal_year_bounds(year_be)
    return (Round(date(end.year, 3, 31), "รอบ 6 เดือน"), Round(end, "รอบ 12 เดือน"))


ROUND_NAMES = ("6m", "12m", "latest")  # the 6-month round, the 12-month round, the year so far


def round_named(year_be: int, name: str, today: date) -> Round:
    """The round a person picks by name: "6m", "12m", or anything else for the year so far (today, within the
    year)."""
    six, twelve = rounds(year_be)
    if name in ("6m", "12m"):
        return six if name == "6m" else twelve
    return round_for(year_be, min(today, fiscal_year_bounds(year_be)[1]), today)


def round_for(year_be: int, as_of: date | None, today: date) -> Round:
    """The round of a day: a round's own day takes its name; no day given takes the latest round ended by today,
    or today itself before the first one (a report on the year so far)."""
    six, twelve = rounds(year_be)
    if as_of is None:
        ended = [r for r in (six, twelve) if r.as_of <= today]
        if ended:
            return ended[-1]
        start, _ = fiscal_year_bounds(year_be)
        as_of = max(today, start)
    for known in (six, twelve):
        if as_of == known.as_of:
            return known
    return Round(as_of, f"ข้อมูล ณ วันที่ {format_date(as_of)}")


def signer_position(organization: Organization) -> str:
    """The executive who signs: นายกเทศมนตรีตำบลบางกระบือ for เทศบาลตำบลบางกระบือ, นายกองค์การบริหารส่วนตำบล... for an
    อบต., นายก of the name otherwise."""
    name = organization.name
    if name.startswith("เทศบาล"):
        return "นายกเทศมนตรี" + name.removeprefix("เทศบาล")
    return "นายก" + name


def build(
    organization: Organization,
    year_be: int,
    round_: Round,
    *,
    evidence_url: EvidenceUrl,
    thai_digits: bool = False,
    signer_name: str | None = None,
    signed_on: date | None = None,
    today: date | None = None,
    plan: Plan | None = None,
    results_item: OitItem | None = None,
) -> ResultsReport:
    """Read the report of `organization`'s plan of `year_be` (or of `plan`, already looked up) as of the round's
    day; NoSuchPlan when the year has none.

    `evidence_url` gives a public evidence item's addresses (its link with no file, or where each of its files is
    served publicly); an address it gives None for is left out. The OIT item the report answers is the one that shows
    this plan's results for the organization's agency type (2569's O26 for the 2568 plan: oit.results_item_for_plan),
    or `results_item` when the caller has it.
    """
    plan = plan or plan_of_year(organization.id, year_be)
    if plan is None:
        raise NoSuchPlan(year_be)
    measures = db.session.scalars(
        scoped(Measure, organization.id).where(Measure.plan_id == plan.id)
        .options(selectinload(Measure.divisions), selectinload(Measure.indicators),
                 selectinload(Measure.tasks).selectinload(Task.division),
                 selectinload(Measure.tasks).selectinload(Task.evidence).selectinload(Evidence.files))
        .order_by(Measure.order)
    ).all()
    calendar = work_calendar(organization)
    counted = [_measure_row(m, round_.as_of, calendar, evidence_url) for m in measures]
    # The measures' percents combined as the dashboard's overall is (tracker.progress).
    overall = combined_percent(percent for _, percent in counted)
    item = results_item or results_item_for_plan(organization, plan.fiscal_year.year_be)
    return ResultsReport(
        organization=organization.name,
        fiscal_year_be=year_be,
        as_of=round_.as_of,
        round_label=round_.label,
        oit_item=item.code if item else None,
        oit_name=item.name if item else None,
        oit_year_be=item.fiscal_year.year_be if item else None,
        measures=tuple(row for row, _ in counted),
        signature=Signature(signer_name, signer_position(organization), signed_on),
        overall_percent=overall.value,
        overall_overridden=overall.overridden,
        thai_digits=thai_digits,
        generated_at=today,
    )


def _measure_row(measure: Measure, as_of: date, calendar: WorkCalendar,
                 evidence_url: EvidenceUrl) -> tuple[MeasureRow, MeasurePercent]:
    """A measure's row of the report, and its percent as of the day (a head's override, else its steps done then)."""
    tasks = sorted(measure.tasks, key=lambda t: (t.step_number, t.id))
    records = [record_of(task).as_of(as_of) for task in tasks]  # each step as it stood on the report's day
    states = [task_state(record, as_of, calendar) for record in records]
    steps = tuple(_step_row(task, record, state) for task, record, state in zip(tasks, records, states, strict=True))
    links = []
    for task in tasks:
        for item in task.evidence:
            if item.public and item.review is EvidenceReview.ACCEPTED:
                links.extend(_links(item, evidence_url))
    percent = measure_percent(count_states(states).done, len(steps), measure.progress_override,
                              measure.progress_reason, measure.weight, draft_missing(measure))
    return MeasureRow(
        order=measure.order,
        title=measure.title,
        analysis=measure.analysis,
        indicators=tuple(f"ตัวชี้วัดที่ {i.number} {i.name}" for i in measure.indicators),
        period_start=measure.period_start,
        period_end=measure.period_end,
        divisions=tuple(d.name for d in measure.divisions),
        steps=steps,
        percent=percent.value,
        percent_reason=(percent.reason or "") if percent.overridden else None,
        result=measure.result,
        problems=measure.problems,
        evidence=tuple(links),
        draft=percent.draft,
        draft_steps=tuple(measure.draft_steps or ()),
        period_text=measure.period_text,
        weight=measure.weight,
        details=tuple((str(heading), str(text)) for heading, text in measure.details or ()),
    ), percent


def _links(item: Evidence, evidence_url: EvidenceUrl) -> list[EvidenceLink]:
    """A public piece's links: its web link, and each of its files (numbered when there are several)."""
    links = []
    if item.url and (url := evidence_url(item, None)):
        links.append(EvidenceLink(item.note or url, url))
    count = len(item.files)
    for number, file in enumerate(item.files, start=1):
        if url := evidence_url(item, file):
            name = item.note or file.file_name
            links.append(EvidenceLink(f"{name} ({number}/{count})" if count > 1 else name, url))
    return links


def _step_row(task: Task, record: Record, state: TaskState) -> StepRow:
    """A step as it stood on the report's day, in the words of its status then."""
    return StepRow(task.step_number, task.step_text, task.division.name, task.due_date, state_status(state),
                   state.is_done, record.done_on, state)


def public_evidence_url(item: Evidence, file: EvidenceFile | None = None) -> str | None:
    """A public evidence item's address for a reader outside: its link, or where a file of it is served to anyone (on
    the organization's public address, organization.public_url, the same in a page, a file, a message and the command
    line). Without a file: its link, else its first file."""
    base = f"{public_url(item.organization_id).rstrip('/')}/o/{item.organization_id}/evidence/{item.id}"
    if file is not None:
        return f"{base}/files/{file.id}"
    if item.url:
        return item.url
    return base if item.files else None


def public_evidence(organization_id: int, evidence_id: int) -> Evidence | None:
    """An evidence item anyone may open: the organization's, accepted and made public by a head."""
    return db.session.scalar(
        scoped(Evidence, organization_id).where(Evidence.id == evidence_id, Evidence.public.is_(True),
                                                Evidence.review == EvidenceReview.ACCEPTED)
    )

