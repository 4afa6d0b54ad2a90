"""A photo or file a person sends the Official Account in their one-to-one chat, made evidence of the task they pick.

The webhook's event records the upload (models.LineUpload, waiting) in its own transaction and answers with a `Later`:
once that commits, `content.fetch` downloads and checks the file with nothing of ours open, a short transaction records
it stored or refused (with the reason), and the reply says why it was refused, or offers the person's open tasks as
a quick reply (at most 13; the 13th "อื่น ๆ" when there are more, which answers with a carousel of the rest). The
photos of one imageSet (each its own event, in any order) are answered once, when the last of them is settled.

Pressing a task (postback "attach", signed for the person's LINE account with the task and the upload) attaches the
file, or the set's photos as one piece of evidence with its files in LINE's order, through `tasks.add_evidence`: the
web's permission check, audited once with source LINE, the evidence pending the head's review. The uploads are
claimed with one conditional UPDATE, so a second press, or two at once, attaches nothing twice. A file whose bytes are
already evidence of another task is attached all the same, and the reply says so (the review queue too, file by
file: evidence.same_file_elsewhere).

A photo or file that quotes (LINE's quotedMessageId) a message of the person's own digest goes to that message's
task without a question: the outbox records each digest message it delivers to a person with the tasks it carries
(models.LineSentMessage: the text, the digest's tasks; the task carousel, its cards'). Carrying exactly one task the
person may still report progress on, once stored (for a set, once the set is settled) the upload is attached to it
through the same `_attach` as the button, and the reply says it came from the quoted message. A message of several
tasks: the quick reply offers only those still open and permitted. Any other quote (an id not recorded, another
person's message, its task closed since, nothing left of its tasks) gets the usual question of all open tasks.
(LINE documents quotedMessageId on text and sticker messages; read here on image and file messages whenever LINE
sends it.)

A task's own button, `ส่งรูปหลักฐาน` on each bubble of a reminder's carousel and of the chat's `งาน` (postback "photo",
signed for the person like the bubble's other answers; `expect`): pressed in the person's one-to-one chat by someone
who may report progress on the task, the task open, it holds the task on the person (User.line_upload_task_id,
line_upload_until: UPLOAD_WINDOW on) and answers with LINE's camera and camera roll under the question. The photos or
files they send within that window go to the task without a question: once stored (a set, once settled) they are
attached through the same `_attach` as the button, and the hold is cleared after the attach (a set's, after the whole
set), so the next photo gets the usual question again. Held before a quote is looked at: the person said which task
these photos are for. A hold expired, or its task closed (or no longer theirs) since: the usual question, and the
hold is forgotten. Pressed in a group: the person is asked to press it in their own chat (a group takes no uploads),
nothing held.

Uploads left waiting or stored and never attached are removed with their files after `KEEP_UNATTACHED`, and the
record of digest messages sent after `KEEP_SENT_MESSAGES` (the scheduler's daily job calls `remove_unattached` and
`remove_old_sent_messages`, which log how many).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.orm import selectinload

from .. import clock, evidence, tasks
from ..access import Action, Refused, can, find, scoped
from ..errors import DomainError
from ..extensions import db
from ..labels import label
from ..models import EvidenceReview, LineSentMessage, LineUpload, Source, Task, TaskStatus, UploadStatus, User
from ..organization import public_url, work_calendar
from . import answers, content, flex, postback
from .replies import secret, task_card

log = logging.getLogger(__name__)

KINDS = ("image", "file")  # LINE's message types taken as evidence (video and audio are not evidence types)
MORE_LABEL = "อื่น ๆ"
ATTACH = "attach"
MORE = "attachmore"
ASK_IN_PRIVATE = ("รับรูปหรือไฟล์หลักฐานเฉพาะในแชตส่วนตัวกับบัญชีนี้ — ส่งมาที่แชตส่วนตัว แล้วเลือกงานที่จะแนบ "
                  "(files are taken in the one-to-one chat only)")
GONE = "ปุ่มนี้ใช้ไม่ได้แล้ว — ส่งรูปหรือไฟล์มาใหม่อีกครั้ง"
KEEP_UNATTACHED = timedelta(days=7)  # how long a photo or file sent waits for the person to pick its task
KEEP_SENT_MESSAGES = timedelta(days=30)  # how long a digest message can be quoted to attach a photo to its task
FROM_QUOTE = " (จากข้อความที่อ้างถึง)"
EXPECT = "photo"  # the postback action of a task's ส่งรูปหลักฐาน (flex.ANSWERS)
UPLOAD_WINDOW = timedelta(minutes=10)  # how long a pressed ส่งรูปหลักฐาน holds its task for the photos sent next


def in_group(message: dict) -> list[dict]:
    """A photo or file sent in a group or a room is not taken: ask once (for an image set, at its first photo) to
    send it in the one-to-one chat."""
    image_set = message.get("imageSet") or {}
    if image_set.get("index", 1) != 1:
        return []
    return [flex.text(ASK_IN_PRIVATE)]


def receive(user: User, line_user_id: str, message: dict) -> Callable[[], list[dict]] | list[dict]:
    """Record a photo or file the person sent, in the event's transaction; return the `Later` that fetches it from
    LINE once that commits, records what came of it and gives the reply."""
    message_id = str(message["id"])
    organization_id = user.organization_id
    if db.session.scalar(scoped(LineUpload, organization_id).where(LineUpload.message_id == message_id)):
        return []  # the same message under another event id: received already
    image_set = message.get("imageSet") or {}
    name_hint = message.get("fileName") if message["type"] == "file" else None
    quoted = message.get("quotedMessageId")
    upload = LineUpload(
        organization_id=organization_id, user_id=user.id, message_id=message_id, kind=message["type"],
        image_set_id=image_set.get("id"), set_index=image_set.get("index"), set_total=image_set.get("total"),
        name_hint=name_hint[:300] if isinstance(name_hint, str) else None,
        quoted_message_id=quoted[:40] if isinstance(quoted, str) and quoted else None,
    )
    db.session.add(upload)
    db.session.flush()
    # Read now: the answer below runs after the commit, and reads nothing of the session before LINE answers.
    upload_id, user_id, hint = upload.id, user.id, upload.name_hint

    def fetch_and_answer() -> list[dict]:  # after the commit: LINE is asked with nothing of ours open
        stored: evidence.StoredFile | None = None
        reason: str | None = None
        try:
            stored = content.fetch(message_id, organization_id, name_hint=hint)
        except DomainError as error:
            reason = error.message
        except Exception:  # a fault of ours: the person is told to send it again, the log says what
            log.exception("LINE upload %s could not be fetched", message_id)
            reason = "ระบบรับไฟล์นี้ไม่ได้ตอนนี้ — ลองส่งใหม่อีกครั้งในอีกสักครู่ (the file could not be received)"
        try:
            reply, quoted = _settle(organization_id, user_id, upload_id, line_user_id, stored, reason)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            if stored is not None:
                evidence.discard(stored)
            raise
        if quoted is not None:  # the file is recorded stored (committed): attached in a transaction of its own
            try:
                reply = [*reply, *_attach_quoted(organization_id, quoted)][:5]
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
        return reply

    return fetch_and_answer


@dataclass(frozen=True)
class _Quoted:
    """Uploads to attach straight to a task: the one task of the digest message they quote, or the task the person
    pressed ส่งรูปหลักฐาน on (`held`: the hold is cleared once they are attached)."""

    user_id: int
    task_id: int
    upload_ids: tuple[int, ...]
    set_size: int
    note: str = FROM_QUOTE
    held: bool = False


def _settle(organization_id: int, user_id: int, upload_id: int, line_user_id: str,
            stored: evidence.StoredFile | None, reason: str | None) -> tuple[list[dict], _Quoted | None]:
    """Record an upload stored or refused, in a short transaction; return the reply: the refusal, and (for an image
    set, once every photo of it is settled) the tasks to attach to, or instead the task to attach them to once this
    commits: the one held by the person's ส่งรูปหลักฐาน, else that of the message quoted."""
    upload = find(LineUpload, upload_id, organization_id)
    if upload is None:
        return [], None
    if stored is not None:
        upload.status = UploadStatus.STORED
        upload.file_path, upload.file_name, upload.content_type = stored.path, stored.name, stored.content_type
        upload.size, upload.sha256 = stored.size, stored.sha256
        upload.width, upload.height = stored.width, stored.height
    else:
        upload.status, upload.reason = UploadStatus.REFUSED, reason
    db.session.flush()  # the write first: SQLite's write lock is held from here, so what is read below is the latest
    reply: list[dict] = []
    place = f"รูปที่ {upload.set_index}/{upload.set_total}: " if upload.image_set_id else ""
    if reason is not None:
        reply.append(flex.text(f"{place}รับไฟล์นี้ไม่ได้ — {reason}"))
    group = [upload]
    if upload.image_set_id:
        # The photos of a set are settled one event at a time, maybe at once: the person's row is locked (PostgreSQL;
        # SQLite has one writer anyway), so the last of them to settle sees every other one settled, and answers.
        db.session.scalar(scoped(User, organization_id).where(User.id == user_id).with_for_update())
        group = _set_of(upload)
        if len(group) < (upload.set_total or 0) or any(u.status is UploadStatus.WAITING for u in group):
            return reply, None
    ready = [u for u in group if u.status is UploadStatus.STORED]
    if ready:
        person = find(User, user_id, organization_id)
        assert person is not None  # the upload's own person
        held = _held_task(person)
        if held is not None:
            return reply[:4], _Quoted(user_id, held.id, tuple(u.id for u in ready), len(group), note="", held=True)
        found = open_tasks(person)
        carried = _quoted_tasks(person, group, found)
        if carried is not None and len(carried[0]) == 1 and carried[1]:
            return reply[:4], _Quoted(user_id, carried[1][0].id, tuple(u.id for u in ready), len(group))
        offered = carried[1] if carried is not None and 0 < len(carried[1]) <= flex.MAX_QUICK_REPLY_ITEMS else found
        reply.append(_choices(person, upload, ready, line_user_id, offered))
    return reply[:5], None


def _quoted_tasks(person: User, group: list[LineUpload], found: list[Task]) -> tuple[list[int], list[Task]] | None:
    """The digest message the uploads quote, if it is one delivered to this person and recorded: the task ids it
    carries, and those of them among the person's open tasks `found` (still open, theirs to report on), in that
    order. None when they quote nothing, or a message not recorded or another person's."""
    quoted = next((u.quoted_message_id for u in group if u.quoted_message_id), None)
    if quoted is None:
        return None
    sent = db.session.scalar(scoped(LineSentMessage, person.organization_id)
                             .where(LineSentMessage.message_id == quoted))
    if sent is None or sent.recipient_id != person.id:
        return None
    carried = [int(task_id) for task_id in sent.task_ids or []]
    return carried, [task for task in found if task.id in set(carried)]


def _attach_quoted(organization_id: int, quoted: _Quoted) -> list[dict]:
    """Attach the uploads to the one task of the message they quote, or to the task held by ส่งรูปหลักฐาน (the same
    path as the button), in the transaction the caller commits; say so. The hold is cleared once they are attached
    (unless the person has pressed ส่งรูปหลักฐาน on another task since)."""
    person = find(User, quoted.user_id, organization_id)
    task = find(Task, quoted.task_id, organization_id)
    ready = [u for u in (find(LineUpload, i, organization_id) for i in quoted.upload_ids) if u is not None]
    if person is None or task is None or not ready:
        return [flex.text(GONE)]
    reply = _attach(person, task, ready, quoted.set_size, note=quoted.note)
    # After a refusal _attach rolled back: the uploads read back stored, and the hold stays for the next photo.
    if quoted.held and person.line_upload_task_id == task.id and all(
            u.status is UploadStatus.ATTACHED for u in ready):
        forget_held(person)
    return reply


# --- ส่งรูปหลักฐาน: a task held for the photos sent next ----------------------------------------------------------


def expect(pressed: answers.Pressed) -> list[dict]:
    """A task's ส่งรูปหลักฐาน pressed (the webhook checked the signature and that the person may report progress on
    it): hold the task for the photos or files the person sends in their own chat within UPLOAD_WINDOW, and say so
    with LINE's camera and camera roll under the message. In a group, or on a task closed, nothing is held."""
    task, user = pressed.task, pressed.user
    if not pressed.one_to_one:
        return [flex.text(f"คุณ{user.display_name}: กด “{flex.EVIDENCE_LABEL}” ที่งานนี้ในแชตส่วนตัวกับบัญชีนี้ "
                          "(พิมพ์ “งาน” ที่นั่น) — ในกลุ่มไม่รับรูปหรือไฟล์หลักฐาน")]
    if not task.status.is_open:
        return [flex.text(f"งานนี้{label(task.status)} — ส่งหลักฐานจากแชตด้วยปุ่มนี้ได้เฉพาะงานที่ยังไม่เสร็จ: "
                          f"“{answers.named(task)}”")]
    user.line_upload_task_id, user.line_upload_until = task.id, clock.now() + UPLOAD_WINDOW
    minutes = int(UPLOAD_WINDOW.total_seconds() // 60)
    question = flex.text(f"ส่งรูปหรือไฟล์หลักฐานของงาน “{answers.named(task)}” ได้เลย (ภายใน {minutes} นาที)")
    return [flex.with_quick_reply(question, [flex.camera_item(), flex.camera_roll_item()])]


def forget_held(user: User) -> None:
    user.line_upload_task_id, user.line_upload_until = None, None


def _held_task(person: User) -> Task | None:
    """The task the person's ส่งรูปหลักฐาน holds, if the hold has not expired and the task is still open and theirs
    to report on; otherwise None, and a hold left is forgotten (in the caller's transaction)."""
    held, until = person.line_upload_task_id, person.line_upload_until
    if held is None and until is None:
        return None
    task = find(Task, held, person.organization_id) if held is not None and until is not None \
        and clock.now() < until else None
    if task is None or not task.status.is_open or not can(person, Action.PROGRESS, task):
        forget_held(person)
        return None
    return task


def _set_of(upload: LineUpload) -> list[LineUpload]:
    """The uploads of the same image set (the upload alone when it is not of one), in LINE's order."""
    if not upload.image_set_id:
        return [upload]
    return list(db.session.scalars(
        scoped(LineUpload, upload.organization_id)
        .where(LineUpload.user_id == upload.user_id, LineUpload.image_set_id == upload.image_set_id)
        .order_by(LineUpload.set_index, LineUpload.id)
        .execution_options(populate_existing=True)
    ))


def open_tasks(user: User) -> list[Task]:
    """The tasks the person may report progress on that are still open, by due date (the overdue ones first)."""
    query = scoped(Task, user.organization_id).where(Task.status.in_([TaskStatus.TODO, TaskStatus.DOING]))
    if user.division_id is not None:
        query = query.where((Task.division_id == user.division_id) | (Task.assignee_id == user.id))
    else:
        query = query.where(Task.assignee_id == user.id)
    # Their measures and divisions with them: the quick reply's labels and the permission check read both.
    query = query.options(selectinload(Task.measure), selectinload(Task.division))
    return [task for task in db.session.scalars(query.order_by(Task.due_date, Task.id))
            if can(user, Action.PROGRESS, task)]


def _what(ready: list[LineUpload]) -> str:
    if len(ready) > 1:
        return f"รูป {len(ready)} รูป"
    return "รูป" if ready[0].kind == "image" else f"ไฟล์ “{ready[0].file_name}”"


def _quick_label(task: Task) -> str:
    return f"{task.measure.order}.{task.step_number} {' '.join(task.step_text.split())}"


def _choices(user: User, upload: LineUpload, ready: list[LineUpload], line_user_id: str,
             found: list[Task] | None = None) -> dict:
    """The reply to a file stored: which of the person's open tasks (or of those given) to attach it to, as a quick
    reply."""
    found = open_tasks(user) if found is None else found
    what = _what(ready)
    if upload.image_set_id and len(ready) < (upload.set_total or 0):
        what = f"รูป {len(ready)} จาก {upload.set_total} รูป"
    if not found:
        return flex.text(f"ได้รับ{what}แล้ว แต่คุณไม่มีงานที่ยังไม่เสร็จให้แนบ — แนบหลักฐานในเว็บได้ที่ "
                         f"{public_url(user.organization)}/tasks")

    def attach(task_id: int) -> str:
        return postback.sign(ATTACH, task_id, line_user_id, secret(), upload_id=upload.id)

    shown = found if len(found) <= flex.MAX_QUICK_REPLY_ITEMS else found[:flex.MAX_QUICK_REPLY_ITEMS - 1]
    items = [flex.postback_item(_quick_label(task), attach(task.id), f"แนบกับงาน: {_quick_label(task)[:80]}")
             for task in shown]
    if len(found) > len(shown):
        more = postback.sign(MORE, 0, line_user_id, secret(), upload_id=upload.id)
        items.append(flex.postback_item(MORE_LABEL, more, f"งานอื่น ๆ อีก {len(found) - len(shown)} งาน"))
    return flex.with_quick_reply(flex.text(f"ได้รับ{what}แล้ว — แนบเป็นหลักฐานของงานไหน? เลือกงานด้านล่าง"), items)


# --- the person's answer: attach, or the rest of the tasks -------------------------------------------------------


def pressed(user: User, signed: postback.SignedUpload, line_user_id: str) -> list[dict]:
    """Answer a press of a task offered for an upload ("attach"), or of "อื่น ๆ" ("attachmore"), in the event's
    transaction."""
    upload = find(LineUpload, signed.upload_id, user.organization_id)
    if upload is None or upload.user_id != user.id:
        return [flex.text(GONE)]
    group = _set_of(upload)
    attached = [u for u in group if u.status is UploadStatus.ATTACHED]
    if attached:
        task = attached[0].task
        where = f"งาน “{_short(task)}”" if task is not None else "งานแล้ว"
        return [flex.text(f"{_what(attached)}นี้แนบกับ{where}ไปแล้ว — ไม่ได้แนบซ้ำ")]
    ready = [u for u in group if u.status is UploadStatus.STORED]
    if not ready:
        return [flex.text(GONE)]
    if signed.action == MORE:
        return _the_rest(user, upload, line_user_id)
    task = find(Task, signed.task_id, user.organization_id)
    if task is None:
        return [flex.text("ไม่พบงานนี้ (อาจถูกลบไปแล้ว)")]
    if not can(user, Action.PROGRESS, task):
        return [flex.text("คุณไม่มีสิทธิ์แนบหลักฐานกับงานนี้ — เป็นงานของ" + task.division.name)]
    return _attach(user, task, ready, len(group))


def _short(task: Task) -> str:
    step = " ".join(task.step_text.split())
    return step if len(step) <= 60 else step[:59] + "…"


def _attach(user: User, task: Task, ready: list[LineUpload], set_size: int, note: str = "") -> list[dict]:
    ids = [u.id for u in ready]
    # Claimed at once, only while still stored: a second press (or one at the same moment, which waits here for the
    # first to commit) claims nothing and attaches nothing twice.
    claimed = cast(CursorResult, db.session.execute(
        update(LineUpload).where(LineUpload.id.in_(ids), LineUpload.status == UploadStatus.STORED)
        .values(status=UploadStatus.ATTACHED, task_id=task.id, attached_at=clock.now())
        .execution_options(synchronize_session="fetch")
    )).rowcount
    if claimed != len(ids):
        if claimed:
            db.session.rollback()  # a part of a set only (never seen): all or none
        return [flex.text("ไฟล์นี้แนบกับงานไปแล้ว — ไม่ได้แนบซ้ำ")]
    # One piece of evidence, its files in LINE's order (`ready` is): a set of photos is one thing the head checks.
    files = [evidence.StoredFile(upload.file_path or "", upload.file_name or "", upload.content_type or "",
                                 upload.size or 0, sha256=upload.sha256, width=upload.width, height=upload.height)
             for upload in ready]
    try:
        item = tasks.add_evidence(task, user, source=Source.LINE, files=files)
        for upload in ready:
            upload.evidence_id = item.id
    except DomainError as error:
        db.session.rollback()
        return [flex.text(error.message)]
    except Refused as refusal:
        db.session.rollback()
        return [flex.text(refusal.reason)]
    what = _what(ready) if set_size > 1 or ready[0].kind == "file" else "รูป"
    if item.review is EvidenceReview.PENDING:
        text = f"แนบหลักฐานกับงาน “{_short(task)}” แล้ว{note} รอหัวหน้ากองตรวจ ({what})"
    else:
        text = f"แนบหลักฐานกับงาน “{_short(task)}” แล้ว{note} ({what}) — คุณเป็นหัวหน้ากอง จึงตรวจผ่านแล้ว"
    if evidence.same_file_elsewhere([item]):
        text += "\nหมายเหตุ: ไฟล์นี้เหมือนกับหลักฐานที่แนบไว้กับงานอื่นแล้ว หัวหน้ากองจะเห็นหมายเหตุนี้ตอนตรวจ"
    return [flex.text(text)]


def _the_rest(user: User, upload: LineUpload, line_user_id: str) -> list[dict]:
    """The tasks past the quick reply's, as a carousel whose bubbles each attach the upload."""
    found = open_tasks(user)
    rest = found[flex.MAX_QUICK_REPLY_ITEMS - 1:]
    if not rest:
        return [flex.text("ไม่มีงานอื่นแล้ว — เลือกจากปุ่มด้านล่างข้อความก่อนหน้า")]
    calendar = work_calendar(user.organization_id)
    address = public_url(user.organization)
    cards = [task_card(task, calendar) for task in rest]

    def attach(task_id: int) -> str:
        return postback.sign(ATTACH, task_id, line_user_id, secret(), upload_id=upload.id)

    return [flex.attach_carousel(cards, base_url=address, attach_data=attach, more_url=f"{address}/tasks",
                                 alt_text=f"งานอื่น ๆ ของคุณ {len(cards)} งาน — เลือกงานที่จะแนบหลักฐาน")]


def shape_problems(message: Any) -> list[str]:
    """What is wrong with an image or file message's fields that this module reads; an empty list when nothing is."""
    problems = []
    if not isinstance(message.get("id"), str) or not message["id"]:
        problems.append("message.id is missing or not a non-empty string")
    image_set = message.get("imageSet")
    if image_set is not None:
        if not isinstance(image_set, dict):
            problems.append("message.imageSet is not an object")
        else:
            if not isinstance(image_set.get("id"), str) or not image_set["id"]:
                problems.append("message.imageSet.id is missing or not a non-empty string")
            for field in ("index", "total"):
                value = image_set.get(field)
                if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
                    problems.append(f"message.imageSet.{field} is missing or not a number from 1 to 100")
    if message.get("type") == "file" and "fileName" in message and not isinstance(message["fileName"], str):
        problems.append("message.fileName is not a string")
    if "quotedMessageId" in message and (not isinstance(message["quotedMessageId"], str)
                                         or not message["quotedMessageId"]):
        problems.append("message.quotedMessageId is not a non-empty string")
    return problems


# --- the daily cleanup ---------------------------------------------------------------------------------------------


def remove_unattached(now: datetime | None = None) -> tuple[int, int]:
    """Remove every organization's uploads left waiting or stored, never attached, for more than `KEEP_UNATTACHED`,
    and their files; commit; log and return (uploads removed, files removed). Called by the scheduler's daily job.

    One conditional DELETE: an upload a person attaches at the same moment is attached (no longer stored) and stays,
    its file too. The files go after the commit, only those of the rows this DELETE removed."""
    cutoff = (now or clock.now()) - KEEP_UNATTACHED
    removed = db.session.execute(
        delete(LineUpload)
        .where(LineUpload.status.in_([UploadStatus.WAITING, UploadStatus.STORED]), LineUpload.created_at < cutoff)
        .returning(LineUpload.file_path)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    files = 0
    for (path,) in removed:
        if path:
            try:
                target = evidence.path_of(path)
            except DomainError:
                continue  # outside the upload folder: never touched
            if target.exists():
                target.unlink()
                files += 1
    if removed:
        log.info("removed %d LINE uploads never attached for over %d days, with %d files", len(removed),
                 KEEP_UNATTACHED.days, files)
    return len(removed), files


def remove_old_sent_messages(now: datetime | None = None) -> int:
    """Remove every organization's record of digest messages sent more than `KEEP_SENT_MESSAGES` ago (a photo quoting
    one of them then gets the usual question); commit; log and return how many. Called by the scheduler's daily job."""
    cutoff = (now or clock.now()) - KEEP_SENT_MESSAGES
    removed = cast(CursorResult, db.session.execute(
        delete(LineSentMessage).where(LineSentMessage.sent_at < cutoff).execution_options(synchronize_session=False)
    )).rowcount
    db.session.commit()
    if removed:
        log.info("removed %d records of LINE digest messages sent over %d days ago", removed, KEEP_SENT_MESSAGES.days)
    return removed
