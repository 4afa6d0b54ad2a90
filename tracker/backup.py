"""Backups of the database and restoring one: `tracker backup FILE`, `tracker restore FILE`.

SQLite: sqlite3's online backup API (`Connection.backup`) copies every page in one step, inside one read transaction,
so the copy is the database as it was at one moment even while the web workers and the scheduler write (in WAL mode
they go on writing meanwhile). It goes to a temporary file beside FILE, is checked (`PRAGMA integrity_check`, the
schema revision) and only then gets its name, by a hard link that fails rather than replace a file that appeared
meanwhile: a half-written or damaged backup never carries the name. (Copying the file with `cp` while the app runs
is not a backup: the last commits are in the `-wal` file, and a copy taken during a write may be torn.)

PostgreSQL: `pg_dump --format=custom` (one transaction's snapshot, compressed, read by `pg_restore`) of the app's
DATABASE_URL, with the same temporary name and checks. The password goes to pg_dump in its environment, never on its
command line, where `ps` shows it to every user of the server.

A database another process holds locked (SQLite's exclusive locking mode, PostgreSQL's ACCESS EXCLUSIVE) is waited
for a bounded time (`--wait`), then the backup stops with ExitCode.DATABASE; the temporary file goes on every way out,
SIGTERM and Ctrl+C included.

Restoring checks the backup first (it opens, it is whole, its schema revision is one this release knows, and its
schema is the one this release's migrations build at that revision: the same tables, columns and indexes, no
trigger, view or function they do not create), refuses while another process uses the database (the web service or
the scheduler: stop them first), keeps the database it replaces as a backup beside FILE, then replaces it: SQLite
through the same backup API, into the live file under an exclusive lock (never a file rename under a `-wal` file that
belongs to the old database); PostgreSQL by psql running the backup's SQL (`pg_restore --file=-`) in one
transaction, after dropping every table: all or nothing.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from . import schema
from .faults import ExitCode

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# How long a backup waits for a database another process holds locked before it gives up (exit 3): the nightly
# timer's run should neither hang behind a stuck process nor fail on a lock held for a moment. `tracker backup
# --wait` changes it for one run.
LOCK_WAIT_SECONDS = 30


class BackupError(Exception):
    """A backup or restore refused, with the reason in one line, and the command's exit code."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.REFUSED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str  # "sqlite" or "postgresql"
    revision: str  # the Alembic revision of the schema it holds

    @property
    def size(self) -> int:
        return self.path.stat().st_size


# --- backing up ------------------------------------------------------------------------------------------------


def backup(database_url: str, target: Path, wait: float = LOCK_WAIT_SECONDS) -> Backup:
    """Write a consistent backup of the database to `target`, a file that must not exist yet, waiting at most `wait`
    seconds for a database another process holds locked."""
    url = make_url(database_url)
    if target.exists():
        raise BackupError(f"{target} มีอยู่แล้ว — ไม่เขียนทับ ({target} exists; not overwritten)")
    if not target.parent.is_dir():
        raise BackupError(f"ไม่มีโฟลเดอร์ {target.parent} (no such folder)")
    with _sigterm_unwinds():
        return _backup(url, target, wait)


def _backup(url: URL, target: Path, wait: float) -> Backup:
    kind = url.get_backend_name()
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        partial.touch(mode=0o600, exist_ok=False)  # it holds password hashes and LINE ids: the owner's alone
    except OSError as error:
        raise BackupError(f"เขียนไฟล์ใน {target.parent} ไม่ได้ (cannot write there: {error.strerror})") from None
    try:
        if kind == "sqlite":
            _sqlite_copy(_sqlite_path(url), partial, wait)
        elif kind == "postgresql":
            _pg_dump(url, partial, wait)
        else:
            raise BackupError(f"cannot back up a {kind} database")
        made = inspect(partial)
        _sync(partial)
        exists = BackupError(f"{target} มีอยู่แล้ว — ไม่เขียนทับ ({target} exists; not overwritten)")
        try:
            os.link(partial, target)  # unlike a rename, never replaces a file that appeared meanwhile
        except FileExistsError:
            raise exists from None
        except OSError:  # a file system without hard links (a USB stick, some network shares): a rename, checked
            if target.exists():
                raise exists from None
            os.rename(partial, target)
        _sync(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, made.kind, made.revision)


def _sqlite_path(url: URL) -> Path:
    database = url.database or ""
    if database in ("", ":memory:"):
        raise BackupError("an in-memory SQLite database has nothing to back up")
    if database.startswith("file:"):  # a URI filename (`sqlite:///file:path?mode=ro&uri=true`)
        database = database[len("file:"):].split("?")[0]
    return Path(database)


def _sqlite_copy(source: Path, target: Path, wait: float) -> None:
    # sqlite3's backup() tries again every 250 ms for as long as the database is busy, with no end of its own: the
    # progress callback, called after every try, ends it once `wait` has passed (and is where SIGTERM and Ctrl+C,
    # handled between two tries, stop it). Each try waits at most a second on the lock itself.
    deadline = time.monotonic() + wait

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() >= deadline:
            raise _locked(wait)

    # mode=rw: a database that is not there is an error, not a new empty file.
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=min(wait, 1.0))) as live, \
            closing(sqlite3.connect(target)) as copy:
        # pages=-1: every page in one step, one read transaction, one moment of the database
        live.backup(copy, progress=progress)
        copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one file by itself (the live database is WAL)


def _pg_dump(url: URL, target: Path, wait: float) -> None:
    conninfo, env = _libpq(url)
    # pg_dump takes a share lock on every table first; --lock-wait-timeout bounds that wait (0 would mean forever),
    # as a statement_timeout set for those LOCK TABLE statements only: a timeout said is a lock waited for too long.
    timeout = f"--lock-wait-timeout={max(1, round(wait * 1000))}"
    try:
        _run(["pg_dump", "--format=custom", timeout, "--file", str(target), "--dbname", conninfo], env, "pg_dump")
    except BackupError as error:
        if any(words in str(error) for words in ("statement timeout", "lock timeout", "could not obtain lock")):
            raise _locked(wait) from None
        raise


def _locked(wait: float) -> BackupError:
    return BackupError(f"ฐานข้อมูลถูกโปรเซสอื่นล็อกไว้นานเกิน {wait:g} วินาที — ไม่ได้สำรอง ลองใหม่ภายหลัง (database "
                       f"locked by another process for more than {wait:g} s: no backup made; try again later)",
                       ExitCode.DATABASE)


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While a backup is written, SIGTERM (systemctl stop, the timer's unit stopped) raises SystemExit like Ctrl+C
    raises KeyboardInterrupt, so that the temporary file is removed on the way out: Python's own handling of SIGTERM
    ends the process on the spot. (Signal handlers can only be set in the main thread; elsewhere nothing changes.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


# --- what a backup file is -------------------------------------------------------------------------------------


def inspect(path: Path) -> Backup:
    """Check that a file is a whole backup of a tracker database; say what it holds."""
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    if start.startswith(SQLITE_MAGIC):
        return Backup(path, "sqlite", _sqlite_revision(path))
    if start.startswith(PG_DUMP_MAGIC):
        return Backup(path, "postgresql", _pg_dump_revision(path))
    raise BackupError(f"{path} ไม่ใช่ไฟล์สำรองของระบบ (not a backup: neither a SQLite database nor a pg_dump "
                      "custom-format file)")


def _sqlite_revision(path: Path) -> str:
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            (verdict,) = connection.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"{path}: ไฟล์เสียหาย (the database is damaged: {verdict})")
            if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone() is None:
                raise BackupError(f"{path}: ไม่ใช่ฐานข้อมูลของระบบนี้ (a SQLite database, but not the tracker's: no "
                                  "alembic_version table)")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: เปิดไม่ได้ ({error})") from None
    if row is None:
        raise BackupError(f"{path}: ไม่มีรุ่นของโครงสร้างฐานข้อมูล (no schema revision in alembic_version)")
    return str(row[0])


def _pg_dump_revision(path: Path) -> str:
    # The data of one table, as the COPY block pg_restore would send: its first line is the revision.
    output = _run(["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path)], None,
                  "pg_restore")
    lines = output.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
            if lines[number + 1] != "\\.":
                return lines[number + 1].strip()
    raise BackupError(f"{path}: ไม่มีรุ่นของโครงสร้างฐานข้อมูล (no schema revision in alembic_version)")


# --- restoring -------------------------------------------------------------------------------------------------


def check_restorable(path: Path, database_url: str) -> Backup:
    """The backup, if it can be restored into this database: whole, of the same kind, a revision this code knows,
    and the schema this code's migrations build at that revision."""
    made = inspect(path)
    kind = make_url(database_url).get_backend_name()
    if made.kind != kind:
        raise BackupError(f"{path} เป็นข้อมูลสำรองของ {made.kind} แต่ DATABASE_URL เป็น {kind} "
                          f"(a {made.kind} backup cannot be restored into a {kind} database)")
    if not schema.known(made.revision):
        raise BackupError(f"{path}: {schema.behind(made.revision)}")
    found = _sqlite_shape(path) if made.kind == "sqlite" else _pg_dump_shape(path)
    problems = schema.differences(schema.expected_shape(made.revision), found)
    if problems:
        (thai, english), more = problems[0], len(problems) - 1
        raise BackupError(f"{path}: ไฟล์สำรองไม่ใช่ฐานข้อมูลของระบบนี้ — {thai}"
                          + (f" และอีก {more} ข้อ" if more else "")
                          + f" (not this release's schema at {made.revision}: {english}"
                          + (f"; {more} more)" if more else ")"))
    return made


def _sqlite_shape(path: Path) -> schema.Shape:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        return schema.sqlite_shape(connection)


# What a pg_dump of the tracker's database holds, by the kind of its table-of-contents entries. The tables and their
# data, their sequences, column defaults, constraints and indexes are compared with what the migrations build;
# privileges (ACL) are not restored (`pg_restore --no-privileges`), and a comment or the public schema itself runs
# nothing. Anything else (a trigger, a view, a function, a rule, a policy, an extension, a type…) the migrations never
# create, and it is refused.
_PG_ALLOWED = {"TABLE DATA", "SEQUENCE", "SEQUENCE OWNED BY", "SEQUENCE SET", "DEFAULT", "CONSTRAINT",
               "FK CONSTRAINT", "ACL", "DEFAULT ACL", "COMMENT", "SCHEMA"}
# Every entry kind of more than one word that begins with a word of the kinds above, so that "TABLE ATTACH" is not
# read as a TABLE named "ATTACH …".
_PG_LONG_KINDS = ("SEQUENCE OWNED BY", "SEQUENCE SET", "TABLE DATA", "TABLE ATTACH", "INDEX ATTACH", "FK CONSTRAINT",
                  "DEFAULT ACL", "CHECK CONSTRAINT", "MATERIALIZED VIEW DATA", "MATERIALIZED VIEW", "EVENT TRIGGER",
                  "ROW SECURITY", "SECURITY LABEL", "LARGE OBJECT", "PUBLICATION TABLE", "SUBSCRIPTION TABLE",
                  "FOREIGN TABLE", "SHELL TYPE", "TEXT SEARCH", "OPERATOR CLASS", "OPERATOR FAMILY",
                  "PROCEDURAL LANGUAGE", "USER MAPPING", "FOREIGN SERVER", "FOREIGN DATA WRAPPER",
                  "ACCESS METHOD", "BLOB METADATA", "DATABASE PROPERTIES")
_PG_ENTRY = re.compile(r"^\d+; \d+ \d+ (.*)$")
_PG_CREATE_TABLE = re.compile(r'^CREATE (?:UNLOGGED )?TABLE (?:[^ ."]+\.|"(?:[^"]|"")+"\.)?'
                              r'("(?:[^"]|"")+"|[^ ]+) \($')
_PG_COLUMN = re.compile(r'^    ("(?:[^"]|"")+"|[^ ]+) ')


def _pg_dump_shape(path: Path) -> schema.Shape:
    """What a pg_dump holds, from its table of contents (`pg_restore --list`) and its CREATE TABLE statements.

    Only names are compared: a column's type is PostgreSQL's there and SQLite's in what the migrations are compared
    against, so types, NOT NULL and the unnamed indexes of constraints are left to the SQLite check.
    """
    shape = schema.Shape(detailed=False)
    listing = _run(["pg_restore", "--list", str(path)], None, "pg_restore")
    for line in listing.splitlines():
        entry = _PG_ENTRY.match(line)
        if entry is None:  # a comment line of the listing
            continue
        rest = entry.group(1).rstrip()
        kind = next((long for long in _PG_LONG_KINDS if rest.startswith(long + " ")), rest.split(" ", 1)[0])
        words = rest[len(kind):].split()
        name = " ".join(words[1:-1]) if len(words) > 2 else " ".join(words[1:])  # namespace … owner
        if kind == "TABLE":
            shape.tables[name] = {}
        elif kind == "INDEX":
            shape.indexes[name] = ("", "")  # its table is not in the listing
        elif kind in _PG_ALLOWED and (kind != "SCHEMA" or name == "public"):
            continue
        else:
            shape.others[f"{kind.lower()} {name}"] = ""
    ddl = _run(["pg_restore", "--schema-only", "--section=pre-data", "--file=-", str(path)], None, "pg_restore")
    table: str | None = None
    for line in ddl.splitlines():
        if table is None:
            created = _PG_CREATE_TABLE.match(line)
            table = _pg_name(created.group(1)) if created else None
        elif line.startswith(")"):
            table = None
        else:
            column = _PG_COLUMN.match(line)
            if column and column.group(1) not in ("CONSTRAINT", "CHECK") and table in shape.tables:
                shape.tables[table][_pg_name(column.group(1))] = ""
    return shape


def _pg_name(quoted: str) -> str:
    return quoted[1:-1].replace('""', '"') if quoted.startswith('"') else quoted


def in_use(database_url: str) -> bool:
    """Whether another process has the database open now (the web service, the scheduler)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = _sqlite_path(url)
        if not path.exists():
            return False
        try:
            with _exclusive(path):
                return False
        except sqlite3.OperationalError:
            return True
    # Client sessions only (autovacuum works in the database too); a session of a process stopped a moment ago
    # takes a little while to leave the list, so it is asked again for up to 2 seconds.
    engine = _pg_engine(url)
    try:
        for _ in range(10):
            with engine.connect() as connection:
                others = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).scalar_one()
            if not others:
                return False
            time.sleep(0.2)
        return True
    finally:
        engine.dispose()


def has_data(database_url: str) -> bool:
    """Whether there is a database to keep before it is replaced: one with a schema."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return False
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return schema.revision_of(connection) is not None
    finally:
        engine.dispose()


def restore(made: Backup, database_url: str) -> str | None:
    """Replace the database's contents with the backup's (checked with check_restorable, nobody connected); return
    the revision the database is at now."""
    url = make_url(database_url)
    if made.kind == "sqlite":
        path = _sqlite_path(url)
        with closing(sqlite3.connect(f"{made.path.resolve().as_uri()}?mode=ro", uri=True)) as source, \
                _exclusive(path, create=True) as live:
            source.backup(live)
    else:
        _pg_restore(url, made.path)
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return schema.revision_of(connection)
    finally:
        engine.dispose()


# Every table of the schema goes, not only those in the backup: a table a later release added would otherwise stay
# beside the restored ones, and the next `tracker db upgrade` would fail on creating it.
_DROP_TABLES = """DO $$ DECLARE t record; BEGIN
FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
EXECUTE format('DROP TABLE %I.%I CASCADE', current_schema(), t.tablename); END LOOP; END $$"""


def _pg_restore(url: URL, path: Path) -> None:
    """The backup's SQL (pg_restore) run by psql in one transaction after dropping every table: all or nothing."""
    conninfo, env = _libpq(url)
    pg_restore, psql = _program("pg_restore"), _program("psql")
    with tempfile.TemporaryFile() as errors:
        script = subprocess.Popen([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                   "--file=-", str(path)], stdout=subprocess.PIPE, stderr=errors)
        assert script.stdout is not None
        with script.stdout:
            done = subprocess.run([psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
                                   "--dbname", conninfo, "--command", "SET client_min_messages = warning",
                                   "--command", _DROP_TABLES, "--file=-"],
                                  stdin=script.stdout, env=env, capture_output=True, text=True)
        script.wait()
        if done.returncode != 0:  # first: pg_restore fails too when psql stops reading
            _fail("psql", done.stderr, done.returncode)
        if script.returncode != 0:
            errors.seek(0)
            _fail("pg_restore", errors.read().decode(errors="replace"), script.returncode)


def keep_path(backup_file: Path, kind: str, now: datetime) -> Path:
    """Where the database a restore replaces is kept: beside the backup restored, named by the moment."""
    suffix = ".sqlite3" if kind == "sqlite" else ".dump"
    folder = backup_file.resolve().parent
    path = folder / f"before-restore-{now:%Y%m%d-%H%M%S}{suffix}"
    number = 1
    while path.exists():  # a second restore within the same second
        number += 1
        path = folder / f"before-restore-{now:%Y%m%d-%H%M%S}-{number}{suffix}"
    return path


@contextmanager
def _exclusive(path: Path, create: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection holding the database file alone: in WAL mode an exclusive lock is granted only while no other
    connection has the file open, idle ones included, and nobody can open it until this one closes."""
    mode = "rwc" if create else "rw"
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=0,
                                 isolation_level=None)
    try:
        connection.execute("PRAGMA locking_mode=EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("COMMIT")  # the lock stays until the connection closes (exclusive locking mode)
        yield connection
    finally:
        connection.close()


# --- PostgreSQL's client programs ------------------------------------------------------------------------------


def _pg_engine(url: URL) -> sa.Engine:
    return sa.create_engine(url, poolclass=NullPool)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The connection as libpq's `key='value'` string, without the password, and an environment carrying it."""
    params: dict[str, object] = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    for key, value in url.query.items():  # e.g. host=/var/run/postgresql, sslmode, options
        params[key] = value if isinstance(value, str) else value[-1]
    quoted = (f"{key}='{_quote(str(value))}'" for key, value in params.items() if value not in (None, ""))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return " ".join(quoted), env


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _program(name: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise BackupError(f"ไม่พบโปรแกรม {name} — ติดตั้ง postgresql-client รุ่นเดียวกับเซิร์ฟเวอร์ "
                          f"({name} not found: apt-get install postgresql-client)")
    return program


def _run(command: list[str], env: dict[str, str] | None, name: str) -> str:
    done = subprocess.run([_program(command[0]), *command[1:]], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        _fail(name, done.stderr, done.returncode)
    return done.stdout


def _fail(name: str, stderr: str, returncode: int) -> NoReturn:
    lines = stderr.strip().splitlines() or [f"exit status {returncode}"]
    problem = next((line for line in lines if "ERROR" in line or "FATAL" in line), lines[0])
    cannot_connect = "connection to server" in problem or "could not connect" in problem
    raise BackupError(f"{name}: {problem}", ExitCode.DATABASE if cannot_connect else ExitCode.REFUSED)


def _sync(path: Path) -> None:
    """Make sure what was written to a file (or a folder's entries) is on the disk, not only in the page cache."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
