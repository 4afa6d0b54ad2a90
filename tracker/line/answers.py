"""A reminder answered from LINE: the buttons of a task's bubble besides เสร็จแล้ว, and what the bot replies.

    ack         รับทราบ/กำลังทำ: tasks.acknowledge (a task not started becomes doing; the head's digest says who)
    snooze      เลื่อนการเตือน: a question with a quick reply under it: 1, 3 or 5 working days (each a button signed
                with its day, `snoozeto`), or a day picked in LINE's date picker (`snoozepick`: signed without the
                day, which comes in the event's postback.params.date). Only the reminders move, never the due date;
                tasks.snooze keeps the day within tasks.snooze_bounds whatever was pressed, and says why in Thai.
    cannot      ทำไม่ได้: the person's next one-to-one chat message within REASON_WINDOW is the reason
                (User.line_reason_task_id, line_reason_until), recorded by tasks.cannot_do; a command word (งาน,
                สรุป) instead cancels it and runs.

(The bubble's ส่งรูปหลักฐาน, `photo`, holds the task for the photos sent next: tracker.line.uploads.expect.)

And a head's buttons on a piece of evidence waiting for review (their digest lists the oldest few: digest.py),
signed with the evidence (postback.read_evidence):

    accept      ผ่าน: evidence.review(accepted), replied "ตรวจผ่านแล้ว".
    sendback    ส่งกลับแก้ไข: the reason is asked for as ทำไม่ได้'s is, and the head's next one-to-one message within
                REASON_WINDOW is recorded by evidence.review(sent back, reason); the staff member reads it in their
                next digest (tracker.evidence.needing_work_for). The one slot holds either wait: line_reason_task_id
                is a task's id (ทำไม่ได้) or, negative, a piece of evidence's (ส่งกลับแก้ไข): see `waiting_for`.

Evidence no longer waiting (reviewed on the web meanwhile, or by another press) is answered "ตรวจไปแล้ว" and nothing
is written.

Each goes through the same domain verb and permission check as the web (the webhook asks access first, and the verb
asks again), audited with source LINE, in the webhook's transaction: the webhook commits, then replies (free). The
buttons these replies carry are signed, like the bubble's, for the LINE user or group the pressed button was signed
for.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .. import clock, evidence, tasks
from ..access import Action, can, find
from ..access import reason as refusal
from ..errors import DomainError
from ..labels import ACKNOWLEDGED, CANNOT_DO, SNOOZED_UNTIL, label
from ..models import Evidence, EvidenceReview, Organization, Source, Task, TaskStatus, User
from ..organization import work_calendar
from ..thai import MONTHS_SHORT, format_date
from . import flex, postback
from .replies import secret

REASON_WINDOW = timedelta(minutes=30)  # how long a pressed ทำไม่ได้ waits for its reason
SNOOZE_WORKING_DAYS = (1, 3, 5)  # the quick reply's choices; those past tasks.snooze_bounds are left out
PICK_LABEL = "เลือกวันเอง"
STEP_NAMED = 60  # characters of a task's step a reply names it by
REASON_ECHOED = 200  # characters of a recorded reason the reply repeats

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Pressed:
    """A task's button pressed in LINE, its signature checked and the person allowed to act on the task."""

    organization: Organization
    user: User
    task: Task
    binding: str  # the LINE user or group the button was signed for: the reply's own buttons are signed for it too
    one_to_one: bool  # pressed in the person's own chat with the bot (not a group or a room)
    day: date | None  # the day the button's data carries (signed)
    params: dict[str, Any]  # the event's postback.params (the date picker's choice), as LINE sent them

    def sign(self, action: str, day: date | None = None) -> str:
        return postback.sign(action, self.task.id, self.binding, secret(), day=day)


def named(task: Task) -> str:
    """The task's step as a reply names it: one line, cut."""
    step = " ".join(task.step_text.split())
    return step if len(step) <= STEP_NAMED else step[:STEP_NAMED - 1].rstrip() + "…"


def short_date(day: date) -> str:
    """A day without its year, as a quick reply's small button has room for: "16 มี.ค."."""
    return f"{day.day} {MONTHS_SHORT[day.month - 1]}"


def refused(task: Task) -> str:
    return f"คุณไม่มีสิทธิ์ตอบงานนี้ — เป็นงานของ{task.division.name}"


def _closed(task: Task) -> str | None:
    """Why a task takes no answer any more (done, or carried to the next year): asked before a question is put,
    so nobody picks a day or types a reason for nothing. The verbs refuse it too."""
    if task.status is TaskStatus.DONE:
        return f"งานนี้{label(task.status)} — ไม่ต้องตอบการแจ้งเตือนแล้ว: “{named(task)}”"
    if task.status is TaskStatus.CARRIED:
        return f"งานนี้ยกไปดำเนินการต่อในปีงบประมาณถัดไปแล้ว — ตอบที่งานในแผนปีใหม่: “{named(task)}”"
    return None


# --- รับทราบ/กำลังทำ ------------------------------------------------------------------------------------------------


def acknowledge(pressed: Pressed) -> list[dict]:
    task = pressed.task
    tasks.acknowledge(task, pressed.user, source=Source.LINE)
    return [flex.text(f"{ACKNOWLEDGED} ✅ “{named(task)}”\n"
                      f"สถานะ: {label(task.status)} · ครบกำหนด {format_date(task.due_date)}")]


# --- เลื่อนการเตือน --------------------------------------------------------------------------------------------------


def snooze_choices(pressed: Pressed) -> list[dict]:
    """The question "until when?", with a quick reply: the working days of SNOOZE_WORKING_DAYS that fall within the
    task's bounds, then LINE's date picker between them."""
    task = pressed.task
    if (closed := _closed(task)) is not None:
        return [flex.text(closed)]
    calendar = work_calendar(pressed.organization)
    today = clock.today()
    first, last = tasks.snooze_bounds(task, today, calendar)
    items = []
    for count in SNOOZE_WORKING_DAYS:
        day = calendar.add_working_days(today, count)
        if first <= day <= last:
            items.append(flex.postback_item(f"{count} วันทำการ {short_date(day)}", pressed.sign("snoozeto", day),
                                            f"{flex.SNOOZE_LABEL}ถึง {format_date(day)}"))
    items.append(flex.date_picker_item(PICK_LABEL, pressed.sign("snoozepick"), initial=first, earliest=first,
                                       latest=last))
    if today > task.due_date:
        bound = (f"งานนี้เกินกำหนดแล้ว (ครบกำหนด {format_date(task.due_date)}): เลื่อนได้ไม่เกิน "
                 f"{tasks.SNOOZE_OVERDUE_WORKING_DAYS} วันทำการ ถึง {format_date(last)}")
    else:
        bound = f"เลื่อนได้ถึงวันครบกำหนด {format_date(last)}"
    question = (f"{flex.SNOOZE_LABEL}ของ “{named(task)}” ถึงวันไหน?\n{bound}\n"
                "เลื่อนเฉพาะการแจ้งเตือน วันครบกำหนดไม่เปลี่ยน — เลือกด้านล่าง")
    return [flex.with_quick_reply(flex.text(question), items)]


def _snoozed(pressed: Pressed, until: date) -> list[dict]:
    task = pressed.task
    tasks.snooze(task, pressed.user, until, work_calendar(pressed.organization), source=Source.LINE)
    return [flex.text(f"{SNOOZED_UNTIL} {format_date(until)} ✅ “{named(task)}”\n"
                      f"วันครบกำหนดยังเป็น {format_date(task.due_date)} — เลื่อนเฉพาะการแจ้งเตือน")]


def snooze_to(pressed: Pressed) -> list[dict]:
    """One of the quick reply's days: the day is in the signed data."""
    if pressed.day is None:
        return [flex.text("ปุ่มนี้ใช้ไม่ได้แล้ว — กด “เลื่อนการเตือน” ที่งานอีกครั้ง")]
    return _snoozed(pressed, pressed.day)


def snooze_picked(pressed: Pressed) -> list[dict]:
    """The date picker's day, from the event's postback.params.date (not signed: tasks.snooze checks its bounds)."""
    picked = pressed.params.get("date")
    try:
        day = date.fromisoformat(picked) if isinstance(picked, str) and _ISO_DAY.fullmatch(picked) else None
    except ValueError:
        day = None
    if day is None:
        return [flex.text("ไม่ได้เลือกวันที่ — กด “เลื่อนการเตือน” ที่งานแล้วเลือกวันอีกครั้ง")]
    return _snoozed(pressed, day)


# --- ทำไม่ได้ -------------------------------------------------------------------------------------------------------


def ask_reason(pressed: Pressed) -> list[dict]:
    """Hold the press until the reason comes: the person's next one-to-one message (typed_reason).

    In a group (or a room) the bot never takes the reason from the conversation: a team's chat is not addressed to
    the bot (it stays quiet there), the next line the person types there may well be about something else, and what
    holds the press is the person who pressed (the button is only bound to the group, so anyone in it could press):
    they are asked to type it in their own chat with the bot, where only they write and nobody else's line can be
    taken for theirs.
    """
    task, user = pressed.task, pressed.user
    if (closed := _closed(task)) is not None:
        return [flex.text(closed)]
    _wait_for(user, task=task)
    return _reason_asked(pressed, "ที่ทำไม่ได้", f"งาน: “{named(task)}”", "หัวหน้ากองจะเห็น")


def _reason_asked(pressed: Pressed | ReviewPressed, reason: str, about: str, seen_by: str) -> list[dict]:
    """Ask for a reason (ทำไม่ได้'s, ส่งกลับแก้ไข's), typed next in the person's own chat with the bot, named in a
    group (ask_reason says why there), within REASON_WINDOW."""
    minutes = int(REASON_WINDOW.total_seconds() // 60)
    where = "" if pressed.one_to_one else f"คุณ{pressed.user.display_name}: "
    chat = "ที่นี่" if pressed.one_to_one else "ในแชทส่วนตัวกับบัญชีนี้ (ไม่ใช่ในกลุ่ม)"
    return [flex.text(f"{where}พิมพ์เหตุผล{reason} {chat} ภายใน {minutes} นาที\n{about}\n"
                      f"ข้อความถัดไปของคุณจะบันทึกเป็นเหตุผล และ{seen_by} — พิมพ์ “งาน” เพื่อยกเลิก")]


def forget_reason(user: User) -> None:
    user.line_reason_task_id, user.line_reason_until = None, None


def _wait_for(user: User, *, task: Task | None = None, item: Evidence | None = None) -> None:
    """Hold a press until its reason comes: a task's ทำไม่ได้, or a piece of evidence's ส่งกลับแก้ไข (its id
    stored negative in the same column: ids are positive, so the two never meet, and no column is added)."""
    held = task.id if task is not None else -item.id if item is not None else None
    user.line_reason_task_id, user.line_reason_until = held, clock.now() + REASON_WINDOW


def waiting_for(user: User) -> tuple[str, int] | None:
    """What the person's next one-to-one message would be the reason of: ("task", id) after ทำไม่ได้, ("evidence",
    id) after ส่งกลับแก้ไข; None when nothing is held."""
    held = user.line_reason_task_id
    if held is None:
        return None
    return ("evidence", -held) if held < 0 else ("task", held)


def typed_reason(organization: Organization, user: User, text: str, command: str) -> list[dict] | None:
    """A person's one-to-one chat text: the reason of the ทำไม่ได้ (or ส่งกลับแก้ไข) they pressed, if one waits
    (recorded with tasks.cannot_do, or evidence.review; the reply says so); None when none waits, it has expired,
    or the text is a command word (the wait is then forgotten and the caller answers the text as usual)."""
    held, until = waiting_for(user), user.line_reason_until
    if held is None and until is None:
        return None
    forget_reason(user)
    if held is None or until is None or clock.now() >= until or command != "help":
        return None
    kind, held_id = held
    if kind == "evidence":
        return _typed_send_back(organization, user, held_id, text)
    task = find(Task, held_id, organization.id)
    if task is None:
        return [flex.text("ไม่พบงานนี้ (อาจถูกลบไปแล้ว) — ไม่ได้บันทึกเหตุผล")]
    if not can(user, Action.PROGRESS, task):
        return [flex.text(refused(task))]
    tasks.cannot_do(task, user, text, source=Source.LINE)
    reason = task.blocked_reason or ""
    if len(reason) > REASON_ECHOED:
        reason = reason[:REASON_ECHOED - 1] + "…"
    return [flex.text(f"บันทึกแล้ว: {CANNOT_DO} ✅ “{named(task)}”\nเหตุผล: {reason}\n"
                      "หัวหน้ากองจะเห็นเรื่องนี้ที่งานและในสรุปถัดไป")]


def reason_refused(organization: Organization, user: User, error: DomainError) -> list[dict]:
    """The reply when tasks.cannot_do refused the typed reason, after the webhook rolled back (which undid the
    forgetting too): a reason it can take (too long, say) is asked for again within the time left; a task that
    takes none any more (done meanwhile) is forgotten."""
    held = waiting_for(user)
    if held is not None and held[0] == "evidence":
        item = find(Evidence, held[1], organization.id)
        still = item is not None and item.review is EvidenceReview.PENDING
    else:
        task = find(Task, held[1], organization.id) if held is not None else None
        still = task is not None and task.status.is_open
    if not still:
        forget_reason(user)
        return [flex.text(error.message)]
    return [flex.text(f"{error.message}\nพิมพ์เหตุผลใหม่อีกครั้ง (หรือพิมพ์ “งาน” เพื่อยกเลิก)")]


# --- หลักฐาน: ผ่าน / ส่งกลับแก้ไข ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewPressed:
    """A head's review button pressed in LINE, its signature checked (the evidence, of the task it was signed
    with); whether the person may review it is asked by review_pressed."""

    organization: Organization
    user: User
    evidence_id: int
    task_id: int
    action: str  # accept | sendback
    one_to_one: bool


def _named_evidence(item: Evidence) -> str:
    what = " ".join(evidence.describe(item).split())
    return what if len(what) <= STEP_NAMED else what[:STEP_NAMED - 1].rstrip() + "…"


def _reviewed_already(item: Evidence) -> str:
    """The answer to a button on evidence no longer waiting: who reviewed it and how, nothing written."""
    verdict = "ผ่าน" if item.review is EvidenceReview.ACCEPTED else "ส่งกลับให้แก้ไข"
    by = f" โดย{item.reviewed_by.display_name}" if item.reviewed_by is not None else ""
    return f"หลักฐานนี้ตรวจไปแล้ว ({verdict}{by}): “{_named_evidence(item)}”\nงาน: “{named(item.task)}”"


def review_pressed(pressed: ReviewPressed) -> list[dict]:
    """ผ่าน: accepted at once; ส่งกลับแก้ไข: the reason is asked for (typed next, as ทำไม่ได้'s). Someone who may not
    review it is refused, and evidence no longer waiting is answered "ตรวจไปแล้ว"; neither writes anything."""
    item = find(Evidence, pressed.evidence_id, pressed.organization.id)
    if item is None or item.task_id != pressed.task_id:
        return [flex.text("ไม่พบหลักฐานนี้ (อาจถูกลบไปแล้ว) — ดูหลักฐานรอตรวจในเว็บ")]
    user = pressed.user
    if not can(user, Action.REVIEW_EVIDENCE, item):
        return [flex.text(refusal(user, Action.REVIEW_EVIDENCE, item))]
    if item.review is not EvidenceReview.PENDING:
        return [flex.text(_reviewed_already(item))]
    if pressed.action == "accept":
        evidence.review(item, user, True, None, source=Source.LINE)
        return [flex.text(f"ตรวจผ่านแล้ว ✅ “{_named_evidence(item)}”\nงาน: “{named(item.task)}”\n"
                          "เผยแพร่ต่อสาธารณะได้ที่หน้างานในเว็บ")]
    _wait_for(user, item=item)
    return _reason_asked(pressed, "ที่ต้องแก้ไข", f"หลักฐาน: “{_named_evidence(item)}”\nงาน: “{named(item.task)}”",
                         "ผู้ส่งจะเห็นในสรุปถัดไป")


def _typed_send_back(organization: Organization, user: User, evidence_id: int, text: str) -> list[dict]:
    """The head's reason for sending a piece of evidence back, typed after ส่งกลับแก้ไข: recorded with
    evidence.review, unless it was reviewed meanwhile (on the web) or the head may no longer review it."""
    item = find(Evidence, evidence_id, organization.id)
    if item is None:
        return [flex.text("ไม่พบหลักฐานนี้ (อาจถูกลบไปแล้ว) — ไม่ได้บันทึกเหตุผล")]
    if not can(user, Action.REVIEW_EVIDENCE, item):
        return [flex.text(refusal(user, Action.REVIEW_EVIDENCE, item))]
    if item.review is not EvidenceReview.PENDING:
        return [flex.text(_reviewed_already(item) + "\nไม่ได้บันทึกเหตุผลนี้")]
    evidence.review(item, user, False, text, source=Source.LINE)
    recorded = item.review_reason or ""
    if len(recorded) > REASON_ECHOED:
        recorded = recorded[:REASON_ECHOED - 1] + "…"
    return [flex.text(f"ส่งกลับให้แก้ไขแล้ว ✅ “{_named_evidence(item)}”\nงาน: “{named(item.task)}”\n"
                      f"เหตุผล: {recorded}\nผู้ส่งจะเห็นเหตุผลนี้ที่งานและในสรุปถัดไป")]


# The evidence buttons review_pressed answers, by their postback action.
REVIEW_BUTTONS = ("accept", "sendback")

# The task buttons this module answers, by their postback action.
BUTTONS: dict[str, Callable[[Pressed], list[dict]]] = {
    "ack": acknowledge,
    "snooze": snooze_choices,
    "snoozeto": snooze_to,
    "snoozepick": snooze_picked,
    "cannot": ask_reason,
}
