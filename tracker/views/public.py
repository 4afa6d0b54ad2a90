"""The public disclosure page of an agency's ITA plan and its results, and the report files: no sign-in.

`/o/<agency id>/<fiscal year BE>` is an address an agency gives the ITA for its OIT items (O25, the plan; O26, the
results of the plan of the year the item shows: the previous year's in 2569, OitItem.plan_year_offset; the items
are the agency type's): it stays the same while the plan is edited, each OIT item has its anchor (#O25, #O26; also #plan
and #results whatever the year's numbering), and each measure one of its own (#m1). It shows the ITA scores, each
measure with its indicators, period, divisions, steps and where each stands, the percent, the result, the problems
and the public evidence; never a person's name, username or LINE id (Thailand's PDPA), nor an unpublished file.

Pages and files are kept between requests like the signed-in pages (pagecache): keyed on the organization's
revision and today, never on who asks.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for

from .. import clock
from ..extensions import cache, db
from ..models import OitPurpose, Organization
from ..oit import item_of
from ..oit import plan_year as oit_plan_year
from ..plans.current import NoSuchPlan, assessment_for, plan_of_year, plan_years
from ..publish import documents
from ..publish.model import ResultsReport
from ..publish.results import ROUND_NAMES, build, public_evidence, public_evidence_url, round_named, rounds
from ..thai import fiscal_year_of
from . import send_evidence_file
from .pagecache import public_key

bp = Blueprint("public", __name__, url_prefix="/o")

def _organization(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        abort(404)
    return organization


@bp.get("/<int:organization_id>")
def current(organization_id: int):
    """The agency's page of the current fiscal year (or its newest plan's)."""
    years = [plan.year_be for plan in plan_years(_organization(organization_id).id)]
    if not years:
        abort(404)
    today_year = fiscal_year_of(clock.today())
    return redirect(url_for(".page", organization_id=organization_id,
                            year_be=today_year if today_year in years else years[0]))


@bp.get("/<int:organization_id>/<fiscal_year:year_be>")
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
    """The page of an assessment year: the plan under its plan item (O25), and under the results item (O26) the
    results of the plan of the fiscal year the item shows (its data: 2569's O26 shows the 2568 plan's results);
    a section whose year has no plan says so."""
    today = clock.today()
    plan = plan_of_year(organization.id, year_be)
    if plan is None:
        abort(404)
    plan_item = item_of(organization, year_be, OitPurpose.PLAN)
    results_item = item_of(organization, year_be, OitPurpose.RESULTS)
    plan_year_shown = oit_plan_year(plan_item) if plan_item else year_be
    results_year = oit_plan_year(results_item) if results_item else year_be
    reports: dict[int, ResultsReport | None] = {}

    def report_of(year: int) -> ResultsReport | None:
        if year not in reports:
            shown = plan if year == year_be else plan_of_year(organization.id, year)
            reports[year] = None if shown is None else build(
                organization, year, round_named(year, "latest", today), evidence_url=public_evidence_url,
                today=today, plan=shown, results_item=results_item if year == results_year else None)
        return reports[year]

    results = report_of(results_year)
    assessment = assessment_for(organization.id, year_be)

    def ended(year: int) -> list:
        return [(name, r) for name, r in zip(("6m", "12m"), rounds(year), strict=True) if r.as_of <= today]

    # The results item shows another year's plan (2569's O26: 2568's): the page's own plan as it stands follows, under
    # an anchor of its own, so its progress and its 6-month report stay public.
    progress = report_of(year_be) if results_year != year_be else None
    return render_template(
        "publish/public.html", report=report_of(year_be), plan_report=report_of(plan_year_shown),
        plan_year=plan_year_shown, year_be=year_be,
        results=results, results_year=results_year, organization=organization, assessment=assessment,
        years=[p.year_be for p in plan_years(organization.id)], downloads=ended(results_year) if results else [],
        progress=progress, progress_downloads=ended(year_be),
        formats=documents.FORMATS, plan_item=plan_item, results_item=results_item, today=today,
    )


@bp.get("/<int:organization_id>/evidence/<int:evidence_id>")
@bp.get("/<int:organization_id>/evidence/<int:evidence_id>/files/<int:file_id>")
def evidence_file(organization_id: int, evidence_id: int, file_id: int | None = None):
    """A file of evidence a head accepted and made public (without a file's id, its first: the addresses of reports
    made before a piece could hold several files); any other is not found (not "forbidden": nothing is told of it)."""
    item = public_evidence(organization_id, evidence_id)
    if item is None:
        abort(404)
    return send_evidence_file(item, file_id)


@bp.get("/<int:organization_id>/<fiscal_year:year_be>/report-<rnd>.<fmt>")
def report_file(organization_id: int, year_be: int, rnd: str, fmt: str):
    """The results report of a round as PDF, DOCX or XLSX, as the agency publishes it (signature left to sign)."""
    organization = _organization(organization_id)
    if rnd not in ROUND_NAMES or fmt not in documents.FORMATS:
        abort(404)
    today = clock.today()
    chosen = round_named(year_be, rnd, today)
    if rnd != "latest" and chosen.as_of > today:
        abort(404)  # a round not ended yet has no report
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

