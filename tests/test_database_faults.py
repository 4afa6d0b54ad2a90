"""A database the app cannot use (locked, read-only, cannot open or connect): the commands say so in one line and
exit 3; the scheduler logs one line, keeps running, and does the day's work once the database is back."""
from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy import exc as sa_exc

from jobs import schedule, scheduler, work
from tracker import clock
from tracker.extensions import db
from tracker.faults import ExitCode, FaultKind, database_fault
from tracker.models import Comment, LoginAttempt, Notification, NotificationStatus, Organization
from tracker.reminders import outbox

from .conftest import ON_POSTGRESQL
from .db_faults import LOCKED, READ_ONLY, database_path, locked, read_only_app, short_busy_timeout
from .factories import count, csrf_token, login

# The faults below are made the way SQLite has them; PostgreSQL has neither (its errors are classified above).
sqlite_lock = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite only: locks the database file from another sqlite3 "
                                 "connection (BEGIN EXCLUSIVE); a PostgreSQL database has no file lock to take")
sqlite_read_only = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite only: opens the database file read-only "
                                      "(a `mode=ro` URI); PostgreSQL has no such way to open a database")

TODAY = date(2026, 3, 17)  # a Tuesday: two of the seeded staff hear of the 31 March due dates
LATER = date(2026, 3, 24)  # a week on: the same two, 7 days before


@pytest.fixture(autouse=True)
def no_sweep_owed(monkeypatch):
    monkeypatch.setattr(work, "_sweep_owed", None)


@pytest.fixture
def late_morning(monkeypatch):
    """11:00 in Bangkok on TODAY: after the 08:30 reminder time."""
    moment = {"now": datetime(2026, 3, 17, 4, 0, tzinfo=UTC)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def statuses() -> list[tuple[NotificationStatus, int]]:
    db.session.expire_all()
    return sorted((n.status, n.attempts) for n in db.session.scalars(select(Notification)))


# --- what an error means --------------------------------------------------------------------------------------


def wrapped(message: str) -> sa_exc.OperationalError:
    return sa_exc.OperationalError("UPDATE notification SET ...", {}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(("message", "kind"), [
    ("database is locked", FaultKind.LOCKED),
    ("attempt to write a readonly database", FaultKind.READ_ONLY),
    ("unable to open database file", FaultKind.CANNOT_CONNECT),
    ("database or disk is full", FaultKind.FULL),
    ("no such table: notification", FaultKind.NOT_BUILT),
    ("disk I/O error", FaultKind.OTHER),
])
def test_sqlites_errors_say_what_is_wrong_and_what_to_do(message, kind):
    fault = database_fault(wrapped(message))
    assert fault is not None and fault.kind is kind
    line = one_line(fault.message)
    thai, _, english = line.partition(" (")
    assert any("\u0e00" <= c <= "\u0e7f" for c in thai) and english.endswith(")")  # Thai, then English in brackets
    assert "try again" in english or "run `tracker db upgrade`" in english


def test_the_driver_error_is_found_behind_a_cause():
    try:
        try:
            raise wrapped("database is locked")
        except sa_exc.OperationalError as error:
            raise RuntimeError("sweep failed") from error
    except RuntimeError as outer:
        fault = database_fault(outer)
    assert fault is not None and fault.kind is FaultKind.LOCKED


def test_postgresql_refusing_the_connection_is_cannot_connect():
    pytest.importorskip("psycopg")
    import sqlalchemy as sa

    engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    with pytest.raises(sa_exc.OperationalError) as raised:
        engine.connect()
    engine.dispose()
    fault = database_fault(raised.value)
    assert fault is not None and fault.kind is FaultKind.CANNOT_CONNECT
    assert "(cannot open or connect to the database" in fault.message


@pytest.mark.parametrize("error", [
    ValueError("a bug"),
    sa_exc.IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed: line_event.id")),
    sqlite3.ProgrammingError("Cannot operate on a closed database."),
])
def test_other_errors_are_bugs_and_keep_their_traceback(error):
    assert database_fault(error) is None


def test_exit_codes():
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3]
    assert ExitCode.REFUSED == 1 and ExitCode.DATABASE == 3


# --- the commands on a locked database ----------------------------------------------------------------------------


def assert_refused_by_the_database(result, marker: str) -> None:
    assert result.exit_code == ExitCode.DATABASE, result.output
    assert marker in one_line(result.stderr)
    assert result.stdout.count("\n") <= 1  # at most the organization's heading
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


@sqlite_lock
def test_deliver_on_a_locked_database_exits_3_and_leaves_the_rows_as_they_were(runner, linked, on_day, ladder_off):
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    with short_busy_timeout():
        with locked():
            result = runner.invoke(args=["deliver"])
        assert_refused_by_the_database(result, LOCKED)
        assert statuses() == [(NotificationStatus.PENDING, 0)] * 2
        again = runner.invoke(args=["deliver"])
    assert again.exit_code == 0 and "ส่งแล้ว 2" in again.output
    assert statuses() == [(NotificationStatus.SENT, 1)] * 2


@sqlite_lock
def test_reminders_on_a_locked_database_exits_3_and_writes_nothing(runner, linked, on_day, ladder_off):
    with short_busy_timeout():
        with locked():
            result = runner.invoke(args=["reminders", "--on", TODAY.isoformat()])
        assert_refused_by_the_database(result, LOCKED)
        assert count(Notification) == 0
        again = runner.invoke(args=["reminders", "--on", TODAY.isoformat()])
    assert again.exit_code == 0 and "เพิ่ม 2 ข้อความ" in again.output


@sqlite_lock
def test_import_on_a_locked_database_exits_3_and_writes_nothing(runner, seed_path):
    with short_busy_timeout():
        with locked():
            result = runner.invoke(args=["import", str(seed_path), "--create-divisions"])
        assert_refused_by_the_database(result, LOCKED)
        assert count(Organization) == 0
        again = runner.invoke(args=["import", str(seed_path), "--create-divisions"])
    assert again.exit_code == 0, again.output
    assert count(Organization) == 1


def test_refused_input_still_exits_1(runner, tmp_path):
    bad = tmp_path / "plan.txt"
    bad.write_bytes("ไม่ใช่แผน".encode("tis-620"))
    result = runner.invoke(args=["import", str(bad)])
    assert result.exit_code == ExitCode.REFUSED and "nothing was written" in result.output


def test_usage_errors_are_clicks_exit_2(runner):
    assert runner.invoke(args=["reminders"]).exit_code == ExitCode.USAGE


# --- the commands on a read-only database ---------------------------------------------------------------------


def invoke_read_only(args: list[str], **settings):
    """Run a command on the current app's database file, opened read-only by another app."""
    ro_app = read_only_app(**settings)
    with ro_app.app_context():
        try:
            return ro_app.test_cli_runner().invoke(args=args)
        finally:
            db.session.remove()
            db.engine.dispose()


@sqlite_read_only
def test_deliver_and_reminders_on_a_read_only_database_exit_3(linked, on_day, ladder_off):
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    assert_refused_by_the_database(invoke_read_only(["deliver"]), READ_ONLY)
    assert_refused_by_the_database(invoke_read_only(["reminders", "--on", LATER.isoformat()]), READ_ONLY)
    assert statuses() == [(NotificationStatus.PENDING, 0)] * 2


@sqlite_read_only
def test_import_on_a_read_only_database_exits_3(app, seed_path):
    assert_refused_by_the_database(invoke_read_only(["import", str(seed_path), "--create-divisions"]), READ_ONLY)
    assert count(Organization) == 0


def tracker(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """The installed `tracker` command, as an operator or a service manager runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "DATABASE_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY="test-secret-key-not-for-production")
    command = os.path.join(os.path.dirname(sys.executable), "tracker")
    return subprocess.run([command, *args], env=env, capture_output=True, text=True, timeout=120)


@sqlite_read_only
@pytest.mark.slow  # runs the installed `tracker` command
def test_the_tracker_command_exits_3_with_one_line_and_no_traceback(linked, tmp_path):
    read_only = tracker("reminders", "--on", TODAY.isoformat(),
                        database_url=f"sqlite:///file:{database_path()}?mode=ro&uri=true")
    assert read_only.returncode == 3, read_only.stderr
    assert READ_ONLY in one_line(read_only.stderr) and "Traceback" not in read_only.stderr
    assert count(Notification) == 0

    missing = tracker("deliver", database_url=f"sqlite:///{tmp_path / 'no-such-folder' / 'tracker.sqlite3'}")
    assert missing.returncode == 3, missing.stderr
    assert "(cannot open or connect to the database" in one_line(missing.stderr)
    assert "Traceback" not in missing.stderr and missing.stdout == ""


@pytest.mark.slow  # runs the installed `tracker` command
def test_a_postgresql_server_that_refuses_the_connection_exits_3():
    pytest.importorskip("psycopg")
    refused = tracker("deliver", database_url="postgresql+psycopg://nobody@127.0.0.1:1/tracker")
    assert refused.returncode == 3, refused.stderr
    assert "(cannot open or connect to the database" in one_line(refused.stderr)


# --- the scheduler ----------------------------------------------------------------------------------------------


def errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@sqlite_lock
def test_the_scheduler_starts_on_a_locked_database_and_sweeps_once_it_is_back(app, linked, late_morning, caplog,
                                                                                monkeypatch, ladder_off):
    caplog.set_level(logging.INFO)
    started = []
    monkeypatch.setattr(scheduler.logging, "basicConfig", lambda **kwargs: None)  # keep pytest's log capture
    monkeypatch.setattr(scheduler.BlockingScheduler, "start", lambda self, *a, **k: started.append(self))
    with short_busy_timeout():
        with locked():
            scheduler.run(app)  # today it met "database is locked" in its catch-up and the process ended
            (line,) = errors(caplog)
            assert LOCKED in line.getMessage() and line.exc_info is None
            assert started and work.sweep_owed() == TODAY and count(Notification) == 0

            retry = {job.id: job for job in schedule.jobs(app.config)}["retry-delivery"]
            scheduler.in_app_context(app, retry.run)()  # still locked: one more line, still owed
            assert len(errors(caplog)) == 2 and work.sweep_owed() == TODAY

        caplog.clear()
        scheduler.in_app_context(app, retry.run)()  # the database is back: the retry job sweeps and delivers
    assert errors(caplog) == [] and work.sweep_owed() is None
    assert statuses() == [(NotificationStatus.SENT, 1)] * 2


@sqlite_lock
def test_the_daily_job_on_a_locked_database_is_done_by_the_retry_job_that_day(app, linked, late_morning, caplog,
                                                                              ladder_off):
    jobs = {job.id: job for job in schedule.jobs(app.config)}
    with short_busy_timeout():
        with locked():
            scheduler.in_app_context(app, jobs["daily-reminders"].run)()
        assert work.sweep_owed() == TODAY and count(Notification) == 0
        assert "the sweep is tried again" in errors(caplog)[0].getMessage()
        scheduler.in_app_context(app, jobs["retry-delivery"].run)()
    assert statuses() == [(NotificationStatus.SENT, 1)] * 2
    scheduler.in_app_context(app, jobs["retry-delivery"].run)()  # and only once
    assert statuses() == [(NotificationStatus.SENT, 1)] * 2


@sqlite_lock
def test_a_sweep_owed_from_yesterday_is_not_done_late(app, linked, late_morning, caplog):
    with short_busy_timeout():
        with locked():
            scheduler.in_app_context(app, work.daily_reminders)()
        late_morning["now"] = datetime(2026, 3, 18, 4, 0, tzinfo=UTC)  # the database comes back the next day
        scheduler.in_app_context(app, work.retry_delivery)()
    assert count(Notification) == 0 and work.sweep_owed() is None
    assert "never swept" in errors(caplog)[-1].getMessage()


@sqlite_lock
def test_a_database_error_that_escapes_a_job_is_one_line_not_the_end(app, linked, late_morning, caplog):
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    with short_busy_timeout():
        with locked():
            scheduler.in_app_context(app, work.deliver_pending)()  # the raw work, without the job's own guard
    (line,) = errors(caplog)
    assert "job deliver_pending" in line.getMessage() and LOCKED in line.getMessage() and line.exc_info is None


def test_a_bug_in_a_job_is_still_logged_with_its_traceback(app, caplog):
    def broken() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        scheduler.in_app_context(app, broken)()
    assert errors(caplog)[0].exc_info is not None


@sqlite_read_only
def test_the_scheduler_starts_on_a_read_only_database(app, linked, late_morning, caplog, monkeypatch):
    monkeypatch.setattr(scheduler.logging, "basicConfig", lambda **kwargs: None)
    monkeypatch.setattr(scheduler.BlockingScheduler, "start", lambda self, *a, **k: None)
    ro_app = read_only_app()
    scheduler.run(ro_app)
    (line,) = errors(caplog)
    assert READ_ONLY in line.getMessage() and work.sweep_owed() == TODAY
    with ro_app.app_context():
        db.engine.dispose()


# --- the web pages ------------------------------------------------------------------------------------------------

BUSY = "ระบบไม่ว่างชั่วคราว"


def assert_busy(response, retry_after: int) -> None:
    """503 with Retry-After and the Thai page that says so: no traceback, nothing of the driver's words."""
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == str(retry_after)
    assert BUSY in page and "Traceback" not in page and "database" not in page.lower()


def web_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tracker.views" and r.levelname == "WARNING"]


@contextmanager
def failing(message: str, *, writes_only: bool) -> Iterator[None]:
    """Every statement (or every write) fails with SQLite's own error `message`."""

    def refuse(connection, cursor, statement, parameters, context, executemany) -> None:
        if not writes_only or statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise sqlite3.OperationalError(message)

    event.listen(db.engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse)


def disk_full():
    """Every write fails as SQLite's does when the disk is full; reads still work."""
    return failing("database or disk is full", writes_only=True)


@sqlite_lock
def test_signing_in_on_a_locked_database_says_the_system_is_busy(client, seeded, caplog):
    with short_busy_timeout():
        with locked():
            assert_busy(login(client, "mayor"), retry_after=30)
        assert client.get("/dashboard").status_code == 302  # not signed in, nothing kept of the attempt
        assert count(LoginAttempt) == 0
        assert login(client, "mayor").status_code == 302  # the lock gone, the same sign-in goes through
    (line,) = web_warnings(caplog)
    assert "POST /login answered 503" in line and LOCKED in line


def test_signing_in_on_a_full_disk_says_the_system_is_busy(client, seeded, caplog):
    with disk_full():
        assert_busy(login(client, "mayor"), retry_after=300)
    assert client.get("/dashboard").status_code == 302 and count(LoginAttempt) == 0
    (line,) = web_warnings(caplog)
    assert "POST /login answered 503" in line and "(database or disk is full" in line
    assert login(client, "mayor").status_code == 302


def test_any_page_that_meets_a_database_fault_says_the_system_is_busy(client, linked):
    task = linked.tasks_of(linked.clerk)[0]
    login(client, "clerk-head")
    token = csrf_token(client, f"/tasks/{task.id}")
    with disk_full():
        response = client.post(f"/tasks/{task.id}/comments", data={"text": "ส่งเอกสารแล้ว", "csrf_token": token})
    assert_busy(response, retry_after=300)
    assert count(Comment) == 0  # rolled back
    assert "ส่งเอกสารแล้ว" not in client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_a_signed_in_person_meeting_a_database_that_cannot_be_opened_gets_the_busy_page(client, seeded):
    login(client, "mayor")
    with failing("unable to open database file", writes_only=False):  # not even who is signed in can be read
        assert_busy(client.get("/dashboard"), retry_after=300)
    assert client.get("/dashboard").status_code == 200  # still signed in once it is back


def test_a_database_error_that_is_a_bug_is_still_a_500(client, seeded, monkeypatch):
    from tracker.views import auth as auth_view

    def broken(*args, **kwargs):
        raise sa_exc.IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed: user.id"))

    monkeypatch.setattr(auth_view, "sign_in", broken)
    with pytest.raises(sa_exc.IntegrityError):  # the test app lets a bug through to the test (500 in production)
        login(client, "mayor")
