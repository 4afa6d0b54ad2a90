"""A measure: what it is, why (its analysis and indicators), and a steps x divisions grid of where it stands."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from ..access import Action, get_measure, require
from ..models import Measure, Plan, Task, TaskStatus
from ..plans.current import assessment_for, scores_by_number
from .pagecache import cached_page

bp = Blueprint("measures", __name__)


@bp.get("/measures/<int:measure_id>")
@login_required
def show(measure_id: int):
    measure = get_measure(current_user, measure_id)
    require(current_user, Action.VIEW_ORGANIZATION, measure)
    return cached_page("measures/show.html", compute=lambda: _grid(measure_id))


def _grid(measure_id: int) -> dict:
    # The whole grid in a fixed number of queries: tasks with their evidence and division, the plan and its year.
    measure = get_measure(
        current_user, measure_id,
        selectinload(Measure.tasks).selectinload(Task.evidence),
        selectinload(Measure.tasks).selectinload(Task.division),
        selectinload(Measure.divisions), selectinload(Measure.indicators),
        joinedload(Measure.plan).joinedload(Plan.fiscal_year),
    )
    steps: dict[int, str] = {}
    grid: dict[tuple[int, int], Task] = {}
    for task in measure.tasks:
        steps.setdefault(task.step_number, task.step_text)
        grid[(task.step_number, task.division_id)] = task
    # The ITA result this measure's plan answers, as the dashboard shows it.
    assessment = assessment_for(measure.organization_id, measure.plan.fiscal_year.year_be)
    done = sum(1 for t in measure.tasks if t.status is TaskStatus.DONE)
    evidence = [e for t in measure.tasks for e in t.evidence]
    return dict(measure=measure, steps=steps, grid=grid, scores=scores_by_number(assessment), assessment=assessment,
                done=done, evidence=evidence)
