"""Signing in and out, passwords, and the headers every page carries."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.extensions import db
from tracker.models import LoginAttempt

from .factories import PASSWORD, count, login, logout, post_form

OFFICE = "203.0.113.7"  # an office: everyone in it signs in through its router's one address
ELSEWHERE = "198.51.100.20"


def change_password(client, current: str, new: str):
    return post_form(client, "/password", {"current": current, "new": new, "confirm": new}, token_from="/password")


def test_sign_in_lands_on_the_right_home(client, seeded):
    response = login(client, "clerk-head")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/tasks"
    logout(client)
    login(client, "mayor")
    assert client.get("/").headers["Location"] == "/dashboard"


def test_wrong_password_says_so_without_telling_which(client, seeded):
    wrong = login(client, "clerk-head", "nope-nope")
    unknown = login(client, "nobody", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in wrong.get_data(as_text=True)
    assert client.get("/tasks").status_code == 302  # still signed out


def test_guessing_is_slowed_down(client, seeded):
    for _ in range(5):
        assert login(client, "clerk-head", "guess").status_code == 401
    blocked = login(client, "clerk-head")  # even the right password waits now
    assert blocked.status_code == 429 and "15 นาที" in blocked.get_data(as_text=True)
    assert login(client, "finance-head").status_code == 302  # other people are not locked out


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_guessing_many_names_from_one_address_does_not_lock_out_the_office(app, seeded):
    head = from_address(app.test_client(), OFFICE)
    assert login(head, "clerk-head").status_code == 302  # signs in from the office, as every day
    guesser = from_address(app.test_client(), OFFICE)
    statuses = [login(guesser, f"guess-{i}", "wrong-guess").status_code for i in range(25)]
    assert statuses == [401] * 20 + [429] * 5  # other names guessed from the address: slowed down after 20
    newcomer = from_address(app.test_client(), OFFICE)
    assert login(newcomer, "finance-staff").status_code == 429  # right password, but never signed in from here
    assert login(head, "clerk-head").status_code == 302  # signed in from here before: not locked out
    assert login(from_address(app.test_client(), ELSEWHERE), "finance-staff").status_code == 302


def test_a_known_address_keeps_the_per_username_limit(app, seeded):
    office = from_address(app.test_client(), OFFICE)
    assert login(office, "clerk-head").status_code == 302
    logout(office)
    for _ in range(5):
        assert login(office, "clerk-head", "guess").status_code == 401
    assert login(office, "clerk-head").status_code == 429


def test_an_address_is_known_to_an_account_for_30_days_after_a_sign_in_from_it(app, seeded):
    now = datetime.now(UTC)
    db.session.add_all([
        LoginAttempt(username="clerk-head", ip=OFFICE, success=True, at=now - timedelta(days=29)),
        LoginAttempt(username="finance-head", ip=OFFICE, success=True, at=now - timedelta(days=31)),
        LoginAttempt(username="mayor", ip=ELSEWHERE, success=True, at=now - timedelta(days=1)),
        LoginAttempt(username="admin", ip=OFFICE, success=False, at=now - timedelta(days=1)),
        *[LoginAttempt(username=f"guess-{i}", ip=OFFICE, success=False, at=now) for i in range(20)],
    ])
    db.session.commit()
    office = from_address(app.test_client(), OFFICE)
    assert login(office, "finance-head").status_code == 429  # 31 days ago: forgotten
    assert login(office, "mayor").status_code == 429  # known at another address, not this one
    assert login(office, "admin").status_code == 429  # a failure makes no address known
    assert login(office, "clerk-head").status_code == 302


@pytest.mark.parametrize("username", ["mayor", "admin"])
def test_a_stranger_failing_on_purpose_does_not_lock_the_person_out(app, seeded, username):
    stranger = from_address(app.test_client(), ELSEWHERE)
    assert [login(stranger, username, "guess").status_code for _ in range(7)] == [401] * 5 + [429] * 2
    # The person, from another address (one they never signed in from before), signs in at once.
    person = from_address(app.test_client(), OFFICE)
    assert login(person, username).status_code == 302
    logout(person)
    # The stranger's address still waits for that name, even with the right password.
    assert login(stranger, username).status_code == 429
    assert login(stranger, "clerk-head").status_code == 302  # and only for that name


def test_one_name_guessed_from_many_addresses_is_bounded_and_its_usual_address_still_signs_in(app, seeded):
    office = from_address(app.test_client(), OFFICE)
    assert login(office, "mayor").status_code == 302  # the mayor's usual address
    logout(office)
    botnet = [from_address(app.test_client(), f"192.0.2.{i}") for i in range(1, 11)]
    statuses = [login(bot, "mayor", f"guess-{n}").status_code for bot in botnet for n in range(5)]
    # Each address is stopped at 5 failures, and the name at 20 from all of them: 4 addresses' worth, then none.
    assert statuses == [401] * 20 + [429] * 30
    assert count(LoginAttempt, LoginAttempt.username == "mayor", LoginAttempt.success.is_(False)) == 20
    newcomer = from_address(app.test_client(), "192.0.2.200")
    assert login(newcomer, "mayor").status_code == 429  # a new address waits out the window, right password or not
    assert login(office, "mayor").status_code == 302  # the usual one goes on working
    assert login(from_address(app.test_client(), "192.0.2.201"), "clerk-head").status_code == 302  # other names too


def test_deactivated_person_cannot_sign_in_and_is_signed_out(client, seeded):
    login(client, "clerk-staff")
    assert client.get("/tasks").status_code == 200
    seeded.users["clerk-staff"].active = False
    db.session.commit()
    assert client.get("/tasks").status_code == 302
    assert login(client, "clerk-staff").status_code == 401


def test_sign_out(client, seeded):
    login(client, "clerk-head")
    assert logout(client).status_code == 302
    assert client.get("/tasks").status_code == 302


def test_next_only_goes_to_our_own_pages(client, seeded):
    outside = post_form(client, "/login", {"username": "mayor", "password": PASSWORD, "next": "https://evil.example/"},
                        token_from="/login")
    assert outside.headers["Location"] == "/"
    logout(client)
    inside = post_form(client, "/login", {"username": "mayor", "password": PASSWORD, "next": "/audit"},
                       token_from="/login")
    assert inside.headers["Location"] == "/audit"


def test_password_change(client, seeded):
    login(client, "clerk-staff")
    short = change_password(client, PASSWORD, "short")
    assert "อย่างน้อย 8" in short.get_data(as_text=True)
    wrong = change_password(client, "wrong", "a-long-new-pass")
    assert "รหัสผ่านปัจจุบันไม่ถูกต้อง" in wrong.get_data(as_text=True)
    ok = change_password(client, PASSWORD, "a-long-new-pass")
    assert ok.status_code == 302
    db.session.expire_all()
    user = seeded.users["clerk-staff"]
    assert user.check_password("a-long-new-pass") and not user.check_password(PASSWORD)
    assert "a-long-new-pass" not in user.password_hash


def test_login_without_csrf_is_refused(client, seeded):
    response = client.post("/login", data={"username": "mayor", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_session_cookie_and_security_headers(client, seeded):
    response = login(client, "mayor")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/profile")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_a_password_change_ends_other_sessions(app, seeded):
    phone, desktop = app.test_client(), app.test_client()
    login(phone, "clerk-staff")
    login(desktop, "clerk-staff")
    change_password(desktop, PASSWORD, "a-long-new-pass")
    assert desktop.get("/tasks").status_code == 200  # the session that changed it stays signed in
    assert phone.get("/tasks").status_code == 302  # the other one must sign in again
