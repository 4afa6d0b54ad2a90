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
from ..publish.results import build, public_evidence_url, round_for, round_named
from ..thai import BEDateError, is_plausible_be_year, parse_be_date

bp = Blueprint("reports", __name__)


@bp.get("/reports/results")
@login_required
def results():
    require(current_user, Action.VIEW_ORGANIZATION)
    year_be = request.args.get("year", type=int)
    fmt = request.args.get("format", "pdf")
    if year_be is None or not is_plausible_be_year(year_be) or fmt not in documents.FORMATS:
        abort(404)  # a year no plan can be of (0, 99999) has no report, rather than dates `date` cannot hold
    today = clock.today()
    typed = (request.args.get("as_of") or "").strip()
    if typed:
        try:
            chosen = round_for(year_be, parse_be_date(typed), today)
        except BEDateError as error:
            raise DomainError(f"วันที่ของรายงาน: {error}") from None
    else:
        chosen = round_named(year_be, request.args.get("round", "latest"), today)
    signer = one_line(request.args.get("signer"), "ชื่อผู้ลงนาม", 200)
    try:
        report = build(current_user.organization, year_be, chosen,
                       evidence_url=public_evidence_url, thai_digits=bool(request.args.get("thai_digits")),
                       signer_name=signer, today=today)
    except NoSuchPlan:
        abort(404)
    response = Response(documents.render(report, fmt), mimetype=documents.media_type(fmt))
    response.headers["Content-Disposition"] = f"attachment; filename={documents.filename(report, fmt)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
