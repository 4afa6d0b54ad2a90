"""The scheduler process: `tracker scheduler`. Its own process, never inside web workers (each worker would run
every job); APScheduler 3.11, the stable line (4.0 is still alpha)."""
from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from tracker.faults import database_fault
from tracker.processes import ensure_no_app_context, outside_app_context

from . import schedule, work

log = logging.getLogger(__name__)


def in_app_context(app: Flask, run):
    def job() -> None:
        name = getattr(run, "__name__", run)
        try:
            with app.app_context():  # its teardown ends the session, which may meet the database too
                run()
        except Exception as error:
            fault = database_fault(error)
            if fault is not None:
                # The jobs log these themselves; one that escapes them is still one line, and the job runs again at
                # its next time. A database error never ends the process.
                log.error("job %s: %s", name, fault.message)
                return
            log.exception("job %s failed", name)
            raise  # APScheduler logs it too and keeps the schedule running

    return job


def build(app: Flask) -> BlockingScheduler:
    """Return a scheduler holding the jobs of the schedule, in the organization's time zone."""
    scheduler = BlockingScheduler(
        timezone=app.config["TIMEZONE"],  # the ZoneInfo clock.local_zone() gives too
        # A job missed while the process was down runs once when it comes back, not once per missed slot.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for job in schedule.jobs(app.config):
        scheduler.add_job(in_app_context(app, job.run), job.trigger, id=job.id, name=job.id, **job.when)
    return scheduler


def start_up(app: Flask) -> None:
    """Catch up on today's reminders if started after their time; never stop the process from starting.

    A database that cannot be used is logged in one line (the retry job sweeps once it is back); any other error is
    logged with its traceback, and the schedule starts anyway: its jobs try again at their times.
    """
    try:
        with app.app_context():
            if work.start_up():
                log.info("started after the reminder time: today's reminders were swept and delivered")
    except Exception as error:
        fault = database_fault(error)
        if fault is not None:
            log.error("start-up: %s", fault.message)
        else:
            log.exception("start-up catch-up failed; the schedule starts anyway")


def run(app: Flask) -> None:
    """Catch up on today's reminders if started late, then run the schedule until stopped, outside the app context the
    command was started in: each job run pushes its own, so nothing of one run (`g`, the database session and the rows
    it holds) is seen by the next (tracker/processes.py)."""
    outside_app_context(_run, app)


def _run(app: Flask) -> None:
    ensure_no_app_context("tracker scheduler")
    # A process of its own: say what it does on stderr, where a service manager collects it.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    start_up(app)
    scheduler = build(app)
    for job in scheduler.get_jobs():
        log.info("scheduled %s: %s", job.id, job.trigger)
    scheduler.start()
