"""The audit trail page: who changed what, when and from where, for administrators and executives.

Only the signed-in person's organization's events, newest first, filtered by actor, action, object type, source and
a range of local (Bangkok) dates, 50 a page. Each event shows the fields whose values differ, before → after.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import labels
from ..access import Action, can, require, scoped, tasks_of
from ..clock import local, local_zone
from ..extensions import db
from ..models import AuditEvent, Division, Role, Source, Task, TaskStatus, User
from ..thai import format_date

bp = Blueprint("audit", __name__)

PER_PAGE = 50

# Bookkeeping that says nothing to a reader: ids of the row itself, hashes, storage paths.
HIDDEN_FIELDS = {"id", "organization_id", "created_at", "task_id", "comment_id", "created_by_id", "file_path",
                 "content_hash", "content_type", "password_hash", "fiscal_year_id", "imported_at", "imported_by_id"}
USER_FIELDS = {"assignee_id", "done_by_id"}
DATE_FIELDS = {"due_date", "day"}
MOMENT_FIELDS = {"done_at"}
MAX_VALUE = 160



@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str | None  # None: the field did not exist before (a new row, a note added)
    after: str | None  # None: the row is gone


@dataclass
class Filters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    source: str = ""
    date_from: str = ""
    date_to: str = ""

    def as_args(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value}


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(UTC)


def _filtered(filters: Filters):
    query = scoped(AuditEvent, current_user.organization_id)
    if filters.actor == "none":
        query = query.where(AuditEvent.actor_id.is_(None))
    elif filters.actor.isdigit():
        query = query.where(AuditEvent.actor_id == int(filters.actor))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.object_type:
        query = query.where(AuditEvent.object_type == filters.object_type)
    if filters.source in {s.value for s in Source}:
        query = query.where(AuditEvent.source == Source(filters.source))
    start, end = _parse_day(filters.date_from), _parse_day(filters.date_to)
    if start:
        query = query.where(AuditEvent.at >= _local_midnight_utc(start))
    if end:
        query = query.where(AuditEvent.at < _local_midnight_utc(end + timedelta(days=1)))
    return query


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


class _Names:
    """Turns the ids and codes stored in an event into what a person reads."""

    def __init__(self, people: dict[int, User], divisions: dict[int, Division]):
        self.people, self.divisions = people, divisions

    def value(self, key: str, value: Any) -> str:
        if _empty(value):
            return "—"
        if key == "status":
            return labels.of(TaskStatus, value)
        if key == "role":
            return labels.of(Role, value)
        if key in USER_FIELDS:
            person = self.people.get(value)
            return person.display_name if person else f"ผู้ใช้ #{value}"
        if key == "division_id":
            division = self.divisions.get(value)
            return division.name if division else f"กอง #{value}"
        if key == "line_user_id":
            return "เชื่อมแล้ว"
        if isinstance(value, bool):
            return "ใช่" if value else "ไม่ใช่"
        if isinstance(value, str) and (key in DATE_FIELDS or key in MOMENT_FIELDS):
            try:
                if key in DATE_FIELDS:
                    return format_date(date.fromisoformat(value))
                moment = local(datetime.fromisoformat(value))
                return f"{format_date(moment.date())} {moment:%H:%M} น."
            except ValueError:
                return value
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"

    def changes(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
        """Return the fields whose values differ, in the order the event lists them."""
        before, after = before or {}, after or {}
        keys = list(dict.fromkeys([*after.keys(), *before.keys()]))
        found = []
        for key in keys:
            if key in HIDDEN_FIELDS:
                continue
            old, new = before.get(key), after.get(key)
            if old == new or (_empty(old) and _empty(new)):
                continue
            if key not in before and _empty(new) or key not in after and _empty(old):
                continue  # a new row's (or a removed row's) empty fields say nothing
            found.append(Change(
                field=key,
                label=labels.FIELD.get(key, key),
                before=self.value(key, old) if key in before else None,
                after=self.value(key, new) if key in after else None,
            ))
        return found


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None,
         people: dict[int, User] | None = None, divisions: dict[int, Division] | None = None) -> list[Change]:
    """Return the fields an event changed, before → after, in words."""
    return _Names(people or {}, divisions or {}).changes(before, after)


@bp.get("/audit")
@login_required
def index():
    require(current_user, Action.VIEW_AUDIT)
    args = request.args
    filters = Filters(**{key: args.get(key, "").strip() for key in vars(Filters())})
    bad_dates = [v for v in (filters.date_from, filters.date_to) if v and _parse_day(v) is None]
    page = max(args.get("page", 1, type=int) or 1, 1)

    query = _filtered(filters)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(page, pages)
    events = db.session.scalars(
        query.options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()

    organization_id = current_user.organization_id
    people = {u.id: u for u in db.session.scalars(scoped(User, organization_id).order_by(User.display_name))}
    divisions = {d.id: d for d in db.session.scalars(scoped(Division, organization_id))}
    task_ids = {e.object_id for e in events if e.object_type == "Task" and e.object_id}
    tasks = {t.id: t for t in db.session.scalars(
        tasks_of(current_user).where(Task.id.in_(task_ids)).options(selectinload(Task.division)))} if task_ids else {}
    names = _Names(people, divisions)

    object_types = db.session.scalars(
        scoped(AuditEvent, organization_id).with_only_columns(AuditEvent.object_type).distinct()
    ).all()
    rows = [
        {"event": e, "changes": names.changes(e.before, e.after), "object": _object(e, tasks, people, divisions)}
        for e in events
    ]
    return render_template(
        "audit/index.html",
        rows=rows,
        filters=filters,
        bad_dates=bad_dates,
        page=page,
        pages=pages,
        total=total,
        people=list(people.values()),
        actions={action.value: name for action, name in labels.AUDIT_ACTION.items()},
        object_types=sorted(set(object_types) | set(labels.OBJECT), key=lambda t: labels.OBJECT.get(t, t)),
        object_labels=labels.OBJECT,
        source_labels={s.value: name for s, name in labels.SOURCE.items()},
    )


def _object(event: AuditEvent, tasks: dict[int, Task], people: dict[int, User],
            divisions: dict[int, Division]) -> dict[str, str | None]:
    """Say what an event is about, with a link where there is a page for it."""
    kind = labels.OBJECT.get(event.object_type, event.object_type)
    ident = event.object_id
    text, link = f"{kind} #{ident}" if ident else kind, None
    if event.object_type == "Task" and ident in tasks:
        task = tasks[ident]
        text = f"งาน: ขั้นตอนที่ {task.step_number} {task.step_text} ({task.division.name})"
        link = url_for("tasks.show", task_id=ident)
    elif event.object_type == "User" and ident in people:
        text = f"ผู้ใช้: {people[ident].display_name}"
        link = url_for("admin.user", user_id=ident) if can(current_user, Action.MANAGE_USERS) else None
    elif event.object_type == "Division" and ident in divisions:
        text = f"กอง: {divisions[ident].name}"
        link = url_for("admin.division", division_id=ident) if can(current_user, Action.MANAGE_DIVISIONS) else None
    elif event.object_type == "Organization":
        text = "หน่วยงาน"
        link = url_for("admin.settings") if can(current_user, Action.MANAGE_SETTINGS) else None
    elif event.object_type == "DayOff":
        snap = event.after or event.before or {}
        if snap.get("day"):
            text = f"วันหยุด {_names_day(snap['day'])} {snap.get('name') or ''}".strip()
    return {"text": text if len(text) <= 200 else text[:199] + "…", "link": link}


def _names_day(value: str) -> str:
    try:
        return format_date(date.fromisoformat(value))
    except ValueError:
        return value
