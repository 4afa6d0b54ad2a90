"""Signing in and passwords: hashed with werkzeug, guessing slowed down by counting failed attempts in the database
(so every web worker sees the same count)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from . import audit
from .clock import now
from .errors import DomainError
from .extensions import db
from .models import AuditAction, LoginAttempt, Source, User

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5  # a person who forgot a password gets a few tries before waiting
MAX_FAILURES_PER_IP = 20  # one machine trying many usernames
MIN_PASSWORD_LENGTH = 8


def _recent_failures(**where: str) -> int:
    column, value = next(iter(where.items()))
    return db.session.execute(
        select(func.count()).select_from(LoginAttempt).where(
            getattr(LoginAttempt, column) == value, LoginAttempt.success.is_(False), LoginAttempt.at > now() - WINDOW
        )
    ).scalar_one()


def sign_in(username: str, password: str, ip: str) -> User:
    """Return the user for a username and password, or raise DomainError; every attempt is counted."""
    username = (username or "").strip().lower()
    if _recent_failures(username=username) >= MAX_FAILURES_PER_USER or _recent_failures(ip=ip) >= MAX_FAILURES_PER_IP:
        raise DomainError("ลองเข้าสู่ระบบผิดหลายครั้งเกินไป โปรดรอ 15 นาทีแล้วลองใหม่ (too many attempts)", 429)
    user = db.session.scalar(select(User).where(func.lower(User.username) == username))
    ok = user is not None and user.active and user.check_password(password or "")
    db.session.add(LoginAttempt(username=username[:80], ip=ip[:64], success=ok))
    if not ok or user is None:  # (ok implies a user; the type checker cannot tell)
        # One message for a wrong name, a wrong password and a disabled account: no hint which usernames exist.
        raise DomainError("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (wrong username or password)", 401)
    return user


def check_new_password(password: str, confirm: str) -> None:
    """Refuse a new password that is too short or mistyped."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD_LENGTH} ตัวอักษร")
    if password != confirm:
        raise DomainError("รหัสผ่านใหม่สองช่องไม่ตรงกัน")


def change_password(user: User, current: str, new: str, confirm: str, *, source: Source) -> None:
    """Change one's own password, knowing the current one."""
    if not user.check_password(current or ""):
        raise DomainError("รหัสผ่านปัจจุบันไม่ถูกต้อง")
    check_new_password(new, confirm)
    user.set_password(new)
    audit.record(user, AuditAction.USER_PASSWORD, user, after={"changed": True}, source=source)
