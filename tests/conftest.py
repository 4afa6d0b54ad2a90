"""Fixtures: an app on a real migrated database, its test client and CLI runner; the seeded organization; the day.

The schema is built once per session by running the migrations (never create_all), into a template SQLite file that
each test copies: every test gets the real schema, isolated, for the cost of a file copy. The seeded organization is
built the same way: the seed report imported once per session into a second template (a copy of the first), which
every test that asks for `seeded` copies instead, and finds its rows in by name.

`TEST_DATABASE=postgresql` runs the same tests on PostgreSQL (TEST_POSTGRES_URL, by default the server on
127.0.0.1:5432): the two templates are PostgreSQL databases, and each test gets a database of its own holding what
its template holds: made from it with `CREATE DATABASE ... TEMPLATE`, then put back as the template was after each
test and reused (tests/postgres.py). The few tests that are about SQLite itself (a locked file, a read-only `mode=ro`
open, the file's rows read with sqlite3) are skipped there, each `skipif(ON_POSTGRESQL, reason=...)` saying why.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

import config.testing
from tracker import clock, create_app
from tracker.extensions import db

from .compile_once import compile_once
from .factories import Seeded, find_seeded, seed_organization
from .postgres import ADMIN_URL, PostgresDatabase, Server

compile_once()  # every test builds an app: its URL builders and templates are compiled once a session

ROOT = Path(__file__).resolve().parent.parent
SHARED_SEED = ROOT.parent / "shared" / "seed" / "ita-2568-bang-krabue.txt"
PACKAGED_SEED = ROOT / "tracker" / "seed" / "ita-2568-bang-krabue.txt"
SEED = SHARED_SEED if SHARED_SEED.exists() else PACKAGED_SEED
PG_ADMIN_URL = ADMIN_URL
DATABASES = ("sqlite", "postgresql")
TEST_DATABASE = os.environ.get("TEST_DATABASE", "").strip().lower() or "sqlite"
ON_POSTGRESQL = TEST_DATABASE == "postgresql"
# A template: a SQLite file (copied per test), or a PostgreSQL database (a test's own database is made from it).
Template = Path | PostgresDatabase
_made_for_the_test: list[PostgresDatabase] = []


def pytest_configure(config) -> None:
    if TEST_DATABASE not in DATABASES:
        raise pytest.UsageError(f"TEST_DATABASE={TEST_DATABASE!r}: expected one of {', '.join(DATABASES)}")


def pytest_report_header(config) -> str:
    where = f"PostgreSQL ({make_url(PG_ADMIN_URL).render_as_string()})" if ON_POSTGRESQL else "SQLite"
    return f"test databases: {where} (TEST_DATABASE)"


# The fixtures through which a test's database follows TEST_DATABASE (`app`, `seeded`, `live_app` and more use one).
FOLLOWS_TEST_DATABASE = {"migrated_template", "seeded_template"}


def pytest_collection_modifyitems(items) -> None:
    """Mark `same_on_every_database` (pyproject.toml) each test that uses none of FOLLOWS_TEST_DATABASE: it runs the
    same whatever TEST_DATABASE says (no database, or one of its own on SQLite or PostgreSQL), so CI's PostgreSQL run
    leaves it out (`-m "not same_on_every_database"`, .ci/run) once the SQLite run has run it."""
    for item in items:
        if not FOLLOWS_TEST_DATABASE & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.same_on_every_database)


def app_settings(**overrides):
    settings = {k: v for k, v in vars(config.testing).items() if k.isupper()}
    settings.update(overrides)
    return settings


class RequestLikeProductionClient(FlaskClient):
    """A test client whose requests start fresh, as each real request does.

    The `app` fixture keeps an app context pushed so tests can use the session; Flask then runs every test request
    inside that same context, so `g` (Flask-Login's cached user, the per-request calendar) and the session's loaded
    rows would outlive a request. Clearing them makes a deactivated user, a new day off, a change by another
    request visible the way they are in production.
    """

    def open(self, *args, **kwargs):
        for name in list(vars(g)):
            delattr(g, name)
        db.session.expire_all()
        return super().open(*args, **kwargs)


def copy_of(template: Template, path: Path) -> str:
    """The URL of a fresh copy of a template database: a SQLite file at `path`, or on PostgreSQL a database holding
    what the template holds (tests/postgres.py: made from it, or an earlier test's put back), given back after the
    test."""
    if isinstance(template, PostgresDatabase):
        database = template.server.copy(template)
        _made_for_the_test.append(database)
        return database.url
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def app_on_copy(template: Template, path: Path, **overrides):
    """An app (not yet in a context) on a fresh copy, at `path` (SQLite), of a template database."""
    return create_app(app_settings(DATABASE_URL=copy_of(template, path), **overrides))


def close_database() -> None:
    """End the app's use of its database (in its context): every connection closed, so the file is whole by itself."""
    db.session.remove()
    db.engine.dispose()


@pytest.fixture(scope="session")
def postgres_server():
    """The PostgreSQL server of a `TEST_DATABASE=postgresql` run; None on SQLite."""
    if not ON_POSTGRESQL:
        yield None
        return
    try:
        server = Server(PG_ADMIN_URL)
    except sa.exc.OperationalError as error:
        pytest.exit(f"TEST_DATABASE=postgresql but PostgreSQL is not reachable at {PG_ADMIN_URL} "
                    f"(TEST_POSTGRES_URL): {error}", returncode=pytest.ExitCode.USAGE_ERROR)
    server.remove_leftovers()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _give_back_the_databases_copied_for_the_test(postgres_server):
    """Give back the databases copied for a test once it is over (PostgreSQL; tests/postgres.py reuses them): an
    autouse fixture is set up before the ones a test names, so it is finished after them, once their apps have closed
    their connections."""
    yield
    while _made_for_the_test:
        postgres_server.give_back(_made_for_the_test.pop())


@pytest.fixture(scope="session")
def migrated_template(postgres_server, tmp_path_factory) -> Template:
    if postgres_server is not None:
        template: Template = postgres_server.template("migrated")
        url = template.url
    else:
        template = tmp_path_factory.mktemp("template") / "template.sqlite3"
        url = f"sqlite:///{template}"
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade()
        close_database()
    return template


@dataclass(frozen=True)
class SeededTemplate:
    path: Template  # a migrated database holding what `factories.seed_organization` makes, committed
    organization: str  # the seeded organization's name, to find its rows in a copy


@pytest.fixture(scope="session")
def seeded_template(postgres_server, migrated_template, seed_path, tmp_path_factory) -> SeededTemplate:
    """The seed report imported, as `tracker import` would, and a person per role: once per session."""
    if postgres_server is not None:
        template: Template = postgres_server.template("seeded", migrated_template)
        url = template.url
    else:
        template = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
        shutil.copy(migrated_template, template)
        url = f"sqlite:///{template}"
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        organization = seed_organization(seed_path).org.name
        close_database()
    if isinstance(template, Path):
        assert not template.with_name(template.name + "-wal").exists(), "the seeded database is not whole in one file"
    return SeededTemplate(template, organization)


@pytest.fixture
def app(request, migrated_template, tmp_path):
    """The app on its own database: an empty migrated one, or a copy of the seeded one when the test uses `seeded`
    (itself or through another fixture, such as `linked`)."""
    template = migrated_template
    if "seeded" in request.fixturenames:
        template = request.getfixturevalue("seeded_template").path
    app = app_on_copy(template, tmp_path / "tracker.sqlite3", UPLOAD_FOLDER=str(tmp_path / "uploads"))
    app.test_client_class = RequestLikeProductionClient
    with app.app_context():
        yield app
        close_database()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture
def seeded(app, seeded_template) -> Seeded:
    """The seed plan imported, with a person in every role (see tests/factories.py): the rows of the test's own copy
    of the seeded database, the `app` fixture's."""
    return find_seeded(seeded_template.organization)


@pytest.fixture
def linked(seeded):
    """The seeded organization with every person's LINE account linked."""
    for i, user in enumerate(seeded.users.values()):
        user.line_user_id = f"U{i:032x}"
    db.session.commit()
    return seeded


@pytest.fixture
def ladder_off(seeded):
    """The seeded organization without the escalation ladder and the idle nudge: its seed day has tasks overdue for
    weeks, whose heads would hear of them too; for the tests of what else is sent (tests/test_escalation.py tests
    the ladder)."""
    seeded.org.escalate_head_after = seeded.org.escalate_executive_after = seeded.org.idle_nudge_after = 0
    db.session.commit()
    return seeded


@pytest.fixture(scope="session")
def postgres_on_any_run(postgres_server):
    """The PostgreSQL server of the tests that use one whatever TEST_DATABASE says (`postgres_database`): the
    session's own on a PostgreSQL run, else reached when first asked for; the error if it cannot be reached."""
    if postgres_server is not None:
        yield postgres_server
        return
    try:
        server = Server(PG_ADMIN_URL)
    except sa.exc.OperationalError as error:
        yield error
        return
    server.remove_leftovers()
    yield server
    server.close()


@pytest.fixture
def postgres_database(postgres_on_any_run):
    """A new, empty PostgreSQL database for one test, dropped afterwards: in the background, as the test databases of
    a PostgreSQL run are (tests/postgres.py), since a DROP DATABASE waits for a checkpoint of the whole server."""
    server = postgres_on_any_run
    if isinstance(server, Exception):
        if os.environ.get("CI"):
            raise server  # CI starts PostgreSQL: not reaching it there is a failure, not a skip
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {server}")
    database = server.create()
    yield server.engine.url.set(database=database.name).render_as_string(hide_password=False)
    server.drop_later(database)


@pytest.fixture
def on_day(request, monkeypatch):
    """Fix the day the app sees: `on_day(date)` sets it, and again to move on; the time is 09:00 of that day in
    Bangkok (`tracker.clock.now`), so what is done "now" (a tick-off) happens on that day too. A test module that
    defines `TODAY` starts its tests on that day; elsewhere the clock runs until `on_day` is called."""
    def set_day(day) -> None:
        moment = datetime.combine(day, time(9, 0), tzinfo=clock.local_zone()).astimezone(UTC)
        monkeypatch.setattr(clock, "now", lambda: moment)
        monkeypatch.setattr(clock, "today", lambda: day)

    default = getattr(request.module, "TODAY", None)
    if default is not None:
        set_day(default)
    return set_day
