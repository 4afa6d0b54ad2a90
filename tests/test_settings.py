"""Settings are read once, into their types, and a value that cannot be read stops the app with a message that names
the setting and says what is expected."""
from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.defaults import SETTINGS, SettingError
from tracker import create_app

from .conftest import app_settings

BY_NAME = {setting.name: setting for setting in SETTINGS}


@pytest.mark.parametrize("value, expected", [("08:30", time(8, 30)), (" 7:05 ", time(7, 5)), ("23:59", time(23, 59))])
def test_reminder_time_is_a_time_of_day(value, expected):
    assert BY_NAME["REMINDER_TIME"].read(value) == expected


@pytest.mark.parametrize("value", ["8.30", "24:00", "08:60", "soon", ""])
def test_a_bad_reminder_time_says_what_is_expected(value):
    with pytest.raises(SettingError, match="REMINDER_TIME.*HH:MM"):
        BY_NAME["REMINDER_TIME"].read(value)


@pytest.mark.parametrize("name, raw, expected", [
    ("MAX_UPLOAD_MB", "10", 10.0),
    ("MAX_UPLOAD_MB", "0.5", 0.5),
    ("LINE_TIMEOUT_SECONDS", "2.5", 2.5),
    ("OUTBOX_RETRY_BASE_SECONDS", "0", 0.0),
    ("SESSION_COOKIE_SECURE", "true", True),
    ("SESSION_COOKIE_SECURE", "0", False),
    ("PUBLIC_URL", "https://ita.example.go.th/", "https://ita.example.go.th"),
    ("LINE_CHANNELS", '{"2": {"secret": "s", "token": "t"}}', {"2": {"secret": "s", "token": "t"}}),
    ("LINE_CHANNELS", "", {}),
    ("LINE_CHANNELS", '{"2": {"secret": "s", "token": "t", "login_channel_id": "1651000002", '
                      '"login_channel_secret": "ls", "liff_id": "1651000002-AbCdEfGh"}}',
     {"2": {"secret": "s", "token": "t", "login_channel_id": "1651000002", "login_channel_secret": "ls",
            "liff_id": "1651000002-AbCdEfGh"}}),
    ("TIMEZONE", "Asia/Bangkok", ZoneInfo("Asia/Bangkok")),
    ("LINE_WEBHOOK_MAX_EVENTS", " 100 ", 100),
    ("CACHE_DEFAULT_TIMEOUT", "21600", 21600),
    ("CACHE_DEFAULT_TIMEOUT", "0", 0),
    ("CACHE_THRESHOLD", " 1000 ", 1000),
    ("CACHE_KEY_PREFIX", " tracker: ", "tracker:"),
])
def test_values_are_parsed_into_their_types(name, raw, expected):
    assert BY_NAME[name].read(raw) == expected


@pytest.mark.parametrize("name, raw", [
    ("MAX_UPLOAD_MB", "ten"), ("MAX_UPLOAD_MB", "0"), ("LINE_TIMEOUT_SECONDS", "-1"),
    ("SESSION_COOKIE_SECURE", "maybe"), ("LINE_CHANNELS", "{not json"), ("LINE_CHANNELS", '{"2": "token"}'),
    ("LINE_CHANNELS", '{"2": {"token": "t", "login_channel_id": "1651000002"}}'),  # a LINE Login id without its secret
    ("LINE_CHANNELS", '{"2": {"login_channel_secret": "ls"}}'),  # a secret without its id
    ("LINE_CHANNELS", '{"2": {"login_channel_id": "@agency", "login_channel_secret": "ls"}}'),  # not a channel id
    ("LINE_CHANNELS", '{"2": {"login_chanel_id": "1651000002"}}'),  # misspelt: refused, not silently ignored
    ("LINE_CHANNELS", '{"agency-a": {"token": "t"}}'),  # not an organization id
    ("TIMEZONE", "Asia/Bangkokk"), ("OUTBOX_RETRY_MAX_SECONDS", "-5"),
    ("LINE_WEBHOOK_MAX_EVENTS", "0"), ("LINE_WEBHOOK_MAX_EVENTS", "1.5"), ("LINE_WEBHOOK_MAX_EVENTS", ""),
    ("CACHE_DEFAULT_TIMEOUT", "6h"), ("CACHE_THRESHOLD", "0"),
])
def test_a_bad_value_names_the_setting(name, raw):
    with pytest.raises(SettingError, match=name):
        BY_NAME[name].read(raw)


def test_the_app_reads_typed_values_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LINE_TIMEOUT_SECONDS", "3")
    monkeypatch.setenv("REMINDER_TIME", "07:45")
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    assert app.config["LINE_TIMEOUT_SECONDS"] == 3.0 and app.config["REMINDER_TIME"] == time(7, 45)
    assert app.config["OUTBOX_RETRY_BASE_SECONDS"] == 30.0 and app.config["LINE_CHANNELS"] == {}


def test_the_app_refuses_to_start_on_a_bad_value(monkeypatch, tmp_path):
    monkeypatch.setenv("MAX_UPLOAD_MB", "lots")
    with pytest.raises(SettingError, match="MAX_UPLOAD_MB"):
        create_app(app_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"))


ROOT = Path(__file__).resolve().parent.parent
# Flask's and its extensions' own settings that create_app derives from the declared ones (tracker/__init__.py), or
# that Flask sets itself: not settings of their own.
DERIVED = {
    "SQLALCHEMY_DATABASE_URI",  # DATABASE_URL, or the instance folder's SQLite file
    "SQLALCHEMY_ENGINE_OPTIONS",  # Thai text in JSON columns stays readable
    "WTF_CSRF_TIME_LIMIT",  # SESSION_LIFETIME_HOURS
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "MAX_CONTENT_LENGTH",  # MAX_UPLOAD_MB
    "TESTING",
}
_READ = re.compile(r"""config(?:\[|\.get\(|\.setdefault\()\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_setting_the_code_reads_is_declared():
    read = {}
    for path in [*(ROOT / "tracker").rglob("*.py"), *(ROOT / "jobs").rglob("*.py")]:
        for name in _READ.findall(path.read_text(encoding="utf-8")):
            read.setdefault(name, str(path.relative_to(ROOT)))
    undeclared = {name: where for name, where in read.items() if name not in BY_NAME and name not in DERIVED}
    assert undeclared == {}, "declare these in config/defaults.py (default, parser, help line)"
    assert "CACHE_THRESHOLD" in BY_NAME and "CACHE_DEFAULT_TIMEOUT" in BY_NAME and "CACHE_KEY_PREFIX" in BY_NAME


def test_the_page_cache_is_built_from_the_declared_settings(monkeypatch, tmp_path):
    from tracker.extensions import cache

    monkeypatch.setenv("CACHE_THRESHOLD", "7")
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    assert app.config["CACHE_THRESHOLD"] == 7 and app.config["CACHE_KEY_PREFIX"] == "tracker:"
    with app.app_context():
        assert cache.cache._threshold == 7
        assert cache.cache.default_timeout == 6 * 3600


def test_one_time_zone_read_once(tmp_path):
    from jobs import scheduler
    from tracker import clock

    assert clock.local_zone() is ZoneInfo("Asia/Bangkok")  # outside an app: the setting's default
    app = create_app(app_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", TIMEZONE="Asia/Tokyo"))
    with app.app_context():
        assert clock.local_zone() is app.config["TIMEZONE"] == ZoneInfo("Asia/Tokyo")
    assert scheduler.build(app).timezone is app.config["TIMEZONE"]
    # Nothing else builds a zone of its own: every date the app shows or schedules is in this one.
    own = [str(path.relative_to(ROOT)) for path in [*(ROOT / "tracker").rglob("*.py"), *(ROOT / "jobs").rglob("*.py")]
           if "ZoneInfo(" in path.read_text(encoding="utf-8") or "Asia/Bangkok\"" in path.read_text(encoding="utf-8")]
    assert own == []


def test_a_refused_line_channels_value_does_not_repeat_its_secrets():
    with pytest.raises(SettingError, match="LINE_CHANNELS.*login_channel_id and login_channel_secret") as refused:
        BY_NAME["LINE_CHANNELS"].read('{"2": {"token": "very-secret-token", "login_channel_secret": "also-secret"}}')
    assert "very-secret-token" not in str(refused.value) and "also-secret" not in str(refused.value)
