"""`ส่งรูปหลักฐาน` on a task's bubble (issue 21): pressed in the person's own chat, the photos or files they send in the
next 10 minutes go to that task without a question (tracker/line/uploads.py, `expect` and the settle step).

LINE sends quotedMessageId on text and stickers only, so a photo cannot quote a reminder: this button is how a person
says which task the photos they are about to send are for. Through signed webhook calls, with LINE's content and
reply API answered by the fake server (tests/fake_line.py), on SQLite and PostgreSQL alike."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tracker import clock, tasks
from tracker.extensions import db
from tracker.line import flex, postback
from tracker.line.uploads import UPLOAD_WINDOW
from tracker.models import (
    Evidence,
    EvidenceFile,
    EvidenceReview,
    LineUpload,
    Source,
    Task,
    TaskStatus,
    UploadStatus,
    User,
)
from tracker.reminders import outbox
from tracker.reminders.digest import digest_messages, render_digest

from . import test_line_webhook as webhook_tests
from .factories import count, events
from .test_line_evidence import PDF, image, photo, quick_reply, send
from .test_line_webhook import event, last_reply, post

webhook_line = webhook_tests.line  # the fake LINE: replies and message content (a fixture)

TODAY = date(2026, 3, 11)  # a Wednesday: the `on_day` fixture starts here
BASE_URL = "https://ita.example.go.th"
PRESSED = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)  # 09:00 in Bangkok


@pytest.fixture
def line(app, webhook_line):
    app.config.update(LINE_DATA_HOST=webhook_line.url)
    yield webhook_line
    assert webhook_line.errors == []


@pytest.fixture
def moment(monkeypatch, on_day):
    """The time the app sees, moved by setting moment["now"]."""
    now = {"now": PRESSED}
    monkeypatch.setattr(clock, "now", lambda: now["now"])
    return now


@pytest.fixture
def staff(linked) -> User:
    """The clerk's office staff member, linked to LINE, every task of the office open and due from a week on."""
    for i, task in enumerate(linked.tasks_of(linked.clerk)):
        task.status, task.due_date, task.assignee = TaskStatus.TODO, TODAY + timedelta(days=7 + i), None
    db.session.commit()
    return linked.users["clerk-staff"]


@pytest.fixture
def task(linked, staff) -> Task:
    return linked.tasks_of(linked.clerk)[2]


def secret(client) -> str:
    return client.application.config["SECRET_KEY"]


def press(client, line, task: Task, *, user: str, signed_for: str | None = None, group: str | None = None,
          event_id: str | None = None) -> list[dict]:
    """Press the task's ส่งรูปหลักฐาน, signed for `signed_for` (default: the group, or the person pressing), as
    `user`; return the reply's messages ([] when the event was handled before)."""
    data = postback.sign("photo", task.id, signed_for or group or user, secret(client))
    extra = {"event_id": event_id} if event_id else {}
    replies = len(line.replies)
    assert post(client, event("postback", user=user, group=group, postback={"data": data}, **extra)).status_code == 200
    return last_reply(line) if len(line.replies) > replies else []


def held(user: User) -> tuple[int | None, datetime | None]:
    db.session.expire_all()
    person = db.session.get(User, user.id)
    assert person is not None
    return person.line_upload_task_id, person.line_upload_until


def step(task: Task) -> str:
    return " ".join(task.step_text.split())[:20]


def asked(reply: list[dict]) -> bool:
    """The usual question: which task to attach it to, with the person's open tasks under it."""
    return "แนบเป็นหลักฐานของงานไหน" in reply[-1]["text"] and len(quick_reply(reply)) > 1


# --- press, then send --------------------------------------------------------------------------------------------


def test_press_then_a_photo_is_attached_without_a_question(client, linked, line, moment, staff, task):
    reply = press(client, line, task, user=staff.line_user_id)

    (question,) = reply
    assert flex.validate(question) == []
    assert question["text"].startswith(f"ส่งรูปหรือไฟล์หลักฐานของงาน “{step(task)}")
    assert question["text"].endswith("” ได้เลย (ภายใน 10 นาที)")
    assert [(a["type"], len(a["label"]) <= 20) for a in quick_reply(reply)] == [("camera", True),
                                                                                ("cameraRoll", True)]
    assert held(staff) == (task.id, PRESSED + UPLOAD_WINDOW)
    assert count(Evidence) == 0

    moment["now"] = PRESSED + timedelta(minutes=9)
    line.content["8001"] = (photo(), "image/jpeg")
    answer = send(client, line, image("8001"), user=staff.line_user_id)

    assert len(answer) == 1 and "quickReply" not in answer[0]
    assert answer[0]["text"].startswith(f"แนบหลักฐานกับงาน “{step(task)}")
    assert "แล้ว รอหัวหน้ากองตรวจ (รูป)" in answer[0]["text"]
    item = db.session.scalar(sa.select(Evidence))
    assert item.task_id == task.id and item.review is EvidenceReview.PENDING and item.created_by_id == staff.id
    assert count(EvidenceFile) == 1
    upload = db.session.scalar(sa.select(LineUpload))
    assert upload.status is UploadStatus.ATTACHED and upload.evidence_id == item.id
    (audit,) = events("task.evidence")
    assert audit.source is Source.LINE
    assert held(staff) == (None, None)  # cleared once attached

    # The next photo gets the usual question again.
    line.content["8002"] = (photo(), "image/jpeg")
    assert asked(send(client, line, image("8002"), user=staff.line_user_id)) and count(Evidence) == 1


def test_press_then_a_file_is_attached_under_its_name(client, linked, line, moment, staff, task):
    press(client, line, task, user=staff.line_user_id)
    line.content["8051"] = (PDF, "application/pdf")
    message = {"type": "file", "id": "8051", "fileName": "รายงาน.pdf", "fileSize": len(PDF)}

    answer = send(client, line, message, user=staff.line_user_id)

    assert "แล้ว รอหัวหน้ากองตรวจ (ไฟล์ “รายงาน.pdf”)" in answer[0]["text"]
    assert db.session.scalar(sa.select(Evidence)).task_id == task.id


def test_press_then_a_set_of_two_photos_is_one_piece_with_two_files(client, linked, line, moment, staff, task):
    press(client, line, task, user=staff.line_user_id)
    for message_id in ("8101", "8102"):
        line.content[message_id] = (photo(), "image/jpeg")

    first = send(client, line, image("8102", ("S8", 2, 2)), user=staff.line_user_id)
    assert first == [] and held(staff)[0] == task.id  # the set not settled yet: nothing said, the hold kept
    last = send(client, line, image("8101", ("S8", 1, 2)), user=staff.line_user_id)

    assert len(last) == 1 and "quickReply" not in last[0]
    assert last[0]["text"].startswith(f"แนบหลักฐานกับงาน “{step(task)}") and "(รูป 2 รูป)" in last[0]["text"]
    (item,) = db.session.scalars(sa.select(Evidence)).all()
    assert item.task_id == task.id and [f.position for f in item.files] == [1, 2]
    ids = {u.message_id: u.evidence_id for u in db.session.scalars(sa.select(LineUpload))}
    assert ids == {"8101": item.id, "8102": item.id}
    assert len(events("task.evidence")) == 1
    assert held(staff) == (None, None)  # after the whole set


# --- when it does not hold ---------------------------------------------------------------------------------------


def test_a_photo_eleven_minutes_later_gets_the_usual_question(client, linked, line, moment, staff, task):
    press(client, line, task, user=staff.line_user_id)
    moment["now"] = PRESSED + timedelta(minutes=11)
    line.content["8201"] = (photo(), "image/jpeg")

    reply = send(client, line, image("8201"), user=staff.line_user_id)

    assert asked(reply) and count(Evidence) == 0
    assert len(quick_reply(reply)) == len(linked.tasks_of(linked.clerk))  # every open task, as without the press
    assert held(staff) == (None, None)  # an expired hold is forgotten


def test_the_task_done_after_the_press_gets_the_usual_question(client, linked, line, moment, staff, task):
    press(client, line, task, user=staff.line_user_id)
    tasks.tick_off(task, linked.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    line.content["8301"] = (photo(), "image/jpeg")

    reply = send(client, line, image("8301"), user=staff.line_user_id)

    assert asked(reply) and count(Evidence) == 0
    assert f"{task.measure.order}.{task.step_number} " not in json.dumps(quick_reply(reply), ensure_ascii=False)
    assert held(staff) == (None, None)


def test_another_line_users_button_is_refused_and_nothing_is_held(client, linked, line, moment, staff, task):
    other = linked.users["clerk-head"]  # may report on the task, but the button was sent to the staff member

    reply = press(client, line, task, user=other.line_user_id, signed_for=staff.line_user_id)

    assert "ปุ่มนี้ใช้ไม่ได้แล้ว" in reply[0]["text"]
    assert held(other) == (None, None) and held(staff) == (None, None)
    line.content["8401"] = (photo(), "image/jpeg")
    assert asked(send(client, line, image("8401"), user=other.line_user_id)) and count(Evidence) == 0


def test_someone_who_may_not_report_on_the_task_is_refused(client, linked, line, moment, staff, task):
    finance = linked.users["finance-staff"]  # their own button (signed for them), another division's task

    reply = press(client, line, task, user=finance.line_user_id)

    assert "คุณไม่มีสิทธิ์ตอบงานนี้" in reply[0]["text"]
    assert held(finance) == (None, None) and count(Evidence) == 0


def test_a_closed_task_holds_nothing(client, linked, line, moment, staff, task):
    tasks.tick_off(task, linked.users["clerk-head"], source=Source.WEB)
    db.session.commit()

    reply = press(client, line, task, user=staff.line_user_id)

    assert reply[0]["text"].startswith("งานนี้เสร็จแล้ว — ") and "quickReply" not in reply[0]
    assert held(staff) == (None, None)


def test_a_replayed_press_holds_once(client, linked, line, moment, staff, task):
    first = press(client, line, task, user=staff.line_user_id, event_id="01PRESSPHOTO0000000000000A")
    again = press(client, line, task, user=staff.line_user_id, event_id="01PRESSPHOTO0000000000000A")
    assert first and again == []  # handled once: one reply
    line.content["8501"] = (photo(), "image/jpeg")
    assert send(client, line, image("8501"), user=staff.line_user_id)[0]["text"].startswith("แนบหลักฐานกับงาน")

    # Redelivered after the attach: still nothing, so the next photo is asked about.
    assert press(client, line, task, user=staff.line_user_id, event_id="01PRESSPHOTO0000000000000A") == []
    assert held(staff) == (None, None)
    line.content["8502"] = (photo(), "image/jpeg")
    assert asked(send(client, line, image("8502"), user=staff.line_user_id)) and count(Evidence) == 1


def test_pressed_in_a_group_asks_for_the_one_to_one_chat(client, linked, line, moment, staff, task):
    reply = press(client, line, task, user=staff.line_user_id, group="C" + "5" * 32)

    assert "ในแชตส่วนตัวกับบัญชีนี้" in reply[0]["text"] and staff.display_name in reply[0]["text"]
    assert held(staff) == (None, None)


# --- the button, where reminders and the chat show tasks ---------------------------------------------------------


def evidence_buttons(carousel: dict) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "button" and node["action"].get("label") == flex.EVIDENCE_LABEL:
                found.append(node["action"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(carousel)
    return found


def test_the_chats_carousel_carries_the_button_and_stays_valid(client, linked, line, moment, staff):
    replies = len(line.replies)
    message = {"type": "text", "id": "8601", "text": "งาน"}
    assert post(client, event("message", user=staff.line_user_id, message=message)).status_code == 200
    assert len(line.replies) == replies + 1
    (carousel,) = last_reply(line)

    assert flex.validate(carousel) == []
    buttons = evidence_buttons(carousel)
    assert len(buttons) == len(linked.tasks_of(linked.clerk))
    for action, task in zip(buttons, linked.tasks_of(linked.clerk), strict=True):
        assert postback.verify(action["data"], staff.line_user_id, secret(client)) == ("photo", task.id)
        assert len(action["data"]) <= 300 and action["displayText"].startswith("ส่งรูปหลักฐาน: ")


def test_a_digests_carousel_carries_the_button_and_stays_valid(app, linked, staff):
    plan = outbox.plan_for(linked.org, date(2026, 3, 30))  # a Monday at the end of March: much falls due
    digest = next(d for d in plan.digests if d.reminders)
    binding = staff.line_user_id
    messages = digest_messages(digest, render_digest(digest, BASE_URL), BASE_URL, binding, "digest-secret")

    assert flex.validate_request(messages) == []
    buttons = evidence_buttons(messages[1])
    assert len(buttons) == min(len(digest.reminders), flex.MAX_BUBBLES - 1 if len(digest.reminders) >
                               flex.MAX_BUBBLES else flex.MAX_BUBBLES)
    for action, reminder in zip(buttons, digest.reminders, strict=False):
        assert postback.verify(action["data"], binding, "digest-secret") == ("photo", reminder.task.id)
