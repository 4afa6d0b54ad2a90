"""How many LINE messages the reminder policy will send, per day, against the month's real quota from LINE."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..line.channel import Channel
from ..models import Organization
from .inputs import load_inputs


@dataclass
class DayCount:
    day: date
    messages: int  # to people linked to LINE: what LINE will count
    if_all_linked: int  # were everyone who should hear linked


def forecast(organization: Organization, start: date, end: date, *, assume_done_on_time: bool = True) -> list[DayCount]:
    """Count the messages the policy sends each day from start to end.

    With `assume_done_on_time`, a task still open is taken to be done on its due date, so the forecast is what a
    kept plan costs; overdue reminders come on top when tasks slip.
    """
    inputs = load_inputs(organization, start)
    counts = []
    day = start
    while day <= end:
        tasks = inputs.tasks
        if assume_done_on_time:
            tasks = [replace(t, done=True) if not (t.done or t.carried) and t.due < day else t for t in tasks]
        plan = inputs.plan(day, tasks=tasks)
        unlinked = sum(1 for u in plan.unreachable if u.reason == "not_linked")
        counts.append(DayCount(day, plan.message_count, plan.message_count + unlinked))
        day += timedelta(days=1)
    return counts


@dataclass
class Outlook:
    """This month's LINE messages: LINE's quota and use, and what the policy will still send."""

    limit: int | None  # None: LINE did not say (no token, or no limit on the plan)
    used: int | None
    remaining_forecast: int  # from today to the month's end, the plan kept
    remaining_if_all_linked: int
    month_forecast: int  # the whole month, the plan kept, to people linked now

    @property
    def projected(self) -> int | None:
        return None if self.used is None else self.used + self.remaining_forecast

    @property
    def over_quota(self) -> bool:
        return self.limit is not None and self.projected is not None and self.projected > self.limit

    @property
    def over_quota_if_all_linked(self) -> bool:
        return self.limit is not None and (self.used or 0) + self.remaining_if_all_linked > self.limit


def outlook(organization: Organization, channel: Channel, today: date) -> Outlook:
    """Compare this month's forecast with LINE's real quota, read from LINE (never a hard-coded plan size)."""
    start = today.replace(day=1)
    end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    counts = forecast(organization, start, end)
    quota = channel.quota()
    rest = [c for c in counts if c.day >= today]
    return Outlook(
        limit=quota.limit if quota else None,
        used=quota.used if quota else None,
        remaining_forecast=sum(c.messages for c in rest),
        remaining_if_all_linked=sum(c.if_all_linked for c in rest),
        month_forecast=sum(c.messages for c in counts),
    )
