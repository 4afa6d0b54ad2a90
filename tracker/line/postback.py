"""Signed postback data for LINE buttons: which action, on which task, for whom.

A button in a LINE message carries `a=done&t=12&s=<signature>`, never a trust-me flag. The signature is an HMAC over the
action, the task id and the LINE user the message was sent to, so data copied out of one person's chat and replayed by
someone else (or edited to point at another task) does not verify. Whether that user may still act on the task is for
the caller to check; this module only proves the button came from us, for this task, to this person.

A button may carry a day too (`a=snoozeto&t=12&d=2026-03-16&s=<signature>`: "put the reminders off to 16 March"),
signed with the rest, so the day a person read on the button is the day they get. A day the person picks themself
(LINE's date picker) is not in the data: it comes in the event's `postback.params`, and the caller checks it. A button
about a photo or file the person sent (attach it to this task) carries the upload too (`a=attach&t=12&u=34&s=...`),
signed alike; a head's button about a piece of evidence waiting for review (accept it, send it back) carries the
evidence (`a=accept&t=12&e=56&s=...`: the evidence's task and the evidence), signed alike.

Pure stdlib: no Flask, no database.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime
from typing import NamedTuple

MAX_DATA = 300  # LINE's limit for a postback action's data
SIGNATURE_HEX = 24  # 96 bits of HMAC-SHA256: plenty for a button, and short
_MAX_ID_DIGITS = 18  # fits a signed 64-bit database id

_ACTION_RE = re.compile(r"[a-z]{1,10}")
# One canonical spelling only: fixed order, no extra keys, no leading zeros, lowercase hex. [0-9], not \d, which would
# also match Thai and other Unicode digits.
_DATA_RE = re.compile(
    rf"a=(?P<action>[a-z]{{1,10}})"
    rf"&t=(?P<task>0|[1-9][0-9]{{0,{_MAX_ID_DIGITS - 1}}})"
    rf"(?:&d=(?P<day>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}))?"
    rf"(?:&u=(?P<upload>[1-9][0-9]{{0,{_MAX_ID_DIGITS - 1}}}))?"
    rf"(?:&e=(?P<evidence>[1-9][0-9]{{0,{_MAX_ID_DIGITS - 1}}}))?"
    rf"&s=(?P<sig>[0-9a-f]{{{SIGNATURE_HEX}}})"
)


class Signed(NamedTuple):
    """What a button's data says, once its signature is checked: the action, the task and the day it carries, if any."""

    action: str
    task_id: int
    day: date | None = None


class SignedUpload(NamedTuple):
    """What an upload's button says (read_upload), once its signature is checked: the action, the task and the photo
    or file sent in the chat (tracker.models.LineUpload)."""

    action: str
    task_id: int
    upload_id: int


class SignedEvidence(NamedTuple):
    """What a review button says (read_evidence), once its signature is checked: the action, the evidence's task and
    the evidence (tracker.models.Evidence)."""

    action: str
    task_id: int
    evidence_id: int


def _signature(action: str, task_id: int, line_user_id: str, secret: str, day: date | None = None,
               upload_id: int | None = None, evidence_id: int | None = None) -> str:
    # Without a day the message is what it has always been (buttons already sent in people's chats keep working);
    # with one, "@<day>" follows the action, which no action contains ([a-z]), so the two kinds never sign alike;
    # an upload is "#<id>" after that, likewise never in an action or a day; a piece of evidence "!<id>" after
    # that, in none of them either.
    what = f"{action}@{day.isoformat()}" if day is not None else action
    if upload_id is not None:
        what += f"#{upload_id}"
    if evidence_id is not None:
        what += f"!{evidence_id}"
    message = f"{what}:{task_id}:{line_user_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:SIGNATURE_HEX]


def _check_secret(secret: str) -> None:
    # An empty key would let anyone who reads this file forge buttons: a configuration error, said loudly.
    if not isinstance(secret, str) or not secret:
        raise ValueError("the postback secret is empty")


def sign(action: str, task_id: int, line_user_id: str, secret: str, *, day: date | None = None,
         upload_id: int | None = None, evidence_id: int | None = None) -> str:
    """Return postback data such as "a=done&t=12&s=<24 hex>" for a button sent to line_user_id (with `day`:
    "a=snoozeto&t=12&d=2026-03-16&s=<24 hex>"; with `upload_id`: "a=attach&t=12&u=34&s=<24 hex>"; with
    `evidence_id`: "a=accept&t=12&e=56&s=<24 hex>")."""
    _check_secret(secret)
    if not isinstance(action, str) or not _ACTION_RE.fullmatch(action):
        raise ValueError(f"postback action must be 1 to 10 letters a-z, not {action!r}")
    if isinstance(task_id, bool) or not isinstance(task_id, int) or not 0 <= task_id < 10**_MAX_ID_DIGITS:
        raise ValueError(f"task id must be a non-negative integer, not {task_id!r}")
    if not isinstance(line_user_id, str) or not line_user_id:
        raise ValueError("a postback is signed for one LINE user; the user id is empty")
    if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
        raise ValueError(f"a postback's day must be a date, not {day!r}")
    if upload_id is not None and (isinstance(upload_id, bool) or not isinstance(upload_id, int)
                                  or not 0 < upload_id < 10**_MAX_ID_DIGITS):
        raise ValueError(f"an upload id must be a positive integer, not {upload_id!r}")
    if evidence_id is not None and (isinstance(evidence_id, bool) or not isinstance(evidence_id, int)
                                    or not 0 < evidence_id < 10**_MAX_ID_DIGITS):
        raise ValueError(f"an evidence id must be a positive integer, not {evidence_id!r}")
    on_day = f"&d={day.isoformat()}" if day is not None else ""
    of_upload = f"&u={upload_id}" if upload_id is not None else ""
    of_evidence = f"&e={evidence_id}" if evidence_id is not None else ""
    signature = _signature(action, task_id, line_user_id, secret, day, upload_id, evidence_id)
    return f"a={action}&t={task_id}{on_day}{of_upload}{of_evidence}&s={signature}"


def verify(data: str, line_user_id: str, secret: str) -> tuple[str, int] | None:
    """Return (action, task_id) if data was signed by sign() without a day for this LINE user, else None (data with
    a day: read())."""
    signed = read(data, line_user_id, secret)
    return (signed.action, signed.task_id) if signed is not None and signed.day is None else None


def read(data: str, line_user_id: str, secret: str) -> Signed | None:
    """Return what data says if it was signed by sign() without an upload or evidence for this LINE user, else None
    (data with an upload: read_upload(); with evidence: read_evidence()).

    line_user_id must come from the webhook event's source (the person who pressed the button), not from the data.
    """
    found = _read(data, line_user_id, secret)
    if found is None or found[3] is not None or found[4] is not None:
        return None
    return Signed(*found[:3])


def read_upload(data: str, line_user_id: str, secret: str) -> SignedUpload | None:
    """Return what data says if it was signed by sign() with an upload (and no day) for this LINE user, else None."""
    found = _read(data, line_user_id, secret)
    if found is None or found[3] is None or found[2] is not None or found[4] is not None:
        return None
    return SignedUpload(found[0], found[1], found[3])


def read_evidence(data: str, line_user_id: str, secret: str) -> SignedEvidence | None:
    """Return what data says if it was signed by sign() with a piece of evidence (and no day or upload) for this
    LINE user, else None."""
    found = _read(data, line_user_id, secret)
    if found is None or found[4] is None or found[2] is not None or found[3] is not None:
        return None
    return SignedEvidence(found[0], found[1], found[4])


def _read(data: str, line_user_id: str,
          secret: str) -> tuple[str, int, date | None, int | None, int | None] | None:
    _check_secret(secret)
    if not isinstance(data, str) or len(data) > MAX_DATA:
        return None
    if not isinstance(line_user_id, str) or not line_user_id:
        return None
    match = _DATA_RE.fullmatch(data)
    if match is None:
        return None
    action, task_id = match["action"], int(match["task"])
    try:
        day = date.fromisoformat(match["day"]) if match["day"] else None
    except ValueError:  # 2026-02-30: never signed
        return None
    upload_id = int(match["upload"]) if match["upload"] else None
    evidence_id = int(match["evidence"]) if match["evidence"] else None
    expected = _signature(action, task_id, line_user_id, secret, day, upload_id, evidence_id)
    if not hmac.compare_digest(expected, match["sig"]):
        return None
    return action, task_id, day, upload_id, evidence_id
