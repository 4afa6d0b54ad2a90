"""The demo: a story of this fiscal year told at office hours, with steps due in the coming weeks; `tracker demo` on a
database that exists says so and builds nothing twice, `--fresh` deletes only a SQLite demo; reminders and delivery
run beside `tracker demo --port N` link to port N."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
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

TRACKER = Path(sys.executable).with_name("tracker")
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


def tracker(*args: str, database: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LINE_", "DATABASE_", "FLASK_", "WEB_", "BIND", "PUBLIC_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{database}", SECRET_KEY="test-secret-key-not-for-production", **settings)
    return subprocess.run([str(TRACKER), *args], env=env, capture_output=True, text=True, timeout=120)


def rows(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.mark.slow  # runs the installed `tracker` command
def test_demo_twice_says_the_database_exists_and_adds_nothing(tmp_path):
    database = tmp_path / "demo.sqlite3"
    first = tracker("demo", "--no-run", database=database)
    assert first.returncode == 0, first.stderr
    assert "ฐานข้อมูลมีอยู่แล้ว" not in first.stdout and "นำเข้ารายงานตัวอย่างแล้ว" in first.stdout
    built = rows(database)
    second = tracker("demo", "--no-run", database=database)
    assert second.returncode == 0, second.stderr
    assert (f"ฐานข้อมูลมีอยู่แล้ว: {database} ใช้ต่อ — เริ่มใหม่ด้วย tracker demo --fresh"
            in second.stdout.splitlines()[0])
    assert "นำเข้ารายงานตัวอย่างแล้ว" not in second.stdout
    assert rows(database) == built


@pytest.mark.slow  # runs the installed `tracker` command
def test_demo_fresh_builds_a_sqlite_demo_anew(tmp_path):
    database = tmp_path / "demo.sqlite3"
    assert tracker("demo", "--no-run", database=database).returncode == 0
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("UPDATE task SET status = 'done'")  # what someone did while trying the demo
        connection.commit()
    fresh = tracker("demo", "--no-run", "--fresh", database=database)
    assert fresh.returncode == 0, fresh.stderr
    assert f"ลบฐานข้อมูลตัวอย่างเดิมแล้ว: {database}" in fresh.stdout and "นำเข้ารายงานตัวอย่างแล้ว" in fresh.stdout
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT count(*) FROM task WHERE status <> 'done'").fetchone()[0] > 0


@pytest.mark.slow  # runs the installed `tracker` command
def test_demo_fresh_refuses_a_postgresql_database_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "FLASK_"))}
    env.update(DATABASE_URL="postgresql+psycopg://ita:secret@127.0.0.1:1/ita", SECRET_KEY="test-secret-key")
    result = subprocess.run([str(TRACKER), "demo", "--no-run", "--fresh"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == ExitCode.REFUSED, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "SQLite" in line and "postgresql+psycopg://ita:***@127.0.0.1:1/ita" in line and "secret" not in line


@pytest.mark.slow  # runs the installed `tracker` command
def test_reminders_beside_the_demo_link_to_its_port(tmp_path):
    database = tmp_path / "demo.sqlite3"
    assert tracker("demo", "--no-run", "--port", "8765", database=database).returncode == 0
    with closing(sqlite3.connect(database)) as connection:
        days = [d for (d,) in connection.execute(
            "SELECT DISTINCT due_date FROM task WHERE status <> 'done' AND due_date >= date('now', '+7 hours') "
            "ORDER BY due_date LIMIT 4")]
    for day in days:  # a step's due day reminds of it (who hears depends on its division's people)
        shown = tracker("reminders", "--on", day, "--dry-run", database=database)
        if "/tasks/" in shown.stdout:
            break
    assert "http://127.0.0.1:8765/tasks/" in shown.stdout and ":5000" not in shown.stdout, shown.stdout
    explicit = tracker("reminders", "--on", day, "--dry-run", database=database,
                       PUBLIC_URL="https://ita.example.go.th")
    assert "https://ita.example.go.th/tasks/" in explicit.stdout and "8765" not in explicit.stdout
