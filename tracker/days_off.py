"""An organization's own days off, and the working-day calendar built from them and the Thai holidays."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from . import audit
from .access import Action, require
from .errors import DomainError
from .extensions import db
from .models import DayOff, Organization, Source, User
from .workdays import WorkCalendar


def work_calendar(organization: Organization | int) -> WorkCalendar:
    """Return the working-day calendar of an organization: Thai holidays plus its own days off."""
    organization_id = organization if isinstance(organization, int) else organization.id
    rows = db.session.execute(select(DayOff.day, DayOff.name).where(DayOff.organization_id == organization_id))
    return WorkCalendar({day: name for day, name in rows})


def add_day_off(actor: User, day: date, name: str, *, source: Source = Source.WEB) -> DayOff:
    """Add a day the organization does not work (a cabinet-announced extra holiday, a local festival)."""
    require(actor, Action.MANAGE_SETTINGS)
    name = name.strip()
    if not name:
        raise DomainError("ต้องระบุชื่อวันหยุด (a name is required)")
    exists = db.session.scalar(
        select(DayOff).where(DayOff.organization_id == actor.organization_id, DayOff.day == day)
    )
    if exists:
        raise DomainError(f"มีวันหยุดวันที่นี้อยู่แล้ว: {exists.name}")
    day_off = DayOff(organization_id=actor.organization_id, day=day, name=name)
    db.session.add(day_off)
    db.session.flush()
    audit.record(actor, "day_off.add", day_off, after=audit.snapshot(day_off), source=source)
    return day_off


def remove_day_off(actor: User, day_off: DayOff, *, source: Source = Source.WEB) -> None:
    """Remove one of the organization's days off."""
    require(actor, Action.MANAGE_SETTINGS, day_off)
    audit.record(actor, "day_off.remove", day_off, before=audit.snapshot(day_off), source=source)
    db.session.delete(day_off)
