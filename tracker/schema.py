"""Which schema a database has: the Alembic revision it records, against the revisions this code's migrations know.

`tracker serve` refuses a database that is not at the head (its pages would fail on a missing column), and
`tracker restore` a backup whose revision this code does not know (a newer release wrote it).
"""
from __future__ import annotations

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection


@cache
def _scripts() -> ScriptDirectory:
    from . import MIGRATIONS_DIR

    return ScriptDirectory(str(MIGRATIONS_DIR))


def head() -> str:
    """The revision `tracker db upgrade` brings a database to."""
    revision = _scripts().get_current_head()
    assert revision is not None, "no migrations"
    return revision


def known(revision: str | None) -> bool:
    """Whether this code's migrations know the revision (so `tracker db upgrade` can bring it to the head)."""
    if revision is None:
        return False
    return any(script.revision == revision for script in _scripts().walk_revisions())


def revision_of(connection: Connection) -> str | None:
    """The revision a database records (None: never migrated, no `alembic_version` table)."""
    return MigrationContext.configure(connection).get_current_revision()


def behind(revision: str | None) -> str | None:
    """What is wrong with a database at `revision` for this code, in one line; None when it is at the head."""
    if revision == head():
        return None
    if revision is None:
        return "the database has no schema yet: run `tracker db upgrade`"
    if known(revision):
        return f"the database schema is at {revision}, this release needs {head()}: run `tracker db upgrade`"
    return (f"the database schema is at {revision}, which this release does not know (a newer release migrated "
            f"it): run that release, or restore a backup made with this one")
