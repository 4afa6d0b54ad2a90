"""The audit trail in words: what an event changed, field by field, before → after, as a person reads it (names, not
ids; Thai labels; BE dates). The audit page and a task's history both show events through `describe`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from . import labels
from .clock import local
from .ita import AGENCY_TYPES, PLAN_YEAR_OFFSETS
from .models import Division, EvidenceReview, OitPurpose, Role, TaskStatus, User
from .thai import format_date

# Bookkeeping that says nothing to a reader: ids of the row itself, hashes, storage paths.
HIDDEN_FIELDS = {"id", "organization_id", "created_at", "task_id", "comment_id", "created_by_id", "file_path",
                 "content_hash", "content_type", "password_hash", "fiscal_year_id", "imported_at", "imported_by_id",
                 "evidence_id", "reviewed_by_id",
                 "undo", "carry_event_id"}  # what undoing a carrying reads (tracker.plans.next_year)
USER_FIELDS = {"assignee_id", "done_by_id"}
# Events record a person's name beside their id (what a reader wants, even after the person is renamed or gone):
# where the name is there, the id is not shown again.
NAMED = {"assignee_id": "assignee", "done_by_id": "done_by"}
UNASSIGNED = "ทั้งกอง (ยังไม่มอบหมาย)"
DATE_FIELDS = {"due_date", "day", "snoozed_until", "paused_until"}
MOMENT_FIELDS = {"done_at", "expires", "line_group_code_expires"}
LINKED_FIELDS = {"line_user_id", "line_group_id"}  # LINE ids say nothing to a reader: linked or not
MAX_VALUE = 160


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str | None  # None: the field did not exist before (a new row, a note added)
    after: str | None  # None: the row is gone


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


class Names:
    """Turns the ids and codes stored in an event into what a person reads."""

    def __init__(self, people: dict[int, User], divisions: dict[int, Division]):
        self.people, self.divisions = people, divisions

    def value(self, key: str, value: Any) -> str:
        if key == "assignee" and _empty(value):
            return UNASSIGNED
        if _empty(value):
            return "—"
        if key == "status":
            return labels.of(TaskStatus, value)
        if key == "role":
            return labels.of(Role, value)
        if key == "review":
            return labels.of(EvidenceReview, value)
        if key == "purpose":
            return labels.of(OitPurpose, value)
        if key == "agency_type":
            return AGENCY_TYPES.get(value, str(value))
        if key == "plan_year_offset" and isinstance(value, int):
            return PLAN_YEAR_OFFSETS.get(value, str(value))
        if key in USER_FIELDS:
            person = self.people.get(value)
            return person.display_name if person else f"ผู้ใช้ #{value}"
        if key == "division_id":
            division = self.divisions.get(value)
            return division.name if division else f"กอง #{value}"
        if key == "quiet_days" and isinstance(value, list):
            return labels.weekdays_text(value)  # weekdays by name, not their numbers
        if key == "files" and isinstance(value, list):  # a piece's stored files (tasks.add_evidence): by name
            value = [f.get("file_name", "") if isinstance(f, dict) else str(f) for f in value]
        if key in LINKED_FIELDS:
            return "เชื่อมแล้ว"
        if isinstance(value, bool):
            return "ใช่" if value else "ไม่ใช่"
        if isinstance(value, str) and (key in DATE_FIELDS or key in MOMENT_FIELDS):
            try:
                if key in DATE_FIELDS:
                    return format_date(date.fromisoformat(value))
                moment = local(datetime.fromisoformat(value))
                return f"{format_date(moment.date())} {moment:%H:%M} น."
            except ValueError:
                return value
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value)
        return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"

    def changes(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
        """Return the fields whose values differ, in the order the event lists them."""
        before, after = before or {}, after or {}
        keys = list(dict.fromkeys([*after.keys(), *before.keys()]))
        found = []
        for key in keys:
            if key in HIDDEN_FIELDS or (key in NAMED and (NAMED[key] in before or NAMED[key] in after)):
                continue
            old, new = before.get(key), after.get(key)
            if old == new or (_empty(old) and _empty(new)):
                continue
            if key not in before and _empty(new) or key not in after and _empty(old):
                continue  # a new row's (or a removed row's) empty fields say nothing
            found.append(Change(
                field=key,
                label=labels.FIELD.get(key, key),
                before=self.value(key, old) if key in before else None,
                after=self.value(key, new) if key in after else None,
            ))
        return found


def describe(before: dict[str, Any] | None, after: dict[str, Any] | None,
             people: dict[int, User] | None = None, divisions: dict[int, Division] | None = None) -> list[Change]:
    """Return the fields an event changed, before → after, in words."""
    return Names(people or {}, divisions or {}).changes(before, after)
