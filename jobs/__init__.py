"""Scheduled jobs, run by their own process (never inside web workers): the reminder sweep and delivery."""
