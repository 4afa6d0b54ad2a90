"""A reminder answered from LINE (issue 20): the buttons every task bubble carries besides เสร็จแล้ว (รับทราบ/กำลังทำ,
เลื่อนการเตือน with its quick reply and date picker, ทำไม่ได้ with the reason typed next), through the webhook with
signed bodies and LINE's API answered by the fake server (tests/fake_line.py): each through the domain verb and its
permission check, audited with source LINE, answered by a reply."""
from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.line import flex, postback
from tracker.line.answers import REASON_WINDOW
from tracker.models import AuditAction, AuditEvent, Comment, Source, Task, TaskStatus
from tracker.reminders import outbox
from tracker.reminders.digest import digest_messages, render_digest

from . import test_line_webhook as webhook_tests
from .factories import count, events
from .test_line_webhook import event, last_reply, post

line = webhook_tests.line  # the fake LINE server answering the webhook's replies (a fixture)

TODAY = date(2026, 3, 11)  # a Wednesday: the `on_day` fixture starts here
DUE = date(2026, 3, 18)  # the task's due date, a week on
BASE_URL = "https://ita.example.go.th"
STRANGER = "U" + "e" * 32  # a LINE account linked to nobody
ANSWERS = ("ack", "snooze", "snoozeto", "snoozepick", "cannot")


@pytest.fixture
def task(linked, on_day) -> Task:
    """An open task of the clerk's office, given to its staff member, due a week from TODAY."""
    task = linked.tasks_of(linked.clerk)[0]
    task.status, task.due_date, task.assignee = TaskStatus.TODO, DUE, linked.users["clerk-staff"]
    db.session.commit()
    return task


def line_id(linked, username: str) -> str:
    return linked.users[username].line_user_id


def secret(client) -> str:
    return client.application.config["SECRET_KEY"]


def press(client, line, action: str, task_id: int, *, user: str, group: str | None = None,
          day: date | None = None, params: dict | None = None, data: str | None = None,
          event_id: str | None = None) -> list[dict]:
    """Press a task's button signed for `group or user`, as `user`; return the reply's messages."""
    data = data or postback.sign(action, task_id, group or user, secret(client), day=day)
    body = {"data": data, **({"params": params} if params is not None else {})}
    extra = {"event_id": event_id} if event_id else {}
    replies = len(line.replies)
    assert post(client, event("postback", user=user, group=group, postback=body, **extra)).status_code == 200
    assert len(line.replies) == replies + 1, "the bot answers every press"
    return last_reply(line)


def say(client, line, text: str, *, user: str, group: str | None = None, event_id: str | None = None) -> list[dict]:
    """Send a chat text as `user`; return the reply's messages ([] when the bot stays quiet)."""
    extra = {"event_id": event_id} if event_id else {}
    replies = len(line.replies)
    message = {"type": "text", "id": uuid.uuid4().hex[:12], "text": text}
    assert post(client, event("message", user=user, group=group, message=message, **extra)).status_code == 200
    return last_reply(line) if len(line.replies) > replies else []


def answers_of(bubble: dict) -> dict[str, dict]:
    """A bubble's postback buttons, by their label."""
    found: dict[str, dict] = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "button" and node["action"]["type"] == "postback":
                found[node["action"]["label"]] = node["action"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(bubble)
    return found


def quick_reply(message: dict) -> list[dict]:
    return [item["action"] for item in message["quickReply"]["items"]]


def assert_the_answers(carousel: dict, binding: str, key: str) -> None:
    """Every task bubble of a carousel carries the four answers and ส่งรูปหลักฐาน, each signed for `binding` on its own
    task."""
    assert flex.validate(carousel) == []
    bubbles = [b for b in carousel["contents"]["contents"] if "/tasks/" in json.dumps(b["footer"])]
    assert bubbles
    for bubble in bubbles:
        task_id = int(json.dumps(bubble["footer"]).split("/tasks/")[1].split('"')[0])
        buttons = answers_of(bubble)
        assert list(buttons) == ["เสร็จแล้ว", "รับทราบ/กำลังทำ", "เลื่อนการเตือน", "ทำไม่ได้", "ส่งรูปหลักฐาน"]
        for (label, action), name in zip(buttons.items(), ("done", "ack", "snooze", "cannot", "photo"), strict=True):
            assert postback.verify(action["data"], binding, key) == (name, task_id), label
            assert postback.verify(action["data"], "U" + "0" * 32, key) is None  # nobody else's


def audited() -> int:
    return count(AuditEvent)


def step(task: Task) -> str:
    """The start of the task's step, as a reply names it."""
    return " ".join(task.step_text.split())[:20]


# --- the buttons, where reminders and the chat show tasks ---------------------------------------------------------


def test_the_chats_tasks_carousel_carries_the_answers(client, linked, line, task):
    staff = line_id(linked, "clerk-staff")
    (carousel,) = say(client, line, "งาน", user=staff)
    assert_the_answers(carousel, staff, secret(client))
    assert "shrink-to-fit" in json.dumps(carousel)  # as sent through the SDK: nothing of the layout dropped


def test_the_digests_carousel_carries_the_answers_for_a_person_and_a_group(app, linked, task):
    plan = outbox.plan_for(linked.org, date(2026, 3, 30))  # a Monday at the end of March: much falls due
    digest = next(d for d in plan.digests if d.reminders)
    for binding in (line_id(linked, "clerk-staff"), "C" + "3" * 32):
        messages = digest_messages(digest, render_digest(digest, BASE_URL), BASE_URL, binding, "digest-secret")
        text, carousel = messages
        assert flex.validate_request(messages) == []
        assert_the_answers(carousel, binding, "digest-secret")


# --- รับทราบ/กำลังทำ ------------------------------------------------------------------------------------------------


def test_acknowledge_as_the_assignee(client, linked, line, task):
    staff = linked.users["clerk-staff"]
    (reply,) = press(client, line, "ack", task.id, user=staff.line_user_id)
    db.session.expire_all()
    assert task.status is TaskStatus.DOING and task.acknowledged_by == staff
    (recorded,) = events(AuditAction.TASK_ACKNOWLEDGE.value)
    assert recorded.source is Source.LINE and recorded.actor == staff
    assert reply["type"] == "text" and "รับทราบแล้ว" in reply["text"] and step(task) in reply["text"]
    assert "กำลังทำ" in reply["text"] and flex.validate(reply) == []


# --- เลื่อนการเตือน -------------------------------------------------------------------------------------------------


def test_the_snooze_question_offers_working_days_up_to_the_due_date(client, linked, line, task):
    task.due_date = date(2026, 3, 16)  # a Monday: 5 working days from Wednesday would be past it
    db.session.commit()
    staff = line_id(linked, "clerk-staff")
    (question,) = press(client, line, "snooze", task.id, user=staff)
    assert flex.validate(question) == [] and question["type"] == "text"
    assert "วันครบกำหนดไม่เปลี่ยน" in question["text"] and "16 มี.ค. 2569" in question["text"]
    *days, picker = quick_reply(question)
    assert [d["label"] for d in days] == ["1 วันทำการ 12 มี.ค.", "3 วันทำการ 16 มี.ค."]  # none past the due date
    assert [postback.read(d["data"], staff, secret(client)) for d in days] == [
        ("snoozeto", task.id, date(2026, 3, 12)), ("snoozeto", task.id, date(2026, 3, 16))]
    assert all(d["type"] == "postback" and d["displayText"].startswith("เลื่อนการเตือนถึง") for d in days)
    assert picker == {"type": "datetimepicker", "label": "เลือกวันเอง", "data": picker["data"], "mode": "date",
                      "initial": "2026-03-12", "min": "2026-03-12", "max": "2026-03-16"}
    assert postback.read(picker["data"], staff, secret(client)) == ("snoozepick", task.id, None)
    assert events(AuditAction.TASK_SNOOZE.value) == []  # asking is not snoozing

    (done,) = press(client, line, "", task.id, user=staff, data=days[1]["data"])  # "3 วันทำการ 16 มี.ค."
    db.session.expire_all()
    assert task.snoozed_until == date(2026, 3, 16) and task.due_date == date(2026, 3, 16)  # only the reminders move
    (recorded,) = events(AuditAction.TASK_SNOOZE.value)
    assert recorded.source is Source.LINE and recorded.actor == linked.users["clerk-staff"]
    assert "เลื่อนการเตือนถึง 16 มี.ค. 2569" in done["text"] and "วันครบกำหนดยังเป็น 16 มี.ค. 2569" in done["text"]


def test_an_overdue_task_is_put_off_five_working_days_at_most_past_songkran(client, linked, line, task, on_day):
    on_day(date(2026, 4, 8))  # a Wednesday, three weeks late; 13-15 April is Songkran
    staff = line_id(linked, "clerk-staff")
    (question,) = press(client, line, "snooze", task.id, user=staff)
    assert flex.validate(question) == [] and "เกินกำหนด" in question["text"] and "5 วันทำการ" in question["text"]
    *days, picker = quick_reply(question)
    assert [d["label"] for d in days] == ["1 วันทำการ 9 เม.ย.", "3 วันทำการ 16 เม.ย.", "5 วันทำการ 20 เม.ย."]
    assert (picker["min"], picker["max"]) == ("2026-04-09", "2026-04-20")

    (refused,) = press(client, line, "snoozepick", task.id, user=staff, params={"date": "2026-04-21"})
    assert "เลื่อนการเตือนได้ถึงวันที่" in refused["text"] and "20 เม.ย. 2569" in refused["text"]
    press(client, line, "", task.id, user=staff, data=days[2]["data"])
    db.session.expire_all()
    assert task.snoozed_until == date(2026, 4, 20) and task.due_date == DUE


def test_the_date_pickers_day_outside_the_bounds_is_refused_in_thai(client, linked, line, task):
    staff = line_id(linked, "clerk-staff")
    for picked in ("2026-03-19", "2026-03-11", "2026-03-10"):  # past the due date, today, yesterday
        (reply,) = press(client, line, "snoozepick", task.id, user=staff, params={"date": picked})
        assert reply["text"].startswith("เลื่อนการเตือนได้ถึงวันที่ 12 มี.ค. 2569 - 18 มี.ค. 2569"), reply
    for params in ({}, {"date": "2026-02-30"}, {"date": "18/03/2569"}, {"datetime": "2026-03-12T10:00"}):
        (reply,) = press(client, line, "snoozepick", task.id, user=staff, params=params)
        assert "ไม่ได้เลือกวันที่" in reply["text"]
    db.session.expire_all()
    assert task.snoozed_until is None and events(AuditAction.TASK_SNOOZE.value) == []

    (reply,) = press(client, line, "snoozepick", task.id, user=staff, params={"date": "2026-03-17"})
    db.session.expire_all()
    assert task.snoozed_until == date(2026, 3, 17) and "17 มี.ค. 2569" in reply["text"]


def test_a_day_button_pressed_after_its_day_passed_is_refused(client, linked, line, task, on_day):
    staff = line_id(linked, "clerk-staff")
    stale = postback.sign("snoozeto", task.id, staff, secret(client), day=date(2026, 3, 12))
    on_day(date(2026, 3, 13))
    (reply,) = press(client, line, "", task.id, user=staff, data=stale)
    db.session.expire_all()
    assert "เลื่อนการเตือนได้ถึงวันที่" in reply["text"] and task.snoozed_until is None


# --- ทำไม่ได้ and its reason ----------------------------------------------------------------------------------------


def waiting(user) -> tuple:
    db.session.refresh(user)
    return user.line_reason_task_id, user.line_reason_until


def test_the_reason_typed_next_is_recorded_from_line(client, linked, line, task):
    staff = linked.users["clerk-staff"]
    (asked,) = press(client, line, "cannot", task.id, user=staff.line_user_id)
    assert "พิมพ์เหตุผลที่ทำไม่ได้" in asked["text"] and step(task) in asked["text"]
    assert waiting(staff) == (task.id, clock.now() + REASON_WINDOW)
    assert events(AuditAction.TASK_CANNOT_DO.value) == []  # nothing yet: the reason is still to come

    (recorded,) = say(client, line, "  ยังไม่ได้รับงบประมาณ\nรอสภาอนุมัติ ", user=staff.line_user_id)
    db.session.expire_all()
    assert task.blocked_reason == "ยังไม่ได้รับงบประมาณ\nรอสภาอนุมัติ" and task.blocked_by == staff
    (event_row,) = events(AuditAction.TASK_CANNOT_DO.value)
    assert event_row.source is Source.LINE and event_row.actor == staff
    assert count(Comment, Comment.task_id == task.id, Comment.text.contains("ยังไม่ได้รับงบประมาณ")) == 1
    assert "บันทึกแล้ว" in recorded["text"] and "ยังไม่ได้รับงบประมาณ" in recorded["text"]
    assert waiting(staff) == (None, None)

    (help_text,) = say(client, line, "ขอบคุณครับ", user=staff.line_user_id)  # the next one is a chat again
    assert "พิมพ์ “งาน”" in help_text["text"] and len(events(AuditAction.TASK_CANNOT_DO.value)) == 1


@pytest.mark.parametrize("word", ["งาน", "สรุป"])
def test_a_command_word_cancels_the_wait_and_runs(client, linked, line, task, word):
    staff = linked.users["clerk-staff"]
    press(client, line, "cannot", task.id, user=staff.line_user_id)
    (answer,) = say(client, line, word, user=staff.line_user_id)
    assert (answer["type"] == "flex") if word == "งาน" else answer["text"].startswith("สรุป")
    assert waiting(staff) == (None, None)
    (help_text,) = say(client, line, "ยังไม่ได้รับงบประมาณ", user=staff.line_user_id)
    assert "พิมพ์ “งาน”" in help_text["text"]
    db.session.expire_all()
    assert task.blocked_reason is None and events(AuditAction.TASK_CANNOT_DO.value) == []


def test_an_expired_wait_is_ignored(client, linked, line, task, monkeypatch):
    staff = linked.users["clerk-staff"]
    press(client, line, "cannot", task.id, user=staff.line_user_id)
    later = clock.now() + REASON_WINDOW
    monkeypatch.setattr(clock, "now", lambda: later)
    (help_text,) = say(client, line, "ยังไม่ได้รับงบประมาณ", user=staff.line_user_id)
    db.session.expire_all()
    assert "พิมพ์ “งาน”" in help_text["text"] and task.blocked_reason is None
    assert events(AuditAction.TASK_CANNOT_DO.value) == [] and waiting(staff) == (None, None)


def test_a_reason_refused_is_asked_for_again_and_a_task_done_meanwhile_forgets_it(client, linked, line, task):
    staff = linked.users["clerk-staff"]
    press(client, line, "cannot", task.id, user=staff.line_user_id)
    (too_long,) = say(client, line, "ก" * 2001, user=staff.line_user_id)
    assert "ยาวเกิน" in too_long["text"] and "พิมพ์เหตุผลใหม่" in too_long["text"]
    assert waiting(staff)[0] == task.id
    say(client, line, "ลาป่วย", user=staff.line_user_id)
    db.session.expire_all()
    assert task.blocked_reason == "ลาป่วย" and len(events(AuditAction.TASK_CANNOT_DO.value)) == 1

    press(client, line, "cannot", task.id, user=staff.line_user_id)
    press(client, line, "done", task.id, user=staff.line_user_id)  # then done after all
    (reply,) = say(client, line, "อีกเหตุผล", user=staff.line_user_id)
    assert "เสร็จแล้ว" in reply["text"] and waiting(staff) == (None, None)
    assert len(events(AuditAction.TASK_CANNOT_DO.value)) == 1
    (reply,) = press(client, line, "cannot", task.id, user=staff.line_user_id)  # a done task takes no reason
    assert "เสร็จแล้ว" in reply["text"] and waiting(staff) == (None, None)


def test_in_a_group_the_reason_is_asked_for_in_the_persons_own_chat(client, linked, line, task):
    group = "C" + "5" * 32
    linked.clerk.line_group_id = group
    db.session.commit()
    staff, head = linked.users["clerk-staff"], linked.users["clerk-head"]
    (asked,) = press(client, line, "cannot", task.id, user=staff.line_user_id, group=group)
    assert staff.display_name in asked["text"] and "แชทส่วนตัว" in asked["text"]
    assert waiting(staff)[0] == task.id and waiting(head) == (None, None)

    assert say(client, line, "ยังไม่มีงบ", user=staff.line_user_id, group=group) == []  # the team's chat: quiet
    say(client, line, "ผมช่วยได้", user=head.line_user_id)  # someone else's own chat: not the reason
    db.session.expire_all()
    assert task.blocked_reason is None and waiting(staff)[0] == task.id
    say(client, line, "ยังไม่มีงบ", user=staff.line_user_id)
    db.session.expire_all()
    assert task.blocked_reason == "ยังไม่มีงบ" and task.blocked_by == staff

    # The group's other answers are the presser's, whoever of the division presses.
    press(client, line, "ack", task.id, user=head.line_user_id, group=group)
    db.session.expire_all()
    assert task.acknowledged_by == head


# --- refused: another person, a stranger, a forged button, a replay ------------------------------------------------


@pytest.mark.parametrize("action", ANSWERS)
@pytest.mark.parametrize("who", ["finance-staff", "mayor"])
def test_someone_not_allowed_is_refused_and_nothing_is_audited(client, linked, line, task, action, who):
    """Another division's person (the button signed for them: forwarded by hand, or from a digest of theirs) and the
    mayor, who follows tasks but does not carry them out."""
    before = audited()
    outsider = linked.users[who]
    (reply,) = press(client, line, action, task.id, user=outsider.line_user_id,
                     day=DUE if action == "snoozeto" else None,
                     params={"date": "2026-03-12"} if action == "snoozepick" else None)
    assert "ไม่มีสิทธิ์" in reply["text"] and linked.clerk.name in reply["text"]
    db.session.expire_all()
    assert audited() == before and task.status is TaskStatus.TODO and task.snoozed_until is None
    assert waiting(outsider) == (None, None)


@pytest.mark.parametrize("action", ANSWERS)
def test_a_stranger_is_asked_to_link_first_and_nothing_is_audited(client, linked, line, task, action):
    before = audited()
    (reply,) = press(client, line, action, task.id, user=STRANGER)
    assert "เชื่อมบัญชี" in reply["text"] and audited() == before


@pytest.mark.parametrize("action", ANSWERS)
def test_a_forged_or_borrowed_button_is_refused(client, linked, line, task, action):
    staff, other = line_id(linked, "clerk-staff"), line_id(linked, "clerk-head")
    before = audited()
    day = DUE if action == "snoozeto" else None
    forged = f"a={action}&t={task.id}&s={'0' * 24}"
    borrowed = postback.sign(action, task.id, other, secret(client), day=day)  # another person's button
    wrong_key = postback.sign(action, task.id, staff, "not-the-apps-secret", day=day)
    for data in (forged, borrowed, wrong_key):
        (reply,) = press(client, line, "", task.id, user=staff, data=data, params={"date": "2026-03-12"})
        assert "ใช้ไม่ได้" in reply["text"]
    if day is not None:  # a day of one's own put into a signed button
        signed = postback.sign(action, task.id, staff, secret(client), day=day)
        (reply,) = press(client, line, "", task.id, user=staff, data=signed.replace("2026-03-18", "2026-03-17"))
        assert "ใช้ไม่ได้" in reply["text"]
    db.session.expire_all()
    assert audited() == before and task.status is TaskStatus.TODO and task.snoozed_until is None
    assert waiting(linked.users["clerk-staff"]) == (None, None)


def test_a_forged_webhook_body_is_refused(client, linked, line, task):
    before = audited()
    data = postback.sign("ack", task.id, line_id(linked, "clerk-staff"), secret(client))
    body = event("postback", user=line_id(linked, "clerk-staff"), postback={"data": data})
    assert post(client, body, secret="not-the-channel-secret").status_code == 400
    db.session.expire_all()
    assert line.replies == [] and task.acknowledged_by is None and audited() == before


def test_a_replayed_answer_is_handled_once(client, linked, line, task):
    staff = linked.users["clerk-staff"]
    for action, day in (("ack", None), ("snoozeto", date(2026, 3, 16))):
        for _ in range(2):
            data = postback.sign(action, task.id, staff.line_user_id, secret(client), day=day)
            post(client, event("postback", user=staff.line_user_id, postback={"data": data},
                               event_id=f"01REPLAY{action.upper()}".ljust(26, "0")))
    assert len(line.replies) == 2
    assert len(events(AuditAction.TASK_ACKNOWLEDGE.value)) == 1 and len(events(AuditAction.TASK_SNOOZE.value)) == 1

    # The reason's message redelivered after a new ทำไม่ได้ is not taken for the new one's reason.
    press(client, line, "cannot", task.id, user=staff.line_user_id)
    say(client, line, "ลาป่วย", user=staff.line_user_id, event_id="01REPLAYREASON000000000000")
    press(client, line, "cannot", task.id, user=staff.line_user_id)
    say(client, line, "ลาป่วย", user=staff.line_user_id, event_id="01REPLAYREASON000000000000")
    assert len(events(AuditAction.TASK_CANNOT_DO.value)) == 1 and waiting(staff)[0] == task.id


def test_every_reply_of_the_answers_is_valid_for_line(client, linked, line, task):
    staff = line_id(linked, "clerk-staff")
    for action, params in (("ack", None), ("snooze", None), ("snoozepick", {"date": "2026-03-13"}),
                           ("cannot", None)):
        assert flex.validate_request(press(client, line, action, task.id, user=staff, params=params)) == []
    assert flex.validate_request(say(client, line, "ลาป่วย", user=staff)) == []
