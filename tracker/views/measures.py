"""A measure: what it is, why (its analysis and indicators), and a steps x divisions grid of where it stands."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import Action, get_measure, require
from ..extensions import db
from ..models import Assessment, FiscalYear, IndicatorScore, Task, TaskStatus

bp = Blueprint("measures", __name__)


@bp.get("/measures/<int:measure_id>")
@login_required
def show(measure_id: int):
    measure = get_measure(current_user, measure_id)
    require(current_user, Action.VIEW_ORGANIZATION, measure)
    steps: dict[int, str] = {}
    grid: dict[tuple[int, int], Task] = {}
    for task in measure.tasks:
        steps.setdefault(task.step_number, task.step_text)
        grid[(task.step_number, task.division_id)] = task
    # The latest score of each linked indicator (matched by number: frameworks are per year).
    latest = db.session.scalar(
        select(Assessment).join(FiscalYear).where(Assessment.organization_id == current_user.organization_id)
        .order_by(FiscalYear.year_be.desc())
    )
    scores: dict[int, IndicatorScore] = {s.indicator.number: s for s in latest.scores} if latest else {}
    done = sum(1 for t in measure.tasks if t.status is TaskStatus.DONE)
    evidence = [e for t in measure.tasks for e in t.evidence]
    return render_template(
        "measures/show.html", measure=measure, steps=steps, grid=grid, scores=scores, assessment=latest,
        done=done, evidence=evidence,
    )
