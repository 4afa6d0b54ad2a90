"""A head reviews evidence from LINE (issue 21): their digest, rendered at delivery, lists the oldest evidence waiting
for them with ผ่าน and ส่งกลับแก้ไข; ผ่าน accepts it, ส่งกลับแก้ไข asks for the reason typed next in their own chat;
each through evidence.review and its permission check, audited with source LINE, answered by a reply. Through the
webhook with signed bodies and LINE's API answered by the fake server (tests/fake_line.py)."""
from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker import clock, evidence
from tracker.extensions import db
from tracker.line import flex, postback
from tracker.line.answers import REASON_WINDOW, waiting_for
from tracker.models import AuditEvent, Evidence, EvidenceReview, Notification, NotificationStatus, Source
from tracker.organization import public_url
from tracker.reminders import outbox
from tracker.reminders.digest import MAX_REVIEWS
from tracker.tasks import add_evidence

from . import test_line_webhook as webhook_tests
from .factories import count, events
from .test_line_answers import answers_of, press, say, secret
from .test_line_webhook import event, post

line = webhook_tests.line  # the fake LINE server answering the webhook's replies (a fixture)

TODAY = date(2026, 3, 30)  # a Monday: the heads' weekly digests go out (on_day starts here)
TUESDAY = date(2026, 3, 31)
REVIEW = "evidence.review"


@pytest.fixture
def pending(linked, on_day) -> list[Evidence]:
    """Four pieces of evidence the clerk's staff member added, waiting for the clerk's head, oldest first."""
    staff = linked.users["clerk-staff"]
    items = []
    for n, task in enumerate(linked.tasks_of(linked.clerk)[:4]):
        item = add_evidence(task, staff, source=Source.WEB, url=f"https://bangkrabue.go.th/ita/piece-{n}")
        item.created_at = clock.now() - timedelta(days=10 - n)
        items.append(item)
    db.session.commit()
    assert all(item.review is EvidenceReview.PENDING for item in items)
    return items


def head_id(linked) -> str:
    return linked.users["clerk-head"].line_user_id


def review_data(client, action: str, item: Evidence, binding: str) -> str:
    return postback.sign(action, item.task_id, binding, secret(client), evidence_id=item.id)


def press_review(client, line, action: str, item: Evidence, *, user: str, group: str | None = None,
                 data: str | None = None, event_id: str | None = None) -> dict:
    (reply,) = press(client, line, "", item.task_id, user=user, group=group, event_id=event_id,
                     data=data or review_data(client, action, item, group or user))
    assert flex.validate(reply) == []
    return reply


def reviewed(item: Evidence) -> tuple[EvidenceReview, str | None]:
    db.session.expire_all()
    return item.review, item.review_reason


def audited() -> int:
    return count(AuditEvent)


# --- the head's digest -----------------------------------------------------------------------------------------------


def _rendered(recipient_id: int) -> tuple[str, list[dict]]:
    (row,) = db.session.scalars(select(Notification).filter_by(for_date=TODAY, recipient_id=recipient_id)).all()
    return outbox.render_rows([row])[row.id]


def test_the_heads_digest_lists_the_oldest_waiting_with_the_two_buttons(app, client, linked, pending):
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    text, messages = _rendered(linked.users["clerk-head"].id)
    assert flex.validate_request(messages) == []
    assert "หลักฐานรอคุณตรวจ 4 รายการ" in text and "และอีก 1 รายการ" in text
    base_url = public_url(linked.org)
    assert f"ตรวจทั้งหมด: {base_url}/reviews" in text
    assert "piece-0" in text and "piece-3" not in text  # the oldest MAX_REVIEWS

    (carousel,) = [m for m in messages if m["type"] == "flex" and m["altText"].startswith("หลักฐานรอตรวจ")]
    bubbles = carousel["contents"]["contents"]
    assert len(bubbles) == MAX_REVIEWS + 1  # and the last links to the queue
    assert f'"uri":"{base_url}/reviews"' in json.dumps(bubbles[-1], separators=(",", ":"))
    for bubble, item in zip(bubbles[:MAX_REVIEWS], pending[:MAX_REVIEWS], strict=True):
        buttons = answers_of(bubble)
        assert list(buttons) == ["ผ่าน", "ส่งกลับแก้ไข"]
        assert f"piece-{pending.index(item)}" in json.dumps(bubble, ensure_ascii=False)
        for (label, action), name in zip(buttons.items(), ("accept", "sendback"), strict=True):
            assert len(action["data"]) <= postback.MAX_DATA, label
            assert postback.read_evidence(action["data"], head_id(linked), secret(client)) == (
                name, item.task_id, item.id)
            assert postback.read_evidence(action["data"], "U" + "0" * 32, secret(client)) is None
            assert postback.read(action["data"], head_id(linked), secret(client)) is None  # no task button

    # Whoever reviews nothing has no such list: the staff member's digest, if they get one, carries none.
    staff_rows = db.session.scalars(select(Notification).filter_by(
        for_date=TODAY, recipient_id=linked.users["clerk-staff"].id)).all()
    for staff_text, staff_messages in outbox.render_rows(staff_rows).values():
        assert "หลักฐานรอคุณตรวจ" not in staff_text
        assert not any(m.get("altText", "").startswith("หลักฐานรอตรวจ") for m in staff_messages)


def test_a_piece_reviewed_on_the_web_before_the_send_is_not_offered(app, linked, pending):
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    for item in pending[:3]:
        evidence.review(item, linked.users["clerk-head"], True, None, source=Source.WEB)
    db.session.commit()
    text, messages = _rendered(linked.users["clerk-head"].id)
    assert "หลักฐานรอคุณตรวจ 1 รายการ" in text and "piece-0" not in text and "และอีก" not in text
    (carousel,) = [m for m in messages if m.get("altText", "").startswith("หลักฐานรอตรวจ")]
    assert len(carousel["contents"]["contents"]) == 1


def test_waiting_evidence_alone_sends_no_message(app, linked, ladder_off, on_day):
    """LINE counts every push: waiting evidence rides in the digests a head gets anyway, never one of its own."""
    on_day(TUESDAY)
    before = outbox.plan_for(linked.org, TUESDAY)
    add_evidence(linked.tasks_of(linked.clerk)[0], linked.users["clerk-staff"], source=Source.WEB,
                 url="https://bangkrabue.go.th/ita/alone")
    db.session.commit()
    after = outbox.plan_for(linked.org, TUESDAY)
    assert after.message_count == before.message_count
    assert after.messages_by_kind() == before.messages_by_kind()


# --- ผ่าน -------------------------------------------------------------------------------------------------------------


def test_accept_from_line(client, linked, line, pending):
    head = linked.users["clerk-head"]
    item = pending[0]
    reply = press_review(client, line, "accept", item, user=head.line_user_id)
    assert reply["text"].startswith("ตรวจผ่านแล้ว") and "piece-0" in reply["text"]
    assert reviewed(item) == (EvidenceReview.ACCEPTED, None) and item.reviewed_by == head
    (recorded,) = events(REVIEW)
    assert recorded.source is Source.LINE and recorded.actor == head and recorded.after["review"] == "accepted"

    again = press_review(client, line, "accept", item, user=head.line_user_id)  # pressed again: nothing twice
    assert "ตรวจไปแล้ว" in again["text"] and len(events(REVIEW)) == 1
    again = press_review(client, line, "sendback", item, user=head.line_user_id)
    assert "ตรวจไปแล้ว" in again["text"] and waiting_for(head) is None


# --- ส่งกลับแก้ไข and its reason -------------------------------------------------------------------------------------


def test_send_back_with_the_reason_typed_next(client, linked, line, pending):
    head, staff = linked.users["clerk-head"], linked.users["clerk-staff"]
    item = pending[1]
    asked = press_review(client, line, "sendback", item, user=head.line_user_id)
    assert "พิมพ์เหตุผลที่ต้องแก้ไข" in asked["text"] and "piece-1" in asked["text"]
    db.session.refresh(head)
    assert waiting_for(head) == ("evidence", item.id) and head.line_reason_until == clock.now() + REASON_WINDOW
    assert events(REVIEW) == []  # nothing yet: the reason is still to come

    (recorded,) = say(client, line, "  ลิงก์เปิดไม่ได้\nขอไฟล์ PDF ", user=head.line_user_id)
    assert recorded["text"].startswith("ส่งกลับให้แก้ไขแล้ว") and "ลิงก์เปิดไม่ได้" in recorded["text"]
    assert reviewed(item) == (EvidenceReview.NEEDS_WORK, "ลิงก์เปิดไม่ได้\nขอไฟล์ PDF")
    (event_row,) = events(REVIEW)
    assert event_row.source is Source.LINE and event_row.actor == head
    db.session.refresh(head)
    assert waiting_for(head) is None
    # The staff member reads it in their next digest (tracker.evidence.needing_work_for).
    (needs_work,) = evidence.needing_work_for([staff.id])[staff.id]
    assert needs_work.task_id == item.task_id and needs_work.reason == "ลิงก์เปิดไม่ได้\nขอไฟล์ PDF"

    (help_text,) = say(client, line, "ขอบคุณครับ", user=head.line_user_id)  # the next one is a chat again
    assert "พิมพ์ “งาน”" in help_text["text"] and len(events(REVIEW)) == 1


def test_a_reason_too_long_is_asked_for_again(client, linked, line, pending):
    head = linked.users["clerk-head"]
    press_review(client, line, "sendback", pending[0], user=head.line_user_id)
    (too_long,) = say(client, line, "ก" * (evidence.MAX_REVIEW_REASON + 1), user=head.line_user_id)
    assert "พิมพ์เหตุผลใหม่" in too_long["text"]
    db.session.refresh(head)
    assert waiting_for(head) == ("evidence", pending[0].id) and events(REVIEW) == []
    say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id)
    assert reviewed(pending[0]) == (EvidenceReview.NEEDS_WORK, "ไฟล์ไม่ชัด")


def test_the_reason_window_expires(client, linked, line, pending, monkeypatch):
    head = linked.users["clerk-head"]
    press_review(client, line, "sendback", pending[0], user=head.line_user_id)
    later = clock.now() + REASON_WINDOW
    monkeypatch.setattr(clock, "now", lambda: later)
    (help_text,) = say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id)
    assert "พิมพ์ “งาน”" in help_text["text"]
    assert reviewed(pending[0]) == (EvidenceReview.PENDING, None) and events(REVIEW) == []
    db.session.refresh(head)
    assert waiting_for(head) is None


def test_a_command_word_cancels_the_send_back(client, linked, line, pending):
    head = linked.users["clerk-head"]
    press_review(client, line, "sendback", pending[0], user=head.line_user_id)
    (answer,) = say(client, line, "สรุป", user=head.line_user_id)
    assert answer["text"].startswith("สรุป")
    assert reviewed(pending[0]) == (EvidenceReview.PENDING, None) and events(REVIEW) == []


def test_reviewed_on_the_web_meanwhile(client, linked, line, pending):
    head = linked.users["clerk-head"]
    first, second = pending[:2]
    evidence.review(first, head, True, None, source=Source.WEB)
    db.session.commit()
    reply = press_review(client, line, "accept", first, user=head.line_user_id)
    assert "ตรวจไปแล้ว (ผ่าน" in reply["text"] and len(events(REVIEW)) == 1

    press_review(client, line, "sendback", second, user=head.line_user_id)  # then reviewed on the web
    evidence.review(second, head, True, None, source=Source.WEB)
    db.session.commit()
    (reply,) = say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id)
    assert "ตรวจไปแล้ว" in reply["text"] and "ไม่ได้บันทึก" in reply["text"]
    assert reviewed(second) == (EvidenceReview.ACCEPTED, None) and len(events(REVIEW)) == 2


# --- refused: someone who may not review, a forged button, a replay, a group -----------------------------------------


@pytest.mark.parametrize("who", ["clerk-staff", "finance-head", "mayor"])
@pytest.mark.parametrize("action", ["accept", "sendback"])
def test_someone_who_may_not_review_is_refused_and_nothing_is_written(client, linked, line, pending, who, action):
    """The staff member who added it, another division's head, the mayor: each with a button signed for them."""
    before = audited()
    person = linked.users[who]
    reply = press_review(client, line, action, pending[0], user=person.line_user_id)
    assert "ตรวจหรือเผยแพร่หลักฐาน" in reply["text"]
    db.session.refresh(person)
    assert audited() == before and waiting_for(person) is None
    assert reviewed(pending[0]) == (EvidenceReview.PENDING, None)


@pytest.mark.parametrize("action", ["accept", "sendback"])
def test_a_forged_or_borrowed_review_button_is_refused(client, linked, line, pending, action):
    head, other = head_id(linked), linked.users["finance-head"].line_user_id
    item, another = pending[0], pending[1]
    before = audited()
    signed = review_data(client, action, item, head)
    for data in (
        f"a={action}&t={item.task_id}&e={item.id}&s={'0' * 24}",  # forged
        review_data(client, action, item, other),  # another person's button
        postback.sign(action, item.task_id, head, "not-the-apps-secret", evidence_id=item.id),
        signed.replace(f"&e={item.id}&", f"&e={another.id}&"),  # another piece put into a signed button
    ):
        reply = press_review(client, line, action, item, user=head, data=data)
        assert "ใช้ไม่ได้" in reply["text"], data
    # Signed with another task than the evidence's: not found, nothing done.
    wrong_task = postback.sign(action, another.task_id, head, secret(client), evidence_id=item.id)
    assert "ไม่พบหลักฐาน" in press_review(client, line, action, item, user=head, data=wrong_task)["text"]
    db.session.expire_all()
    assert audited() == before and waiting_for(linked.users["clerk-head"]) is None
    assert reviewed(item) == (EvidenceReview.PENDING, None)


def test_a_forged_webhook_body_is_refused(client, linked, line, pending):
    before = audited()
    body = event("postback", user=head_id(linked),
                 postback={"data": review_data(client, "accept", pending[0], head_id(linked))})
    assert post(client, body, secret="not-the-channel-secret").status_code == 400
    assert line.replies == [] and audited() == before
    assert reviewed(pending[0]) == (EvidenceReview.PENDING, None)


def test_a_replayed_press_and_reason_are_handled_once(client, linked, line, pending):
    head = linked.users["clerk-head"]
    data = review_data(client, "accept", pending[0], head.line_user_id)
    for _ in range(2):
        post(client, event("postback", user=head.line_user_id, postback={"data": data},
                           event_id="01REPLAYACCEPT000000000000"))
    assert len(line.replies) == 1 and len(events(REVIEW)) == 1

    # The reason's message redelivered after a new ส่งกลับแก้ไข is not taken for the new one's reason.
    press_review(client, line, "sendback", pending[1], user=head.line_user_id)
    say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id, event_id="01REPLAYREVIEWREASON000000")
    press_review(client, line, "sendback", pending[2], user=head.line_user_id)
    say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id, event_id="01REPLAYREVIEWREASON000000")
    assert len(events(REVIEW)) == 2 and reviewed(pending[2]) == (EvidenceReview.PENDING, None)
    db.session.refresh(head)
    assert waiting_for(head) == ("evidence", pending[2].id)


def test_in_a_group_no_reason_is_taken_from_the_group(client, linked, line, pending):
    group = "C" + "7" * 32
    linked.clerk.line_group_id = group
    db.session.commit()
    head = linked.users["clerk-head"]
    asked = press_review(client, line, "sendback", pending[0], user=head.line_user_id, group=group)
    assert head.display_name in asked["text"] and "แชทส่วนตัว" in asked["text"]
    assert say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id, group=group) == []  # the team's chat: quiet
    assert reviewed(pending[0]) == (EvidenceReview.PENDING, None) and events(REVIEW) == []
    say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id)  # their own chat
    assert reviewed(pending[0]) == (EvidenceReview.NEEDS_WORK, "ไฟล์ไม่ชัด")


def test_a_cannot_do_and_a_send_back_share_the_one_wait(client, linked, line, pending):
    """The latest press holds the next message: a send back after a ทำไม่ได้ takes it, and the ทำไม่ได้ is dropped."""
    head = linked.users["clerk-head"]
    task = pending[0].task
    press(client, line, "cannot", task.id, user=head.line_user_id)
    press_review(client, line, "sendback", pending[0], user=head.line_user_id)
    say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id)
    db.session.expire_all()
    assert task.blocked_reason is None
    assert reviewed(pending[0]) == (EvidenceReview.NEEDS_WORK, "ไฟล์ไม่ชัด")


# --- the staff member hears the outcome in their next digest ---------------------------------------------------------


def _sent_digest(linked, username: str, day: date) -> None:
    """A digest of an earlier day, sent at 09:00 that day: the next one tells what was accepted since."""
    user = linked.users[username]
    db.session.add(Notification(
        organization_id=linked.org.id, address=f"user:{user.id}", recipient_id=user.id, kind=outbox.DIGEST,
        for_date=day, status=NotificationStatus.SENT, attempts=1, idempotency_key=str(uuid.uuid4()),
        sent_at=clock.start_of(day) + timedelta(hours=9)))


def test_the_staff_member_hears_what_was_accepted_since_their_last_digest(client, linked, line, pending):
    staff, head = linked.users["clerk-staff"], linked.users["clerk-head"]
    task = pending[0].task
    task.assignee, task.due_date = staff, TODAY  # due today: the staff member gets a digest anyway
    _sent_digest(linked, "clerk-staff", date(2026, 3, 27))  # last Friday's
    earlier = pending[3]  # accepted on Thursday, before that digest: told then, not again
    evidence.review(earlier, head, True, None, source=Source.WEB)
    earlier.reviewed_at = clock.start_of(date(2026, 3, 26))
    own = add_evidence(linked.tasks_of(linked.clerk)[5], head, source=Source.WEB,
                       url="https://bangkrabue.go.th/ita/heads-own")  # a head's own: accepted as added
    db.session.commit()
    assert own.review is EvidenceReview.ACCEPTED
    press_review(client, line, "accept", pending[1], user=head.line_user_id)
    press_review(client, line, "sendback", pending[2], user=head.line_user_id)
    say(client, line, "ไฟล์ไม่ชัด", user=head.line_user_id)

    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    text, messages = _rendered(staff.id)
    assert flex.validate_request(messages) == []
    told = text.split("หลักฐานผ่านการตรวจ 1 รายการ:")[1]
    assert "piece-1" in told.split("\n\n")[0] and "piece-3" not in text
    assert "หลักฐานที่หัวหน้าขอให้แก้ไข 1 งาน" in text and "ไฟล์ไม่ชัด" in text  # sent back: as before
    head_text, _ = _rendered(head.id)
    assert "หลักฐานผ่านการตรวจ" not in head_text  # their own, accepted as added: nothing to tell


def test_without_an_earlier_digest_the_last_week_is_told(app, linked, pending):
    staff, head = linked.users["clerk-staff"], linked.users["clerk-head"]
    evidence.review(pending[0], head, True, None, source=Source.WEB)
    evidence.review(pending[1], head, True, None, source=Source.WEB)
    pending[1].reviewed_at = clock.now() - timedelta(days=8)
    db.session.commit()
    told = outbox.accepted_since_last_digest(linked.org.id, [staff.id, head.id], TODAY)
    assert [a.what for a in told[staff.id]] == ["https://bangkrabue.go.th/ita/piece-0"] and head.id not in told
