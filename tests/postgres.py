"""PostgreSQL databases for the test suite (`TEST_DATABASE=postgresql`): the templates built once per session, and a
database of its own for each test, as it was in its template.

A test's database is made from the template once (`CREATE DATABASE ... TEMPLATE`, 0.3 s a database on this 2-core
machine: a third of a PostgreSQL run's time when every test made one) and then reused: when a test is over, its
database is put back as the template was (every row deleted, the template's rows copied back in with COPY, every
sequence where the template's was: 5-30 ms) and handed to the next test that asks for a copy of that template. A
database is reused only if its schema is still the template's (a fingerprint of the catalogue, compared after the
test): a test that created, altered or dropped anything gets its database dropped and the next one a new copy.

Databases no longer wanted are dropped in a background thread, so the next test does not wait for it. A DROP
DATABASE waits for a checkpoint of the whole server (PostgreSQL 15), which takes long when another database on it is
being written; the drops waiting at a moment are sent together, each on its own connection, so that one checkpoint
serves them all.

Every name carries this process's id (`tracker_t<pid>_<random>_...`): several test sessions may share one server (CI
and developers' runs on the same machine), and databases left behind by a session that was killed are recognised by
their dead process and dropped at the next session's start.
"""
from __future__ import annotations

import itertools
import logging
import os
import queue
import re
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
_OURS = re.compile(r"^tracker_t(\d+)_[0-9a-f]+_")
_DROPS_AT_ONCE = 8
# What a test could change of a database's schema: every relation of the public schema with its kind and number of
# columns, the columns that are not dropped, triggers, functions and constraints. Any difference: not reused.
_SCHEMA_FINGERPRINT = """
    SELECT md5(string_agg(c.oid::text || c.relname::text || c.relkind::text || c.relnatts::text, ',' ORDER BY c.oid)),
           (SELECT count(*) FROM pg_attribute a JOIN pg_class r ON a.attrelid = r.oid
             WHERE r.relnamespace = 'public'::regnamespace AND NOT a.attisdropped),
           (SELECT count(*) FROM pg_trigger t JOIN pg_class r ON t.tgrelid = r.oid
             WHERE r.relnamespace = 'public'::regnamespace),
           (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace),
           (SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace)
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
"""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostgresDatabase:
    """A database on the test server: its name, and the URL the app is given."""

    name: str
    url: str
    server: Server = field(repr=False, compare=False)


class Server:
    """The PostgreSQL server the suite runs on, reached as its administrator (TEST_POSTGRES_URL)."""

    def __init__(self, admin_url: str = ADMIN_URL) -> None:
        # No pool: every statement here is CREATE or DROP DATABASE, which cannot run in a transaction.
        self.engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.connection = self.engine.connect()  # raises OperationalError if the server cannot be reached
        self.prefix = f"tracker_t{os.getpid()}_{secrets.token_hex(3)}"
        self._numbers = itertools.count(1)
        self._templates: list[PostgresDatabase] = []
        self._snapshots: dict[str, _Snapshot] = {}  # by template name: what a copy of it holds
        self._free: dict[str, list[PostgresDatabase]] = {}  # by template name: copies put back, ready for a test
        self._lent: dict[str, str] = {}  # a database a test has now: its template's name
        self._to_drop: queue.Queue[str | None] = queue.Queue()
        self._dropper = threading.Thread(target=self._drop_in_background, name="drop-test-databases", daemon=True)
        self._dropper.start()

    def url_of(self, name: str) -> str:
        """The app's URL of a database here. A test's commits do not wait for the disk (synchronous_commit=off: a
        crash of the server may lose the last ones, never leave a database inconsistent): a third faster."""
        url = self.engine.url.set(database=name).update_query_dict({"options": "-c synchronous_commit=off"})
        return url.render_as_string(hide_password=False)

    def create(self, suffix: str | None = None, template: PostgresDatabase | None = None) -> PostgresDatabase:
        """A new database: empty, or a copy of `template` (which nothing may be connected to)."""
        name = f"{self.prefix}_{suffix or next(self._numbers)}"
        statement = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template.name}"' if template else "")
        for attempt in range(50):
            try:
                self.connection.exec_driver_sql(statement)
                break
            except sa.exc.OperationalError as error:
                # "source database is being accessed by other users": a connection of the template's builder that
                # the server has not finished closing yet. Anything else, or for long, is a real error.
                if "being accessed by other users" not in str(error) or attempt == 49:
                    raise
                time.sleep(0.1)
        return PostgresDatabase(name, self.url_of(name), self)

    def copy(self, template: PostgresDatabase) -> PostgresDatabase:
        """A database as `template` is: one a finished test gave back, put back as the template was, or a new copy."""
        if template.name not in self._snapshots:
            self._snapshots[template.name] = _Snapshot.of(self._libpq(template.name))
        free = self._free.setdefault(template.name, [])
        database = free.pop() if free else self.create(template=template)
        self._lent[database.name] = template.name
        return database

    def give_back(self, database: PostgresDatabase) -> None:
        """A test is over with a database `copy` gave it: keep it for the next test, put back as its template was, or
        drop it if the test changed its schema (or it cannot be put back)."""
        template = self._lent.pop(database.name)
        try:
            reset = self._snapshots[template].put_back(self._libpq(database.name))
        except psycopg.Error:
            log.exception("could not put test database %s back as its template was", database.name)
            reset = False
        if reset:
            self._free[template].append(database)
        else:
            self.drop_later(database)

    def _libpq(self, name: str) -> str:
        return self.engine.url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)

    def template(self, suffix: str, template: PostgresDatabase | None = None) -> PostgresDatabase:
        """A database the session's tests are copied from; dropped when the session ends."""
        database = self.create(suffix, template)
        self._templates.append(database)
        return database

    def drop_later(self, database: PostgresDatabase) -> None:
        """Drop a test's database in the background (its connections, if any are left, are ended by the server)."""
        self._to_drop.put(database.name)

    def remove_leftovers(self) -> None:
        """Drop the databases of earlier test sessions whose process is gone (killed before it could clean up)."""
        names = self.connection.exec_driver_sql("SELECT datname FROM pg_database").scalars().all()
        for name in names:
            match = _OURS.match(name)
            if match and not _alive(int(match.group(1))):
                self.connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Wait for the background drops, drop the templates, let go of the server."""
        for databases in self._free.values():
            for database in databases:
                self.drop_later(database)
        self._to_drop.put(None)
        self._dropper.join()
        for database in reversed(self._templates):
            self._drop(database.name)
        self.connection.close()
        self.engine.dispose()

    def _drop_in_background(self) -> None:
        with ThreadPoolExecutor(_DROPS_AT_ONCE, thread_name_prefix="drop-test-database") as pool:
            while True:
                names = [self._to_drop.get()]
                while not self._to_drop.empty():
                    names.append(self._to_drop.get())
                list(pool.map(self._drop, [name for name in names if name is not None]))
                if None in names:
                    return

    def _drop(self, name: str) -> None:
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except sa.exc.DBAPIError:  # left for remove_leftovers of a later session; never a test's failure
            log.exception("could not drop test database %s", name)


@dataclass(frozen=True)
class _Snapshot:
    """What a template database holds: every table's rows (COPY's text format, whatever the column types), every
    sequence's position, and its schema's fingerprint."""

    rows: dict[str, bytes]
    sequences: list[tuple[str, int, bool]]
    fingerprint: tuple

    @classmethod
    def of(cls, libpq_url: str) -> _Snapshot:
        with psycopg.connect(libpq_url, autocommit=True) as connection:
            tables = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            rows = {}
            for (table,) in tables:
                with connection.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:
                    rows[table] = b"".join(bytes(block) for block in copy)
            sequences = connection.execute(
                "SELECT sequencename, coalesce(last_value, start_value), last_value IS NOT NULL "
                "FROM pg_sequences WHERE schemaname = 'public'").fetchall()
            fingerprint = connection.execute(_SCHEMA_FINGERPRINT).fetchone()
        return cls(rows, sequences, tuple(fingerprint or ()))

    def put_back(self, libpq_url: str) -> bool:
        """Make the database at `libpq_url` hold what the template held; False (nothing changed) if its schema is no
        longer the template's."""
        with psycopg.connect(libpq_url, autocommit=True) as connection:
            if tuple(connection.execute(_SCHEMA_FINGERPRINT).fetchone() or ()) != self.fingerprint:
                return False
            # A connection the test left open (a thread's, an app not disposed) would hold locks the deletes wait on.
            connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            with connection.transaction():
                # As a replica applies rows: no foreign-key checks and no triggers while the rows are swapped.
                connection.execute("SET LOCAL session_replication_role = replica;"
                                   + "".join(f'DELETE FROM "{table}";' for table in self.rows)
                                   + "".join(f"SELECT setval('\"{name}\"', {value}, {str(called).lower()});"
                                             for name, value, called in self.sequences))
                for table, data in self.rows.items():
                    if data:
                        with connection.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:
                            copy.write(data)
        return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
