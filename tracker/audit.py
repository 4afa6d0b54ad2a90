"""The audit trail: every change a person makes, with who, when, where from, and the object before and after."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, inspect, or_, select
from sqlalchemy.orm import selectinload

from .access import organization_id_of
from .extensions import db
from .models import AuditAction, AuditEvent, FiscalYear, OitItem, Source, User

# Rows of the deployment, every agency's at once (the OIT numbering of a year): an event about one belongs to no
# organization, and every organization's trail shows it (`trail`), since it changes what each agency publishes.
DEPLOYMENT_ROWS = (FiscalYear, OitItem)


def snapshot(obj: Any) -> dict[str, Any]:
    """Return the object's column values as JSON-ready data, for the before and after of an audit event."""
    values: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        if attr.key == "password_hash":
            continue  # never copy a secret into the trail
        values[attr.key] = _plain(getattr(obj, attr.key))
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def record(
    actor: User | None,
    action: AuditAction,
    obj: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    source: Source,
) -> AuditEvent:
    """Add an audit event for a change to `obj` (already flushed: it has its id) to the current transaction.

    The event belongs to the object's organization; to none for a row of the deployment (DEPLOYMENT_ROWS), which
    every organization's trail shows; otherwise to the actor's for an object of none.
    """
    organization_id = organization_id_of(obj)
    if organization_id is None and actor is not None and not isinstance(obj, DEPLOYMENT_ROWS):
        organization_id = actor.organization_id
    event = AuditEvent(
        organization_id=organization_id,
        actor=actor,
        action=action.value,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
        source=source,
    )
    db.session.add(event)
    return event


def created(actor: User | None, action: AuditAction, row: Any, *, source: Source) -> AuditEvent:
    """Add a new row to the session, flush it (it gets its id) and record its creation with all its values."""
    db.session.add(row)
    db.session.flush()
    return record(actor, action, row, after=snapshot(row), source=source)


def trail(organization_id: int) -> Select[AuditEvent]:
    """Select the events an organization's audit trail shows: its own, and the deployment's (DEPLOYMENT_ROWS)."""
    kinds = [model.__name__ for model in DEPLOYMENT_ROWS]
    deployment = AuditEvent.organization_id.is_(None) & AuditEvent.object_type.in_(kinds)
    return select(AuditEvent).where(or_(AuditEvent.organization_id == organization_id, deployment))


def history_of(obj: Any) -> list[AuditEvent]:
    """Return the audit events about one object, oldest first: a task's history as its page shows it."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == type(obj).__name__, AuditEvent.object_id == obj.id)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
