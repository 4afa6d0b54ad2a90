"""When the database cannot be used now (locked, read-only, unreachable, full, not built), and the `tracker` command's
exit codes. One place says what such an error means in one line, Thai first, for the commands, the scheduler, the
webhook and the web pages (503, "the system is busy"); any other error is a bug and is left to show its traceback."""
from __future__ import annotations

import enum
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc


class ExitCode(enum.IntEnum):
    """The exit status of every `tracker` command (docs/deployment.md, "Exit codes")."""

    OK = 0
    REFUSED = 1  # input refused: a plan file that cannot be imported, an unknown organization, an existing file
    USAGE = 2  # click's own: an unknown option, a missing or malformed argument
    DATABASE = 3  # the database cannot be used now: locked, read-only, cannot open or connect, full, not built


class FaultKind(str, enum.Enum):
    LOCKED = "locked"
    READ_ONLY = "read_only"
    CANNOT_CONNECT = "cannot_connect"
    FULL = "full"
    NOT_BUILT = "not_built"
    OTHER = "other"


_MESSAGES = {
    FaultKind.LOCKED: "ฐานข้อมูลถูกล็อกอยู่ มีโปรเซสอื่นกำลังเขียน — รอสักครู่แล้วลองใหม่ "
                      "(database is locked: another process is writing; try again in a moment)",
    FaultKind.READ_ONLY: "ฐานข้อมูลเขียนไม่ได้ (อ่านอย่างเดียว) — ให้สิทธิ์เขียนไฟล์ฐานข้อมูลและโฟลเดอร์ของมัน แล้วลองใหม่ "
                         "(database is read-only: give this user write access to the database file and its "
                         "folder, or point DATABASE_URL at a writable database; then try again)",
    FaultKind.CANNOT_CONNECT: "เปิดหรือเชื่อมต่อฐานข้อมูลไม่ได้ — ตรวจ DATABASE_URL และว่าเซิร์ฟเวอร์ฐานข้อมูลทำงานอยู่ "
                              "(cannot open or connect to the database: check DATABASE_URL, that the file's folder "
                              "exists, or that the database server is running; then try again)",
    FaultKind.FULL: "พื้นที่ของฐานข้อมูลเต็ม — เพิ่มพื้นที่ดิสก์แล้วลองใหม่ (database or disk is full: free some space; "
                    "then try again)",
    FaultKind.NOT_BUILT: "ยังไม่ได้สร้างหรืออัปเกรดฐานข้อมูล — รัน `tracker db upgrade` "
                         "(the database schema is missing or out of date: run `tracker db upgrade`)",
}

# PostgreSQL's SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html) by what they mean here.
_PG_STATES = {
    "55P03": FaultKind.LOCKED,  # lock_not_available (lock_timeout)
    "40P01": FaultKind.LOCKED,  # deadlock_detected: the transaction was rolled back; trying again works
    "25006": FaultKind.READ_ONLY,  # read_only_sql_transaction (a standby, default_transaction_read_only)
    "53100": FaultKind.FULL,  # disk_full
    "53300": FaultKind.CANNOT_CONNECT,  # too_many_connections
    "57P01": FaultKind.CANNOT_CONNECT,  # admin_shutdown
    "57P02": FaultKind.CANNOT_CONNECT,  # crash_shutdown
    "57P03": FaultKind.CANNOT_CONNECT,  # cannot_connect_now (starting up)
    "3D000": FaultKind.CANNOT_CONNECT,  # invalid_catalog_name: no such database
    "28000": FaultKind.CANNOT_CONNECT,  # invalid_authorization_specification
    "28P01": FaultKind.CANNOT_CONNECT,  # invalid_password
    "42P01": FaultKind.NOT_BUILT,  # undefined_table
    "42703": FaultKind.NOT_BUILT,  # undefined_column
}

# SQLite says what is wrong only in its message text (the sqlite3 module's error codes need Python 3.11's
# sqlite_errorcode, absent from other drivers); these are SQLite's own fixed messages.
_SQLITE_TEXTS = (
    ("database is locked", FaultKind.LOCKED),
    ("database table is locked", FaultKind.LOCKED),
    ("database schema is locked", FaultKind.LOCKED),
    ("readonly database", FaultKind.READ_ONLY),  # "attempt to write a readonly database"
    ("unable to open database file", FaultKind.CANNOT_CONNECT),
    ("database or disk is full", FaultKind.FULL),
    ("no such table", FaultKind.NOT_BUILT),
    ("no such column", FaultKind.NOT_BUILT),
)


@dataclass(frozen=True)
class DatabaseFault:
    """The database cannot be used now: what kind of trouble, and one line saying what is wrong and what to do."""

    kind: FaultKind
    detail: str  # the driver's own first line, for the log

    @property
    def message(self) -> str:
        if self.kind is FaultKind.OTHER:
            return (f"ฐานข้อมูลใช้งานไม่ได้ขณะนี้ — ลองใหม่ภายหลัง (database unavailable: {self.detail}; "
                    "try again later)")
        return _MESSAGES[self.kind]

    @property
    def retry_after(self) -> int:
        """Seconds to wait before trying again, for a web page's Retry-After: a lock passes in moments; the other
        faults wait on someone (disk space freed, a permission or the server fixed)."""
        return 30 if self.kind is FaultKind.LOCKED else 300

    def __str__(self) -> str:
        return self.message


def database_fault(error: BaseException) -> DatabaseFault | None:
    """Say what is wrong if `error` means the database cannot be used now; None for any other error (a bug).

    Looks through SQLAlchemy's wrapper to the driver's error (sqlite3, psycopg) and along the exception's causes.
    """
    for cause in _causes(error):
        kind = _kind(cause)
        if kind is not None:
            return DatabaseFault(kind, _first_line(cause))
    return None


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen or len(seen) > 20:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's error
        pending += [orig if isinstance(orig, BaseException) else None, current.__cause__, current.__context__]


def _kind(error: BaseException) -> FaultKind | None:
    if isinstance(error, sa_exc.DBAPIError):
        return None  # its driver error (`orig`) says what it is; looked at next
    if isinstance(error, sa_exc.DisconnectionError):
        return FaultKind.CANNOT_CONNECT
    if isinstance(error, sqlite3.Error):
        text = str(error).lower()
        for fragment, kind in _SQLITE_TEXTS:
            if fragment in text:
                return kind
        return FaultKind.OTHER if isinstance(error, sqlite3.OperationalError) else None
    if type(error).__module__.split(".")[0] in ("psycopg", "psycopg2"):
        state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if state in _PG_STATES:
            return _PG_STATES[state]
        if state and state[:2] == "08":  # connection_exception and its kinds
            return FaultKind.CANNOT_CONNECT
        if any(base.__name__ == "OperationalError" for base in type(error).__mro__):
            # Without a server's SQLSTATE, the connection could not be made or was lost (refused, unknown host,
            # server gone); with one, the server had trouble of its own (a cancelled statement, a crash).
            return FaultKind.CANNOT_CONNECT if not state else FaultKind.OTHER
        return None
    return None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:200]
