"""The mayor's dashboard: where the organization's improvement plan stands, in figures read in ten seconds.

Every database read of the page happens here, in a fixed number of queries whatever the size of the plan: the plan's
measures are loaded once with their indicators, tasks and the tasks' divisions, and everything else is counted in
Python. Pure of Flask: the caller passes the organization, today and the working-day calendar.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from .extensions import db
from .ita import PASS_LINE
from .models import (
    Assessment, Division, FiscalYear, Indicator, IndicatorScore, Measure, Organization, Plan, Task, TaskStatus,
)
from .thai import fiscal_year_of
from .workdays import DueState, WorkCalendar, describe_due

HORIZON_DAYS = 30  # "coming up": tasks due from today to today + 30 days
DEFAULT_TARGET = 95.0  # the ITA's AA level, when an organization has not set its own


def percent(part: int, whole: int) -> float:
    """Return part of whole in percent; 0 of nothing is 0 %."""
    return 100.0 * part / whole if whole else 0.0


@dataclass
class Counts:
    """Tasks counted: how many, how many done, how many overdue."""

    total: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def pct_done(self) -> float:
        return percent(self.done, self.total)

    def add(self, task: Task, overdue: bool) -> None:
        self.total += 1
        self.done += task.status is TaskStatus.DONE
        self.overdue += overdue


@dataclass
class Overall(Counts):
    due_soon: int = 0  # not done, due today .. today + HORIZON_DAYS

    @property
    def on_track(self) -> int:
        """Tasks done, or not yet past their due date."""
        return self.total - self.overdue

    @property
    def pct_on_track(self) -> float:
        return percent(self.on_track, self.total)


@dataclass
class DivisionRow(Counts):
    division: Division | None = None  # the row itself, for the template's permission check

    @property
    def id(self) -> int:
        return self.division.id

    @property
    def name(self) -> str:
        return self.division.name


@dataclass(frozen=True)
class IndicatorRef:
    number: int
    name: str


@dataclass
class MeasureRow(Counts):
    id: int = 0
    order: int = 0
    title: str = ""
    indicators: list[IndicatorRef] = field(default_factory=list)


@dataclass
class IndicatorRow:
    number: int
    name: str
    tool: str | None
    score: float
    pass_line: float
    target: float
    measures: list[MeasureRow]

    @property
    def passes(self) -> bool:
        """At or above the ITA pass line (85)."""
        return self.score >= self.pass_line

    @property
    def on_target(self) -> bool:
        """At or above the organization's own target."""
        return self.score >= self.target


@dataclass(frozen=True)
class TaskLine:
    """A task in the overdue or coming-up list, with what the list shows about it."""

    task: Task
    measure_id: int
    measure_order: int
    measure_title: str
    division_name: str
    due_date: date
    state: DueState


@dataclass
class Dashboard:
    # Held, not only named: keeping the row alive keeps it in the session, so the page's header reads it for free.
    organization: Organization
    today: date
    target: float
    pass_line: float
    horizon_days: int
    years: list[int]  # fiscal years (BE) that have a plan, newest first
    plan_id: int | None = None
    plan_year: int | None = None  # BE
    is_current_year: bool = False  # the plan is of the fiscal year containing today
    assessment_year: int | None = None  # BE year of the ITA result the indicator figures come from
    overall: Overall = field(default_factory=Overall)
    divisions: list[DivisionRow] = field(default_factory=list)
    measures: list[MeasureRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    overdue: list[TaskLine] = field(default_factory=list)  # oldest due date first
    upcoming: list[TaskLine] = field(default_factory=list)  # soonest first

    @property
    def organization_name(self) -> str:
        return self.organization.name

    @property
    def has_plan(self) -> bool:
        return self.plan_id is not None

    @property
    def unanswered(self) -> list[IndicatorRow]:
        """Indicators scored under the organization's target that no measure of the plan answers."""
        return [row for row in self.indicators if not row.on_target and not row.measures]


class NoSuchPlan(LookupError):
    """The year asked for has no plan of the organization."""


def _choose_plan(plans: list[tuple[int, int, int]], today: date, year: int | None) -> tuple[int, int, int]:
    """Pick (plan id, fiscal year id, year BE): the year asked for, else the fiscal year of today, else the newest."""
    by_year = {row[2]: row for row in plans}
    if year is not None:
        if year not in by_year:
            raise NoSuchPlan(year)
        return by_year[year]
    return by_year.get(fiscal_year_of(today)) or plans[0]


def _by_due(line: TaskLine) -> tuple:
    return line.due_date, line.measure_order, line.task.step_number, line.task.division_id


def build(organization_id: int, today: date, calendar: WorkCalendar, year: int | None = None) -> Dashboard:
    """Gather every figure of the dashboard of one organization's plan (the current one, or that of `year` BE).

    Raises NoSuchPlan when `year` is given and the organization has no plan for it.
    """
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise LookupError(f"no organization {organization_id}")
    target = float(organization.indicator_target if organization.indicator_target is not None else DEFAULT_TARGET)
    plans = [
        tuple(row)
        for row in db.session.execute(
            select(Plan.id, Plan.fiscal_year_id, FiscalYear.year_be)
            .join(Plan.fiscal_year)
            .where(Plan.organization_id == organization_id)
            .order_by(FiscalYear.year_be.desc())
        )
    ]
    board = Dashboard(
        organization=organization, today=today, target=target,
        pass_line=PASS_LINE, horizon_days=HORIZON_DAYS, years=[row[2] for row in plans],
    )
    if not plans:
        return board
    plan_id, fiscal_year_id, plan_year = _choose_plan(plans, today, year)
    board.plan_id, board.plan_year = plan_id, plan_year
    board.is_current_year = plan_year == fiscal_year_of(today)

    # The plan, whole: measures, their indicators, their tasks and the tasks' divisions, in four statements.
    measures = db.session.scalars(
        select(Measure)
        .join(Measure.plan)
        .where(Measure.plan_id == plan_id, Plan.organization_id == organization_id)
        .options(
            selectinload(Measure.indicators),
            selectinload(Measure.tasks).selectinload(Task.division),
        )
        .order_by(Measure.order, Measure.id)
    ).all()

    horizon = today + timedelta(days=HORIZON_DAYS)
    divisions: dict[int, DivisionRow] = {}
    for measure in measures:
        row = MeasureRow(
            id=measure.id, order=measure.order, title=measure.title,
            indicators=[IndicatorRef(i.number, i.name) for i in measure.indicators],
        )
        board.measures.append(row)
        for task in measure.tasks:
            done = task.status is TaskStatus.DONE
            overdue = not done and task.due_date < today
            row.add(task, overdue)
            board.overall.add(task, overdue)
            division = task.division
            if division.id not in divisions:
                divisions[division.id] = DivisionRow(division=division)
            divisions[division.id].add(task, overdue)
            if done or task.due_date > horizon:
                continue
            line = TaskLine(task=task, measure_id=measure.id, measure_order=measure.order,
                            measure_title=measure.title, division_name=division.name, due_date=task.due_date,
                            state=describe_due(task.due_date, False, today, calendar))
            if overdue:
                board.overdue.append(line)
            else:
                board.overall.due_soon += 1
                board.upcoming.append(line)
    board.divisions = [divisions[key] for key in sorted(divisions)]
    board.overdue.sort(key=_by_due)
    board.upcoming.sort(key=_by_due)

    # The ITA result the plan answers: the latest assessment up to the plan's year, matched by indicator number
    # (frameworks are rows per year, so the plan's indicators and the assessment's are different rows).
    assessment = db.session.scalar(
        select(Assessment)
        .join(Assessment.fiscal_year)
        .where(Assessment.organization_id == organization_id, FiscalYear.year_be <= plan_year)
        .options(contains_eager(Assessment.fiscal_year),
                 selectinload(Assessment.scores).selectinload(IndicatorScore.indicator))
        .order_by(FiscalYear.year_be.desc())
        .limit(1)
    )
    if assessment is None:
        return board
    board.assessment_year = assessment.fiscal_year.year_be
    plan_indicators = {
        i.number: i for i in db.session.scalars(select(Indicator).where(Indicator.fiscal_year_id == fiscal_year_id))
    }
    for score in sorted(assessment.scores, key=lambda s: s.indicator.number):
        number = score.indicator.number
        named = plan_indicators.get(number, score.indicator)
        board.indicators.append(IndicatorRow(
            number=number, name=named.name, tool=named.tool, score=float(score.score), pass_line=PASS_LINE,
            target=target,
            measures=[m for m in board.measures if any(ref.number == number for ref in m.indicators)],
        ))
    return board
