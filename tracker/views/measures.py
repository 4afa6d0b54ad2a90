"""A measure: what it is, why (its analysis and indicators), a steps x divisions grid of where it stands, and what
its results report says (percent, result, problems), entered by the heads of its divisions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from .. import measures as measure_rules
from ..access import Action, get_measure, require
from ..extensions import db
from ..forms import CompleteMeasureForm, MeasureReportForm
from ..models import Evidence, Measure, Plan, Source, Task
from ..plans.complete import CompleteError
from ..plans.complete import complete as complete_draft
from ..plans.current import assessment_for, scores_by_number
from .pagecache import cached_page

bp = Blueprint("measures", __name__)


@bp.get("/measures/<int:measure_id>")
@login_required
def show(measure_id: int):
    measure = get_measure(current_user, measure_id)
    require(current_user, Action.VIEW_ORGANIZATION, measure)
    return cached_page("measures/show.html", compute=lambda: _grid(measure_id))


def _report_form(measure: Measure) -> MeasureReportForm:
    return MeasureReportForm(progress_override=measure.progress_override, progress_reason=measure.progress_reason,
                             result=measure.result, problems=measure.problems)


def _grid(
    measure_id: int, form: MeasureReportForm | None = None, complete_form: CompleteMeasureForm | None = None
) -> dict:
    # The whole grid in a fixed number of queries: tasks with their evidence and division, the plan and its year.
    measure = get_measure(
        current_user, measure_id,
        selectinload(Measure.tasks).selectinload(Task.evidence).selectinload(Evidence.files),
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
    evidence = [e for t in measure.tasks for e in t.evidence]
    return dict(measure=measure, steps=steps, grid=grid, scores=scores_by_number(assessment), assessment=assessment,
                evidence=evidence, percent=measure_rules.percent_of(measure), report_form=form or _report_form(measure),
                complete_form=complete_form or _complete_form(measure),
                draft_lacks=measure_rules.draft_missing(measure) or ())


def _complete_form(measure: Measure) -> CompleteMeasureForm | None:
    """The form that completes a draft (its period as the plan wrote it, its divisions so far), or None."""
    if not measure.is_draft:
        return None
    form = CompleteMeasureForm(measure.organization.divisions, period=measure.period_text or "",
                               divisions=[d.id for d in measure.divisions])
    year = measure.plan.fiscal_year.year_be  # the example is of the plan's own year, as its rows would write it
    form.period.render_kw = {"placeholder": f"เช่น ต.ค. {(year - 1) % 100:02d} - ก.ย. {year % 100:02d}, ไตรมาส 2, "
                                            "ทุกเดือน"}
    return form


@bp.post("/measures/<int:measure_id>/complete")
@login_required
def complete(measure_id: int):
    """Give a draft measure its period and divisions: its tasks are made then, as an import would have made them."""
    measure = get_measure(current_user, measure_id)
    require(current_user, Action.IMPORT_PLAN, measure)
    form = CompleteMeasureForm(measure.organization.divisions)
    if form.validate_on_submit():
        try:
            count = complete_draft(measure, current_user, period_text=form.period.data or "",
                                   division_ids=form.divisions.data or [], source=Source.WEB)
        except CompleteError as error:
            db.session.rollback()
            if not measure.is_draft:  # completed meanwhile (another tab, another admin): there is no form to show
                flash(error.message, "error")
                return redirect(url_for("measures.show", measure_id=measure_id))
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(f"มาตรการครบแล้ว: สร้างงาน {count} งาน", "success")
            return redirect(url_for("measures.show", measure_id=measure_id))
    elif "csrf_token" in form.errors:
        abort(400)
    flash("ข้อมูลไม่ครบหรือไม่ถูกต้อง โปรดดูข้อความใต้ช่องที่ต้องแก้", "error")
    return render_template("measures/show.html", **_grid(measure_id, complete_form=form)), 400


@bp.post("/measures/<int:measure_id>/report")
@login_required
def report(measure_id: int):
    """Save what the measure's results report says; a refused field is shown again, with why, under it."""
    measure = get_measure(current_user, measure_id)
    require(current_user, Action.REPORT_MEASURE, measure)
    form = MeasureReportForm()
    if form.validate_on_submit():
        try:
            changed = measure_rules.report(
                measure, current_user, progress_override=form.progress_override.data,
                progress_reason=form.progress_reason.data, result=form.result.data, problems=form.problems.data,
                source=Source.WEB,
            )
        except measure_rules.ReportError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("บันทึกผลการดำเนินการแล้ว" if changed else "ไม่มีอะไรเปลี่ยนแปลง", "success" if changed else "info")
            return redirect(url_for("measures.show", measure_id=measure_id, _anchor="h-report"))
    elif "csrf_token" in form.errors:
        abort(400)  # CSRFProtect answers first; kept for a form used without it
    flash("ข้อมูลไม่ครบหรือไม่ถูกต้อง โปรดดูข้อความใต้ช่องที่ต้องแก้", "error")
    return render_template("measures/show.html", **_grid(measure_id, form)), 400
