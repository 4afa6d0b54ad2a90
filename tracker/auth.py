"""Signing in and out, sessions and passwords.

Passwords are hashed with werkzeug. Guessing is slowed down by counting failed attempts in the database, so every web
worker sees the same count, and no stranger can lock a person out by failing on purpose (see `sign_in`):

- a username at one address: 5 failures in 15 minutes, then that address waits for that name (someone mistyping,
  or one guesser);
- an address: 20 failures in 15 minutes, whatever the names, then it waits, except for a name that signed in from
  it in the last 30 days (a "known address": the office's one router address keeps working for its colleagues);
- a username from everywhere: 20 failures in 15 minutes (at least 4 addresses, each stopped at 5), then it waits
  everywhere except at its known addresses, where the person goes on signing in as every day.

So guesses at one username are bounded to 20 in 15 minutes from addresses it never signed in from, plus 5 at each
address it did; guesses from one address to 20 in 15 minutes over new names, plus 5 per name known there. A
refused attempt is not counted (nor is its password looked at), so waiting out the window always works.

A sign-in is a `UserSession` row on the server, which the session cookie names by a random token: signing out
deletes the row, so a copied cookie stops working with it; a session also ends after SESSION_IDLE_HOURS without a
request and SESSION_LIFETIME_HOURS after it began; and a new password or a switched-off account ends every session of
that person, whichever code path changed them (`_end_sessions_on_change`).
"""
from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, event, exists, func, inspect, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload

from . import audit, clock
from .access import Action, require
from .errors import DomainError
from .extensions import db
from .models import AuditAction, LoginAttempt, Source, User, UserSession

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=15)
# A username at one address: a person who forgot a password gets a few tries before waiting. Counted per address, so
# a stranger failing on purpose somewhere else stops only themselves, never the person at their own address.
MAX_FAILURES_PER_USER_AT_ADDRESS = 5
# One address trying many usernames. An office signs in from one address (its router's), so this limit leaves out a
# username that signed in successfully from that address within KNOWN_ADDRESS: one person mistyping, or someone
# guessing behind the office's address, does not lock out the colleagues who sign in there every day (their accounts
# keep the per-username-and-address limit). It still holds for every username new to the address: a new employee's
# first sign-in, a guessed or unknown name. Failures count from the address whoever they were for.
MAX_FAILURES_PER_IP = 20
# One username guessed from many addresses (each stopped at MAX_FAILURES_PER_USER_AT_ADDRESS, so at least 4): it then
# waits at every address except those it signed in from within KNOWN_ADDRESS, so a spread-out attack on `mayor`
# cannot keep the mayor out of the office or their own phone's usual network.
MAX_FAILURES_PER_USER = 20
KNOWN_ADDRESS = timedelta(days=30)
# A session's last_seen_at is written at most this often (idle expiry is that much less precise), not once a request.
TOUCH_EVERY = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 8
TOO_MANY = "ลองเข้าสู่ระบบผิดหลายครั้งเกินไป โปรดรอ 15 นาทีแล้วลองใหม่ (too many attempts)"


def _recent_failures(*conditions: ColumnElement[bool]) -> int:
    return db.session.execute(
        select(func.count()).select_from(LoginAttempt).where(
            *conditions, LoginAttempt.success.is_(False), LoginAttempt.at > clock.now() - WINDOW
        )
    ).scalar_one()


def _known_address(username: str, ip: str) -> bool:
    """Tell whether this username signed in successfully from this address within KNOWN_ADDRESS."""
    return bool(db.session.scalar(select(exists().where(
        LoginAttempt.username == username, LoginAttempt.ip == ip, LoginAttempt.success.is_(True),
        LoginAttempt.at > clock.now() - KNOWN_ADDRESS,
    ))))


def sign_in(username: str, password: str, ip: str) -> User:
    """Return the user for a username and password, or raise DomainError; every attempt that is not refused is counted.

    Refused without looking at the password (429), for 15 minutes after: 5 failures for the username from this
    address; 20 failures from this address, or 20 for the username from anywhere, unless the username signed in from
    this address in the last 30 days. `ip` is request.remote_addr: the connection's address, or the client's as
    PROXY_COUNT proxies forwarded it.
    """
    username = (username or "").strip().lower()[:80]
    ip = ip[:64]
    if _recent_failures(LoginAttempt.username == username, LoginAttempt.ip == ip) >= MAX_FAILURES_PER_USER_AT_ADDRESS:
        raise DomainError(TOO_MANY, 429)
    crowded = (_recent_failures(LoginAttempt.ip == ip) >= MAX_FAILURES_PER_IP
               or _recent_failures(LoginAttempt.username == username) >= MAX_FAILURES_PER_USER)
    if crowded and not _known_address(username, ip):
        raise DomainError(TOO_MANY, 429)
    # Stored lower-case (people.normalise_username): an equality the unique index on username answers.
    user = db.session.scalar(select(User).where(User.username == username))
    ok = user is not None and user.active and user.check_password(password or "")
    db.session.add(LoginAttempt(username=username, ip=ip, success=ok, at=clock.now()))
    if not ok or user is None:  # (ok implies a user; the type checker cannot tell)
        # One message for a wrong name, a wrong password and a disabled account: no hint which usernames exist.
        raise DomainError("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (wrong username or password)", 401)
    return user


def record_sign_in(user: User, *, source: Source) -> None:
    """Put a person's sign-in on the audit trail, in the caller's transaction (their own: Action.SESSION)."""
    require(user, Action.SESSION, user)
    audit.record(user, AuditAction.USER_SIGN_IN, user, source=source)


# --- sessions --------------------------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits() -> tuple[timedelta, timedelta]:
    """Return how long a session may go unused, and how long it may last at all."""
    config = current_app.config
    return timedelta(hours=config["SESSION_IDLE_HOURS"]), timedelta(hours=config["SESSION_LIFETIME_HOURS"])


def start_session(user: User, ip: str, user_agent: str | None) -> str:
    """Open a server-side session for a person who has just proved who they are, and return its token.

    The token is also set as `user.session_token`, which Flask-Login's `login_user` puts in the cookie (through
    User.get_id); only its hash is stored. Expired sessions, anyone's, are deleted on the way, so the table holds
    only sessions that can still be used.
    """
    require(user, Action.SESSION, user)
    moment = clock.now()
    idle, lifetime = _limits()
    db.session.execute(delete(UserSession).where(
        or_(UserSession.last_seen_at <= moment - idle, UserSession.created_at <= moment - lifetime)
    ))
    token = secrets.token_urlsafe(32)  # 32 random bytes
    db.session.add(UserSession(user=user, token_hash=_digest(token), created_at=moment, last_seen_at=moment,
                               ip=ip[:64], user_agent=(user_agent or "")[:200]))
    user.session_token = token
    return token


def session_user(token: str) -> User | None:
    """Return the person whose session a cookie's token names, or None: no such session (signed out, ended by a
    password change or by deactivation, never made), a session past its idle time or lifetime, an inactive account.
    """
    found = db.session.execute(
        select(UserSession, User).join(User, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _digest(token))
        # What every page reads of the person (the menu, the organization's name and revision): the same query.
        .options(joinedload(User.organization), joinedload(User.division))
    ).first()
    if found is None:
        return None
    row, user = found
    moment = clock.now()
    idle, lifetime = _limits()
    if not user.active or moment - row.last_seen_at >= idle or moment - row.created_at >= lifetime:
        return None  # an expired row is deleted by the next sign-in
    if moment - row.last_seen_at >= TOUCH_EVERY:
        _touch(row.id, moment)
    user.session_token = token
    return user


def _touch(session_id: int, moment: datetime) -> None:
    # On a connection of its own, committed at once: the current user is loaded wherever a request first asks for it,
    # and committing the request's own transaction there could commit half of a view's work.
    try:
        with db.engine.begin() as connection:
            connection.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=moment))
    except OperationalError as error:  # the database busy: the session merely looks idle a little earlier
        log.warning("could not note the use of session %s: %s", session_id, error)


def end_session(user: User, *, source: Source) -> None:
    """Sign out: delete the session the request came with, so that every copy of its cookie stops working."""
    require(user, Action.SESSION, user)
    if user.session_token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _digest(user.session_token)))
    audit.record(user, AuditAction.USER_SIGN_OUT, user, source=source)
    user.session_token = None


@event.listens_for(Session, "before_flush")
def _end_sessions_on_change(session: Session, flush_context: Any, instances: Any) -> None:
    """End every session of a person whose password changed or who was switched off, whatever code changed it (one's
    own password page, an administrator's reset or edit, the CLI). The browser that changed its own password gets a
    new session from the view; a switched-off person switched on again must sign in again."""
    for user in [row for row in session.dirty if isinstance(row, User)]:
        attrs = inspect(user).attrs
        if attrs.password_hash.history.has_changes() or (attrs.active.history.has_changes() and not user.active):
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))


# --- passwords -------------------------------------------------------------------------------------------------------


def check_new_password(password: str, confirm: str) -> None:
    """Refuse a new password that is too short or mistyped."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร")
    if password != confirm:
        raise DomainError("รหัสผ่านใหม่สองช่องไม่ตรงกัน")


def change_password(user: User, current: str, new: str, confirm: str, *, source: Source) -> None:
    """Change one's own password, knowing the current one. Every session of the person ends when this is flushed
    (`_end_sessions_on_change`): the caller opens a new one (`start_session`) for the browser that asked."""
    if not user.check_password(current or ""):
        raise DomainError("รหัสผ่านปัจจุบันไม่ถูกต้อง")
    check_new_password(new, confirm)
    user.set_password(new)
    audit.record(user, AuditAction.USER_PASSWORD, user, after={"changed": True}, source=source)
