"""Production operations, through the installed `tracker` command as an operator or systemd runs it: `tracker backup`
while the app is using the database and `tracker restore` of that file (SQLite and PostgreSQL), the refusals of
restore, and `tracker serve` (gunicorn) answering, stopping on SIGTERM, and refusing a database that is not built."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import select

from tracker import create_app
from tracker.extensions import db
from tracker.faults import ExitCode
from tracker.models import Organization

from .conftest import app_settings

TRACKER = Path(sys.executable).with_name("tracker")


def environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_", "FLASK_", "WEB_", "BIND"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY="test-secret-key-not-for-production")
    return env


def tracker(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """The installed `tracker` command, as an operator or a service manager runs it."""
    return subprocess.run([str(TRACKER), *args], env=environment(database_url), capture_output=True, text=True,
                          timeout=120)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def refused(result: subprocess.CompletedProcess, code: ExitCode, *words: str) -> None:
    """The command said no in one line, without a traceback, with the exit code the README gives."""
    assert result.returncode == code, (result.stdout, result.stderr)
    line = one_line(result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for word in words:
        assert word in line, line


# --- a database as the app uses it: SQLite and PostgreSQL ------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ops") / "migrated.sqlite3"
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, sqlite_template):
    """A migrated database of each kind, with the app (this test process) using it: the URL."""
    if request.param == "sqlite":
        path = tmp_path / "live" / "tracker.sqlite3"
        path.parent.mkdir()
        path.write_bytes(sqlite_template.read_bytes())
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_database")  # skipped when PostgreSQL is not reachable (outside CI)
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        if request.param == "postgresql":
            upgrade()
        yield url
        let_go()


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
    with db.engine.begin() as connection:  # a table a later release would add: gone after the restore too
        connection.exec_driver_sql("CREATE TABLE added_later (id integer PRIMARY KEY)")
    let_go()

    restored = tracker("restore", str(tmp_path / "nightly.backup"), "--yes", database_url=database)

    assert restored.returncode == 0, restored.stderr
    assert "กู้ข้อมูลแล้ว" in restored.stdout
    assert organizations() == ["เทศบาลก่อนสำรอง"]
    assert "added_later" not in tables() and "organization" in tables()
    # The database it replaced is kept beside the backup, as the command says, and restores like any backup.
    kept = list(tmp_path.glob("before-restore-*"))
    assert len(kept) == 1 and str(kept[0]) in restored.stdout
    let_go()
    undone = tracker("restore", str(kept[0]), "--yes", database_url=database)
    assert undone.returncode == 0, undone.stderr
    assert organizations() == ["เทศบาลก่อนสำรอง", "เทศบาลหลังสำรอง"]
    assert len(list(tmp_path.glob("before-restore-*"))) == 2


def test_restore_refuses_while_another_process_has_the_database_open(database, tmp_path):
    assert tracker("backup", str(tmp_path / "nightly.backup"), database_url=database).returncode == 0
    add_organization("เทศบาลหลังสำรอง")  # this process keeps its connection, as a running web worker does

    result = tracker("restore", str(tmp_path / "nightly.backup"), "--yes", database_url=database)

    refused(result, ExitCode.DATABASE, "systemctl stop tracker-web tracker-scheduler")
    assert organizations() == ["เทศบาลหลังสำรอง"]
    assert list(tmp_path.glob("before-restore-*")) == []


def test_restore_refuses_a_backup_of_a_newer_schema(database, tmp_path):
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_a_newer_release'")
    assert tracker("backup", str(tmp_path / "newer.backup"), database_url=database).returncode == 0
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM alembic_version")
    add_organization("เทศบาลเดิม")
    let_go()

    result = tracker("restore", str(tmp_path / "newer.backup"), "--yes", database_url=database)

    refused(result, ExitCode.REFUSED, "9999_from_a_newer_release", "does not know")
    assert organizations() == ["เทศบาลเดิม"]


@pytest.mark.parametrize("content", [b"name,division\nx,y\n", b""], ids=["csv", "empty"])
def test_restore_refuses_a_file_that_is_not_a_backup(database, tmp_path, content):
    (tmp_path / "plan.csv").write_bytes(content)
    add_organization("เทศบาลเดิม")
    let_go()
    result = tracker("restore", str(tmp_path / "plan.csv"), "--yes", database_url=database)
    refused(result, ExitCode.REFUSED, "not a backup")
    assert organizations() == ["เทศบาลเดิม"]


def test_restore_refuses_a_sqlite_database_that_is_not_the_trackers(sqlite_template, tmp_path):
    with sqlite3.connect(tmp_path / "other.sqlite3") as other:
        other.execute("CREATE TABLE notes (body text)")
    other.close()
    result = tracker("restore", str(tmp_path / "other.sqlite3"), "--yes",
                     database_url=f"sqlite:///{tmp_path / 'tracker.sqlite3'}")
    refused(result, ExitCode.REFUSED, "not the tracker's")


def test_backup_never_overwrites_a_file(database, tmp_path):
    (tmp_path / "nightly.backup").write_text("yesterday's")
    result = tracker("backup", str(tmp_path / "nightly.backup"), database_url=database)
    refused(result, ExitCode.REFUSED, "not overwritten")
    assert (tmp_path / "nightly.backup").read_text() == "yesterday's"


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


def test_serve_on_a_database_not_built_says_to_run_db_upgrade(tmp_path):
    new = tmp_path / "new.sqlite3"
    result = tracker("serve", "--bind", f"127.0.0.1:{free_port()}", database_url=f"sqlite:///{new}")
    refused(result, ExitCode.DATABASE, "tracker db upgrade")


def test_serve_on_an_older_schema_says_to_run_db_upgrade(sqlite_template, tmp_path):
    path = tmp_path / "tracker.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    connection.close()
    result = tracker("serve", "--bind", f"127.0.0.1:{free_port()}", database_url=f"sqlite:///{path}")
    refused(result, ExitCode.DATABASE, "0001", "tracker db upgrade")


@pytest.mark.parametrize("option", [["--bind", "localhost"], ["--bind", "127.0.0.1:99999"], ["--workers", "0"]])
def test_serve_with_a_malformed_option_is_a_usage_error(sqlite_template, tmp_path, option):
    path = tmp_path / "tracker.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{path}"))
    result = app.test_cli_runner().invoke(args=["serve", *option])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Error: Invalid value for" in result.output and option[0] in result.output
