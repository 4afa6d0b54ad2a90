"""Signing in with LINE on a 360 px phone: the sign-in page's button, LINE's page (the fake LINE Login server on
127.0.0.1, which "signs in" the LINE user the test chose and sends the browser back), the person's own tasks."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.line import login as line_login
from tracker.models import User

from ..fake_line_login import FakeLineLogin
from .conftest import screenshot

WIDTH, HEIGHT = 360, 780
LINE_USER = "U" + "7" * 32
# Each sign-in page is opened with wait_until="networkidle": the browser asks for /favicon.ico after the page, and that
# answer (a 404 that still sets the session cookie) landing after the button's /login/line would overwrite the cookie
# holding the attempt. A person never taps that fast; a test does.


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
    page.goto(f"{base}/login", wait_until="networkidle")
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
    page.goto(f"{base}/login", wait_until="networkidle")
    page.get_by_role("link", name="เข้าสู่ระบบด้วย LINE").click()
    page.wait_for_url(f"{base}/login/line/callback*")
    assert line_login.REFUSED in page.locator(".flash").inner_text()
    assert page.get_by_label("รหัสผ่าน").is_visible()
    page.goto(f"{base}/tasks")
    assert "/login" in page.url  # nothing signed in
    assert fake.token_requests() == []


def _refused_on_the_sign_in_page(page, base: str) -> None:
    """The sign-in page says in Thai that signing in with LINE failed, the password form beside it; nobody is signed
    in."""
    page.wait_for_url(f"{base}/login/line/callback*")
    assert line_login.REFUSED in page.locator(".flash").inner_text()
    assert page.get_by_label("รหัสผ่าน").is_visible()
    page.goto(f"{base}/tasks")
    assert "/login" in page.url  # nothing signed in


def test_a_replayed_code_is_refused(live_app, new_page, fake):
    """A code LINE gave once and the app spent, brought back with a fresh attempt's state: LINE refuses it."""
    base = live_app.config["BASE_URL"]
    first = new_page(WIDTH, HEIGHT)
    first.goto(f"{base}/login", wait_until="networkidle")
    first.get_by_role("link", name="เข้าสู่ระบบด้วย LINE").click()
    first.wait_for_url(f"{base}/tasks")
    [spent] = fake.codes
    fake.reuse_code = spent
    page = new_page(WIDTH, HEIGHT)  # another browser: the one who caught the code
    page.goto(f"{base}/login", wait_until="networkidle")
    page.get_by_role("link", name="เข้าสู่ระบบด้วย LINE").click()
    _refused_on_the_sign_in_page(page, base)
    assert len(fake.token_requests()) == 2 and fake.codes[spent]["used"]


@pytest.mark.parametrize("claims", [
    pytest.param({"aud": "1659999999"}, id="an ID token for another channel"),
    pytest.param({"exp": int(time.time()) - 120, "iat": int(time.time()) - 3720}, id="an expired ID token"),
])
def test_an_id_token_that_is_not_this_channels_or_expired_is_refused(live_app, new_page, fake, claims):
    base = live_app.config["BASE_URL"]
    fake.claims = claims
    page = new_page(WIDTH, HEIGHT)
    page.goto(f"{base}/login", wait_until="networkidle")
    page.get_by_role("link", name="เข้าสู่ระบบด้วย LINE").click()
    _refused_on_the_sign_in_page(page, base)
    assert len(fake.token_requests()) == 1  # LINE was asked, and what it answered was refused


def test_an_organizations_own_channel_signs_its_person_in_from_its_sign_in_address(live_app, new_page, fake):
    """A deployment of several agencies with only their own LINE Login channels: the bare sign-in page has no LINE
    button; the organization's address (`?org=<id>`) has one, and it signs in with the organization's channel."""
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        organization_id = db.session.scalar(select(User.organization_id).where(User.username == "clerk-staff"))
        db.session.remove()
    fake.add_channel("1651000001", "a1" * 16)
    live_app.config.update(LINE_LOGIN_CHANNEL_ID=None, LINE_LOGIN_CHANNEL_SECRET=None, LINE_CHANNELS={
        str(organization_id): {"login_channel_id": "1651000001", "login_channel_secret": "a1" * 16}})
    page = new_page(WIDTH, HEIGHT)
    page.goto(f"{base}/login", wait_until="networkidle")
    assert page.get_by_role("link", name="เข้าสู่ระบบด้วย LINE").count() == 0
    page.goto(f"{base}/login?org={organization_id}", wait_until="networkidle")
    page.get_by_role("link", name="เข้าสู่ระบบด้วย LINE").click()
    page.wait_for_url(f"{base}/tasks")
    assert fake.requests[0]["query"]["client_id"] == "1651000001"
    assert fake.token_requests()[0]["form"]["client_id"] == "1651000001"
