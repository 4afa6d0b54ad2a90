"""Every setting the tracker reads, with its default, its type and why it exists.

Layers, later wins: these defaults -> `instance/config.py` (optional) -> environment variables of the same name
-> overrides passed to `create_app` (tests). Each value is then parsed once, here, into its type (a number, a
time of day, a dict), so code reads `app.config["LINE_TIMEOUT_SECONDS"]` as a float and never parses it again; a
value that cannot be read stops the app at start-up with a message naming the setting.
docs/configuration.md lists each of these; tests/test_project.py keeps them in step.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SettingError(ValueError):
    """A setting whose value cannot be read; the message says which and what is expected."""


def text(value: Any) -> str | None:
    """Text, or None when empty."""
    return (str(value).strip() or None) if value is not None else None


def url(value: Any) -> str:
    """An address without a trailing slash, so code can append paths."""
    return str(value).strip().rstrip("/")


def flag(value: Any) -> bool:
    """true/false, yes/no, 1/0."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def positive(value: Any) -> float:
    """A number above zero."""
    number = float(value)
    if not number > 0:
        raise ValueError("expected a number above 0")
    return number


def not_negative(value: Any) -> float:
    """A number, zero or more."""
    number = float(value)
    if not number >= 0:
        raise ValueError("expected a number of 0 or more")
    return number


def whole(value: Any) -> int:
    """A whole number, 0 or more."""
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError("expected a whole number of 0 or more")
    return int(text)


def at_least_one(value: Any) -> int:
    """A whole number above 0."""
    text = str(value).strip()
    if not text.isdigit() or int(text) == 0:
        raise ValueError("expected a whole number above 0")
    return int(text)


def optional_count(value: Any) -> int | None:
    """A whole number above 0, or empty."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) == 0:
        raise ValueError("expected a whole number above 0, or nothing")
    return int(text)


def verbatim(value: Any) -> str:
    """Text as written, spaces around it taken off; may be empty."""
    return "" if value is None else str(value).strip()


def address(value: Any) -> str:
    """host:port (127.0.0.1:8000, [::1]:8000) or unix:/path/of/a/socket."""
    text = str(value).strip()
    if text.startswith("unix:/"):
        return text
    host, colon, port = text.rpartition(":")
    if not (colon and host and port.isdigit() and 0 < int(port) < 65536):
        raise ValueError('expected host:port such as "127.0.0.1:8000", or unix:/run/tracker/web.sock')
    return text


def time_of_day(value: Any) -> time:
    """HH:MM, 24-hour clock."""
    if isinstance(value, time):
        return value
    hour, _, minute = str(value).strip().partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        raise ValueError('expected HH:MM, e.g. "08:30"')
    return time(int(hour), int(minute))


def zone(value: Any) -> ZoneInfo:
    """An IANA time zone name."""
    if isinstance(value, ZoneInfo):
        return value
    try:
        return ZoneInfo(str(value).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected a time zone name such as Asia/Bangkok") from None


# What an entry of LINE_CHANNELS may hold: the organization's Messaging API channel (`secret`, `token`), its LINE Login
# channel (`login_channel_id` with `login_channel_secret`, tracker/line/login.py) and its LIFF app id (`liff_id`: read,
# not used yet, as LIFF_ID).
CHANNEL_KEYS = ("secret", "token", "login_channel_id", "login_channel_secret", "liff_id")


def channels(value: Any) -> dict[str, dict[str, str]]:
    """JSON of organization id -> {"secret": ..., "token": ...}, and optionally "login_channel_id" with
    "login_channel_secret" (a LINE Login channel's id, a number, and secret) and "liff_id"."""
    if not value:
        return {}
    data = json.loads(value) if isinstance(value, str) else dict(value)
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ValueError('expected JSON such as {"2": {"secret": "...", "token": "..."}}')
    parsed: dict[str, dict[str, str]] = {}
    for key, entry in data.items():
        organization = str(key).strip()
        if not organization.isdigit():
            raise ValueError(f"{key!r} is not an organization id (a whole number)")
        unknown = sorted(set(map(str, entry)) - set(CHANNEL_KEYS))
        if unknown:
            raise ValueError(f"organization {organization}: unknown {', '.join(unknown)} (expected some of "
                             f"{', '.join(CHANNEL_KEYS)})")
        fields = {str(k): str(v) for k, v in entry.items()}
        login = [name for name in ("login_channel_id", "login_channel_secret") if fields.get(name, "").strip()]
        if len(login) == 1:
            raise ValueError(f"organization {organization}: login_channel_id and login_channel_secret go together")
        if login and not fields["login_channel_id"].strip().isdigit():
            raise ValueError(f"organization {organization}: login_channel_id is a LINE Login channel's id (a number)")
        parsed[organization] = fields
    return parsed


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = text
    holds_secrets: bool = False  # a value refused is not repeated in the message (it goes to the log at start-up)

    def read(self, value: Any) -> Any:
        """Parse a raw value (text from the environment, or a value already typed) into the setting's type."""
        try:
            return self.parse(value)
        except (TypeError, ValueError) as error:
            shown = "(value not shown: it holds secrets)" if self.holds_secrets else repr(value)
            raise SettingError(f"setting {self.name}={shown}: {error} ({self.parse.__doc__})") from None


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
        positive,
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        "false",
        "Send the session cookie over HTTPS only. Set to `true` behind HTTPS (any real deployment).",
        flag,
    ),
    Setting(
        "SESSION_IDLE_HOURS",
        "4",
        "A sign-in ends after this long without a request (half a working day: a lunch break or a morning of "
        "meetings keeps it, a browser left signed in on a shared office computer is signed out by the evening).",
        positive,
    ),
    Setting(
        "SESSION_LIFETIME_HOURS",
        "12",
        "A sign-in ends this long after it began, used or not: one working day with overtime, never overnight, "
        "so a copied cookie is worth at most the day it was taken and everyone signs in each morning.",
        positive,
    ),
    Setting(
        "PROXY_COUNT",
        "0",
        "How many reverse proxies (nginx, a load balancer) stand in front of the app, each appending to "
        "`X-Forwarded-For` and setting `X-Forwarded-Proto`: the client's address is read that many hops from the "
        "right. 0: the connection's own address, and X-Forwarded-* headers are ignored (anyone can forge them). "
        "More than the real number lets a client choose the address sign-in limits count.",
        whole,
    ),
    Setting(
        "TIMEZONE",
        "Asia/Bangkok",
        "Time zone of what people see and of the reminder schedule. Timestamps are stored in UTC.",
        zone,
    ),
    Setting(
        "PUBLIC_URL",
        "http://127.0.0.1:5000",
        "Address people open the app at; LINE messages link to task pages under it.",
        url,
    ),
    Setting(
        "BIND",
        "127.0.0.1:8000",
        "Where `tracker serve` listens: host:port, or unix:/path of a socket. The loopback address by default, so "
        "only the reverse proxy on the same server reaches it (PROXY_COUNT=1 trusts the one proxy in front).",
        address,
    ),
    Setting(
        "WEB_WORKERS",
        None,
        "Web worker processes of `tracker serve`, each serving one request at a time. Empty: 2 × CPU cores + 1, "
        "gunicorn's advice for sync workers (while one waits on the database, another uses the core).",
        optional_count,
    ),
    Setting(
        "REMINDER_TIME",
        "08:30",
        "Local time (TIMEZONE) at which the scheduler sends the day's reminders, on working days.",
        time_of_day,
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
        '`{"2": {"secret": "...", "token": "..."}}`. Organizations not listed use the two settings above. An entry may '
        'also carry the organization\'s own LINE Login channel (`"login_channel_id"` with `"login_channel_secret"`, '
        'made under the provider of its Official Account): `/login/line?org=2` and a reminder\'s link tapped in LINE '
        'sign its people in with it. `"liff_id"` is read but not used yet.',
        channels,
        holds_secrets=True,
    ),
    Setting(
        "LINE_API_HOST",
        "https://api.line.me",
        "Base URL of the LINE Messaging API. Tests point it at a fake LINE server on 127.0.0.1.",
        url,
    ),
    Setting(
        "LINE_DATA_HOST",
        "https://api-data.line.me",
        "Base URL of LINE's data host: the rich menu image is uploaded there, and photos and files sent in the chat "
        "are fetched from it (tracker/line/content.py). Tests point it at a fake server.",
        url,
    ),
    Setting(
        "LINE_TIMEOUT_SECONDS",
        "10",
        "How long one call to LINE may take before it counts as failed and is retried later (same retry key). "
        "Signing in with LINE waits as long for each of its calls (the token, LINE's keys), then refuses.",
        positive,
    ),
    Setting(
        "LINE_LOGIN_CHANNEL_ID",
        None,
        "Channel ID of the LINE Login channel (a channel of its own, under the same provider as the Messaging API "
        "channel, so a person's user id is the one the bot linked). With LINE_LOGIN_CHANNEL_SECRET: the sign-in page "
        "offers \"เข้าสู่ระบบด้วย LINE\" (tracker/line/login.py); empty: it does not, unless an organization is named "
        "(`/login?org=<id>`) whose own LINE Login channel is in LINE_CHANNELS.",
    ),
    Setting(
        "LINE_LOGIN_CHANNEL_SECRET",
        None,
        "Channel secret of the LINE Login channel: sent with the token request, and the key of HS256 ID tokens.",
    ),
    Setting(
        "LINE_LOGIN_AUTHORIZE_URL",
        "https://access.line.me/oauth2/v2.1/authorize",
        "LINE Login's authorization page, where the browser is sent to sign in with LINE. Tests point it at a fake.",
        url,
    ),
    Setting(
        "LINE_LOGIN_API_HOST",
        "https://api.line.me",
        "Base URL of LINE Login's token endpoint (/oauth2/v2.1/token) and keys (/oauth2/v2.1/certs), called by the "
        "server. Tests point it at a fake LINE Login server on 127.0.0.1.",
        url,
    ),
    Setting(
        "LIFF_ID",
        None,
        "LIFF app id (from the LINE Login channel), kept for one-tap links from LINE messages; not used yet.",
    ),
    Setting(
        "LINE_WEBHOOK_MAX_EVENTS",
        "100",
        "Most events of one webhook call handled, each with its reply; the rest are logged as dropped. LINE sends a "
        "few at a time, so this only stops a batch of thousands from holding a web worker until it is killed. "
        "The body is refused (413) past 32 KB an event.",
        at_least_one,
    ),
    Setting(
        "OUTBOX_RETRY_BASE_SECONDS",
        "30",
        "First wait before a message LINE did not accept (429, 5xx, timeout) is tried again; doubled each try.",
        not_negative,
    ),
    Setting(
        "OUTBOX_RETRY_MAX_SECONDS",
        "3600",
        "Longest wait between two tries of one message (LINE keeps a retry key 24 hours; the outbox stops at 23).",
        not_negative,
    ),
    Setting(
        "CACHE_TYPE",
        "SimpleCache",
        "Where pages keep their rendered content between requests (Flask-Caching): `SimpleCache` in each web "
        "worker's memory; `RedisCache` (with `CACHE_REDIS_URL`) or `FileSystemCache` (with `CACHE_DIR`) to share "
        "it between workers; `NullCache` to keep nothing. Content is keyed on the agency's last change, so it is "
        "never stale.",
    ),
    Setting(
        "CACHE_REDIS_URL",
        None,
        "With `CACHE_TYPE=RedisCache`: the Redis server, e.g. `redis://127.0.0.1:6379/0`.",
    ),
    Setting(
        "CACHE_DIR",
        None,
        "With `CACHE_TYPE=FileSystemCache`: the folder the web workers share, e.g. `/var/cache/tracker`.",
    ),
    Setting(
        "CACHE_DEFAULT_TIMEOUT",
        "21600",
        "Longest a page is kept, in seconds (6 hours). Kept pages are keyed on the agency's last change, so they are "
        "never stale: this and CACHE_THRESHOLD only bound memory. 0: kept until the cache is full.",
        whole,
    ),
    Setting(
        "CACHE_THRESHOLD",
        "1000",
        "Most pages one `SimpleCache` or `FileSystemCache` keeps; past it the oldest are dropped.",
        at_least_one,
    ),
    Setting(
        "CACHE_KEY_PREFIX",
        "tracker:",
        "Put before every key the cache stores, so a Redis server shared with other apps keeps them apart.",
        verbatim,
    ),
)
