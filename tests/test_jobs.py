"""The schedule is data; the scheduler process is built from it, in the organization's time zone."""
from __future__ import annotations

import pytest

from jobs import schedule, scheduler


def test_the_scheduler_runs_the_daily_reminders_at_the_set_time_and_retries_every_five_minutes(app):
    app.config["REMINDER_TIME"] = "08:30"
    built = scheduler.build(app)
    jobs = {job.id: job for job in built.get_jobs()}
    assert set(jobs) == {"daily-reminders", "retry-delivery"}
    daily = str(jobs["daily-reminders"].trigger)
    assert "hour='8'" in daily and "minute='30'" in daily
    assert str(built.timezone) == "Asia/Bangkok"
    assert jobs["retry-delivery"].trigger.interval.total_seconds() == 300


@pytest.mark.parametrize("value, expected", [("08:30", (8, 30)), (" 7:05 ", (7, 5)), ("23:59", (23, 59))])
def test_reminder_time(value, expected):
    assert schedule.reminder_time(value) == expected


@pytest.mark.parametrize("value", ["8.30", "24:00", "08:60", "soon", ""])
def test_a_bad_reminder_time_says_what_is_expected(value):
    with pytest.raises(ValueError, match="HH:MM"):
        schedule.reminder_time(value)
