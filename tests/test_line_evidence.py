"""A photo or file sent in the LINE chat becomes evidence of the task the person picks (tracker/line/uploads.py):
through signed webhook calls, with LINE's content and reply API answered by the fake server (tests/fake_line.py).
Recorded with its event, fetched after that commits, offered the person's open tasks as a quick reply, attached
once through tasks.add_evidence (audited with source LINE, pending the head's review), refused with the reason."""
from __future__ import annotations

import hashlib
import io
import json
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image

from tracker import evidence
from tracker.extensions import db
from tracker.labels import SAME_FILE_ELSEWHERE
from tracker.line import postback
from tracker.models import (
    AuditEvent,
    Evidence,
    EvidenceFile,
    EvidenceReview,
    LineEvent,
    LineUpload,
    Task,
    TaskStatus,
    UploadStatus,
)

from . import test_line_webhook as webhook_tests
from .conftest import ON_POSTGRESQL
from .db_faults import database_path
from .factories import count, events, login, other_organization
from .fake_line import Content
from .test_line_content import location_exif, picture, red_left_blue_right
from .test_line_webhook import event, last_reply, post
from .test_no_lock_across_line import write_lock_free

MB = 1024 * 1024
STRANGER = "U" + "e" * 32  # a LINE account linked to nobody
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


webhook_line = webhook_tests.line  # the fake LINE server answering the webhook's replies (a fixture)


@pytest.fixture
def line(app, webhook_line):
    """The same fake LINE, serving message content too."""
    app.config.update(LINE_DATA_HOST=webhook_line.url)
    yield webhook_line
    assert webhook_line.errors == []


@pytest.fixture
def staff(linked):
    """The clerk's office staff member, linked to LINE, every task of the office open and due from a week on."""
    for i, task in enumerate(linked.tasks_of(linked.clerk)):
        task.status, task.due_date, task.assignee = TaskStatus.TODO, date.today() + timedelta(days=7 + i), None
    db.session.commit()
    return linked.users["clerk-staff"]


def photo() -> bytes:
    return picture(red_left_blue_right(), "JPEG", exif=location_exif())


def send(client, line, message: dict, *, user: str, group: str | None = None,
         event_id: str | None = None) -> list[dict]:
    """Send a photo or file as `user`; return the reply's messages ([] when the bot answers nothing)."""
    extra = {"event_id": event_id} if event_id else {}
    replies = len(line.replies)
    assert post(client, event("message", user=user, group=group, message=message, **extra)).status_code == 200
    return last_reply(line) if len(line.replies) > replies else []


def image(message_id: str, image_set: tuple[str, int, int] | None = None) -> dict:
    message = {"type": "image", "id": message_id, "contentProvider": {"type": "line"}}
    if image_set:
        message["imageSet"] = {"id": image_set[0], "index": image_set[1], "total": image_set[2]}
    return message


def press(client, line, data: str, *, user: str, event_id: str | None = None) -> list[dict]:
    extra = {"event_id": event_id} if event_id else {}
    replies = len(line.replies)
    assert post(client, event("postback", user=user, postback={"data": data}, **extra)).status_code == 200
    assert len(line.replies) == replies + 1, "the bot answers every press"
    return last_reply(line)


def quick_reply(messages: list[dict]) -> list[dict]:
    return [item["action"] for item in messages[-1]["quickReply"]["items"]]


def text_of(messages: list[dict]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def choice_for(messages: list[dict], task: Task) -> dict:
    label = f"{task.measure.order}.{task.step_number} "
    found = [a for a in quick_reply(messages) if a["label"].startswith(label)]
    assert len(found) == 1, (label, quick_reply(messages))
    return found[0]


def stored_files() -> list[str]:
    folder = evidence.upload_folder()
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- a photo, end to end -----------------------------------------------------------------------------------------


def test_a_photo_becomes_evidence_pending_review_without_its_exif(client, staff, linked, line):
    line.content["5001"] = (photo(), "image/jpeg")
    reply = send(client, line, image("5001"), user=staff.line_user_id)

    assert "ได้รับรูปแล้ว" in reply[0]["text"]
    choices = quick_reply(reply)
    mine = linked.tasks_of(linked.clerk)
    assert len(choices) == len(mine) == 8
    assert all(len(c["label"].encode("utf-16-le")) // 2 <= 20 and len(c["data"]) <= 300 for c in choices)
    # Ordered by due date; each signed for this LINE account, with the task and the upload.
    upload = db.session.scalar(sa.select(LineUpload))
    assert upload.status is UploadStatus.STORED and upload.sha256 and (upload.width, upload.height) == (30, 40)
    for choice, task in zip(choices, mine, strict=True):
        key = client.application.config["SECRET_KEY"]
        assert postback.read_upload(choice["data"], staff.line_user_id, key) == ("attach", task.id, upload.id)
        assert postback.read(choice["data"], staff.line_user_id, key) is None  # never read as a task's own button

    task = mine[2]
    answer = press(client, line, choice_for(reply, task)["data"], user=staff.line_user_id)

    assert answer[0]["text"].startswith(f"แนบหลักฐานกับงาน “{' '.join(task.step_text.split())[:20]}")
    assert "แล้ว รอหัวหน้ากองตรวจ" in answer[0]["text"]
    item = db.session.scalar(sa.select(Evidence))
    assert item.task_id == task.id and item.review is EvidenceReview.PENDING and item.created_by_id == staff.id
    (file,) = item.files
    assert (file.sha256, file.width, file.height, file.position) == (upload.sha256, 30, 40, 1) and item.note is None
    assert file.organization_id == item.organization_id == linked.org.id
    audit = events("task.evidence")
    assert len(audit) == 1 and audit[0].source.value == "line"
    assert [f["sha256"] for f in audit[0].after["files"]] == [upload.sha256]
    data = evidence.path_of(file.file_path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == file.sha256
    with Image.open(io.BytesIO(data)) as kept:
        assert dict(kept.getexif()) == {} and kept.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    db.session.expire_all()
    upload = db.session.get(LineUpload, upload.id)
    assert upload.status is UploadStatus.ATTACHED and upload.task_id == task.id and upload.evidence_id == item.id


def test_the_event_is_committed_and_the_database_free_while_the_content_is_fetched(client, staff, line):
    engine = db.engine
    path = None if ON_POSTGRESQL else database_path()
    seen: dict[str, object] = {}

    def content(request):
        with engine.connect() as connection:  # another connection: sees only what was committed
            seen["upload"] = connection.execute(sa.text(
                "SELECT status FROM line_upload WHERE message_id = '5002'")).scalar()
            seen["events"] = connection.execute(sa.text("SELECT count(*) FROM line_event")).scalar()
        if path is not None:
            seen["lock_free"] = write_lock_free(path)
        return 200, {}, Content(photo(), "image/jpeg")

    line.add_route("GET", r"^/v2/bot/message/(?P<message_id>[^/]+)/content$", content)
    reply = send(client, line, image("5002"), user=staff.line_user_id)
    assert seen["upload"] == "waiting" and seen["events"] == 1
    assert seen.get("lock_free", True) is True
    assert "quickReply" in reply[-1]


def test_the_same_event_delivered_again_is_handled_once(client, staff, line):
    line.content["5003"] = (photo(), "image/jpeg")
    send(client, line, image("5003"), user=staff.line_user_id, event_id="01UPLOADREPLAYED0000000000")
    assert send(client, line, image("5003"), user=staff.line_user_id, event_id="01UPLOADREPLAYED0000000000") == []
    assert count(LineUpload) == 1 and len(line.content_requests("5003")) == 1 and len(stored_files()) == 1


# --- several photos, a file, refusals ----------------------------------------------------------------------------


def test_an_image_set_is_answered_once_after_its_last_photo_in_any_order(client, staff, line):
    for number in (1, 2, 3):
        line.content[f"600{number}"] = (picture(Image.new("RGB", (10 * number, 10), "white"), "PNG"), "image/png")
    answers = [send(client, line, image(f"600{n}", ("SET1", n, 3)), user=staff.line_user_id) for n in (3, 1, 2)]
    assert answers[0] == [] and answers[1] == []
    assert "ได้รับรูป 3 รูปแล้ว" in answers[2][0]["text"] and len(line.replies) == 1

    data = quick_reply(answers[2])[0]["data"]
    answer = press(client, line, data, user=staff.line_user_id)
    assert "รอหัวหน้ากองตรวจ" in answer[0]["text"] and "รูป 3 รูป" in answer[0]["text"]
    # One piece of evidence with the set's three photos in LINE's order (sent 3, 1, 2), audited once with all three.
    (item,) = db.session.scalars(sa.select(Evidence)).all()
    assert item.note is None and [f.position for f in item.files] == [1, 2, 3]
    assert [f.width for f in item.files] == [10, 20, 30]
    uploads = db.session.scalars(sa.select(LineUpload).order_by(LineUpload.set_index)).all()
    assert [f.sha256 for f in item.files] == [u.sha256 for u in uploads] and {u.evidence_id for u in uploads} == {
        item.id}
    (audit,) = events("task.evidence")
    assert [f["width"] for f in audit.after["files"]] == [10, 20, 30]


def test_a_pdf_file_is_taken_under_its_name(client, staff, linked, line):
    line.content["7001"] = (PDF, "application/pdf")
    message = {"type": "file", "id": "7001", "fileName": "รายงานการประชุม.pdf", "fileSize": len(PDF)}
    reply = send(client, line, message, user=staff.line_user_id)
    assert "ได้รับไฟล์ “รายงานการประชุม.pdf”แล้ว" in reply[0]["text"]
    task = linked.tasks_of(linked.clerk)[0]
    press(client, line, choice_for(reply, task)["data"], user=staff.line_user_id)
    (file,) = db.session.scalar(sa.select(Evidence)).files
    assert (file.file_name, file.content_type, file.width) == ("รายงานการประชุม.pdf", "application/pdf", None)
    assert evidence.path_of(file.file_path).read_bytes() == PDF


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(client, staff, line):
    line.content["7002"] = Content(b"%PDF-1.4\n", "application/pdf", size=30 * MB)
    message = {"type": "file", "id": "7002", "fileName": "ใหญ่.pdf", "fileSize": 30 * MB}
    reply = send(client, line, message, user=staff.line_user_id)
    assert len(reply) == 1 and "ไฟล์ใหญ่เกิน 10 MB" in reply[0]["text"] and "quickReply" not in reply[0]
    upload = db.session.scalar(sa.select(LineUpload))
    assert upload.status is UploadStatus.REFUSED and "ไฟล์ใหญ่เกิน" in upload.reason and upload.file_path is None
    assert stored_files() == [] and count(Evidence) == 0


def test_content_gone_at_line_is_refused(client, staff, line):
    reply = send(client, line, image("7003"), user=staff.line_user_id)  # never put in line.content: 404
    assert "LINE ไม่มีไฟล์นี้แล้ว" in reply[0]["text"] and "quickReply" not in reply[0]
    assert db.session.scalar(sa.select(LineUpload.status)) is UploadStatus.REFUSED


# --- the attach button -------------------------------------------------------------------------------------------


def test_the_attach_button_pressed_again_attaches_nothing_twice(client, staff, linked, line):
    line.content["8001"] = (photo(), "image/jpeg")
    reply = send(client, line, image("8001"), user=staff.line_user_id)
    task = linked.tasks_of(linked.clerk)[1]
    data = choice_for(reply, task)["data"]
    press(client, line, data, user=staff.line_user_id, event_id="01ATTACHREPLAYED0000000000")
    # The same event delivered again: handled once, no second reply.
    post(client, event("postback", user=staff.line_user_id, postback={"data": data},
                       event_id="01ATTACHREPLAYED0000000000"))
    again = press(client, line, data, user=staff.line_user_id)  # a second tap
    other = press(client, line, choice_for(reply, linked.tasks_of(linked.clerk)[2])["data"], user=staff.line_user_id)
    assert "ไปแล้ว — ไม่ได้แนบซ้ำ" in again[0]["text"] and "ไปแล้ว — ไม่ได้แนบซ้ำ" in other[0]["text"]
    assert count(Evidence) == 1 and len(events("task.evidence")) == 1


def test_someone_elses_or_a_forged_button_is_refused_and_writes_nothing(client, staff, linked, line):
    line.content["8002"] = (photo(), "image/jpeg")
    reply = send(client, line, image("8002"), user=staff.line_user_id)
    data = quick_reply(reply)[0]["data"]
    audited = count(AuditEvent)
    head = linked.users["clerk-head"]  # who may attach to the task, but the button is not theirs
    assert "ปุ่มนี้ใช้ไม่ได้แล้ว" in press(client, line, data, user=head.line_user_id)[0]["text"]
    forged = data[:-4] + ("0000" if not data.endswith("0000") else "1111")
    assert "ปุ่มนี้ใช้ไม่ได้แล้ว" in press(client, line, forged, user=staff.line_user_id)[0]["text"]
    # Signed for the head, with the staff member's upload: not theirs either.
    upload = db.session.scalar(sa.select(LineUpload))
    theirs = postback.sign("attach", linked.tasks_of(linked.clerk)[0].id, head.line_user_id,
                           client.application.config["SECRET_KEY"], upload_id=upload.id)
    assert "ปุ่มนี้ใช้ไม่ได้แล้ว" in press(client, line, theirs, user=head.line_user_id)[0]["text"]
    assert count(Evidence) == 0 and count(AuditEvent) == audited
    assert db.session.scalar(sa.select(LineUpload.status)) is UploadStatus.STORED


# --- where it is not taken ---------------------------------------------------------------------------------------


def test_a_photo_in_a_group_is_not_taken_and_asked_for_once(client, staff, line):
    group = "C" + "1" * 32
    line.content["9001"] = (photo(), "image/jpeg")
    first = send(client, line, image("9001", ("SETG", 1, 2)), user=staff.line_user_id, group=group)
    second = send(client, line, image("9002", ("SETG", 2, 2)), user=staff.line_user_id, group=group)
    assert "แชตส่วนตัว" in first[0]["text"] and second == []
    assert count(LineUpload) == 0 and line.content_requests("9001") == []


def test_an_unlinked_person_is_told_how_to_link(client, staff, line):
    line.content["9003"] = (photo(), "image/jpeg")
    reply = send(client, line, image("9003"), user=STRANGER)
    assert "เชื่อม" in text_of(reply) and "/line/link?linkToken=" in text_of(reply)
    assert count(LineUpload) == 0 and line.content_requests("9003") == [] and count(LineEvent) == 1


# --- the same file twice, and many tasks -------------------------------------------------------------------------


def test_the_same_photo_on_a_second_task_is_flagged_in_the_reply_and_on_the_review_page(client, staff, linked, line):
    same = photo()
    first_task, second_task = linked.tasks_of(linked.clerk)[:2]
    line.content["9101"] = (same, "image/jpeg")
    reply = send(client, line, image("9101"), user=staff.line_user_id)
    answer = press(client, line, choice_for(reply, first_task)["data"], user=staff.line_user_id)
    assert "เหมือนกับหลักฐาน" not in answer[0]["text"]

    line.content["9102"] = (same, "image/jpeg")
    reply = send(client, line, image("9102"), user=staff.line_user_id)
    answer = press(client, line, choice_for(reply, second_task)["data"], user=staff.line_user_id)
    assert "รอหัวหน้ากองตรวจ" in answer[0]["text"] and "เหมือนกับหลักฐานที่แนบไว้กับงานอื่น" in answer[0]["text"]
    items = db.session.scalars(sa.select(Evidence).order_by(Evidence.id)).all()
    assert len(items) == 2 and items[0].files[0].sha256 == items[1].files[0].sha256

    statements: list[str] = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    login(client, "clerk-head")
    page = client.get("/reviews").get_data(as_text=True)
    assert page.count(SAME_FILE_ELSEWHERE) == 2 and f'id="same-file-{items[1].files[0].id}"' in page
    assert len([s for s in statements if "sha256 IN" in s.replace("\n", " ")]) == 1  # one query for the page


def test_the_same_file_as_another_agencys_evidence_is_flagged(client, staff, linked, line):
    same = photo()
    _, _, _, their_task = other_organization()
    linked.org.line_bot_user_id = "Ubot"  # the webhook's destination: two agencies now
    db.session.commit()
    line.content["9201"] = (same, "image/jpeg")
    reply = send(client, line, image("9201"), user=staff.line_user_id)
    upload = db.session.scalar(sa.select(LineUpload))
    theirs = Evidence(task=their_task, files=[EvidenceFile(position=1, file_path="x/y.jpg", file_name="y.jpg",
                                                           content_type="image/jpeg", size=1, sha256=upload.sha256)])
    db.session.add(theirs)
    db.session.commit()
    answer = press(client, line, quick_reply(reply)[0]["data"], user=staff.line_user_id)
    assert "เหมือนกับหลักฐานที่แนบไว้กับงานอื่น" in answer[0]["text"] and "เทศบาลตำบลอื่น" not in answer[0]["text"]


def test_more_than_13_open_tasks_end_with_others_which_answers_with_a_carousel(client, staff, linked, line):
    measure = linked.tasks_of(linked.clerk)[0].measure
    for step in range(20, 30):
        db.session.add(Task(measure=measure, step_number=step, step_text=f"งานเพิ่ม {step}", division=linked.clerk,
                            due_date=date.today() + timedelta(days=60 + step)))
    db.session.commit()
    line.content["9301"] = (photo(), "image/jpeg")
    reply = send(client, line, image("9301"), user=staff.line_user_id)
    choices = quick_reply(reply)
    assert len(choices) == 13 and choices[-1]["label"] == "อื่น ๆ"
    more = press(client, line, choices[-1]["data"], user=staff.line_user_id)
    carousel = more[0]
    assert carousel["type"] == "flex" and carousel["contents"]["type"] == "carousel"
    bubbles = carousel["contents"]["contents"]
    assert len(bubbles) == 18 - 12  # 8 + 10 tasks, 12 in the quick reply
    button = bubbles[-1]["footer"]["contents"][0]["action"]
    assert button["label"] == "แนบกับงานนี้"
    from tracker.line import flex

    assert flex.validate(carousel) == [] and flex.validate(reply[-1]) == []
    answer = press(client, line, button["data"], user=staff.line_user_id)
    assert "งานเพิ่ม 29" in answer[0]["text"] and "รอหัวหน้ากองตรวจ" in answer[0]["text"]
    assert db.session.scalar(sa.select(Evidence.task_id)) == db.session.scalar(
        sa.select(Task.id).where(Task.step_text == "งานเพิ่ม 29"))


def test_message_ids_of_another_shape_are_skipped(client, staff, line):
    message = image("5009")
    message["imageSet"] = {"id": "S", "index": "one", "total": 3}
    assert send(client, line, message, user=staff.line_user_id) == []
    assert count(LineUpload) == 0 and count(LineEvent) == 0


def test_an_image_set_in_one_webhook_call_gets_one_reply(client, staff, line):
    for number in (1, 2, 3):
        line.content[f"610{number}"] = (picture(Image.new("RGB", (8, 8 * number), "white"), "PNG"), "image/png")
    calls = [event("message", user=staff.line_user_id, message=image(f"610{n}", ("SET2", n, 3))) for n in (2, 3, 1)]
    assert post(client, *calls).status_code == 200
    assert len(line.replies) == 1 and "ได้รับรูป 3 รูปแล้ว" in last_reply(line)[0]["text"]
    assert line.replies[0]["replyToken"] == calls[-1]["replyToken"]  # answered on the last to be settled
    assert [u.status for u in db.session.scalars(sa.select(LineUpload))] == [UploadStatus.STORED] * 3


def test_one_photo_of_a_set_refused_is_said_and_the_rest_offered(client, staff, line):
    line.content["6201"] = (photo(), "image/jpeg")
    line.content["6202"] = (b"not a picture at all", "image/jpeg")
    first = send(client, line, image("6201", ("SET3", 1, 2)), user=staff.line_user_id)
    second = send(client, line, image("6202", ("SET3", 2, 2)), user=staff.line_user_id)
    assert first == []
    assert "รูปที่ 2/2: รับไฟล์นี้ไม่ได้" in second[0]["text"]
    assert "ได้รับรูป 1 จาก 2 รูปแล้ว" in second[1]["text"] and "quickReply" in second[1]
    press(client, line, quick_reply(second)[0]["data"], user=staff.line_user_id)
    assert count(Evidence) == 1


def test_two_presses_at_the_same_moment_attach_once(app, client, staff, linked, line):
    line.content["8101"] = (photo(), "image/jpeg")
    reply = send(client, line, image("8101"), user=staff.line_user_id)
    data = choice_for(reply, linked.tasks_of(linked.clerk)[0])["data"]
    calls = [event("postback", user=staff.line_user_id, postback={"data": data}) for _ in range(2)]
    db.session.close()  # nothing of the test's own open while the two requests write
    start = threading.Barrier(2)
    codes: list[int] = []

    def press_now(call: dict) -> None:
        with app.app_context():
            own = app.test_client()
            start.wait()
            codes.append(post(own, call).status_code)

    threads = [threading.Thread(target=press_now, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [200, 200]
    texts = [r["messages"][0]["text"] for r in line.replies[-2:]]
    assert sorted("รอหัวหน้ากองตรวจ" in text for text in texts) == [False, True], texts
    assert any("ไปแล้ว — ไม่ได้แนบซ้ำ" in text for text in texts), texts
    assert count(Evidence) == 1 and len(events("task.evidence")) == 1


def test_the_photos_of_a_set_settled_at_the_same_moment_are_answered_once(app, client, staff, line):
    for number in (1, 2, 3):
        line.content[f"620{number}"] = Content(picture(Image.new("RGB", (9, 9), "white"), "PNG"), "image/png",
                                               delay=0.2)
    calls = [event("message", user=staff.line_user_id, message=image(f"620{n}", ("SET4", n, 3))) for n in (1, 2, 3)]
    db.session.close()
    start = threading.Barrier(3)
    codes: list[int] = []

    def send_now(call: dict) -> None:
        with app.app_context():
            own = app.test_client()
            start.wait()
            codes.append(post(own, call).status_code)

    threads = [threading.Thread(target=send_now, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == [200, 200, 200]
    assert len(line.replies) == 1 and "ได้รับรูป 3 รูปแล้ว" in last_reply(line)[0]["text"], line.replies
    assert [u.status for u in db.session.scalars(sa.select(LineUpload))] == [UploadStatus.STORED] * 3
