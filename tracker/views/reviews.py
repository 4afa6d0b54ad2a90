"""The review queue (หลักฐานรอตรวจ): the evidence waiting for a head, oldest first, each accepted or sent back here.

Rendered for each request, never kept (pagecache): every item carries a form, and the queue is read to be emptied.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import evidence
from ..access import Action, get_division, get_evidence, require
from ..errors import DomainError
from ..extensions import db
from ..forms import ReviewForm
from ..labels import SAME_FILE_ELSEWHERE
from ..models import Division, Source

bp = Blueprint("reviews", __name__)


def form_key(evidence_id: int) -> str:
    """The prefix of a piece's review form: the queue holds one per piece."""
    return f"review-{evidence_id}"


def _division() -> Division | None:
    """The division the queue is narrowed to (?division=ID, from a division's board), or None for all of the
    person's; another organization's id is not found."""
    division_id = request.args.get("division", type=int)
    return get_division(current_user, division_id) if division_id is not None else None


def _page(division: Division | None, status: int = 200, **given: ReviewForm):
    items = evidence.waiting(current_user, division.id if division else None)
    # A refused form comes back as it was typed, its error under the reason; every other piece a fresh one.
    forms: dict[int, ReviewForm] = {}
    for item in items:
        key = form_key(item.id)
        forms[item.id] = given[key] if key in given else ReviewForm(prefix=key)
    # The pieces whose file is also evidence of another task (the same bytes sent twice): one query for the page.
    same_file = evidence.same_file_elsewhere(items)
    return render_template("reviews/index.html", items=items, forms=forms, division=division,
                           same_file=same_file, same_file_label=SAME_FILE_ELSEWHERE), status


@bp.get("/reviews")
@login_required
def index():
    require(current_user, Action.REVIEW_EVIDENCE)
    return _page(_division())


@bp.post("/reviews/<int:evidence_id>")
@login_required
def review(evidence_id: int):
    """Accept a piece of evidence, or send it back with the reason, and come back to the queue."""
    item = get_evidence(current_user, evidence_id)
    require(current_user, Action.REVIEW_EVIDENCE, item)
    division = _division()
    key = form_key(item.id)
    form = ReviewForm(prefix=key)
    if not form.validate_on_submit() or not (form.accept.data or form.needs_work.data):
        abort(400)  # a missing token (CSRFProtect answers first), or neither button
    accepted = bool(form.accept.data)
    try:
        changed = evidence.review(item, current_user, accepted, form.reason.data, source=Source.WEB)
    except DomainError as error:
        db.session.rollback()
        form.reason.errors.append(error.message)
        flash(error.message, "error")
        return _page(division, 400, **{key: form})
    db.session.commit()
    name = evidence.describe(item)
    if not changed:
        flash(f"ไม่มีอะไรเปลี่ยนแปลง: {name}", "success")
    elif accepted:
        flash(f"ตรวจแล้ว: {name} ผ่าน", "success")
    else:
        flash(f"ส่งกลับให้แก้ไขแล้ว: {name} — ผู้แนบเห็นเหตุผลในหน้างานและในการแจ้งเตือน LINE ครั้งถัดไป", "success")
    # Typed Any: to mypy the keywords could be url_for's own (_external: bool).
    back: dict[str, Any] = {"division": division.id} if division else {}
    return redirect(url_for("reviews.index", **back))
