"""Tying LINE to people and divisions: a person's account (LINE's account-link flow with a one-time nonce) and a
division's group (a one-time code typed into the group). Each change is audited, in the caller's transaction."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import select

from .. import audit, clock
from ..access import Action, require, scoped
from ..extensions import db
from ..models import AuditAction, Division, LinkNonce, Organization, Source, User

NONCE_LIFETIME = timedelta(minutes=10)
GROUP_CODE_LIFETIME = timedelta(minutes=30)
ACCOUNT_LINK_URL = "https://access.line.me/dialog/bot/accountLink"
GROUP_CODE = re.compile(r"ITA-\d{6}")


# --- a person's LINE account ---------------------------------------------------------------------------------------


def new_nonce(user: User) -> LinkNonce:
    """Issue the one-time nonce that proves, when LINE sends it back, which signed-in person asked to link."""
    record = LinkNonce(nonce=secrets.token_urlsafe(32), user=user, expires_at=clock.now() + NONCE_LIFETIME)
    db.session.add(record)
    return record


def redeem_nonce(organization: Organization, nonce: str) -> User | None:
    """Use up a nonce LINE sent back and return whose it was; a replayed, expired, forged or other organization's
    nonce gives None and links nothing."""
    record = db.session.scalar(select(LinkNonce).where(LinkNonce.nonce == nonce))
    if (record is None or record.used_at is not None or record.expires_at < clock.now()
            or record.user.organization_id != organization.id or not record.user.active):
        return None
    record.used_at = clock.now()
    return record.user


def linked_user(organization: Organization, line_user_id: str | None) -> User | None:
    """Return the active person of the organization this LINE account is linked to, if any."""
    if not line_user_id:
        return None
    return db.session.scalar(
        scoped(User, organization.id).where(User.line_user_id == line_user_id, User.active.is_(True))
    )


def link_account(user: User, actor: User, line_user_id: str, *, source: Source) -> None:
    """Link a LINE account to a person; it is taken from anyone it was linked to before."""
    for other in db.session.scalars(select(User).where(User.line_user_id == line_user_id, User.id != user.id)):
        unlink(other, actor, source=source)
    db.session.flush()
    before = {"line_linked": user.line_user_id is not None}
    user.line_user_id = line_user_id
    audit.record(actor, AuditAction.USER_LINE_LINK, user, before=before, after={"line_linked": True}, source=source)


def unlink(user: User, actor: User | None, *, source: Source) -> None:
    """Forget a person's LINE account: no reminder is pushed to them any more."""
    if user.line_user_id is None:
        return
    user.line_user_id = None
    audit.record(actor, AuditAction.USER_LINE_UNLINK, user, before={"line_linked": True},
                 after={"line_linked": False}, source=source)


def unlink_blocked(organization: Organization, line_user_id: str | None) -> None:
    """The person blocked the Official Account: no pushes are tried for them any more."""
    for user in db.session.scalars(scoped(User, organization.id).where(User.line_user_id == line_user_id)):
        unlink(user, user, source=Source.LINE)


# --- a division's LINE group ---------------------------------------------------------------------------------------


def new_group_code(division: Division, actor: User, *, source: Source) -> str:
    """Make a one-time code to type into the division's LINE group (a head of that division or an admin)."""
    require(actor, Action.MANAGE_LINE_GROUP, division)
    division.line_group_code = f"ITA-{secrets.randbelow(10**6):06d}"
    division.line_group_code_expires = clock.now() + GROUP_CODE_LIFETIME
    audit.record(actor, AuditAction.DIVISION_LINE_GROUP_CODE, division,
                 after={"expires": division.line_group_code_expires.isoformat()}, source=source)
    return division.line_group_code


def division_for_code(organization: Organization, code: str) -> Division | None:
    """Return the division a group code typed in a group is for, if it is still valid."""
    division = db.session.scalar(scoped(Division, organization.id).where(Division.line_group_code == code))
    if division is None or division.line_group_code_expires is None or division.line_group_code_expires < clock.now():
        return None
    return division


def attach_group(division: Division, group_id: str) -> None:
    """Send the division's weekly digest and overdue alerts to this LINE group from now on (the code was typed there;
    the group is taken from any division it served before). Its member count is LINE's to tell, asked once this is
    committed (see `record_group_members`): never inside this transaction."""
    before = {"line_group_id": division.line_group_id}
    taken = db.session.scalar(select(Division).where(Division.line_group_id == group_id, Division.id != division.id))
    if taken is not None:
        taken.line_group_id, taken.line_group_members = None, None
    division.line_group_id, division.line_group_members = group_id, None
    division.line_group_code = division.line_group_code_expires = None
    audit.record(None, AuditAction.DIVISION_LINE_GROUP, division, before=before, after={"line_group_id": group_id},
                 source=Source.LINE)


def record_group_members(division_id: int, group_id: str, members: int | None) -> None:
    """Keep the member count LINE gave for a division's group (a push into it counts once per member), if the
    division still has that group; in the caller's transaction."""
    if members is None:
        return  # LINE did not say: the count stays unknown, as before the group was attached
    division = db.session.get(Division, division_id)
    if division is not None and division.line_group_id == group_id:
        division.line_group_members = members


def detach_group(division: Division, actor: User, *, source: Source) -> None:
    """Stop sending the division's digests to its LINE group (they go to each person again)."""
    require(actor, Action.MANAGE_LINE_GROUP, division)
    _detach(division, actor, source)


def group_left(organization: Organization, group_id: str | None) -> None:
    """The bot was removed from a group: the division it served hears privately again."""
    division = db.session.scalar(scoped(Division, organization.id).where(Division.line_group_id == group_id))
    if division is not None:
        _detach(division, None, Source.LINE)


def _detach(division: Division, actor: User | None, source: Source) -> None:
    if division.line_group_id is None:
        return
    before = {"line_group_id": division.line_group_id}
    division.line_group_id, division.line_group_members = None, None
    audit.record(actor, AuditAction.DIVISION_LINE_GROUP_DETACH, division, before=before,
                 after={"line_group_id": None}, source=source)
