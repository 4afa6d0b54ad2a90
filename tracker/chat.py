"""The organization's LINE Official Account as a way in: what the bot does with each webhook event.

Every answer goes through the reply API (free); only reminders are pushed. Ticking off from a chat calls the same
domain function and permission check as the web, with the audit trail's source set to LINE. Each event is handled
once: its webhookEventId is recorded in the same transaction as its effects.
"""
from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import audit, clock, flex, postback, tasks
from .access import Action, can, require
from .days_off import work_calendar
from .errors import DomainError
from .extensions import db
from .line import Channel
from .models import Division, LineEvent, LinkNonce, Organization, Role, Source, Task, TaskStatus, User
from .workdays import WorkCalendar, describe_due

log = logging.getLogger(__name__)

NONCE_LIFETIME = timedelta(minutes=10)
GROUP_CODE_LIFETIME = timedelta(minutes=30)
ACCOUNT_LINK_URL = "https://access.line.me/dialog/bot/accountLink"

HELP = (
    "พิมพ์ “งาน” เพื่อดูงานของคุณที่ยังไม่เสร็จ\n"
    "พิมพ์ “สรุป” เพื่อดูความคืบหน้าของกอง (หัวหน้ากอง) หรือของหน่วยงาน (ผู้บริหาร)\n"
    "Type “tasks” or “summary”."
)
_TASK_WORDS = {"งาน", "งานของฉัน", "งานฉัน", "งานผม", "งานของผม", "งานของหนู", "task", "tasks", "mytasks"}
_SUMMARY_WORDS = {"สรุป", "สรุปงาน", "summary"}


def command_of(text: str) -> str:
    """Read a chat text as a command: tasks, summary, or help (spaces, case and ฉัน/ผม do not matter)."""
    key = re.sub(r"\s+", "", text or "").lower()
    if key in _TASK_WORDS:
        return "tasks"
    if key in _SUMMARY_WORDS:
        return "summary"
    return "help"


def handle(organization: Organization, event: dict[str, Any], channel: Channel) -> None:
    """Handle one webhook event, once: a redelivered event (same webhookEventId) changes nothing twice."""
    event_id = event.get("webhookEventId")
    kind = str(event.get("type") or "unknown")
    if event_id:
        db.session.add(LineEvent(webhook_event_id=str(event_id)[:64], organization_id=organization.id, type=kind[:40]))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            log.info("LINE event %s already handled", event_id)
            return
    handler = _HANDLERS.get(kind)
    reply: list[dict] = handler(organization, event, channel) if handler else []
    db.session.commit()
    if reply and event.get("replyToken"):
        channel.reply(event["replyToken"], reply)


def _source(event: dict) -> dict:
    return event.get("source") or {}


def _linked_user(organization: Organization, line_user_id: str | None) -> User | None:
    if not line_user_id:
        return None
    return db.session.scalar(
        select(User).where(User.organization_id == organization.id, User.line_user_id == line_user_id,
                           User.active.is_(True))
    )


def _link_invitation(channel: Channel, line_user_id: str | None) -> list[dict]:
    token = channel.issue_link_token(line_user_id) if line_user_id else None
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    if not token:
        return [flex.text("บัญชี LINE นี้ยังไม่ได้เชื่อมกับระบบ — เข้าสู่ระบบที่ " + base + "/profile เพื่อเชื่อม")]
    return [flex.text(
        "สวัสดีครับ นี่คือบัญชีแจ้งเตือนงานแผนปรับปรุง ITA ของหน่วยงาน\n"
        f"เชื่อมบัญชี LINE กับระบบก่อน แล้วคุณจะได้รับการแจ้งเตือนและปิดงานจากแชทได้:\n{base}/line/link?linkToken={token}"
    )]


# --- events ----------------------------------------------------------------------------------------------------


def _follow(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    user = _linked_user(organization, _source(event).get("userId"))
    if user:
        return [flex.text(f"ยินดีต้อนรับกลับ คุณ{user.display_name}\n{HELP}")]
    return _link_invitation(channel, _source(event).get("userId"))


def _unfollow(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    # Blocked: no pushes are tried for them any more.
    line_user_id = _source(event).get("userId")
    for user in db.session.scalars(
        select(User).where(User.organization_id == organization.id, User.line_user_id == line_user_id)
    ):
        unlink(user, actor=user, source=Source.LINE)
    return []


def _message(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    message = event.get("message") or {}
    source = _source(event)
    if source.get("type") == "group":
        return _group_message(organization, source.get("groupId"), message.get("text") or "", channel)
    if message.get("type") != "text":
        return [flex.text(HELP)]
    user = _linked_user(organization, source.get("userId"))
    if user is None:
        return _link_invitation(channel, source.get("userId"))
    command = command_of(message.get("text", ""))
    if command == "tasks":
        return tasks_reply(user)
    if command == "summary":
        return [flex.text(summary_text(user))]
    return [flex.text(HELP)]


def _postback(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    source = _source(event)
    user = _linked_user(organization, source.get("userId"))
    if user is None:
        return _link_invitation(channel, source.get("userId"))
    binding = source.get("groupId") if source.get("type") == "group" else source.get("userId")
    parsed = postback.verify((event.get("postback") or {}).get("data", ""), binding or "", _secret())
    if parsed is None:
        return [flex.text("ปุ่มนี้ใช้ไม่ได้แล้ว — พิมพ์ “งาน” เพื่อดูงานล่าสุด")]
    action, task_id = parsed
    task = db.session.scalar(
        select(Task).join(Task.division).where(Task.id == task_id, Division.organization_id == organization.id)
    )
    if task is None:
        return [flex.text("ไม่พบงานนี้ (อาจถูกลบไปแล้ว)")]
    if not can(user, Action.PROGRESS, task):
        return [flex.text("คุณไม่มีสิทธิ์ปิดงานนี้ — เป็นงานของ" + task.division.name)]
    try:
        if action == "done":
            tasks.tick_off(task, user, source=Source.LINE)
        elif action == "undo":
            tasks.undo_tick_off(task, user, source=Source.LINE)
        else:
            return [flex.text(HELP)]
    except DomainError as error:
        db.session.rollback()
        return [flex.text(error.message)]
    card = task_card(task)
    if action == "done":
        undo = postback.sign("undo", task.id, binding or "", _secret())
        return [flex.tick_confirmation(card, base_url=_base_url(), undo_data=undo)]
    return [flex.text(f"ยกเลิกแล้ว: “{task.step_text[:60]}” กลับเป็น{tasks.STATUS_LABELS[task.status]}")]


def _account_link(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    link = event.get("link") or {}
    line_user_id = _source(event).get("userId")
    if link.get("result") != "ok" or not line_user_id:
        return [flex.text("เชื่อมบัญชีไม่สำเร็จ ลองใหม่อีกครั้งจากลิงก์ในแชทนี้")]
    record = db.session.scalar(select(LinkNonce).where(LinkNonce.nonce == str(link.get("nonce") or "")))
    if (record is None or record.used_at is not None or record.expires_at < clock.now()
            or record.user.organization_id != organization.id or not record.user.active):
        # A replayed, expired or forged nonce links nothing.
        return [flex.text("ลิงก์เชื่อมบัญชีนี้ใช้ไม่ได้แล้ว — พิมพ์อะไรก็ได้เพื่อขอลิงก์ใหม่")]
    record.used_at = clock.now()
    user = record.user
    link_account(user, line_user_id, source=Source.LINE)
    return [flex.text(f"เชื่อมบัญชีเรียบร้อย สวัสดีคุณ{user.display_name}\n{HELP}")]


def _join(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    return [flex.text("สวัสดีครับ เชื่อมกลุ่มนี้กับกองของคุณ: หัวหน้ากองหรือผู้ดูแลระบบเปิดหน้ากองในเว็บ "
                      "กด “สร้างรหัสเชื่อมกลุ่ม LINE” แล้วพิมพ์รหัสนั้นในกลุ่มนี้")]


def _leave(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    group_id = _source(event).get("groupId")
    division = db.session.scalar(
        select(Division).where(Division.organization_id == organization.id, Division.line_group_id == group_id)
    )
    if division is not None:
        before = {"line_group_id": division.line_group_id}
        division.line_group_id, division.line_group_members = None, None
        audit.record(None, "division.line_group_detach", division, before=before, after={"line_group_id": None},
                     source=Source.LINE, organization=organization)
    return []


def _group_message(organization: Organization, group_id: str | None, text: str, channel: Channel) -> list[dict]:
    code = re.sub(r"\s+", "", text).upper()
    if not group_id or not re.fullmatch(r"ITA-\d{6}", code):
        return []  # a team's own conversation: the bot stays quiet
    division = db.session.scalar(
        select(Division).where(Division.organization_id == organization.id, Division.line_group_code == code)
    )
    if division is None or division.line_group_code_expires is None or division.line_group_code_expires < clock.now():
        return [flex.text("รหัสนี้ใช้ไม่ได้หรือหมดอายุแล้ว — สร้างรหัสใหม่ที่หน้ากองในเว็บ")]
    before = {"line_group_id": division.line_group_id}
    taken = db.session.scalar(select(Division).where(Division.line_group_id == group_id, Division.id != division.id))
    if taken is not None:
        taken.line_group_id, taken.line_group_members = None, None
    division.line_group_id = group_id
    division.line_group_members = channel.group_member_count(group_id)
    division.line_group_code = division.line_group_code_expires = None
    audit.record(None, "division.line_group", division, before=before,
                 after={"line_group_id": group_id, "members": division.line_group_members},
                 source=Source.LINE, organization=organization)
    return [flex.text(f"เชื่อมกลุ่มนี้กับ{division.name}แล้ว: สรุปประจำสัปดาห์และงานเกินกำหนดของกองจะแจ้งที่นี่")]


_HANDLERS = {
    "follow": _follow,
    "unfollow": _unfollow,
    "message": _message,
    "postback": _postback,
    "accountLink": _account_link,
    "join": _join,
    "leave": _leave,
}


# --- what the bot shows ----------------------------------------------------------------------------------------


def _base_url() -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/")


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def task_card(task: Task, calendar: WorkCalendar | None = None) -> flex.TaskCard:
    """Describe a task for a LINE bubble, its due state counted in working days (pass the calendar for many)."""
    calendar = calendar or work_calendar(task.division.organization_id)
    state = describe_due(task.due_date, task.status is TaskStatus.DONE, clock.today(), calendar)
    return flex.TaskCard(
        id=task.id, measure_order=task.measure.order, measure_title=task.measure.title,
        step_number=task.step_number, step_text=task.step_text, division_name=task.division.name,
        due=task.due_date, state_kind=state.kind, state_text=state.text,
        status_label=tasks.STATUS_LABELS[task.status], done=task.status is TaskStatus.DONE,
    )


def tasks_reply(user: User) -> list[dict]:
    """The person's open tasks as a carousel, overdue first, with a link to the rest past LINE's 12 bubbles."""
    open_tasks = [t for t in db.session.scalars(tasks.my_tasks(user).order_by(Task.due_date, Task.id))
                  if t.status is not TaskStatus.DONE]
    if not open_tasks:
        return [flex.text("ไม่มีงานค้าง 🎉")]
    calendar = work_calendar(user.organization_id)  # once, not once per task
    cards = [task_card(t, calendar) for t in open_tasks]  # by due date: the overdue ones come first
    line_user_id = user.line_user_id or ""
    message = flex.task_carousel(
        cards,
        base_url=_base_url(),
        postback=lambda action, task_id: postback.sign(action, task_id, line_user_id, _secret()),
        alt_text=f"งานของคุณ {len(cards)} งาน (เกินกำหนด {sum(c.state_kind == 'overdue' for c in cards)})",
        more_url=f"{_base_url()}/tasks",
    )
    return [message]


def summary_text(user: User) -> str:
    """Progress of a head's division, or of the organization for executives and admins."""
    query = select(Task).join(Task.division).where(Division.organization_id == user.organization_id)
    if user.role in (Role.HEAD, Role.STAFF):
        if user.division_id is None:
            return "คุณยังไม่ได้อยู่ในกองใด"
        query = query.where(Task.division_id == user.division_id)
        title = user.division.name
    else:
        title = user.organization.name
    found = db.session.scalars(query).all()
    today = clock.today()
    done = sum(t.status is TaskStatus.DONE for t in found)
    overdue = sum(t.status is not TaskStatus.DONE and t.due_date < today for t in found)
    soon = sum(t.status is not TaskStatus.DONE and today <= t.due_date <= today + timedelta(days=30) for t in found)
    percent = f"{100 * done / len(found):.0f}%" if found else "-"
    return (f"สรุป{title}\nเสร็จแล้ว {done} จาก {len(found)} งาน ({percent})\nเกินกำหนด {overdue} งาน\n"
            f"ครบกำหนดใน 30 วัน {soon} งาน\n{_base_url()}/dashboard")


# --- linking ---------------------------------------------------------------------------------------------------


def new_nonce(user: User) -> LinkNonce:
    """Issue the one-time nonce that proves, when LINE sends it back, which signed-in person asked to link."""
    record = LinkNonce(nonce=secrets.token_urlsafe(32), user=user, expires_at=clock.now() + NONCE_LIFETIME)
    db.session.add(record)
    return record


def link_account(user: User, line_user_id: str, *, source: Source) -> None:
    """Link a LINE account to a person; it is taken from anyone it was linked to before."""
    for other in db.session.scalars(select(User).where(User.line_user_id == line_user_id, User.id != user.id)):
        unlink(other, actor=user, source=source)
    db.session.flush()
    before = {"line_linked": user.line_user_id is not None}
    user.line_user_id = line_user_id
    audit.record(user, "user.line_link", user, before=before, after={"line_linked": True}, source=source)


def unlink(user: User, *, actor: User | None, source: Source) -> None:
    """Forget a person's LINE account: no reminder is pushed to them any more."""
    if user.line_user_id is None:
        return
    user.line_user_id = None
    audit.record(actor, "user.line_unlink", user, before={"line_linked": True}, after={"line_linked": False},
                 source=source, organization=user.organization)


def new_group_code(division: Division, actor: User, *, source: Source = Source.WEB) -> str:
    """Make a one-time code to type into the division's LINE group (a head of that division or an admin)."""
    require(actor, Action.MANAGE_LINE_GROUP, division)
    division.line_group_code = f"ITA-{secrets.randbelow(10**6):06d}"
    division.line_group_code_expires = clock.now() + GROUP_CODE_LIFETIME
    audit.record(actor, "division.line_group_code", division,
                 after={"expires": division.line_group_code_expires.isoformat()}, source=source)
    return division.line_group_code


def detach_group(division: Division, actor: User, *, source: Source = Source.WEB) -> None:
    """Stop sending the division's digests to its LINE group (they go to each person again)."""
    require(actor, Action.MANAGE_LINE_GROUP, division)
    if division.line_group_id is None:
        return
    before = {"line_group_id": division.line_group_id}
    division.line_group_id, division.line_group_members = None, None
    audit.record(actor, "division.line_group_detach", division, before=before, after={"line_group_id": None},
                 source=source)
