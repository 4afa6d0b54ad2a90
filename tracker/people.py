"""The organization's people, as an administrator manages them: add, change, reset a forgotten password; and the
deployment's administrators, as the operator names them from the command line.

Each function checks permission through `access` (the rules of roles too: a head or staff member needs a division, an
administrator neither demotes nor switches off themself), validates (refusing with a Thai `DomainError`), changes the
rows and writes the audit trail with the before and after, in the caller's transaction: the view commits. Password
hashes never reach the trail (`audit.snapshot` leaves them out).
"""
from __future__ import annotations

import re

from sqlalchemy import select

from . import audit
from .access import Action, Appointment, belongs_to, require
from .auth import check_new_password
from .errors import DomainError
from .extensions import db
from .fields import changed, one_line
from .models import AuditAction, Division, Organization, Role, Source, User

USERNAME_RE = re.compile(r"[a-z0-9._-]{3,80}")


def normalise_username(username: str | None) -> str:
    """Return the username as it is stored: trimmed, lower-case."""
    return (username or "").strip().lower()


def _check_username(username: str) -> None:
    if not USERNAME_RE.fullmatch(username):
        raise DomainError(
            "ชื่อผู้ใช้ต้องยาว 3–80 ตัวอักษร ใช้ได้เฉพาะ a–z, 0–9, จุด (.), ขีดล่าง (_) และขีด (-)"
        )
    # Usernames are unique across the whole deployment (sign-in does not ask for the organization).
    taken = db.session.scalar(select(User.id).where(User.username == username))  # stored lower-case
    if taken is not None:
        raise DomainError(f"ชื่อผู้ใช้ “{username}” มีผู้ใช้แล้ว โปรดเลือกชื่ออื่น")


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise DomainError("บทบาทไม่ถูกต้อง") from None


def _check_division(organization_id: int, division: Division | None) -> None:
    if division is not None and not belongs_to(division, organization_id):
        raise DomainError("ไม่พบกองนี้ในหน่วยงาน", 404)


def create_user(
    organization: Organization,
    actor: User,
    username: str,
    display_name: str,
    role: Role | str,
    division: Division | None,
    password: str,
    confirm: str | None = None,
    *,
    source: Source,
) -> User:
    """Add a person to the organization, with a first password (`confirm` defaults to the password)."""
    require(actor, Action.MANAGE_USERS, organization)
    username = normalise_username(username)
    _check_username(username)
    name = one_line(display_name, "ชื่อที่แสดง", 200, required=True)
    role = _role(role)
    _check_division(organization.id, division)
    require(actor, Action.GIVE_ROLE, Appointment(organization.id, role, division))
    check_new_password(password, password if confirm is None else confirm)
    user = User(organization_id=organization.id, username=username, display_name=name, role=role, division=division,
                active=True)
    user.set_password(password)
    audit.created(actor, AuditAction.USER_CREATE, user, source=source)
    return user


def update_user(
    user: User,
    actor: User,
    display_name: str,
    role: Role | str,
    division: Division | None,
    active: bool,
    *,
    source: Source,
) -> bool:
    """Change a person's name, role, division or whether the account may sign in; tell whether anything changed."""
    require(actor, Action.MANAGE_USERS, user)
    name = one_line(display_name, "ชื่อที่แสดง", 200, required=True)
    role = _role(role)
    _check_division(user.organization_id, division)
    require(actor, Action.GIVE_ROLE, Appointment(user.organization_id, role, division, user))
    if user.active and not active:
        require(actor, Action.DEACTIVATE_USER, user)
    if role is not user.role:
        require(actor, Action.CHANGE_ROLE, user)
    before = audit.snapshot(user)
    wanted = {"display_name": name, "role": role.value, "division_id": division.id if division else None,
              "active": bool(active)}
    if not changed(before, wanted):
        return False
    user.display_name, user.role, user.division, user.active = name, role, division, bool(active)
    db.session.flush()
    audit.record(actor, AuditAction.USER_UPDATE, user, before=before, after=audit.snapshot(user), source=source)
    return True


def reset_password(user: User, actor: User, new_password: str, confirm: str | None = None, *, source: Source) -> None:
    """Set a new password for a person who forgot theirs (the administrator tells them; they should change it)."""
    require(actor, Action.MANAGE_USERS, user)
    check_new_password(new_password, new_password if confirm is None else confirm)
    user.set_password(new_password)
    # The trail says that it happened and who did it; never the password or its hash.
    audit.record(actor, AuditAction.USER_PASSWORD, user, after={"changed": True, "reset_by_admin": True},
                 source=source)


def set_deployment_admin(user: User, on: bool, *, source: Source) -> bool:
    """Make a person the deployment's administrator (or no longer); tell whether anything changed.

    The deployment's operator does it from the server's command line (the `actor` of the trail is None): no page
    offers it, since no agency's admin may raise anyone, themselves included, above every agency's admins.
    """
    if user.is_deployment_admin is bool(on):
        return False
    before = audit.snapshot(user)
    user.is_deployment_admin = bool(on)
    db.session.flush()
    audit.record(None, AuditAction.USER_UPDATE, user, before=before, after=audit.snapshot(user), source=source)
    return True
