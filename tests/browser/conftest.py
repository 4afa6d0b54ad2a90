"""Browser tests: the app served on 127.0.0.1 by a real server thread, driven by Debian's Chromium through Playwright.

No browser is downloaded: Playwright launches the system Chromium (`CHROMIUM_PATH`, default /usr/bin/chromium).
Screenshots go to test-artifacts/screenshots (ignored by git) for a person to look at.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tracker.extensions import db

from ..conftest import ROOT, app_on_copy, close_database
from ..factories import find_seeded

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
    thread.join(timeout=5)
    with app.app_context():
        close_database()


@pytest.fixture
def new_page(browser):
    """Open a fresh browser context (its own cookies) with a given viewport width."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="th-TH")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, base: str, username: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto(f"{base}/login")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:
    """Write a full-page screenshot for a person to check (not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
