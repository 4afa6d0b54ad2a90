"""Tying LINE to people and divisions: a person's account (LINE's account-link flow with a one-time nonce) and a
division's group (a one-time code typed into the group). Each verb asks `access` first (a person's own LINE
account is theirs to link; a group, its division's head's or the administrator's; what LINE itself reports through the
signed webhook, the system's: access.SYSTEM) and each change is audited, in the caller's transaction."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy import select

from .. import audit, clock
from ..access import Action, find, held_elsewhere, require, same_organization, scoped
from ..errors import DomainError
from ..extensions import db
from ..models import AuditAction, Division, LinkNonce, Organization, Source, User

NONCE_LIFETIME = timedelta(minutes=10)
GROUP_CODE_LIFETIME = timedelta(minutes=30)
ACCOUNT_LINK_URL = "https://access.line.me/dialog/bot/accountLink"
GROUP_CODE = re.compile(r"ITA-\d{6}")
# A LINE account or group is linked to one person or division of the whole deployment (a unique column): another
# organization's is refused, never taken from them.
ACCOUNT_ELSEWHERE = ("บัญชี LINE นี้เชื่อมกับผู้ใช้ของหน่วยงานอื่นอยู่ — ยกเลิกการเชื่อมในระบบของหน่วยงานนั้นก่อน"
                     " แล้วเชื่อมใหม่")
GROUP_ELSEWHERE = "กลุ่ม LINE นี้เชื่อมกับกองของหน่วยงานอื่นอยู่ — ให้หน่วยงานนั้นยกเลิกการเชื่อมกลุ่มก่อน หรือใช้กลุ่มอื่น"


# --- a person's LINE account ---------------------------------------------------------------------------------------


def new_nonce(user: User, actor: User) -> LinkNonce:
    """Issue the one-time nonce that proves, when LINE sends it back, which signed-in person asked to link (nothing
    is on the trail until the link is made: `link_account`)."""
    require(actor, Action.LINK_LINE, user)
    record = LinkNonce(nonce=secrets.token_urlsafe(32), user=user, expires_at=clock.now() + NONCE_LIFETIME)
    db.session.add(record)
    return record


def redeem_nonce(organization: Organization, nonce: str) -> User | None:
    """Use up a nonce LINE sent back and return whose it was; a replayed, expired, forged or other organization's
    nonce gives None and links nothing."""
    record = db.session.scalar(select(LinkNonce).where(LinkNonce.nonce == nonce))
    if (record is None or record.used_at is not None or record.expires_at < clock.now()
            or not same_organization(record.user, organization) or not record.user.active):
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
    """Link a LINE account to a person; it is taken from anyone of the organization it was linked to before, and
    refused (DomainError) if a person of another organization has it."""
    require(actor, Action.LINK_LINE, user, source=source)
    if held_elsewhere(User, user.organization_id, User.line_user_id == line_user_id):
        raise DomainError(ACCOUNT_ELSEWHERE, 409)
    for other in db.session.scalars(
            scoped(User, user.organization_id).where(User.line_user_id == line_user_id, User.id != user.id)):
        _unlink(other, actor, source)  # the account proved to be `user`'s (the nonce): no one else's to keep
    db.session.flush()
    before = {"line_linked": user.line_user_id is not None}
    user.line_user_id = line_user_id
    audit.record(actor, AuditAction.USER_LINE_LINK, user, before=before, after={"line_linked": True}, source=source)


def unlink(user: User, actor: User, *, source: Source) -> None:
    """Forget a person's LINE account: no reminder is pushed to them any more."""
    require(actor, Action.LINK_LINE, user, source=source)
    _unlink(user, actor, source)


def _unlink(user: User, actor: User | None, source: Source) -> None:
    if user.line_user_id is None:
        return
    user.line_user_id = None
    audit.record(actor, AuditAction.USER_LINE_UNLINK, user, before={"line_linked": True},
                 after={"line_linked": False}, source=source)


def unlink_blocked(organization: Organization, line_user_id: str | None) -> None:
    """The person blocked the Official Account: no pushes are tried for them any more. LINE says so through the
    signed webhook: a fact to record, the person's own act, whether or not their account is still active (a
    permission would refuse a switched-off one), so no permission is asked."""
    for user in db.session.scalars(scoped(User, organization.id).where(User.line_user_id == line_user_id)):
        _unlink(user, user, Source.LINE)


# --- a division's LINE group ---------------------------------------------------------------------------------------


def new_group_code(division: Division, actor: User, *, source: Source) -> str:
    """Make a one-time code to type into the division's LINE group (a head of that division or an admin)."""
    require(actor, Action.MANAGE_LINE_GROUP, division, source=source)
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


def attach_group(division: Division, actor: User | None, group_id: str, *, source: Source) -> None:
    """Send the division's weekly digest and overdue alerts to this LINE group from now on (the code was typed there:
    LINE's webhook, actor None; the group is taken from any division of the organization it served before, refused
    with a DomainError if another organization's division has it). Its member count is LINE's to tell, asked once
    this is committed (see `record_group_members`): never inside this transaction."""
    require(actor, Action.MANAGE_LINE_GROUP, division, source=source)
    if held_elsewhere(Division, division.organization_id, Division.line_group_id == group_id):
        raise DomainError(GROUP_ELSEWHERE, 409)
    before = {"line_group_id": division.line_group_id}
    taken = db.session.scalar(scoped(Division, division.organization_id)
                              .where(Division.line_group_id == group_id, Division.id != division.id))
    if taken is not None:
        taken.line_group_id, taken.line_group_members = None, None
    division.line_group_id, division.line_group_members = group_id, None
    division.line_group_code = division.line_group_code_expires = None
    audit.record(actor, AuditAction.DIVISION_LINE_GROUP, division, before=before, after={"line_group_id": group_id},
                 source=source)


def record_group_members(organization: Organization, division_id: int, group_id: str, members: int | None) -> None:
    """Keep the member count LINE gave for a division's group (a push into it counts once per member), if the
    division still has that group; in the caller's transaction."""
    if members is None:
        return  # LINE did not say: the count stays unknown, as before the group was attached
    division = find(Division, division_id, organization.id)
    if division is not None and division.line_group_id == group_id:
        division.line_group_members = members


def detach_group(division: Division, actor: User | None, *, source: Source) -> None:
    """Stop sending the division's digests to its LINE group (they go to each person again)."""
    require(actor, Action.MANAGE_LINE_GROUP, division, source=source)
    _detach(division, actor, source)


def group_left(organization: Organization, group_id: str | None) -> None:
    """The bot was removed from a group: the division it served hears privately again (LINE's webhook, actor None)."""
    division = db.session.scalar(scoped(Division, organization.id).where(Division.line_group_id == group_id))
    if division is not None:
        detach_group(division, None, source=Source.LINE)


def _detach(division: Division, actor: User | None, source: Source) -> None:
    if division.line_group_id is None:
        return
    before = {"line_group_id": division.line_group_id}
    division.line_group_id, division.line_group_members = None, None
    audit.record(actor, AuditAction.DIVISION_LINE_GROUP_DETACH, division, before=before,
                 after={"line_group_id": None}, source=source)
