"""Every setting the tracker reads, with its default and why it exists.

Layers, later wins: these defaults -> `instance/config.py` (optional) -> environment variables of the same name
-> overrides passed to `create_app` (tests). README.md lists each of these; tests/test_config.py keeps them in step.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy database URL. Empty: a SQLite file `tracker.sqlite3` in the instance folder. "
        "PostgreSQL: `postgresql+psycopg://user@host/dbname` (install the `postgres` extra).",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Signs session cookies and CSRF tokens. Set it in production. Empty: a random key is generated once "
        "and kept in `instance/secret_key`, so sign-ins survive a restart.",
    ),
    Setting(
        "UPLOAD_FOLDER",
        None,
        "Where evidence files are stored, outside the web root, under generated names. "
        "Empty: `uploads/` in the instance folder.",
    ),
    Setting(
        "MAX_UPLOAD_MB",
        "10",
        "Largest evidence file accepted, in megabytes (PDF, images, Word, Excel).",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        "false",
        "Send the session cookie over HTTPS only. Set to `true` behind HTTPS (any real deployment).",
    ),
    Setting(
        "TIMEZONE",
        "Asia/Bangkok",
        "Time zone of what people see and of the reminder schedule. Timestamps are stored in UTC.",
    ),
    Setting(
        "PUBLIC_URL",
        "http://127.0.0.1:5000",
        "Address people open the app at; LINE messages link to task pages under it.",
    ),
    Setting(
        "REMINDER_TIME",
        "08:30",
        "Local time (TIMEZONE) at which the scheduler sends the day's reminders, on working days.",
    ),
    Setting(
        "LINE_CHANNEL_ACCESS_TOKEN",
        None,
        "Messaging API channel access token of the organization's LINE Official Account. "
        "Empty: reminders are written to the log instead of sent.",
    ),
    Setting(
        "LINE_CHANNEL_SECRET",
        None,
        "Channel secret used to verify the `X-Line-Signature` of webhook calls.",
    ),
    Setting(
        "LINE_CHANNELS",
        None,
        'Several organizations in one deployment: JSON mapping organization ids to their own channel, '
        '`{"2": {"secret": "...", "token": "..."}}`. Organizations not listed use the two settings above.',
    ),
    Setting(
        "LINE_API_HOST",
        "https://api.line.me",
        "Base URL of the LINE Messaging API. Tests point it at a fake LINE server on 127.0.0.1.",
    ),
    Setting(
        "LINE_DATA_HOST",
        "https://api-data.line.me",
        "Base URL of LINE's data host, where the rich menu image is uploaded. Tests point it at a fake server.",
    ),
    Setting(
        "LINE_TIMEOUT_SECONDS",
        "10",
        "How long one call to LINE may take before it counts as failed and is retried later (same retry key).",
    ),
)
