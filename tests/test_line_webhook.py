"""The webhook, with signed bodies built here and LINE's API answered by the fake server on 127.0.0.1."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import LineEvent, LinkNonce, Source, TaskStatus

from .conftest import ON_POSTGRESQL
from .factories import count, events, login, other_organization, post_form
from .fake_line import FakeLine

SECRET = "test-channel-secret"
LINE_ID = "U" + "a" * 32


@pytest.fixture
def line(app):
    with FakeLine() as fake:
        fake.replies = []

        def reply(request):
            fake.replies.append(request["json"])
            return 200, {}, {"sentMessages": [{"id": str(i), "quoteToken": f"q{i}"}
                                              for i, _ in enumerate(request["json"]["messages"])]}

        fake.add_route("POST", r"^/v2/bot/message/reply$", reply)
        fake.add_route("POST", r"^/v2/bot/user/(?P<user>[^/]+)/linkToken$",
                       lambda request: (200, {}, {"linkToken": "LINKTOKEN-" + request["match"]["user"][-4:]}))
        fake.add_route("GET", r"^/v2/bot/group/[^/]+/members/count$", lambda request: (200, {}, {"count": 12}))
        app.config.update(LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=fake.token, LINE_API_HOST=fake.url,
                          LINE_TIMEOUT_SECONDS="2", PUBLIC_URL="https://ita.example.go.th")
        yield fake


def event(kind: str, *, user: str = LINE_ID, group: str | None = None, redelivery: bool = False, **extra) -> dict:
    source = {"type": "group", "groupId": group, "userId": user} if group else {"type": "user", "userId": user}
    return {"type": kind, "mode": "active", "timestamp": 1700000000000, "source": source,
            "webhookEventId": extra.pop("event_id", uuid.uuid4().hex.upper()[:26]),
            "deliveryContext": {"isRedelivery": redelivery}, "replyToken": uuid.uuid4().hex, **extra}


def post(client, *events, secret: str = SECRET, body: bytes | None = None, signature: str | None = None):
    raw = body if body is not None else json.dumps({"destination": "Ubot", "events": list(events)}).encode()
    if signature is None:
        signature = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    return client.post("/line/webhook", data=raw, headers={"X-Line-Signature": signature,
                                                            "Content-Type": "application/json"})


def last_reply(line) -> list[dict]:
    return line.replies[-1]["messages"]


def texts(messages) -> str:
    return json.dumps(messages, ensure_ascii=False)


# --- the door ----------------------------------------------------------------------------------------------------


def test_bad_or_missing_signature_is_refused_and_nothing_happens(client, linked, line):
    message = event("message", message={"type": "text", "id": "1", "text": "งาน"})
    assert post(client, message, secret="wrong").status_code == 400
    assert post(client, message, signature="").status_code == 400
    assert line.replies == [] and count(LineEvent) == 0


def test_a_body_that_is_not_json_is_refused(client, linked, line):
    response = post(client, body=b"not json {", signature="x")
    assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)


def test_unknown_event_types_are_accepted_and_ignored(client, linked, line):
    assert post(client, event("videoPlayComplete")).status_code == 200
    assert line.replies == []


def test_a_redelivered_event_is_handled_once(client, linked, line):
    task = linked.tasks_of(linked.clerk)[0]
    user = linked.users["clerk-head"]
    user.line_user_id = LINE_ID
    db.session.commit()
    from tracker.line import postback

    data = postback.sign("done", task.id, LINE_ID, client.application.config["SECRET_KEY"])
    first = event("postback", postback={"data": data}, event_id="01REDELIVERED0000000000000")
    again = dict(first, deliveryContext={"isRedelivery": True}, replyToken="other")
    assert post(client, first).status_code == 200
    assert post(client, again).status_code == 200
    assert len(events("task.tick_off")) == 1
    assert len(line.replies) == 1


def test_the_invitation_and_the_tick_off_link_to_the_organizations_recorded_address(client, linked, line):
    """PUBLIC_URL not set: links go to the address the organization recorded (organization.public_url), as the
    reminders' do (tests/test_public_url.py), not to PUBLIC_URL's default port."""
    from tracker.line import postback
    from tracker.organization import DEFAULT_PUBLIC_URL

    client.application.config["PUBLIC_URL"] = DEFAULT_PUBLIC_URL
    linked.org.public_url = "http://127.0.0.1:8765"
    user = linked.users["clerk-head"]
    user.line_user_id = LINE_ID
    db.session.commit()
    assert post(client, event("follow", user="U" + "f" * 32)).status_code == 200
    invitation = texts(last_reply(line))
    data = postback.sign("done", linked.tasks_of(linked.clerk)[0].id, LINE_ID, client.application.config["SECRET_KEY"])
    assert post(client, event("postback", postback={"data": data})).status_code == 200
    confirmation = texts(last_reply(line))
    for text in (invitation, confirmation):
        assert "http://127.0.0.1:8765/" in text and f"{DEFAULT_PUBLIC_URL}/" not in text, text


# --- linking an account ------------------------------------------------------------------------------------------


def test_follow_greets_in_thai_with_a_link(client, seeded, line):
    assert post(client, event("follow")).status_code == 200
    reply = texts(last_reply(line))
    assert "เชื่อมบัญชี" in reply and "https://ita.example.go.th/line/link?linkToken=LINKTOKEN-aaaa" in reply


def test_the_account_link_flow_end_to_end(client, seeded, line):
    post(client, event("message", message={"type": "text", "id": "1", "text": "สวัสดี"}))
    link_url = re.search(r"https://ita\.example\.go\.th(/line/link\?linkToken=[\w-]+)", texts(last_reply(line)))
    login(client, "clerk-staff")
    page = client.get(link_url.group(1))
    assert page.status_code == 200 and "เชื่อมบัญชี LINE" in page.get_data(as_text=True)
    answer = post_form(client, "/line/link", {"link_token": "LINKTOKEN-aaaa"}, token_from=link_url.group(1))
    location = answer.headers["Location"]
    assert location.startswith("https://access.line.me/dialog/bot/accountLink?linkToken=LINKTOKEN-aaaa&nonce=")
    nonce = location.split("nonce=")[1]

    post(client, event("accountLink", link={"result": "ok", "nonce": nonce}))
    db.session.expire_all()
    user = seeded.users["clerk-staff"]
    assert user.line_user_id == LINE_ID
    assert "เชื่อมบัญชีเรียบร้อย" in texts(last_reply(line))
    linked_event = events("user.line_link")[0]
    assert linked_event.source is Source.LINE and linked_event.actor == user

    # The same nonce again (a replay, from anyone) links nothing.
    other = "U" + "b" * 32
    post(client, event("accountLink", user=other, link={"result": "ok", "nonce": nonce}))
    db.session.expire_all()
    assert user.line_user_id == LINE_ID and "ใช้ไม่ได้แล้ว" in texts(last_reply(line))


def test_an_expired_or_failed_link_links_nothing(client, seeded, line):
    user = seeded.users["clerk-staff"]
    db.session.add(LinkNonce(nonce="old-nonce-123456", user=user, expires_at=clock.now() - timedelta(minutes=1)))
    db.session.commit()
    post(client, event("accountLink", link={"result": "ok", "nonce": "old-nonce-123456"}))
    post(client, event("accountLink", link={"result": "failed"}))
    db.session.expire_all()
    assert user.line_user_id is None


def test_a_line_account_another_organizations_person_has_stays_theirs(client, seeded, line):
    _, _, their_head, _ = other_organization()
    their_head.line_user_id = LINE_ID
    seeded.org.line_bot_user_id = "Ubot"  # two agencies: the webhook's destination says whose it is
    ours = seeded.users["clerk-staff"]
    db.session.add(LinkNonce(nonce="our-nonce-1234567", user=ours, expires_at=clock.now() + timedelta(minutes=5)))
    db.session.commit()
    post(client, event("accountLink", link={"result": "ok", "nonce": "our-nonce-1234567"}))
    db.session.expire_all()
    assert their_head.line_user_id == LINE_ID and ours.line_user_id is None
    assert "หน่วยงานอื่น" in texts(last_reply(line)) and not events("user.line_unlink")


def test_unfollow_unlinks_so_no_push_is_tried(client, linked, line):
    user = linked.users["clerk-staff"]
    user.line_user_id = LINE_ID
    db.session.commit()
    post(client, event("unfollow"))
    db.session.expire_all()
    assert user.line_user_id is None


def test_unlink_from_the_profile_page(client, linked, line):
    login(client, "clerk-staff")
    post_form(client, "/profile/line/unlink")
    db.session.expire_all()
    assert linked.users["clerk-staff"].line_user_id is None


def test_profile_shows_the_official_accounts_qr_code(client, linked, line):
    linked.org.line_basic_id = "@itabkb"
    db.session.commit()
    login(client, "clerk-staff")
    assert "@itabkb" in client.get("/profile").get_data(as_text=True)
    svg = client.get("/line/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    # A document an <img> can draw: the SVG namespace and a size.
    assert b'xmlns="http://www.w3.org/2000/svg"' in svg.data and b'width="' in svg.data


def test_the_profile_explains_linking_step_by_step_before_the_account_is_set(client, seeded):
    login(client, "clerk-staff")
    page = client.get("/profile").get_data(as_text=True)
    assert "เชื่อมบัญชีใน 4 ขั้นตอน" in page and "พิมพ์ข้อความใดก็ได้" in page and "clerk-staff" in page
    assert "ผู้ดูแลระบบยังไม่ได้ตั้งบัญชี LINE" in page and "/line/qr.svg" not in page
    assert client.get("/line/qr.svg").status_code == 404
    login(client, "admin")
    assert "/admin/reminders" in client.get("/profile").get_data(as_text=True)  # where the admin sets it
    seeded.org.line_basic_id = "@itabkb"
    db.session.commit()
    login(client, "clerk-staff")
    page = client.get("/profile").get_data(as_text=True)
    assert "/line/qr.svg" in page and "@itabkb" in page


# --- chat commands -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["งาน", " งาน ของ ฉัน ", "งานผม", "tasks", "Tasks"])
def test_tasks_command_replies_with_open_tasks_overdue_first(client, linked, line, on_day, text):
    on_day(date(2026, 4, 1))
    head = linked.users["clerk-head"]
    head.line_user_id = LINE_ID
    db.session.commit()
    post(client, event("message", message={"type": "text", "id": "1", "text": text}))
    (message,) = last_reply(line)
    bubbles = message["contents"]["contents"]
    assert message["type"] == "flex" and len(bubbles) == 8  # the clerk's 8 open tasks
    states = [texts(b) for b in bubbles]
    assert "เกินกำหนด" in states[0] and "31 ธ.ค. 2568" in states[0]  # the oldest overdue first
    assert "30 ก.ย. 2569" in states[-1]


def test_summary_for_a_head_and_an_executive(client, linked, line):
    linked.users["clerk-head"].line_user_id = LINE_ID
    linked.users["mayor"].line_user_id = "U" + "c" * 32
    db.session.commit()
    post(client, event("message", message={"type": "text", "id": "1", "text": "สรุป"}))
    assert "สรุปสำนักปลัดเทศบาล" in texts(last_reply(line)) and "จาก 8 งาน" in texts(last_reply(line))
    post(client, event("message", user="U" + "c" * 32, message={"type": "text", "id": "2", "text": "summary"}))
    assert "จาก 16 งาน" in texts(last_reply(line))


def test_anything_else_gets_short_help(client, linked, line):
    linked.users["clerk-head"].line_user_id = LINE_ID
    db.session.commit()
    post(client, event("message", message={"type": "text", "id": "1", "text": "ขอบคุณครับ"}))
    assert "พิมพ์ “งาน”" in texts(last_reply(line))


# --- ticking off from the chat -----------------------------------------------------------------------------------


def tap(client, line, action: str, task_id: int, *, user: str = LINE_ID, group: str | None = None):
    from tracker.line import postback

    data = postback.sign(action, task_id, group or user, client.application.config["SECRET_KEY"])
    assert post(client, event("postback", user=user, group=group, postback={"data": data})).status_code == 200
    return texts(last_reply(line))


def test_tick_off_from_line_shows_on_dashboard_and_audit_with_undo(client, linked, line):
    task = linked.tasks_of(linked.clerk)[0]
    linked.users["clerk-head"].line_user_id = LINE_ID
    db.session.commit()
    reply = tap(client, line, "done", task.id)
    db.session.expire_all()
    assert task.status is TaskStatus.DONE and "บันทึกว่าเสร็จแล้ว" in reply and "ยกเลิก" in reply
    event_row = events("task.tick_off")[0]
    assert event_row.source is Source.LINE and event_row.actor == linked.users["clerk-head"]
    login(client, "mayor")
    assert "เสร็จแล้ว 1 จาก 16 งาน" in client.get("/dashboard").get_data(as_text=True)
    assert "LINE" in client.get("/audit").get_data(as_text=True)

    undo = tap(client, line, "undo", task.id)
    db.session.expire_all()
    assert task.status is TaskStatus.TODO and "ยกเลิกแล้ว" in undo


def test_a_forbidden_tick_off_is_refused_plainly(client, linked, line):
    task = linked.tasks_of(linked.clerk)[0]
    linked.users["finance-head"].line_user_id = LINE_ID
    db.session.commit()
    reply = tap(client, line, "done", task.id)
    db.session.expire_all()
    assert task.status is TaskStatus.TODO and "ไม่มีสิทธิ์" in reply


def test_already_done_deleted_foreign_and_tampered(client, linked, line):
    task = linked.tasks_of(linked.clerk)[0]
    linked.users["clerk-head"].line_user_id = LINE_ID
    # Two organizations in the deployment: webhook calls are told apart by the bot user id they are sent to.
    linked.org.line_bot_user_id = "Ubot"
    db.session.commit()
    tap(client, line, "done", task.id)
    assert "เสร็จไปแล้ว" in tap(client, line, "done", task.id)
    assert "ไม่พบงานนี้" in tap(client, line, "done", 999_999)
    _, _, _, foreign = other_organization()
    assert "ไม่พบงานนี้" in tap(client, line, "done", foreign.id)
    assert post(client, event("postback", postback={"data": f"a=done&t={task.id}&s=0000"})).status_code == 200
    assert "ใช้ไม่ได้" in texts(last_reply(line))
    # Data signed for someone else does not work for this person.
    from tracker.line import postback

    stolen = postback.sign("done", task.id, "U" + "f" * 32, client.application.config["SECRET_KEY"])
    replies = len(line.replies)
    assert post(client, event("postback", postback={"data": stolen})).status_code == 200
    assert len(line.replies) == replies + 1 and "ใช้ไม่ได้" in texts(last_reply(line))


# --- division groups ---------------------------------------------------------------------------------------------


def test_a_division_group_is_attached_with_a_one_time_code_and_detached_on_leave(client, linked, line):
    login(client, "clerk-head")
    post_form(client, f"/divisions/{linked.clerk.id}/line-group/code", token_from=f"/divisions/{linked.clerk.id}")
    db.session.expire_all()
    code = linked.clerk.line_group_code
    assert re.fullmatch(r"ITA-\d{6}", code)

    group = "C" + "1" * 32
    post(client, event("join", group=group))
    assert "รหัส" in texts(last_reply(line))
    post(client, event("message", group=group, message={"type": "text", "id": "9", "text": "คุยเรื่องอื่น"}))
    replies = len(line.replies)
    assert len(line.replies) == replies  # the bot stays quiet in the team's conversation
    post(client, event("message", group=group, message={"type": "text", "id": "10", "text": code.lower()}))
    db.session.expire_all()
    assert linked.clerk.line_group_id == group and linked.clerk.line_group_members == 12
    assert linked.clerk.line_group_code is None
    post(client, event("message", group="C" + "2" * 32, message={"type": "text", "id": "11", "text": code}))
    assert "ใช้ไม่ได้" in texts(last_reply(line))  # single use

    post(client, event("leave", group=group))
    db.session.expire_all()
    assert linked.clerk.line_group_id is None


def test_a_group_another_organizations_division_has_stays_theirs(client, linked, line):
    _, their_division, _, _ = other_organization()
    group = "C" + "4" * 32
    their_division.line_group_id, their_division.line_group_members = group, 7
    linked.org.line_bot_user_id = "Ubot"  # two agencies: the webhook's destination says whose it is
    linked.clerk.line_group_code = "ITA-123456"
    linked.clerk.line_group_code_expires = clock.now() + timedelta(minutes=5)
    db.session.commit()
    post(client, event("message", group=group, message={"type": "text", "id": "12", "text": "ITA-123456"}))
    db.session.expire_all()
    assert their_division.line_group_id == group and their_division.line_group_members == 7
    assert linked.clerk.line_group_id is None and "หน่วยงานอื่น" in texts(last_reply(line))


def test_only_that_divisions_head_or_an_admin_makes_a_code(client, linked, line):
    login(client, "finance-head")
    assert post_form(client, f"/divisions/{linked.clerk.id}/line-group/code").status_code == 403
    login(client, "clerk-staff")
    assert post_form(client, f"/divisions/{linked.clerk.id}/line-group/code").status_code == 403


def test_group_digests_go_to_the_group_and_count_each_member(app, linked, line, on_day):
    from tracker.reminders import outbox

    on_day(date(2026, 3, 30))  # a Monday: weekly digests
    linked.clerk.line_group_id, linked.clerk.line_group_members = "C" + "3" * 32, 12
    db.session.commit()
    plan = outbox.plan_for(linked.org, date(2026, 3, 30))
    (group_digest,) = plan.group_digests
    assert group_digest.division is not None
    assert all(d.division is None or d.division.division_id != linked.clerk.id for d in plan.digests)
    assert plan.message_count == len(plan.digests) + 12


def test_each_organization_answers_only_with_its_own_channel(client, linked, line):
    other, _, _, _ = other_organization()
    other.line_bot_user_id = "Uother"
    linked.org.line_bot_user_id = "Ubot"
    db.session.commit()
    client.application.config["LINE_CHANNELS"] = {str(other.id): {"secret": "other-secret", "token": line.token}}
    raw = json.dumps({"destination": "Uother", "events": [event("follow")]}).encode()
    ours = base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
    assert post(client, body=raw, signature=ours).status_code == 400  # our secret does not sign for them
    theirs = base64.b64encode(hmac.new(b"other-secret", raw, hashlib.sha256).digest()).decode()
    assert post(client, body=raw, signature=theirs).status_code == 200


# --- one event of an unexpected shape, or one that fails, does not cost the batch ----------------------------------


def good_and_bad(linked, client, bad) -> tuple:
    """A signed batch: a สรุป message, the bad event, a เสร็จแล้ว button; return the task the button ticks off."""
    from tracker.line import postback

    task = linked.tasks_of(linked.clerk)[0]
    linked.users["clerk-head"].line_user_id = LINE_ID
    db.session.commit()
    data = postback.sign("done", task.id, LINE_ID, client.application.config["SECRET_KEY"])
    before = event("message", message={"type": "text", "id": "1", "text": "สรุป"})
    after = event("postback", postback={"data": data})
    return post(client, before, bad, after), task


def malformed(kind: str, **fields) -> dict:
    bad = event(kind, event_id="01MALFORMED000000000000000")
    bad.update(fields)
    return bad


MALFORMED = {
    "source not an object": (malformed("message", source="U1234", message={"type": "text", "text": "งาน"}),
                             "source is missing or not an object"),
    "no source": (malformed("follow", source=None), "source is missing or not an object"),
    "source of an unknown kind": (malformed("follow", source={"type": "planet", "userId": LINE_ID}), "source.type"),
    "userId not a string": (malformed("follow", source={"type": "user", "userId": 12345}), "source.userId"),
    "groupId not a string": (malformed("join", source={"type": "group", "groupId": {"id": "C1"}}), "source.groupId"),
    "message not an object": (malformed("message", message="งาน"), "message is missing or not an object"),
    "message text not a string": (malformed("message", message={"type": "text", "id": "1", "text": ["งาน"]}),
                                  "message.text"),
    "message type missing": (malformed("message", message={"id": "1", "text": "งาน"}), "message.type"),
    "postback data not a string": (malformed("postback", postback={"data": 42}), "postback.data"),
    "postback not an object": (malformed("postback", postback=["a=done"]), "postback is missing or not an object"),
    "link not an object": (malformed("accountLink", link="ok"), "link is missing or not an object"),
    "link nonce not a string": (malformed("accountLink", link={"result": "ok", "nonce": 123456}), "link.nonce"),
    "type not a string": (malformed("follow", type=7), "type is missing"),
    "no type": (malformed("follow", type=None), "type is missing"),
    "replyToken not a string": (malformed("follow", replyToken=123), "replyToken"),
    "webhookEventId not a string": (dict(event("follow"), webhookEventId=987654321), "webhookEventId"),
    "not an object": ("follow", "the event is str, not an object"),
    "null": (None, "the event is NoneType, not an object"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_an_event_of_an_unexpected_shape_is_logged_and_skipped_and_the_batch_goes_on(client, linked, line, caplog,
                                                                                    name):
    bad, problem = MALFORMED[name]
    response, task = good_and_bad(linked, client, bad)
    assert response.status_code == 200
    db.session.expire_all()
    assert len(line.replies) == 2  # the events before and after it were both answered
    assert "สรุปสำนักปลัดเทศบาล" in texts(line.replies[0]["messages"])
    assert "บันทึกว่าเสร็จแล้ว" in texts(line.replies[1]["messages"])
    assert task.status is TaskStatus.DONE and len(events("task.tick_off")) == 1
    assert count(LineEvent) == 2  # the skipped one is not recorded
    (warning,) = [r for r in caplog.records if r.name == "tracker.line.webhook" and r.levelname == "WARNING"]
    message = warning.getMessage()
    assert "skipped" in message and problem in message
    if isinstance(bad, dict) and isinstance(bad.get("webhookEventId"), str):
        assert bad["webhookEventId"] in message


def test_an_event_that_fails_is_rolled_back_logged_with_its_traceback_and_the_batch_goes_on(
        client, linked, line, caplog, monkeypatch):
    from tracker.line import webhook

    def broken(organization, event, channel):
        linked.users["clerk-staff"].display_name = "half-done"
        db.session.flush()
        raise RuntimeError("a bug in a handler")

    monkeypatch.setitem(webhook._HANDLERS, "follow", broken)
    broken_id = "01BROKEN000000000000000000"
    response, task = good_and_bad(linked, client, event("follow", event_id=broken_id))
    assert response.status_code == 200
    db.session.expire_all()
    assert len(line.replies) == 2 and task.status is TaskStatus.DONE
    assert linked.users["clerk-staff"].display_name != "half-done"  # its partial change was rolled back
    assert db.session.scalar(select(LineEvent).where(LineEvent.webhook_event_id == broken_id)) is None
    (failure,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert broken_id in failure.getMessage() and failure.exc_info is not None


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite only: locks the database file from another sqlite3 connection "
                    "(BEGIN EXCLUSIVE); a PostgreSQL database has no file lock to take")
def test_a_database_that_cannot_be_used_answers_500_so_line_redelivers(client, linked, line, caplog):
    from .db_faults import LOCKED, locked, short_busy_timeout

    linked.users["clerk-head"].line_user_id = LINE_ID
    db.session.commit()
    message = event("message", message={"type": "text", "id": "1", "text": "สรุป"})
    with short_busy_timeout():
        with locked():
            response = post(client, message)
        assert response.status_code == 500 and line.replies == []
        (error,) = [r for r in caplog.records if r.levelname == "ERROR"]
        assert LOCKED in error.getMessage() and error.exc_info is None
        redelivered = dict(message, deliveryContext={"isRedelivery": True})
        assert post(client, redelivered).status_code == 200
        assert post(client, redelivered).status_code == 200  # and once only
    assert len(line.replies) == 1 and count(LineEvent) == 1


# --- bounds on one call ------------------------------------------------------------------------------------------


def test_a_batch_of_thousands_is_cut_at_the_bound_and_answered_at_once(client, linked, line, caplog):
    linked.users["clerk-head"].line_user_id = LINE_ID
    db.session.commit()
    bound = client.application.config["LINE_WEBHOOK_MAX_EVENTS"]
    batch = [event("message", message={"type": "text", "id": str(i), "text": "ขอบคุณครับ"}) for i in range(5000)]
    started = time.monotonic()
    response = post(client, *batch)
    assert response.status_code == 200 and time.monotonic() - started < 5  # not a worker held until it is killed
    assert bound == 100 and count(LineEvent) == bound and len(line.replies) == bound
    handled = set(db.session.scalars(select(LineEvent.webhook_event_id)))
    assert handled == {e["webhookEventId"] for e in batch[:bound]}  # the first ones, in LINE's order
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "tracker.views.line"]
    assert "5000 events" in warning and "the last 4900 dropped" in warning
    assert batch[bound]["webhookEventId"] in warning and batch[-1]["webhookEventId"] in warning
    # A batch of LINE's usual size is handled whole, as before.
    assert post(client, *batch[bound:bound + 3]).status_code == 200 and len(line.replies) == bound + 3


def test_a_body_past_the_bound_is_refused_before_it_is_read(client, linked, line, caplog):
    client.application.config["LINE_WEBHOOK_MAX_EVENTS"] = 2  # 64 KB
    linked.users["clerk-head"].line_user_id = LINE_ID
    db.session.commit()
    long_text = "ก" * 5000
    fits = [event("message", message={"type": "text", "id": str(i), "text": long_text}) for i in range(2)]
    assert post(client, *fits).status_code == 200 and len(line.replies) == 2  # LINE's largest events fit
    too_much = [event("message", message={"type": "text", "id": str(i), "text": long_text}) for i in range(4)]
    response = post(client, *too_much)
    assert response.status_code == 413 and len(line.replies) == 2 and count(LineEvent) == 2
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "tracker.views.line"]
    assert "refused" in warning and "65536" in warning


def test_the_linking_verbs_ask_access(seeded):
    from tracker.access import Refused
    from tracker.line import linking

    staff, head = seeded.users["clerk-staff"], seeded.users["clerk-head"]
    staff.line_user_id = LINE_ID
    db.session.flush()
    for verb in (lambda: linking.new_nonce(staff, head),  # a LINE account is its owner's to link
                 lambda: linking.unlink(staff, head, source=Source.WEB),
                 lambda: linking.link_account(staff, head, LINE_ID, source=Source.LINE),
                 lambda: linking.attach_group(seeded.clerk, None, "C" + "4" * 32, source=Source.WEB),  # LINE's only
                 lambda: linking.detach_group(seeded.finance, head, source=Source.WEB)):  # another division's
        with pytest.raises(Refused):
            verb()
    assert staff.line_user_id == LINE_ID and not events("user.line_unlink")
    linking.attach_group(seeded.clerk, None, "C" + "4" * 32, source=Source.LINE)  # the code typed in the group
    linking.unlink(staff, staff, source=Source.WEB)
    assert seeded.clerk.line_group_id == "C" + "4" * 32 and staff.line_user_id is None
