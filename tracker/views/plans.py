"""The imported plans: measures and their tasks, read-only (the working UI comes with sign-in)."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import FiscalYear, Measure, Plan, Task

bp = Blueprint("plans", __name__)


@bp.get("/")
def index():
    plans = db.session.scalars(
        select(Plan)
        .join(FiscalYear)
        .options(
            selectinload(Plan.measures).selectinload(Measure.tasks).selectinload(Task.division),
            selectinload(Plan.measures).selectinload(Measure.indicators),
            selectinload(Plan.measures).selectinload(Measure.divisions),
        )
        .order_by(FiscalYear.year_be.desc(), Plan.organization_id)
    ).all()
    return render_template("plans/index.html", plans=plans)
