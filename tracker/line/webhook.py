"""What the bot does with each webhook event: follow, unfollow, a message, a button, account link, join, leave.

Every answer goes through the reply API (free); only reminders are pushed. Ticking off from a chat, and a reminder's
other answers (รับทราบ/กำลังทำ, เลื่อนการเตือน, ทำไม่ได้ with its reason typed next: answers.py; ส่งรูปหลักฐาน, which
holds the task for the photos sent next: uploads.py), and a head's review of
evidence from their digest (ผ่าน, ส่งกลับแก้ไข with its reason typed next: answers.py), call the same domain
function and permission check as the web, with the audit trail's source set to LINE. Each event is handled
once: its webhookEventId is recorded in the same transaction as its effects. LINE is never called inside that
transaction: a handler that needs to ask LINE something (a link token, a group's member count, a photo or file sent
in the chat: uploads.py) answers with a
`Later`, run once the event's changes are committed, which records what LINE said in a short transaction of its
own; the reply goes last. An event is checked against the shape
LINE documents before anything is done with it: one of another shape is logged and skipped, and the rest of its
batch goes on (https://developers.line.biz/en/reference/messaging-api/#webhook-event-objects).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from .. import tasks
from ..access import Action, Refused, can, find
from ..errors import DomainError
from ..extensions import db
from ..labels import label
from ..models import LineEvent, Organization, Source, Task
from ..organization import public_url
from . import answers, flex, linking, postback, uploads
from .channel import Channel
from .replies import (
    HELP,
    command_of,
    secret,
    summary_text,
    task_card,
    tasks_reply,
)

log = logging.getLogger(__name__)

# What a handler answers: the reply's messages, or a Later that asks LINE once the event's changes are committed and
# then gives the reply's messages.
Later = Callable[[], list[dict]]
Answer = list[dict] | Later


def handle(organization: Organization, event: Any, channel: Channel) -> bool:
    """Handle one webhook event, once: a redelivered event (same webhookEventId) changes nothing twice.

    Return False when the event was skipped: of a shape LINE does not send (logged with what was wrong), of a type
    the bot does not act on, or handled before. Nothing of a skipped event is written.
    """
    problems = shape_problems(event)
    if problems:
        log.warning("LINE event %s skipped, unexpected shape: %s", event_label(event), "; ".join(problems))
        return False
    event_id = event.get("webhookEventId")
    kind = event["type"]
    handler = _HANDLERS.get(kind)
    if handler is None:
        log.info("LINE event %s of type %r: nothing to do", event_label(event), kind[:40])
        return False
    if event_id:
        db.session.add(LineEvent(webhook_event_id=str(event_id)[:64], organization_id=organization.id, type=kind[:40]))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            log.info("LINE event %s already handled", event_id)
            return False
    answer: Answer = handler(organization, event, channel)
    db.session.commit()  # the event and its effects: the write transaction ends here, before any call to LINE
    reply = answer() if callable(answer) else answer
    if reply and event.get("replyToken"):
        channel.reply(event["replyToken"], reply)
    return True


def event_label(event: Any) -> str:
    """Name an event in the log: its webhookEventId, whatever the rest of it is."""
    event_id = event.get("webhookEventId") if isinstance(event, dict) else None
    return repr(event_id)[:80] if event_id is not None else "(no webhookEventId)"


# --- the shapes LINE sends ---------------------------------------------------------------------------------------

_SOURCE_IDS = {"user": "userId", "group": "groupId", "room": "roomId"}  # the id each kind of source must carry


def shape_problems(event: Any) -> list[str]:
    """Say what is wrong with an event's shape, for the fields the handlers read; an empty list when nothing is.

    Checked before any handler runs, so a handler never meets a field of the wrong type. Fields the bot does not
    read are not checked (LINE adds new ones). An event type the bot does not handle needs only its type.
    """
    if not isinstance(event, dict):
        return [f"the event is {type(event).__name__}, not an object"]
    problems = []
    for field in ("webhookEventId", "replyToken"):
        if field in event and not _text(event[field]):
            problems.append(f"{field} is not a non-empty string")
    kind = event.get("type")
    if not _text(kind):
        return [*problems, "type is missing or not a non-empty string"]
    if kind not in _HANDLERS:
        return problems
    problems += _source_problems(event.get("source"))
    if kind == "message":
        problems += _object_problems(event, "message", required={"type": True}, optional=("id",))
        message = event.get("message")
        if isinstance(message, dict) and message.get("type") == "text" and not isinstance(message.get("text"), str):
            problems.append("message.text is missing or not a string")
        if isinstance(message, dict) and message.get("type") in uploads.KINDS:
            problems += uploads.shape_problems(message)
    elif kind == "postback":
        problems += _object_problems(event, "postback", required={"data": False})
        params = event["postback"].get("params", {}) if isinstance(event.get("postback"), dict) else {}
        if not isinstance(params, dict):
            problems.append("postback.params is not an object")
        elif "date" in params and not isinstance(params["date"], str):
            problems.append("postback.params.date is not a string")  # the date picker's day
    elif kind == "accountLink":
        problems += _object_problems(event, "link", required={"result": True}, optional=("nonce",))
    return problems


def _source_problems(source: Any) -> list[str]:
    if not isinstance(source, dict):
        return ["source is missing or not an object"]
    kind = source.get("type")
    if kind not in _SOURCE_IDS:
        return [f"source.type {kind!r} is not one of user, group, room"[:120]]
    problems = []
    required = _SOURCE_IDS[kind]
    for field in ("userId", "groupId", "roomId"):
        if field == required and not _text(source.get(field)):
            problems.append(f"source.{field} is missing or not a non-empty string")
        elif field != required and field in source and not _text(source[field]):
            problems.append(f"source.{field} is not a non-empty string")
    return problems


def _object_problems(event: dict, name: str, *, required: dict[str, bool], optional: tuple[str, ...] = ()) -> list[str]:
    """Check that event[name] is an object whose required fields are strings (non-empty when marked True) and whose
    optional fields, when present, are strings."""
    value = event.get(name)
    if not isinstance(value, dict):
        return [f"{name} is missing or not an object"]
    problems = []
    for field, non_empty in required.items():
        if not (_text(value.get(field)) if non_empty else isinstance(value.get(field), str)):
            problems.append(f"{name}.{field} is missing or not a{' non-empty' if non_empty else ''} string")
    for field in optional:
        if field in value and not isinstance(value[field], str):
            problems.append(f"{name}.{field} is not a string")
    return problems


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _source(event: dict) -> dict:
    return event.get("source") or {}


def _link_invitation(organization: Organization, channel: Channel, line_user_id: str | None) -> Later:
    address = public_url(organization)  # read now: the answer below runs after the commit, with no session

    def invitation() -> list[dict]:  # after the commit: LINE issues the link token with nothing of ours open
        token = channel.issue_link_token(line_user_id) if line_user_id else None
        if not token:
            return [flex.text("บัญชี LINE นี้ยังไม่ได้เชื่อมกับระบบ — เข้าสู่ระบบที่ " + address + "/profile เพื่อเชื่อม")]
        return [flex.text(
            "สวัสดีครับ นี่คือบัญชีแจ้งเตือนงานแผนปรับปรุง ITA ของหน่วยงาน\n"
            f"เชื่อมบัญชี LINE กับระบบก่อน แล้วคุณจะได้รับการแจ้งเตือนและปิดงานจากแชทได้:\n{address}/line/link?linkToken={token}"
        )]

    return invitation


def _follow(organization: Organization, event: dict, channel: Channel) -> Answer:
    user = linking.linked_user(organization, _source(event).get("userId"))
    if user:
        return [flex.text(f"ยินดีต้อนรับกลับ คุณ{user.display_name}\n{HELP}")]
    return _link_invitation(organization, channel, _source(event).get("userId"))


def _unfollow(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    linking.unlink_blocked(organization, _source(event).get("userId"))
    return []


def _message(organization: Organization, event: dict, channel: Channel) -> Answer:
    message = event.get("message") or {}
    source = _source(event)
    if message.get("type") in uploads.KINDS:
        return _upload(organization, source, message, channel)
    if source.get("type") == "group":
        return _group_message(organization, source.get("groupId"), message.get("text") or "", channel)
    if message.get("type") != "text":
        return [flex.text(HELP)]
    user = linking.linked_user(organization, source.get("userId"))
    if user is None:
        return _link_invitation(organization, channel, source.get("userId"))
    text = message.get("text", "")
    command = command_of(text)
    if source.get("type") == "user":  # a reason is only ever taken from the person's own chat (answers.ask_reason)
        try:
            reason = answers.typed_reason(organization, user, text, command)
        except DomainError as error:  # the reason refused (too long, say): asked for again
            db.session.rollback()
            return answers.reason_refused(organization, user, error)
        except Refused as refusal:  # asked before, and asked again by the verb: only if something changed between
            db.session.rollback()
            answers.forget_reason(user)
            return [flex.text(refusal.reason)]
        if reason is not None:
            return reason
    if command == "tasks":
        return tasks_reply(user)
    if command == "summary":
        return [flex.text(summary_text(user))]
    return [flex.text(HELP)]


def _upload(organization: Organization, source: dict, message: dict, channel: Channel) -> Answer:
    """A photo or file: taken in the person's one-to-one chat only, from a person linked to LINE (uploads.py)."""
    if source.get("type") != "user":
        return uploads.in_group(message)
    user = linking.linked_user(organization, source.get("userId"))
    if user is None:
        return _link_invitation(organization, channel, source.get("userId"))
    return uploads.receive(user, source["userId"], message)


def _postback(organization: Organization, event: dict, channel: Channel) -> Answer:
    source = _source(event)
    user = linking.linked_user(organization, source.get("userId"))
    if user is None:
        return _link_invitation(organization, channel, source.get("userId"))
    binding = source.get("groupId") if source.get("type") == "group" else source.get("userId")
    data = event.get("postback") or {}
    signed = postback.read(data.get("data", ""), binding or "", secret())
    if signed is None:
        upload = postback.read_upload(data.get("data", ""), binding or "", secret())
        if upload is not None:  # a photo or file the person sent, attached to a task (uploads.py)
            return uploads.pressed(user, upload, binding or "")
        reviewed = postback.read_evidence(data.get("data", ""), binding or "", secret())
        if reviewed is not None and reviewed.action in answers.REVIEW_BUTTONS:  # a head's ผ่าน / ส่งกลับแก้ไข
            review = answers.ReviewPressed(organization, user, reviewed.evidence_id, reviewed.task_id,
                                           reviewed.action, source.get("type") == "user")
            return _refusals_said(lambda: answers.review_pressed(review))
        return [flex.text("ปุ่มนี้ใช้ไม่ได้แล้ว — พิมพ์ “งาน” เพื่อดูงานล่าสุด")]
    action = signed.action
    task = find(Task, signed.task_id, organization.id)
    if task is None:
        return [flex.text("ไม่พบงานนี้ (อาจถูกลบไปแล้ว)")]
    if not can(user, Action.PROGRESS, task):
        if action in _TASK_BUTTONS:
            return [flex.text(answers.refused(task))]
        return [flex.text("คุณไม่มีสิทธิ์ปิดงานนี้ — เป็นงานของ" + task.division.name)]
    pressed = answers.Pressed(organization, user, task, binding or "", source.get("type") == "user", signed.day,
                              data.get("params") or {})
    return _refusals_said(lambda: _task_pressed(pressed, action))


def _task_pressed(pressed: answers.Pressed, action: str) -> list[dict]:
    """A task's button: เสร็จแล้ว (with its undo), the undo, or one of _TASK_BUTTONS."""
    task, user, organization = pressed.task, pressed.user, pressed.organization
    if action == "done":
        tasks.tick_off(task, user, source=Source.LINE)
        return [flex.tick_confirmation(task_card(task), base_url=public_url(organization),
                                       undo_data=pressed.sign("undo"))]
    if action == "undo":
        tasks.undo_tick_off(task, user, source=Source.LINE)
        return [flex.text(f"ยกเลิกแล้ว: “{task.step_text[:60]}” กลับเป็น{label(task.status)}")]
    if action in _TASK_BUTTONS:
        return _TASK_BUTTONS[action](pressed)
    return [flex.text(HELP)]


# A task's buttons besides เสร็จแล้ว: a reminder's answers (answers.py), and ส่งรูปหลักฐาน (uploads.expect).
_TASK_BUTTONS = {**answers.BUTTONS, uploads.EXPECT: uploads.expect}


def _refusals_said(press: Callable[[], list[dict]]) -> list[dict]:
    """Carry out a button's press; a refusal of the verb itself (a DomainError, or Refused: asked before, and asked
    again by the verb, so only if something changed in between) is answered in the chat, nothing kept."""
    try:
        return press()
    except DomainError as error:
        db.session.rollback()
        return [flex.text(error.message)]
    except Refused as refusal:
        db.session.rollback()
        return [flex.text(refusal.reason)]


def _account_link(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    link = event.get("link") or {}
    line_user_id = _source(event).get("userId")
    if link.get("result") != "ok" or not line_user_id:
        return [flex.text("เชื่อมบัญชีไม่สำเร็จ ลองใหม่อีกครั้งจากลิงก์ในแชทนี้")]
    user = linking.redeem_nonce(organization, str(link.get("nonce") or ""))
    if user is None:
        return [flex.text("ลิงก์เชื่อมบัญชีนี้ใช้ไม่ได้แล้ว — พิมพ์อะไรก็ได้เพื่อขอลิงก์ใหม่")]
    try:
        linking.link_account(user, user, line_user_id, source=Source.LINE)
    except DomainError as error:  # another organization's person has this LINE account: theirs stays
        db.session.rollback()
        return [flex.text(error.message)]
    return [flex.text(f"เชื่อมบัญชีเรียบร้อย สวัสดีคุณ{user.display_name}\n{HELP}")]


def _join(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    return [flex.text("สวัสดีครับ เชื่อมกลุ่มนี้กับกองของคุณ: หัวหน้ากองหรือผู้ดูแลระบบเปิดหน้ากองในเว็บ "
                      "กด “สร้างรหัสเชื่อมกลุ่ม LINE” แล้วพิมพ์รหัสนั้นในกลุ่มนี้")]


def _leave(organization: Organization, event: dict, channel: Channel) -> list[dict]:
    linking.group_left(organization, _source(event).get("groupId"))
    return []


def _group_message(organization: Organization, group_id: str | None, text: str, channel: Channel) -> Answer:
    code = re.sub(r"\s+", "", text).upper()
    if not group_id or not linking.GROUP_CODE.fullmatch(code):
        return []  # a team's own conversation: the bot stays quiet
    division = linking.division_for_code(organization, code)
    if division is None:
        return [flex.text("รหัสนี้ใช้ไม่ได้หรือหมดอายุแล้ว — สร้างรหัสใหม่ที่หน้ากองในเว็บ")]
    try:
        linking.attach_group(division, None, group_id, source=Source.LINE)
    except DomainError as error:  # another organization's division has this group: theirs stays
        db.session.rollback()
        return [flex.text(error.message)]
    division_id = division.id
    reply = [flex.text(f"เชื่อมกลุ่มนี้กับ{division.name}แล้ว: สรุปประจำสัปดาห์และงานเกินกำหนดของกองจะแจ้งที่นี่")]

    def count_members() -> list[dict]:  # after the commit: LINE is asked with nothing of ours open
        linking.record_group_members(organization, division_id, group_id, channel.group_member_count(group_id))
        db.session.commit()
        return reply

    return count_members


_HANDLERS = {
    "follow": _follow,
    "unfollow": _unfollow,
    "message": _message,
    "postback": _postback,
    "accountLink": _account_link,
    "join": _join,
    "leave": _leave,
}
