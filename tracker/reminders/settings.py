"""The reminder settings people change: the organization's lead times and overdue cadence (the administrator), and
a task's own lead times (its division's head). Each checks permission, validates and is audited, in the caller's
transaction."""
from __future__ import annotations

import re
from collections.abc import Iterable

from .. import audit
from ..access import Action, require
from ..errors import DomainError
from ..extensions import db
from ..models import AuditAction, Organization, Source, Task, User

MAX_LEAD_DAYS = 90
MAX_OVERDUE_EVERY = 20


def parse_lead_times(text: str | Iterable[int]) -> list[int]:
    """Read reminder lead times ("14, 7, 3, 1, 0": calendar days before the due date) into a sorted list."""
    values = re.split(r"[,\s]+", text.strip()) if isinstance(text, str) else [str(v) for v in text]
    days: set[int] = set()
    for value in filter(None, values):
        if not value.isdigit() or int(value) > MAX_LEAD_DAYS:
            raise DomainError(f"“{value}”: ต้องเป็นจำนวนวัน 0-{MAX_LEAD_DAYS} คั่นด้วยจุลภาค เช่น 14, 7, 3, 1, 0")
        days.add(int(value))
    return sorted(days, reverse=True)


def update_reminder_policy(organization: Organization, actor: User, lead_times: str, overdue_every: int, *,
                           source: Source) -> bool:
    """Set the organization's reminder lead times and overdue cadence; tell whether anything changed."""
    require(actor, Action.MANAGE_SETTINGS, organization)
    days = parse_lead_times(lead_times)
    if not 0 <= int(overdue_every) <= MAX_OVERDUE_EVERY:
        raise DomainError(f"แจ้งเตือนงานเกินกำหนดทุก 0-{MAX_OVERDUE_EVERY} วันทำการ (0 = ไม่แจ้ง)")
    before = audit.snapshot(organization)
    if list(organization.reminder_days or []) == days and organization.overdue_every == int(overdue_every):
        return False
    organization.reminder_days, organization.overdue_every = days, int(overdue_every)
    db.session.flush()
    audit.record(actor, AuditAction.SETTINGS_REMINDERS, organization, before=before,
                 after=audit.snapshot(organization), source=source)
    return True


def set_task_reminder_days(task: Task, actor: User, days: list[int] | None, *, source: Source) -> None:
    """Give one task its own reminder lead times (its head), or None to follow the organization's."""
    require(actor, Action.RESCHEDULE, task)
    if days == task.reminder_days:
        return
    before = {"reminder_days": task.reminder_days}
    task.reminder_days = days
    audit.record(actor, AuditAction.TASK_REMINDERS, task, before=before, after={"reminder_days": days},
                 source=source)
