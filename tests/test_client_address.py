"""The client's address, which sign-in limits count: the connection's, or behind PROXY_COUNT reverse proxies the one
they forwarded, never a header a client could write itself."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from config.defaults import SettingError
from tracker import create_app
from tracker.extensions import db
from tracker.models import LoginAttempt

from .conftest import RequestLikeProductionClient, app_on_copy, app_settings, close_database
from .factories import csrf_token

CLIENT = "198.51.100.23"  # the browser's address, as the proxy saw it
OTHER_CLIENT = "198.51.100.99"
PROXY = "10.0.0.2"  # the reverse proxy's own address: what the app's socket sees


@pytest.fixture
def behind_one_proxy(migrated_template, tmp_path):
    """The app configured for one reverse proxy (nginx), on an empty migrated database."""
    app = app_on_copy(migrated_template, tmp_path / "proxied.sqlite3", PROXY_COUNT="1")
    app.test_client_class = RequestLikeProductionClient
    with app.app_context():
        yield app
        close_database()


def attempt(client, forwarded_for: str | None, username: str = "nobody"):
    """A failed sign-in arriving from the proxy, with the X-Forwarded-For header it (or the client) set."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    data = {"username": username, "password": "wrong-guess", "csrf_token": csrf_token(client)}
    return client.post("/login", data=data, headers=headers, environ_base={"REMOTE_ADDR": PROXY})


def recorded_addresses() -> list[str]:
    return db.session.scalars(select(LoginAttempt.ip).order_by(LoginAttempt.id)).all()


def test_behind_a_proxy_the_forwarded_address_is_recorded(behind_one_proxy):
    client = behind_one_proxy.test_client()
    assert attempt(client, CLIENT).status_code == 401
    # A client's own X-Forwarded-For comes first; the proxy appends the address it saw: only that one is believed.
    assert attempt(client, f"6.6.6.6, {CLIENT}").status_code == 401
    assert recorded_addresses() == [CLIENT, CLIENT]


def test_behind_a_proxy_each_client_has_its_own_limit(behind_one_proxy):
    client = behind_one_proxy.test_client()
    for i in range(20):
        assert attempt(client, CLIENT, f"guess-{i}").status_code == 401
    assert attempt(client, CLIENT, "another-guess").status_code == 429
    assert attempt(client, OTHER_CLIENT, "another-guess").status_code == 401  # not everyone behind the proxy


def test_without_proxies_forwarded_headers_are_ignored(client):
    assert client.application.config["PROXY_COUNT"] == 0
    client.environ_base["REMOTE_ADDR"] = CLIENT
    data = {"username": "nobody", "password": "wrong-guess", "csrf_token": csrf_token(client)}
    assert client.post("/login", data=data, headers={"X-Forwarded-For": "6.6.6.6"}).status_code == 401
    assert recorded_addresses() == [CLIENT]


def test_without_proxies_a_forged_header_does_not_get_round_the_limit(client):
    client.environ_base["REMOTE_ADDR"] = CLIENT
    for i in range(21):
        data = {"username": f"guess-{i}", "password": "wrong-guess", "csrf_token": csrf_token(client)}
        response = client.post("/login", data=data, headers={"X-Forwarded-For": f"6.6.6.{i}"})
        assert response.status_code == (401 if i < 20 else 429)
    assert set(recorded_addresses()) == {CLIENT}


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_the_proxy_count_must_be_a_whole_number(value):
    with pytest.raises(SettingError, match="PROXY_COUNT"):
        create_app(app_settings(PROXY_COUNT=value, DATABASE_URL="sqlite://"))
