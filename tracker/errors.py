"""Domain errors: a rule a person broke, with a message to show them (Thai first) and the HTTP status it means."""
from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses: the message is for the person, the status for the response."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
