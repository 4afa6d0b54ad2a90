"""Signed postback data for LINE buttons: which action, on which task, for whom.

A button in a LINE message carries `a=done&t=12&s=<signature>`, never a trust-me flag. The signature is an HMAC over the
action, the task id and the LINE user the message was sent to, so data copied out of one person's chat and replayed by
someone else (or edited to point at another task) does not verify. Whether that user may still act on the task is for
the caller to check; this module only proves the button came from us, for this task, to this person.

Pure stdlib: no Flask, no database.
"""
from __future__ import annotations

import hashlib
import hmac
import re

MAX_DATA = 300  # LINE's limit for a postback action's data
SIGNATURE_HEX = 24  # 96 bits of HMAC-SHA256: plenty for a button, and short
_MAX_ID_DIGITS = 18  # fits a signed 64-bit database id

_ACTION_RE = re.compile(r"[a-z]{1,10}")
# One canonical spelling only: fixed order, no extra keys, no leading zeros, lowercase hex. [0-9], not \d, which would
# also match Thai and other Unicode digits.
_DATA_RE = re.compile(
    rf"a=(?P<action>[a-z]{{1,10}})"
    rf"&t=(?P<task>0|[1-9][0-9]{{0,{_MAX_ID_DIGITS - 1}}})"
    rf"&s=(?P<sig>[0-9a-f]{{{SIGNATURE_HEX}}})"
)


def _signature(action: str, task_id: int, line_user_id: str, secret: str) -> str:
    message = f"{action}:{task_id}:{line_user_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:SIGNATURE_HEX]


def _check_secret(secret: str) -> None:
    # An empty key would let anyone who reads this file forge buttons: a configuration error, said loudly.
    if not isinstance(secret, str) or not secret:
        raise ValueError("the postback secret is empty")


def sign(action: str, task_id: int, line_user_id: str, secret: str) -> str:
    """Return postback data such as "a=done&t=12&s=<24 hex>" for a button sent to line_user_id."""
    _check_secret(secret)
    if not isinstance(action, str) or not _ACTION_RE.fullmatch(action):
        raise ValueError(f"postback action must be 1 to 10 letters a-z, not {action!r}")
    if isinstance(task_id, bool) or not isinstance(task_id, int) or not 0 <= task_id < 10**_MAX_ID_DIGITS:
        raise ValueError(f"task id must be a non-negative integer, not {task_id!r}")
    if not isinstance(line_user_id, str) or not line_user_id:
        raise ValueError("a postback is signed for one LINE user; the user id is empty")
    return f"a={action}&t={task_id}&s={_signature(action, task_id, line_user_id, secret)}"


def verify(data: str, line_user_id: str, secret: str) -> tuple[str, int] | None:
    """Return (action, task_id) if data was signed by sign() for this LINE user, else None.

    line_user_id must come from the webhook event's source (the person who pressed the button), not from the data.
    """
    _check_secret(secret)
    if not isinstance(data, str) or len(data) > MAX_DATA:
        return None
    if not isinstance(line_user_id, str) or not line_user_id:
        return None
    match = _DATA_RE.fullmatch(data)
    if match is None:
        return None
    action, task_id = match["action"], int(match["task"])
    expected = _signature(action, task_id, line_user_id, secret)
    if not hmac.compare_digest(expected, match["sig"]):
        return None
    return action, task_id
