"""Which fiscal year's plan an OIT item shows, per assessment year and agency type, and the ITA pass rule (issue 22,
part 3): 2569's O26 reports on the 2568 plan; item codes differ by agency type; a tool under 85 fails the rating."""
from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from tracker import oit
from tracker.extensions import db
from tracker.ita import OIT_NAMES, PASS_LINE, rate
from tracker.models import Assessment, FiscalYear, Measure, OitPurpose, Plan, Role, Source, Task
from tracker.plans.build import ensure_fiscal_year

from .factories import events, login, logout, make_user, other_organization, post_form
from .test_documents import docx_text, normal

TODAY = date(2026, 4, 20)  # within fiscal 2569, after its 6-month round
RESULTS_NAME = OIT_NAMES[OitPurpose.RESULTS.value]
PLAN_2568_MEASURE = "มาตรการทดสอบของแผนปี 2568"
PLAN_2568_RESULT = "อบรมเจ้าหน้าที่ครบทุกกองแล้ว"


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _section(page: str, anchor: str) -> str:
    """The section of the public page an anchor opens, to its end."""
    start = page.index(f'<section id="{anchor}"')
    return page[start:page.index("</section>", start)]


def _plan_2568(seeded) -> Plan:
    """A 2568 plan of the seeded agency, one measure with its result, its step done."""
    plan = Plan(organization=seeded.org, fiscal_year=ensure_fiscal_year(2568), source="แผน 2568.xlsx",
                content_hash="0" * 64)
    measure = Measure(plan=plan, order=1, title=PLAN_2568_MEASURE, period_start=date(2024, 10, 1),
                      period_end=date(2025, 9, 30), result=PLAN_2568_RESULT)
    measure.tasks = [Task(step_number=1, step_text="จัดอบรม", division=seeded.clerk, due_date=date(2025, 6, 30))]
    db.session.add(plan)
    db.session.commit()
    return plan


def _item(year_be: int, purpose: OitPurpose, agency_type: str = "local"):
    fiscal_year = db.session.scalar(select(FiscalYear).where(FiscalYear.year_be == year_be))
    return oit.oit_item(fiscal_year, purpose, agency_type)


def test_2569_items_show_the_plans_they_name(seeded):
    assert _item(2569, OitPurpose.RESULTS).plan_year_offset == -1  # the year's rule, for a year an import creates
    assert oit.plan_year(_item(2569, OitPurpose.RESULTS)) == 2568
    assert oit.plan_year(_item(2569, OitPurpose.PLAN)) == 2569
    assert oit.results_item_for_plan(seeded.org, 2568).code == "O26"
    assert oit.results_item_for_plan(seeded.org, 2569) is None  # 2570's item, not set yet


def test_the_2569_page_shows_the_2568_plans_results_under_o26(client, seeded, on_day):
    _plan_2568(seeded)
    page = _text(client.get(f"/o/{seeded.org.id}/2569"))
    results = _section(page, "O26")
    assert f"O26 {RESULTS_NAME} ปีงบประมาณ พ.ศ. 2568" in results  # the item's code and name, as data
    assert PLAN_2568_MEASURE in results and PLAN_2568_RESULT in results
    assert all(m.title not in results for m in seeded.plan.measures)
    assert f"/o/{seeded.org.id}/2568/report-12m.docx" in results  # the 2568 plan's report, its year ended
    plan = _section(page, "O25")
    assert "ประจำปีงบประมาณ พ.ศ. 2569" in plan and PLAN_2568_MEASURE not in plan
    assert all(m.title in plan for m in seeded.plan.measures)
    assert all(m.title in _section(page, "progress") for m in seeded.plan.measures)  # 2569's own, still public

    report = normal(docx_text(client.get(f"/o/{seeded.org.id}/2568/report-12m.docx").data))
    assert normal(f"ข้อ O26 {RESULTS_NAME} (การประเมิน ITA ประจำปีงบประมาณ พ.ศ. 2569)") in report
    assert normal(PLAN_2568_MEASURE) in report


def test_without_the_previous_years_plan_o26_says_so(client, seeded, on_day):
    page = _text(client.get(f"/o/{seeded.org.id}/2569"))
    results = _section(page, "O26")
    assert "หน่วยงานไม่มีแผนของปีงบประมาณ พ.ศ. 2568 ในระบบนี้" in results
    assert "มาตรการที่" not in results and "report-" not in results  # nothing invented, no report offered


def test_an_agency_type_answers_its_own_items(client, seeded, on_day):
    operator = make_user(seeded.org, "operator", Role.ADMIN, is_deployment_admin=True)
    college, _, _, _ = other_organization()
    college.agency_type = "vocational"
    db.session.commit()
    assert client.get(f"/o/{college.id}/2569").status_code in (200, 404)  # whatever it has: no local code leaks
    fiscal_year = ensure_fiscal_year(2569)
    assert oit.set_oit_item(fiscal_year, operator, OitPurpose.PLAN, "O22", "แผนของสถานศึกษา", source=Source.WEB,
                            agency_type="vocational")
    assert oit.set_oit_item(fiscal_year, operator, OitPurpose.RESULTS, "O23", "ผลของสถานศึกษา", source=Source.WEB,
                            agency_type="vocational", plan_year_offset=0)
    db.session.commit()

    assert oit.item_of(college, 2569, OitPurpose.RESULTS).code == "O23"
    assert oit.item_of(seeded.org, 2569, OitPurpose.RESULTS).code == "O26"  # the local agency's, unchanged
    assert oit.results_item_for_plan(college, 2569).code == "O23"  # offset 0: its own year's plan
    assert oit.results_item_for_plan(college, 2568) is None
    college.agency_type = "moph"  # a type with no items of 2569: none, not another type's
    assert oit.item_of(college, 2569, OitPurpose.PLAN) is None


def test_the_deployment_admin_sets_which_years_plan_an_item_shows(client, seeded, on_day):
    operator = make_user(seeded.org, "operator", Role.ADMIN, is_deployment_admin=True)
    db.session.commit()
    login(client, "admin")  # the agency's admin reads, does not edit
    shown = _text(client.get("/admin/oit-items"))
    assert "แสดงแผนของปีงบประมาณ: ปีก่อน (2568)" in shown
    assert post_form(client, "/admin/oit-items/2569", {"y2569-results_offset": "0"}).status_code == 403
    logout(client)

    login(client, "operator")
    form = _text(client.get("/admin/oit-items"))
    assert "แสดงแผนของปีงบประมาณ" in form and "ปีเดียวกัน" in form and "ปีก่อน" in form
    sent = {"y2569-plan_code": "O25", "y2569-results_code": "O26", "y2569-plan_offset": "0",
            "y2569-results_offset": "0"}
    assert post_form(client, "/admin/oit-items/2569", sent).status_code == 302
    db.session.expire_all()
    assert _item(2569, OitPurpose.RESULTS).plan_year_offset == 0
    (event,) = events("oit_item.update")
    assert (event.actor_id, event.before["plan_year_offset"], event.after["plan_year_offset"]) == (operator.id, -1, 0)
    trail = _text(client.get("/audit", query_string={"action": "oit_item.update"}))
    assert "แสดงแผนของปีงบประมาณ" in trail and "<del>ปีก่อน</del> → <ins>ปีเดียวกัน</ins>" in trail

    # Another agency type's items of the same year, on their own form.
    college, _, _, _ = other_organization()
    college.agency_type = "vocational"
    db.session.commit()
    assert "สถานศึกษาอาชีวศึกษา" in _text(client.get("/admin/oit-items"))
    sent = {"y2569-vocational-plan_code": "O22", "y2569-vocational-results_code": "O23",
            "y2569-vocational-results_offset": "-1"}
    assert post_form(client, "/admin/oit-items/2569/vocational", sent).status_code == 302
    assert post_form(client, "/admin/oit-items/2569/nowhere", sent).status_code == 404
    db.session.expire_all()
    assert _item(2569, OitPurpose.RESULTS, "vocational").code == "O23"
    assert _item(2569, OitPurpose.RESULTS).code == "O26"
    logout(client)

    page = _text(client.get(f"/o/{seeded.org.id}/2569"))  # offset 0 now: 2569's own results under O26
    assert all(m.title in _section(page, "O26") for m in seeded.plan.measures)
    assert 'id="progress"' not in page


# --- the ITA rating ----------------------------------------------------------------------------------------------


def test_a_pass_needs_the_total_and_every_tool_at_the_line():
    assert PASS_LINE == 85
    failed = rate(90, 92, 91, 80)
    assert not failed.passes and failed.under == ("OIT",) and not failed.total_under
    assert rate(90, 92, 91, 85).passes
    low = rate(84.99, 90, 90, 90)
    assert not low.passes and low.total_under and low.under == ()
    partial = rate(90, None, None, None)  # the total only: no verdict, nothing flagged
    assert not partial.passes and not partial.known and partial.under == ()


@pytest.mark.parametrize("oit_score, verdict", [(80.0, "ไม่ผ่าน"), (88.0, "ผ่าน")])
def test_the_dashboard_says_pass_or_not_and_marks_a_tool_under_85(client, seeded, on_day, oit_score, verdict):
    assessment = db.session.scalar(select(Assessment).where(Assessment.organization_id == seeded.org.id))
    assessment.overall, assessment.iit, assessment.eit, assessment.oit = 90.0, 92.0, 91.0, oit_score
    db.session.commit()
    login(client, "mayor")
    page = _text(client.get("/dashboard"))
    rating = page[page.index('id="ita-rating"'):]
    rating = rating[:rating.index("</div>")]
    assert f"✓ {verdict}" in rating if verdict == "ผ่าน" else "✗ ไม่ผ่าน" in rating
    tool = rating[rating.index('id="tool-oit"'):]
    tool = tool[:tool.index("</li>")]
    assert ("ต่ำกว่า 85" in tool) is (oit_score < 85)
    assert "ต่ำกว่า 85" not in rating[rating.index('id="tool-iit"'):rating.index('id="tool-oit"')]


def test_an_agencys_admin_sets_its_type_and_its_page_answers_that_types_items(client, seeded, on_day):
    operator = make_user(seeded.org, "operator", Role.ADMIN, is_deployment_admin=True)
    db.session.commit()
    assert oit.set_oit_item(ensure_fiscal_year(2569), operator, OitPurpose.RESULTS, "O23", "ผลของสถานศึกษา",
                            source=Source.WEB, agency_type="vocational")
    db.session.commit()
    login(client, "admin")
    settings = _text(client.get("/admin/settings"))
    assert "ประเภทหน่วยงานตามแบบตรวจ ITA" in settings and "สถานศึกษาอาชีวศึกษา" in settings
    sent = {"name": seeded.org.name, "kind": "วิทยาลัยเทคนิค", "indicator_target": "95", "agency_type": "vocational"}
    assert post_form(client, "/admin/settings", sent).status_code == 302
    db.session.expire_all()
    assert seeded.org.agency_type == "vocational"
    (event,) = events("settings.update")
    assert (event.before["agency_type"], event.after["agency_type"]) == ("local", "vocational")
    assert post_form(client, "/admin/settings", {**sent, "agency_type": "nowhere"}).status_code == 400
    logout(client)

    page = _text(client.get(f"/o/{seeded.org.id}/2569"))
    assert 'id="O23"' in page and "O23 ผลของสถานศึกษา ปีงบประมาณ พ.ศ. 2568" in page  # the year's rule: the year before
    assert 'id="O26"' not in page and 'id="O25"' not in page and 'id="plan"' in page  # no plan item of its type
