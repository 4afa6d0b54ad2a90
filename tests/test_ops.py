"""Production operations, through the `tracker` command as an operator or systemd runs it: `tracker backup` while the
app is using the database and `tracker restore` of that file (SQLite and PostgreSQL), the refusals of restore (a
backup whose schema is not this release's among them), a backup of a database another process holds locked, `tracker
db upgrade` on a read-only database, and `tracker serve` (gunicorn) answering, stopping on SIGTERM, and refusing a
database that is not built.

The installed command runs as a process of its own (`tracker()`, marked slow) where the process boundary is what a
test proves: a backup taken while this process has a write not yet committed, a restore refused while this process
has the database open, a backup giving up on, or stopped by SIGTERM while waiting for, a database another process
holds locked, `tracker serve` answering and stopping on SIGTERM, and `db upgrade`'s one line on a read-only database
(Alembic's logging is set up in that process). Each command's refusal is seen once that way too: exit code, one line
on stderr, no traceback. A process costs 1.5 to 2 s of imports, so the rest (the restore refusals, restoring, a backup
never overwriting) run `in_process()`: the console script's own entry point, tracker.cli.main, called in this process
with the environment the real process gets; its app, its app context and its connections are its own, and gone when
it returns, as a process's would be."""
from __future__ import annotations

import functools
import io
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import appcontext_pushed, current_app
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tracker import MIGRATIONS_DIR, cli, create_app, schema
from tracker.extensions import db
from tracker.faults import ExitCode
from tracker.models import Organization

from .conftest import PG_ADMIN_URL, app_settings
from .postgres import PostgresDatabase

TRACKER = Path(sys.executable).with_name("tracker")
# The settings a test does not choose: none of the machine's (or CI's) LINE, database, Flask or web settings.
NOT_INHERITED = ("LINE_", "DATABASE_", "FLASK_", "WEB_", "BIND", "PUBLIC_URL")
SECRET_KEY = "test-secret-key-not-for-production"
slow = pytest.mark.slow  # runs the installed command, a process of its own (pyproject.toml)


def environment(database_url: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(NOT_INHERITED)}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, **settings)
    return env


def tracker(*args: str, database_url: str, **settings: str) -> subprocess.CompletedProcess:
    """The installed `tracker` command, as an operator or a service manager runs it."""
    return subprocess.run([str(TRACKER), *args], env=environment(database_url, **settings), capture_output=True,
                          text=True, timeout=120)


@dataclass(frozen=True)
class Ran:
    """What a test reads of a command run in this process: the fields of a subprocess.CompletedProcess."""
    returncode: int
    stdout: str
    stderr: str


def in_process(*args: str, database_url: str, **settings: str) -> Ran:
    """`tracker ARGS` run in this process: tracker.cli.main, the installed command's entry point, with the
    environment `tracker()` gives the real process (undone when it returns), its output captured, its exit code that
    of its SystemExit. An exception it does not handle (the traceback the real process would print) fails the test.

    The command builds its own app and pushes its own app context, above any the test has pushed; once it returns,
    its context is popped and its connections are closed here, as a process's end would close them: a restore that
    follows must not find this process holding the database open."""
    out, err = io.StringIO(), io.StringIO()
    outer = current_app._get_current_object() if current_app else None
    apps = []
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err), \
            appcontext_pushed.connected_to(lambda app, **extra: apps.append(app)):
        for name in list(os.environ):
            if name.startswith(NOT_INHERITED):
                patch.delenv(name)
        for name, value in dict(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, **settings).items():
            patch.setenv(name, value)
        patch.setenv("FLASK_RUN_FROM_CLI", "true")  # FlaskGroup sets it: patched first, so that it is undone too
        try:
            cli.main(list(args))
        except SystemExit as exit_:
            code = exit_.code
        else:
            raise AssertionError("tracker.cli.main returned: click's standalone mode always exits")
    if code is not None and not isinstance(code, int):  # sys.exit("message"), as Python itself reports it
        print(code, file=err)
        code = 1
    for app in {id(app): app for app in apps if app is not outer}.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert (current_app._get_current_object() if current_app else None) is outer, "the command's app context leaked"
    return Ran(int(code or 0), out.getvalue(), err.getvalue())


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def refused(result: subprocess.CompletedProcess | Ran, code: ExitCode, *words: str) -> None:
    """The command said no in one line, without a traceback, with the exit code docs/deployment.md gives."""
    assert result.returncode == code, (result.stdout, result.stderr)
    line = one_line(result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for word in words:
        assert word in line, line


# --- a database as the app uses it: SQLite and PostgreSQL ------------------------------------------------------------


def migrate(url: str) -> None:
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ops") / "migrated.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def postgres_template(postgres_on_any_run) -> Iterator[PostgresDatabase]:
    """A migrated PostgreSQL database, each test's own made from it (`CREATE DATABASE ... TEMPLATE`): the migrations
    run once a module instead of once a test."""
    server = postgres_on_any_run
    if isinstance(server, Exception):  # as conftest's postgres_database: a failure on CI, else a skip
        if os.environ.get("CI"):
            raise server
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {server}")
    template = server.create(f"ops_migrated_{uuid.uuid4().hex[:6]}")  # a module set up again meanwhile: a new name
    migrate(postgres_url(template))
    yield template
    server.drop_later(template)


def postgres_url(database: PostgresDatabase) -> str:
    """Its URL as an operator writes it (conftest's postgres_database too): no test-only options."""
    return database.server.engine.url.set(database=database.name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, sqlite_template):
    """A migrated database of each kind, with the app (this test process) using it: the URL."""
    made = None
    if request.param == "sqlite":
        path = tmp_path / "live" / "tracker.sqlite3"
        path.parent.mkdir()
        path.write_bytes(sqlite_template.read_bytes())
        url = f"sqlite:///{path}"
    else:  # skipped when PostgreSQL is not reachable (outside CI)
        template = request.getfixturevalue("postgres_template")
        made = template.server.create(template=template)
        url = postgres_url(made)
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        yield url
        let_go()
    if made is not None:
        made.server.drop_later(made)


@pytest.fixture(scope="module", autouse=True)
def expected_shape_once_a_module():
    """A restore compares the backup's schema with the one the migrations build at its revision, which
    schema.expected_shape builds anew each time (a second or two: migrations run into a new SQLite file), right for
    a restore process, which asks once. Every restore this process runs asks about the same revision or two: the
    answer for a revision is kept for the module, the same answer a new build would give."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "expected_shape", functools.cache(schema.expected_shape))
        yield


def let_go() -> None:
    """Close every connection of this process, as stopping the web service and the scheduler does."""
    db.session.remove()
    db.engine.dispose()


def add_organization(name: str) -> None:
    db.session.add(Organization(name=name))
    db.session.commit()


def organizations() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(Organization.name).order_by(Organization.id)))


def tables() -> set[str]:
    db.session.rollback()
    return set(sa.inspect(db.engine).get_table_names())


# --- backup and restore --------------------------------------------------------------------------------------------


@slow  # the backup: another process than the one whose write is not committed yet
def test_a_backup_taken_while_the_app_writes_restores_the_database_as_it_was(database, tmp_path):
    add_organization("เทศบาลก่อนสำรอง")
    # The app is in the middle of a write (not yet committed) when the backup is taken: it neither waits for the
    # write nor holds any of it.
    db.session.add(Organization(name="ยังไม่บันทึก"))
    db.session.flush()
    made = tracker("backup", str(tmp_path / "nightly.backup"), database_url=database)
    assert made.returncode == 0, made.stderr
    assert "สำรองแล้ว" in made.stdout
    assert (tmp_path / "nightly.backup").stat().st_mode & 0o077 == 0  # the owner's alone: it holds password hashes
    assert list(tmp_path.glob(".*partial")) == []  # the temporary file it was written to has its name now
    db.session.rollback()
    add_organization("เทศบาลหลังสำรอง")
    let_go()

    restored = in_process("restore", str(tmp_path / "nightly.backup"), "--yes", database_url=database)

    assert restored.returncode == 0, restored.stderr
    assert "กู้ข้อมูลแล้ว" in restored.stdout
    assert organizations() == ["เทศบาลก่อนสำรอง"]
    # The database it replaced is kept beside the backup, as the command says, and restores like any backup.
    kept = list(tmp_path.glob("before-restore-*"))
    assert len(kept) == 1 and str(kept[0]) in restored.stdout
    let_go()
    undone = in_process("restore", str(kept[0]), "--yes", database_url=database)
    assert undone.returncode == 0, undone.stderr
    assert organizations() == ["เทศบาลก่อนสำรอง", "เทศบาลหลังสำรอง"]
    assert len(list(tmp_path.glob("before-restore-*"))) == 2


def test_restore_leaves_no_table_the_backup_does_not_have(database, tmp_path):
    assert in_process("backup", str(tmp_path / "nightly.backup"), database_url=database).returncode == 0
    with db.engine.begin() as connection:  # a table a later release would add: gone after the restore too
        connection.exec_driver_sql("CREATE TABLE added_later (id integer PRIMARY KEY)")
    let_go()

    restored = in_process("restore", str(tmp_path / "nightly.backup"), "--yes", database_url=database)

    assert restored.returncode == 0, restored.stderr
    assert "added_later" not in tables() and "organization" in tables()


@slow  # the restore: a process of its own, this one the other process that has the database open
def test_restore_refuses_while_another_process_has_the_database_open(database, tmp_path):
    assert in_process("backup", str(tmp_path / "nightly.backup"), database_url=database).returncode == 0
    add_organization("เทศบาลหลังสำรอง")  # this process keeps its connection, as a running web worker does

    result = tracker("restore", str(tmp_path / "nightly.backup"), "--yes", database_url=database)

    refused(result, ExitCode.DATABASE, "systemctl stop tracker-web tracker-scheduler")
    assert organizations() == ["เทศบาลหลังสำรอง"]
    assert list(tmp_path.glob("before-restore-*")) == []


def test_restore_refuses_a_backup_of_a_newer_schema(database, tmp_path):
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_a_newer_release'")
    assert in_process("backup", str(tmp_path / "newer.backup"), database_url=database).returncode == 0
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM alembic_version")
    add_organization("เทศบาลเดิม")
    let_go()

    result = in_process("restore", str(tmp_path / "newer.backup"), "--yes", database_url=database)

    refused(result, ExitCode.REFUSED, "9999_from_a_newer_release", "does not know")
    assert organizations() == ["เทศบาลเดิม"]


@pytest.mark.parametrize("content", [b"name,division\nx,y\n", b""], ids=["csv", "empty"])
def test_restore_refuses_a_file_that_is_not_a_backup(database, tmp_path, content):
    (tmp_path / "plan.csv").write_bytes(content)
    add_organization("เทศบาลเดิม")
    let_go()
    result = in_process("restore", str(tmp_path / "plan.csv"), "--yes", database_url=database)
    refused(result, ExitCode.REFUSED, "not a backup")
    assert organizations() == ["เทศบาลเดิม"]


def test_restore_refuses_a_sqlite_database_that_is_not_the_trackers(sqlite_template, tmp_path):
    with sqlite3.connect(tmp_path / "other.sqlite3") as other:
        other.execute("CREATE TABLE notes (body text)")
    other.close()
    result = in_process("restore", str(tmp_path / "other.sqlite3"), "--yes",
                        database_url=f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    refused(result, ExitCode.REFUSED, "not the tracker's")


# A backup whose schema is not the one this release builds: a copy of the database, changed (SQLite: the file itself;
# PostgreSQL: pg_dump of it, as `tracker backup` runs it). The trigger is the issue's: a staff member made admin at
# their next sign-in.
SCHEMA_DAMAGE = {
    "only alembic_version": ("DROP EVERY TABLE BUT alembic_version", ("tables missing",)),
    "trigger": ({"sqlite": ["""CREATE TRIGGER promote_at_sign_in AFTER INSERT ON login_attempt BEGIN
                             UPDATE "user" SET role = 'admin' WHERE username = NEW.username; END"""],
                 "postgresql": ["""CREATE FUNCTION promote_at_sign_in() RETURNS trigger LANGUAGE plpgsql AS $$
                                 BEGIN UPDATE "user" SET role = 'admin' WHERE username = NEW.username; RETURN NEW;
                                 END $$""",
                                "CREATE TRIGGER promote_at_sign_in AFTER INSERT ON login_attempt FOR EACH ROW "
                                "EXECUTE FUNCTION promote_at_sign_in()"]},
                ("unexpected", "promote_at_sign_in")),
    "view": ('CREATE VIEW password_hashes AS SELECT username, password_hash FROM "user"',
             ("unexpected view password_hashes",)),
    "missing column": ("ALTER TABLE organization DROP COLUMN district", ("missing column organization.district",)),
    "missing index": ("DROP INDEX ix_task_open_due_date", ("missing index ix_task_open_due_date",)),
}


@contextmanager
def copy_of(database: str, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A migrated database beside the test's (the SQLite template, or the PostgreSQL one copied): its URL."""
    if database.startswith("sqlite"):
        path = tmp_path / "damaged.backup"
        path.write_bytes(sqlite_template.read_bytes())
        yield f"sqlite:///{path}"
        return
    let_go()  # a database is copied only while nobody is connected to it
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name, source = f"tracker_copy_{uuid.uuid4().hex[:10]}", make_url(database).database
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield make_url(database).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.mark.parametrize("damage", SCHEMA_DAMAGE, ids=list(SCHEMA_DAMAGE))
def test_restore_refuses_a_backup_whose_schema_is_not_this_releases(database, tmp_path, sqlite_template, damage):
    statements, words = SCHEMA_DAMAGE[damage]
    add_organization("เทศบาลเดิม")
    with copy_of(database, tmp_path, sqlite_template) as url:
        engine = sa.create_engine(url, poolclass=NullPool)
        with engine.begin() as connection:
            if statements == "DROP EVERY TABLE BUT alembic_version":
                cascade = "" if connection.dialect.name == "sqlite" else " CASCADE"
                statements = [f'DROP TABLE IF EXISTS "{table}"{cascade}'
                              for table in sa.inspect(connection).get_table_names() if table != "alembic_version"]
            elif isinstance(statements, dict):
                statements = statements[connection.dialect.name]
            for statement in [statements] if isinstance(statements, str) else statements:
                connection.exec_driver_sql(statement)
        engine.dispose()
        if url.startswith("postgresql"):
            libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            subprocess.run(["pg_dump", "--format=custom", "--file", str(tmp_path / "damaged.backup"), libpq],
                           check=True)
    let_go()

    result = in_process("restore", str(tmp_path / "damaged.backup"), "--yes", database_url=database)

    refused(result, ExitCode.REFUSED, "ไม่ใช่ฐานข้อมูลของระบบนี้", "not this release's schema", *words)
    assert organizations() == ["เทศบาลเดิม"]
    assert list(tmp_path.glob("before-restore-*")) == []


def test_backup_never_overwrites_a_file(database, tmp_path):
    (tmp_path / "nightly.backup").write_text("yesterday's")
    result = in_process("backup", str(tmp_path / "nightly.backup"), database_url=database)
    refused(result, ExitCode.REFUSED, "not overwritten")
    assert (tmp_path / "nightly.backup").read_text() == "yesterday's"


# --- a database another process holds locked, a read-only one -------------------------------------------------------


HOLD_SQLITE_EXCLUSIVELY = textwrap.dedent("""
    import sqlite3, sys
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    connection.execute("PRAGMA locking_mode=EXCLUSIVE")
    connection.execute("BEGIN EXCLUSIVE")
    connection.execute("UPDATE alembic_version SET version_num = version_num")
    connection.execute("COMMIT")  # in exclusive locking mode the lock stays until the connection closes
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin
""")


@contextmanager
def held_exclusively(database: str) -> Iterator[None]:
    """Another process (SQLite) or session (PostgreSQL) holding the database locked, as a stuck job would."""
    let_go()
    if database.startswith("sqlite"):
        holder = subprocess.Popen([sys.executable, "-c", HOLD_SQLITE_EXCLUSIVELY, make_url(database).database or ""],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            yield
        finally:
            holder.communicate(timeout=30)
        return
    with db.engine.connect() as connection:
        connection.exec_driver_sql("LOCK TABLE organization IN ACCESS EXCLUSIVE MODE")
        yield
        connection.rollback()


@slow  # backup's refusal as the process ends it: exit 3, one line
def test_backup_of_a_database_held_locked_gives_up_after_its_wait(database, tmp_path):
    with held_exclusively(database):
        started = time.monotonic()
        result = tracker("backup", str(tmp_path / "nightly.backup"), "--wait", "2", database_url=database)
        took = time.monotonic() - started

    refused(result, ExitCode.DATABASE, "locked by another process", "2 s")
    assert took < 20, took  # the wait and the command's start, not the 30 seconds of the default
    assert not (tmp_path / "nightly.backup").exists()
    assert list(tmp_path.glob(".*partial")) == []


@slow  # SIGTERM, sent to the process
def test_backup_stopped_while_it_waits_for_a_lock_leaves_nothing(database, tmp_path):
    with held_exclusively(database):
        waiting = subprocess.Popen([str(TRACKER), "backup", str(tmp_path / "nightly.backup"), "--wait", "120"],
                                   env=environment(database), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            deadline = time.monotonic() + 60
            while not list(tmp_path.glob(".*partial")):  # the backup has begun: it waits for the lock now
                assert waiting.poll() is None, waiting.communicate()
                assert time.monotonic() < deadline, "tracker backup did not start within a minute"
                time.sleep(0.1)
            time.sleep(1)
            waiting.send_signal(signal.SIGTERM)  # systemctl stop, or the timer unit's own timeout
            stdout, stderr = waiting.communicate(timeout=30)
        finally:
            if waiting.poll() is None:
                waiting.kill()
                waiting.communicate()

    assert waiting.returncode == 128 + signal.SIGTERM, (stdout, stderr)
    assert "Traceback" not in stdout + stderr
    assert not (tmp_path / "nightly.backup").exists()
    assert list(tmp_path.glob(".*partial")) == []


@slow  # one line on stderr of the process, Alembic's logging set up as there
def test_db_upgrade_of_a_read_only_database_says_so_in_one_line(database):
    before_head = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(schema.head()).down_revision
    with db.engine.begin() as connection:  # a database one release behind, which `db upgrade` has to write to
        connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{before_head}'")
    let_go()
    url = make_url(database)
    if url.get_backend_name() == "sqlite":
        # Tests run as root, whom file permissions do not stop: SQLite's own read-only open does.
        read_only = f"sqlite:///file:{url.database}?mode=ro&uri=true"
    else:
        with db.engine.connect() as connection:  # the sessions that start from now on: as on a standby server
            connection.exec_driver_sql(f'ALTER DATABASE "{url.database}" SET default_transaction_read_only = on')
            connection.commit()
        read_only = database

    result = tracker("db", "upgrade", database_url=read_only)

    refused(result, ExitCode.DATABASE, "read-only")
    with db.engine.connect() as connection:
        assert schema.revision_of(connection) == before_head
    let_go()


# --- tracker serve ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@slow  # gunicorn's arbiter and workers, SIGTERM
def test_serve_answers_with_its_workers_and_stops_on_sigterm(sqlite_template, tmp_path):
    path = tmp_path / "tracker.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    port = free_port()
    server = subprocess.Popen([str(TRACKER), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                              env=environment(f"sqlite:///{path}"), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = get(f"http://127.0.0.1:{port}/login")
                break
            except OSError:  # not listening yet
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "tracker serve did not answer within a minute"
                time.sleep(0.2)
        assert status == 200
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=40)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, stderr
    log = stdout + stderr
    assert log.count("Booting worker") == 2, log
    assert '"GET /login HTTP/1.1" 200' in log and "Shutting down" in log
    assert "Traceback" not in log


@slow  # serve's refusal as the process ends it: exit 3, one line
def test_serve_on_a_database_not_built_says_to_run_db_upgrade(tmp_path):
    new = tmp_path / "new.sqlite3"
    result = tracker("serve", "--bind", f"127.0.0.1:{free_port()}", database_url=f"sqlite:///{new}")
    refused(result, ExitCode.DATABASE, "tracker db upgrade")


def test_serve_on_an_older_schema_says_to_run_db_upgrade(sqlite_template, tmp_path, monkeypatch):
    path = tmp_path / "tracker.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    connection.close()

    def serve(*args, **kwargs):  # in this process a server that started would never return: it fails instead
        raise AssertionError("tracker serve started on an older schema")

    monkeypatch.setattr("tracker.serve.run", serve)
    result = in_process("serve", "--bind", f"127.0.0.1:{free_port()}", database_url=f"sqlite:///{path}")
    refused(result, ExitCode.DATABASE, "0001", "tracker db upgrade")


@pytest.mark.parametrize("option", [["--bind", "localhost"], ["--bind", "127.0.0.1:99999"], ["--workers", "0"]])
def test_serve_with_a_malformed_option_is_a_usage_error(sqlite_template, tmp_path, option):
    path = tmp_path / "tracker.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{path}"))
    result = app.test_cli_runner().invoke(args=["serve", *option])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Error: Invalid value for" in result.output and option[0] in result.output
