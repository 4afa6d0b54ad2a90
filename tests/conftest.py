"""Fixtures: an app on a real migrated database, its test client and CLI runner.

The schema is built once per session by running the migrations (never create_all), into a template SQLite file that
each test copies: every test gets the real schema, isolated, for the cost of a file copy.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from flask_migrate import upgrade

import config.testing
from tracker import create_app
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SHARED_SEED = ROOT.parent / "shared" / "seed" / "ita-2568-bang-krabue.txt"
PACKAGED_SEED = ROOT / "tracker" / "seed" / "ita-2568-bang-krabue.txt"
SEED = SHARED_SEED if SHARED_SEED.exists() else PACKAGED_SEED
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


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


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def app(migrated_template, tmp_path):
    path = tmp_path / "tracker.sqlite3"
    shutil.copy(migrated_template, path)
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{path}", UPLOAD_FOLDER=str(tmp_path / "uploads")))
    app.test_client_class = RequestLikeProductionClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def linked(seeded):
    """The seeded organization with every person's LINE account linked."""
    for i, user in enumerate(seeded.users.values()):
        user.line_user_id = f"U{i:032x}"
    db.session.commit()
    return seeded


@pytest.fixture
def postgres_database():
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        connection = admin.connect()
    except sa.exc.OperationalError as error:
        if os.environ.get("CI"):
            raise  # CI starts PostgreSQL: not reaching it there is a failure, not a skip
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error}")
    name = f"tracker_test_{uuid.uuid4().hex[:10]}"
    connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.close()
        admin.dispose()




@pytest.fixture
def seeded(app, seed_path):
    """The seed plan imported, with a person in every role (see tests/factories.py)."""
    from .factories import seed_organization

    return seed_organization(seed_path)
