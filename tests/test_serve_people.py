"""The production processes never carry one person's request into another's (issue 17, item 1).

`tracker serve` is run here exactly as docs/deployment.md, the systemd unit and the compose file run it, on the demo's
database built by `tracker demo --no-run`, with one and with two workers; people use it over HTTP with cookies, as
browsers do. `tracker scheduler` runs two jobs through its real command, the way Flask's command group starts it
(inside an app context), and the second job finds nothing of the first.
"""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from flask import Flask, g, has_app_context
from sqlalchemy import select

from jobs import schedule, scheduler, work
from tracker import create_app
from tracker.extensions import db
from tracker.models import Organization, User

from .conftest import app_settings
from .factories import _TOKEN
from .test_ops import TRACKER, environment, free_port

PASSWORD = "demo-ita"  # the demo's (tracker/demo.py)
# Pages for nobody signed in: the sign-in (with a password, or LINE), the webhook, and every `public.*` page (O25/O26).
PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.line_start", "auth.line_callback", "line.webhook"}
PROFILE_LINK = re.compile(r'<a href="/profile"[^>]*>([^<]+)</a>')


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> Path:
    """The demo's database, built once by the real command."""
    path = tmp_path_factory.mktemp("serve") / "demo.sqlite3"
    result = subprocess.run([str(TRACKER), "demo", "--no-run"], env=environment(f"sqlite:///{path}"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return path


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer to look at, not to follow
        return None


@dataclass
class Answer:
    status: int
    location: str
    body: str

    @property
    def to_sign_in(self) -> bool:
        return self.status == 302 and urllib.parse.urlsplit(self.location).path == "/login"

    @property
    def signed_in_as(self) -> str | None:
        match = PROFILE_LINK.search(self.body)
        return match.group(1) if match else None


@dataclass
class Browser:
    """One browser: its own cookies, following no redirect by itself."""

    base: str
    cookies: CookieJar = field(default_factory=CookieJar)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects)

    def open(self, path: str, form: dict[str, str] | None = None) -> Answer:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=20) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        # A download (the plan template) is bytes, not a page: read what there is of text in it.
        return Answer(status, headers.get("Location", ""), body.decode(errors="replace"))

    def sign_in(self, username: str) -> Answer:
        match = _TOKEN.search(self.open("/login").body)
        assert match, "no CSRF token on the sign-in page"
        token = next(group for group in match.groups() if group)
        answer = self.open("/login", {"username": username, "password": PASSWORD, "csrf_token": token})
        assert answer.status == 302 and not answer.to_sign_in, (answer.status, answer.body[:500])
        return answer


@dataclass
class Served:
    base: str
    app: Flask  # the same database, read by the test for ids and names

    def name_of(self, username: str) -> str:
        with self.app.app_context():
            return db.session.scalar(select(User.display_name).where(User.username == username))


@pytest.fixture(scope="module", params=[1, 2], ids=["1-worker", "2-workers"])
def served(request, demo_database, tmp_path_factory):
    """`tracker serve` on a copy of the demo's database, as the systemd unit runs it; stopped with SIGTERM.

    Started once a module for each number of workers (an xdist worker that runs some of these tests starts its own),
    and shared by the tests: each opens its own browsers (their own cookie jars) and signs in itself, so none depends
    on another's session or on the order they run in. Starting and stopping gunicorn was most of their time."""
    path = tmp_path_factory.mktemp(f"served-{request.param}") / "tracker.sqlite3"
    shutil.copy(demo_database, path)
    port = free_port()
    server = subprocess.Popen([str(TRACKER), "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(request.param)],
                              env=environment(f"sqlite:///{path}"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    base = f"http://127.0.0.1:{port}"
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{path}"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                Browser(base).open("/login")
                break
            except OSError:  # not listening yet
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "tracker serve did not answer within a minute"
                time.sleep(0.2)
        yield Served(base, app)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = server.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            stdout, stderr = server.communicate()
        with app.app_context():
            db.engine.dispose()
    assert "Traceback" not in stdout + stderr, stdout + stderr
    assert (stdout + stderr).count("Booting worker") >= request.param


def signed_in_pages(app: Flask) -> list[str]:
    """Every page (GET) of the app that is not public, listed from the app's own routes with ids of the demo's rows:
    a page added later is checked without anyone remembering to."""
    from tracker.models import Division, Measure, Task

    with app.app_context():
        values = {
            "task_id": db.session.scalar(select(Task.id).limit(1)),
            "measure_id": db.session.scalar(select(Measure.id).limit(1)),
            "division_id": db.session.scalar(select(Division.id).limit(1)),
            "user_id": db.session.scalar(select(User.id).where(User.username == "clerk-staff")),
            "kind": "xlsx",
        }
        pages = []
        with app.test_request_context():
            from flask import url_for

            for rule in app.url_map.iter_rules():
                if "GET" not in rule.methods or rule.endpoint in PUBLIC_ENDPOINTS \
                        or rule.endpoint.startswith("public."):
                    continue
                if any(values.get(argument) is None for argument in rule.arguments):
                    continue  # no such row in the demo (an evidence file): its page is read the same way as these
                pages.append(url_for(rule.endpoint, **{a: values[a] for a in rule.arguments}))
    assert {"/admin/users", "/audit", "/dashboard", "/tasks", "/profile"} <= set(pages), pages
    return sorted(pages)


@pytest.mark.slow  # `tracker serve`, started once a module for each number of workers
def test_an_anonymous_visitor_after_the_admin_gets_the_sign_in_page_on_every_signed_in_page(served):
    admin, anonymous = Browser(served.base), Browser(served.base)
    admin.sign_in("admin")
    pages = signed_in_pages(served.app)
    for page in pages:
        # The administrator uses the page, then a stranger asks for the same one.
        seen = admin.open(page)
        assert not seen.to_sign_in, f"the admin was asked to sign in again on {page}"
        answer = anonymous.open(page)
        assert answer.to_sign_in, f"{page} answered {answer.status} to an anonymous visitor after the admin"
        assert served.name_of("admin") not in answer.body


@pytest.mark.slow  # `tracker serve`, started once a module for each number of workers
def test_a_colleague_signs_in_after_the_admin_and_sees_only_their_own_pages(served):
    admin, staff = Browser(served.base), Browser(served.base)
    admin.sign_in("admin")
    assert admin.open("/admin/users").status == 200
    staff.sign_in("clerk-staff")  # a CSRF token or sign-in of the admin's would make this a 400
    mine = staff.open("/tasks")
    assert mine.status == 200 and mine.signed_in_as == served.name_of("clerk-staff")
    assert 'href="/admin/users"' not in mine.body
    assert staff.open("/admin/users").status == 403
    assert admin.open("/dashboard").signed_in_as == served.name_of("admin")


@pytest.mark.slow  # `tracker serve`, started once a module for each number of workers
def test_two_hundred_requests_alternating_between_three_people_show_each_only_their_own(served):
    people = {username: Browser(served.base) for username in ("admin", "mayor", "clerk-staff")}
    for username, browser in people.items():
        browser.sign_in(username)
    names = {username: served.name_of(username) for username in people}
    pages = {"admin": ["/tasks", "/dashboard", "/admin/users", "/profile"],
             "mayor": ["/dashboard", "/tasks", "/audit", "/profile"],
             "clerk-staff": ["/tasks", "/profile", "/"]}
    anonymous = Browser(served.base)
    usernames = list(people)
    for number in range(200):
        username = usernames[number % len(usernames)]
        page = pages[username][number // len(usernames) % len(pages[username])]
        answer = people[username].open(page)
        if answer.status == 302:  # "/" sends each person to their own home page
            answer = people[username].open(urllib.parse.urlsplit(answer.location).path)
        assert answer.status == 200, (username, page, answer.status)
        assert answer.signed_in_as == names[username], (username, page, answer.signed_in_as)
        assert ('href="/admin/users"' in answer.body) == (username == "admin"), (username, page)
        if number % 10 == 0:
            assert anonymous.open(page).to_sign_in, page


# --- tracker scheduler ---------------------------------------------------------------------------------------------


def test_each_scheduler_job_runs_in_a_context_of_its_own(app, monkeypatch):
    """Two jobs through `tracker scheduler` as Flask's command group starts it (inside an app context, which the
    `app` fixture holds here): the start-up catch-up and each job see nothing of the command's context or of each
    other: not `g`, not the database session or the rows it loaded."""
    g.left_by_the_command = "outer"
    seen: list[dict] = []
    started: list = []
    done = threading.Event()

    def look(name: str) -> dict:
        session = db.session()
        return {"name": name, "context": has_app_context(), "g": sorted(vars(g)), "session": id(session),
                "rows": len(session.identity_map), "info": dict(session.info)}

    def first() -> None:
        seen.append(look("first"))
        g.person = "admin"
        db.session.info["left_by"] = "first"
        assert db.session.scalars(select(Organization)).all()  # rows now held by this run's session

    def second() -> None:
        seen.append(look("second"))
        done.set()
        started[0].shutdown(wait=False)

    def start_up() -> bool:
        seen.append(look("start-up"))
        g.person = "start-up"
        return False

    soon = datetime.now(UTC)  # an aware time: the scheduler's own zone is Bangkok's
    monkeypatch.setattr(schedule, "jobs", lambda config: [
        schedule.Job("first", first, "date", {"run_date": soon + timedelta(seconds=0.3)}),
        schedule.Job("second", second, "date", {"run_date": soon + timedelta(seconds=1.0)}),
    ])
    monkeypatch.setattr(work, "start_up", start_up)
    build = scheduler.build
    monkeypatch.setattr(scheduler, "build", lambda app: started.append(build(app)) or started[-1])
    watchdog = threading.Timer(30, lambda: started and started[0].shutdown(wait=False))
    watchdog.start()
    try:
        result = app.test_cli_runner().invoke(args=["scheduler"])
    finally:
        watchdog.cancel()
    assert done.is_set(), (result.output, seen)
    assert [run["name"] for run in seen] == ["start-up", "first", "second"]
    for run in seen:
        assert run["context"] and run["g"] == [] and run["rows"] == 0 and run["info"] == {}, run
    assert len({run["session"] for run in seen}) == 3
    assert g.left_by_the_command == "outer"  # the command's own context was left as it was


def test_a_web_worker_refuses_to_boot_inside_an_app_context(app):
    from tracker import serve
    from tracker.processes import SharedContextError

    class Arbiter:  # what gunicorn's post_fork hook is given
        class app:
            application = app

    with pytest.raises(SharedContextError, match="web worker"):
        serve._after_fork(Arbiter, None)
