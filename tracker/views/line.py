"""LINE's side door: the webhook, the account-link pages, unlinking, and a division's group code."""
from __future__ import annotations

import io
import json
import logging
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..access import Action, get_division, require
from ..errors import DomainError
from ..extensions import csrf, db
from ..faults import database_fault
from ..forms import LinkForm
from ..line import linking
from ..line import webhook as line_webhook
from ..line.account import add_friend_url, organization_for
from ..line.channel import channel_for, credentials_for, valid_signature
from ..models import Source

log = logging.getLogger(__name__)
bp = Blueprint("line", __name__)


# The largest event LINE sends, with room to spare: a 5,000-character text message, its JSON and its envelope.
EVENT_BYTES = 32 * 1024


@bp.post("/line/webhook")
@csrf.exempt  # LINE cannot send our CSRF token; the channel secret's signature authenticates it instead
def webhook():
    # Bounded before it is read: LINE_WEBHOOK_MAX_EVENTS events of the largest kind, not the 11 MB an upload may be.
    request.max_content_length = current_app.config["LINE_WEBHOOK_MAX_EVENTS"] * EVENT_BYTES
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        size = f"{request.content_length} bytes" if request.content_length is not None else "unknown length"
        log.warning("LINE webhook: a body of %s refused, over the %d bytes of LINE_WEBHOOK_MAX_EVENTS events",
                    size, request.max_content_length)
        return Response("too large", status=413, mimetype="text/plain")
    try:
        payload = json.loads(body)
        events = payload["events"]
        if not isinstance(events, list):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return Response("bad request", status=400, mimetype="text/plain")
    destination = payload.get("destination")
    try:
        return _handle_batch(body, destination if isinstance(destination, str) else None, events)
    except Exception as error:
        fault = database_fault(error)
        if fault is None:
            raise
        _rollback()
        # The database cannot be used now (locked, read-only, unreachable): answer 500 so that LINE sends the batch
        # again (it redelivers on a non-2xx answer when the channel's webhook redelivery is on). The events handled
        # before this one are kept with their webhookEventId, so the redelivery does not do them twice.
        log.error("LINE webhook: %s", fault.message)
        return Response("database unavailable", status=500, mimetype="text/plain")


def _handle_batch(body: bytes, destination: str | None, events: list) -> Response:
    organization = organization_for(destination)
    secret = credentials_for(organization.id).secret if organization else None
    if organization is None or not secret or not valid_signature(body, request.headers.get("X-Line-Signature", ""),
                                                                 secret):
        return Response("bad signature", status=400, mimetype="text/plain")
    channel = channel_for(organization.id)
    # LINE sends a few events a call; a batch of thousands (never LINE's in practice) would hold this worker, a reply
    # to LINE per event, until it is killed. The first LINE_WEBHOOK_MAX_EVENTS are handled and the rest dropped, said
    # in one line, with a 200: a non-2xx brings the same batch back only if the channel has webhook redelivery on,
    # whole, cut at the same place again (its first events now skipped as handled), so refusing would save nothing.
    bound = current_app.config["LINE_WEBHOOK_MAX_EVENTS"]
    if len(events) > bound:
        dropped = events[bound:]
        log.warning("LINE webhook: %d events in one call, over LINE_WEBHOOK_MAX_EVENTS=%d: the last %d dropped "
                    "unhandled, from %s to %s", len(events), bound, len(dropped), line_webhook.event_label(dropped[0]),
                    line_webhook.event_label(dropped[-1]))
        events = events[:bound]
    for event in events:
        # Each event on its own: one of an unexpected shape is logged and skipped by handle() itself; one that
        # fails for another reason (a bug) is rolled back, logged with its traceback and skipped, and the rest of
        # the batch is still handled. An unavailable database goes up to webhook(), which answers 500.
        try:
            line_webhook.handle(organization, event, channel)
        except Exception as error:
            _rollback()
            if database_fault(error) is not None:
                raise
            log.exception("LINE event %s failed; skipped, the batch goes on", line_webhook.event_label(event))
    return Response("OK", status=200, mimetype="text/plain")


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone too; the session starts afresh on the next request
        log.warning("rollback failed", exc_info=True)


@bp.get("/line/link")
@login_required
def link():
    """Step two of LINE's account link: the person signed in confirms that this LINE account is theirs."""
    token = request.args.get("linkToken", "")
    if not token or len(token) > 200:
        abort(400)
    return render_template("line/link.html", form=LinkForm(link_token=token))


@bp.post("/line/link")
@login_required
def confirm_link():
    form = LinkForm()
    if not form.validate_on_submit():
        abort(400)
    nonce = linking.new_nonce(current_user, current_user)
    db.session.commit()
    query = urlencode({"linkToken": form.link_token.data, "nonce": nonce.nonce})
    return redirect(f"{linking.ACCOUNT_LINK_URL}?{query}")


@bp.post("/profile/line/unlink")
@login_required
def unlink():
    linking.unlink(current_user, current_user, source=Source.WEB)
    db.session.commit()
    flash("ยกเลิกการเชื่อม LINE แล้ว — จะไม่ได้รับการแจ้งเตือนทาง LINE", "success")
    return redirect(url_for("auth.profile"))


@bp.get("/line/qr.svg")
@login_required
def qr_code():
    """The Official Account's add-friend QR code, drawn here: no image from another site."""
    import segno

    basic_id = current_user.organization.line_basic_id
    if not basic_id:
        abort(404)
    # A whole SVG document: its xmlns is what lets an <img> draw it (svg_inline leaves it out, for inline markup).
    image = io.BytesIO()
    segno.make(add_friend_url(basic_id), error="m").save(
        image, kind="svg", scale=6, border=2, xmldecl=False, title=f"LINE {basic_id}")
    return Response(image.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.post("/divisions/<int:division_id>/line-group/code")
@login_required
def group_code(division_id: int):
    division = get_division(current_user, division_id)
    require(current_user, Action.MANAGE_LINE_GROUP, division)
    try:
        code = linking.new_group_code(division, current_user, source=Source.WEB)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"รหัสเชื่อมกลุ่ม: {code} — เชิญบัญชีแจ้งเตือนเข้ากลุ่ม LINE ของกอง แล้วพิมพ์รหัสนี้ในกลุ่ม "
              "(ใช้ได้ 30 นาที ครั้งเดียว)", "success")
    return redirect(url_for("divisions.board", division_id=division.id))


@bp.post("/divisions/<int:division_id>/line-group/detach")
@login_required
def detach_group(division_id: int):
    division = get_division(current_user, division_id)
    require(current_user, Action.MANAGE_LINE_GROUP, division)
    linking.detach_group(division, current_user, source=Source.WEB)
    db.session.commit()
    flash("ยกเลิกกลุ่ม LINE ของกองแล้ว", "success")
    return redirect(url_for("divisions.board", division_id=division.id))
