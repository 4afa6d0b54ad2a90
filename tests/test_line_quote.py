"""A photo replying to a reminder (LINE's quote) goes to that reminder's task without a question (issue 21).

The outbox records the message ids LINE gives for a digest pushed to a person, with the tasks each message carries
(models.LineSentMessage); a photo or file whose message quotes one of them (quotedMessageId) is attached straight to
its one task, or offered only its tasks. Through the fake LINE server (pushes, content, replies) and signed webhook
calls, on SQLite and PostgreSQL alike."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from jobs import work
from tracker import clock, tasks
from tracker.extensions import db
from tracker.line import postback, uploads
from tracker.line.channel import channel_from_config
from tracker.models import (
    Evidence,
    EvidenceFile,
    EvidenceReview,
    LineSentMessage,
    LineUpload,
    Notification,
    Source,
    Task,
    TaskStatus,
    UploadStatus,
)
from tracker.reminders import outbox

from . import test_line_webhook as webhook_tests
from .factories import count, events
from .test_line_evidence import image, photo, quick_reply, send, text_of

TODAY = date(2026, 3, 17)  # a Tuesday: a task due 31 March is 14 days away, a reminder day
REMINDED = date(2026, 3, 31)
LATER = date(2026, 9, 30)  # no reminder on TODAY

webhook_line = webhook_tests.line  # the fake LINE: pushes, replies, message content (a fixture)


@pytest.fixture
def line(app, webhook_line):
    app.config.update(LINE_DATA_HOST=webhook_line.url, LINE_TIMEOUT_SECONDS=2.0)
    yield webhook_line
    assert webhook_line.errors == []


@pytest.fixture
def fixed_time(monkeypatch):
    moment = {"now": datetime(2026, 3, 17, 1, 30, tzinfo=UTC)}  # 08:30 in Bangkok
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def reminded(seeded, how_many: int) -> list[Task]:
    """Make the first `how_many` of the clerk's office's tasks due for today's reminder, the rest open and due later;
    return the reminded ones."""
    mine = seeded.tasks_of(seeded.clerk)
    for i, task in enumerate(mine):
        task.status, task.assignee = TaskStatus.TODO, None
        task.due_date = REMINDED if i < how_many else LATER
    for task in seeded.tasks_of(seeded.finance):
        task.status, task.assignee, task.due_date = TaskStatus.TODO, None, REMINDED
    db.session.commit()
    return list(mine[:how_many])


def deliver(seeded) -> None:
    outbox.sweep(seeded.org, TODAY)
    db.session.commit()
    assert outbox.deliver(channel_from_config()).sent >= 1
    db.session.expire_all()


def sent_to(line, user) -> list[str]:
    """The message ids LINE gave for the pushes to a person, in order (text, then carousel)."""
    (push,) = [p for p in line.pushes if p["to"] == user.line_user_id]
    return push["sent_ids"]


def quoting(message_id: str, quoted: str | None, image_set: tuple[str, int, int] | None = None) -> dict:
    message = image(message_id, image_set)
    if quoted is not None:
        message["quotedMessageId"] = quoted
    return message


# --- the outbox records what it sent -------------------------------------------------------------------------------


def test_a_delivered_digest_records_its_message_ids_with_their_tasks(app, linked, line, fixed_time, ladder_off):
    mine = reminded(linked, 3)
    deliver(linked)
    staff = linked.users["clerk-staff"]
    (row,) = db.session.scalars(sa.select(Notification).where(Notification.recipient_id == staff.id)).all()
    text_id, carousel_id = sent_to(line, staff)
    records = {r.message_id: r for r in db.session.scalars(sa.select(LineSentMessage))}
    assert records[text_id].task_ids == records[carousel_id].task_ids == [t.id for t in mine] == row.task_ids
    assert row.message_tasks == [[t.id for t in mine]] * 2
    for record in (records[text_id], records[carousel_id]):
        assert (record.recipient_id, record.notification_id, record.organization_id) == (staff.id, row.id,
                                                                                         linked.org.id)
        assert record.sent_at == clock.now()
    # Every push to a person recorded, one row per message object; a group's digest would not be (none here).
    assert len(records) == sum(len(p["sent_ids"]) for p in line.pushes)


def test_a_retry_answered_409_records_the_first_pushs_ids(app, linked, line, fixed_time, ladder_off):
    reminded(linked, 1)
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    staff = linked.users["clerk-staff"]
    rows = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    # LINE took the first push but its answer was lost: the retry with the same key is answered 409.
    line.hang_seconds, line.hang_rate = 1.0, 1.0
    app.config.update(LINE_TIMEOUT_SECONDS=0.2, OUTBOX_RETRY_BASE_SECONDS=0)
    outbox.deliver(channel_from_config(), limit=len(rows))
    line.hang_rate = 0.0
    app.config.update(LINE_TIMEOUT_SECONDS=2.0)
    outbox.deliver(channel_from_config())
    db.session.expire_all()
    assert line.counts["conflict"] >= 1
    recorded = set(db.session.scalars(sa.select(LineSentMessage.message_id)
                                      .where(LineSentMessage.recipient_id == staff.id)))
    assert recorded == set(sent_to(line, staff))


# --- a photo quoting a reminder ------------------------------------------------------------------------------------


def test_a_photo_quoting_a_one_task_reminder_is_attached_without_a_question(client, linked, line, fixed_time,
                                                                             ladder_off):
    (task,) = reminded(linked, 1)
    deliver(linked)
    staff = linked.users["clerk-staff"]
    text_id, carousel_id = sent_to(line, staff)
    line.content["7001"] = (photo(), "image/jpeg")

    reply = send(client, line, quoting("7001", text_id), user=staff.line_user_id)

    assert len(reply) == 1 and "quickReply" not in reply[0]
    assert reply[0]["text"].startswith("แนบหลักฐานกับงาน “")
    assert "แล้ว (จากข้อความที่อ้างถึง) รอหัวหน้ากองตรวจ (รูป)" in reply[0]["text"]
    item = db.session.scalar(sa.select(Evidence))
    assert item.task_id == task.id and item.review is EvidenceReview.PENDING and item.created_by_id == staff.id
    assert count(EvidenceFile) == 1
    upload = db.session.scalar(sa.select(LineUpload))
    assert upload.status is UploadStatus.ATTACHED and upload.quoted_message_id == text_id
    (audit,) = events("task.evidence")
    assert audit.source is Source.LINE

    # The carousel's bubble quoted (its one card): the same, for a second photo.
    line.content["7002"] = (photo(), "image/jpeg")
    again = send(client, line, quoting("7002", carousel_id), user=staff.line_user_id)
    assert "(จากข้อความที่อ้างถึง)" in again[0]["text"] and count(Evidence) == 2


def test_a_set_of_photos_quoting_the_reminder_becomes_one_piece_of_its_task(client, linked, line, fixed_time,
                                                                           ladder_off):
    (task,) = reminded(linked, 1)
    deliver(linked)
    staff = linked.users["clerk-staff"]
    text_id, _ = sent_to(line, staff)
    for message_id in ("7101", "7102"):
        line.content[message_id] = (photo(), "image/jpeg")

    first = send(client, line, quoting("7102", text_id, ("S1", 2, 2)), user=staff.line_user_id)
    last = send(client, line, quoting("7101", text_id, ("S1", 1, 2)), user=staff.line_user_id)

    assert first == []  # the set is not settled yet: nothing said
    assert "(จากข้อความที่อ้างถึง)" in last[0]["text"] and "(รูป 2 รูป)" in last[0]["text"]
    (item,) = db.session.scalars(sa.select(Evidence)).all()
    assert item.task_id == task.id
    assert [f.position for f in item.files] == [1, 2]


def test_quoting_a_carousel_of_three_offers_those_three(app, client, linked, line, fixed_time, ladder_off):
    three = reminded(linked, 3)
    deliver(linked)
    staff = linked.users["clerk-staff"]
    _, carousel_id = sent_to(line, staff)
    line.content["7201"] = (photo(), "image/jpeg")

    reply = send(client, line, quoting("7201", carousel_id), user=staff.line_user_id)

    assert "ได้รับรูปแล้ว" in reply[0]["text"] and count(Evidence) == 0
    key, upload = app.config["SECRET_KEY"], db.session.scalar(sa.select(LineUpload))
    offered = [postback.read_upload(c["data"], staff.line_user_id, key) for c in quick_reply(reply)]
    assert offered == [("attach", t.id, upload.id) for t in three]  # those three, in the usual order


def test_a_closed_task_of_three_is_left_out_of_the_offer(client, linked, line, fixed_time, ladder_off):
    three = reminded(linked, 3)
    deliver(linked)
    staff = linked.users["clerk-staff"]
    _, carousel_id = sent_to(line, staff)
    tasks.tick_off(three[0], linked.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    line.content["7251"] = (photo(), "image/jpeg")

    reply = send(client, line, quoting("7251", carousel_id), user=staff.line_user_id)

    assert len(quick_reply(reply)) == 2 and count(Evidence) == 0


@pytest.mark.parametrize("whose", ["another person's", "unknown"])
def test_another_persons_or_an_unknown_message_gets_the_usual_question(client, linked, line, fixed_time, ladder_off,
                                                                       whose):
    reminded(linked, 1)
    deliver(linked)
    staff = linked.users["clerk-staff"]
    quoted = sent_to(line, linked.users["finance-staff"])[0] if whose == "another person's" else "424242424242"
    line.content["7301"] = (photo(), "image/jpeg")

    reply = send(client, line, quoting("7301", quoted), user=staff.line_user_id)

    assert "ได้รับรูปแล้ว — แนบเป็นหลักฐานของงานไหน" in reply[0]["text"] and count(Evidence) == 0
    assert len(quick_reply(reply)) == 8  # every open task of the office, as without a quote


def test_a_task_done_since_the_reminder_gets_the_usual_question(client, linked, line, fixed_time, ladder_off):
    (task,) = reminded(linked, 1)
    deliver(linked)
    staff = linked.users["clerk-staff"]
    text_id, _ = sent_to(line, staff)
    tasks.tick_off(task, linked.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    line.content["7401"] = (photo(), "image/jpeg")

    reply = send(client, line, quoting("7401", text_id), user=staff.line_user_id)

    assert "แนบเป็นหลักฐานของงานไหน" in reply[0]["text"] and count(Evidence) == 0
    choices = text_of(quick_reply(reply))
    assert len(quick_reply(reply)) == 7 and f"{task.measure.order}.{task.step_number} " not in choices


def test_a_quote_of_the_wrong_shape_is_skipped(client, linked, line, fixed_time):
    staff = linked.users["clerk-staff"]
    message = quoting("7501", None)
    message["quotedMessageId"] = 12345
    assert send(client, line, message, user=staff.line_user_id) == []
    assert count(LineUpload) == 0


# --- the daily cleanup -----------------------------------------------------------------------------------------------


def test_records_older_than_30_days_are_removed_by_the_daily_job(app, linked, line, fixed_time, ladder_off,
                                                                monkeypatch):
    reminded(linked, 1)
    deliver(linked)
    total = count(LineSentMessage)
    assert total >= 2
    old = db.session.scalars(sa.select(LineSentMessage).order_by(LineSentMessage.id)).first()
    old.sent_at = clock.now() - timedelta(days=31)
    db.session.commit()

    monkeypatch.setattr(work, "send_todays_reminders", lambda: None)
    assert work.daily_reminders() is True
    assert count(LineSentMessage) == total - 1
    assert uploads.remove_old_sent_messages() == 0
    # 30 days on, the rest go too.
    assert uploads.remove_old_sent_messages(clock.now() + timedelta(days=30, seconds=1)) == total - 1
