"""Outgoing LINE texts, one template per kind under templates/line/, kept inside LINE's 5,000-character limit."""
from __future__ import annotations

from flask import render_template

from .line import MAX_TEXT
from .reminders import Digest

MAX_LISTED = 10  # a longer list is cut with a link to the rest: a message people read on a phone, not a report


def render_digest(digest: Digest, base_url: str) -> str:
    """Render everything one person gets on one day as one text message."""
    base_url = base_url.rstrip("/")
    listed = digest.reminders[:MAX_LISTED]
    text = render_template(
        "line/digest.txt",
        digest=digest,
        listed=listed,
        more=len(digest.reminders) - len(listed),
        base_url=base_url,
    ).strip()
    if len(text) > MAX_TEXT:  # very long step texts: cut rather than have LINE refuse the message
        text = text[: MAX_TEXT - 60].rstrip() + f"\n…\nดูทั้งหมด: {base_url}/tasks"
    return text
