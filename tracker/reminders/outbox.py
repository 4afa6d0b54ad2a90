"""The outbox: the daily sweep writes one Notification per person and day, the deliverer sends them exactly once.

    sweep()    reminder policy for a day -> rows, unique (recipient, kind, day): a second sweep of the same day adds
               nothing. sweep_batches() does every organization's day, a batch at a time, reading only the tasks that
               can give a message that day (selection.py) and writing many rows a statement. A swept row says who
               gets a digest on which day and of which tasks; its words are not written yet.
    deliver()  claims a row with an atomic UPDATE (the database is the lock: two deliverers never hold one row),
               renders a swept row's digest from the organization's state at that moment and records it in the row
               (what was sent stays on record, and every retry sends exactly that), sends it with the row's key as
               X-Line-Retry-Key, and records sent, retry-later or failed. Only rows of today or earlier are claimed:
               a future day's rows (`tracker reminders --on` a later date) stay pending, untouched, until their day.

Why render at delivery rather than in the sweep: rendering (the digest's text from its template, the Flex carousel
with a signed postback per button, its JSON) is 80 % of what the sweep spent per message (profiled on the heaviest
day of 100 agencies: 3.0 s of 3.7 s), and the sweep writes a whole deployment's day at once while delivery goes at
LINE's pace, an organization at a time. Rendered at delivery, a digest also leaves out a task ticked off between the
sweep and the send, and a digest with nothing left is not sent at all (LINE's free plan counts every message).
"""
from __future__ import annotations

import gc
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import Select, Table, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import contains_eager

from .. import clock
from ..access import Action, can, find, scoped, scoped_to
from ..evidence import NeedsWork, describe, needing_work_for, waiting, waiting_by_division
from ..extensions import db
from ..line.channel import FAILED, RETRY, SENT, Channel
from ..line.flex import ReviewCard
from ..models import (
    AuditAction,
    AuditEvent,
    Division,
    Evidence,
    EvidenceReview,
    LineSentMessage,
    Notification,
    NotificationStatus,
    Organization,
    Source,
    Task,
    User,
)
from ..organization import public_url
from . import selection
from .digest import MAX_REVIEWS, NO_REVIEWS, Accepted, Reviews, digest_messages, message_tasks, render_digest
from .inputs import Inputs
from .policy import DayPlan, Digest, GroupDigest

log = logging.getLogger(__name__)

DIGEST = "digest"
LEASE = timedelta(minutes=5)  # how long a deliverer owns a claimed row; longer than one LINE call can take
MAX_ATTEMPTS = 20
# LINE keeps a retry key for 24 hours: past that a retry could deliver twice, so stop an hour short of it.
RETRY_KEY_LIFETIME = timedelta(hours=23)


# --- sweep -----------------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    day: date
    plan: DayPlan
    created: int
    existing: int


def plan_for(organization: Organization, day: date, *, as_if_all_linked: bool = False) -> DayPlan:
    """Say who gets what on a day, without writing anything (the dry run).

    `as_if_all_linked` shows the messages of people who have not linked LINE yet too, for a person to read.
    """
    for batch in selection.day_inputs(day, [organization.id]):
        for _, inputs in batch:
            people = [replace(p, line_linked=True) for p in inputs.people] if as_if_all_linked else None
            return inputs.plan(day, people=people)
    return DayPlan(day, (), ())  # nothing can give a message that day


def sweep(organization: Organization, day: date) -> SweepResult:
    """Write one organization's digests of the day to the outbox; rows already there for (person, kind, day) are
    left alone."""
    for results in sweep_batches(day, [organization.id]):
        if organization.id in results:
            return results[organization.id]
    return SweepResult(day, DayPlan(day, (), ()), 0, 0)


def sweep_batches(day: date, organization_ids: Iterable[int] | None = None,
                  batch: int = selection.BATCH) -> Iterator[dict[int, SweepResult]]:
    """Write the day's digests of every organization (or of those given) to the outbox, a batch of organizations at
    a time, reading only what can give a message that day (selection.py); yield each batch's results by
    organization once its rows are written, for the caller to commit (which ends the batch's write transaction).

    Rows say who gets a digest of which tasks; their words are rendered at delivery (see the module's docstring for
    why). Each batch is read and planned first, then written at once: the write transaction lasts as long as the
    batch's inserts, not its reading. Rows already there for (address, kind, day) are left alone, so a second sweep
    of a day adds nothing.
    """
    batches = selection.day_inputs(day, organization_ids, batch)
    while True:
        with _without_cycle_collection():
            inputs_of = next(batches, None)
            if inputs_of is None:
                return
            planned = [(organization_id, inputs.plan(day)) for organization_id, inputs in inputs_of]
            rows = [row for organization_id, plan in planned for row in _rows(organization_id, plan, day)]
            created = _insert(rows)
            record_steps(planned, day)
            written = Counter(row["organization_id"] for row in rows)
            results = {
                organization_id: SweepResult(day, plan, created[organization_id],
                                             written[organization_id] - created[organization_id])
                for organization_id, plan in planned
            }
        yield results  # (the caller's own code runs with the collector as it found it)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while one batch is read, planned, rendered and written.

    A batch makes hundreds of thousands of objects that stay alive until it is written (rows, plans, the tasks'
    descriptions); each full pass of the collector walks all of them and frees none (they are not garbage yet).
    Measured, when the sweep still rendered each digest, on the heaviest day of 100 agencies (4,894 messages):
    2.6-2.9 s of CPU with the collector on, 2.0 s with it paused.
    Memory stays bounded by the batch: what it leaves behind is freed by reference counting as it goes, and any
    cycles among it at the next collection once the batch is done.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rows(organization_id: int, plan: DayPlan, day: date) -> list[dict]:
    """The outbox rows of an organization's day: one per digest, who gets it and of which tasks; the deliverer
    renders its words (render_rows)."""
    written = clock.now()  # one instant for the organization's rows: the sweep wrote them together

    def row(digest: Digest | GroupDigest, recipient_id: int | None, division_id: int | None) -> dict:
        return {
            "organization_id": organization_id,
            "address": address_of(digest),
            "recipient_id": recipient_id,
            "division_id": division_id,
            "kind": DIGEST,
            "for_date": day,
            "task_ids": [r.task.id for r in digest.reminders],
            "status": NotificationStatus.PENDING,
            "attempts": 0,
            "idempotency_key": str(uuid.uuid4()),
            "created_at": written,
        }

    rows = [row(d, d.person.id, None) for d in plan.digests]
    rows += [row(g, None, g.group.division_id) for g in plan.group_digests]
    return rows


def record_steps(planned: Sequence[tuple[int, DayPlan]], day: date) -> int:
    """Record on the tasks what the day's plans say they reached: a step of the escalation ladder, a nudge; each once
    (a step already recorded is left alone: a second sweep of the day records nothing), with an event in each
    organization's audit trail, and their revision moved on (pages show the steps). Return how many were recorded.

    Recorded whether or not anyone could be told (a head not linked to LINE): the step is the task's, shown on its
    page, and the admin sees who was not reached. A day other than today (`tracker reminders --on`) is recorded at
    its local midnight, so that its plan, made again at delivery, still has those steps reached that day."""
    now = clock.now()
    at = now if day == clock.today() else clock.start_of(day)
    heads = [e for _, plan in planned for e in plan.escalations if e.head_told and e.task.escalated_head_on is None]
    tops = [e for _, plan in planned for e in plan.escalations
            if e.step == 2 and e.task.escalated_executive_on is None]
    nudged = [t for _, plan in planned for t in plan.nudged if t.nudged_on is None]
    events: list[dict] = []
    changed: set[int] = set()

    def mark(column: Any, ids: list[int]) -> set[int]:
        # By id alone: the tasks the batch's plans were made of, each read through scoped_to. (Restricted to the
        # batch's organizations as well, SQLite probes its organization index for every pair of an organization
        # and an id: 9 s instead of 0.2 s for the first day of the ladder over 1,000 agencies.)
        done: set[int] = set()
        for part in selection.chunks(sorted(ids)):
            done |= set(db.session.execute(
                update(Task).where(Task.id.in_(part), column.is_(None)).values({column: at})
                .returning(Task.id).execution_options(synchronize_session=False)).scalars())
        return done

    organization_of = {e.task.id: o for o, plan in planned for e in plan.escalations}
    organization_of |= {t.id: o for o, plan in planned for t in plan.nudged}
    for step, column, reached in ((1, Task.escalated_head_at, heads), (2, Task.escalated_executive_at, tops)):
        recorded = mark(column, [e.task.id for e in reached])
        for escalation in reached:
            if escalation.task.id in recorded:
                events.append(_event(organization_of[escalation.task.id], AuditAction.TASK_ESCALATE,
                                     escalation.task.id, now, {"step": step,
                                                               "idle_working_days": escalation.idle_working_days}))
    recorded = mark(Task.nudged_at, [t.id for t in nudged])
    for task in nudged:
        if task.id in recorded:
            events.append(_event(organization_of[task.id], AuditAction.TASK_NUDGE, task.id, now, None))
    if events:
        db.session.execute(insert_table(AuditEvent), events)
        changed = {e["organization_id"] for e in events}
        db.session.execute(update(Organization).where(Organization.id.in_(sorted(changed)))
                           .values(revision=Organization.revision + 1).execution_options(synchronize_session=False))
    return len(events)


def _event(organization_id: int, action: AuditAction, task_id: int, at: datetime, after: dict | None) -> dict:
    """An audit event of the system (the daily sweep) about a task, as a row to insert."""
    return {"organization_id": organization_id, "actor_id": None, "at": at, "action": action.value,
            "object_type": "Task", "object_id": task_id, "before": None, "after": after, "source": Source.SYSTEM}


def insert_table(model: Any) -> Any:
    """The model's table for a many-row INSERT of plain rows (no ORM objects: the sweep writes thousands)."""
    return cast(Table, model.__table__).insert()


def address_of(digest: Digest | GroupDigest) -> str:
    """Where a digest goes, as the outbox's unique (address, kind, day) names it: a person or a division's group."""
    if isinstance(digest, GroupDigest):
        return f"group:{digest.group.division_id}"
    return f"user:{digest.person.id}"


def _insert(rows: list[dict]) -> Counter[int]:
    """Insert the rows that are not there yet, many to a statement; count the new ones by organization.

    INSERT ... ON CONFLICT DO NOTHING RETURNING, on SQLite and PostgreSQL alike: a row whose (address, kind, day)
    is already there returns nothing, so the count is exact whatever a driver reports as a rowcount.
    """
    if not rows:
        return Counter()
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    table = cast(Table, Notification.__table__)  # declared as a FromClause on the base; a Table here
    statement = (insert(table).on_conflict_do_nothing(index_elements=["address", "kind", "for_date"])
                 .returning(table.c.organization_id))
    return Counter(db.session.connection().execute(statement, rows).scalars())


# --- delivery --------------------------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # rows another deliverer held


def worker_name() -> str:
    """Name this process in the rows it claims: host and pid, for the admin reading a stuck row."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _claim(
    worker: str, now: datetime, today: date, limit: int, organization_ids: Iterable[int] | None
) -> tuple[list[int], int]:
    """Take up to `limit` due rows for this deliverer; return their ids and how many another deliverer held.

    One atomic UPDATE marks the rows still free with a token unique to this claim, then the rows carrying the token
    are ours: of two deliverers racing for a row exactly one gets it, on SQLite and PostgreSQL alike. A row is due
    from its day on (`today` is the organization's date, Asia/Bangkok): never before it.
    """
    due = _due_ids(now, today, limit, organization_ids)
    if not due:
        return [], 0
    token = f"{worker}/{uuid.uuid4().hex[:12]}"[-64:]
    db.session.execute(
        update(Notification)
        .where(
            Notification.id.in_(due),
            Notification.status == NotificationStatus.PENDING,
            Notification.for_date <= today,
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
        )
        .values(claimed_until=now + LEASE, claimed_by=token)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    mine = list(db.session.scalars(
        select(Notification.id).where(Notification.claimed_by == token).order_by(Notification.id)
    ))
    return mine, len(due) - len(mine)


def _due(now: datetime, today: date):
    """What makes a row due to be sent now: pending, its day come, its next try not later, nobody holding it."""
    return and_(
        Notification.status == NotificationStatus.PENDING,
        Notification.for_date <= today,  # a reminder for a later day waits for it, pending and untouched
        or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
    )


def _due_ids(now: datetime, today: date, limit: int, organization_ids: Iterable[int] | None) -> list[int]:
    query = scoped_to(select(Notification.id), Notification, organization_ids).where(_due(now, today))
    return list(db.session.scalars(query.order_by(Notification.id).limit(limit)))


def organizations_with_pending(now: datetime, today: date) -> Select[Organization]:
    """The organizations that have rows due to be sent now (the pending rows, through the index on status)."""
    having = select(Notification.organization_id).where(_due(now, today)).distinct()
    return select(Organization).where(Organization.id.in_(having)).order_by(Organization.id)


def backoff(attempts: int, base: float, cap: float) -> timedelta:
    """Wait before the next try: base, 2x, 4x ... up to the cap (LINE asks clients to back off on 429 and 5xx)."""
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def deliver(
    channel: Channel,
    *,
    worker: str | None = None,
    limit: int | None = None,
    organization_ids: Iterable[int] | None = None,
) -> DeliveryResult:
    """Send every pending row that is due (its day has come, its next try is not later), until none is left for
    now.

    No write transaction is ever open while LINE is called: rows are claimed in one short transaction, what a row
    needs to be sent is read and that read ended before the call, and each outcome is recorded in a short
    transaction of its own (an UPDATE of that row), committed as soon as it is known.
    """
    worker = worker or worker_name()
    base, cap = current_app.config["OUTBOX_RETRY_BASE_SECONDS"], current_app.config["OUTBOX_RETRY_MAX_SECONDS"]
    result = DeliveryResult()
    renderer = _Renderer(current_app.config["SECRET_KEY"])
    handled = 0
    while limit is None or handled < limit:
        batch = 25 if limit is None else min(25, limit - handled)
        mine, held = _claim(worker, clock.now(), clock.today(), batch, organization_ids)
        result.skipped += held
        if not mine:
            if held:
                continue  # another deliverer took this batch between our read and our claim: read again
            break
        for outbound in _read_claimed(mine):
            _send_one(renderer.ready(outbound), channel, base, cap, result)
            handled += 1
    return result


@dataclass(frozen=True)
class _Outbound:
    """What sending one claimed row needs, read before the call so that nothing is loaded (or flushed) during it."""

    id: int
    organization_id: int
    address: str
    for_date: date
    to: str | None  # the LINE user or group id; None when there is nobody to send to any more
    unreachable: str  # why `to` is None
    messages: list[dict]  # empty: a swept row whose digest is rendered just before its first try
    key: str
    attempts: int
    created_at: datetime
    recipient_id: int | None = None  # a person's digest (None: a group's)
    message_tasks: list[list[int]] | None = None  # the task ids each message carries (Notification.message_tasks)


def _read_claimed(ids: list[int]) -> list[_Outbound]:
    """Read the claimed rows with their recipient's or group's LINE id in one statement, then end the read."""
    rows = db.session.execute(
        select(Notification.id, Notification.organization_id, Notification.address, Notification.for_date,
               Notification.division_id, Notification.messages,
               Notification.text, Notification.idempotency_key, Notification.attempts, Notification.created_at,
               Division.line_group_id, User.active, User.line_user_id, Notification.recipient_id,
               Notification.message_tasks)
        .outerjoin(Division, Division.id == Notification.division_id)
        .outerjoin(User, User.id == Notification.recipient_id)
        .where(Notification.id.in_(ids))
        .order_by(Notification.id)
    ).all()
    db.session.commit()  # ends the read (on PostgreSQL, no transaction idles open across the LINE calls)
    outbound = []
    for (id_, organization_id, address, for_date, division_id, messages, text, key, attempts, created_at, group_id,
         active, line_user_id, recipient_id, carried) in rows:
        if division_id is not None:  # a division's group (division_id is a foreign key: the division exists)
            to, unreachable = group_id, "กองยกเลิกกลุ่ม LINE แล้ว (the division's LINE group was detached)"
        else:  # a person
            to = line_user_id if active else None
            unreachable = "ผู้รับไม่ได้ใช้งานหรือยังไม่เชื่อม LINE (recipient inactive or not linked)"
        if not messages and text:  # a row written with its text alone (an older sweep's, or an admin's notice)
            messages = [{"type": "text", "text": text}]
        outbound.append(_Outbound(id_, organization_id, address, for_date, to or None, unreachable, messages or [],
                                  key, attempts, created_at, recipient_id, carried))
    return outbound


NOTHING_LEFT = "ไม่มีงานต้องเตือนแล้วเมื่อถึงเวลาส่ง จึงไม่ได้ส่ง (nothing left to remind when it was due to go: not sent)"


@dataclass(frozen=True)
class _Day:
    """An organization's day as the deliverer renders it: the digests by address, what they were planned from, per
    person the evidence sent back to them, the organization's revision when it was planned, on a weekly day per
    division the evidence waiting for its head, and who of the day's people review evidence (heads, the admin)."""

    digests: dict[str, Digest | GroupDigest]
    inputs: Inputs | None
    needs_work: dict[int, list[NeedsWork]]
    revision: int | None
    waiting_review: dict[int, int] = field(default_factory=dict)
    reviewers: frozenset[int] = frozenset()
    accepted: dict[int, list[Accepted]] = field(default_factory=dict)


class _Renderer:
    """Render swept rows' digests at delivery, from each organization's state at that moment.

    The organization's day is planned (the same reading and policy as the sweep, selection.py) and each row takes
    its digest by address. Before each row is rendered, the organization's revision is read (one look-up by primary
    key: every committed change to the agency's rows moves it on, models._count_changes); the day is planned again
    only when it moved since the plan was made. So a task ticked off while a run is under way is left out of every
    row rendered after it, and a run in which nothing changes plans each organization's day once. The rendered
    words are recorded in the row before LINE is called, so the row keeps what was sent and a retry sends the very
    same request under the same X-Line-Retry-Key.
    """

    def __init__(self, secret: str):
        self.secret = secret
        self._base_urls: dict[int, str] = {}  # what each organization's links start with (organization.public_url)
        self._days: dict[tuple[int, date], _Day] = {}

    def ready(self, row: _Outbound) -> _Outbound:
        """The row with its messages: as recorded, or rendered now and recorded (empty when nothing is left)."""
        if row.messages or row.to is None or row.for_date != clock.today():
            return row  # rendered already; or not to be sent (_send_one records why), so nothing to render
        text, messages, carried = self.render_with_tasks(row.organization_id, row.for_date, row.address)
        if messages:
            db.session.execute(
                update(Notification).where(Notification.id == row.id)
                .values(text=text, messages=messages, message_tasks=carried)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()  # a short write of our own claimed row (or the end of the plan's read): before the call
        return replace(row, messages=messages, message_tasks=carried)

    def render(self, organization_id: int, day: date, address: str) -> tuple[str, list[dict]]:
        """The text and LINE messages of the digest at an address on a day; ("", []) when it has none now."""
        text, messages, _ = self.render_with_tasks(organization_id, day, address)
        return text, messages

    def render_with_tasks(self, organization_id: int, day: date,
                          address: str) -> tuple[str, list[dict], list[list[int]]]:
        """`render`, with the task ids each message carries (digest.message_tasks)."""
        planned = self._day(organization_id, day)
        digest = planned.digests.get(address)
        if digest is None or planned.inputs is None:
            return "", [], []
        reviews = NO_REVIEWS
        if isinstance(digest, GroupDigest):
            binding = planned.inputs.group_ids.get(digest.group.division_id)
            needs_work: list[NeedsWork] = []
        else:
            binding = planned.inputs.line_ids.get(digest.person.id)
            needs_work = planned.needs_work.get(digest.person.id, [])
            if digest.person.id in planned.reviewers:
                reviews = _reviews(organization_id, digest.person.id)
        counted = planned.waiting_review.get(digest.division.division_id, 0) if digest.division else 0
        base_url = self._base_url(organization_id)
        accepted = planned.accepted.get(digest.person.id, []) if isinstance(digest, Digest) else []
        text = render_digest(digest, base_url, needs_work, waiting_review=counted, reviews=reviews,
                             accepted=accepted)
        messages = digest_messages(digest, text, base_url, binding, self.secret, reviews)
        return text, messages, message_tasks(digest, messages)

    def _base_url(self, organization_id: int) -> str:
        if organization_id not in self._base_urls:
            self._base_urls[organization_id] = public_url(organization_id)
        return self._base_urls[organization_id]

    def _day(self, organization_id: int, day: date) -> _Day:
        """The organization's day as it stands now: the plan already made, unless the organization's revision moved
        since (read first, so that a change committed while the day is read makes the next row plan again)."""
        key = (organization_id, day)
        revision = db.session.scalar(select(Organization.revision).where(Organization.id == organization_id))
        planned = self._days.get(key)
        if planned is None or planned.revision != revision:
            planned = _Day({}, None, {}, revision)
            for batch in selection.day_inputs(day, [organization_id]):
                for _, inputs in batch:
                    plan = inputs.plan(day)
                    every: list[Digest | GroupDigest] = [*plan.digests, *plan.group_digests]
                    # Evidence a head sent back goes to its author in their next digest (one query a plan); a
                    # weekly digest says how much evidence waits for the division's head (one more, weekly only).
                    planned = _Day({address_of(d): d for d in every}, inputs,
                                   needing_work_for(d.person.id for d in plan.digests), revision,
                                   waiting_by_division(organization_id,
                                                       (d.division.division_id for d in every if d.division)),
                                   _reviewers(organization_id, (d.person.id for d in plan.digests)),
                                   accepted_since_last_digest(organization_id,
                                                              [d.person.id for d in plan.digests], day))
            self._days[key] = planned
        return planned


def _reviewers(organization_id: int, user_ids: Iterable[int]) -> frozenset[int]:
    """Which of these people review evidence (Action.REVIEW_EVIDENCE: a division's head, the administrator), in one
    query: their digests list what waits for them (_reviews)."""
    ids = sorted(set(user_ids))
    if not ids:
        return frozenset()
    users = db.session.scalars(scoped(User, organization_id).where(User.id.in_(ids))).all()
    return frozenset(user.id for user in users if can(user, Action.REVIEW_EVIDENCE))


ACCEPTED_LOOKBACK = timedelta(days=7)  # a person who never had a digest hears of the last week's acceptances


def accepted_since_last_digest(organization_id: int, user_ids: Sequence[int],
                               day: date) -> dict[int, list[Accepted]]:
    """Per person, the evidence they added that someone else (their head) accepted since their last digest was sent
    (before `day`; none sent: the last ACCEPTED_LOOKBACK), in two queries: their last digests by address (the
    outbox's unique index) and their accepted evidence (the index on evidence's author and review). Told only in
    the digests a person gets anyway: never a message of its own (LINE counts every push)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    floor = clock.start_of(day) - ACCEPTED_LOOKBACK
    last_sent = dict(db.session.execute(
        scoped(Notification, organization_id)
        .with_only_columns(Notification.address, func.max(Notification.sent_at))
        .where(Notification.address.in_([f"user:{i}" for i in ids]), Notification.kind == DIGEST,
               Notification.status == NotificationStatus.SENT, Notification.for_date < day)
        .group_by(Notification.address)
    ).all())
    since = {i: last_sent.get(f"user:{i}") or floor for i in ids}
    rows = db.session.scalars(
        scoped(Evidence, organization_id).join(Task, Task.id == Evidence.task_id)
        .options(contains_eager(Evidence.task))
        .where(Evidence.created_by_id.in_(ids), Evidence.review == EvidenceReview.ACCEPTED,
               Evidence.reviewed_at >= min(since.values()))
        .order_by(Evidence.created_by_id, Evidence.reviewed_at, Evidence.id)
    ).unique()
    found: dict[int, list[Accepted]] = {}
    for item in rows:
        author = cast(int, item.created_by_id)  # one of the ids asked for, never None
        if item.reviewed_by_id == author or item.reviewed_at is None or item.reviewed_at <= since[author]:
            continue  # a head's own evidence is accepted as it is added: nothing to tell them
        found.setdefault(author, []).append(Accepted(item.task_id, item.task.step_text, describe(item)))
    return found


def _reviews(organization_id: int, user_id: int) -> Reviews:
    """The evidence waiting for a reviewer, as their digest lists it (the oldest MAX_REVIEWS, with the count), read
    when the digest is rendered: a piece reviewed on the web before the send is not offered again. Waiting evidence
    never makes a digest of its own (LINE counts every push): it rides in the digests the person gets anyway."""
    user = find(User, user_id, organization_id)
    if user is None or not can(user, Action.REVIEW_EVIDENCE):
        return NO_REVIEWS
    items = waiting(user)
    cards = tuple(
        ReviewCard(id=item.id, task_id=item.task_id, what=describe(item), step_text=item.task.step_text,
                   division_name=item.task.division.name,
                   author=item.created_by.display_name if item.created_by else "-",
                   added=clock.local_date(item.created_at))
        for item in items[:MAX_REVIEWS]
    )
    return Reviews(cards, len(items))


def render_rows(rows: Iterable[Notification]) -> dict[int, tuple[str, list[dict]]]:
    """Render rows' digests as the deliverer would now, by row id, without recording or sending anything (for a
    person or a test to read what would go out)."""
    renderer = _Renderer(current_app.config["SECRET_KEY"])
    return {row.id: renderer.render(row.organization_id, row.for_date, row.address) for row in rows}


def _send_one(row: _Outbound, channel: Channel, base: float, cap: float, result: DeliveryResult) -> None:
    now = clock.now()
    if row.for_date < clock.today():
        # A reminder is about its day: one that could not go out then is not sent late, and never twice.
        _record(row.id, _failed("ไม่ได้ส่งภายในวันของข้อความ (not sent on its day; not sent late)", result))
        return
    if row.to is None:
        _record(row.id, _failed(row.unreachable, result))
        return
    if not row.messages:
        _record(row.id, _failed(NOTHING_LEFT, result))
        return
    outcome = channel.send(row.to, row.messages, row.key)  # nothing of ours is open in the database meanwhile
    attempts = row.attempts + 1
    values: dict = {"attempts": attempts}
    sent: list[dict] = []
    if outcome.outcome == SENT:
        sent = _sent_messages(row, outcome.message_ids, now)
        values.update(status=NotificationStatus.SENT, sent_at=now, line_request_id=outcome.request_id,
                      last_error=None if outcome.detail == "accepted" else outcome.detail)
        result.sent += 1
    elif outcome.outcome == RETRY and attempts < MAX_ATTEMPTS and now - row.created_at < RETRY_KEY_LIFETIME:
        values.update(next_attempt_at=now + backoff(attempts, base, cap), last_error=outcome.detail)
        result.retried += 1
    else:
        reason = (outcome.detail if outcome.outcome == FAILED
                  else f"gave up after {attempts} tries: {outcome.detail}")
        values.update(_failed(reason, result))
    _record(row.id, values, sent)


def _sent_messages(row: _Outbound, message_ids: Sequence[str], now: datetime) -> list[dict]:
    """The line_sent_message rows of a person's digest delivered: each message id LINE gave, with the tasks its
    message carries. None for a group's digest (a photo is taken in the one-to-one chat only), for a row rendered
    before the tasks were kept, or when LINE's answer did not list one id per message object."""
    if row.recipient_id is None or row.message_tasks is None or len(message_ids) != len(row.message_tasks):
        return []
    return [{"organization_id": row.organization_id, "message_id": str(message_id)[:40], "notification_id": row.id,
             "recipient_id": row.recipient_id, "task_ids": list(task_ids), "sent_at": now}
            for message_id, task_ids in zip(message_ids, row.message_tasks, strict=True)]


def _failed(reason: str, result: DeliveryResult) -> dict:
    result.failed += 1
    return {"status": NotificationStatus.FAILED, "last_error": reason}


def _record(notification_id: int, values: dict, sent: list[dict] | None = None) -> None:
    """Record a try's outcome in a short transaction of its own: one UPDATE of the row, and for a digest delivered
    the message ids LINE gave with their tasks (`sent`), committed; the claim ends. A message id recorded already (a
    409's answer naming the first push's messages) is left as it is."""
    db.session.execute(
        update(Notification).where(Notification.id == notification_id)
        .values(claimed_until=None, **values).execution_options(synchronize_session=False)
    )
    if sent:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        table = cast(Table, LineSentMessage.__table__)
        db.session.execute(insert(table).on_conflict_do_nothing(index_elements=["message_id"]), sent)
    db.session.commit()
