"""PostgreSQL databases for the test suite (`TEST_DATABASE=postgresql`): the templates built once per session, a
database of its own for each test made from one (`CREATE DATABASE ... TEMPLATE`, a file-level copy that takes a few
hundredths of a second), and dropped after the test in a background thread, so the next test does not wait for it.
A DROP DATABASE waits for a checkpoint of the whole server (PostgreSQL 15), which takes long when another database
on it is being written; the drops waiting at a moment are sent together, each on its own connection, so that one
checkpoint serves them all.

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

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
_OURS = re.compile(r"^tracker_t(\d+)_[0-9a-f]+_")
_DROPS_AT_ONCE = 8

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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
