"""Thin blueprints: each reads through the domain modules and renders a template."""
from __future__ import annotations

import logging
import sqlite3
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.routing import IntegerConverter, ValidationError

from .. import clock, evidence, labels, progress
from ..access import Action, Refused, can
from ..auth import session_user
from ..errors import DomainError
from ..extensions import db, login_manager
from ..faults import DatabaseFault, database_fault
from ..models import AuditAction, Evidence, Task, TaskStatus, User
from ..organization import work_calendar
from ..plans.current import NoSuchPlan, YearChoice, year_choice
from ..progress import TaskState
from ..thai import format_date, is_plausible_be_year
from ..workdays import WorkCalendar
from .resend import refused_form

log = logging.getLogger(__name__)

# No inline script or style anywhere, and nothing from another origin: the strictest policy the pages allow.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a whole number an id column holds on every database the app runs on (the models'
    Integer: 32 bits, signed, on PostgreSQL; SQLite takes up to 64). A larger one is not found, never an overflow
    in the database driver (PostgreSQL answers "integer out of range", SQLite's driver refuses past 2**63 - 1)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(*args, **kwargs)


class FiscalYearConverter(IntegerConverter):
    """`<fiscal_year:…>`: a fiscal year in an address, a Buddhist-era year a plan can be dated in
    (`thai.is_plausible_be_year`); any other number is not found before a view makes dates of it (the fiscal year
    0 would begin in 544 BC, which `date` cannot hold)."""

    def to_python(self, value: str) -> int:
        year = super().to_python(value)  # digits only; thousands of them are refused too (ValidationError)
        if not is_plausible_be_year(year):
            raise ValidationError()
        return year


def safe_next(target: str | None) -> str | None:
    """Where a form or the sign-in returns to (`next`): a path of this site only, never another host (an open
    redirect would make a phishing link look like ours). `//host` and `/\\host` are other hosts to a browser."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def calendar() -> WorkCalendar:
    """Return the signed-in person's organization's working-day calendar, loaded once per request."""
    if "work_calendar" not in g:
        g.work_calendar = work_calendar(current_user.organization_id)
    return g.work_calendar


def requested_year() -> YearChoice:
    """The plan a page shows: the fiscal year asked for (?year=2570), or the current one; 404 for a year without a
    plan. My tasks, the division board and the dashboard switch years the same way."""
    try:
        return year_choice(current_user.organization_id, clock.today(), request.args.get("year", type=int))
    except NoSuchPlan:
        abort(404)


def task_state(task: Task) -> TaskState:
    """Say where a task stands today, in working days of the organization's calendar (tracker.progress)."""
    return progress.task_state(task, clock.today(), calendar())


def send_evidence_file(item: Evidence, file_id: int | None = None) -> Response:
    """Send one stored file of an evidence item: the file of that id, or (no id: the addresses made before a piece
    could hold several files) its first; 404 when it has no such file (a link, another piece's file) or the file is
    gone. The caller has checked who may read the item. Always a download, never rendered inline: an uploaded file
    must not run in our origin."""
    found = [f for f in item.files if file_id is None or f.id == file_id]
    if not found:
        abort(404)
    file = found[0]
    path = evidence.path_of(file.file_path)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=file.content_type, as_attachment=True, download_name=file.file_name)


def register(app: Flask) -> None:
    """Register blueprints, sign-in, error pages, security headers and what every template uses."""
    from . import (
        admin,
        audit,
        auth,
        dashboard,
        divisions,
        imports,
        line,
        measures,
        next_year,
        public,
        reminders,
        reports,
        reviews,
        tasks,
    )

    # Before any route is added: a rule finds its converters when it is added.
    app.url_map.converters.update(int=RowIdConverter, fiscal_year=FiscalYearConverter)
    for module in (auth, tasks, divisions, measures, dashboard, imports, admin, audit, reminders, line, public,
                   reports, next_year, reviews):
        app.register_blueprint(module.bp)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    _template_helpers(app)
    app.after_request(security_headers)
    _error_pages(app)


def load_user(session_token: str) -> User | None:
    """Return the person whose server-side session the cookie names (Flask-Login's session value, or its remember
    cookie, which is never set): None once that session was ended or expired, or the account switched off."""
    return session_user(session_token)


def be_date(value: date | datetime | None, long: bool = False, time: bool = True) -> str:
    """A date (or a stored instant, in local time, with its time unless `time` is false) in the Buddhist Era with a
    Thai month name."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = clock.local(value)
        if not time:
            return format_date(moment.date(), long=long)
        return f"{format_date(moment.date(), long=long)} {moment:%H:%M} น."
    return format_date(value, long=long)


def _template_helpers(app: Flask) -> None:
    app.add_template_filter(be_date, "be_date")
    # The Thai label of a value, from the one catalogue: {{ task.status|label }}.
    app.add_template_filter(labels.label, "label")
    # Globals, not a context processor: macros imported from _macros.html see globals only.
    app.jinja_env.globals.update(
        {
            # Templates show only what a person may use, asking the same rules the routes check again.
            "can": lambda action, obj=None: can(current_user, Action(action), obj),
            "labels": labels,  # labels.of(AuditAction, event.action) for values stored as text
            "AuditAction": AuditAction,
            "TaskStatus": TaskStatus,
            "task_state": task_state,  # its words: labels.state_text(state)
            "today": lambda: clock.today(),  # looked up per call, so tests can fix the date
        }
    )


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _error_page(status: int, message: str | None = None) -> tuple[str, int]:
    return render_template(f"errors/{status}.html", message=message), status


def _server_error(error: Exception) -> ResponseReturnValue:
    original = getattr(error, "original_exception", None)  # what Flask's 500 stands for
    fault = database_fault(original) if isinstance(original, BaseException) else None
    if fault is not None:  # a database fault that came wrapped in another error
        return _busy(fault)
    db.session.rollback()
    return _error_page(500)


def _database_error(error: Exception) -> ResponseReturnValue:
    """A database error reaching the top of a request: 503 when the database cannot be used now (locked, read-only,
    full, unreachable, not built); any other (a constraint broken, a bad statement) is a bug: the 500 page."""
    fault = database_fault(error)
    if fault is None:
        raise error
    return _busy(fault)


def _busy(fault: DatabaseFault) -> ResponseReturnValue:
    """"The system is busy, try again shortly": 503 with Retry-After, nothing of the request kept, one line in the log.
    The page reads nothing from the database: a template of its own, rendered without the context processors (Flask-
    Login's would load the person signed in, from the database that just failed)."""
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone too; the session starts afresh on the next request
        log.warning("rollback after a database fault failed", exc_info=True)
    log.warning("%s %s answered 503: %s", request.method, request.path, fault.message)
    headers = {"Retry-After": str(fault.retry_after), "Cache-Control": "no-store"}
    page = current_app.jinja_env.get_template("errors/503.html").render()
    return page, 503, headers


def _forbidden(error: Exception) -> tuple[str, int]:
    # access.require's refusal says what was tried and who may (access.REASONS); any other 403 only that it is one.
    return _error_page(403, error.reason if isinstance(error, Refused) else None)


def _error_pages(app: Flask) -> None:
    for status in (400, 404, 413):
        app.register_error_handler(status, lambda e, status=status: _error_page(status))
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(CSRFError, refused_form)  # what was typed comes back, with a way to send it again
    app.register_error_handler(
        DomainError, lambda e: _error_page(e.status if e.status in (400, 403, 404, 413) else 400, e.message)
    )
    for database_error in (sa_exc.DBAPIError, sa_exc.DisconnectionError, sqlite3.Error):
        app.register_error_handler(database_error, _database_error)
    app.register_error_handler(500, _server_error)
