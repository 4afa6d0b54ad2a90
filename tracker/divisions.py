"""The organization's divisions (กอง / สำนัก), as an administrator manages them: their names and the other
spellings plans use for them, checked so that importing a plan can never be ambiguous."""
from __future__ import annotations

import re
from collections.abc import Iterable

from . import audit
from .access import Action, require, scoped
from .errors import DomainError
from .extensions import db
from .fields import changed, one_line
from .models import AuditAction, Division, Organization, Source, User
from .plans.matching import catalogue_entry, division_key

MAX_ALIASES = 30


def clean_aliases(aliases: Iterable[str] | str | None) -> list[str]:
    """Return the other spellings as a list: one per line or comma, trimmed, without empties or repeats."""
    if aliases is None:
        return []
    if isinstance(aliases, str):
        aliases = re.split(r"[\n,]", aliases)
    cleaned: list[str] = []
    seen: set[str] = set()
    for alias in aliases:
        if not isinstance(alias, str):
            raise DomainError("ชื่อเรียกอื่นต้องเป็นข้อความ")
        alias = " ".join(alias.split())
        if not alias or division_key(alias) in seen:
            continue
        if len(alias) > 200:
            raise DomainError("ชื่อเรียกอื่นแต่ละชื่อยาวได้ไม่เกิน 200 ตัวอักษร")
        seen.add(division_key(alias))
        cleaned.append(alias)
    if len(cleaned) > MAX_ALIASES:
        raise DomainError(f"ชื่อเรียกอื่นได้ไม่เกิน {MAX_ALIASES} ชื่อ")
    return cleaned


def _check_division_names(organization_id: int, name: str, aliases: list[str], division: Division | None) -> None:
    others = db.session.scalars(
        scoped(Division, organization_id).where(Division.id != (division.id if division else -1))
    ).all()
    key = division_key(name)
    for other in others:
        if division_key(other.name) == key:
            raise DomainError(f"มีกองชื่อ “{other.name}” อยู่แล้วในหน่วยงาน")
    # An alias another division already answers to would make importing a plan ambiguous.
    taken = {division_key(n): other for other in others for n in (other.name, *(other.aliases or []))}
    for spelling in (name, *aliases):
        holder = taken.get(division_key(spelling))
        if holder is not None:
            raise DomainError(f"“{spelling}” เป็นชื่อหรือชื่อเรียกอื่นของ{holder.name}อยู่แล้ว")
    # Two spellings of one common division (กองสาธารณสุข, กองสาธารณสุขและสิ่งแวดล้อม) would match the same plan rows.
    spec = catalogue_entry(name)
    if spec is not None:
        for other in others:
            if catalogue_entry(other.name) == spec:
                raise DomainError(f"“{name}” เป็นกองเดียวกับ{other.name}ที่มีอยู่แล้ว (ชื่อเรียกต่างกัน)")


def _division_fields(
    name: str, short_name: str | None, name_en: str | None, aliases: Iterable[str] | str | None
) -> tuple[str, str | None, str | None, list[str]]:
    checked = one_line(name, "ชื่อกอง", 200, required=True)
    assert checked is not None  # required
    kept = [a for a in clean_aliases(aliases) if division_key(a) != division_key(checked)]
    return checked, one_line(short_name, "ชื่อย่อ", 50), one_line(name_en, "ชื่อภาษาอังกฤษ", 200), kept


def create_division(
    organization: Organization,
    actor: User,
    name: str,
    short_name: str | None = None,
    name_en: str | None = None,
    aliases: Iterable[str] | str | None = None,
    *,
    source: Source,
) -> Division:
    """Add a division; a common name (กองคลัง, สำนักปลัด...) gets its short and English names from the catalogue."""
    require(actor, Action.MANAGE_DIVISIONS, organization)
    name, short_name, name_en, kept = _division_fields(name, short_name, name_en, aliases)
    _check_division_names(organization.id, name, kept, None)
    spec = catalogue_entry(name)
    division = Division(
        organization_id=organization.id,
        name=name,
        short_name=short_name or (spec.short_name if spec else None),
        name_en=name_en or (spec.name_en if spec else None),
        aliases=kept,
    )
    audit.created(actor, AuditAction.DIVISION_CREATE, division, source=source)
    return division


def update_division(
    division: Division,
    actor: User,
    name: str,
    short_name: str | None = None,
    name_en: str | None = None,
    aliases: Iterable[str] | str | None = None,
    *,
    source: Source,
) -> bool:
    """Rename a division or change its other spellings; tell whether anything changed."""
    require(actor, Action.MANAGE_DIVISIONS, division)
    name, short_name, name_en, kept = _division_fields(name, short_name, name_en, aliases)
    _check_division_names(division.organization_id, name, kept, division)
    before = audit.snapshot(division)
    wanted = {"name": name, "short_name": short_name, "name_en": name_en, "aliases": kept}
    if not changed(before, wanted):
        return False
    division.name, division.short_name, division.name_en = name, short_name, name_en
    division.aliases = list(kept)  # a new list: JSON columns do not notice changes made in place
    db.session.flush()
    audit.record(actor, AuditAction.DIVISION_UPDATE, division, before=before, after=audit.snapshot(division),
                 source=source)
    return True
