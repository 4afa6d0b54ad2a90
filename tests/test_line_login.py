"""Signing in with LINE (tracker/line/login.py): LINE Login's code flow with PKCE, state and nonce, against a fake LINE
Login server on 127.0.0.1 (tests/fake_line_login.py). The test client follows the redirects by hand: to the fake's
authorization page, and back to the app's callback with the code and state the fake gives."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3

from tracker.extensions import db
from tracker.line import login as line_login
from tracker.models import AuditAction, Source

from .factories import csrf_token, events, login, other_organization
from .fake_line_login import FakeLineLogin

LINE_USER = "U" + "4" * 32
PERSON = "clerk-staff"


@pytest.fixture
def fake(app):
    """A fake LINE Login server, the app set up to use it, and the keys LINE published forgotten between tests."""
    line_login.forget_keys()
    with FakeLineLogin() as server:
        app.config.update(server.settings(), LINE_TIMEOUT_SECONDS=2.0)
        server.next_user = LINE_USER
        yield server
        assert server.errors == []
    line_login.forget_keys()


@pytest.fixture
def person(seeded):
    """The seeded clerk-staff, their LINE account linked (as the Official Account's account link would)."""
    user = seeded.users[PERSON]
    user.line_user_id = LINE_USER
    db.session.commit()
    return user


def authorize(client, **query) -> str:
    """Press the button: the app's redirect to LINE, then LINE's (the fake's) back; return the callback URL's path
    and query, as the browser would open it."""
    start = client.get("/login/line", query_string=query)
    assert start.status_code == 302, start.status_code
    answer = urllib3.request("GET", start.headers["Location"], redirect=False, timeout=5)
    assert answer.status == 302, answer.data
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/login/line/callback"
    return f"{back.path}?{back.query}"


def callback_query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def signed_out(client) -> bool:
    """Nothing is signed in: a page behind sign-in sends the browser to the sign-in page."""
    response = client.get("/tasks")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def refused(response, words: str = line_login.REFUSED, status: int = 400) -> bool:
    page = response.get_data(as_text=True)
    return response.status_code == status and words in page and 'name="password"' in page


def test_a_linked_person_signs_in_with_line(client, fake, person):
    callback = authorize(client)
    request = fake.requests[0]["query"]
    assert request["scope"] == "openid profile" and request["code_challenge_method"] == "S256"
    assert request["redirect_uri"] == "http://localhost/login/line/callback"
    assert request["nonce"] and request["state"] and len(request["code_challenge"]) == 43
    response = client.get(callback)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/tasks")
    assert page.status_code == 200 and "งานของฉัน" in page.get_data(as_text=True)
    [event] = events(AuditAction.USER_SIGN_IN.value)
    assert event.actor_id == person.id and event.source is Source.LINE
    [token_call] = fake.token_requests()
    assert token_call["form"]["client_secret"] == fake.secret and token_call["form"]["code_verifier"]
    assert token_call["form"]["redirect_uri"] == request["redirect_uri"]


def test_next_is_kept_through_line_and_only_a_path_of_this_site(client, fake, person):
    assert client.get(authorize(client, next="/profile")).headers["Location"] == "/profile"
    client.post("/logout", data={"csrf_token": _token(client)})
    assert client.get(authorize(client, next="https://evil.example/")).headers["Location"] == "/"


def _token(client) -> str:
    return csrf_token(client, "/profile")


def test_public_url_makes_the_callback_address(app, client, fake, person):
    app.config["PUBLIC_URL"] = "https://ita.example.go.th"
    start = client.get("/login/line")
    sent = callback_query(start.headers["Location"])
    assert sent["redirect_uri"] == "https://ita.example.go.th/login/line/callback"


def test_an_unlinked_line_account_is_told_how_to_link_it(client, fake, person):
    fake.next_user = "U" + "9" * 32
    response = client.get(authorize(client))
    assert refused(response, "ยังไม่ได้เชื่อม", 403)
    assert "รหัสผ่าน" in response.get_data(as_text=True)
    assert signed_out(client) and events(AuditAction.USER_SIGN_IN.value) == []


def test_an_inactive_person_is_refused(client, fake, person):
    person.active = False
    db.session.commit()
    assert refused(client.get(authorize(client)), line_login.INACTIVE, 403)
    assert signed_out(client)


def test_a_forged_state_is_refused_before_line_is_asked(client, fake, person):
    callback = authorize(client)
    query = callback_query(callback)
    response = client.get("/login/line/callback", query_string={"code": query["code"], "state": "forged"})
    assert refused(response) and signed_out(client) and fake.token_requests() == []


def test_a_missing_state_is_refused(client, fake, person):
    query = callback_query(authorize(client))
    assert refused(client.get("/login/line/callback", query_string={"code": query["code"]}))
    assert signed_out(client) and fake.token_requests() == []


def test_a_callback_without_an_attempt_is_refused(client, fake, person):
    """Another browser's callback (login CSRF: someone's code sent to a victim's browser) finds no attempt here."""
    callback = authorize(client)
    stranger = client.application.test_client()
    assert refused(stranger.get(callback)) and signed_out(stranger)


def test_a_state_is_used_once(client, fake, person):
    callback = authorize(client)
    assert client.get(callback).status_code == 302
    client.post("/logout", data={"csrf_token": _token(client)})
    assert refused(client.get(callback)) and signed_out(client)
    assert len(fake.token_requests()) == 1


def test_a_replayed_code_is_refused(client, fake, person):
    """The same code again with a fresh attempt's state (an attacker who caught a code): LINE answers invalid_grant."""
    first = callback_query(authorize(client))
    assert client.get("/login/line/callback", query_string=first).status_code == 302
    client.post("/logout", data={"csrf_token": _token(client)})
    fresh = callback_query(authorize(client))
    response = client.get("/login/line/callback", query_string={"code": first["code"], "state": fresh["state"]})
    assert refused(response) and signed_out(client)
    assert len(fake.token_requests()) == 2  # the second answered 400 invalid_grant: the code was spent


def test_cancelling_on_line_is_refused_with_its_own_message(client, fake, person):
    fake.deny = True
    response = client.get(authorize(client))
    assert refused(response, line_login.CANCELLED) and signed_out(client) and fake.token_requests() == []


@pytest.mark.parametrize("alteration, reason", [
    pytest.param({"claims": {"aud": "1659999999"}}, "InvalidAudienceError", id="another channel's token"),
    pytest.param({"claims": {"exp": int(time.time()) - 120, "iat": int(time.time()) - 3720}},
                 "ExpiredSignatureError", id="expired"),
    pytest.param({"claims": {"nonce": "not-the-attempts"}}, "nonce is not the attempt's", id="wrong nonce"),
    pytest.param({"claims": {"nonce": None}}, 'missing the "nonce" claim', id="no nonce"),
    pytest.param({"claims": {"iss": "https://evil.example"}}, "InvalidIssuerError", id="wrong issuer"),
    pytest.param({"claims": {"iat": int(time.time()) + 3600, "exp": int(time.time()) + 7200}},
                 "ImmatureSignatureError", id="issued later"),
    pytest.param({"sign_secret": "f00dfeed" * 4}, "InvalidSignatureError", id="HS256 with another secret"),
    pytest.param({"alg": "none"}, "algorithm 'none' refused", id="alg none"),
    pytest.param({"alg": "HS512"}, "algorithm 'HS512' refused", id="an algorithm LINE does not use"),
    pytest.param({"alg": "ES256", "sign_kid": "unknown-key"}, "unknown key", id="ES256 with an unknown kid"),
])
def test_an_id_token_that_fails_a_check_is_refused(client, fake, person, caplog, alteration, reason):
    for name, value in alteration.items():
        setattr(fake, name, value)
    response = client.get(authorize(client))
    assert refused(response) and signed_out(client) and events(AuditAction.USER_SIGN_IN.value) == []
    assert reason in caplog.text


def test_es256_tokens_are_checked_with_lines_published_key(client, fake, person):
    fake.alg = "ES256"
    assert client.get(authorize(client)).status_code == 302
    assert client.get("/tasks").status_code == 200
    client.post("/logout", data={"csrf_token": _token(client)})
    assert client.get(authorize(client)).status_code == 302
    certs = [r for r in fake.requests if r["path"].endswith("/certs")]
    assert len(certs) == 1  # the key is kept, not fetched for every sign-in


def test_an_es256_token_signed_with_another_key_is_refused(client, fake, person, caplog):
    fake.alg = "ES256"
    impostor = FakeLineLogin(fake.channel_id, key_id=fake.key_id)  # the same kid, another private key (never started)
    impostor.alg = "ES256"
    fake.id_token = impostor.id_token  # type: ignore[method-assign]
    assert refused(client.get(authorize(client))) and signed_out(client)
    assert "InvalidSignatureError" in caplog.text


def test_a_token_call_that_hangs_is_refused_in_bounded_time(app, client, fake, person):
    app.config["LINE_TIMEOUT_SECONDS"] = 0.5
    fake.token_delay = 5
    callback = authorize(client)
    began = time.monotonic()
    response = client.get(callback)
    assert time.monotonic() - began < 2.5
    assert refused(response) and signed_out(client)


def test_line_unreachable_is_refused(app, client, fake, person):
    callback = authorize(client)
    app.config["LINE_LOGIN_API_HOST"] = "http://127.0.0.1:9"  # discard: nothing listens
    assert refused(client.get(callback)) and signed_out(client)


def test_the_button_shows_only_when_line_login_is_set_up(app, client, fake):
    page = client.get("/login").get_data(as_text=True)
    assert "เข้าสู่ระบบด้วย LINE" in page and 'href="/login/line"' in page
    app.config["LINE_LOGIN_CHANNEL_SECRET"] = None
    page = client.get("/login").get_data(as_text=True)
    assert "เข้าสู่ระบบด้วย LINE" not in page
    assert client.get("/login/line").status_code == 404
    assert client.get("/login/line/callback?code=x&state=y").status_code == 404


def test_the_password_sign_in_is_unchanged_beside_it(client, fake, person):
    assert login(client, PERSON).status_code == 302
    [event] = events(AuditAction.USER_SIGN_IN.value)
    assert event.source is Source.WEB


LINE_APP = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Mobile/15E148 Safari Line/14.20.0")


def test_a_reminders_link_tapped_in_line_opens_the_task_signed_in_with_one_tap(client, fake, person, seeded):
    # The link of a reminder, opened in LINE's own browser by someone not signed in there yet.
    task = seeded.tasks_of(seeded.clerk)[0]
    first = client.get(f"/tasks/{task.id}", headers={"User-Agent": LINE_APP})
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    sign_in = client.get(first.headers["Location"], headers={"User-Agent": LINE_APP})
    assert sign_in.status_code == 302 and sign_in.headers["Location"].startswith("/login/line")
    line = client.get(sign_in.headers["Location"], headers={"User-Agent": LINE_APP})
    answer = urllib3.request("GET", line.headers["Location"], redirect=False, timeout=5)  # LINE signs them in
    back = urlsplit(answer.headers["Location"])
    landed = client.get(f"{back.path}?{back.query}", headers={"User-Agent": LINE_APP})
    assert landed.status_code == 302 and landed.headers["Location"] == f"/tasks/{task.id}"
    assert client.get(f"/tasks/{task.id}").status_code == 200


def test_inside_line_the_password_form_stays_reachable_and_other_browsers_get_it_as_before(client, app, fake):
    assert client.get("/login?password=1", headers={"User-Agent": LINE_APP}).status_code == 200
    chrome = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
    assert client.get("/login", headers={"User-Agent": chrome}).status_code == 200
    app.config["LINE_LOGIN_CHANNEL_ID"] = ""  # not set up: the page, even inside LINE
    assert client.get("/login", headers={"User-Agent": LINE_APP}).status_code == 200


# --- an organization's own LINE Login channel (LINE_CHANNELS' login_channel_id, login_channel_secret) ---------------

A_CHANNEL, A_SECRET = "1651000001", "a1" * 16
B_CHANNEL, B_SECRET = "1652000002", "b2" * 16
B_LINE_USER = "U" + "b" * 32


@pytest.fixture
def agencies(app, fake, person):
    """Two agencies in one deployment, each with its own LINE Login channel under its own provider and no
    deployment-wide one: A the seeded organization (clerk-staff linked), B another (its head linked)."""
    other, _, head, task = other_organization()
    head.line_user_id = B_LINE_USER
    db.session.commit()
    fake.add_channel(A_CHANNEL, A_SECRET)
    fake.add_channel(B_CHANNEL, B_SECRET)
    a = person.organization_id
    app.config.update(LINE_LOGIN_CHANNEL_ID=None, LINE_LOGIN_CHANNEL_SECRET=None, LINE_CHANNELS={
        str(a): {"login_channel_id": A_CHANNEL, "login_channel_secret": A_SECRET},
        str(other.id): {"login_channel_id": B_CHANNEL, "login_channel_secret": B_SECRET}})
    return {"a": a, "b": other.id, "b_head": head, "b_task": task}


def test_an_organizations_own_channel_signs_in_its_person(client, fake, person, agencies):
    callback = authorize(client, org=agencies["a"])
    assert fake.requests[0]["query"]["client_id"] == A_CHANNEL
    assert client.get(callback).status_code == 302 and client.get("/tasks").status_code == 200
    [event] = events(AuditAction.USER_SIGN_IN.value)
    assert event.actor_id == person.id and event.source is Source.LINE
    [token_call] = fake.token_requests()
    assert token_call["form"]["client_id"] == A_CHANNEL and token_call["form"]["client_secret"] == A_SECRET


def test_the_sign_in_page_offers_an_organizations_channel_only_when_it_is_named(client, agencies):
    page = client.get("/login").get_data(as_text=True)
    assert "เข้าสู่ระบบด้วย LINE" not in page  # only organizations' channels, and none named: no button
    assert client.get("/login/line").status_code == 404
    page = client.get(f"/login?org={agencies['a']}").get_data(as_text=True)
    assert "เข้าสู่ระบบด้วย LINE" in page and f'href="/login/line?org={agencies["a"]}"' in page
    assert "เข้าสู่ระบบด้วย LINE" not in client.get("/login?org=999999").get_data(as_text=True)


def test_an_organization_without_its_own_channel_falls_back_to_the_deployments(app, client, fake, person, agencies):
    app.config.update(LINE_LOGIN_CHANNEL_ID=fake.channel_id, LINE_LOGIN_CHANNEL_SECRET=fake.secret)
    del app.config["LINE_CHANNELS"][str(agencies["a"])]
    callback = authorize(client, org=agencies["a"])
    assert fake.requests[0]["query"]["client_id"] == fake.channel_id
    assert client.get(callback).status_code == 302 and client.get("/tasks").status_code == 200
    assert 'href="/login/line"' in client.application.test_client().get("/login").get_data(as_text=True)


def test_an_organizations_channel_refuses_another_organizations_person(client, fake, agencies, caplog):
    """A's channel proving the LINE id of B's head (the two agencies under one provider, or a mistake in the
    settings): refused as an account linked to nobody of A, and nothing of B said."""
    fake.next_user = B_LINE_USER
    response = client.get(authorize(client, org=agencies["a"]))
    assert refused(response, line_login.NOT_LINKED, 403) and "หน่วยงานอื่น" not in response.get_data(as_text=True)
    assert signed_out(client) and events(AuditAction.USER_SIGN_IN.value) == []
    assert f"not of organization {agencies['a']}" in caplog.text
    # B's own channel signs B's head in.
    assert client.get(authorize(client, org=agencies["b"])).status_code == 302
    assert client.get("/tasks").status_code == 200


@pytest.mark.parametrize("alteration, reason", [
    # ES256 with LINE's key, the same for every channel: a genuine token of B's channel, refused for its audience.
    pytest.param({"alg": "ES256", "claims": {"aud": B_CHANNEL}}, "InvalidAudienceError", id="ES256, B's aud"),
    pytest.param({"sign_secret": B_SECRET, "claims": {"aud": B_CHANNEL}}, "InvalidSignatureError",
                 id="HS256 with B's secret, B's aud"),
    pytest.param({"claims": {"aud": B_CHANNEL}}, "InvalidAudienceError", id="A's secret, B's aud"),
])
def test_the_callback_refuses_a_token_for_the_other_organizations_channel(client, fake, person, agencies, caplog,
                                                                          alteration, reason):
    for name, value in alteration.items():
        setattr(fake, name, value)
    response = client.get(authorize(client, org=agencies["a"]))
    assert refused(response) and signed_out(client) and events(AuditAction.USER_SIGN_IN.value) == []
    assert reason in caplog.text


def test_an_attempt_whose_channel_changed_meanwhile_is_refused(app, client, fake, person, agencies, caplog):
    callback = authorize(client, org=agencies["a"])
    app.config["LINE_CHANNELS"][str(agencies["a"])] = {"login_channel_id": B_CHANNEL, "login_channel_secret": B_SECRET}
    assert refused(client.get(callback)) and signed_out(client) and fake.token_requests() == []
    assert "not set up any more" in caplog.text


def test_one_tap_from_a_task_of_an_organization_uses_its_channel(client, fake, person, seeded, agencies):
    task = seeded.tasks_of(seeded.clerk)[0]
    first = client.get(f"/tasks/{task.id}", headers={"User-Agent": LINE_APP})
    sign_in = client.get(first.headers["Location"], headers={"User-Agent": LINE_APP})
    assert sign_in.status_code == 302 and sign_in.headers["Location"].startswith("/login/line")
    line = client.get(sign_in.headers["Location"], headers={"User-Agent": LINE_APP})
    assert callback_query(line.headers["Location"])["client_id"] == A_CHANNEL
    answer = urllib3.request("GET", line.headers["Location"], redirect=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    landed = client.get(f"{back.path}?{back.query}", headers={"User-Agent": LINE_APP})
    assert landed.status_code == 302 and landed.headers["Location"] == f"/tasks/{task.id}"
    assert client.get(f"/tasks/{task.id}").status_code == 200
    [token_call] = fake.token_requests()
    assert token_call["form"]["client_id"] == A_CHANNEL


def test_one_tap_picks_each_tasks_own_organization_and_tells_nothing_of_a_missing_task(client, fake, agencies):
    b_task = agencies["b_task"]
    sign_in = client.get(f"/login?next=/tasks/{b_task.id}", headers={"User-Agent": LINE_APP})
    line = client.get(sign_in.headers["Location"], headers={"User-Agent": LINE_APP})
    assert callback_query(line.headers["Location"])["client_id"] == B_CHANNEL
    # No such task, or another page: no organization, and with only organizations' channels the sign-in page, as
    # for a task of an organization without its own channel.
    for target in ("/tasks/987654321", "/tasks/99999999999999999999999", "/profile", "/tasks/1/progress"):
        page = client.get("/login", query_string={"next": target}, headers={"User-Agent": LINE_APP})
        assert page.status_code == 200 and "เข้าสู่ระบบด้วย LINE" not in page.get_data(as_text=True), target


def test_the_password_link_is_offered_inside_line_only(client, fake):
    inside = client.get("/login?password=1", headers={"User-Agent": LINE_APP}).get_data(as_text=True)
    assert "ใช้ชื่อผู้ใช้และรหัสผ่านแทน" in inside and 'name="password"' in inside
    elsewhere = client.get("/login").get_data(as_text=True)  # the form is right there: no link to it
    assert "ใช้ชื่อผู้ใช้และรหัสผ่านแทน" not in elsewhere and 'name="password"' in elsewhere
