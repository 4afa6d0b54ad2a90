"""The mayor's dashboard: where the organization's improvement plan stands, in figures read in ten seconds.

Every database read of the page happens here, in a fixed number of queries whatever the size of the plan: the plan's
measures are loaded once with their indicators, tasks and the tasks' divisions, and everything else is counted in
Python with the one definition of progress (tracker.progress): each task's state today, the counts of those states,
and a measure's percent, an indicator's and the plan's as the results report prints them. Pure of Flask: the caller
passes the organization, today and the working-day calendar.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .access import scoped
from .charts import CompletionSeries, completion
from .extensions import db
from .ita import PASS_LINE, ItaRating, rate
from .measures import draft_missing
from .models import Division, Indicator, Measure, Organization, Task
from .plans.current import NoSuchPlan, assessment_for, choose, plan_years
from .progress import (
    MeasurePercent,
    Progress,
    StateKind,
    TaskState,
    combined_percent,
    measure_percent,
    record_of,
    task_state,
)
from .thai import fiscal_year_of
from .workdays import WorkCalendar

__all__ = ["Dashboard", "NoSuchPlan", "build"]

DEFAULT_TARGET = 95.0  # the ITA's AA level, when an organization has not set its own


@dataclass
class DivisionRow(Progress):
    # The row itself, for the template's permission check. Always given: the default is only there because the fields
    # of Progress before it have defaults.
    division: Division | None = None

    @property
    def id(self) -> int:
        return cast(Division, self.division).id

    @property
    def name(self) -> str:
        return cast(Division, self.division).name


@dataclass(frozen=True)
class IndicatorRef:
    number: int
    name: str


@dataclass
class MeasureRow(Progress):
    id: int = 0
    order: int = 0
    title: str = ""
    indicators: list[IndicatorRef] = field(default_factory=list)
    # The measure's percent as every surface shows it (a head's override, else its tasks done; its weight; what a
    # draft lacks): set once its tasks are counted.
    percent: MeasurePercent = field(default_factory=lambda: measure_percent(0, 0))


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
    def percent(self) -> MeasurePercent:
        """The percent of the measures that answer the indicator, combined as the plan's is (tracker.progress)."""
        return combined_percent(m.percent for m in self.measures)

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
    """A task in the overdue or due-soon list, with what the list shows about it."""

    task: Task
    measure_id: int
    measure_order: int
    measure_title: str
    division_name: str
    due_date: date
    state: TaskState  # its words: labels.state_text


@dataclass
class Dashboard:
    # Held, not only named: keeping the row alive keeps it in the session, so the page's header reads it for free.
    organization: Organization
    today: date
    target: float
    pass_line: float
    years: list[int]  # fiscal years (BE) that have a plan, newest first
    plan_id: int | None = None
    plan_year: int | None = None  # BE
    is_current_year: bool = False  # the plan is of the fiscal year containing today
    assessment_year: int | None = None  # BE year of the ITA result the indicator figures come from
    rating: ItaRating | None = None  # that result's total and tools against the pass rule (tracker.ita.rate)
    overall: Progress = field(default_factory=Progress)
    divisions: list[DivisionRow] = field(default_factory=list)
    measures: list[MeasureRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    overdue: list[TaskLine] = field(default_factory=list)  # oldest due date first
    upcoming: list[TaskLine] = field(default_factory=list)  # due soon (tracker.progress), soonest first
    # Month by month over the plan's fiscal year: the whole agency first, then each division as in `divisions`.
    completion: list[CompletionSeries] = field(default_factory=list)

    @property
    def organization_name(self) -> str:
        return self.organization.name

    @property
    def has_plan(self) -> bool:
        return self.plan_id is not None

    @property
    def percent(self) -> MeasurePercent:
        """The plan's overall percent, its measures' combined: what the results report prints as its overall."""
        return combined_percent(m.percent for m in self.measures)

    @property
    def unanswered(self) -> list[IndicatorRow]:
        """Indicators scored under the organization's target that no measure of the plan answers."""
        return [row for row in self.indicators if not row.on_target and not row.measures]


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
    plans = plan_years(organization_id)
    board = Dashboard(
        organization=organization, today=today, target=target,
        pass_line=PASS_LINE, years=[plan.year_be for plan in plans],
    )
    chosen = choose(plans, today, year)
    if chosen is None:
        return board
    board.plan_id, board.plan_year = chosen.plan_id, chosen.year_be
    board.is_current_year = chosen.year_be == fiscal_year_of(today)
    _count_tasks(board, _measures(organization_id, chosen.plan_id), calendar)
    _score_indicators(board, organization_id, chosen.fiscal_year_id)
    return board


def _measures(organization_id: int, plan_id: int) -> list[Measure]:
    """The plan, whole: measures, their indicators, their divisions (what a draft lacks: measures.draft_missing),
    their tasks and the tasks' divisions, in five statements."""
    return list(db.session.scalars(
        scoped(Measure, organization_id)
        .where(Measure.plan_id == plan_id)
        .options(selectinload(Measure.indicators), selectinload(Measure.divisions),
                 selectinload(Measure.tasks).selectinload(Task.division))
        .order_by(Measure.order, Measure.id)
    ))


def _count_tasks(board: Dashboard, measures: list[Measure], calendar: WorkCalendar) -> None:
    """Count every task's state into its measure's row, its division's row and the whole, and list the overdue and
    the due-soon ones."""
    today = board.today
    divisions: dict[int, DivisionRow] = {}
    # (due, done, day done) of each division's tasks, for the chart over time: counted from the rows loaded here.
    dated: dict[int, list[tuple[date, bool, date | None]]] = {}
    for measure in measures:
        row = MeasureRow(
            id=measure.id, order=measure.order, title=measure.title,
            indicators=[IndicatorRef(i.number, i.name) for i in measure.indicators],
        )
        board.measures.append(row)
        for task in measure.tasks:
            record = record_of(task)
            state = task_state(record, today, calendar)
            division = task.division
            if division.id not in divisions:
                divisions[division.id] = DivisionRow(division=division)
            for counted in (row, board.overall, divisions[division.id]):
                counted.add(state)
            dated.setdefault(division.id, []).append((task.due_date, state.is_done, record.done_on))
            if state.kind is StateKind.OVERDUE or state.kind is StateKind.SOON:
                line = TaskLine(task=task, measure_id=measure.id, measure_order=measure.order,
                                measure_title=measure.title, division_name=division.name, due_date=task.due_date,
                                state=state)
                (board.overdue if state.kind is StateKind.OVERDUE else board.upcoming).append(line)
        row.percent = measure_percent(row.done, row.total, measure.progress_override, measure.progress_reason,
                                      measure.weight, draft_missing(measure))
    board.divisions = [divisions[key] for key in sorted(divisions)]
    board.overdue.sort(key=_by_due)
    board.upcoming.sort(key=_by_due)
    _chart_completion(board, dated)


def _chart_completion(board: Dashboard, dated: dict[int, list[tuple[date, bool, date | None]]]) -> None:
    """Count the whole agency's and each division's tasks month by month over the plan's fiscal year."""
    year, today = board.plan_year, board.today
    assert year is not None
    every = [item for key in sorted(dated) for item in dated[key]]
    board.completion = [CompletionSeries(board.organization_name, None, completion(every, year, today))]
    board.completion += [
        CompletionSeries(row.name, row.id, completion(dated[row.id], year, today)) for row in board.divisions
    ]


def _score_indicators(board: Dashboard, organization_id: int, fiscal_year_id: int) -> None:
    """The ITA result the plan answers, per indicator, with the measures that answer each. Matched by number:
    frameworks are rows per year, so the plan's indicators and the assessment's are different rows."""
    assert board.plan_year is not None
    assessment = assessment_for(organization_id, board.plan_year)
    if assessment is None:
        return
    board.assessment_year = assessment.fiscal_year.year_be
    board.rating = rate(assessment.overall, assessment.iit, assessment.eit, assessment.oit)
    plan_indicators = {
        i.number: i for i in db.session.scalars(select(Indicator).where(Indicator.fiscal_year_id == fiscal_year_id))
    }
    for score in sorted(assessment.scores, key=lambda s: s.indicator.number):
        number = score.indicator.number
        named = plan_indicators.get(number, score.indicator)
        board.indicators.append(IndicatorRow(
            number=number, name=named.name, tool=named.tool, score=float(score.score), pass_line=PASS_LINE,
            target=board.target,
            measures=[m for m in board.measures if any(ref.number == number for ref in m.indicators)],
        ))
