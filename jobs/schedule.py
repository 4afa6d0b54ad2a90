"""The periodic schedule, as data: what runs when. The scheduler process (jobs/scheduler.py) reads only this."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import work


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[], Any]  # called inside an app context
    trigger: str  # an APScheduler trigger: "cron" or "interval"
    when: dict[str, Any] = field(default_factory=dict)


def jobs(config: Mapping[str, Any]) -> list[Job]:
    """Return the jobs of the scheduler for this configuration (REMINDER_TIME already a time of day)."""
    at = config["REMINDER_TIME"]
    return [
        # Every day at the reminder time; on days off the policy has nothing to send, so weekends cost nothing.
        # A database that cannot be used at that moment leaves the day's sweep to the retry job (jobs/work.py).
        # After the reminders, the same job removes the LINE uploads never attached for over a week.
        Job("daily-reminders", work.daily_reminders, "cron", {"hour": at.hour, "minute": at.minute}),
        # Tries that failed (LINE 5xx, 429, timeouts) are retried with backoff; the rows say when. A sweep of today
        # that met an unavailable database is done here once the database is back.
        Job("retry-delivery", work.retry_delivery, "interval", {"minutes": 5}),
    ]
