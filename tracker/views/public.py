"""The public disclosure page of an agency's ITA plan and its results, and the report files: no sign-in.

`/o/<agency id>/<fiscal year BE>` is an address an agency gives the ITA for its OIT items (O25, the plan; O26, its
results, in 2569): it stays the same while the plan is edited, each OIT item has its anchor (#O25, #O26; also #plan
and #results whatever the year's numbering), and each measure one of its own (#m1). It shows the ITA scores, each
measure with its indicators, period, divisions, steps and where each stands, the percent, the result, the problems
and the public evidence; never a person's name, username or LINE id (Thailand's PDPA), nor an unpublished file.

Pages and files are kept between requests like the signed-in pages (pagecache): keyed on the organization's
revision and today, never on who asks.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, redirect, render_template, send_file, url_for

from .. import clock, evidence
from ..extensions import cache, db
from ..models import OitItem, OitPurpose, Organization
from ..oit import oit_item
from ..plans.current import NoSuchPlan, assessment_for
from ..publish import documents
from ..publish.results import (
    Round,
    build,
    plan_of,
    public_evidence,
    public_evidence_url,
    round_for,
    rounds,
    years_with_plans,
)
from ..thai import fiscal_year_bounds, fiscal_year_of
from .pagecache import public_key

bp = Blueprint("public", __name__, url_prefix="/o")

ROUNDS = ("6m", "12m", "latest")  # the report files' rounds: 6 months, 12 months, the year so far


def _organization(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        abort(404)
    return organization


@bp.get("/<int:organization_id>")
def current(organization_id: int):
    """The agency's page of the current fiscal year (or its newest plan's)."""
    years = years_with_plans(_organization(organization_id).id)
    if not years:
        abort(404)
    today_year = fiscal_year_of(clock.today())
    return redirect(url_for(".page", organization_id=organization_id,
                            year_be=today_year if today_year in years else years[0]))


@bp.get("/<int:organization_id>/<int:year_be>")
def page(organization_id: int, year_be: int):
    organization = _organization(organization_id)
    key = public_key(f"page:{year_be}", organization)
    html = cache.get(key)
    if html is None:
        html = _render_page(organization, year_be)
        cache.set(key, html)
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=300"  # the same for everyone; a change shows within minutes
    return response


def _render_page(organization: Organization, year_be: int) -> str:
    today = clock.today()
    _, year_end = fiscal_year_bounds(year_be)
    as_of = min(today, year_end)
    try:
        report = build(organization, year_be, round_for(year_be, as_of, today), evidence_url=public_evidence_url,
                       today=today)
    except NoSuchPlan:
        abort(404)
    assessment = assessment_for(organization.id, year_be)
    downloads = [(name, r) for name, r in zip(("6m", "12m"), rounds(year_be), strict=True) if r.as_of <= today]
    return render_template(
        "publish/public.html", report=report, organization=organization, assessment=assessment,
        years=years_with_plans(organization.id), downloads=downloads, formats=documents.FORMATS,
        plan_item=_plan_item(organization, year_be), today=today,
    )


def _plan_item(organization: Organization, year_be: int) -> OitItem | None:
    return oit_item(plan_of(organization, year_be).fiscal_year, OitPurpose.PLAN)


@bp.get("/<int:organization_id>/evidence/<int:evidence_id>")
def evidence_file(organization_id: int, evidence_id: int):
    """A file a head accepted and made public; any other is not found (not "forbidden": nothing is told of it)."""
    item = public_evidence(organization_id, evidence_id)
    if item is None or not item.file_path:
        abort(404)
    path = evidence.path_of(item.file_path)
    if not path.exists():
        abort(404)
    # Always a download, never rendered inline: an uploaded file must not run in our origin.
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.file_name)


@bp.get("/<int:organization_id>/<int:year_be>/report-<rnd>.<fmt>")
def report_file(organization_id: int, year_be: int, rnd: str, fmt: str):
    """The results report of a round as PDF, DOCX or XLSX, as the agency publishes it (signature left to sign)."""
    organization = _organization(organization_id)
    if rnd not in ROUNDS or fmt not in documents.FORMATS:
        abort(404)
    today = clock.today()
    chosen = _round(year_be, rnd, today)
    key = public_key(f"report:{year_be}:{rnd}:{fmt}", organization)
    kept = cache.get(key)
    if kept is None:
        try:
            report = build(organization, year_be, chosen, evidence_url=public_evidence_url, today=today)
        except NoSuchPlan:
            abort(404)
        kept = documents.filename(report, fmt), documents.render(report, fmt)
        cache.set(key, kept)
    filename, content = kept
    response = Response(content, mimetype=documents.media_type(fmt))
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _round(year_be: int, rnd: str, today: date) -> Round:
    six, twelve = rounds(year_be)
    if rnd == "latest":
        _, year_end = fiscal_year_bounds(year_be)
        return round_for(year_be, min(today, year_end), today)
    chosen = six if rnd == "6m" else twelve
    if chosen.as_of > today:
        abort(404)  # a round not ended yet has no report
    return chosen
