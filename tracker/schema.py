"""Which schema a database has: the Alembic revision it records, against the revisions this code's migrations know,
and what the schema is made of (tables, columns, indexes, triggers, views) against what those migrations build.

`tracker serve` refuses a database that is not at the head (its pages would fail on a missing column), and
`tracker restore` a backup whose revision this code does not know (a newer release wrote it) or whose schema is not
the one this release's migrations build at that revision (a file holding only `alembic_version`, a trigger slipped
into a backup).
"""
from __future__ import annotations

import logging
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory


@cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

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
    from alembic.runtime.migration import MigrationContext

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


def check_writable(connection: Connection) -> None:
    """Raise the driver's error if the database cannot be written now (read-only, locked), changing nothing: a table
    created inside a transaction that is rolled back. `tracker db upgrade` asks before Alembic starts, so that it
    says what is wrong in one line, and on SQLite (whose DDL Alembic runs outside a transaction) before a step is
    half done."""
    if connection.dialect.name == "sqlite":
        # The sqlite3 module opens no transaction before DDL by itself: a savepoint is one.
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("SAVEPOINT tracker_write_probe")
        try:
            raw.execute("CREATE TABLE tracker_write_probe (id INTEGER)")
        finally:
            raw.execute("ROLLBACK TO tracker_write_probe")
            raw.execute("RELEASE tracker_write_probe")
    else:
        if connection.in_transaction():  # reading the revision began one
            connection.rollback()
        with connection.begin() as transaction:
            connection.exec_driver_sql("CREATE TABLE tracker_write_probe (id integer)")
            transaction.rollback()


# --- what a schema is made of ----------------------------------------------------------------------------------


@dataclass
class Shape:
    """A database's schema as restore compares it. `detailed`: columns and indexes are described (a SQLite file);
    otherwise only their names are known (a pg_dump's table of contents), and SQLite's unnamed indexes, which stand
    for UNIQUE and PRIMARY KEY constraints, are not compared."""

    tables: dict[str, dict[str, str]] = field(default_factory=dict)  # table → column → "TYPE NOT NULL PRIMARY KEY"
    # name → (its table, what it indexes: "UNIQUE ON table (a, b) WHERE …"); the table is "" where not known
    indexes: dict[str, tuple[str, str]] = field(default_factory=dict)
    constraint_indexes: set[tuple[str, str]] = field(default_factory=set)  # SQLite's unnamed ones: (table, what)
    others: dict[str, str] = field(default_factory=dict)  # "trigger x", "view y", … → its SQL, whitespace collapsed
    detailed: bool = True


_AUTOINDEX = "sqlite_autoindex_"


def sqlite_shape(connection: sqlite3.Connection) -> Shape:
    """What a SQLite database's schema is made of (SQLite's own tables, sqlite_sequence and sqlite_stat*, left out)."""
    shape = Shape()
    entries = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    for kind, name, table, sql in entries:
        if kind == "table" and not name.startswith("sqlite_"):
            shape.tables[name] = {
                column: _column(declared, notnull, pk)
                for column, declared, notnull, pk in connection.execute(
                    'SELECT name, type, "notnull", pk FROM pragma_table_info(?)', (name,))
            }
        elif kind == "index":
            columns = ", ".join(str(column) for (column,) in connection.execute(
                "SELECT name FROM pragma_index_info(?) ORDER BY seqno", (name,)))
            unique = connection.execute("SELECT \"unique\" FROM pragma_index_list(?) WHERE name = ?",
                                        (table, name)).fetchone()
            described = f"{'UNIQUE ' if unique and unique[0] else ''}ON {table} ({columns})"
            where = re.search(r"\bWHERE\b(.*)$", sql or "", re.IGNORECASE | re.DOTALL)
            if where:
                described += f" WHERE {_collapse(where.group(1))}"
            if name.startswith(_AUTOINDEX):
                # An index SQLite makes for a constraint is named by its place in the table's definition, which the
                # SQL Alembic writes may order differently from one version to the next: known by what it indexes.
                shape.constraint_indexes.add((table, described))
            else:
                shape.indexes[name] = (table, described)
        elif kind in ("trigger", "view"):
            shape.others[f"{kind} {name}"] = _collapse(sql or "")
    return shape


def _column(declared: str, notnull: int, pk: int) -> str:
    described = re.sub(r"\s+", "", declared.upper())  # NUMERIC(5, 2) and NUMERIC(5,2) are one type
    return described + (" NOT NULL" if notnull else "") + (" PRIMARY KEY" if pk else "")


def _collapse(sql: str) -> str:
    return " ".join(sql.split())


def expected_shape(revision: str) -> Shape:
    """The schema this release's migrations build at `revision`: a SQLite database migrated there in a temporary
    folder, as `tracker db upgrade` would, then thrown away (a second or two; nothing is kept between runs). The
    names of tables, columns and indexes are the same on PostgreSQL: the migrations name every one of them."""
    from flask_migrate import upgrade

    from . import create_app
    from .extensions import db

    with tempfile.TemporaryDirectory(prefix="tracker-schema-") as folder:
        path = Path(folder) / "expected.sqlite3"
        app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "only-to-build-a-schema"})
        with app.app_context(), _alembic_quiet():
            try:
                upgrade(revision=revision)
            finally:
                db.session.remove()
                db.engine.dispose()
        with closing(sqlite3.connect(path)) as connection:
            return sqlite_shape(connection)


@contextmanager
def _alembic_quiet() -> Iterator[None]:
    """Alembic's "Running upgrade …" lines are not the restore's to print: silenced for the moment of the migration,
    and the logging set up by the migrations' env.py (alembic.ini's, INFO to stderr) undone afterwards."""
    loggers = [logging.root, *(logger for logger in logging.root.manager.loggerDict.values()
                               if isinstance(logger, logging.Logger))]
    saved = [(logger, logger.level, list(logger.handlers), logger.propagate, logger.disabled) for logger in loggers]
    before = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(before)
        for logger, level, handlers, propagate, disabled in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate, logger.disabled = propagate, disabled


def differences(expected: Shape, found: Shape) -> list[tuple[str, str]]:
    """What `found` has that `expected` has not, and the reverse, most dangerous first: each (Thai, English)."""
    problems: list[tuple[str, str]] = []
    for key in found.others:
        if expected.others.get(key) != found.others[key] and (found.detailed or key not in expected.others):
            kind, _, name = key.partition(" ")
            problems.append((f"มี {kind} ‘{name}’ ที่ระบบไม่ได้สร้าง", f"unexpected {kind} {name}"))
    for key in expected.others.keys() - found.others.keys():
        kind, _, name = key.partition(" ")
        problems.append((f"ไม่มี {kind} ‘{name}’", f"missing {kind} {name}"))
    missing = sorted(expected.tables.keys() - found.tables.keys())
    if len(missing) > 3:
        shown = ", ".join(missing[:3])
        problems.append((f"ไม่มีตาราง {len(missing)} ตาราง เช่น {shown}", f"{len(missing)} tables missing, e.g. {shown}"))
    else:
        problems += [(f"ไม่มีตาราง ‘{name}’", f"missing table {name}") for name in missing]
    problems += [(f"มีตาราง ‘{name}’ ที่ระบบไม่ได้สร้าง", f"unexpected table {name}")
                 for name in sorted(found.tables.keys() - expected.tables.keys())]
    for table in sorted(expected.tables.keys() & found.tables.keys()):
        want, have = expected.tables[table], found.tables[table]
        problems += [(f"ตาราง ‘{table}’ ไม่มีคอลัมน์ ‘{column}’", f"missing column {table}.{column}")
                     for column in sorted(want.keys() - have.keys())]
        problems += [(f"ตาราง ‘{table}’ มีคอลัมน์ ‘{column}’ ที่ระบบไม่ได้สร้าง", f"unexpected column {table}.{column}")
                     for column in sorted(have.keys() - want.keys())]
        if found.detailed:
            problems += [(f"คอลัมน์ ‘{table}.{column}’ ไม่ตรงกับที่ระบบสร้าง",
                          f"column {table}.{column} is {have[column]}, expected {want[column]}")
                         for column in sorted(want.keys() & have.keys()) if want[column] != have[column]]
    # The indexes of a table missing, or not expected, are said with the table.
    both = expected.tables.keys() & found.tables.keys()
    want_indexes = {name: index for name, index in expected.indexes.items() if index[0] in both}
    have_indexes = {name: index for name, index in found.indexes.items() if index[0] in both or not index[0]}
    problems += [(f"ไม่มีดัชนี ‘{name}’", f"missing index {name}")
                 for name in sorted(want_indexes.keys() - have_indexes.keys())]
    problems += [(f"มีดัชนี ‘{name}’ ที่ระบบไม่ได้สร้าง", f"unexpected index {name}")
                 for name in sorted(have_indexes.keys() - want_indexes.keys())]
    if found.detailed:
        problems += [(f"ดัชนี ‘{name}’ ไม่ตรงกับที่ระบบสร้าง",
                      f"index {name} is {have_indexes[name][1]}, expected {want_indexes[name][1]}")
                     for name in sorted(want_indexes.keys() & have_indexes.keys())
                     if want_indexes[name] != have_indexes[name]]
        want_unnamed = {index for index in expected.constraint_indexes if index[0] in both}
        have_unnamed = {index for index in found.constraint_indexes if index[0] in both}
        problems += [(f"ไม่มีดัชนีของ constraint {described}", f"missing constraint index {described}")
                     for _, described in sorted(want_unnamed - have_unnamed)]
        problems += [(f"มีดัชนีของ constraint {described} ที่ระบบไม่ได้สร้าง", f"unexpected constraint index {described}")
                     for _, described in sorted(have_unnamed - want_unnamed)]
    return problems
