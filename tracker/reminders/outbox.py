"""The outbox: the daily sweep writes one Notification per person and day, the deliverer sends them exactly once.

    sweep()    reminder policy for a day -> rendered digests -> rows, unique (recipient, kind, day): a second sweep of
               the same day adds nothing.
    deliver()  claims a row with an atomic UPDATE (the database is the lock: two deliverers never hold one row),
               sends it with the row's key as X-Line-Retry-Key, and records sent, retry-later or failed. Only rows
               of today or earlier are claimed: a future day's rows (`tracker reminders --on` a later date) stay
               pending, untouched, until their day.
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import Table, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import clock
from ..extensions import db
from ..line.channel import FAILED, RETRY, SENT, Channel
from ..models import Division, Notification, NotificationStatus, Organization, User
from .digest import digest_messages, render_digest
from .inputs import load_inputs
from .policy import DayPlan

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
    inputs = load_inputs(organization, day)
    return inputs.plan(day, people=[replace(p, line_linked=True) for p in inputs.people] if as_if_all_linked else None)


def sweep(organization: Organization, day: date) -> SweepResult:
    """Write the day's digests to the outbox; rows already there for (person, kind, day) are left alone."""
    inputs = load_inputs(organization, day)
    plan = inputs.plan(day)
    base_url, secret = current_app.config["PUBLIC_URL"], current_app.config["SECRET_KEY"]

    def row(digest, address: str, recipient_id: int | None, division_id: int | None) -> dict:
        if recipient_id:
            binding = inputs.line_ids.get(recipient_id)
        else:  # a group's digest (a None division would find no group either)
            binding = inputs.group_ids.get(division_id) if division_id is not None else None
        text = render_digest(digest, base_url)
        return {
            "organization_id": organization.id,
            "address": address,
            "recipient_id": recipient_id,
            "division_id": division_id,
            "kind": DIGEST,
            "for_date": day,
            "task_ids": [r.task.id for r in digest.reminders],
            "text": text,
            "messages": digest_messages(digest, text, base_url, binding, secret),
            "status": NotificationStatus.PENDING,
            "attempts": 0,
            "idempotency_key": str(uuid.uuid4()),
            "created_at": clock.now(),
        }

    rows = [row(d, f"user:{d.person.id}", d.person.id, None) for d in plan.digests]
    rows += [row(g, f"group:{g.group.division_id}", None, g.group.division_id) for g in plan.group_digests]
    created = 0
    if rows:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        table = cast(Table, Notification.__table__)  # declared as a FromClause on the base; a Table here
        statement = insert(table).on_conflict_do_nothing(
            index_elements=["address", "kind", "for_date"]
        )
        connection = db.session.connection()
        # Row by row so the count of new rows is exact whatever the driver reports for a multi-row insert.
        for values in rows:
            created += connection.execute(statement, values).rowcount or 0
    return SweepResult(day, plan, created, len(rows) - created)


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


def _due_ids(now: datetime, today: date, limit: int, organization_ids: Iterable[int] | None) -> list[int]:
    query = (
        select(Notification.id)
        .where(
            Notification.status == NotificationStatus.PENDING,
            Notification.for_date <= today,  # a reminder for a later day waits for it, pending and untouched
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
            or_(Notification.claimed_until.is_(None), Notification.claimed_until < now),
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    if organization_ids is not None:
        query = query.where(Notification.organization_id.in_(list(organization_ids)))
    return list(db.session.scalars(query))


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
    now; each row is committed as it goes."""
    worker = worker or worker_name()
    base, cap = current_app.config["OUTBOX_RETRY_BASE_SECONDS"], current_app.config["OUTBOX_RETRY_MAX_SECONDS"]
    result = DeliveryResult()
    handled = 0
    while limit is None or handled < limit:
        batch = 25 if limit is None else min(25, limit - handled)
        mine, held = _claim(worker, clock.now(), clock.today(), batch, organization_ids)
        result.skipped += held
        if not mine:
            if held:
                continue  # another deliverer took this batch between our read and our claim: read again
            break
        for notification_id in mine:
            row = cast(Notification, db.session.get(Notification, notification_id))  # claimed by us: it exists
            _send_one(row, channel, base, cap, result)
            db.session.commit()  # each outcome is kept as soon as it is known
            handled += 1
    return result


def _send_one(row: Notification, channel: Channel, base: float, cap: float, result: DeliveryResult) -> None:
    now = clock.now()
    row.claimed_until = None
    if row.for_date < clock.today():
        # A reminder is about its day: one that could not go out then is not sent late, and never twice.
        _fail(row, "ไม่ได้ส่งภายในวันของข้อความ (not sent on its day; not sent late)", result)
        return
    if row.division_id is not None:
        to = cast(Division, row.division).line_group_id  # division_id is a foreign key: the division exists
        if not to:
            _fail(row, "กองยกเลิกกลุ่ม LINE แล้ว (the division's LINE group was detached)", result)
            return
    else:
        recipient = cast(User, row.recipient)  # a row is for a division's group or for a person
        if not recipient.active or not recipient.line_user_id:
            _fail(row, "ผู้รับไม่ได้ใช้งานหรือยังไม่เชื่อม LINE (recipient inactive or not linked)", result)
            return
        to = recipient.line_user_id
    messages = row.messages or [{"type": "text", "text": row.text}]
    outcome = channel.send(to, messages, row.idempotency_key)
    row.attempts += 1
    if outcome.outcome == SENT:
        row.status, row.sent_at, row.line_request_id = NotificationStatus.SENT, now, outcome.request_id
        row.last_error = None if outcome.detail == "accepted" else outcome.detail
        result.sent += 1
    elif outcome.outcome == RETRY and row.attempts < MAX_ATTEMPTS and now - row.created_at < RETRY_KEY_LIFETIME:
        row.next_attempt_at = now + backoff(row.attempts, base, cap)
        row.last_error = outcome.detail
        result.retried += 1
    else:
        reason = (outcome.detail if outcome.outcome == FAILED
                  else f"gave up after {row.attempts} tries: {outcome.detail}")
        _fail(row, reason, result)


def _fail(row: Notification, reason: str, result: DeliveryResult) -> None:
    row.status, row.last_error = NotificationStatus.FAILED, reason
    result.failed += 1
