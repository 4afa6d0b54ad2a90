"""A draft measure (Measure.is_draft: its plan row lacked its period or divisions, so it has no tasks yet) is shown as
a draft on every surface that lists measures, never as "0%", and crashes none of them: the dashboard, the public page,
the three results report files, LINE `สรุป`, the executive's weekly digest; the next year's plan carries it as a
draft. Its weight and the plan's other columns show on the public page, its weight on the dashboard's row.
"""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tracker import tasks
from tracker.extensions import db
from tracker.labels import draft_text, percent_text, weight_text
from tracker.measures import counted_percent, draft_missing, percent_of, with_task_counts
from tracker.models import Measure, Notification, Source, Task
from tracker.plans import next_year
from tracker.progress import combined_percent, measure_percent
from tracker.publish.documents import PERCENT, PERIOD, STEPS
from tracker.reminders import outbox

from .factories import login, post_form, signed_in
from .test_dashboard import fresh_request_state
from .test_documents import normal, pdf_text
from .test_line_webhook import event, last_reply, line, post  # noqa: F401  (line: the fixture of the fake LINE server)

TODAY = date(2026, 3, 30)  # a Monday: the executive's weekly summary goes out
STEPS_OF_DRAFT = ["สำรวจช่องทางบริการออนไลน์ที่มีอยู่", "จัดทำแบบฟอร์มคำร้องออนไลน์"]
NO_PERIOD = "ร่าง — ยังไม่กำหนดช่วงเวลา"
NO_DIVISIONS = "ร่าง — ยังไม่กำหนดผู้รับผิดชอบ"
NEITHER = "ร่าง — ยังไม่กำหนดช่วงเวลาและผู้รับผิดชอบ"


# --- the words ---------------------------------------------------------------------------------------------------


def test_a_draft_says_what_it_lacks():
    assert draft_text(["period"]) == NO_PERIOD
    assert draft_text(["divisions"]) == NO_DIVISIONS
    assert draft_text(["period", "divisions"]) == NEITHER
    assert draft_text([]) == "ร่าง"
    # In place of its percent: "0%" would say nothing was done of what has nothing to do yet.
    assert percent_text(measure_percent(0, 0, draft=("period",))) == NO_PERIOD
    assert percent_text(measure_percent(0, 0, 40, "ทำไปแล้ว", draft=("period",))) == "40%"  # a head's figure is one
    assert percent_text(measure_percent(1, 2)) == "50%"
    assert (weight_text(20.0), weight_text(12.5), weight_text(None)) == ("น้ำหนัก 20", "น้ำหนัก 12.5", "")


# --- a draft in the seed plan --------------------------------------------------------------------------------------


def make_draft(measure: Measure, *, period: bool = False, divisions: bool = False) -> None:
    """Turn a measure into what the import makes of a row without its period (unless `period`) or its divisions
    (unless `divisions`): its steps waiting in draft_steps, no task."""
    for task in list(measure.tasks):
        db.session.delete(task)
    db.session.flush()
    db.session.expire(measure, ["tasks"])
    measure.draft_steps = list(STEPS_OF_DRAFT)
    if not period:
        measure.period_start = measure.period_end = None
        measure.period_text = None
    if not divisions:
        measure.divisions = []


@pytest.fixture
def drafted(linked, on_day):
    """The seed plan with its measure 3 a draft lacking both its period and its divisions, a weight and the plan's
    other columns on it; measure 2 with 1 of its 2 tasks done."""
    measure = linked.plan.measures[2]
    make_draft(measure)
    measure.weight = 20
    measure.details = [["งบประมาณ", "20,000 บาท"], ["ผลผลิต", "แบบฟอร์มออนไลน์ 1 ระบบ"]]
    second = linked.plan.measures[1]
    tasks.tick_off(second.tasks[0], linked.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    return linked


def test_the_rule_reads_a_draft_alike_loaded_and_counted_in_the_database(drafted):
    measure = drafted.plan.measures[2]
    assert measure.is_draft and not measure.tasks
    assert draft_missing(measure) == ("period", "divisions")
    assert draft_missing(drafted.plan.measures[0]) is None
    loaded = percent_of(measure)
    assert (loaded.value, loaded.total, loaded.draft, loaded.weight, loaded.is_draft) == (0, 0, ("period",
                                                                                                 "divisions"), 20,
                                                                                                True)
    rows = db.session.execute(with_task_counts(
        select(Measure.order).where(Measure.plan_id == drafted.plan.id)).order_by(Measure.order)).all()
    counted = {order: counted_percent(*rest) for order, *rest in rows}
    assert counted[3] == loaded
    assert counted[1] == percent_of(drafted.plan.measures[0]) and counted[1].draft is None
    assert counted[2].value == 50


def _page(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_dashboard_shows_a_draft_as_a_draft(app, drafted):
    measure_id = drafted.plan.measures[2].id
    mayor = signed_in(app, "mayor")
    page = _page(mayor.get("/dashboard"))
    row = _plain(re.search(rf'<tr>\s*<th scope="row"><a href="/measures/{measure_id}">.*?</tr>', page, re.S)[0])
    assert NEITHER in row and "0%" not in row and "น้ำหนัก 20" in row
    # Indicator 8's only measure: listed as a draft there too; the plan counts it by tasks (not every measure has
    # a weight): 1 of 12 tasks, 8 %.
    indicators = page[page.index('id="h-indicators"'):]
    assert NEITHER in _plain(re.search(r'<th scope="row">8\. .*?</tr>', indicators, re.S)[0])
    assert "8%" in _plain(re.search(r'<div class="stat" id="overall">.*?<progress', page, re.S)[0])


def test_a_draft_weighs_in_a_weighted_plan_as_nothing_done(app, drafted):
    for measure, weight in zip(drafted.plan.measures, (50, 30, 20), strict=True):
        measure.weight = weight
    db.session.commit()
    mayor = signed_in(app, "mayor")
    page = _page(mayor.get("/dashboard"))
    # 0 % x 50 + 50 % x 30 + the draft's 0 % x 20: 15 %.
    assert "15%" in _plain(re.search(r'<div class="stat" id="overall">.*?<progress', page, re.S)[0])
    fresh_request_state()
    public = _page(app.test_client().get(f"/o/{drafted.org.id}/2569"))
    assert "ความคืบหน้ารวม 15%" in _plain(re.search(r"<p>ความคืบหน้ารวม.*?</p>", public, re.S)[0])


def test_the_public_page_shows_the_draft_its_weight_and_the_plans_other_columns(app, drafted):
    organization_id = drafted.org.id
    page = _page(app.test_client().get(f"/o/{organization_id}/2569"))  # nobody signed in
    plan = re.search(r'<article class="card" id="m3">.*?</article>', page, re.S)[0]
    text = _plain(plan)
    assert NEITHER in text and "ระยะเวลา:" in text and "ผู้รับผิดชอบ: -" in text
    assert all(step in text for step in STEPS_OF_DRAFT)
    details = re.search(r'<dl class="measure-details">.*?</dl>', plan, re.S)[0]
    assert re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", details) == [
        ("น้ำหนัก (ร้อยละ)", "20"), ("งบประมาณ", "20,000 บาท"), ("ผลผลิต", "แบบฟอร์มออนไลน์ 1 ระบบ")]
    progress = _plain(re.search(r'<article class="card" id="p3">.*?</article>', page, re.S)[0])
    assert f"ความคืบหน้า: {NEITHER}" in progress and "0%" not in progress
    # A complete measure has neither list.
    assert "measure-details" not in re.search(r'<article class="card" id="m1">.*?</article>', page, re.S)[0]


def test_the_public_page_lists_the_weight_then_the_plans_other_columns(app, drafted):
    measure = drafted.plan.measures[2]
    measure.weight = 12.5  # the import reads the weight as a number; the other columns it keeps as written
    measure.details = [["งบประมาณ", "๕๐,๐๐๐"], ["ผลผลิต", "คู่มือ 1 เล่ม"]]
    db.session.commit()
    page = _page(app.test_client().get(f"/o/{drafted.org.id}/2569"))
    plan = re.search(r'<article class="card" id="m3">.*?</article>', page, re.S)[0]
    assert re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", plan) == [
        ("น้ำหนัก (ร้อยละ)", "12.5"), ("งบประมาณ", "๕๐,๐๐๐"), ("ผลผลิต", "คู่มือ 1 เล่ม")]


def test_a_draft_with_its_period_lacks_its_divisions_only(app, linked):
    measure = linked.plan.measures[2]
    make_draft(measure, period=True)
    db.session.commit()
    page = _page(app.test_client().get(f"/o/{linked.org.id}/2569"))
    plan = _plain(re.search(r'<article class="card" id="m3">.*?</article>', page, re.S)[0])
    assert NO_DIVISIONS in plan and "1 ต.ค. 2568" in plan


def _report(mayor, fmt: str) -> bytes:
    fresh_request_state()
    response = mayor.get(f"/reports/results?year=2569&round=latest&format={fmt}")
    assert response.status_code == 200, fmt
    return response.data


def test_the_results_report_files_show_the_draft(app, drafted):
    title = drafted.plan.measures[2].title
    mayor = signed_in(app, "mayor")

    text = normal(pdf_text(_report(mayor, "pdf")))
    assert normal(NEITHER) in text and normal(STEPS_OF_DRAFT[0]) in text

    document = Document(io.BytesIO(_report(mayor, "docx")))
    table = max(document.tables, key=lambda t: len(t.columns))
    cells = next(r.cells for r in table.rows if r.cells[0].text.strip().startswith(title[:20]))
    assert cells[6].text.strip() == NEITHER  # the percent's cell
    assert cells[3].text.strip() == NEITHER  # its period: none known, and the plan wrote none
    assert f"1. {STEPS_OF_DRAFT[0]}" in cells[2].text and f"2. {STEPS_OF_DRAFT[1]}" in cells[2].text

    rows = list(load_workbook(io.BytesIO(_report(mayor, "xlsx"))).active.iter_rows())
    column = {c.value: c.column - 1 for c in next(r for r in rows if any(c.value == PERCENT for c in r))}
    top = next(i for i, r in enumerate(rows) if str(r[0].value or "").startswith(title[:20]))
    assert rows[top][column[PERCENT]].value == NEITHER and rows[top][column[PERIOD]].value == NEITHER
    assert [rows[top + i][column[STEPS]].value for i in range(2)] == [f"1. {STEPS_OF_DRAFT[0]}",
                                                                      f"2. {STEPS_OF_DRAFT[1]}"]


def test_line_summary_and_the_weekly_digest_list_the_draft(app, client, drafted, line):  # noqa: F811
    mayor = drafted.users["mayor"]
    mayor_id, line_id = mayor.id, mayor.line_user_id
    outbox.sweep(drafted.org, TODAY)
    db.session.commit()

    fresh_request_state()
    post(client, event("message", user=line_id, message={"type": "text", "id": "1", "text": "สรุป"}))
    (reply,) = last_reply(line)
    assert re.search(rf"(?m)^3\. .* {NEITHER}$", reply["text"]), reply["text"]
    assert re.search(r"(?m)^ความก้าวหน้าโดยรวม 8%$", reply["text"]), reply["text"]

    mayors = db.session.scalar(select(Notification).where(Notification.recipient_id == mayor_id))
    digest, _ = outbox.render_rows([mayors])[mayors.id]
    weekly = digest.split("สรุปประจำสัปดาห์ของหน่วยงาน")[1]
    assert re.search(rf"(?m)^3\. .* {NEITHER}$", weekly), weekly
    assert re.search(r"(?m)^ความก้าวหน้าโดยรวม 8%$", weekly), weekly


def test_the_next_years_copy_carries_a_draft_as_a_draft(app, client, drafted, on_day):
    on_day(date(2026, 9, 15))  # the last quarter: the administrator starts 2570, copying and carrying
    organization_id, details = drafted.org.id, drafted.plan.measures[2].details
    login(client, "admin")
    assert _page(client.get("/next-year?year=2569"))
    response = post_form(client, "/next-year?year=2569", {"how": "copy_carry"}, token_from="/next-year?year=2569")
    assert response.status_code == 302
    fresh_request_state()
    new = next_year.plan_of_year(organization_id, 2570)
    copy = next(m for m in new.measures if m.order == 3)
    assert copy.is_draft and copy.draft_steps == STEPS_OF_DRAFT and not copy.tasks
    assert (copy.period_start, copy.period_end, copy.divisions) == (None, None, [])
    assert (copy.weight, copy.details) == (20, details)
    assert next_year.content_hash(new) == new.content_hash
    # The new year's pages show it as the old year's did.
    assert NEITHER in _page(client.get("/dashboard?year=2570"))


def test_carrying_never_puts_a_task_into_a_draft(drafted):
    admin = drafted.users["admin"]
    plan = drafted.plan
    new = next_year.copy_plan(plan, admin, source=Source.WEB)
    db.session.flush()
    # Measure 2 of the new plan (the same title as the old one, whose step 2 is still open) is made a draft.
    target = next(m for m in new.measures if m.order == 2)
    make_draft(target)
    db.session.flush()
    carried = next_year.carry_over(plan, admin, into=new, source=Source.WEB, today=date(2026, 9, 15))
    db.session.commit()
    assert carried and not target.tasks and target.is_draft
    assert not db.session.scalars(select(Task).where(Task.measure_id == target.id)).all()
    assert all(task.measure.title.startswith("งานยกมา") for task in carried
               if task.carried_from.measure.order == 2)
    assert combined_percent([percent_of(target)]).value == 0
