"""Signing in with LINE on a 360 px phone: the sign-in page's button, LINE's page (the fake LINE Login server on
127.0.0.1, which "signs in" the LINE user the test chose and sends the browser back), the person's own tasks."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.line import login as line_login
from tracker.models import User

from ..fake_line_login import FakeLineLogin
from .conftest import screenshot

WIDTH, HEIGHT = 360, 780
LINE_USER = "U" + "7" * 32


@pytest.fixture
def fake(live_app):
    """The fake LINE Login server, the served app set up to use it, and the clerk's LINE account linked."""
    line_login.forget_keys()
    with FakeLineLogin() as server:
        live_app.config.update(server.settings())
        with live_app.app_context():
            person = db.session.scalar(select(User).where(User.username == "clerk-staff"))
            person.line_user_id = LINE_USER
            db.session.commit()
            db.session.remove()
        server.next_user = LINE_USER
        yield server
        assert server.errors == []


def test_a_person_signs_in_with_line_on_a_phone(live_app, new_page, fake):
    base = live_app.config["BASE_URL"]
    page = new_page(WIDTH, HEIGHT)
    page.goto(f"{base}/login")
    button = page.get_by_role("link", name="เข้าสู่ระบบด้วย LINE")
    assert button.is_visible()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["x"] + box["width"] <= WIDTH
    screenshot(page, "login-with-line-phone", full_page=False)
    button.click()
    page.wait_for_url(f"{base}/tasks")
    assert page.locator("h1").first.inner_text().startswith("งานของฉัน")
    assert [r["path"] for r in fake.requests] == ["/oauth2/v2.1/authorize", "/oauth2/v2.1/token"]


def test_a_forged_state_is_refused_with_the_reason_in_thai(live_app, new_page, fake):
    base = live_app.config["BASE_URL"]
    fake.forge_state = "made-up-by-someone-else"
    page = new_page(WIDTH, HEIGHT)
    page.goto(f"{base}/login")
    page.get_by_role("link", name="เข้าสู่ระบบด้วย LINE").click()
    page.wait_for_url(f"{base}/login/line/callback*")
    assert line_login.REFUSED in page.locator(".flash").inner_text()
    assert page.get_by_label("รหัสผ่าน").is_visible()
    page.goto(f"{base}/tasks")
    assert "/login" in page.url  # nothing signed in
    assert fake.token_requests() == []
