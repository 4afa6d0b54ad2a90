"""The schedule is data; the scheduler process is built from it, in the organization's time zone."""
from __future__ import annotations

from datetime import time

from jobs import scheduler


def test_the_scheduler_runs_the_daily_reminders_at_the_set_time_and_retries_every_five_minutes(app):
    app.config["REMINDER_TIME"] = time(8, 30)
    built = scheduler.build(app)
    jobs = {job.id: job for job in built.get_jobs()}
    assert set(jobs) == {"daily-reminders", "retry-delivery"}
    daily = str(jobs["daily-reminders"].trigger)
    assert "hour='8'" in daily and "minute='30'" in daily
    assert str(built.timezone) == "Asia/Bangkok"
    assert jobs["retry-delivery"].trigger.interval.total_seconds() == 300
