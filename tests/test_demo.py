"""The demo: a story of this fiscal year told at office hours, with steps due in the coming weeks; `tracker demo` on a
database that exists says so and builds nothing twice, `--fresh` deletes only a SQLite demo; reminders and delivery
run beside `tracker demo --port N` link to port N.

The installed `tracker demo` runs as a process of its own twice, as a new user runs it: once to build the demo that
the command tests share (`demo_database`, built once: each test works on a copy of it), once to refuse `--fresh` on
PostgreSQL in one line. The commands run on that demo afterwards (a second `tracker demo`, `--fresh`, `tracker
reminders`) run in this process through the same entry point (`in_process`, tests/test_ops.py): a process of its own
would cost 1.5 to 2 s of imports each, and build the demo again, and prove nothing more."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tracker import clock, demo
from tracker.extensions import db
from tracker.faults import ExitCode
from tracker.models import (
    AuditAction,
    AuditEvent,
    Comment,
    Evidence,
    Notification,
    Organization,
    Task,
    TaskStatus,
    User,
)
from tracker.organization import DEFAULT_PUBLIC_URL
from tracker.reminders import outbox
from tracker.workdays import WorkCalendar

from .test_ops import TRACKER, environment, in_process

WORK = (AuditAction.TASK_PROGRESS.value, AuditAction.TASK_TICK_OFF.value)

# --- the story -----------------------------------------------------------------------------------------------------


def _build_on(on_day, day: date) -> demo.Demo:
    on_day(day)
    built = demo.build()
    db.session.commit()
    return built


# The year's first day (no working day gone by), its second week, a substitution holiday, mid-year, its last days.
@pytest.mark.parametrize("day", [date(2026, 10, 1), date(2026, 10, 12), date(2026, 12, 7), date(2026, 3, 16),
                                 date(2026, 9, 25), date(2026, 9, 30)], ids=str)
def test_the_story_happens_at_office_hours_between_the_plans_start_and_now(app, on_day, day):
    built = _build_on(on_day, day)
    year, now, calendar = built.plan.fiscal_year, clock.now(), WorkCalendar()
    tasks = db.session.scalars(select(Task)).all()
    assert all(year.start <= t.due_date <= year.end for t in tasks)
    soon = [t for t in tasks if t.status is not TaskStatus.DONE and day <= t.due_date <= day + timedelta(days=30)]
    assert len(soon) >= 3, [(t.id, t.due_date) for t in tasks]  # My tasks and the reminders have something to show

    events = db.session.scalars(select(AuditEvent)).all()
    work = [e.at for e in events if e.action in WORK]
    work += [t.done_at for t in tasks if t.done_at]
    work += [e.created_at for e in db.session.scalars(select(Evidence))]
    work += [c.created_at for c in db.session.scalars(select(Comment))]
    assert all(year.start <= clock.local_date(moment) and moment <= now for moment in work)
    for moment in [e.at for e in events] + work:
        local = clock.local(moment)
        assert moment <= now and calendar.is_working_day(local.date()), local
        assert time(9) <= local.time() <= time(16, 30), local


def test_the_history_is_spread_over_the_months_played_out(app, on_day):
    day = date(2026, 3, 16)
    built = _build_on(on_day, day)
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.at)).all()
    local_days = sorted({clock.local_date(e.at) for e in events})
    assert local_days[-1] - local_days[0] > timedelta(days=31)
    assert len({(d.year, d.month) for d in local_days}) >= 4  # Oct to March: not the minute the demo was built
    assert len(local_days) >= 8
    assert local_days[0] < built.plan.fiscal_year.start <= local_days[1]  # the plan imported before its year
    done = [t for t in db.session.scalars(select(Task)) if t.status is TaskStatus.DONE]
    on_time = [t for t in done if clock.local_date(t.done_at) <= t.due_date]
    late = [t for t in done if clock.local_date(t.done_at) > t.due_date]
    assert len(on_time) >= 3 and len(late) >= 1
    import_event = next(e for e in events if e.action == AuditAction.PLAN_IMPORT.value)
    assert import_event.after["fiscal_year"] == built.plan.fiscal_year.year_be == 2569


def test_a_database_of_an_agency_of_its_own_is_neither_added_to_nor_deleted(app, runner, seeded):
    """The seed's own municipality with its own people: no demo accounts with a known password, nothing deleted."""
    people = {u.username: u.password_hash for u in db.session.scalars(select(User))}  # "mayor", "admin" too
    result = runner.invoke(args=["demo", "--no-run"])
    assert result.exit_code == ExitCode.REFUSED and "ไม่ใช่ของตัวอย่าง" in result.output
    fresh = runner.invoke(args=["demo", "--no-run", "--fresh"])
    # Refused as another agency's data (SQLite), or before that as a database --fresh never deletes (PostgreSQL).
    assert fresh.exit_code == ExitCode.REFUSED and ("not deleted" in fresh.output or "drop it yourself" in fresh.output)
    db.session.expire_all()
    assert {u.username: u.password_hash for u in db.session.scalars(select(User))} == people
    assert not any(u.check_password(demo.DEMO_PASSWORD) for u in db.session.scalars(select(User)))


def test_delivery_beside_the_demo_links_to_its_port(app, runner, on_day):
    on_day(date(2026, 12, 8))
    assert runner.invoke(args=["demo", "--no-run", "--port", "8765"]).exit_code == 0
    app.config["PUBLIC_URL"] = DEFAULT_PUBLIC_URL  # `tracker deliver` runs in a process of its own
    for i, user in enumerate(db.session.scalars(select(User))):
        user.line_user_id = f"U{i:032x}"
    organization = db.session.scalar(select(Organization))
    outbox.sweep(organization, clock.today())
    db.session.commit()
    rows = db.session.scalars(select(Notification)).all()
    assert rows
    texts = [text for text, _ in outbox.render_rows(rows).values()]
    assert all("http://127.0.0.1:8765/" in text and ":5000/" not in text for text in texts)
    app.config["PUBLIC_URL"] = "https://ita.example.go.th"  # set on purpose: it wins
    texts = [text for text, _ in outbox.render_rows(rows).values()]
    assert all("https://ita.example.go.th/" in text and "8765" not in text for text in texts)


# --- the command, as a new user runs it ----------------------------------------------------------------------------


def rows(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`tracker demo --no-run --port 8765` on a new database, by the installed command: the file, and what the command
    said. Built once (a session: this module's tests may come back to a test process after others), and only read: a
    test copies it (`copy_of_demo`) before it runs a command on it."""
    database = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    built = subprocess.run([str(TRACKER), "demo", "--no-run", "--port", "8765"],
                           env=environment(f"sqlite:///{database}"), capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    assert not database.with_name(database.name + "-wal").exists(), "the demo database is not whole in one file"
    return database, built


@pytest.fixture
def copy_of_demo(demo_database, tmp_path) -> Path:
    database = tmp_path / "demo.sqlite3"
    shutil.copy(demo_database[0], database)
    return database


@pytest.mark.slow  # runs the installed `tracker` command (demo_database)
def test_demo_twice_says_the_database_exists_and_adds_nothing(demo_database, copy_of_demo):
    first = demo_database[1]
    assert "ฐานข้อมูลมีอยู่แล้ว" not in first.stdout and "นำเข้ารายงานตัวอย่างแล้ว" in first.stdout
    database = copy_of_demo
    built = rows(database)
    # The same command again, on the database the first one built.
    second = in_process("demo", "--no-run", "--port", "8765", database_url=f"sqlite:///{database}")
    assert second.returncode == 0, second.stderr
    assert (f"ฐานข้อมูลมีอยู่แล้ว: {database} ใช้ต่อ — เริ่มใหม่ด้วย tracker demo --fresh"
            in second.stdout.splitlines()[0])
    assert "นำเข้ารายงานตัวอย่างแล้ว" not in second.stdout
    assert rows(database) == built


@pytest.mark.slow  # runs the installed `tracker` command (demo_database)
def test_demo_fresh_builds_a_sqlite_demo_anew(copy_of_demo):
    database = copy_of_demo
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("UPDATE task SET status = 'done'")  # what someone did while trying the demo
        connection.commit()
    fresh = in_process("demo", "--no-run", "--fresh", database_url=f"sqlite:///{database}")
    assert fresh.returncode == 0, fresh.stderr
    assert f"ลบฐานข้อมูลตัวอย่างเดิมแล้ว: {database}" in fresh.stdout and "นำเข้ารายงานตัวอย่างแล้ว" in fresh.stdout
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT count(*) FROM task WHERE status <> 'done'").fetchone()[0] > 0


@pytest.mark.slow  # runs the installed `tracker` command: demo's refusal as the process ends it, in one line
def test_demo_fresh_refuses_a_postgresql_database_in_one_line():
    result = subprocess.run([str(TRACKER), "demo", "--no-run", "--fresh"], capture_output=True, text=True,
                            env=environment("postgresql+psycopg://ita:secret@127.0.0.1:1/ita"), timeout=60)
    assert result.returncode == ExitCode.REFUSED, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "SQLite" in line and "postgresql+psycopg://ita:***@127.0.0.1:1/ita" in line and "secret" not in line


@pytest.mark.slow  # runs the installed `tracker` command (demo_database)
def test_reminders_beside_the_demo_link_to_its_port(copy_of_demo):
    database = copy_of_demo  # built by `tracker demo --no-run --port 8765`
    url = f"sqlite:///{database}"
    with closing(sqlite3.connect(database)) as connection:
        days = [d for (d,) in connection.execute(
            "SELECT DISTINCT due_date FROM task WHERE status <> 'done' AND due_date >= date('now', '+7 hours') "
            "ORDER BY due_date LIMIT 4")]
    for day in days:  # a step's due day reminds of it (who hears depends on its division's people)
        shown = in_process("reminders", "--on", day, "--dry-run", database_url=url)
        if "/tasks/" in shown.stdout:
            break
    assert "http://127.0.0.1:8765/tasks/" in shown.stdout and ":5000" not in shown.stdout, shown.stdout
    explicit = in_process("reminders", "--on", day, "--dry-run", database_url=url,
                          PUBLIC_URL="https://ita.example.go.th")
    assert "https://ita.example.go.th/tasks/" in explicit.stdout and "8765" not in explicit.stdout
