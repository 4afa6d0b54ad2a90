"""The migrations build the schema the models describe, from empty to head, on SQLite and PostgreSQL."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tracker import create_app
from tracker.extensions import db

from .conftest import app_settings
from .test_tenancy import _rows_at_0004


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


# --- evidence's files moved to evidence_file (0018) and back -------------------------------------------------------

SHA = "ab" * 32
FILE_COLUMNS = "file_path, file_name, content_type, size, sha256, width, height"


def _evidence_files_survive(url: str) -> None:
    """A piece of evidence with a file before 0018 keeps it after the upgrade (as its first file), and after the
    downgrade (its first file back on evidence); a link stays a link."""
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade(revision="0004")
        _rows_at_0004(url)  # two agencies, each a piece of evidence (a link) on a task
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE evidence SET file_path = '1/a.pdf', file_name = 'รายงาน.pdf', "
                                       "content_type = 'application/pdf', size = 10 WHERE id = 1"))
        upgrade(revision="0017_line_uploads")
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE evidence SET sha256 = :sha, width = 3, height = 4 WHERE id = 1"),
                               {"sha": SHA})
        upgrade()
        with db.engine.begin() as connection:
            rows = connection.execute(sa.text(
                f"SELECT organization_id, evidence_id, position, {FILE_COLUMNS} FROM evidence_file")).all()
            assert [tuple(r) for r in rows] == [(1, 1, 1, "1/a.pdf", "รายงาน.pdf", "application/pdf", 10, SHA, 3, 4)]
            assert "file_path" not in {c["name"] for c in sa.inspect(connection).get_columns("evidence")}
            # A second photo of the piece, as a LINE image set adds it.
            connection.execute(sa.text(
                f"INSERT INTO evidence_file (organization_id, evidence_id, position, {FILE_COLUMNS}, created_at) "
                "VALUES (1, 1, 2, '1/b.jpg', 'b.jpg', 'image/jpeg', 20, NULL, 5, 6, '2026-01-02')"))
        downgrade(revision="0017_line_uploads")
        with db.engine.connect() as connection:
            back = connection.execute(sa.text(f"SELECT id, url, {FILE_COLUMNS} FROM evidence ORDER BY id")).all()
            assert [tuple(r) for r in back] == [
                (1, "https://x", "1/a.pdf", "รายงาน.pdf", "application/pdf", 10, SHA, 3, 4),
                (2, "https://x", None, None, None, None, None, None, None)]
            assert "evidence_file" not in sa.inspect(connection).get_table_names()
        upgrade()
        with db.engine.connect() as connection:
            again = connection.execute(sa.text("SELECT evidence_id, position, file_path FROM evidence_file")).all()
            assert [tuple(r) for r in again] == [(1, 1, "1/a.pdf")]
        db.engine.dispose()


def test_evidence_files_survive_upgrade_and_downgrade_sqlite(tmp_path):
    _evidence_files_survive(f"sqlite:///{tmp_path / 'old.sqlite3'}")


def test_evidence_files_survive_upgrade_and_downgrade_postgresql(postgres_database):
    _evidence_files_survive(postgres_database)


# --- which fiscal year's plan an OIT item shows, and the agency type (0021) -----------------------------------------


def _oit_items_keep_their_years(url: str) -> None:
    """Items before 0021 get "local" and the offset the public page used: RESULTS -1 from 2569, else 0; the downgrade
    keeps the local items and drops the rest."""
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade(revision="0020_line_upload_target")
        with db.engine.begin() as connection:
            for id_, year in ((1, 2567), (2, 2568), (3, 2569), (4, 2570)):
                connection.execute(sa.text(
                    "INSERT INTO fiscal_year (id, year_be, start, \"end\") VALUES (:id, :year, :start, :end)"),
                    {"id": id_, "year": year, "start": f"{year - 544}-10-01", "end": f"{year - 543}-09-30"})
                for purpose, code in (("plan", "O25"), ("results", "O26")):
                    connection.execute(sa.text(
                        "INSERT INTO oit_item (fiscal_year_id, purpose, code, name) "
                        "VALUES (:fy, :purpose, :code, 'x')"),
                        {"fy": id_, "purpose": purpose, "code": code})
            connection.execute(sa.text(
                "INSERT INTO organization (name, kind, indicator_target, reminder_days, overdue_every, created_at) "
                "VALUES ('เทศบาลตำบลก', 'เทศบาลตำบล', 95, '[1]', 3, '2026-01-01')"))
        upgrade()
        with db.engine.begin() as connection:
            rows = connection.execute(sa.text(
                "SELECT f.year_be, i.purpose, i.agency_type, i.plan_year_offset FROM oit_item i "
                "JOIN fiscal_year f ON f.id = i.fiscal_year_id ORDER BY f.year_be, i.purpose")).all()
            assert [tuple(r) for r in rows] == [
                (2567, "plan", "local", 0), (2567, "results", "local", 0),
                (2568, "plan", "local", 0), (2568, "results", "local", 0),
                (2569, "plan", "local", 0), (2569, "results", "local", -1),
                (2570, "plan", "local", 0), (2570, "results", "local", -1)]
            assert connection.execute(sa.text("SELECT agency_type FROM organization")).scalar_one() == "local"
            # Another agency type's item of the same year and purpose: the key now allows it.
            connection.execute(sa.text(
                "INSERT INTO oit_item (fiscal_year_id, agency_type, purpose, code, name, plan_year_offset) "
                "VALUES (3, 'vocational', 'results', 'O23', 'y', -1)"))
        downgrade(revision="0020_line_upload_target")
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM oit_item")).scalar_one() == 8
            columns = {c["name"] for c in sa.inspect(connection).get_columns("oit_item")}
            assert "plan_year_offset" not in columns and "agency_type" not in columns
        upgrade()
        with db.engine.connect() as connection:
            offsets = connection.execute(sa.text(
                "SELECT plan_year_offset FROM oit_item WHERE fiscal_year_id = 3 ORDER BY purpose")).scalars().all()
            assert offsets == [0, -1]
        db.engine.dispose()


def test_oit_items_upgrade_and_downgrade_sqlite(tmp_path):
    _oit_items_keep_their_years(f"sqlite:///{tmp_path / 'oit.sqlite3'}")


def test_oit_items_upgrade_and_downgrade_postgresql(postgres_database):
    _oit_items_keep_their_years(postgres_database)
