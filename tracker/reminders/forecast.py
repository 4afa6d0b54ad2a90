"""How many LINE messages the reminder policy will send, per day, against the month's real quota from LINE."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ..line.channel import Channel
from ..models import Organization
from .inputs import load_inputs
from .policy import KINDS, DayPlan, TaskInfo


@dataclass
class DayCount:
    day: date
    messages: int  # to people linked to LINE: what LINE will count
    if_all_linked: int  # were everyone who should hear linked
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))  # `messages` by what for
    by_kind_if_all_linked: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))


def forecast(organization: Organization, start: date, end: date, *, assume_done_on_time: bool = True) -> list[DayCount]:
    """Count the messages the policy sends each day from start to end, by kind (policy.KINDS).

    With `assume_done_on_time`, a task still open is taken to be done on its due date, so the forecast is what a
    kept plan costs; otherwise open tasks stay open: overdue reminders, and the escalation ladder and the idle nudge
    as nobody touches them, come on top. Each day's steps and nudges are remembered for the days after, as the sweep
    records them, so that each is counted once.
    """
    inputs = load_inputs(organization, start)
    tasks = {t.id: t for t in inputs.tasks}
    counts = []
    day = start
    while day <= end:
        today = list(tasks.values())
        if assume_done_on_time:
            today = [replace(t, done=True) if not (t.done or t.carried) and t.due < day else t for t in today]
        plan = inputs.plan(day, tasks=today)
        _remember(tasks, plan)
        unlinked = sum(1 for u in plan.unreachable if u.reason == "not_linked")
        counts.append(DayCount(day, plan.message_count, plan.message_count + unlinked, plan.messages_by_kind(),
                               plan.messages_by_kind(if_all_linked=True)))
        day += timedelta(days=1)
    return counts


def _remember(tasks: dict[int, TaskInfo], plan: DayPlan) -> None:
    """What the sweep would record of a planned day on the tasks (outbox.record_steps): the steps reached, nudges."""
    for escalation in plan.escalations:
        task = tasks[escalation.task.id]
        tasks[task.id] = replace(
            task, escalated_head_on=task.escalated_head_on or (plan.day if escalation.head_told else None),
            escalated_executive_on=task.escalated_executive_on or (plan.day if escalation.step == 2 else None))
    for nudged in plan.nudged:
        tasks[nudged.id] = replace(tasks[nudged.id], nudged_on=tasks[nudged.id].nudged_on or plan.day)


def by_kind(counts: list[DayCount], *, if_all_linked: bool = False) -> dict[str, int]:
    """The messages of several days, by kind (to the people linked now, or were everyone linked)."""
    return {kind: sum((c.by_kind_if_all_linked if if_all_linked else c.by_kind)[kind] for c in counts)
            for kind in KINDS}


@dataclass
class Outlook:
    """This month's LINE messages: LINE's quota and use, and what the policy will still send."""

    limit: int | None  # None: LINE did not say (no token, or no limit on the plan)
    used: int | None
    remaining_forecast: int  # from today to the month's end, the plan kept
    remaining_if_all_linked: int
    month_forecast: int  # the whole month, the plan kept, to people linked now
    # The whole month by kind (policy.KINDS), were everyone linked: the plan kept; and with open tasks left as they
    # are (the escalation ladder and the idle nudge count only when work slips).
    month_by_kind: dict[str, int] = field(default_factory=dict)
    as_is_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def as_is(self) -> int:
        return sum(self.as_is_by_kind.values())

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
    as_is = forecast(organization, start, end, assume_done_on_time=False)
    quota = channel.quota()
    rest = [c for c in counts if c.day >= today]
    return Outlook(
        limit=quota.limit if quota else None,
        used=quota.used if quota else None,
        remaining_forecast=sum(c.messages for c in rest),
        remaining_if_all_linked=sum(c.if_all_linked for c in rest),
        month_forecast=sum(c.messages for c in counts),
        month_by_kind=by_kind(counts, if_all_linked=True),
        as_is_by_kind=by_kind(as_is, if_all_linked=True),
    )
