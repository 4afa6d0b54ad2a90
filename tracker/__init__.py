"""ITA plan tracker: an agency's improvement plan as tasks owned by divisions."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config.defaults import SETTINGS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Assemble the app: settings, extensions, blueprints, error pages, template filters."""
    # Imported here, not at the top: `tracker --help` and `from tracker.cli import main` import this package, and
    # need neither SQLAlchemy nor the app's views (tracker/cli.py).
    from . import cli, views
    from .extensions import cache, csrf, db, migrate

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    _load_settings(app, overrides or {})
    if app.config["PROXY_COUNT"]:
        # Behind N reverse proxies, request.remote_addr (what sign-in limits count) and the scheme are the ones the
        # proxies forwarded, read N hops from the right so a client cannot choose them. The Host header is not taken
        # from X-Forwarded-Host: proxies pass Host itself, and one that does not set that header would let a client
        # set it.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    cache.init_app(app)  # CACHE_* settings: config/defaults.py

    views.register(app)
    cli.register(app)
    return app


def _load_settings(app: Flask, overrides: dict[str, Any]) -> None:
    for setting in SETTINGS:
        app.config[setting.name] = setting.default
    app.config.from_pyfile("config.py", silent=True)
    for setting in SETTINGS:
        if os.environ.get(setting.name):
            app.config[setting.name] = os.environ[setting.name]
    app.config.update(overrides)
    for setting in SETTINGS:  # parsed once, here: code reads typed values (see config/defaults.py)
        app.config[setting.name] = setting.read(app.config[setting.name])

    if not app.config["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'tracker.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    # Thai text in JSON columns (aliases, audit before/after) stays readable in the database.
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"json_serializer": lambda o: json.dumps(o, ensure_ascii=False)})
    # A form's CSRF token is good for as long as the sign-in it was given in can last (Flask-WTF's default is an hour):
    # a task page opened from a LINE reminder in the morning still saves after lunch, and a kept page filled at any
    # time of a sign-in saves (views/pagecache.py). The token is bound to the session, which ends at sign-out.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", app.config["SESSION_LIFETIME_HOURS"] * 3600)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # The whole request may carry a form beside the largest file; evidence.store checks the file itself.
    app.config["MAX_CONTENT_LENGTH"] = int((app.config["MAX_UPLOAD_MB"] + 1) * 1024 * 1024)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _instance_secret_key(instance: Path) -> str:
    # A random key kept on disk: better than a hard-coded default, and sessions survive a restart.
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _tune_sqlite(engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def on_connect(connection, record) -> None:
        # WAL lets the web app read while the scheduler writes; NORMAL sync is safe with WAL and far faster per
        # commit; a busy timeout makes a second writer wait instead of failing at once.
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
