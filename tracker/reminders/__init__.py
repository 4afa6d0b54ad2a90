"""Reminders over LINE, in the order they happen:

    policy.py    pure: which digests are due for whom on a day (lead times, overdue cadence, weekly summaries, the
                 escalation ladder, the idle nudge, people's pauses and quiet days)
    inputs.py    an organization's tasks, people and calendar, read for the policy
    digest.py    a digest rendered as LINE messages (templates/line/digest.txt and a Flex carousel)
    outbox.py    sweep: the day's digests into Notification rows, the steps reached recorded on the tasks; deliver:
                 claim, commit, send, record
    forecast.py  messages per day and month, against LINE's real quota
    settings.py  the organization's lead times, overdue cadence and ladder; a task's own lead times; a person's pause,
                 quiet days, LINE or none
"""
