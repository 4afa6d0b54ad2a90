"""The organization itself, as its administrator keeps it: its details and indicator target, its own days off, and
the working-day calendar built from those and the Thai holidays; the address links to its pages start with."""
from __future__ import annotations

import math
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from config.defaults import SETTINGS

from . import audit
from .access import Action, require, scoped
from .errors import DomainError
from .extensions import db
from .fields import changed, one_line
from .ita import AGENCY_TYPES
from .models import AuditAction, DayOff, Organization, Source, User
from .workdays import WorkCalendar

DEFAULT_PUBLIC_URL = next(s.default for s in SETTINGS if s.name == "PUBLIC_URL")


def work_calendar(organization: Organization | int) -> WorkCalendar:
    """Return the working-day calendar of an organization: Thai holidays plus its own days off."""
    organization_id = organization if isinstance(organization, int) else organization.id
    rows = db.session.execute(scoped(DayOff, organization_id).with_only_columns(DayOff.day, DayOff.name))
    return WorkCalendar({day: name for day, name in rows})


def public_url(organization: Organization | int) -> str:
    """Return the address links to the organization's pages start with (the messages, the reminders shown): the
    PUBLIC_URL setting when it is set, else the address the organization recorded (`tracker demo --port N` records
    where it serves, so `tracker reminders` and `deliver` run beside it link there), else PUBLIC_URL's default.

    "Set" means other than the default: a PUBLIC_URL set to the default address itself reads as not set.
    """
    configured = current_app.config["PUBLIC_URL"]
    if configured != DEFAULT_PUBLIC_URL:
        return configured
    if isinstance(organization, int):
        recorded = db.session.scalar(select(Organization.public_url).where(Organization.id == organization))
    else:
        recorded = organization.public_url
    return recorded or configured


def add_day_off(organization: Organization, actor: User, day: date, name: str, *, source: Source) -> DayOff:
    """Add a day the organization does not work (a cabinet-announced extra holiday, a local festival)."""
    require(actor, Action.MANAGE_SETTINGS, organization)
    name = name.strip()
    if not name:
        raise DomainError("ต้องระบุชื่อวันหยุด (a name is required)")
    exists = db.session.scalar(scoped(DayOff, organization.id).where(DayOff.day == day))
    if exists:
        raise DomainError(f"มีวันหยุดวันที่นี้อยู่แล้ว: {exists.name}")
    day_off = DayOff(organization_id=organization.id, day=day, name=name)
    audit.created(actor, AuditAction.DAY_OFF_ADD, day_off, source=source)
    return day_off


def remove_day_off(day_off: DayOff, actor: User, *, source: Source) -> None:
    """Remove one of the organization's days off."""
    require(actor, Action.MANAGE_SETTINGS, day_off)
    audit.record(actor, AuditAction.DAY_OFF_REMOVE, day_off, before=audit.snapshot(day_off), source=source)
    db.session.delete(day_off)


def _target(value: Any) -> float:
    try:
        target = float(value)
    except (TypeError, ValueError):
        raise DomainError("เป้าหมายคะแนนตัวชี้วัดต้องเป็นตัวเลข") from None
    if not math.isfinite(target) or not 0 <= target <= 100:
        raise DomainError("เป้าหมายคะแนนตัวชี้วัดต้องอยู่ระหว่าง 0 ถึง 100")
    return round(target, 2)


def update_settings(
    organization: Organization,
    actor: User,
    name: str,
    kind: str | None,
    district: str | None,
    province: str | None,
    indicator_target: float | str,
    *,
    source: Source,
    agency_type: str | None = None,
) -> bool:
    """Change the organization's details and indicator target; tell whether anything changed. `agency_type` (a key
    of tracker.ita.AGENCY_TYPES: which OIT items the agency answers) None keeps it."""
    require(actor, Action.MANAGE_SETTINGS, organization)
    name = one_line(name, "ชื่อหน่วยงาน", 200, required=True)
    kind = one_line(kind, "ประเภทหน่วยงาน", 100)
    district = one_line(district, "อำเภอ", 100)
    province = one_line(province, "จังหวัด", 100)
    target = _target(indicator_target)
    agency_type = agency_type or organization.agency_type
    if agency_type not in AGENCY_TYPES:
        raise DomainError(f"ไม่รู้จักประเภทหน่วยงาน “{agency_type[:20]}”")
    taken = db.session.scalar(
        select(Organization.id).where(Organization.name == name, Organization.id != organization.id)
    )
    if taken is not None:
        raise DomainError(f"มีหน่วยงานชื่อ “{name}” ในระบบอยู่แล้ว")
    before = audit.snapshot(organization)
    wanted = {"name": name, "kind": kind, "district": district, "province": province, "indicator_target": target,
              "agency_type": agency_type}
    if not changed(before, wanted):
        return False
    organization.name, organization.kind, organization.district, organization.province = name, kind, district, province
    organization.indicator_target, organization.agency_type = target, agency_type
    db.session.flush()
    audit.record(actor, AuditAction.SETTINGS_UPDATE, organization, before=before,
                 after=audit.snapshot(organization), source=source)
    return True
