"""The organization's directory: its people, its divisions and its own settings, as an administrator manages them.

Like `tasks` and `days_off`, each function checks permission through `access`, validates (refusing with a Thai
`DomainError`), changes the rows and writes the audit trail with the before and after, in the caller's transaction:
the view commits. Password hashes never reach the trail (`audit.snapshot` leaves them out).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from . import audit
from .access import Action, require
from .auth import check_new_password
from .errors import DomainError
from .extensions import db
from .models import Division, Organization, Role, Source, User
from .plans.matching import catalogue_entry, division_key

USERNAME_RE = re.compile(r"[a-z0-9._-]{3,80}")
ROLES_NEEDING_DIVISION = (Role.HEAD, Role.STAFF)
MAX_ALIASES = 30


# --- helpers -------------------------------------------------------------------------------------------------------


def _text(value: str | None, what: str, max_length: int, *, required: bool = False) -> str | None:
    value = " ".join((value or "").split())  # one line, single spaces: names are shown in lists and menus
    if required and not value:
        raise DomainError(f"ต้องระบุ{what}")
    if len(value) > max_length:
        raise DomainError(f"{what}ยาวเกิน {max_length} ตัวอักษร")
    return value or None


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise DomainError("บทบาทไม่ถูกต้อง") from None


def _check_division(actor: User, role: Role, division: Division | None) -> None:
    if division is not None and division.organization_id != actor.organization_id:
        raise DomainError("ไม่พบกองนี้ในหน่วยงาน", 404)
    if role in ROLES_NEEDING_DIVISION and division is None:
        raise DomainError("หัวหน้ากองและเจ้าหน้าที่ต้องสังกัดกอง — โปรดเลือกกอง")


def normalise_username(username: str | None) -> str:
    """Return the username as it is stored: trimmed, lower-case."""
    return (username or "").strip().lower()


def _check_username(username: str) -> None:
    if not USERNAME_RE.fullmatch(username):
        raise DomainError(
            "ชื่อผู้ใช้ต้องยาว 3–80 ตัวอักษร ใช้ได้เฉพาะ a–z, 0–9, จุด (.), ขีดล่าง (_) และขีด (-)"
        )
    # Usernames are unique across the whole deployment (sign-in does not ask for the organization).
    taken = db.session.scalar(select(User.id).where(func.lower(User.username) == username))
    if taken is not None:
        raise DomainError(f"ชื่อผู้ใช้ “{username}” มีผู้ใช้แล้ว โปรดเลือกชื่ออื่น")


def _changes(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return any(before.get(key) != value for key, value in after.items())


# --- people ----------------------------------------------------------------------------------------------------------


def create_user(
    actor: User,
    username: str,
    display_name: str,
    role: Role | str,
    division: Division | None,
    password: str,
    confirm: str | None = None,
    *,
    source: Source = Source.WEB,
) -> User:
    """Add a person to the actor's organization, with a first password (`confirm` defaults to the password)."""
    require(actor, Action.MANAGE_USERS)
    username = normalise_username(username)
    _check_username(username)
    display_name = _text(display_name, "ชื่อที่แสดง", 200, required=True)
    role = _role(role)
    _check_division(actor, role, division)
    check_new_password(password, password if confirm is None else confirm)
    user = User(
        organization_id=actor.organization_id,
        username=username,
        display_name=display_name,
        role=role,
        division=division,
        active=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, after=audit.snapshot(user), source=source,
                 organization=actor.organization)
    return user


def update_user(
    actor: User,
    user: User,
    display_name: str,
    role: Role | str,
    division: Division | None,
    active: bool,
    *,
    source: Source = Source.WEB,
) -> bool:
    """Change a person's name, role, division or whether the account may sign in; tell whether anything changed."""
    require(actor, Action.MANAGE_USERS, user)
    display_name = _text(display_name, "ชื่อที่แสดง", 200, required=True)
    role = _role(role)
    _check_division(actor, role, division)
    if user.id == actor.id and not active:
        raise DomainError(
            "ปิดการใช้งานบัญชีของตนเองไม่ได้ — คุณจะถูกออกจากระบบทันทีและอาจไม่เหลือผู้ดูแลระบบ"
            " ให้ผู้ดูแลระบบคนอื่นเป็นผู้ปิดแทน"
        )
    if user.id == actor.id and role is not Role.ADMIN:
        raise DomainError(
            "เปลี่ยนบทบาทของตนเองจากผู้ดูแลระบบไม่ได้ — คุณจะเข้าหน้านี้ไม่ได้อีกและอาจไม่เหลือผู้ดูแลระบบ"
            " ให้ผู้ดูแลระบบคนอื่นเป็นผู้เปลี่ยนแทน"
        )
    before = audit.snapshot(user)
    wanted = {
        "display_name": display_name,
        "role": role.value,
        "division_id": division.id if division else None,
        "active": bool(active),
    }
    if not _changes(before, wanted):
        return False
    user.display_name, user.role, user.division, user.active = display_name, role, division, bool(active)
    db.session.flush()
    audit.record(actor, "user.update", user, before=before, after=audit.snapshot(user), source=source,
                 organization=actor.organization)
    return True


def reset_password(
    actor: User, user: User, new_password: str, confirm: str | None = None, *, source: Source = Source.WEB
) -> None:
    """Set a new password for a person who forgot theirs (the administrator tells them; they should change it)."""
    require(actor, Action.MANAGE_USERS, user)
    check_new_password(new_password, new_password if confirm is None else confirm)
    user.set_password(new_password)
    # The trail says that it happened and who did it; never the password or its hash.
    audit.record(actor, "user.password", user, after={"changed": True, "reset_by_admin": True}, source=source,
                 organization=actor.organization)


# --- divisions -------------------------------------------------------------------------------------------------------


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


def _check_division_names(actor: User, name: str, aliases: list[str], division: Division | None) -> None:
    others = db.session.scalars(
        select(Division).where(
            Division.organization_id == actor.organization_id,
            Division.id != (division.id if division else -1),
        )
    ).all()
    key = division_key(name)
    for other in others:
        if division_key(other.name) == key:
            raise DomainError(f"มีกองชื่อ “{other.name}” อยู่แล้วในหน่วยงาน")
    # An alias another division already answers to would make importing a plan ambiguous.
    taken = {division_key(n): other for other in others for n in (other.name, *(other.aliases or []))}
    for spelling in (name, *aliases):
        other = taken.get(division_key(spelling))
        if other is not None:
            raise DomainError(f"“{spelling}” เป็นชื่อหรือชื่อเรียกอื่นของ{other.name}อยู่แล้ว")
    # Two spellings of one common division (กองสาธารณสุข, กองสาธารณสุขและสิ่งแวดล้อม) would match the same plan rows.
    spec = catalogue_entry(name)
    if spec is not None:
        for other in others:
            if catalogue_entry(other.name) == spec:
                raise DomainError(f"“{name}” เป็นกองเดียวกับ{other.name}ที่มีอยู่แล้ว (ชื่อเรียกต่างกัน)")


def _division_fields(name: str, short_name: str | None, name_en: str | None, aliases: Any):
    name = _text(name, "ชื่อกอง", 200, required=True)
    short_name = _text(short_name, "ชื่อย่อ", 50)
    name_en = _text(name_en, "ชื่อภาษาอังกฤษ", 200)
    aliases = [a for a in clean_aliases(aliases) if division_key(a) != division_key(name)]
    return name, short_name, name_en, aliases


def create_division(
    actor: User,
    name: str,
    short_name: str | None = None,
    name_en: str | None = None,
    aliases: Iterable[str] | str | None = None,
    *,
    source: Source = Source.WEB,
) -> Division:
    """Add a division; a common name (กองคลัง, สำนักปลัด...) gets its short and English names from the catalogue."""
    require(actor, Action.MANAGE_DIVISIONS)
    name, short_name, name_en, aliases = _division_fields(name, short_name, name_en, aliases)
    _check_division_names(actor, name, aliases, None)
    spec = catalogue_entry(name)
    division = Division(
        organization_id=actor.organization_id,
        name=name,
        short_name=short_name or (spec.short_name if spec else None),
        name_en=name_en or (spec.name_en if spec else None),
        aliases=aliases,
    )
    db.session.add(division)
    db.session.flush()
    audit.record(actor, "division.create", division, after=audit.snapshot(division), source=source,
                 organization=actor.organization)
    return division


def update_division(
    actor: User,
    division: Division,
    name: str,
    short_name: str | None = None,
    name_en: str | None = None,
    aliases: Iterable[str] | str | None = None,
    *,
    source: Source = Source.WEB,
) -> bool:
    """Rename a division or change its other spellings; tell whether anything changed."""
    require(actor, Action.MANAGE_DIVISIONS, division)
    name, short_name, name_en, aliases = _division_fields(name, short_name, name_en, aliases)
    _check_division_names(actor, name, aliases, division)
    before = audit.snapshot(division)
    wanted = {"name": name, "short_name": short_name, "name_en": name_en, "aliases": aliases}
    if not _changes(before, wanted):
        return False
    division.name, division.short_name, division.name_en = name, short_name, name_en
    division.aliases = list(aliases)  # a new list: JSON columns do not notice changes made in place
    db.session.flush()
    audit.record(actor, "division.update", division, before=before, after=audit.snapshot(division), source=source,
                 organization=actor.organization)
    return True


# --- the organization's settings -------------------------------------------------------------------------------------


def _target(value: Any) -> float:
    try:
        target = float(value)
    except (TypeError, ValueError):
        raise DomainError("เป้าหมายคะแนนตัวชี้วัดต้องเป็นตัวเลข") from None
    if not math.isfinite(target) or not 0 <= target <= 100:
        raise DomainError("เป้าหมายคะแนนตัวชี้วัดต้องอยู่ระหว่าง 0 ถึง 100")
    return round(target, 2)


def update_settings(
    actor: User,
    name: str,
    kind: str | None,
    district: str | None,
    province: str | None,
    indicator_target: float | str,
    *,
    source: Source = Source.WEB,
) -> bool:
    """Change the actor's organization's details and indicator target; tell whether anything changed."""
    require(actor, Action.MANAGE_SETTINGS)
    organization: Organization = actor.organization
    name = _text(name, "ชื่อหน่วยงาน", 200, required=True)
    kind = _text(kind, "ประเภทหน่วยงาน", 100)
    district = _text(district, "อำเภอ", 100)
    province = _text(province, "จังหวัด", 100)
    target = _target(indicator_target)
    taken = db.session.scalar(
        select(Organization.id).where(Organization.name == name, Organization.id != organization.id)
    )
    if taken is not None:
        raise DomainError(f"มีหน่วยงานชื่อ “{name}” ในระบบอยู่แล้ว")
    before = audit.snapshot(organization)
    wanted = {"name": name, "kind": kind, "district": district, "province": province, "indicator_target": target}
    if not _changes(before, wanted):
        return False
    organization.name, organization.kind, organization.district, organization.province = name, kind, district, province
    organization.indicator_target = target
    db.session.flush()
    audit.record(actor, "settings.update", organization, before=before, after=audit.snapshot(organization),
                 source=source, organization=organization)
    return True


def parse_lead_times(text: str | Iterable[int]) -> list[int]:
    """Read reminder lead times ("14, 7, 3, 1, 0": calendar days before the due date) into a sorted list."""
    values = re.split(r"[,\s]+", text.strip()) if isinstance(text, str) else [str(v) for v in text]
    days: set[int] = set()
    for value in filter(None, values):
        if not value.isdigit() or int(value) > 90:
            raise DomainError(f"“{value}”: ต้องเป็นจำนวนวัน 0-90 คั่นด้วยจุลภาค เช่น 14, 7, 3, 1, 0")
        days.add(int(value))
    return sorted(days, reverse=True)


def update_reminder_policy(actor: User, lead_times: str, overdue_every: int, *, source: Source = Source.WEB) -> bool:
    """Set the organization's reminder lead times and overdue cadence; tell whether anything changed."""
    require(actor, Action.MANAGE_SETTINGS)
    organization: Organization = actor.organization
    days = parse_lead_times(lead_times)
    if not 0 <= int(overdue_every) <= 20:
        raise DomainError("แจ้งเตือนงานเกินกำหนดทุก 0-20 วันทำการ (0 = ไม่แจ้ง)")
    before = audit.snapshot(organization)
    if list(organization.reminder_days or []) == days and organization.overdue_every == int(overdue_every):
        return False
    organization.reminder_days, organization.overdue_every = days, int(overdue_every)
    db.session.flush()
    audit.record(actor, "settings.reminders", organization, before=before, after=audit.snapshot(organization),
                 source=source, organization=organization)
    return True


def update_line_account(actor: User, basic_id: str, bot_user_id: str, *, source: Source = Source.WEB) -> bool:
    """Set the organization's LINE Official Account: its basic id (the add-friend QR code) and its bot user id
    (the webhook destination that routes calls to this organization); tell whether anything changed."""
    require(actor, Action.MANAGE_SETTINGS)
    organization: Organization = actor.organization
    basic_id = (basic_id or "").strip() or None
    bot_user_id = (bot_user_id or "").strip() or None
    if basic_id and not re.fullmatch(r"@[A-Za-z0-9._-]{3,30}", basic_id):
        raise DomainError("Basic ID ขึ้นต้นด้วย @ เช่น @123abcde (ดูได้ใน LINE Official Account Manager)")
    if bot_user_id and not re.fullmatch(r"U[0-9a-f]{32}", bot_user_id):
        raise DomainError("Bot user ID คือ U ตามด้วยเลขฐานสิบหก 32 ตัว (ดูได้ใน LINE Developers Console)")
    taken = bot_user_id and db.session.scalar(
        select(Organization.id).where(Organization.line_bot_user_id == bot_user_id, Organization.id != organization.id)
    )
    if taken:
        raise DomainError("Bot user ID นี้เป็นของหน่วยงานอื่นในระบบแล้ว")
    if (organization.line_basic_id, organization.line_bot_user_id) == (basic_id, bot_user_id):
        return False
    before = audit.snapshot(organization)
    organization.line_basic_id, organization.line_bot_user_id = basic_id, bot_user_id
    db.session.flush()
    audit.record(actor, "settings.line", organization, before=before, after=audit.snapshot(organization),
                 source=source, organization=organization)
    return True
