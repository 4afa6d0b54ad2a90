"""The reminder settings people change: the organization's lead times and overdue cadence, its escalation ladder,
idle nudge, longest pause and how many quiet days a person may keep (the administrator); a task's own lead times (its
division's head); a person's pause of their reminders, their quiet weekdays and whether they take them over LINE
(themself, or the administrator for them). Each checks permission, validates and is audited, in the caller's
transaction."""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from .. import audit, clock
from ..access import Action, require
from ..errors import DomainError
from ..extensions import db
from ..fields import free_text
from ..labels import FIELD, WEEKDAY
from ..models import AuditAction, Organization, Source, Task, User
from ..thai import format_date
from .policy import paused_on

MAX_LEAD_DAYS = 90
MAX_OVERDUE_EVERY = 20
MAX_ESCALATION_DAYS = 60  # working days, for each step of the ladder and for the idle nudge
MAX_PAUSE_DAYS = 365  # the longest an organization may let a person pause their reminders
QUIET_WEEKDAYS = (0, 1, 2, 3, 4)  # the weekdays a person may keep quiet: Monday to Friday (date.weekday())
MOST_QUIET_DAYS = 4  # the most an organization may let a person keep: all five would be no reminders at all


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


def _whole(value: Any, field: str, low: int, high: int, note: str = "") -> int:
    """Read a whole number within bounds (an int, or its digits as typed), or refuse it naming the setting."""
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if not re.fullmatch(r"\d{1,4}", text) or not low <= int(text) <= high:
        raise DomainError(f"“{FIELD[field]}” ต้องเป็นจำนวนเต็ม {low}-{high}{note}")
    return int(text)


def update_escalation(organization: Organization, actor: User, *, head_after: int, executive_after: int,
                      idle_after: int, longest_pause: int, most_quiet: int, source: Source) -> bool:
    """Set when overdue work with no activity is named to its division's head and to the executives, when idle work
    in progress is nudged (working days; 0: off), the longest pause a person may take and how many weekdays a person
    may keep quiet (0: nobody may; those kept already stay until the person changes them); tell whether anything
    changed."""
    require(actor, Action.MANAGE_SETTINGS, organization)
    off = " (0 = ไม่แจ้ง)"
    wanted = {
        "escalate_head_after": _whole(head_after, "escalate_head_after", 0, MAX_ESCALATION_DAYS, off),
        "escalate_executive_after": _whole(executive_after, "escalate_executive_after", 0, MAX_ESCALATION_DAYS, off),
        "idle_nudge_after": _whole(idle_after, "idle_nudge_after", 0, MAX_ESCALATION_DAYS, " (0 = ไม่เตือน)"),
        "longest_pause_days": _whole(longest_pause, "longest_pause_days", 1, MAX_PAUSE_DAYS),
        "most_quiet_days": _whole(most_quiet, "most_quiet_days", 0, MOST_QUIET_DAYS, " (0 = ไม่ให้เลือก)"),
    }
    head, executive = wanted["escalate_head_after"], wanted["escalate_executive_after"]
    if head and executive and executive <= head:
        raise DomainError(f"แจ้งผู้บริหารต้องช้ากว่าแจ้งหัวหน้ากอง: ตั้งมากกว่า {head} วันทำการ"
                          " (หรือ 0 = ไม่แจ้งผู้บริหาร)")
    if all(getattr(organization, key) == value for key, value in wanted.items()):
        return False
    before = audit.snapshot(organization)
    for key, value in wanted.items():
        setattr(organization, key, value)
    db.session.flush()
    audit.record(actor, AuditAction.SETTINGS_REMINDERS, organization, before=before,
                 after=audit.snapshot(organization), source=source)
    return True


# --- a person's own reminders ----------------------------------------------------------------------------------------


def pause_of(person: User, day: date) -> date | None:
    """The last day of the person's pause while it holds on `day` (inclusive), else None."""
    return person.paused_until if paused_on(person.paused_until, day) else None


def pause_bounds(organization: Organization, today: date) -> tuple[date, date]:
    """The days a pause may last to: from today to the organization's longest pause."""
    return today, today + timedelta(days=organization.longest_pause_days)


def _reminders_state(person: User) -> dict[str, Any]:
    until = person.paused_until
    return {"paused_until": until.isoformat() if until else None, "pause_reason": person.pause_reason,
            "reminders_by_line": person.reminders_by_line}


def _record(person: User, actor: User, before: dict[str, Any], source: Source) -> None:
    audit.record(actor, AuditAction.USER_REMINDERS, person, before=before, after=_reminders_state(person),
                 source=source)


def pause_reminders(person: User, actor: User, until: date | None, reason: str | None, *, source: Source) -> bool:
    """Pause a person's reminders to `until` (inclusive) for a reason (leave, training), or resume them now (None);
    tell whether anything changed."""
    require(actor, Action.PERSON_REMINDERS, person)
    if until is None:
        if person.paused_until is None and person.pause_reason is None:
            return False
        before = _reminders_state(person)
        person.paused_until = person.pause_reason = None
        _record(person, actor, before, source)
        return True
    first, last = pause_bounds(person.organization, clock.today())
    if not first <= until <= last:
        raise DomainError(f"พักการแจ้งเตือนได้ถึงวันที่ {format_date(first)} - {format_date(last)}"
                          f" (ไม่เกิน {person.organization.longest_pause_days} วัน)")
    reason = free_text(reason, FIELD["pause_reason"], required=True)
    if person.paused_until == until and person.pause_reason == reason:
        return False
    before = _reminders_state(person)
    person.paused_until, person.pause_reason = until, reason
    _record(person, actor, before, source)
    return True


def set_reminders_by_line(person: User, actor: User, by_line: bool, *, source: Source) -> bool:
    """Take reminders over LINE, or none at all; tell whether anything changed."""
    require(actor, Action.PERSON_REMINDERS, person)
    if person.reminders_by_line == bool(by_line):
        return False
    before = _reminders_state(person)
    person.reminders_by_line = bool(by_line)
    _record(person, actor, before, source)
    return True


def set_quiet_days(person: User, actor: User, weekdays: Iterable[int], *, source: Source) -> bool:
    """Keep weekdays (0 = Monday .. 4 = Friday) free of the person's reminders: what would come on one comes on their
    working day before (tracker.reminders.policy); none: every working day. At most the organization's
    `most_quiet_days` of them, which its administrator sets; the days kept already are not refused when sent again
    (the limit may have been lowered since). Tell whether anything changed."""
    require(actor, Action.PERSON_REMINDERS, person)
    chosen: set[int] = set()
    for value in weekdays:
        if isinstance(value, bool) or not isinstance(value, int) or value not in QUIET_WEEKDAYS:
            raise DomainError(f"“{FIELD['quiet_days']}” เลือกได้เฉพาะวัน{WEEKDAY[QUIET_WEEKDAYS[0]]}"
                              f"ถึงวัน{WEEKDAY[QUIET_WEEKDAYS[-1]]} (วันเสาร์และวันอาทิตย์ไม่มีการแจ้งเตือนอยู่แล้ว)")
        chosen.add(value)
    days = sorted(chosen) or None  # None, never []: the sweep finds the people who have some by a partial index
    if days == (sorted(person.quiet_days) if person.quiet_days else None):
        return False
    most = person.organization.most_quiet_days
    if len(chosen) > most:
        where = "ผู้ดูแลระบบของหน่วยงานเป็นผู้กำหนดจำนวนนี้"
        raise DomainError(f"หน่วยงานนี้ไม่เปิดให้เลือก{FIELD['quiet_days']} ({where})" if most == 0 else
                          f"เลือก{FIELD['quiet_days']}ได้ไม่เกิน {most} วันต่อสัปดาห์ ({where})")
    before = {"quiet_days": person.quiet_days}
    person.quiet_days = days
    audit.record(actor, AuditAction.USER_REMINDERS, person, before=before, after={"quiet_days": days},
                 source=source)
    return True
