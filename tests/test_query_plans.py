"""Every hot page and the sweep cost what the agency's own data costs: each query they send finds its rows through an
index (never a full scan of task, measure, evidence, comment, audit_event or user), on SQLite and on PostgreSQL, and
the number of queries a page sends does not grow with the data (no N+1).

The queries are the real ones: a page is requested through the test client, every statement it sends is captured,
then each is explained by the database with its own parameters.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker.extensions import db
from tracker.models import Comment, Evidence, Measure, Task, TaskStatus, User
from tracker.reminders import outbox

from .conftest import app_settings
from .factories import login, make_user, other_organization, seed_organization

# Tables a page must never read whole: they grow with every agency of the deployment.
BIG_TABLES = ("task", "measure", "evidence", "comment", "audit_event", "user", "user_session", "notification")


@contextmanager
def captured():
    """Collect every statement (with its parameters) sent to the database inside the block."""
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany:
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


PARTIAL_INDEXES = {index.name for table in db.metadata.tables.values() for index in table.indexes
                   if index.dialect_options["sqlite"].get("where") is not None}


def full_scans(statements) -> list[str]:
    """Explain each SELECT; return the big tables some statement reads whole, with the statement."""
    found = []
    with db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            # Tiny test tables make a sequential scan the cheapest plan; forbid it to see whether an index CAN serve.
            connection.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            if postgres:
                plan = "\n".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
                scans = re.findall(r"Seq Scan on (\w+)", plan)
            else:
                plan = "\n".join(r[-1] for r in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                           parameters))
                # "SEARCH task USING INDEX ..." finds rows by a key; "SCAN task" reads them all, even "USING INDEX"
                # (a walk of a whole index, in its order), except a partial index's: it holds only the few rows of
                # its condition (the people with quiet days), which is the point of it.
                scans = [table for table, index in re.findall(r"\bSCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?",
                                                              plan) if index not in PARTIAL_INDEXES]
            for table in scans:
                if table.strip('"') in BIG_TABLES:
                    found.append(f"{table}: {statement[:300]}\n{plan}")
    return found


def pages(seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    return [
        ("clerk-head", f"/divisions/{seeded.clerk.id}"),
        ("clerk-staff", "/tasks"),
        ("clerk-head", f"/tasks/{task.id}"),
        ("mayor", f"/measures/{task.measure_id}"),
        ("mayor", "/dashboard"),
        ("admin", "/audit"),
    ]


def _with_history(seeded):
    """Give the agency a past: tasks done with evidence and comments, so each query has rows to find."""
    head = seeded.users["clerk-head"]
    seeded.tasks_of(seeded.clerk)[4].assignee = seeded.users["clerk-staff"]
    for task in seeded.tasks_of(seeded.clerk)[:3]:
        task.status = TaskStatus.DONE
        db.session.add_all([Evidence(task=task, url="https://example.go.th/x", created_by=head),
                            Comment(task=task, author=head, text="เสร็จแล้ว")])
    db.session.commit()


def _check_pages(client, seeded):
    problems = []
    for username, url in pages(seeded):
        login(client, username)
        with captured() as statements:
            assert client.get(url).status_code == 200, url
        problems += full_scans(statements)
    return problems


def test_pages_find_their_rows_through_indexes_on_sqlite(client, seeded):
    _with_history(seeded)
    other_organization()
    assert _check_pages(client, seeded) == []


def test_sign_in_finds_the_person_through_an_index(client, seeded):
    from .factories import csrf_token

    token = csrf_token(client, "/login")
    with captured() as statements:
        client.post("/login", data={"username": "clerk-head", "password": "x", "csrf_token": token})
    assert full_scans(statements) == []


def test_the_sweep_finds_its_rows_through_indexes(app, seeded):
    _with_history(seeded)
    other_organization()
    with captured() as statements:
        outbox.sweep(seeded.org, date(2026, 3, 17))
        for day in (date(2026, 3, 17), date(2026, 3, 30)):  # every agency's day; a Monday counts the weeks too
            list(outbox.sweep_batches(day))
    db.session.rollback()
    assert full_scans(statements) == []


@pytest.fixture
def pg_app(postgres_database, seed_path):
    from flask_migrate import upgrade

    app = create_app(app_settings(DATABASE_URL=postgres_database))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_pages_and_the_sweep_find_their_rows_through_indexes_on_postgresql(pg_app, seed_path):
    seeded = seed_organization(seed_path)
    _with_history(seeded)
    other_organization()
    client = pg_app.test_client()
    assert _check_pages(client, seeded) == []
    with captured() as statements:
        outbox.sweep(seeded.org, date(2026, 3, 17))
        for day in (date(2026, 3, 17), date(2026, 3, 30)):
            list(outbox.sweep_batches(day))
    db.session.rollback()
    assert full_scans(statements) == []


# --- the number of queries a page sends does not grow with the data ------------------------------------------------


def _counts(client, seeded) -> dict[str, int]:
    counts = {}
    for username, url in pages(seeded):
        login(client, username)
        client.get(url)  # warm: what a first request loads once per process is not what this test counts
        with captured() as statements:
            assert client.get(url).status_code == 200, url
        counts[url] = len(statements)
    return counts


def _grow(seeded) -> None:
    """More of everything a page lists: people, steps, evidence, comments; and other agencies' data."""
    head = seeded.users["clerk-head"]
    for n in range(6):
        make_user(seeded.org, f"more-staff-{n}", seeded.users["clerk-staff"].role, seeded.clerk)
    db.session.flush()
    staff = db.session.scalars(sa.select(User).where(User.username.like("more-staff-%"))).all()
    measure = db.session.scalar(sa.select(Measure).where(Measure.plan_id == seeded.plan.id).order_by(Measure.id))
    for step in range(10, 30):
        task = Task(measure=measure, step_number=step, step_text=f"ขั้นตอนเพิ่ม {step}", division=seeded.clerk,
                    due_date=date(2026, 6, 30), assignee=staff[step % len(staff)])
        db.session.add(task)
        db.session.add_all([Evidence(task=task, url=f"https://example.go.th/{step}", created_by=head),
                            Comment(task=task, author=head, text=f"บันทึก {step}")])
        if step % 2:
            task.status = TaskStatus.DONE
    for n in range(3):
        _another_agency(n)
    db.session.commit()


def _another_agency(n: int) -> None:
    """One more agency of the deployment, with a plan of its own: rows no page of ours may read."""
    from tracker.models import Division, Organization, Plan
    from tracker.plans.build import ensure_fiscal_year

    org = Organization(name=f"เทศบาลตำบลอื่น {n}")
    division = Division(organization=org, name="กองคลัง", aliases=[])
    head = make_user(org, f"agency-{n}-head", seeded_role("head"), division)
    plan = Plan(organization=org, fiscal_year=ensure_fiscal_year(2569), source="x.csv", content_hash="x")
    measure = Measure(plan=plan, order=1, title="มาตรการอื่น", period_start=date(2025, 10, 1),
                      period_end=date(2026, 9, 30), divisions=[division])
    db.session.add_all([org, division, plan, measure])
    for step in range(1, 21):
        task = Task(measure=measure, step_number=step, step_text=f"งานอื่น {step}", division=division,
                    due_date=date(2026, 3, 31), assignee=head)
        db.session.add_all([task, Comment(task=task, author=head, text="ของหน่วยงานอื่น")])


def seeded_role(value: str):
    from tracker.models import Role

    return Role(value)


def test_pages_send_the_same_number_of_queries_whatever_the_data(client, seeded):
    _with_history(seeded)
    before = _counts(client, seeded)
    _grow(seeded)
    after = _counts(client, seeded)
    assert after == before
