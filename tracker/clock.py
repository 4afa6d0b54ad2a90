"""Today and now as the organization sees them: dates in the configured time zone (Asia/Bangkok), instants in UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from config.defaults import SETTINGS, zone

# The zone of code run outside an app (pure functions and their tests): the TIMEZONE setting's default.
DEFAULT_ZONE = zone(next(s.default for s in SETTINGS if s.name == "TIMEZONE"))


def local_zone() -> ZoneInfo:
    """Return the zone people live in: the TIMEZONE setting, read into a ZoneInfo once at start-up."""
    return current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_ZONE


def now() -> datetime:
    """Return the current instant, aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date where the organization is: at 06:00 UTC it is already 13:00 in Bangkok."""
    return now().astimezone(local_zone()).date()


def local(moment: datetime) -> datetime:
    """Convert a stored UTC instant to local time, for display."""
    return moment.astimezone(local_zone())


def local_date(moment: datetime) -> date:
    """Return the local day of a stored UTC instant: a task closed at 23:30 UTC was closed the next day in Bangkok."""
    return local(moment).date()


def start_of(day: date) -> datetime:
    """Return the instant a local day begins, in UTC: midnight in Bangkok is 17:00 UTC the day before."""
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(UTC)
