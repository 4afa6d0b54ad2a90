"""A division's board: its tasks grouped by measure, filtered by status, assignee and due month; bulk assign."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from .. import evidence, tasks
from ..access import Action, can, get_division, get_user, require, scoped, tasks_of
from ..errors import DomainError
from ..extensions import db
from ..forms import AnswerForm, BulkAssignForm, answer_prefix
from ..labels import NOT_DONE, STATUS
from ..models import Division, Measure, Source, Task, TaskStatus, User
from ..thai import MONTHS_SHORT, be_year
from . import requested_year
from .pagecache import cached_page

bp = Blueprint("divisions", __name__)


def _people(division_id: int) -> list[User]:
    return list(db.session.scalars(
        scoped(User, current_user.organization_id).where(User.division_id == division_id, User.active.is_(True))
        .order_by(User.display_name)
    ).all())


def _division_tasks(division_id: int, plan_id: int | None) -> list[Task]:
    """The division's tasks of one plan, in the order of the plan: one query, filtered in Python (a division has tens
    of tasks a year, and the month list needs them all)."""
    return list(db.session.scalars(
        tasks_of(current_user)
        .join(Task.measure)
        .where(Task.division_id == division_id, Measure.plan_id == plan_id)
        .options(selectinload(Task.measure), selectinload(Task.assignee), selectinload(Task.acknowledged_by),
                 selectinload(Task.blocked_by))
        .order_by(Measure.order, Task.step_number)
    ))


def _matches(task: Task, status: str, assignee: str, month: str) -> bool:
    """Whether a task passes the board's filters: status ("open" = neither done nor carried over to the next year),
    assignee ("none" = the whole division), due month ("2026-03")."""
    if status == "open" and not task.status.is_open:
        return False
    if status in {s.value for s in TaskStatus} and task.status.value != status:
        return False
    if assignee == "none" and task.assignee_id is not None:
        return False
    if assignee.isdigit() and task.assignee_id != int(assignee):
        return False
    return not month or task.due_date.strftime("%Y-%m") == month


@bp.get("/divisions/<int:division_id>")
@login_required
def board(division_id: int):
    division = get_division(current_user, division_id)
    require(current_user, Action.VIEW_DIVISION, division)
    return cached_page("divisions/board.html", compute=lambda: _board(division))


def _board(division: Division) -> dict:
    choice = requested_year()
    status = request.args.get("status", "open")
    assignee = request.args.get("assignee", "")
    month = request.args.get("month", "")
    every = _division_tasks(division.id, choice.plan_id)
    found = [task for task in every if _matches(task, status, assignee, month)]
    by_measure: dict[Measure, list[Task]] = {}
    for task in found:
        by_measure.setdefault(task.measure, []).append(task)
    people = _people(division.id)
    months = sorted({t.due_date.replace(day=1) for t in every})
    form = BulkAssignForm(people, [t.id for t in found])
    # The head's answer to each "cannot do" shown, in its row (posted to the task page's route, back to the board).
    answer_forms = {t.id: AnswerForm(prefix=answer_prefix(t.id)) for t in found
                    if t.blocked_reason is not None and t.status.is_open and can(current_user, Action.ASSIGN, t)}
    return dict(
        division=division,
        by_measure=by_measure,
        people=people,
        months=[(m.strftime("%Y-%m"), f"{MONTHS_SHORT[m.month - 1]} {be_year(m.year)}") for m in months],
        filters={"status": status, "assignee": assignee, "month": month,
                 **({"year": str(choice.chosen.year_be)} if choice.chosen and not choice.is_current else {})},
        choice=choice,
        form=form,
        answer_forms=answer_forms,
        statuses=[("open", NOT_DONE), ("", "ทั้งหมด"), *((s.value, name) for s, name in STATUS.items())],
        # The routes check each task again; this only decides whether to show the bulk form.
        can_assign=can(current_user, Action.ASSIGN, division),
        # The division's evidence waiting for the person to review (a head, the administrator): a link to the queue.
        waiting_review=evidence.count_waiting(current_user, division.id)
        if can(current_user, Action.REVIEW_EVIDENCE) else 0,
    )


@bp.post("/divisions/<int:division_id>/assign")
@login_required
def bulk_assign(division_id: int):
    """Assign many of the division's tasks at once: every one is checked, and all change or none."""
    division = get_division(current_user, division_id)
    require(current_user, Action.ASSIGN, division)
    people = _people(division.id)
    selected = [int(i) for i in request.form.getlist("task_ids") if i.isdigit()]
    form = BulkAssignForm(people, selected)
    if not form.validate_on_submit() or not selected:
        flash("เลือกงานอย่างน้อยหนึ่งงาน และผู้รับมอบหมาย", "error")
        return redirect(url_for("divisions.board", division_id=division.id))
    chosen = db.session.scalars(tasks_of(current_user).where(Task.id.in_(selected))).all()
    if len(chosen) != len(set(selected)):
        abort(404)
    assignee = get_user(current_user, int(form.assignee.data)) if form.assignee.data else None
    for task in chosen:
        require(current_user, Action.ASSIGN, task)
    try:
        for task in chosen:
            tasks.assign(task, current_user, assignee, source=Source.WEB)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        who = assignee.display_name if assignee else "ทั้งกอง"
        flash(f"มอบหมาย {len(chosen)} งานให้ {who} แล้ว", "success")
    # Back to the board with its filters. Typed Any: to mypy the keywords could be url_for's own (_external: bool).
    filters: dict[str, Any] = request.args.to_dict()
    return redirect(url_for("divisions.board", division_id=division.id, **filters))
