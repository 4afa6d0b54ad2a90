"""What the scheduled jobs do, each in the app context the scheduler gives it; commits happen here, at the edge."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.line.channel import channel_for
from tracker.models import Organization
from tracker.reminders import outbox

log = logging.getLogger(__name__)


def send_todays_reminders() -> None:
    """Sweep today's reminders of every organization into the outbox, then deliver them."""
    today = clock.today()
    for organization in db.session.scalars(select(Organization).order_by(Organization.id)).all():
        result = outbox.sweep(organization, today)
        db.session.commit()
        log.info("%s: %d new messages for %s (%d already in the outbox), %d people not reachable on LINE",
                 organization.name, result.created, today, result.existing, len(result.plan.unreachable))
    deliver_pending()


def deliver_pending() -> None:
    """Deliver what is pending and due, each organization through its own LINE channel."""
    for organization in db.session.scalars(select(Organization).order_by(Organization.id)).all():
        result = outbox.deliver(channel_for(organization.id), organization_ids=[organization.id])
        if result.sent or result.retried or result.failed:
            log.info("%s: %d sent, %d to retry, %d failed, %d held by another deliverer",
                     organization.name, result.sent, result.retried, result.failed, result.skipped)


def catch_up(now: datetime | None = None) -> bool:
    """Run today's reminders if the scheduler starts after today's reminder time (a late start or a restart).

    Sweeping is idempotent and delivery never repeats a sent row, so this cannot double anything; it never sweeps
    an earlier day, so a scheduler started the next morning does not send yesterday's reminders late.
    """
    local_now = clock.local(now or clock.now())
    if local_now.time() < current_app.config["REMINDER_TIME"]:
        return False
    send_todays_reminders()
    return True
