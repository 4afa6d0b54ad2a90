"""Unbound Flask extensions, initialised in `create_app`, so that no module imports the app."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask_caching import Cache
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

if TYPE_CHECKING:
    from flask import Flask
    from flask_migrate import Migrate


class Base(DeclarativeBase):
    # Named constraints: Alembic's batch mode on SQLite can only drop or alter what has a name.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class LazyMigrate:
    """Flask-Migrate's `Migrate`, without importing Flask-Migrate, and with it Alembic, Mako and Pygments, until a
    migration runs: most commands and every web request use the database without migrating it.

    `init_app` stores in `app.extensions["migrate"]` what Flask-Migrate's own `init_app` stores there, the
    configuration its functions (`flask_migrate.upgrade()` and the rest) and the migrations' env.py read; the
    `Migrate` object behind it is made the first time one of them asks for it. The `db` command group is the
    tracker's (tracker/cli.py), which imports Flask-Migrate's when it runs.
    """

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str | Path, **configure_args: Any) -> None:
        # Flask-Migrate's defaults, then the app's
        defaults = {"compare_type": True, "render_as_batch": True}
        app.extensions["migrate"] = MigrateConfig(db, str(directory), {**defaults, **configure_args})


class MigrateConfig:
    """What `flask_migrate._MigrateConfig` holds: the database, the migrations' folder, the arguments of Alembic's
    `context.configure`, and (made when first asked for) the `Migrate` that reads Alembic's configuration."""

    def __init__(self, db: SQLAlchemy, directory: str, configure_args: dict[str, Any]) -> None:
        self.db = db
        self.directory = directory
        self.configure_args = configure_args
        self._migrate: Migrate | None = None

    @property
    def migrate(self) -> Migrate:
        if self._migrate is None:
            from flask_migrate import Migrate

            self._migrate = Migrate(db=self.db, directory=self.directory, **self.configure_args)
        return self._migrate

    @property
    def metadata(self) -> MetaData:
        return self.db.metadata


db = SQLAlchemy(model_class=Base)
migrate = LazyMigrate()
csrf = CSRFProtect()
cache = Cache()

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "กรุณาเข้าสู่ระบบ (please sign in)"
login_manager.login_message_category = "info"
