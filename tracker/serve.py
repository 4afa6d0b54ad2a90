"""`tracker serve`: the app under gunicorn, run in this process (gunicorn's BaseApplication), so that the web workers
serve the very app `create_app` assembled from the same settings as every other `tracker` command.

The app is built once, in the arbiter, before the workers are forked from it: a bad setting or an unbuilt database
stops the service at start with one line, and a generated SECRET_KEY is the same in every worker. Sync workers, one
request at a time each: nginx in front buffers slow clients (deploy/nginx.conf), so a worker is never held by a
phone on a weak connection. The arbiter, and so every worker forked from it, runs outside every app context
(tracker/processes.py): a context inherited by a worker would be every request's, the signed-in person included.
The scheduler never runs here (APScheduler runs in `tracker scheduler`, its own process:
each web worker would otherwise run every job).
"""
from __future__ import annotations

import importlib
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from sqlalchemy.pool import NullPool

from .extensions import db
from .processes import ensure_no_app_context, outside_app_context

# A request may take this long before its worker is killed and replaced: an XLSX plan import of 5,000 rows, the
# longest request, takes a few seconds; a worker stuck for a minute is stuck for good.
TIMEOUT_SECONDS = 60
# On stop (SIGTERM, `systemctl stop`) or reload (SIGHUP), requests under way get this long to finish. The unit's
# TimeoutStopSec is longer, so systemd never kills a worker that is finishing a request.
GRACEFUL_TIMEOUT_SECONDS = 30
# What the app imports only when first used, so that `tracker` starts fast (the LINE SDK: a webhook's reply; openpyxl:
# a plan or a report in XLSX; holidays: the working days a page counts). The web will use them: imported once in the
# arbiter, every worker has them from the fork and no request pays for the import.
PRELOAD = ("linebot.v3.messaging", "openpyxl", "holidays")


def default_workers(cores: int | None = None) -> int:
    """2 × CPU cores + 1, gunicorn's advice for sync workers: while one waits on the database, the disk or LINE,
    another uses the core. (5 on the 2-core machine a municipality typically has, about 70 MB each.)"""
    return 2 * (cores or os.cpu_count() or 1) + 1


def options(app: Flask, bind: str | None = None, workers: int | None = None) -> dict[str, Any]:
    """gunicorn's settings for this app: the command's options, else the settings BIND and WEB_WORKERS."""
    return {
        "bind": [bind or app.config["BIND"]],
        "workers": workers or app.config["WEB_WORKERS"] or default_workers(),
        "worker_class": "sync",
        "timeout": TIMEOUT_SECONDS,
        "graceful_timeout": GRACEFUL_TIMEOUT_SECONDS,
        "accesslog": "-",  # stdout, where systemd's journal (or `docker compose logs`) collects it
        "errorlog": "-",
        "proc_name": "tracker-web",
        # gunicorn reads X-Forwarded-Proto only from these addresses; the app reads the forwarded headers itself, as
        # PROXY_COUNT says (tracker/__init__.py), so gunicorn is told to trust no one and never acts on them first.
        "forwarded_allow_ips": "",
        # gunicorn 25's control socket would be a file in the service user's home, which the unit keeps read-only;
        # `systemctl reload` (SIGHUP) and `systemctl restart` are how this service is managed.
        "control_socket_disable": True,
        "post_fork": _after_fork,
    }


def _after_fork(server: Any, worker: Any) -> None:
    # A worker must not share the arbiter's database connections (one socket used by two processes): the pool the
    # worker inherited is forgotten without closing them, and the worker opens its own.
    ensure_no_app_context("web worker")  # a worker that would share one context between requests does not boot
    app = server.app.application
    with app.app_context():
        if not isinstance(db.engine.pool, NullPool):
            db.engine.dispose(close=False)


class Server(BaseApplication):
    """gunicorn's arbiter serving one Flask app that is already built."""

    def __init__(self, application: Flask, settings: dict[str, Any]) -> None:
        self.application = application
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        assert self.cfg is not None
        for name, value in self.settings.items():
            if name in self.cfg.settings:  # a setting an older gunicorn lacks (the control socket) is left out
                self.cfg.set(name, value)

    def load(self) -> Any:  # the WSGI callable (gunicorn's stubs type it more narrowly than Flask's __call__ reads)
        return self.application


def run(app: Flask, bind: str | None = None, workers: int | None = None) -> None:
    """Serve the app until stopped (SIGTERM or SIGINT: graceful; SIGHUP: new workers)."""
    with app.app_context():
        db.engine.dispose()  # nothing of the arbiter's own is left open for the workers to inherit
    for module in PRELOAD:
        importlib.import_module(module)
    outside_app_context(_arbiter, Server(app, options(app, bind, workers)))


def _arbiter(server: Server) -> None:
    ensure_no_app_context("tracker serve")
    server.run()
