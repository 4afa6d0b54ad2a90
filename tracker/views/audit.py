"""The audit trail page: who changed what, when and from where, for administrators and executives.

Only the signed-in person's organization's events (and the deployment's, which change every agency's: the OIT
items), newest first, filtered by actor, action, object type, source and
a range of local (Bangkok) dates, 50 a page. Each event shows the fields whose values differ, before → after.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import audit, labels
from ..access import Action, can, require, scoped, tasks_of
from ..clock import local_zone
from ..extensions import db
from ..history import Names
from ..models import AuditAction, AuditEvent, Division, Source, Task, User
from ..thai import (
    FIRST_INPUT_BE_YEAR,
    LAST_INPUT_BE_YEAR,
    BEDateError,
    be_year,
    format_be_input,
    format_date,
    parse_be_date,
)

bp = Blueprint("audit", __name__)

PER_PAGE = 50
# Signing in and out happens every day for everyone: listed only when asked for, or they drown the changes.
SESSION_ACTIONS = (AuditAction.USER_SIGN_IN, AuditAction.USER_SIGN_OUT)

@dataclass
class Filters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    source: str = ""
    date_from: str = ""
    date_to: str = ""
    sign_ins: str = ""  # "1": signing in and out too (SESSION_ACTIONS)

    def as_args(self) -> dict[str, str]:
        return {key: value for key, value in vars(self).items() if value}


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _read_day(value: str) -> date:
    """Read a filter's day as typed in the Buddhist Era (31/3/2569), or as a bookmark from before dates were typed
    that way carries it (2026-03-01, the common era); raise BEDateError saying why it cannot be read."""
    if _ISO_DAY.fullmatch(value) and FIRST_INPUT_BE_YEAR <= be_year(int(value[:4])) <= LAST_INPUT_BE_YEAR:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # 2026-02-30: parse_be_date says what is wrong with it
    return parse_be_date(value)


def _parse_day(value: str) -> date | None:
    """Return a filter's day, or None when it is blank or cannot be read (the page then says why)."""
    try:
        return _read_day(value) if value else None
    except BEDateError:
        return None


def _date_problems(filters: Filters) -> list[str]:
    """Say, in Thai, why each date filter that was typed cannot be read; a bookmark's ISO day is shown in BE."""
    problems = []
    for key, name in (("date_from", "ตั้งแต่วันที่"), ("date_to", "ถึงวันที่")):
        value = getattr(filters, key)
        if not value:
            continue
        try:
            day = _read_day(value)
        except BEDateError as error:
            problems.append(f"{name} “{value}”: {error} — ไม่ได้ใช้กรอง")
            continue
        if _ISO_DAY.fullmatch(value):
            setattr(filters, key, format_be_input(day))
    return problems


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(UTC)


def _filtered(filters: Filters):
    query = audit.trail(current_user.organization_id)
    if filters.actor == "none":
        query = query.where(AuditEvent.actor_id.is_(None))
    elif filters.actor.isdigit():
        query = query.where(AuditEvent.actor_id == int(filters.actor))
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    elif not filters.sign_ins:
        query = query.where(AuditEvent.action.not_in([a.value for a in SESSION_ACTIONS]))
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


@bp.get("/audit")
@login_required
def index():
    require(current_user, Action.VIEW_AUDIT)
    args = request.args
    filters = Filters(**{key: args.get(key, "").strip() for key in vars(Filters())})
    bad_dates = _date_problems(filters)
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
    names = Names(people, divisions)

    object_types = db.session.scalars(
        audit.trail(organization_id).with_only_columns(AuditEvent.object_type).distinct()
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
        link = url_for("admin.user", user_id=ident) if can(current_user, Action.MANAGE_USERS, people[ident]) else None
    elif event.object_type == "Division" and ident in divisions:
        text = f"กอง: {divisions[ident].name}"
        link = url_for("admin.division", division_id=ident) if can(current_user, Action.MANAGE_DIVISIONS) else None
    elif event.object_type == "Organization":
        text = "หน่วยงาน"
        link = url_for("admin.settings") if can(current_user, Action.MANAGE_SETTINGS) else None
    elif event.object_type == "OitItem":
        snap = event.after or event.before or {}
        if snap.get("code"):
            text = f"ข้อ OIT {snap['code']} ปีงบประมาณ {snap.get('fiscal_year', '')} (ใช้กับทุกหน่วยงาน)"
        link = url_for("admin.oit_items") if can(current_user, Action.VIEW_OIT_ITEMS) else None
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
