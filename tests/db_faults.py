"""A database the app cannot use, for the tests: locked by another writer, or opened read-only.

Locked: another sqlite3 connection holds `BEGIN EXCLUSIVE` on the app's file (in WAL mode readers still read; every
write waits for the busy timeout, then fails with "database is locked"). The app waits 10 seconds on connect
(`PRAGMA busy_timeout=10000`, tracker/__init__.py); `short_busy_timeout` makes the test app's new connections wait
0.1 s instead, with a connect listener of the test's own that runs after the app's.

Read-only: the same file opened through SQLite's `mode=ro` URI. (A chmod of the file and its folder would do too, but
not for root, as CI's containers often are.)
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event

from tracker import create_app
from tracker.extensions import db

BUSY_TIMEOUT_MS = 100

LOCKED = "ฐานข้อมูลถูกล็อกอยู่"
READ_ONLY = "(database is read-only"


def database_path() -> Path:
    """The file of the current app's SQLite database."""
    return Path(db.engine.url.database or "")


@contextmanager
def short_busy_timeout() -> Iterator[None]:
    """Make the current app's new connections give up on a lock after BUSY_TIMEOUT_MS; the pool starts afresh."""
    engine = db.engine

    def shorten(connection, record) -> None:
        connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    event.listen(engine, "connect", shorten)
    db.session.remove()
    engine.dispose()
    try:
        yield
    finally:
        db.session.remove()
        engine.dispose()
        event.remove(engine, "connect", shorten)


@contextmanager
def locked(path: Path | None = None) -> Iterator[None]:
    """Hold an exclusive write transaction on the database file from another connection, as a long writer would."""
    db.session.commit()  # nothing of the test's own left unwritten
    holder = sqlite3.connect(path or database_path(), isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def read_only_app(path: Path | None = None, **overrides):
    """Another app on the same database file, opened read-only."""
    from .conftest import app_settings

    url = f"sqlite:///file:{path or database_path()}?mode=ro&uri=true"
    return create_app(app_settings(DATABASE_URL=url, **overrides))
