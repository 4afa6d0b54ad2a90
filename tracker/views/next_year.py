"""Starting the next fiscal year from a plan: what it would create and carry, then, once confirmed, the copy and the
carrying in one transaction (tracker.plans.next_year). The administrator's only (Action.START_YEAR).

The plan started from is the one of ?year= (the dashboard links with the year it shows), else the year just ended
while it has something to start or carry, else this year's (next_year.source_year). No way is chosen beforehand;
carrying is offered only when next_year.may_carry_over says so (and refused when posted anyway), and the page names
the tasks whose reminders it stops and who hears of them. A carrying can be undone for next_year.UNDO_DAYS days.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import clock
from ..access import Action, require, scoped
from ..errors import DomainError
from ..extensions import db
from ..forms import ActionForm, StartYearForm
from ..models import Measure, Plan, Source, Task
from ..plans import next_year
from ..plans.current import PlanYear, YearChoice, plan_years

bp = Blueprint("next_year", __name__)

COPY, COPY_CARRY, CARRY = "copy", "copy_carry", "carry"


def _choices(outlook: next_year.Outlook) -> list[tuple[str, str]]:
    """The ways this plan's next year can be started today, the one that changes nothing live first."""
    year, unfinished = outlook.year, len(outlook.unfinished) if outlook.may_carry else 0
    if outlook.next_plan is not None:
        return [(CARRY, f"ยกงานที่ยังไม่เสร็จ {unfinished} งานไปแผนปีงบประมาณ {year} ที่มีอยู่แล้ว")] if unfinished else []
    copy = (COPY, f"คัดลอกแผนไปปีงบประมาณ {year} อย่างเดียว")
    if not unfinished:
        return [copy]
    return [copy, (COPY_CARRY, f"คัดลอกแผน และยกงานที่ยังไม่เสร็จ {unfinished} งานไปทำต่อ")]


def _plan(years: list[PlanYear], asked: int | None = None) -> tuple[Plan | None, YearChoice]:
    """The plan to start from (404 for a year asked for without a plan), loaded whole, with the year switcher's
    choice of it."""
    today = clock.today()
    asked = asked if asked is not None else request.args.get("year", type=int)
    year = asked if asked is not None else next_year.source_year(current_user.organization_id, today)
    chosen = next((p for p in years if p.year_be == year), None)
    if asked is not None and chosen is None:
        abort(404)
    choice = YearChoice(chosen, years, today)
    if chosen is None:
        return None, choice
    plan = db.session.scalar(
        scoped(Plan, current_user.organization_id).where(Plan.id == chosen.plan_id)
        .options(selectinload(Plan.measures).selectinload(Measure.tasks).selectinload(Task.division),
                 selectinload(Plan.measures).selectinload(Measure.indicators))
    )
    return plan, choice


def _page(plan: Plan | None, choice: YearChoice, form: StartYearForm | None = None, problem: str | None = None,
          status: int = 200, problem_title: str | None = None):
    today = clock.today()
    outlook = next_year.outlook(plan, today) if plan is not None else None
    if outlook is not None and form is None:
        form = StartYearForm(_choices(outlook))  # nothing chosen: the person picks
    undoable = next_year.undoable(current_user.organization_id, today)
    return render_template("next_year/new.html", outlook=outlook, choice=choice, form=form, problem=problem,
                           problem_title=problem_title, undoable=undoable,
                           not_yet=next_year.not_yet_text, UNDO_DAYS=next_year.UNDO_DAYS,
                           COPY=COPY, COPY_CARRY=COPY_CARRY, CARRY=CARRY), status


@bp.get("/next-year")
@login_required
def new():
    require(current_user, Action.START_YEAR)
    plan, choice = _plan(plan_years(current_user.organization_id))
    return _page(plan, choice)


@bp.post("/next-year")
@login_required
def start():
    """Copy the plan, copy it and carry its unfinished tasks over, or carry them into the next year's plan."""
    require(current_user, Action.START_YEAR)
    plan, choice = _plan(plan_years(current_user.organization_id))
    if plan is None:
        abort(404)
    require(current_user, Action.START_YEAR, plan)
    outlook = next_year.outlook(plan, clock.today())
    if request.form.get("how") in (COPY_CARRY, CARRY) and not outlook.may_carry:
        # The rule, not only the page: a form of another day or tab, or a hand-made request, carries nothing.
        return _page(plan, choice, problem=next_year.not_yet_text(plan.fiscal_year.year_be), status=409)
    form = StartYearForm(_choices(outlook))
    if not form.validate_on_submit():
        # A choice the page no longer offers (another tab started the year meanwhile): the page as it is now.
        return _page(plan, choice, form, status=400)
    how = form.how.data
    try:
        if how == CARRY:
            assert outlook.next_plan is not None  # CARRY is offered only then
            into, copied = outlook.next_plan, False
        else:
            into, copied = next_year.copy_plan(plan, current_user, source=Source.WEB), True
        carried = next_year.carry_over(plan, current_user, into=into, source=Source.WEB) if how != COPY else []
    except DomainError as error:
        db.session.rollback()
        return _page(plan, choice, problem=error.message, status=error.status)
    except IntegrityError:  # another tab or person started the same year a moment before: one plan a year
        db.session.rollback()
        return _page(plan, choice, problem=f"มีผู้เริ่มปีงบประมาณ {outlook.year} ไปพร้อมกันแล้ว — ตรวจดูหน้านี้อีกครั้ง",
                     status=409)
    db.session.commit()
    flash(_done(outlook, copied, len(carried)), "success")
    return redirect(url_for("dashboard.index", year=outlook.year))


def _done(outlook: next_year.Outlook, copied: bool, carried: int) -> str:
    parts = [f"เริ่มปีงบประมาณ {outlook.year} แล้ว" if copied else f"ยกงานไปแผนปีงบประมาณ {outlook.year} แล้ว"]
    if copied:
        parts.append(f"คัดลอกมาตรการ {outlook.measures} รายการ งาน {outlook.tasks} งาน")
    if carried:
        parts.append(f"ยกงานที่ยังไม่เสร็จไปทำต่อ {carried} งาน (งานเดิมในแผนปี {outlook.year - 1} หยุดแจ้งเตือนแล้ว"
                     f" ยกเลิกได้ภายใน {next_year.UNDO_DAYS} วันที่หน้าเริ่มปีงบประมาณ)")
    return " · ".join(parts)


@bp.post("/next-year/carry-overs/<int:event_id>/undo")
@login_required
def undo(event_id: int):
    """Undo a carrying over: the tasks return to their plan and status, and remind again."""
    require(current_user, Action.START_YEAR)
    found = next_year.carry_overs(current_user.organization_id, event_id)
    if not found:
        abort(404)
    carry = found[0]
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        returned = next_year.undo_carry_over(carry, current_user, source=Source.WEB)
    except DomainError as error:
        db.session.rollback()
        years = plan_years(current_user.organization_id)
        chosen = next((p for p in years if p.plan_id == carry.plan.id), None)
        plan, choice = _plan(years, chosen.year_be if chosen else None)
        return _page(plan, choice, problem=error.message, status=error.status,
                     problem_title="ยังไม่ได้ยกเลิกการยกงาน — ไม่มีอะไรเปลี่ยน")
    db.session.commit()
    year = carry.plan.fiscal_year.year_be
    flash(f"ยกเลิกการยกงานแล้ว: งาน {len(returned)} งานกลับมาในแผนปีงบประมาณ {year} ตามสถานะเดิม"
          " และแจ้งเตือนตามเดิม", "success")
    return redirect(url_for("dashboard.index", year=year))
