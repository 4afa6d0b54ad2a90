"""The organization's LINE Official Account: which organization a webhook call is for, and the account's ids as
the administrator sets them. Its secret and token never live here: they come from the environment
(tracker.line.channel.credentials_for)."""
from __future__ import annotations

import re
from urllib.parse import quote

from sqlalchemy import select

from .. import audit
from ..access import Action, require
from ..errors import DomainError
from ..extensions import db
from ..models import AuditAction, Organization, Source, User


def organization_for(destination: str | None) -> Organization | None:
    """Find whose channel a webhook call is for, by the bot user id LINE names as its destination."""
    if destination:
        organization = db.session.scalar(select(Organization).where(Organization.line_bot_user_id == destination))
        if organization is not None:
            return organization
    organizations = db.session.scalars(select(Organization).limit(2)).all()
    # One organization whose bot id was never entered: the default channel is its channel.
    return organizations[0] if len(organizations) == 1 else None


def add_friend_url(basic_id: str) -> str:
    """The address of LINE's add-friend screen for the Official Account: what its QR code holds, and the link a
    person taps on the phone that has LINE (a phone cannot scan its own screen). The basic id is written after one @,
    whether or not it was given with its own, and URL-encoded."""
    return "https://line.me/R/ti/p/@" + quote(basic_id.strip().removeprefix("@"), safe="")


def update_line_account(
    organization: Organization, actor: User, basic_id: str, bot_user_id: str, *, source: Source
) -> bool:
    """Set the organization's LINE Official Account: its basic id (the add-friend QR code) and its bot user id
    (the webhook destination that routes calls to this organization); tell whether anything changed."""
    require(actor, Action.MANAGE_SETTINGS, organization)
    basic = (basic_id or "").strip() or None
    bot = (bot_user_id or "").strip() or None
    if basic and not re.fullmatch(r"@[A-Za-z0-9._-]{3,30}", basic):
        raise DomainError("Basic ID ขึ้นต้นด้วย @ เช่น @123abcde (ดูได้ใน LINE Official Account Manager)")
    if bot and not re.fullmatch(r"U[0-9a-f]{32}", bot):
        raise DomainError("Bot user ID คือ U ตามด้วยเลขฐานสิบหก 32 ตัว (ดูได้ใน LINE Developers Console)")
    taken = bot and db.session.scalar(
        select(Organization.id).where(Organization.line_bot_user_id == bot, Organization.id != organization.id)
    )
    if taken:
        raise DomainError("Bot user ID นี้เป็นของหน่วยงานอื่นในระบบแล้ว")
    if (organization.line_basic_id, organization.line_bot_user_id) == (basic, bot):
        return False
    before = audit.snapshot(organization)
    organization.line_basic_id, organization.line_bot_user_id = basic, bot
    db.session.flush()
    audit.record(actor, AuditAction.SETTINGS_LINE, organization, before=before,
                 after=audit.snapshot(organization), source=source)
    return True
