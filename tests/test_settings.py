"""Settings are read once, into their types, and a value that cannot be read stops the app with a message that names
the setting and says what is expected."""
from __future__ import annotations

from datetime import time

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
    ("TIMEZONE", "Asia/Bangkok", "Asia/Bangkok"),
    ("LINE_WEBHOOK_MAX_EVENTS", " 100 ", 100),
])
def test_values_are_parsed_into_their_types(name, raw, expected):
    assert BY_NAME[name].read(raw) == expected


@pytest.mark.parametrize("name, raw", [
    ("MAX_UPLOAD_MB", "ten"), ("MAX_UPLOAD_MB", "0"), ("LINE_TIMEOUT_SECONDS", "-1"),
    ("SESSION_COOKIE_SECURE", "maybe"), ("LINE_CHANNELS", "{not json"), ("LINE_CHANNELS", '{"2": "token"}'),
    ("TIMEZONE", "Asia/Bangkokk"), ("OUTBOX_RETRY_MAX_SECONDS", "-5"),
    ("LINE_WEBHOOK_MAX_EVENTS", "0"), ("LINE_WEBHOOK_MAX_EVENTS", "1.5"), ("LINE_WEBHOOK_MAX_EVENTS", ""),
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
