"""A day's digest as LINE messages: its text from templates/line/digest.txt (inside LINE's 5,000-character limit),
then its tasks as a carousel with the same buttons as the chat's, then, for a head (or the administrator), the
oldest evidence waiting for their review as a carousel with ผ่าน and ส่งกลับแก้ไข (tracker.line.answers)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import render_template

from ..evidence import NeedsWork
from ..labels import NOT_DONE, state_text
from ..line import flex, postback
from ..line.channel import MAX_TEXT
from ..line.flex import ReviewCard
from ..line.replies import measure_line
from .policy import Digest, GroupDigest

MAX_LISTED = 10  # a longer list is cut with a link to the rest: a message people read on a phone, not a report
MAX_REVIEWS = 3  # pieces of evidence a head's digest offers to review, oldest first; the rest on /reviews


@dataclass(frozen=True)
class Reviews:
    """The evidence waiting for one person's review, as their digest lists it: the oldest few, and how many wait."""

    cards: tuple[ReviewCard, ...]
    total: int


NO_REVIEWS = Reviews((), 0)


@dataclass(frozen=True)
class Accepted:
    """A piece of a person's evidence a head accepted since their last digest: their next digest says so."""

    task_id: int
    step_text: str
    what: str  # its file's name, or its link (tracker.evidence.describe)


def render_digest(digest: Digest | GroupDigest, base_url: str, needs_work: Sequence[NeedsWork] = (),
                  waiting_review: int = 0, reviews: Reviews = NO_REVIEWS,
                  accepted: Sequence[Accepted] = ()) -> str:
    """Render everything one person (or a division's group) gets on one day as one text message, with the evidence
    of theirs a head sent back (`needs_work`, tracker.evidence.needing_work_for) and why, in a weekly digest how
    much of the division's evidence waits for its head (`waiting_review`, tracker.evidence.waiting_by_division), and
    for a head the evidence waiting for them to accept or send back (`reviews`: its buttons follow the text), and
    the person's evidence accepted since their last digest (`accepted`)."""
    listed = digest.reminders[:MAX_LISTED]
    text = render_template(
        "line/digest.txt",
        digest=digest,
        listed=listed,
        more=len(digest.reminders) - len(listed),
        needs_work=needs_work[:MAX_LISTED],
        waiting_review=waiting_review,
        reviews=reviews,
        accepted=accepted[:MAX_LISTED],
        base_url=base_url,
        measure_line=measure_line,  # as LINE `สรุป` lists a measure
    ).strip()
    if len(text) > MAX_TEXT:  # very long step texts: cut rather than have LINE refuse the message
        text = text[: MAX_TEXT - 60].rstrip() + f"\n…\nดูทั้งหมด: {base_url}/tasks"
    return text


def digest_messages(
    digest: Digest | GroupDigest, text: str, base_url: str, binding: str | None, secret: str,
    reviews: Reviews = NO_REVIEWS,
) -> list[dict]:
    """The LINE message objects of a digest: its text (as render_digest made it), then its tasks as a carousel with
    the same buttons as the chat's, then the evidence waiting for the person's review with ผ่าน and ส่งกลับแก้ไข
    (one push of up to five objects counts as one message per recipient: the buttons cost nothing more).

    `binding` is the LINE user or group id the postback buttons are signed for; without one, text only.
    """
    body = flex.text(text)
    if not binding:
        return [body]
    messages = [body]
    if digest.reminders:
        messages.append(_task_carousel(digest, base_url, binding, secret))
    if reviews.cards:
        messages.append(flex.review_carousel(
            reviews.cards, base_url=base_url, total=reviews.total,
            postback=lambda action, card: postback.sign(action, card.task_id, binding, secret,
                                                        evidence_id=card.id),
            alt_text=f"หลักฐานรอตรวจ {reviews.total} รายการ",
        ))
    return messages


def message_tasks(digest: Digest | GroupDigest, messages: Sequence[dict]) -> list[list[int]]:
    """The task ids each of a digest's messages (as digest_messages made them) carries, in their order: the text, the
    digest's tasks; the task carousel, its cards' (the first MAX_BUBBLES - 1 when the rest are behind a link); the
    evidence to review, none (a piece's task is not the reviewer's to report on). Recorded with LINE's message ids
    once sent, so that a photo quoting one of them goes to its task (tracker/line/uploads.py)."""
    ids = [r.task.id for r in digest.reminders]
    carried: list[list[int]] = [ids]
    if len(messages) > 1 and ids:
        carried.append(ids if len(ids) <= flex.MAX_BUBBLES else ids[:flex.MAX_BUBBLES - 1])
    carried += [[] for _ in range(len(messages) - len(carried))]
    return carried[:len(messages)]


def _task_carousel(digest: Digest | GroupDigest, base_url: str, binding: str, secret: str) -> dict:
    cards = [
        flex.TaskCard(
            id=r.task.id, measure_order=r.task.measure_order, measure_title=r.task.measure_title,
            step_number=r.task.step_number, step_text=r.task.step_text, division_name=r.task.division_name,
            due=r.task.due, state_kind=r.state.kind.value, state_text=state_text(r.state), status_label=NOT_DONE,
            done=False,
        )
        for r in digest.reminders
    ]
    return flex.task_carousel(
        cards, base_url=base_url,
        postback=lambda action, task_id: postback.sign(action, task_id, binding, secret),
        alt_text=f"งานที่ต้องติดตาม {len(cards)} งาน", more_url=f"{base_url}/tasks",
    )
