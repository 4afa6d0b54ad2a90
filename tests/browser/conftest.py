"""Browser tests: the app served on 127.0.0.1 by a real server thread, driven by Debian's Chromium through Playwright.

No browser is downloaded: Playwright launches the system Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium).
Screenshots go to test-artifacts/screenshots (ignored by git) for a person to look at.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import flask
import pytest
from werkzeug.serving import make_server

from tracker.extensions import db

from ..conftest import ROOT, app_on_copy, close_database
from ..factories import find_seeded, login

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Flags for a closed network and a root user: without them Chromium keeps trying Google's hosts and refuses to run.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items) -> None:
    """Every browser test is `slow` (pyproject.toml): `pytest -m "not slow"` leaves them out, `pytest` runs them."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(seeded_template, tmp_path):
    """An app on its own copy of the seeded database (the seed plan and a person per role), served on a free port of
    127.0.0.1."""
    app = app_on_copy(seeded_template.path, tmp_path / "live.sqlite3", UPLOAD_FOLDER=str(tmp_path / "uploads"))
    app.after_request(cache_static_as_nginx_does)
    with app.app_context():
        seeded = find_seeded(seeded_template.organization)
        clerk_tasks = seeded.tasks_of(seeded.clerk)
        ids = {"clerk_tasks": [t.id for t in clerk_tasks],
               "finance_tasks": [t.id for t in seeded.tasks_of(seeded.finance)],
               "clerk_division": seeded.clerk.id, "clerk_measure": clerk_tasks[0].measure_id}
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Polled for shutdown every 50 ms, not every 0.5 s: shutdown() waits for the next poll.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app.config["TEST_IDS"] = ids
    yield app
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    with app.app_context():
        close_database()


def cache_static_as_nginx_does(response):
    """Static files with the lifetimes deploy/nginx.conf gives them (fonts a year, CSS and JavaScript an hour), as
    production serves them: a browser opens a second page without asking for every file again (without this,
    Flask's `no-cache` had Chromium revalidate the CSS, the scripts and the fonts on every page: 9 requests a page)."""
    if flask.request.path.startswith("/static/") and response.status_code == 200:
        response.cache_control.no_cache = None
        response.cache_control.public = True
        if flask.request.path.startswith("/static/fonts/"):
            response.cache_control.max_age, response.cache_control.immutable = 365 * 24 * 3600, True
        else:
            response.cache_control.max_age = 3600
    return response


@pytest.fixture(scope="session")
def user_agent(browser) -> str:
    """The User-Agent the browser sends (asked of the browser itself, without opening a page): a session started for
    it is the browser's own (tracker.auth keeps it)."""
    session = browser.new_browser_cdp_session()
    try:
        return session.send("Browser.getVersion")["userAgent"]
    finally:
        session.detach()


def session_cookie(app, username: str, user_agent: str) -> dict:
    """Sign `username` in through the real form (CSRF token, password, server-side session), from 127.0.0.1 with the
    browser's User-Agent, and return the session cookie it set, for a browser context to carry."""
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": user_agent})
    response = login(client, username)
    assert response.status_code == 302, f"{username} could not sign in: {response.status_code}"
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return {"name": cookie.key, "value": cookie.value, "domain": "127.0.0.1", "path": cookie.path or "/",
            "httpOnly": cookie.http_only, "secure": cookie.secure, "sameSite": (cookie.same_site or "Lax").title()}


@pytest.fixture
def new_page(browser, request):
    """Open a fresh browser context (its own cookies) with a given viewport width; `signed_in_as` a username: already
    signed in as that person (a session of its own, as a second device's is), without going through the form in the
    browser, for the tests that are not about signing in."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900, *, signed_in_as: str | None = None):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH")
        contexts.append(context)
        page = context.new_page()
        if signed_in_as:
            give_session(page, request.getfixturevalue("live_app"), request.getfixturevalue("user_agent"), signed_in_as)
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def give_session(page, app, user_agent: str, username: str) -> None:
    """Make the page's browser context signed in as `username` and nothing else (any cookie it had is gone): a new
    session, as if the person had signed in on this device."""
    page.context.clear_cookies()
    page.context.add_cookies([session_cookie(app, username, user_agent)])


def sign_in(page, base: str, username: str, password: str) -> None:
    """Sign in through the form, as a person would (the tests about signing in; others use `signed_in_as`)."""
    page.goto(f"{base}/login")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_load_state()


# Each element's box, as Locator.bounding_box gives it (CSS px from the viewport's top left), and whether it is
# visible, as Locator.is_visible has it (rendered, not visibility:hidden, a box of some size): for all the elements
# of a locator in one round trip to the browser, not three an element.
BOXES = """elements => elements.map((element) => {
  const box = element.getBoundingClientRect();
  const visible = element.checkVisibility() && getComputedStyle(element).visibility === "visible"
    && box.width > 0 && box.height > 0;
  return {x: box.x, y: box.y, width: box.width, height: box.height, visible};
})"""


def boxes(locator) -> list[dict]:
    """The box and visibility of every element `locator` matches (see BOXES), in document order."""
    return locator.evaluate_all(BOXES)


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Write a screenshot for a person to check (not committed): the whole page, or with `full_page=False` what the
    screen shows (a whole long page costs several times as much to capture)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
