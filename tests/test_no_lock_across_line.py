"""No write transaction is held across a call to LINE, on SQLite (the default: one writer at a time).

Delivery claims its rows in one short transaction, calls LINE with nothing open, and records each outcome in another;
the webhook commits an event's own changes before it asks LINE for a link token or a group's member count. While the
morning's reminders go out to a LINE that answers each push in 0.3-2 s, people signing in and commenting on the web
(the real routes, through the app's own SQLite settings: WAL, a busy timeout) never wait for LINE.
"""
from __future__ import annotations

import random
import sqlite3
import threading
import time
from datetime import date

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.line.channel import channel_from_config
from tracker.models import Comment, Notification, NotificationStatus
from tracker.reminders import outbox

from .conftest import ON_POSTGRESQL
from .db_faults import database_path
from .factories import count, csrf_token, login, make_user, post_form
from .fake_line import PUSH_PATH, FakeLine
from .test_line_webhook import SECRET, event, post

# The probes below open the SQLite file from another connection; on PostgreSQL the same requests run (no errors, p99),
# and rows never wait on one another there.
sqlite_probe = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite only: probes the database file's write lock with "
                                  "another sqlite3 connection (BEGIN IMMEDIATE)")

pytestmark = pytest.mark.slow  # a LINE that takes 0.3-2 s over each push, in real time (pyproject.toml)

TODAY = date(2026, 3, 17)  # `on_day` starts here: the rows below are for this day

# How many reminders go out while people use the web. Enough, and no more: the pushes take 0.3-2 s each (random.Random
# of the fixture's seed, 11), and 9 of these 12 take over 1 s, about 14 s in all. A write transaction held across any
# one of them would keep a sign-in or a comment waiting past the 1 s that p99 is held to (with fewer than 100 requests,
# p99 is the slowest one), and ~14 s of pushes leave room for far more than the 10 rounds of sign-in and comment asked
# for. (Thirty pushes proved no more, in 33 s.)
PUSHES = 12


def write_lock_free(path) -> bool:
    """Tell whether another connection could start writing to the database file right now (no writer holds it)."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error) or "busy" in str(error), error
        return False
    else:
        probe.execute("ROLLBACK")
        return True
    finally:
        probe.close()


@pytest.fixture
def slow_line(app):
    """A LINE that takes 0.3-2 s over each push (`push_seconds`, the range a test may change), and notes whether the
    database was free to write when each push came in."""
    with FakeLine(quota=None) as fake:
        rng = random.Random(11)
        fake.lock_free_during_push = []
        fake.push_seconds = (0.3, 2.0)
        path = None if ON_POSTGRESQL else database_path()

        def push(request):
            if path is not None:
                fake.lock_free_during_push.append(write_lock_free(path))
            fake.sleep(rng.uniform(*fake.push_seconds))
            return fake._push(request)

        fake.add_route("POST", PUSH_PATH, push)
        app.config.update(LINE_CHANNEL_ACCESS_TOKEN=fake.token, LINE_API_HOST=fake.url, LINE_TIMEOUT_SECONDS=5.0)
        yield fake


def pending_for_staff(seeded, n: int) -> None:
    """n reminders of today in the outbox, one per person (LINE-linked staff of the seeded organization)."""
    for i in range(n):
        user = make_user(seeded.org, f"line-staff-{i}", seeded.users["clerk-staff"].role, seeded.clerk,
                         line_user_id=f"U{i:032x}")
        db.session.add(Notification(organization_id=seeded.org.id, address=f"user:line-{i}", recipient=user,
                                    kind="digest", for_date=clock.today(), text=f"แจ้งเตือนที่ {i}"))
    db.session.commit()


def test_sign_ins_and_comments_never_wait_for_line_while_reminders_go_out(app, seeded, slow_line, on_day):
    """The issue's must-show: web sign-ins and comments while delivery runs against a LINE server answering each
    push in 0.3-2 s, on SQLite: 0 errors, p99 under 1 s."""
    if not ON_POSTGRESQL:
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"
    pending_for_staff(seeded, PUSHES)
    task = seeded.tasks_of(seeded.clerk)[0]
    delivered: list[outbox.DeliveryResult] = []

    def deliver() -> None:
        with app.app_context():
            delivered.append(outbox.deliver(channel_from_config(), worker="scheduler"))
            db.session.remove()

    deliverer = threading.Thread(target=deliver)
    deliverer.start()
    timings: list[float] = []
    errors: list[str] = []

    def timed(what: str, call, expected: int) -> None:
        started = time.perf_counter()
        try:
            status = call().status_code
        except Exception as error:  # an OperationalError ("database is locked") propagates in testing
            errors.append(f"{what} after {time.perf_counter() - started:.1f} s: {type(error).__name__}: {error}"[:200])
            db.session.rollback()  # as the app's 500 handler would: the next request starts clean
        else:
            if status != expected:
                errors.append(f"{what}: HTTP {status}")
        timings.append(time.perf_counter() - started)

    def sign_in_and_comment(client, n: int) -> None:
        timed("sign-in", lambda: login(client, "mayor"), 302)
        timed("comment", lambda: post_form(client, f"/tasks/{task.id}/comments", {"text": f"ติดตาม {n}"},
                                           token_from=f"/tasks/{task.id}"), 302)

    rounds = 0
    while deliverer.is_alive():
        sign_in_and_comment(app.test_client(), rounds)
        rounds += 1
    deliverer.join()

    assert delivered and delivered[0].sent == PUSHES
    assert errors == [], f"{len(errors)} errors of {len(timings)} requests, e.g. {errors[:3]}"
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    assert rounds >= 10 and p99 < 1.0, f"p99 {p99:.2f} s over {len(timings)} requests; slowest {timings[-3:]}"
    assert count(Comment) == rounds
    db.session.expire_all()
    assert count(Notification, Notification.status == NotificationStatus.SENT) == PUSHES


@sqlite_probe
def test_delivery_holds_no_write_lock_while_line_answers(app, seeded, slow_line, on_day):
    # Directly, with nobody else writing (the web requests above write too, so the probe is made alone): at every
    # push, another connection could have begun writing. The probe is made as each push comes in, before LINE's answer:
    # how long LINE then takes changes nothing it sees, so this LINE answers at once.
    slow_line.push_seconds = (0.0, 0.0)
    pending_for_staff(seeded, 4)
    result = outbox.deliver(channel_from_config(), worker="scheduler")
    assert result.sent == 4 and slow_line.lock_free_during_push == [True] * 4


# --- the webhook: link token and group member count asked with no write transaction open ------------------------


@pytest.fixture
def watched_line(app):
    """LINE's account-link and group endpoints, noting whether the database was free to write when asked."""
    with FakeLine() as fake:
        path = database_path()
        fake.replies, fake.lock_free = [], {}

        def noting(name, answer):
            def handler(request):
                fake.lock_free.setdefault(name, []).append(write_lock_free(path))
                return 200, {}, answer(request)
            return handler

        fake.add_route("POST", r"^/v2/bot/message/reply$",
                       noting("reply", lambda request: fake.replies.append(request["json"]) or {"sentMessages": [
                           {"id": str(i), "quoteToken": f"q{i}"} for i, _ in enumerate(request["json"]["messages"])]}))
        fake.add_route("POST", r"^/v2/bot/user/[^/]+/linkToken$", noting("link_token", lambda r: {"linkToken": "LT-1"}))
        fake.add_route("GET", r"^/v2/bot/group/[^/]+/members/count$", noting("members", lambda r: {"count": 7}))
        app.config.update(LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=fake.token, LINE_API_HOST=fake.url,
                          LINE_TIMEOUT_SECONDS=2.0, PUBLIC_URL="https://ita.example.go.th")
        yield fake


@sqlite_probe
def test_the_webhook_asks_line_with_no_write_transaction_open(client, seeded, watched_line):
    # An unlinked person writes to the bot: the event is recorded, then a link token is asked for.
    assert post(client, event("message", message={"type": "text", "id": "1", "text": "สวัสดี"})).status_code == 200
    assert post(client, event("follow")).status_code == 200
    assert "linkToken=LT-1" in str(watched_line.replies[-1])
    # A head types the division's code in its group: attached, then the member count asked for and recorded.
    login(client, "clerk-head")
    division = seeded.clerk
    client.post(f"/divisions/{division.id}/line-group/code",
                data={"csrf_token": csrf_token(client, f"/divisions/{division.id}")})
    db.session.expire_all()
    code = division.line_group_code
    group = "C" + "9" * 32
    assert post(client, event("message", group=group, message={"type": "text", "id": "2", "text": code})).status_code \
        == 200
    db.session.expire_all()
    assert (division.line_group_id, division.line_group_members) == (group, 7)
    assert watched_line.lock_free == {"link_token": [True, True], "members": [True], "reply": [True, True, True]}
