"""The shared fixtures keep their promises: `seeded` is a copy of exactly what importing the seed makes, and `app`
alone is an empty migrated database."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tracker.extensions import db
from tracker.models import Organization, User

from .conftest import ON_POSTGRESQL
from .factories import SEED_PEOPLE, count, find_seeded, seed_organization

# A moment as the database or an audit snapshot writes it: the one thing two imports of the same file differ in.
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(\+00:00)?")


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, with the moments it was written at blanked out, sorted (the order a link table's
    rows are inserted in is not the same from one import to the next; every other table's rows carry their id)."""
    connection = sqlite3.connect(path)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {
            table: sorted((tuple(MOMENT.sub("<moment>", v) if isinstance(v, str) else v for v in row)
                           for row in connection.execute(f'SELECT * FROM "{table}"')), key=repr)
            for table in tables
        }
    finally:
        connection.close()


def test_app_alone_is_an_empty_migrated_database(app):
    assert count(Organization) == 0 and count(User) == 0


@pytest.mark.skipif(ON_POSTGRESQL, reason="reads the SQLite files of the seeded template and of the test's copy with "
                    "sqlite3; the import it compares with is the same on both databases")
def test_the_seeded_copy_is_what_an_import_makes(app, seeded_template, seed_path):
    made = seed_organization(seed_path)  # into this test's empty database, as the fixture did once per session
    found = find_seeded(made.org.name)
    assert found == made  # the same rows, so the same ids
    assert list(found.users) == [username for username, *_ in SEED_PEOPLE]
    assert [t.id for t in found.tasks_of(found.clerk)] == [t.id for t in made.tasks_of(made.clerk)]
    assert seeded_template.organization == made.org.name
    db.session.remove()
    here = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    template = dump(seeded_template.path)
    assert len(template["task"]) == 16 and len(template["user"]) == len(SEED_PEOPLE) and template["audit_event"]
    assert dump(here) == template


def test_seeded_finds_the_rows_of_its_own_copy(seeded, seeded_template):
    assert seeded.org.name == seeded_template.organization
    assert (seeded.clerk.name, seeded.finance.name) == ("สำนักปลัดเทศบาล", "กองคลัง")
    assert len(seeded.tasks_of(seeded.clerk)) == 8 and len(seeded.tasks_of(seeded.finance)) == 2
    assert seeded.plan.organization is seeded.org
    assert count(Organization) == 1 and count(User) == len(SEED_PEOPLE)
