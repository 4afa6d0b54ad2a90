"""Sessions on the server: the cookie names a UserSession row, so signing out, a new password and deactivation end
it for every copy of the cookie, and sessions expire after their idle time and lifetime."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from tracker import auth, clock
from tracker.access import Refused
from tracker.extensions import db
from tracker.models import Source, UserSession

from .factories import PASSWORD, count, events, login, logout, post_form, signed_in

NEW_PASSWORD = "another-horse-77"
START = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 08:30 in Bangkok, a Monday morning


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (as if stolen or copied off a shared computer)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def cookie_data(app, client) -> dict:
    """What the signed session cookie holds."""
    return app.session_interface.get_signing_serializer(app).loads(client.get_cookie("session").value)


def forged(app, data: dict):
    """A browser with a session cookie signed with the real key (the worst case: the secret key leaked)."""
    client = app.test_client()
    client.set_cookie("session", app.session_interface.get_signing_serializer(app).dumps(data))
    return client


def sessions_of(user) -> list[UserSession]:
    return db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()


def signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture
def at(monkeypatch):
    """`at(hours=…, minutes=…)` sets the clock to that long after START."""
    def move(**elapsed) -> datetime:
        moment = START + timedelta(**elapsed)
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    move()
    return move


# --- signing out -----------------------------------------------------------------------------------------------------


def test_a_copied_cookie_stops_working_after_signing_out(app, client, seeded):
    login(client, "clerk-head")
    thief = copy_of(app, client)
    assert thief.get("/tasks").status_code == 200  # the copy works while the session lives (that is what a cookie is)
    assert logout(client).status_code == 302
    assert signed_out(thief.get("/tasks"))
    assert signed_out(client.get("/tasks"))
    assert sessions_of(seeded.users["clerk-head"]) == []
    assert [event.actor_id for event in events("user.sign_out")] == [seeded.users["clerk-head"].id]


def test_signing_out_ends_only_that_browsers_session(app, seeded):
    phone, desktop = signed_in(app, "clerk-staff"), signed_in(app, "clerk-staff")
    logout(phone)
    assert desktop.get("/tasks").status_code == 200
    assert len(sessions_of(seeded.users["clerk-staff"])) == 1


def test_the_cookie_names_a_random_session_stored_hashed(app, client, seeded):
    login(client, "mayor")
    token = cookie_data(app, client)["_user_id"]
    mayor = seeded.users["mayor"]
    assert str(mayor.id) not in token.split(":") and len(token) >= 43  # 32 random bytes, not the person's id
    (row,) = sessions_of(mayor)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    assert row.ip == "127.0.0.1" and row.user_agent.startswith("Werkzeug")
    login(app.test_client(), "mayor")
    assert len({s.token_hash for s in sessions_of(mayor)}) == 2  # each sign-in its own session


def test_a_cookie_naming_a_person_or_an_old_session_does_not_sign_in(app, client, seeded):
    mayor = seeded.users["mayor"]
    login(client, "mayor")
    token = cookie_data(app, client)["_user_id"]
    logout(client)
    for user_id in (str(mayor.id), f"{mayor.id}:0123456789abcdef", token):  # the old cookie's form; a dead session
        assert signed_out(forged(app, {"_user_id": user_id, "_fresh": True}).get("/dashboard"))


def test_a_remember_me_cookie_cannot_bring_a_session_back(app, client, seeded):
    response = login(client, "mayor")
    assert "remember_token" not in response.headers.get("Set-Cookie", "")  # never set
    token = cookie_data(app, client)["_user_id"]
    # Flask-Login reads a remember cookie (signed with the real key) through the same loader: while the session
    # lives, it is worth what the session cookie is; once the session ended, nothing.
    alive = app.test_client()
    alive.set_cookie("remember_token", encode_cookie(token))
    assert alive.get("/dashboard").status_code == 200
    logout(client)
    thief = app.test_client()
    thief.set_cookie("remember_token", encode_cookie(token))
    assert signed_out(thief.get("/dashboard"))


# --- passwords and deactivation --------------------------------------------------------------------------------------


def change_password(client, current: str, new: str):
    return post_form(client, "/password", {"current": current, "new": new, "confirm": new}, token_from="/password")


def test_a_password_change_ends_other_sessions_and_renews_this_one(app, seeded):
    phone, desktop = signed_in(app, "clerk-staff"), signed_in(app, "clerk-staff")
    copy_of_desktop = copy_of(app, desktop)
    assert change_password(desktop, PASSWORD, NEW_PASSWORD).status_code == 302
    assert desktop.get("/tasks").status_code == 200  # the browser that changed it stays signed in
    assert signed_out(phone.get("/tasks"))
    assert signed_out(copy_of_desktop.get("/tasks"))  # it was given a new session: an old copy of its cookie is dead
    assert len(sessions_of(seeded.users["clerk-staff"])) == 1


def test_an_administrators_password_reset_ends_the_persons_sessions(app, client, seeded):
    staff = signed_in(app, "clerk-staff")
    login(client, "admin")
    person = seeded.users["clerk-staff"]
    response = post_form(client, f"/admin/users/{person.id}/password",
                         {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_out(staff.get("/tasks"))
    assert sessions_of(person) == []
    assert client.get("/admin/users").status_code == 200  # the administrator's own session is untouched


def test_switching_an_account_off_ends_its_sessions_for_good(app, seeded):
    staff = signed_in(app, "clerk-staff")
    person = seeded.users["clerk-staff"]
    person.active = False
    db.session.commit()
    assert sessions_of(person) == []
    person.active = True  # switched on again: the old cookie does not come back to life
    db.session.commit()
    assert signed_out(staff.get("/tasks"))
    assert login(staff, "clerk-staff").status_code == 302


def test_other_changes_to_a_person_keep_their_sessions(app, seeded):
    staff = signed_in(app, "clerk-staff")
    person = seeded.users["clerk-staff"]
    person.display_name = "ชื่อใหม่"
    person.active = True  # set to what it already was
    db.session.commit()
    assert staff.get("/tasks").status_code == 200


# --- expiry ----------------------------------------------------------------------------------------------------------


def test_a_session_ends_after_its_idle_time(app, client, seeded, at):
    assert app.config["SESSION_IDLE_HOURS"] == 4
    login(client, "clerk-head")
    at(hours=3, minutes=59)
    assert client.get("/tasks").status_code == 200  # used: idle time counts again from here
    at(hours=7, minutes=55)
    assert client.get("/tasks").status_code == 200
    at(hours=11, minutes=56)
    assert signed_out(client.get("/tasks"))  # 4 hours and a minute unused
    assert login(client, "clerk-head").status_code == 302


def test_a_session_ends_after_its_lifetime_however_busy(app, client, seeded, at):
    assert app.config["SESSION_LIFETIME_HOURS"] == 12
    login(client, "clerk-head")
    for hours in range(1, 12):
        at(hours=hours)
        assert client.get("/tasks").status_code == 200
    at(hours=11, minutes=59)
    assert client.get("/tasks").status_code == 200
    at(hours=12)
    assert signed_out(client.get("/tasks"))


def test_the_idle_time_is_a_setting(app, client, seeded, at):
    app.config["SESSION_IDLE_HOURS"] = 0.5
    login(client, "clerk-head")
    at(minutes=31)
    assert signed_out(client.get("/tasks"))


def test_use_is_written_down_at_most_every_few_minutes(app, client, seeded, at):
    login(client, "clerk-head")
    (row,) = sessions_of(seeded.users["clerk-head"])
    at(minutes=4)
    client.get("/tasks")
    db.session.refresh(row)
    assert row.last_seen_at == START  # no write for a request so soon after the last one
    later = at(minutes=6)
    client.get("/tasks")
    db.session.refresh(row)
    assert row.last_seen_at == later and row.created_at == START
    assert auth.TOUCH_EVERY == timedelta(minutes=5)


def test_expired_sessions_are_deleted_at_the_next_sign_in(app, seeded, at):
    idle = signed_in(app, "clerk-head")
    at(hours=3, minutes=59)
    busy = signed_in(app, "finance-head")
    at(hours=4)
    assert signed_out(idle.get("/tasks"))
    assert count(UserSession) == 2  # refused, still there
    signed_in(app, "mayor")  # any sign-in sweeps away every expired session
    assert {s.user_id for s in db.session.scalars(select(UserSession))} == {
        seeded.users["finance-head"].id, seeded.users["mayor"].id}
    assert busy.get("/tasks").status_code == 200


def test_the_session_verbs_are_a_persons_own_and_an_active_accounts(app, seeded):
    staff, head = seeded.users["clerk-staff"], seeded.users["clerk-head"]
    auth.record_sign_in(staff, source=Source.WEB)
    auth.start_session(staff, "192.0.2.1", "test")
    assert events("user.sign_in")[-1].actor == staff
    head.active = False
    db.session.flush()
    for verb in (lambda: auth.record_sign_in(head, source=Source.WEB),
                 lambda: auth.start_session(head, "192.0.2.1", "test"),
                 lambda: auth.end_session(head, source=Source.WEB)):
        with pytest.raises(Refused):
            verb()
