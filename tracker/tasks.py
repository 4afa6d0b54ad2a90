"""What people do to tasks: report progress, tick off, reopen, assign, reschedule, comment, add evidence.

Each function checks permission through `access`, changes the task, and writes the audit trail, in the caller's
transaction: views, the CLI and the LINE webhook all call these and commit at their edge, so a tick-off with its
note and evidence is one transaction.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from . import audit, clock, evidence
from .access import Action, require, same_organization, scoped
from .errors import DomainError
from .extensions import db
from .fields import free_text
from .labels import CANNOT_DO
from .models import (
    AuditAction,
    AuditEvent,
    Comment,
    Evidence,
    EvidenceFile,
    Source,
    Task,
    TaskStatus,
    User,
)
from .thai import format_date
from .workdays import WorkCalendar

UNDO_WINDOW = timedelta(minutes=15)  # how long a person may take back their own tick-off


SNOOZE_OVERDUE_WORKING_DAYS = 5  # an overdue task's reminders are put off this far at most: it is late already


def _state(task: Task) -> dict[str, Any]:
    """What the trail keeps of a task, before and after a change: read from the relationships (a person set a moment
    ago has no foreign key yet before the flush) and with people's names, which is what a reader wants to know."""
    return {
        "status": task.status.value,
        "assignee_id": task.assignee.id if task.assignee else None,
        "assignee": task.assignee.display_name if task.assignee else None,
        "due_date": task.due_date.isoformat(),
        "done_at": task.done_at.isoformat() if task.done_at else None,
        "done_by_id": task.done_by.id if task.done_by else None,
        "done_by": task.done_by.display_name if task.done_by else None,
        "acknowledged_by": task.acknowledged_by.display_name if task.acknowledged_by else None,
        "snoozed_until": task.snoozed_until.isoformat() if task.snoozed_until else None,
        "blocked_reason": task.blocked_reason,
    }


def _touched(task: Task) -> None:
    """Someone did something on the task: the clock of its escalation and of the idle nudge starts again, and the
    steps it reached are cleared (recorded in the trail when they were reached: tracker.reminders.outbox)."""
    task.last_activity_at = clock.now()
    task.escalated_head_at = task.escalated_executive_at = task.nudged_at = None


def _unblocked(task: Task) -> None:
    """The head acted on a task someone could not do (reassigned, rescheduled, answered): it is no longer flagged."""
    task.blocked_reason, task.blocked_at, task.blocked_by = None, None, None


def _comment(task: Task, actor: User, text: str) -> Comment:
    comment = Comment(task=task, author=actor, text=text)
    db.session.add(comment)
    return comment


def _refuse_carried(task: Task) -> None:
    """A task carried over to the next year is worked on there: its old self is a record, no longer reported on."""
    if task.status is TaskStatus.CARRIED:
        where = f"ปีงบประมาณ {task.carried_to.measure.plan.fiscal_year.year_be}" if task.carried_to else "ปีถัดไป"
        raise DomainError(f"งานนี้ยกไปดำเนินการต่อใน{where}แล้ว — รายงานความคืบหน้าที่งานในแผนปีใหม่"
                          " (carried over to the next year)", 409)


def change_status(
    task: Task, actor: User, status: TaskStatus, *, source: Source, note: str | None = None
) -> None:
    """Report progress: todo -> doing -> done (or back to todo), with an optional note. Done stays done: reopen."""
    require(actor, Action.PROGRESS, task)
    _refuse_carried(task)
    note = free_text(note, "บันทึก")
    if task.status is TaskStatus.DONE and status is not TaskStatus.DONE:
        raise DomainError("งานนี้เสร็จแล้ว — หัวหน้ากองเปิดงานใหม่ได้พร้อมเหตุผล (a done task is reopened by the head)")
    if task.status is status and not note:
        return
    before = _state(task)
    task.status = status
    if status is TaskStatus.DONE and before["status"] != TaskStatus.DONE.value:
        task.done_at, task.done_by = clock.now(), actor
    if note:
        _comment(task, actor, note)
    _touched(task)
    action = AuditAction.TASK_TICK_OFF if status is TaskStatus.DONE else AuditAction.TASK_PROGRESS
    audit.record(actor, action, task, before=before, after={**_state(task), "note": note}, source=source)


def tick_off(task: Task, actor: User, *, source: Source, note: str | None = None) -> None:
    """Mark a task done."""
    if task.status is TaskStatus.DONE:
        raise DomainError("งานนี้เสร็จไปแล้ว (already done)", 409)
    change_status(task, actor, TaskStatus.DONE, source=source, note=note)


def reopen(task: Task, actor: User, reason: str, *, source: Source) -> None:
    """Reopen a done task, with the reason (a head only)."""
    require(actor, Action.REOPEN, task)
    reason = free_text(reason, "เหตุผลที่เปิดงานใหม่", required=True)
    if task.status is not TaskStatus.DONE:
        raise DomainError("เปิดใหม่ได้เฉพาะงานที่เสร็จแล้ว (only a done task can be reopened)", 409)
    before = _state(task)
    task.status, task.done_at, task.done_by = TaskStatus.DOING, None, None
    _touched(task)
    _comment(task, actor, f"เปิดงานใหม่: {reason}")
    audit.record(actor, AuditAction.TASK_REOPEN, task, before=before, after={**_state(task), "reason": reason},
                 source=source)


def assign(task: Task, actor: User, assignee: User | None, *, source: Source) -> None:
    """Give a task to a person of its division, or back to the whole division (None)."""
    require(actor, Action.ASSIGN, task)
    if assignee is not None and (
        not same_organization(assignee, task)
        or assignee.division_id != task.division_id
        or not assignee.active
    ):
        raise DomainError(f"มอบหมายได้เฉพาะผู้ใช้ที่ยังใช้งานอยู่ใน{task.division.name}")
    if task.assignee_id == (assignee.id if assignee else None):
        return
    before = _state(task)
    task.assignee = assignee
    _unblocked(task)  # given to someone else (or the whole division): whoever could not do it is relieved
    _touched(task)
    audit.record(actor, AuditAction.TASK_ASSIGN, task, before=before, after=_state(task), source=source)


def reschedule(task: Task, actor: User, due: date, *, source: Source, reason: str | None = None) -> None:
    """Change a task's due date (a head only), keeping the reason in the trail."""
    require(actor, Action.RESCHEDULE, task)
    reason = free_text(reason, "เหตุผล")
    plan_year = task.measure.plan.fiscal_year
    if not plan_year.start <= due <= plan_year.end.replace(year=plan_year.end.year + 1):
        raise DomainError("วันครบกำหนดต้องอยู่ในปีงบประมาณของแผน หรือไม่เกินหนึ่งปีหลังจากนั้น")
    if due == task.due_date:
        return
    before = _state(task)
    task.due_date = due
    _unblocked(task)  # a new date is the head's answer to "cannot do it in time"
    _touched(task)
    if task.snoozed_until is not None and task.snoozed_until > due:
        task.snoozed_until = None  # reminders put off past the new due date would miss it
    if reason:
        _comment(task, actor, f"เลื่อนกำหนดส่ง: {reason}")
    audit.record(actor, AuditAction.TASK_RESCHEDULE, task, before=before, after={**_state(task), "reason": reason},
                 source=source)


def comment(task: Task, actor: User, text: str, *, source: Source) -> Comment:
    """Add a comment to a task (anyone who can see it, the mayor included)."""
    require(actor, Action.COMMENT, task)
    text = free_text(text, "ข้อความ", required=True)
    note = _comment(task, actor, text)
    _touched(task)
    db.session.flush()
    audit.record(actor, AuditAction.TASK_COMMENT, task, after={"comment_id": note.id, "text": text}, source=source)
    return note


def add_evidence(
    task: Task,
    actor: User,
    *,
    source: Source,
    url: str | None = None,
    stored: evidence.StoredFile | None = None,
    files: Sequence[evidence.StoredFile] = (),
    note: str | None = None,
) -> Evidence:
    """Attach one piece of evidence to a task: a link, a stored file (`stored`), several stored files in their order
    (`files`: a set of photos sent in the LINE chat), or a link and files; audited once, with every file."""
    require(actor, Action.PROGRESS, task)
    _refuse_carried(task)
    given = ([stored] if stored is not None else []) + list(files)
    if not url and not given:
        raise DomainError("ต้องมีลิงก์หรือไฟล์หลักฐาน (a link or a file is required)")
    item = Evidence(
        task=task,
        url=evidence.check_url(url) if url else None,
        note=free_text(note, "คำอธิบายหลักฐาน"),
        created_by=actor,
        files=[EvidenceFile(position=position, file_path=file.path, file_name=file.name,
                            content_type=file.content_type, size=file.size, sha256=file.sha256, width=file.width,
                            height=file.height)
               for position, file in enumerate(given, start=1)],
    )
    db.session.add(item)
    _touched(task)
    db.session.flush()  # the item has its organization now, which the review rule compares
    evidence.start_review(item, actor)
    after = {**audit.snapshot(item), "files": [_file_state(file) for file in item.files]}
    audit.record(actor, AuditAction.TASK_EVIDENCE, task, after=after, source=source)
    return item


def _file_state(file: EvidenceFile) -> dict[str, Any]:
    """A stored file as the trail keeps it: which file it is, without where it is stored."""
    return {"file_id": file.id, "file_name": file.file_name, "size": file.size, "sha256": file.sha256,
            "width": file.width, "height": file.height}


def undo_deadline(task: Task, actor: User) -> datetime | None:
    """Return until when `actor` may take back closing this task: they closed it themselves, a moment ago."""
    if task.status is not TaskStatus.DONE or task.done_at is None or task.done_by_id != actor.id:
        return None
    deadline = task.done_at + UNDO_WINDOW
    return deadline if clock.now() <= deadline else None


def undo_tick_off(task: Task, actor: User, *, source: Source) -> None:
    """Take back one's own tick-off made a moment ago (the undo button on the task page and in LINE)."""
    require(actor, Action.PROGRESS, task)
    if task.status is not TaskStatus.DONE or task.done_by_id != actor.id or task.done_at is None:
        raise DomainError("ยกเลิกได้เฉพาะงานที่คุณเพิ่งบันทึกว่าเสร็จ (only your own tick-off can be undone)", 409)
    if undo_deadline(task, actor) is None:
        raise DomainError("เลยเวลายกเลิกแล้ว (15 นาที) — ให้หัวหน้ากองเปิดงานใหม่แทน", 409)
    ticked = db.session.scalar(
        scoped(AuditEvent, task.organization_id)
        .where(AuditEvent.action == AuditAction.TASK_TICK_OFF.value, AuditEvent.object_type == "Task",
               AuditEvent.object_id == task.id).order_by(AuditEvent.id.desc())
    )
    previous = (ticked.before or {}).get("status", TaskStatus.DOING.value) if ticked else TaskStatus.DOING.value
    before = _state(task)
    task.status, task.done_at, task.done_by = TaskStatus(previous), None, None
    audit.record(actor, AuditAction.TASK_UNDO, task, before=before, after=_state(task), source=source)


# --- answers to a reminder: LINE's buttons and the task page -------------------------------------------------------


def _same_person(who: User | None, actor: User) -> bool:
    """By the relationship, not its foreign key, which is only set at the next flush (said twice in one transaction);
    by id, since the request's signed-in person need not be the session's very object."""
    return who is not None and who.id == actor.id


def _refuse_closed(task: Task) -> None:
    _refuse_carried(task)
    if task.status is TaskStatus.DONE:
        raise DomainError("งานนี้เสร็จแล้ว (already done)", 409)


def acknowledge(task: Task, actor: User, *, source: Source) -> bool:
    """รับทราบ/กำลังทำ: the person is on it. A task not started becomes doing; the head's digest says who. Tell
    whether anything changed (pressed twice, or on two devices: no)."""
    require(actor, Action.PROGRESS, task)
    _refuse_closed(task)
    if _same_person(task.acknowledged_by, actor) and task.status is TaskStatus.DOING:
        return False  # said already
    before = _state(task)
    task.acknowledged_at, task.acknowledged_by = clock.now(), actor
    if task.status is TaskStatus.TODO:
        task.status = TaskStatus.DOING
    _touched(task)
    audit.record(actor, AuditAction.TASK_ACKNOWLEDGE, task, before=before, after=_state(task), source=source)
    return True


def snooze_bounds(task: Task, today: date, calendar: WorkCalendar) -> tuple[date, date]:
    """The days a task's reminders can be put off to: from tomorrow to its due date while it is not overdue (only the
    reminders move: it is still due that day), and at most SNOOZE_OVERDUE_WORKING_DAYS working days once it is."""
    first = today + timedelta(days=1)
    if today <= task.due_date:
        return first, max(first, task.due_date)
    return first, calendar.add_working_days(today, SNOOZE_OVERDUE_WORKING_DAYS)


def snooze(task: Task, actor: User, until: date, calendar: WorkCalendar, *, source: Source) -> bool:
    """เลื่อนการเตือน: no reminder of the task before `until`; its due date does not move. Tell whether anything
    changed (the same day again: no)."""
    require(actor, Action.PROGRESS, task)
    _refuse_closed(task)
    first, last = snooze_bounds(task, clock.today(), calendar)
    if not first <= until <= last:
        raise DomainError(f"เลื่อนการเตือนได้ถึงวันที่ {format_date(first)} - {format_date(last)}"
                          + (" (ไม่เกินวันครบกำหนด)" if clock.today() <= task.due_date else " (งานเกินกำหนดแล้ว)"))
    if task.snoozed_until == until:
        return False
    before = _state(task)
    task.snoozed_until = until
    audit.record(actor, AuditAction.TASK_SNOOZE, task, before=before, after=_state(task), source=source)
    return True


def cannot_do(task: Task, actor: User, reason: str, *, source: Source) -> bool:
    """ทำไม่ได้: the person cannot do the task, and says why. Flagged until the head reassigns, reschedules or
    answers; the head reads it on the board and in their next digest. Tell whether anything changed (the same
    person's same reason while it is still flagged: no)."""
    require(actor, Action.PROGRESS, task)
    _refuse_closed(task)
    reason = free_text(reason, "เหตุผลที่ทำไม่ได้", required=True)
    if task.blocked_reason == reason and _same_person(task.blocked_by, actor):
        return False
    before = _state(task)
    task.blocked_reason, task.blocked_at, task.blocked_by = reason, clock.now(), actor
    _comment(task, actor, f"{CANNOT_DO}: {reason}")
    _touched(task)
    audit.record(actor, AuditAction.TASK_CANNOT_DO, task, before=before, after=_state(task), source=source)
    return True


def answer_cannot_do(task: Task, actor: User, answer: str, *, source: Source) -> None:
    """The head answers a "cannot do" (what to do instead, who helps): the task is no longer flagged."""
    require(actor, Action.ASSIGN, task)
    if task.blocked_reason is None:
        raise DomainError("งานนี้ไม่มีเรื่องทำไม่ได้ที่รอคำตอบ (nothing to answer)", 409)
    answer = free_text(answer, "คำตอบ", required=True)
    before = _state(task)
    _unblocked(task)
    _comment(task, actor, f"ตอบเรื่อง{CANNOT_DO}: {answer}")
    _touched(task)
    audit.record(actor, AuditAction.TASK_CANNOT_DO_ANSWER, task, before=before,
                 after={**_state(task), "answer": answer}, source=source)
