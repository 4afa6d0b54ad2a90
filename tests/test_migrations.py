"""The migrations build the schema the models describe, from empty to head, on SQLite and PostgreSQL."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tracker import create_app
from tracker.extensions import db

from .conftest import app_settings


def _migrate_and_compare(url: str) -> None:
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
            tables = set(sa.inspect(connection).get_table_names())
        assert {"organization", "plan", "measure", "task", "audit_event", "notification"} <= tables
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def test_sqlite_empty_to_head(tmp_path):
    _migrate_and_compare(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")


def test_postgresql_empty_to_head(postgres_database):
    _migrate_and_compare(postgres_database)
