"""What the scheduled jobs do, each in the app context the scheduler gives it; commits happen here, at the edge.

A database that cannot be used (locked, read-only, unreachable) never stops the scheduler: a job that meets one
logs one line and is tried again. The daily sweep that met one is owed to the retry job, which sweeps today's
reminders every 5 minutes until it succeeds (sweeping is idempotent, delivery never repeats a sent row); a day
whose sweep never succeeded is not swept the next day (reminders are not sent late).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.faults import database_fault
from tracker.line import uploads
from tracker.line.channel import channel_for
from tracker.models import Organization
from tracker.reminders import outbox

log = logging.getLogger(__name__)

# The day whose sweep met an unavailable database, if any: the retry job sweeps it while it is still today.
_sweep_owed: date | None = None


def send_todays_reminders() -> None:
    """Sweep today's reminders of every organization into the outbox, then deliver them.

    The sweep reads only the tasks due a reminder today, for all organizations at once, and writes a batch of
    organizations at a time, each batch in a transaction of its own (tracker/reminders/selection.py): its cost follows
    the messages of the day, not the number of agencies or tasks in the database.
    """
    today = clock.today()
    names: dict[int, str] = {id_: name for id_, name in db.session.execute(select(Organization.id, Organization.name))}
    created = existing = unreachable = 0
    for results in outbox.sweep_batches(today):
        db.session.commit()
        for organization_id, result in results.items():
            created, existing = created + result.created, existing + result.existing
            unreachable += len(result.plan.unreachable)
            if result.created:
                log.info("%s: %d new messages for %s (%d already in the outbox), %d people not reachable on LINE",
                         names.get(organization_id, organization_id), result.created, today, result.existing,
                         len(result.plan.unreachable))
    log.info("swept %s: %d new messages (%d already in the outbox), %d people not reachable on LINE", today,
             created, existing, unreachable)
    deliver_pending()


def deliver_pending() -> None:
    """Deliver what is pending and due, each organization through its own LINE channel; only the organizations that
    have such rows are visited."""
    waiting = db.session.scalars(outbox.organizations_with_pending(clock.now(), clock.today())).all()
    db.session.commit()  # ends the read: delivery holds no transaction across its calls to LINE
    for organization in waiting:
        result = outbox.deliver(channel_for(organization.id), organization_ids=[organization.id])
        if result.sent or result.retried or result.failed:
            log.info("%s: %d sent, %d to retry, %d failed, %d held by another deliverer",
                     organization.name, result.sent, result.retried, result.failed, result.skipped)


def after_reminder_time(now: datetime | None = None) -> bool:
    """Tell whether today's reminder time (REMINDER_TIME, local) has passed."""
    return clock.local(now or clock.now()).time() >= current_app.config["REMINDER_TIME"]


def catch_up(now: datetime | None = None) -> bool:
    """Run today's reminders if the scheduler starts after today's reminder time (a late start or a restart).

    Sweeping is idempotent and delivery never repeats a sent row, so this cannot double anything; it never sweeps
    an earlier day, so a scheduler started the next morning does not send yesterday's reminders late.
    """
    if not after_reminder_time(now):
        return False
    send_todays_reminders()
    return True


# --- the jobs as the scheduler runs them: a database that cannot be used is logged, never raised ----------------


def daily_reminders() -> bool:
    """The daily job: today's sweep and delivery. On an unavailable database the sweep is owed to the retry job."""
    global _sweep_owed
    today = clock.today()
    if not _tolerating_database_faults("today's reminders", send_todays_reminders,
                                       "the sweep is tried again every 5 minutes today"):
        _sweep_owed = today
        return False
    _sweep_owed = None
    remove_unattached_uploads()
    remove_old_sent_messages()
    return True


def remove_unattached_uploads() -> bool:
    """Part of the daily job, after the reminders: the photos and files sent in the LINE chat and never attached to
    a task for over a week are removed with their files (tracker/line/uploads.py)."""
    return _daily_cleanup("unattached LINE uploads", uploads.remove_unattached,
                          "unattached LINE uploads could not be removed")


def remove_old_sent_messages() -> bool:
    """Part of the daily job, beside the uploads' cleanup: the record of digest messages sent to people (which a
    photo quoting one attaches to its task, tracker/line/uploads.py) is removed after 30 days."""
    return _daily_cleanup("LINE digest messages sent", uploads.remove_old_sent_messages,
                          "the record of LINE digest messages sent could not be cleaned")


def _daily_cleanup(what: str, work: Callable[[], object], failure: str) -> bool:
    """Run one of the daily job's cleanups: whatever goes wrong is logged and never stops the reminders; it is tried
    again the next day."""
    try:
        return _tolerating_database_faults(what, work, "tried again at tomorrow's run")
    except Exception:
        log.exception("%s; tried again at tomorrow's run", failure)
        db.session.rollback()
        return False


def retry_delivery() -> bool:
    """The retry job, every 5 minutes: a sweep of today still owed, then what is pending and due."""
    global _sweep_owed
    if _sweep_owed is not None:
        if _sweep_owed == clock.today():
            return daily_reminders()  # sweeps and delivers
        log.error("the reminders of %s were never swept (the database could not be used that day); they are not "
                  "sent late", _sweep_owed)
        _sweep_owed = None
    return _tolerating_database_faults("delivery", deliver_pending, "tried again in 5 minutes")


def start_up(now: datetime | None = None) -> bool:
    """The scheduler's start: catch up on today's reminders when started after their time (see `catch_up`).

    Return whether it did; on an unavailable database it logs one line and leaves the sweep to the retry job.
    """
    if not after_reminder_time(now):
        return False
    return daily_reminders()


def sweep_owed() -> date | None:
    """The day whose sweep the retry job still owes, if any (for the scheduler's log and the tests)."""
    return _sweep_owed


def _tolerating_database_faults(what: str, run: Callable[[], object], again: str) -> bool:
    """Run a job's work; if the database cannot be used, log one line (no traceback) and return False."""
    try:
        run()
    except Exception as error:
        fault = database_fault(error)
        if fault is None:
            raise  # a bug: the scheduler logs it with its traceback and keeps running
        try:
            db.session.rollback()
        except Exception:  # the connection may be gone as well; the next run starts a new one
            pass
        log.error("%s: %s — %s", what, fault.message, again)
        return False
    return True
