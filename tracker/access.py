"""Who may do what: the one place permissions are decided, and the organization-scoped getters every view uses.

Every route that changes data asks `require(user, action, obj)` in one line before it changes anything; every lookup
by id goes through a getter here that returns 404 for another organization's rows, so no view can forget the tenant.
"""
from __future__ import annotations

import enum
from typing import Any

from flask import abort
from sqlalchemy import Select, select

from .extensions import db
from .models import DayOff, Division, Evidence, Measure, Organization, Plan, Role, Task, User


class Action(str, enum.Enum):
    VIEW_TASK = "view_task"
    PROGRESS = "progress"  # todo -> doing -> done, with a note and evidence
    REOPEN = "reopen"
    ASSIGN = "assign"
    RESCHEDULE = "reschedule"
    COMMENT = "comment"
    VIEW_DIVISION = "view_division"
    VIEW_ORGANIZATION = "view_organization"  # dashboard, measures
    VIEW_AUDIT = "view_audit"
    IMPORT_PLAN = "import_plan"
    MANAGE_USERS = "manage_users"
    MANAGE_DIVISIONS = "manage_divisions"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_LINE_GROUP = "manage_line_group"  # attach or detach a division's LINE group


_ADMIN_ONLY = {Action.IMPORT_PLAN, Action.MANAGE_USERS, Action.MANAGE_DIVISIONS, Action.MANAGE_SETTINGS}


def organization_id_of(obj: Any) -> int | None:
    """Return the organization a row belongs to."""
    if isinstance(obj, Task):
        return obj.division.organization_id
    if isinstance(obj, Evidence):
        return obj.task.division.organization_id
    if isinstance(obj, Measure):
        return obj.plan.organization_id
    if isinstance(obj, Organization):
        return obj.id
    if isinstance(obj, (Division, User, Plan)):
        return obj.organization_id
    return getattr(obj, "organization_id", None)


def _in_division(user: User, task: Task) -> bool:
    return user.division_id is not None and task.division_id == user.division_id


def can(user: User | None, action: Action, obj: Any = None) -> bool:
    """Tell whether `user` may do `action` (to `obj`, where the action is about one)."""
    if user is None or not user.active:
        return False
    if obj is not None and organization_id_of(obj) != user.organization_id:
        return False  # never another organization's data, whatever the role
    role = user.role
    if action in _ADMIN_ONLY:
        return role is Role.ADMIN
    if action is Action.VIEW_ORGANIZATION:
        return True
    if action is Action.VIEW_AUDIT:
        return role in (Role.ADMIN, Role.EXECUTIVE)
    if action is Action.MANAGE_LINE_GROUP:
        return isinstance(obj, Division) and (
            role is Role.ADMIN or (role is Role.HEAD and obj.id == user.division_id)
        )
    if action is Action.VIEW_DIVISION:
        if role in (Role.ADMIN, Role.EXECUTIVE):
            return True
        return isinstance(obj, Division) and obj.id == user.division_id
    task = obj.task if isinstance(obj, Evidence) else obj
    if not isinstance(task, Task):
        return False
    if action in (Action.VIEW_TASK, Action.COMMENT):
        return role in (Role.ADMIN, Role.EXECUTIVE) or _in_division(user, task) or task.assignee_id == user.id
    if action is Action.PROGRESS:
        if role is Role.HEAD:
            return _in_division(user, task)
        if role is Role.STAFF:
            return _in_division(user, task) or task.assignee_id == user.id
        return False
    if action in (Action.REOPEN, Action.ASSIGN, Action.RESCHEDULE):
        return role is Role.HEAD and _in_division(user, task)
    return False


def require(user: User | None, action: Action, obj: Any = None) -> None:
    """Stop the request with 403 unless `user` may do `action`."""
    if not can(user, action, obj):
        abort(403)


# --- organization-scoped getters ---------------------------------------------------------------------------------


def tasks_of(user: User) -> Select[tuple[Task]]:
    """Select the tasks of the user's organization."""
    return (
        select(Task)
        .join(Task.measure)
        .join(Measure.plan)
        .where(Plan.organization_id == user.organization_id)
    )


def _one_or_404(query: Select) -> Any:
    row = db.session.scalar(query)
    if row is None:
        abort(404)
    return row


def _owned(model: type, row_id: int, user: User) -> Any:
    """A row of a model that carries organization_id, of the user's organization only."""
    return _one_or_404(select(model).where(model.id == row_id, model.organization_id == user.organization_id))


def get_task(user: User, task_id: int) -> Task:
    """Return a task of the user's organization, or 404: another organization's ids do not exist for them."""
    return _one_or_404(tasks_of(user).where(Task.id == task_id))


def get_measure(user: User, measure_id: int) -> Measure:
    """Return a measure of the user's organization, or 404."""
    return _one_or_404(
        select(Measure).join(Measure.plan).where(Measure.id == measure_id, Plan.organization_id == user.organization_id)
    )


def get_division(user: User, division_id: int) -> Division:
    """Return a division of the user's organization, or 404."""
    return _owned(Division, division_id, user)


def get_user(user: User, user_id: int) -> User:
    """Return a person of the user's organization, or 404."""
    return _owned(User, user_id, user)


def get_day_off(user: User, day_off_id: int) -> DayOff:
    """Return one of the user's organization's days off, or 404."""
    return _owned(DayOff, day_off_id, user)


def get_evidence(user: User, evidence_id: int) -> Evidence:
    """Return evidence on a task of the user's organization, or 404."""
    return _one_or_404(
        select(Evidence).join(Evidence.task).join(Task.division)
        .where(Evidence.id == evidence_id, Division.organization_id == user.organization_id)
    )
