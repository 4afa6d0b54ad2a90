"""The results report downloaded from the dashboard: a round (or a day typed in the Buddhist Era), a format, Thai
digits or not, and the executive's name for the signature block, which is printed, never stored."""
from __future__ import annotations

from flask import Blueprint, Response, abort, request
from flask_login import current_user, login_required

from .. import clock
from ..access import Action, require
from ..errors import DomainError
from ..fields import one_line
from ..plans.current import NoSuchPlan
from ..publish import documents
from ..publish.results import build, public_evidence_url, round_for, rounds
from ..thai import BEDateError, fiscal_year_bounds, parse_be_date

bp = Blueprint("reports", __name__)


@bp.get("/reports/results")
@login_required
def results():
    require(current_user, Action.VIEW_ORGANIZATION)
    year_be = request.args.get("year", type=int)
    fmt = request.args.get("format", "pdf")
    if year_be is None or fmt not in documents.FORMATS:
        abort(404)
    today = clock.today()
    typed = (request.args.get("as_of") or "").strip()
    chosen = request.args.get("round", "latest")
    if typed:
        try:
            as_of = parse_be_date(typed)
        except BEDateError as error:
            raise DomainError(f"วันที่ของรายงาน: {error}") from None
    elif chosen in ("6m", "12m"):
        as_of = rounds(year_be)[0 if chosen == "6m" else 1].as_of
    else:
        as_of = min(today, fiscal_year_bounds(year_be)[1])
    signer = one_line(request.args.get("signer"), "ชื่อผู้ลงนาม", 200)
    try:
        report = build(current_user.organization, year_be, round_for(year_be, as_of, today),
                       evidence_url=public_evidence_url, thai_digits=bool(request.args.get("thai_digits")),
                       signer_name=signer, today=today)
    except NoSuchPlan:
        abort(404)
    response = Response(documents.render(report, fmt), mimetype=documents.media_type(fmt))
    response.headers["Content-Disposition"] = f"attachment; filename={documents.filename(report, fmt)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
