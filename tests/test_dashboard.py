"""The mayor's dashboard: its figures on the real seed plan, who may open it, and that it reads the database in a fixed
number of statements whatever the size of the plan."""
from __future__ import annotations

import re
from datetime import date

import pytest
from flask import g
from sqlalchemy import event, select

from tracker import dashboard
from tracker.extensions import db
from tracker.labels import DUE_SOON, state_text
from tracker.models import (
    Assessment,
    Division,
    FiscalYear,
    Indicator,
    Measure,
    Organization,
    Plan,
    Role,
    Source,
    Task,
    TaskStatus,
)
from tracker.plans.build import ensure_fiscal_year
from tracker.tasks import tick_off
from tracker.workdays import WorkCalendar

from .factories import login, make_user, other_organization, signed_in

APRIL_1 = date(2026, 4, 1)  # a Wednesday: the tasks due 31 Dec 2568 and 31 Mar 2569 are overdue
TODAY = APRIL_1  # the day the `on_day` fixture starts the web pages on
SEED_SCORES = [100, 100, 100, 100, 100, 98.33, 97.64, 97.92, 85.00, 100]


def figures(seeded, day: date = APRIL_1) -> dashboard.Dashboard:
    return dashboard.build(seeded.org.id, day, WorkCalendar())


def fresh_request_state() -> None:
    """Forget what an earlier request left behind: the test client shares one app context (and so `g` and the
    session) between requests, which a real server never does."""
    db.session.remove()
    for key in ("_login_user", "work_calendar"):
        g.pop(key, None)


def section(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}".*?</section>', page, re.S)
    assert match, f"no section {element_id}"
    return match.group(0)


# --- the figures ---------------------------------------------------------------------------------------------------


def test_seed_figures_on_april_first(seeded):
    board = figures(seeded)
    assert board.organization_name == "เทศบาลตำบลบางกระบือ"
    assert board.plan_year == 2569 and board.is_current_year and board.years == [2569]
    overall = board.overall
    assert (overall.total, overall.done, overall.pct_done) == (16, 0, 0.0)
    assert (overall.overdue, overall.on_track, overall.pct_on_track, overall.due_soon) == (8, 8, 50.0, 0)

    assert [(d.name, d.total, d.done, d.overdue) for d in board.divisions] == [
        ("สำนักปลัดเทศบาล", 8, 0, 4), ("กองคลัง", 2, 0, 1), ("กองช่าง", 2, 0, 1), ("กองการศึกษา", 2, 0, 1),
        ("กองสาธารณสุข", 2, 0, 1),
    ]
    assert [(m.order, m.total, m.overdue, [i.number for i in m.indicators]) for m in board.measures] == [
        (1, 10, 5, [6]), (2, 2, 1, [7]), (3, 4, 2, [8]),
    ]

    assert [line.due_date for line in board.overdue] == [date(2025, 12, 31)] + [date(2026, 3, 31)] * 7
    assert state_text(board.overdue[1].state) == "เกินกำหนด 1 วันทำการ"
    assert all(line.state.kind == "overdue" for line in board.overdue)
    assert board.upcoming == []


def test_seed_indicators_and_the_one_no_measure_answers(seeded):
    board = figures(seeded)
    assert board.assessment_year == 2568 and board.target == 95.0 and board.pass_line == 85.0
    assert [row.number for row in board.indicators] == list(range(1, 11))
    assert [row.score for row in board.indicators] == SEED_SCORES
    assert board.indicators[8].name == "การเปิดเผยข้อมูล"
    answered = {row.number: [m.order for m in row.measures] for row in board.indicators if row.measures}
    assert answered == {6: [1], 7: [2], 8: [3]}
    assert [(row.number, row.score) for row in board.unanswered] == [(9, 85.0)]
    nine = board.indicators[8]
    assert nine.passes and not nine.on_target  # at the pass line, under the organization's target


def test_a_higher_target_brings_answered_indicators_in_view_but_not_into_the_callout(seeded):
    seeded.org.indicator_target = 99.0
    db.session.commit()
    board = figures(seeded)
    assert {row.number for row in board.indicators if not row.on_target} == {6, 7, 8, 9}
    assert [row.number for row in board.unanswered] == [9]


def test_the_next_ten_working_days_and_the_counts_move_with_today(seeded):
    december = figures(seeded, date(2025, 12, 16))
    assert (december.overall.overdue, december.overall.due_soon) == (0, 1)  # 31 Dec is exactly 10 working days on
    assert [line.due_date for line in december.upcoming] == [date(2025, 12, 31)]
    assert december.upcoming[0].state.kind == "soon"  # listed as due soon, and its chip says so
    assert figures(seeded, date(2025, 12, 15)).overall.due_soon == 0  # 11 working days on: not yet

    march = figures(seeded, date(2026, 3, 17))  # 31 March: 10 working days on
    assert (march.overall.overdue, march.overall.due_soon, march.overall.on_track) == (1, 7, 15)
    assert [line.due_date for line in march.upcoming] == [date(2026, 3, 31)] * 7
    assert figures(seeded, date(2026, 3, 15)).overall.due_soon == 0  # 12 working days on

    after_the_year = figures(seeded, date(2026, 10, 15))  # FY 2570 has no plan: the newest is shown
    assert after_the_year.plan_year == 2569 and not after_the_year.is_current_year
    assert after_the_year.overall.overdue == 16


def test_ticking_off_tasks_changes_the_figures(seeded, on_day):
    head = seeded.users["clerk-head"]
    first, second = seeded.tasks_of(seeded.clerk)[:2]
    overdue_before = figures(seeded).overall.overdue
    tick_off(first, head, source=Source.WEB)
    tick_off(second, head, source=Source.WEB)
    db.session.commit()

    board = figures(seeded)
    assert (board.overall.done, board.overall.pct_done) == (2, 12.5)
    clerk = next(d for d in board.divisions if d.name == "สำนักปลัดเทศบาล")
    assert (clerk.done, clerk.total, clerk.pct_done) == (2, 8, 25.0)
    was_overdue = sum(t.due_date < APRIL_1 for t in (first, second))
    assert board.overall.overdue == overdue_before - was_overdue
    # Closed on 1 April: a task that was due before is done late, and late is not on track.
    assert board.overall.late == was_overdue and clerk.late == was_overdue
    assert board.overall.on_track == 16 - board.overall.overdue - board.overall.late
    assert all(line.task.status is not TaskStatus.DONE for line in board.overdue + board.upcoming)


def test_a_plan_of_another_year_can_be_chosen(seeded):
    older = Plan(organization=seeded.org, fiscal_year=ensure_fiscal_year(2568), source="old.csv", content_hash="o")
    measure = Measure(plan=older, order=1, title="มาตรการปีก่อน", period_start=date(2024, 10, 1),
                      period_end=date(2025, 9, 30), divisions=[seeded.clerk])
    Task(measure=measure, step_number=1, step_text="งานปีก่อน", division=seeded.clerk, due_date=date(2025, 9, 30),
         status=TaskStatus.DONE)
    db.session.add(older)
    db.session.commit()

    assert figures(seeded).years == [2569, 2568]
    assert figures(seeded).plan_year == 2569
    board = dashboard.build(seeded.org.id, APRIL_1, WorkCalendar(), year=2568)
    assert (board.plan_year, board.overall.total, board.overall.done, board.overall.pct_done) == (2568, 1, 1, 100.0)
    assert board.assessment_year == 2568
    with pytest.raises(dashboard.NoSuchPlan):
        dashboard.build(seeded.org.id, APRIL_1, WorkCalendar(), year=2560)


def test_another_organizations_tasks_are_never_counted(seeded):
    _, _, _, foreign = other_organization()
    board = figures(seeded)
    assert board.overall.total == 16
    assert foreign.id not in {line.task.id for line in board.overdue + board.upcoming}
    assert "กองคลัง" in [d.name for d in board.divisions]
    assert foreign.division_id not in [d.id for d in board.divisions]


# --- the page ------------------------------------------------------------------------------------------------------


def test_the_mayor_reads_the_seed_plan(seeded, client, on_day):
    login(client, "mayor")
    response = client.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "เทศบาลตำบลบางกระบือ" in page and "มาตรการ 3 · งาน 16" in page
    assert "ปีงบประมาณ 2569" in page and "1 เมษายน 2569" in page
    assert "0.0%" in page and "50.0%" in page  # done, on track
    assert "งานเกินกำหนด (8)" in page and f"{DUE_SOON} (0)" in page
    assert "31 ธ.ค. 2568" in page and "เกินกำหนด 1 วันทำการ" in page
    assert page.index("31 ธ.ค. 2568") < page.index("31 มี.ค. 2569")  # oldest first
    for text in ("85.00", "98.33", "97.64", "97.92", "100.00", "ต่ำกว่าเป้าหมาย 95", "เกณฑ์ผ่าน 85"):
        assert text in page
    callout = section(page, "unanswered")
    assert "ตัวชี้วัดที่ 9 การเปิดเผยข้อมูล" in callout and "85.00" in callout
    for number in (6, 7, 8):
        assert f"ตัวชี้วัดที่ {number} " not in callout
    assert f"/divisions/{seeded.clerk.id}" in page and "/measures/" in page
    assert re.search(r'<progress max="100" value="0" aria-label="ความก้าวหน้าโดยรวม 0%"', page)  # the plan's percent
    assert 'scope="row"' in page and 'scope="col"' in page
    assert "style=" not in page  # the CSP forbids inline styles
    headings = [int(level) for level in re.findall(r"<h([1-6])", page)]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:], strict=False))


def test_the_page_follows_ticked_off_tasks_and_today(seeded, client, on_day):
    for task in seeded.tasks_of(seeded.clerk)[:2]:
        tick_off(task, seeded.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    on_day(date(2026, 3, 15))
    login(client, "mayor")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "12.5%" in page and "เสร็จแล้ว 2 จาก 16 งาน" in page
    assert f"{DUE_SOON} (" in page and "งานเกินกำหนด (" in page


def test_under_the_pass_line_is_said_in_words(seeded, client, on_day):
    assessment = db.session.scalar(select(Assessment).where(Assessment.organization_id == seeded.org.id))
    score = next(s for s in assessment.scores if s.indicator.number == 9)
    score.score = 80.5
    db.session.commit()
    login(client, "mayor")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "80.50" in page and "ต่ำกว่าเกณฑ์ผ่าน 85" in section(page, "unanswered")


def test_another_organization_sees_only_its_own(seeded, app, on_day):
    _, _, other_head, foreign = other_organization()
    mayor = signed_in(app, "mayor")
    page = mayor.get("/dashboard").get_data(as_text=True)
    assert "งานของหน่วยงานอื่น" not in page and "มาตรการของหน่วยงานอื่น" not in page
    assert f"/tasks/{foreign.id}\"" not in page and "งาน 16" in page

    theirs = signed_in(app, "other-head")
    page = theirs.get("/dashboard").get_data(as_text=True)
    assert "มาตรการ 1 · งาน 1" in page and "มาตรการของหน่วยงานอื่น" in page
    assert "เทศบาลตำบลบางกระบือ" not in page and "สำนักปลัดเทศบาล" not in page
    assert "ยังไม่มีผลการประเมิน ITA" in page


@pytest.mark.parametrize("username", ["admin", "mayor", "clerk-head", "finance-head", "clerk-staff", "finance-staff"])
def test_every_role_can_open_it(seeded, app, on_day, username):
    response = signed_in(app, username).get("/dashboard")
    assert response.status_code == 200
    assert "มาตรการ 3 · งาน 16" in response.get_data(as_text=True)


def test_links_to_tasks_and_divisions_only_where_they_may_be_opened(seeded, client, on_day):
    login(client, "finance-staff")
    page = client.get("/dashboard").get_data(as_text=True)
    finance_task = next(t for t in seeded.tasks_of(seeded.finance) if t.due_date == date(2026, 3, 31))
    clerk_task = next(t for t in seeded.tasks_of(seeded.clerk) if t.due_date == date(2025, 12, 31))
    assert f'href="/tasks/{finance_task.id}"' in page
    assert f'href="/tasks/{clerk_task.id}"' not in page and clerk_task.step_text[:20] in page
    assert f'href="/divisions/{seeded.finance.id}"' in page
    assert f'href="/divisions/{seeded.clerk.id}"' not in page


def test_anonymous_is_sent_to_sign_in(seeded, client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_years_on_the_page(seeded, client, on_day):
    login(client, "mayor")
    assert client.get("/dashboard?year=2569").status_code == 200
    assert client.get("/dashboard?year=2560").status_code == 404


def test_no_plan_yet_is_a_friendly_page(app, client, on_day):
    org = Organization(name="เทศบาลตำบลใหม่")
    make_user(org, "new-admin", Role.ADMIN)
    make_user(org, "new-mayor", Role.EXECUTIVE)
    db.session.add(org)
    db.session.commit()
    login(client, "new-admin")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "ยังไม่มีแผนปรับปรุง ITA" in page and 'href="/imports/new"' in page
    response = signed_in(app, "new-mayor").get("/dashboard")
    assert response.status_code == 200 and "ยังไม่มีแผนปรับปรุง ITA" in response.get_data(as_text=True)


# --- the cost ------------------------------------------------------------------------------------------------------


def count_statements(client, url: str) -> int:
    fresh_request_state()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_the_page_reads_the_database_a_fixed_number_of_times(seeded, client, on_day):
    plan_id, org_id = seeded.plan.id, seeded.org.id
    login(client, "mayor")
    small = count_statements(client, "/dashboard")

    # A much larger plan: forty more tasks over every division, another measure linked to an indicator.
    plan = db.session.get(Plan, plan_id)
    divisions = db.session.scalars(select(Division).where(Division.organization_id == org_id)).all()
    assert len(divisions) == 5
    nine = db.session.scalar(
        select(Indicator).join(FiscalYear).where(FiscalYear.year_be == 2569, Indicator.number == 9)
    )
    measure = Measure(plan=plan, order=4, title="เปิดเผยข้อมูลบนเว็บไซต์", period_start=date(2025, 10, 1),
                      period_end=date(2026, 9, 30), divisions=divisions, indicators=[nine])
    for step in range(1, 9):
        for division in divisions:
            measure.tasks.append(Task(step_number=step, step_text=f"ขั้นตอน {step}", division=division,
                                      due_date=date(2026, step, 28)))
    db.session.add(measure)
    db.session.commit()
    large = count_statements(client, "/dashboard")

    assert large == small
    assert small <= 15
    page = client.get("/dashboard").get_data(as_text=True)
    assert "มาตรการ 4 · งาน 56" in page and 'id="unanswered"' not in page  # indicator 9 is answered now
    print(f"dashboard SQL statements: {small}")
