"""How the long-running processes run: `tracker serve` (gunicorn's arbiter and the workers it forks), `tracker
scheduler` and the demo's web server. Each runs outside every app context the command was started in.

Why: Flask runs a request (or anything that pushes a request context) inside the app context that is already pushed,
if there is one for the same app, instead of pushing its own. Every `tracker` command runs in an app context
(tracker.cli's `with_app` pushes one; Flask's own group does the same for every command of `app.cli`, in
flask/cli.py's `FlaskGroup.get_command`, whether or not the command is `@with_appcontext`), and a forked worker
inherits the arbiter's. So a server started from a command would serve every request of a worker in
that one context: `g` (Flask-Login's signed-in person, the CSRF token) and the database session would be shared by
every request, and an anonymous visitor would get the previous person's pages (issue 17).

The context variables Flask keeps its contexts in belong to a `contextvars.Context`; code run by `Context().run` in
a new, empty one sees no app context at all, and neither does a process forked from it. Each request, job run or
start-up check then pushes its own context and pops it when done.
"""
from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import has_app_context, has_request_context

P = ParamSpec("P")
R = TypeVar("R")


def outside_app_context(run: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Call `run` in a new, empty context: no app or request context of the caller is visible to it, nor to
    processes it forks or threads it starts."""
    return contextvars.Context().run(run, *args, **kwargs)


class SharedContextError(RuntimeError):
    """A long-running process found an app context pushed where none may be."""


def ensure_no_app_context(where: str) -> None:
    """Refuse to go on if an app or request context is pushed: a process about to serve requests or run jobs must
    start from none (see the module's docstring)."""
    if has_app_context() or has_request_context():
        raise SharedContextError(
            f"{where}: an app context is pushed; every request and job would share it (g, the signed-in person, "
            "the database session). Start the server through tracker.processes.outside_app_context.")
