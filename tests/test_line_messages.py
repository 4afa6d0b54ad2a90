"""Every message the app sends over LINE, checked against LINE's published limits (tracker.line.flex.validate)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.extensions import db
from tracker.line import flex, replies
from tracker.models import Task
from tracker.reminders import outbox

BUSY_DAYS = [date(2026, 3, 2), date(2026, 3, 17), date(2026, 3, 30), date(2026, 3, 31), date(2026, 9, 30),
             date(2026, 10, 5)]


def assert_valid(messages: list[dict]) -> None:
    assert 1 <= len(messages) <= flex.MAX_MESSAGES_PER_REQUEST
    for message in messages:
        assert flex.validate(message) == [], message


@pytest.fixture
def fifty_open_tasks(linked):
    """The clerk's head with 50 open tasks: the seed's 8 and 42 more of a long measure."""
    measure = linked.plan.measures[2]
    for number in range(5, 47):
        db.session.add(Task(measure=measure, step_number=number, division=linked.clerk,
                            step_text=f"ขั้นตอนที่ {number}: " + "ประชาสัมพันธ์การให้บริการออนไลน์ผ่านเว็บไซต์และเฟสบุ๊ก " * 6,
                            due_date=date(2025, 10, 1) + timedelta(days=7 * number)))
    db.session.commit()
    return linked


def test_the_tasks_carousel_for_the_seed_plan(app, linked, on_day):
    on_day(date(2026, 4, 1))
    messages = replies.tasks_reply(linked.users["clerk-head"])
    assert_valid(messages)
    assert len(messages[0]["contents"]["contents"]) == 8


def test_the_tasks_carousel_for_fifty_open_tasks(app, fifty_open_tasks, on_day):
    on_day(date(2026, 4, 1))
    (message,) = replies.tasks_reply(fifty_open_tasks.users["clerk-head"])
    assert_valid([message])
    bubbles = message["contents"]["contents"]
    assert len(bubbles) == flex.MAX_BUBBLES  # 11 tasks and a link to the other 39
    assert "50" in str(bubbles[-1]) and "/tasks" in str(bubbles[-1])


def test_every_reminder_digest_of_busy_days(app, fifty_open_tasks):
    fifty_open_tasks.clerk.line_group_id, fifty_open_tasks.clerk.line_group_members = "C" + "9" * 32, 15
    db.session.commit()
    checked = 0
    for day in BUSY_DAYS:
        outbox.sweep(fifty_open_tasks.org, day)
    db.session.commit()
    from sqlalchemy import select

    from tracker.models import Notification

    rows = db.session.scalars(select(Notification)).all()
    for row in rows:
        messages = row.messages
        if not messages:  # a swept row: rendered as the deliverer would on the row's day
            _, messages = outbox.render_rows([row])[row.id]
        assert_valid(messages)
        checked += 1
    assert checked >= 10


def test_confirmation_summary_help_and_link_messages(app, linked):
    task = linked.tasks_of(linked.clerk)[0]
    card = replies.task_card(task)
    undo = "a=undo&t=1&s=" + "0" * 24
    assert_valid([flex.tick_confirmation(card, base_url="https://ita.example.go.th", undo_data=undo)])
    assert_valid([flex.text(replies.summary_text(linked.users["mayor"]))])
    assert_valid([flex.text(replies.HELP)])
