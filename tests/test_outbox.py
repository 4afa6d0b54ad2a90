"""The outbox against a fake LINE server on 127.0.0.1: the real SDK path, faults, and exactly-once delivery."""
from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import event, func, select

from jobs import work
from tracker import clock, evidence, tasks
from tracker.extensions import db
from tracker.line.channel import ConsoleChannel, channel_from_config
from tracker.models import (
    Evidence,
    Notification,
    NotificationStatus,
    Organization,
    Role,
    Source,
    Task,
    TaskStatus,
    User,
)
from tracker.reminders import outbox
from tracker.thai import format_date

from .factories import count, make_user
from .fake_line import INTERNAL_ERROR, PUSH_PATH, FakeLine

TODAY = date(2026, 3, 17)  # a Tuesday, 14 days before the 31 March due dates of the seed plan


@pytest.fixture
def fake_line(app):
    with FakeLine(quota=None) as fake:
        app.config.update(
            LINE_CHANNEL_ACCESS_TOKEN=fake.token,
            LINE_API_HOST=fake.url,
            LINE_TIMEOUT_SECONDS=0.15,  # set on a running app: a typed value, as config/defaults.py parses it
            OUTBOX_RETRY_BASE_SECONDS=0,  # retry at once: the test, not the clock, decides how long it runs
        )
        yield fake


@pytest.fixture
def fixed_time(monkeypatch):
    moment = {"now": datetime(2026, 3, 17, 1, 30, tzinfo=UTC)}  # 08:30 in Bangkok
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def pending_rows(app, count: int) -> list[Notification]:
    org = Organization(name="เทศบาลทดสอบการส่ง")
    db.session.add(org)
    db.session.flush()
    rows = [
        Notification(
            organization_id=org.id,
            address=f"user:u{i}",
            recipient=User(organization=org, username=f"u{i}", display_name=f"คน {i}", role=Role.STAFF,
                           line_user_id=f"U{i:032d}"),
            kind="digest",
            for_date=clock.today(),
            text=f"ข้อความที่ {i}",
        )
        for i in range(count)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return rows


def statuses() -> dict[str, int]:
    return {s.value: n for s, n in db.session.execute(
        select(Notification.status, func.count()).group_by(Notification.status))}


@pytest.mark.slow  # 300 reminders through the SDK over HTTP, with their retries: each timeout waits 0.15 s
def test_three_hundred_reminders_arrive_exactly_once_through_500s_and_timeouts(app, fake_line, fixed_time):
    # Enough for every fault many times over, in a third of the time of the thousand this test used to send, which
    # proved no more: 475 pushes, of which 144 are answered 500 and 31 accepted then left unanswered past the client's
    # timeout, each of those tried again under its key and answered 409 (the fake's seeded RNG, three draws a push;
    # a push that is merely slow on a busy machine moves the draws, hence bounds below rather than these counts).
    rows = pending_rows(app, 300)
    fake_line.set_faults(fail_rate=0.3, hang_rate=0.1, hang_seconds=1.0)
    result = outbox.deliver(channel_from_config())
    db.session.expire_all()
    assert statuses() == {"sent": 300}
    by_key = fake_line.deliveries_by_key()
    assert len(by_key) == 300 and set(by_key.values()) == {1}
    assert sorted(fake_line.delivered_texts()) == sorted(r.text for r in rows)
    assert fake_line.counts["failed"] > 100 and fake_line.counts["hung"] > 15  # the faults did happen
    # Each push accepted then left unanswered was tried again under its key, answered 409 and counted sent (a push
    # that was merely slow past the 0.15 s timeout, on a busy machine, adds to them).
    assert fake_line.counts["conflict"] >= fake_line.counts["hung"]
    assert result.sent == 300 and result.retried >= fake_line.counts["failed"] + fake_line.counts["hung"]


def race(app, deliverers: int = 2) -> list[outbox.DeliveryResult]:
    """Run deliverers at once, each in its own thread, app context, session and database connection."""
    results = []

    def run(name: str) -> None:
        with app.app_context():
            results.append(outbox.deliver(channel_from_config(), worker=name))
            db.session.remove()

    threads = [threading.Thread(target=run, args=(f"scheduler-{i}",)) for i in range(deliverers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_deliverers_at_once_send_each_message_once(app, fake_line, fixed_time):
    pending_rows(app, 300)
    fake_line.set_faults(fail_rate=0.2, hang_rate=0.05, hang_seconds=1.0)
    results = race(app)
    db.session.expire_all()
    assert statuses() == {"sent": 300}
    assert set(fake_line.deliveries_by_key().values()) == {1} and len(fake_line.deliveries_by_key()) == 300
    assert all(r.sent > 0 for r in results)  # both really worked, on different rows
    assert sum(r.sent for r in results) == 300


def test_retry_key_repeat_answered_409_counts_as_delivered(app, fake_line, fixed_time):
    (row,) = pending_rows(app, 1)
    fake_line.set_faults(hang_rate=1.0, hang_seconds=1.0)
    first = outbox.deliver(channel_from_config())
    assert first.retried == 1 and len(fake_line.pushes) == 1  # delivered, but the answer was lost
    fake_line.clear_faults()
    outbox.deliver(channel_from_config())
    db.session.expire_all()
    assert row.status is NotificationStatus.SENT and row.attempts == 2
    assert fake_line.counts["conflict"] == 1 and len(fake_line.delivered_texts()) == 1
    assert row.line_request_id == fake_line.pushes[0]["request_id"]


def test_a_request_line_refuses_for_good_fails_with_lines_text(app, fake_line, fixed_time):
    (row,) = pending_rows(app, 1)
    fake_line.set_faults(status_next=[(400, {"message": "The property, 'to', in the request body is invalid"})])
    result = outbox.deliver(channel_from_config())
    db.session.expire_all()
    assert result.failed == 1 and row.status is NotificationStatus.FAILED and row.attempts == 1
    assert "'to'" in row.last_error and "400" in row.last_error


def test_429_is_retried_with_backoff(app, fake_line, fixed_time):
    app.config["OUTBOX_RETRY_BASE_SECONDS"] = 30
    (row,) = pending_rows(app, 1)
    fake_line.set_faults(rate_limit_next=1)
    outbox.deliver(channel_from_config())
    db.session.expire_all()
    assert row.status is NotificationStatus.PENDING and row.next_attempt_at == fixed_time["now"] + timedelta(seconds=30)
    assert outbox.deliver(channel_from_config()).sent == 0  # not before its time
    fixed_time["now"] += timedelta(seconds=31)
    assert outbox.deliver(channel_from_config()).sent == 1


def test_backoff_doubles_up_to_a_cap():
    assert [outbox.backoff(n, 30, 3600).seconds for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_a_crashed_deliverers_rows_are_taken_over_after_the_lease(app, fake_line, fixed_time):
    (row,) = pending_rows(app, 1)
    row.claimed_until, row.claimed_by = fixed_time["now"] + outbox.LEASE, "dead-host:1"
    db.session.commit()
    assert outbox.deliver(channel_from_config()).sent == 0
    fixed_time["now"] += outbox.LEASE + timedelta(seconds=1)
    assert outbox.deliver(channel_from_config()).sent == 1


def test_yesterdays_unsent_message_is_not_sent_late(app, fake_line, fixed_time):
    (row,) = pending_rows(app, 1)
    fixed_time["now"] += timedelta(days=1)
    result = outbox.deliver(channel_from_config())
    db.session.expire_all()
    assert result.failed == 1 and fake_line.pushes == []
    assert "not sent late" in row.last_error


def test_without_a_token_messages_go_to_the_log(app, fixed_time, caplog):
    app.config["LINE_CHANNEL_ACCESS_TOKEN"] = None
    pending_rows(app, 2)
    channel = channel_from_config()
    assert isinstance(channel, ConsoleChannel)
    with caplog.at_level("INFO", logger="tracker.line.channel"):
        assert outbox.deliver(channel).sent == 2
    assert "ข้อความที่ 0" in caplog.text


# --- the sweep and the scheduler's catch-up, on the seed plan ---------------------------------------------------


def test_sweep_twice_adds_nothing_the_second_time(app, linked, fixed_time, ladder_off):
    first = outbox.sweep(linked.org, TODAY)
    db.session.commit()
    second = outbox.sweep(linked.org, TODAY)
    db.session.commit()
    # 14 days before 31 March every division has a task due; the seeded people who hear of it are the staff of
    # สำนักปลัด and กองคลัง (the other divisions have nobody yet).
    assert first.created == 2 and second.created == 0 and second.existing == 2
    assert count(Notification) == 2


def test_one_message_per_person_naming_task_measure_date_and_link(app, linked, fixed_time):
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    staff = linked.users["clerk-staff"]
    (row,) = db.session.scalars(select(Notification).where(Notification.recipient == staff)).all()
    # Three of the clerk's tasks are due on 31 March, and the one due 31 December is overdue by a multiple of
    # three working days: four reminders, one message, the overdue one first.
    assert len(row.task_ids) == 4
    assert row.text == "" and row.messages == []  # the words are rendered at delivery
    text, messages = outbox.render_rows([row])[row.id]
    # 14 days before 31 March: ten working days left, in the words of the web's chip (labels.state_text)
    assert text.index("⚠ เกินกำหนด") < text.index("เหลือ 10 วันทำการ")
    assert "ครบกำหนด 31 มี.ค. 2569" in text and "มาตรการ 1:" in text
    assert f"http://127.0.0.1:5000/tasks/{row.task_ids[0]}" in text
    assert messages[0] == {"type": "text", "text": text}


def _push_bodies(fake_line, to: str) -> list[str]:
    return [r["body"] for r in fake_line.requests_to("/v2/bot/message/push") if r["json"] and r["json"]["to"] == to]


def test_a_digest_is_rendered_at_delivery_and_recorded_as_sent(app, linked, fake_line, fixed_time, ladder_off):
    staff = linked.users["clerk-staff"]
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    assert outbox.deliver(channel_from_config()).sent == 2
    db.session.expire_all()
    (row,) = db.session.scalars(select(Notification).where(Notification.recipient == staff)).all()
    (push,) = [p for p in fake_line.pushes if p["to"] == staff.line_user_id]
    # The row keeps exactly what LINE was sent: the text, then the carousel of its four tasks.
    assert push["messages"] == row.messages and row.messages[0]["text"] == row.text
    assert "⚠ เกินกำหนด" in row.text and len(row.messages[1]["contents"]["contents"]) == 4


def test_a_task_ticked_off_after_the_sweep_is_left_out_of_the_digest(app, linked, fake_line, fixed_time):
    staff = linked.users["clerk-staff"]
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    (row,) = db.session.scalars(select(Notification).where(Notification.recipient == staff)).all()
    done = db.session.get(Task, row.task_ids[0])
    tasks.tick_off(done, linked.users["clerk-head"], source=Source.WEB)  # between 08:30's sweep and the send
    db.session.commit()
    outbox.deliver(channel_from_config())
    (text,) = fake_line.delivered_texts(staff.line_user_id)
    assert done.step_text[:40] not in text
    assert all(step_text[:40] in text for step_text in
               [db.session.get(Task, task_id).step_text for task_id in row.task_ids[1:]])


def test_nothing_is_sent_when_everything_was_done_after_the_sweep(app, linked, fake_line, fixed_time, ladder_off):
    staff = linked.users["clerk-staff"]
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    (row,) = db.session.scalars(select(Notification).where(Notification.recipient == staff)).all()
    for task_id in row.task_ids:
        tasks.tick_off(db.session.get(Task, task_id), linked.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    result = outbox.deliver(channel_from_config())
    db.session.expire_all()
    assert fake_line.delivered_texts(staff.line_user_id) == []  # LINE's free plan counts every message
    assert row.status is NotificationStatus.FAILED and row.last_error == outbox.NOTHING_LEFT
    assert result.sent == 1 and result.failed == 1  # the other person still had tasks to hear of


def test_a_retry_sends_the_same_request_even_if_a_task_changed_meanwhile(app, linked, fake_line, fixed_time,
                                                                          ladder_off):
    staff = linked.users["clerk-staff"]
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    fake_line.set_faults(fail_rate=1.0)  # every push answers 500: retried later under the same key
    assert outbox.deliver(channel_from_config(), limit=2).retried == 2
    (row,) = db.session.scalars(select(Notification).where(Notification.recipient == staff)).all()
    tasks.tick_off(db.session.get(Task, row.task_ids[0]), linked.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    fake_line.set_faults(fail_rate=0.0)
    assert outbox.deliver(channel_from_config()).sent == 2
    first, second = _push_bodies(fake_line, staff.line_user_id)
    # LINE keeps an X-Line-Retry-Key for 24 h and answers a repeat with 409: the repeat must be the same request.
    assert first == second


# --- a tick-off while a run is under way (issue 17) --------------------------------------------------------------


def clerk_staff(linked, more: int) -> list[User]:
    """สำนักปลัด's staff member and `more` others, LINE-linked: the clerk division's unassigned tasks go to each of
    them, so a sweep writes one row per person naming the same tasks."""
    extra = [make_user(linked.org, f"clerk-staff-{i}", Role.STAFF, linked.clerk, line_user_id=f"U{100 + i:032x}")
             for i in range(more)]
    db.session.commit()
    return [linked.users["clerk-staff"], *extra]


def named_tasks(request: dict) -> set[int]:
    """The tasks a push names: its text's links and its carousel's buttons both open /tasks/<id>."""
    return {int(found) for found in re.findall(r"/tasks/(\d+)", request["body"].decode())}


def tick_off_elsewhere(app, task_id: int, head_id: int) -> None:
    """Tick a task off as a head's own web request would: its own app context, session and commit, in the calling
    thread (the fake LINE server's, while the deliverer waits for LINE's answer)."""
    with app.app_context():
        tasks.tick_off(db.session.get(Task, task_id), db.session.get(User, head_id), source=Source.WEB)
        db.session.commit()
        db.session.remove()


def test_a_task_ticked_off_during_a_run_is_left_out_of_the_rows_rendered_after_it(app, linked, fake_line,
                                                                                  fixed_time, ladder_off):
    staff = clerk_staff(linked, 4)
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    lines = {person.line_user_id for person in staff}
    row = db.session.scalar(select(Notification).where(Notification.recipient == staff[0]))
    done_id, head_id = row.task_ids[0], linked.users["clerk-head"].id
    ticked: list[str] = []

    def push(request: dict) -> tuple:
        if not ticked and request["json"]["to"] in lines:
            # LINE holds the first of the clerk division's digests; meanwhile the head ticks its first task off.
            # LINE answers 500, so that digest is tried again later in the run, under its retry key.
            tick_off_elsewhere(app, done_id, head_id)
            ticked.append(request["headers"]["x-line-retry-key"])
            return 500, {}, INTERNAL_ERROR
        return fake_line._push(request)

    fake_line.add_route("POST", PUSH_PATH, push)
    result = outbox.deliver(channel_from_config())  # one run: every row claimed, rendered and sent in it
    assert (result.sent, result.retried, result.failed) == (6, 1, 0) and fake_line.errors == []
    assert db.session.get(Task, done_id).status is TaskStatus.DONE
    to_clerks = [r for r in fake_line.requests_to(PUSH_PATH) if r["json"]["to"] in lines]
    first, *others = [r for r in to_clerks if r["headers"]["x-line-retry-key"] == ticked[0]]
    rendered_after = [r for r in to_clerks if r["headers"]["x-line-retry-key"] != ticked[0]]
    # Rendered before the tick-off, the first digest named the task; its retry is the very same request.
    assert done_id in named_tasks(first) and [r["body"] for r in others] == [first["body"]]
    assert to_clerks.index(others[0]) > to_clerks.index(rendered_after[-1])  # retried after the others were sent
    # Every digest of the division rendered after the tick-off leaves the task out and keeps the others.
    assert len(rendered_after) == 4 and len({r["json"]["to"] for r in rendered_after}) == 4
    for request in rendered_after:
        assert named_tasks(request) == set(row.task_ids) - {done_id}
    db.session.expire_all()
    sent = {r.idempotency_key: r.messages for r in db.session.scalars(select(Notification))}
    assert all(sent[r["headers"]["x-line-retry-key"]] == r["json"]["messages"] for r in to_clerks)


def test_each_row_costs_one_look_up_and_the_day_is_planned_again_only_when_it_moved(app, linked, fake_line,
                                                                                     fixed_time, ladder_off):
    clerk_staff(linked, 4)
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    done_id = linked.tasks_of(linked.clerk)[0].id
    head_id = linked.users["clerk-head"].id
    deliverer = threading.get_ident()
    statements: list[str] = []
    at_push: list[int] = []  # how many statements the deliverer had run when each push reached LINE

    def record(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == deliverer:  # not the head's tick-off, in the fake server's thread
            statements.append(statement)

    def push(request: dict) -> tuple:
        at_push.append(len(statements))  # (the deliverer waits for this answer: the list stands still)
        if len(at_push) == 3:
            tick_off_elsewhere(app, done_id, head_id)
        return fake_line._push(request)

    fake_line.add_route("POST", PUSH_PATH, push)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert outbox.deliver(channel_from_config()).sent == 6
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert db.session.get(Task, done_id).status is TaskStatus.DONE
    # Between two pushes: the outcome of one row (its UPDATE, and the INSERT of the message ids LINE gave), the
    # look-up of the revision, the other row's rendering recorded; after the tick-off (during the third push) the day
    # is planned again, once.
    between = [later - earlier for earlier, later in pairwise(at_push)]
    usual = between[0]
    assert usual == 4 and between[:2] == between[3:] == [usual] * 2 and between[2] > usual
    look_ups = [s for s in statements if "organization.revision" in s and s.lstrip().upper().startswith("SELECT")]
    assert len(look_ups) == 6  # one per rendered row
    plans = [s for s in statements if s.startswith("SELECT task.id, task.organization_id, measure.")]  # its tasks
    assert len(plans) == 2  # when the run began, and once after the tick-off moved the revision


def test_evidence_a_head_sent_back_is_in_its_authors_next_digest(app, linked, fake_line, fixed_time):
    staff, head = linked.users["clerk-staff"], linked.users["clerk-head"]
    task = linked.tasks_of(linked.clerk)[0]
    item = Evidence(task=task, created_by=staff, url="https://www.example.go.th/ita/scan.pdf")
    db.session.add(item)
    evidence.start_review(item, staff)
    evidence.review(item, head, False, "ภาพสแกนไม่ชัด ขอสแกนใหม่", source=Source.WEB)
    db.session.commit()
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    outbox.deliver(channel_from_config())
    (text,) = fake_line.delivered_texts(staff.line_user_id)
    assert "หลักฐานที่หัวหน้าขอให้แก้ไข 1 งาน" in text and "ภาพสแกนไม่ชัด ขอสแกนใหม่" in text
    assert f"/tasks/{task.id}" in text.split("หลักฐานที่หัวหน้าขอให้แก้ไข")[1]
    others = [t for user in linked.users.values() if user != staff
              for t in fake_line.delivered_texts(user.line_user_id)]
    assert others and not any("ภาพสแกนไม่ชัด" in t for t in others)  # told to its author only


def test_the_heads_weekly_digest_counts_every_overdue_task_and_names_the_oldest(app, linked, fake_line,
                                                                                 fixed_time):
    # Monday 30 March 2569: the week's first working day. สำนักปลัด's head reads the five oldest overdue steps of
    # the division, and the count of all of them, as the sweep ranks them in the database.
    fixed_time["now"] = datetime(2026, 3, 30, 1, 30, tzinfo=UTC)
    head = linked.users["clerk-head"]
    clerk = linked.tasks_of(linked.clerk)
    for number, task in enumerate(clerk):
        task.due_date = date(2026, 3, 2) + timedelta(days=number)  # all overdue, the first the oldest
    db.session.commit()
    outbox.sweep(linked.org, date(2026, 3, 30))
    db.session.commit()
    outbox.deliver(channel_from_config())
    (text,) = fake_line.delivered_texts(head.line_user_id)
    summary = text.split("สรุปประจำสัปดาห์")[1]
    assert f"เกินกำหนด {len(clerk)}" in summary
    assert summary.count("- ⚠") == 5
    named = [t for t in clerk if f"(ครบกำหนด {format_date(t.due_date)})" in summary]  # each due on its own day
    assert named == clerk[:5]


def test_unlinked_people_are_listed_not_messaged(app, seeded, fixed_time):
    result = outbox.sweep(seeded.org, TODAY)
    assert result.created == 0
    assert {u.person.name for u in result.plan.unreachable} >= {"เจ้าหน้าที่สำนักปลัด", "เจ้าหน้าที่กองคลัง"}


def test_scheduler_started_late_catches_up_once(app, linked, fake_line, fixed_time, ladder_off):
    fixed_time["now"] = datetime(2026, 3, 17, 4, 0, tzinfo=UTC)  # 11:00 Bangkok, after 08:30
    assert work.catch_up() is True
    assert work.catch_up() is True  # a restart: sweeps again, adds nothing, sends nothing twice
    assert len(fake_line.pushes) == 2 and set(fake_line.deliveries_by_key().values()) == {1}


def test_scheduler_started_before_the_time_waits(app, linked, fake_line, fixed_time):
    fixed_time["now"] = datetime(2026, 3, 17, 0, 0, tzinfo=UTC)  # 07:00 Bangkok
    assert work.catch_up() is False and fake_line.pushes == []


def test_scheduler_started_next_day_does_not_resend_yesterday(app, linked, fake_line, fixed_time):
    fixed_time["now"] = datetime(2026, 3, 17, 4, 0, tzinfo=UTC)
    work.catch_up()
    sent = len(fake_line.pushes)
    fixed_time["now"] = datetime(2026, 3, 18, 4, 0, tzinfo=UTC)  # Wednesday: nothing is due that day
    work.catch_up()
    assert len(fake_line.pushes) == sent


def test_the_quota_is_read_from_line(app, fake_line):
    fake_line.quota, fake_line.initial_usage = 300, 42
    quota = channel_from_config().quota()
    assert (quota.limit, quota.used) == (300, 42)


def test_two_deliverers_on_postgresql(postgres_database, fixed_time):
    """The same race on PostgreSQL, the database a multi-process deployment runs on."""
    from flask_migrate import upgrade

    from tracker import create_app

    from .conftest import app_settings

    with FakeLine(quota=None) as fake:
        app = create_app(app_settings(DATABASE_URL=postgres_database, LINE_CHANNEL_ACCESS_TOKEN=fake.token,
                                      LINE_API_HOST=fake.url, LINE_TIMEOUT_SECONDS="0.15",
                                      OUTBOX_RETRY_BASE_SECONDS=0))
        with app.app_context():
            upgrade()
            pending_rows(app, 200)
            db.session.remove()
        fake.set_faults(fail_rate=0.2, hang_rate=0.05, hang_seconds=1.0)
        results = race(app)
        with app.app_context():
            assert statuses() == {"sent": 200}
            db.session.remove()
            db.engine.dispose()
        assert len(fake.deliveries_by_key()) == 200 and set(fake.deliveries_by_key().values()) == {1}
        assert sum(r.sent for r in results) == 200 and all(r.sent for r in results)


# --- a later day's reminders wait for their day ---------------------------------------------------------------


def test_a_future_days_reminders_are_not_delivered_before_that_day(app, linked, fake_line, fixed_time, ladder_off):
    fixed_time["now"] = datetime(2026, 3, 16, 1, 30, tzinfo=UTC)  # Monday 08:30 in Bangkok, the day before
    assert outbox.sweep(linked.org, TODAY).created == 2
    db.session.commit()
    assert outbox.deliver(channel_from_config()) == outbox.DeliveryResult()  # not even claimed
    work.retry_delivery()  # nor by the scheduler's retry job
    db.session.expire_all()
    rows = db.session.scalars(select(Notification)).all()
    assert fake_line.pushes == [] and len(rows) == 2
    assert {(r.status, r.attempts, r.claimed_by, r.claimed_until, r.next_attempt_at, r.last_error) for r in rows} == {
        (NotificationStatus.PENDING, 0, None, None, None, None)}

    fixed_time["now"] = datetime(2026, 3, 17, 1, 30, tzinfo=UTC)  # their day
    assert outbox.deliver(channel_from_config()).sent == 2
    db.session.expire_all()
    assert statuses() == {"sent": 2} and len(fake_line.pushes) == 2


def test_only_todays_rows_go_when_several_days_are_pending(app, linked, fake_line, fixed_time, ladder_off):
    outbox.sweep(linked.org, TODAY)
    outbox.sweep(linked.org, TODAY + timedelta(days=7))  # 24 March: the 7-day reminders
    db.session.commit()
    assert outbox.deliver(channel_from_config()).sent == 2
    db.session.expire_all()
    later = db.session.scalars(select(Notification).where(Notification.for_date > TODAY)).all()
    assert len(later) == 2 and all(r.status is NotificationStatus.PENDING and r.attempts == 0 for r in later)
