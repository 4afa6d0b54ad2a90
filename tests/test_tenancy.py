"""One tenant rule: measures, tasks and evidence carry their organization's id, always equal to their plan's; the
migration fills it for data that was there before."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tracker import create_app
from tracker.extensions import db
from tracker.models import Evidence, Measure, Plan, Task

from .conftest import app_settings
from .factories import other_organization


def test_every_imported_row_belongs_to_its_plans_organization(seeded):
    mismatched = db.session.execute(
        sa.select(Task.id)
        .join(Measure, Task.measure_id == Measure.id)
        .join(Plan, Measure.plan_id == Plan.id)
        .where((Task.organization_id != Plan.organization_id) | (Measure.organization_id != Plan.organization_id))
    ).all()
    assert mismatched == []
    assert {t.organization_id for t in seeded.tasks_of(seeded.clerk)} == {seeded.org.id}


def test_new_rows_take_their_parents_organization(seeded):
    measure = seeded.plan.measures[0]
    task = Task(measure=measure, step_number=9, step_text="ขั้นตอนเพิ่ม", division=seeded.clerk,
                due_date=date(2026, 9, 30))
    db.session.add(task)
    db.session.flush()
    evidence = Evidence(task=task, url="https://example.go.th/proof")
    db.session.add(evidence)
    db.session.commit()
    assert task.organization_id == evidence.organization_id == seeded.org.id


def test_a_task_cannot_move_to_another_organizations_measure(seeded):
    _, _, _, theirs = other_organization()
    ours = seeded.tasks_of(seeded.clerk)[0]
    ours.measure = theirs.measure
    with pytest.raises(ValueError, match="belongs to organization"):
        db.session.flush()
    db.session.rollback()


def test_a_task_cannot_be_given_to_another_organizations_division(seeded):
    _, their_division, _, _ = other_organization()
    ours = seeded.tasks_of(seeded.clerk)[0]
    ours.division = their_division
    with pytest.raises(ValueError, match="another organization"):
        db.session.flush()
    db.session.rollback()


def test_a_status_change_is_not_checked_again(seeded, monkeypatch):
    """Rows whose parent did not change are not looked at: a flush of status changes loads no measures."""
    tasks = seeded.tasks_of(seeded.clerk)
    db.session.expire_all()
    statements: list[str] = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    for task in db.session.scalars(sa.select(Task).where(Task.id.in_([t.id for t in tasks]))):
        task.step_text = task.step_text + " "
    before = len(statements)
    db.session.flush()
    assert not [s for s in statements[before:] if s.lstrip().upper().startswith("SELECT")]
    db.session.rollback()


def _rows_at_0004(url: str) -> None:
    """Data as a deployment on revision 0004 has it: two organizations, each a plan, a measure, a task, evidence."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        run = connection.execute
        run(sa.text("INSERT INTO fiscal_year (id, year_be, start, \"end\") "
                    "VALUES (1, 2569, '2025-10-01', '2026-09-30')"))
        for org in (1, 2):
            run(sa.text("INSERT INTO organization (id, name, created_at) VALUES (:o, :n, '2026-01-01')"),
                {"o": org, "n": f"เทศบาล {org}"})
            run(sa.text("INSERT INTO division (id, organization_id, name, aliases) VALUES (:o, :o, 'กองคลัง', '[]')"),
                {"o": org})
            run(sa.text("INSERT INTO plan (id, organization_id, fiscal_year_id, source, content_hash, imported_at) "
                        "VALUES (:o, :o, 1, 'plan.txt', 'x', '2026-01-01')"), {"o": org})
            run(sa.text("INSERT INTO measure (id, plan_id, \"order\", title, period_start, period_end, "
                        "indicator_source) VALUES (:o, :o, 1, 'มาตรการ', '2025-10-01', '2026-09-30', 'explicit')"),
                {"o": org})
            for step in (1, 2):
                run(sa.text("INSERT INTO task (id, measure_id, step_number, step_text, division_id, due_date, status) "
                            "VALUES (:t, :o, :s, 'ขั้นตอน', :o, '2026-09-30', 'todo')"),
                    {"t": org * 10 + step, "o": org, "s": step})
            run(sa.text("INSERT INTO evidence (id, task_id, url, created_at) VALUES (:o, :t, 'https://x', "
                        "'2026-01-01')"), {"o": org, "t": org * 10 + 1})
    engine.dispose()


def _migrate_filled_rows(url: str) -> None:
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade(revision="0004")
        _rows_at_0004(url)
        upgrade()
        with db.engine.connect() as connection:
            for table in ("measure", "task", "evidence"):
                rows = connection.execute(sa.text(f"SELECT id, organization_id FROM {table} ORDER BY id")).all()
                assert rows and all(org == (row_id if row_id < 10 else row_id // 10) for row_id, org in rows), rows
        db.engine.dispose()


def test_the_migration_fills_the_organization_of_existing_rows_sqlite(tmp_path):
    _migrate_filled_rows(f"sqlite:///{tmp_path / 'old.sqlite3'}")


def test_the_migration_fills_the_organization_of_existing_rows_postgresql(postgres_database):
    _migrate_filled_rows(postgres_database)
