"""The next fiscal year (tracker/plans/next_year.py, /next-year): a plan copied forward a year, last year's unfinished
tasks carried over and closed as carried (no more reminders, honest figures), who may do it, what the trail says, and
the migration that allows it."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tracker import create_app, dashboard
from tracker.access import Refused
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.line.replies import summary_text
from tracker.models import (
    AuditEvent,
    Comment,
    FiscalYear,
    Indicator,
    Measure,
    Plan,
    Source,
    Task,
    TaskStatus,
)
from tracker.organization import work_calendar
from tracker.plans import next_year
from tracker.plans.build import ensure_fiscal_year
from tracker.reminders import outbox, selection
from tracker.reminders.inputs import load_inputs
from tracker.tasks import add_evidence, assign, tick_off
from tracker.workdays import WorkCalendar

from .conftest import SEED, app_settings
from .factories import count, counts, events, login, post_form, post_progress, seed_organization, signed_in

TODAY = date(2026, 9, 15)  # FY 2569's last month: the administrator prepares the next year
EARLY_STEP = date(2025, 12, 31)  # the seed plan's measure 3, step 1 (สำนักปลัด): overdue since January


def plan_of(seeded, year_be: int) -> Plan | None:
    return next_year.plan_of_year(seeded.org.id, year_be)


def all_tasks(plan: Plan) -> list[Task]:
    return [task for measure in plan.measures for task in measure.tasks]


def a_year_of_work(seeded) -> dict[str, list[Task]]:
    """Some of the seed plan done, one under way, the rest not started; a measure reported on; evidence, a comment."""
    head = seeded.users["clerk-head"]
    clerk = seeded.tasks_of(seeded.clerk)  # measure 1's two steps, measure 2's two, measure 3's four
    done, doing = clerk[:3], clerk[3:4]
    for task in done:
        tick_off(task, head, source=Source.WEB)
    doing[0].status = TaskStatus.DOING
    doing[0].assignee = seeded.users["clerk-staff"]
    add_evidence(done[0], head, source=Source.WEB, url="https://example.go.th/manual")
    db.session.add(Comment(task=doing[0], author=head, text="รอข้อมูลจากกองคลัง"))
    measure = seeded.plan.measures[0]
    measure.progress_override, measure.progress_reason = 40, "ทำไปบางส่วน"
    measure.result, measure.problems = "จัดทำคู่มือแล้วสองกอง", "บุคลากรไม่พอ"
    db.session.commit()
    every = all_tasks(seeded.plan)
    return {"done": done, "doing": doing, "unfinished": [t for t in every if t.status.is_open]}


def start(seeded, *, carry: bool = True, today: date = TODAY) -> tuple[Plan, list[Task]]:
    admin = seeded.users["admin"]
    new = next_year.copy_plan(seeded.plan, admin, source=Source.WEB)
    carried = next_year.carry_over(seeded.plan, admin, into=new, source=Source.WEB, today=today) if carry else []
    db.session.commit()
    return new, carried


# --- dates -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day, later", [
    (date(2025, 10, 1), date(2026, 10, 1)),
    (date(2026, 9, 30), date(2027, 9, 30)),
    (date(2028, 2, 29), date(2029, 2, 28)),  # the next year has no 29 February
])
def test_one_year_later(day, later):
    assert next_year.one_year_later(day) == later


@pytest.mark.parametrize("due, today, carried", [
    (date(2026, 3, 31), date(2026, 9, 15), date(2027, 3, 31)),  # carried before the year: a year later
    (date(2025, 12, 31), date(2026, 12, 4), date(2026, 12, 31)),  # carried in December: still ahead
    (date(2025, 10, 15), date(2026, 11, 2), date(2027, 3, 31)),  # a year later has passed: the six-month day
    (date(2025, 10, 15), date(2027, 5, 3), date(2027, 9, 30)),  # that too: the year's last day
    (date(2026, 11, 30), date(2026, 9, 15), date(2027, 9, 30)),  # rescheduled past its year: within the new one
])
def test_when_a_carried_task_is_due(due, today, carried):
    assert next_year.carried_due(due, 2570, today) == carried


# --- copying ---------------------------------------------------------------------------------------------------------


def test_a_copy_is_the_plan_a_year_later_with_nothing_done(seeded):
    work = a_year_of_work(seeded)
    new, _ = start(seeded, carry=False)

    assert (new.fiscal_year.year_be, new.organization_id) == (2570, seeded.org.id)
    assert new.source == "สำเนาจากแผนปีงบประมาณ 2569" and len(new.content_hash) == 64
    assert new.imported_by == seeded.users["admin"]
    old_measures, new_measures = seeded.plan.measures, new.measures
    assert [(m.order, m.title) for m in new_measures] == [(m.order, m.title) for m in old_measures]
    for old, copy in zip(old_measures, new_measures, strict=True):
        assert (copy.period_start, copy.period_end) == (date(2026, 10, 1), date(2027, 9, 30))
        assert copy.divisions == old.divisions
        assert (copy.progress_override, copy.progress_reason, copy.result, copy.problems) == (None,) * 4
        assert [(t.step_number, t.step_text, t.division_id) for t in copy.tasks] == [
            (t.step_number, t.step_text, t.division_id) for t in old.tasks]
        assert [t.due_date for t in copy.tasks] == [t.due_date.replace(year=t.due_date.year + 1) for t in old.tasks]
    copied = all_tasks(new)
    assert len(copied) == 16
    assert {t.status for t in copied} == {TaskStatus.TODO}
    assert all(t.done_at is None and t.done_by is None and not t.evidence and not t.comments for t in copied)
    # The person still at the desk keeps the step given to them.
    (under_way,) = [t for t in copied if t.step_text == work["doing"][0].step_text
                    and t.division_id == work["doing"][0].division_id]
    assert under_way.assignee == seeded.users["clerk-staff"]
    # Last year's plan is as it was: copying carries nothing over by itself.
    assert [t.status for t in work["done"]] == [TaskStatus.DONE] * 3 and work["doing"][0].status is TaskStatus.DOING
    assert seeded.plan.measures[0].result == "จัดทำคู่มือแล้วสองกอง"


def test_indicators_are_the_new_years_matched_by_number(seeded):
    # The next year's framework, renumbered: it has indicators 1-7 under new names, and no 8.
    year = FiscalYear(year_be=2570, start=date(2026, 10, 1), end=date(2027, 9, 30),
                      indicators=[Indicator(number=n, name=f"ตัวชี้วัดใหม่ {n}") for n in range(1, 8)])
    db.session.add(year)
    db.session.commit()
    new, _ = start(seeded, carry=False)

    old = {m.order: [i.number for i in m.indicators] for m in seeded.plan.measures}
    assert old == {1: [6], 2: [7], 3: [8]}
    linked = {m.order: [(i.number, i.name, i.fiscal_year_id) for i in m.indicators] for m in new.measures}
    assert linked == {1: [(6, "ตัวชี้วัดใหม่ 6", year.id)], 2: [(7, "ตัวชี้วัดใหม่ 7", year.id)], 3: []}
    (event,) = events("plan.copy")
    assert event.after["unmatched_indicators"] == [8]


def test_a_year_with_a_plan_is_not_copied_over(seeded):
    start(seeded, carry=False)
    plans = count(Plan)
    with pytest.raises(DomainError) as refused:
        next_year.copy_plan(seeded.plan, seeded.users["admin"], source=Source.WEB)
    assert refused.value.status == 409
    assert "มีแผนปีงบประมาณ 2570 อยู่แล้ว" in refused.value.message and "ยกงานที่ยังไม่เสร็จ" in refused.value.message
    db.session.rollback()
    assert count(Plan) == plans


# --- carrying --------------------------------------------------------------------------------------------------------


def test_copy_and_carry_marks_the_unfinished_tasks_and_links_them_both_ways(seeded):
    work = a_year_of_work(seeded)
    new, carried = start(seeded)

    assert len(carried) == len(work["unfinished"]) == 13
    assert len(all_tasks(new)) == 16  # the copied steps go on with the old ones: no second copy beside them
    for old in work["unfinished"]:
        assert old.status is TaskStatus.CARRIED
        successor = old.carried_to
        assert successor is not None and successor.carried_from is old and successor in carried
        assert successor.measure.plan is new and successor.measure.title == old.measure.title
        assert (successor.step_text, successor.division_id) == (old.step_text, old.division_id)
        assert successor.status is TaskStatus.TODO
        assert successor.due_date == old.due_date.replace(year=old.due_date.year + 1)
    for old in work["done"]:  # done stays done, in its year
        assert old.status is TaskStatus.DONE and old.carried_to is None
    # History, evidence and comments stay on the old task.
    assert work["done"][0].evidence and work["doing"][0].comments and not work["doing"][0].carried_to.comments
    assert {t.carried_from for t in all_tasks(new)} - {None} == set(work["unfinished"])


def test_carrying_into_an_imported_plan_finds_or_makes_each_tasks_place(seeded):
    work = a_year_of_work(seeded)
    old_measures = seeded.plan.measures
    # A plan imported from the next report: measure 1 again, with its first step for กองคลัง only; measure 2 under
    # another title; measure 3 gone.
    first_step, second_step = (old_measures[0].tasks[0].step_text, old_measures[0].tasks[-1].step_text)
    imported, again, kept = an_imported_plan(seeded, kept_due=date(2027, 1, 31))
    before = count(Task)

    carried = next_year.carry_over(seeded.plan, seeded.users["admin"], into=imported, source=Source.WEB,
                                   today=TODAY)
    db.session.commit()

    assert len(carried) == len(work["unfinished"])
    by_old = {t.carried_from.id: t for t in carried}
    assert len(by_old) == len(carried)
    # The step the new plan has for กองคลัง goes on with last year's, keeping its own date (still ahead).
    finance_first = next(t for t in old_measures[0].tasks if t.step_number == 1 and t.division == seeded.finance)
    assert by_old[finance_first.id] is kept and kept.due_date == date(2027, 1, 31)
    # Measure 1's other unfinished steps (สำนักปลัด's are done): in that measure, the first step's beside กองคลัง's,
    # the second as a new step 2; every division of them now named by the measure.
    in_again = sorted((t.step_number, t.step_text, t.division.name) for t in again.tasks if t is not kept)
    assert in_again == sorted(
        [(1, first_step, name) for name in ("กองช่าง", "กองการศึกษา", "กองสาธารณสุข")]
        + [(2, second_step, name) for name in ("กองคลัง", "กองช่าง", "กองการศึกษา", "กองสาธารณสุข")])
    assert {t.division for t in again.tasks} == set(again.divisions)
    # Measures 2 and 3 have no measure of their title: the leftovers measure takes their tasks.
    leftovers = next(m for m in imported.measures if m.title == "งานยกมาจากปีงบประมาณ 2569")
    assert leftovers.order == 3 and leftovers.period_end == date(2027, 9, 30)
    assert leftovers.divisions == [seeded.clerk] and leftovers.indicators == []
    assert sorted((t.carried_from.measure.order, t.carried_from.step_number) for t in leftovers.tasks) == [
        (2, 2), (3, 1), (3, 2), (3, 3), (3, 4)]  # measure 2's first step is done
    assert [t.step_number for t in sorted(leftovers.tasks, key=lambda t: t.id)] == [1, 2, 3, 4, 5]
    assert all(t.due_date == next_year.carried_due(t.carried_from.due_date, 2570, TODAY) for t in leftovers.tasks)
    assert count(Task) == before + len(carried) - 1  # every one a new task, but for the one the plan had
    assert {t.status for t in work["unfinished"]} == {TaskStatus.CARRIED}

    # A year on, the leftovers measure is not copied as if it were one of the plan's: what is left of it is carried.
    admin = seeded.users["admin"]
    following = next_year.copy_plan(imported, admin, source=Source.WEB)
    assert [m.title for m in following.measures] == [again.title, "มาตรการใหม่ของปี 2570"]
    moved = next_year.carry_over(imported, admin, into=following, source=Source.WEB, today=date(2027, 9, 1))
    (leftovers_2571,) = [m for m in following.measures if m.title.startswith("งานยกมา")]
    assert leftovers_2571.title == "งานยกมาจากปีงบประมาณ 2570"
    assert {t.carried_from for t in leftovers_2571.tasks} == set(leftovers.tasks)
    assert len(moved) == len(all_tasks(imported))  # nothing of 2570 was done


def test_only_the_next_years_plan_takes_carried_tasks(seeded):
    later = Plan(organization=seeded.org, fiscal_year=ensure_fiscal_year(2571), source="x.csv", content_hash="x")
    db.session.add(later)
    db.session.commit()
    with pytest.raises(DomainError, match="2570"):
        next_year.carry_over(seeded.plan, seeded.users["admin"], into=later, source=Source.WEB)
    db.session.rollback()
    assert all(t.status is TaskStatus.TODO for t in all_tasks(seeded.plan))


def reminded(plan) -> set[int]:
    return {r.task.id for d in (*plan.digests, *plan.group_digests) for r in d.reminders}


def test_a_carried_task_gives_no_more_reminders(seeded, linked):
    early = next(t for t in seeded.tasks_of(seeded.clerk) if t.due_date == EARLY_STEP)
    # A day of the overdue cadence (every 3 working days): the early step is reminded of, as overdue.
    september = (date(2026, 9, n) for n in range(1, 31))
    day = next(d for d in september if early.id in reminded(outbox.plan_for(seeded.org, d)))

    start(seeded, today=date(2026, 9, 1))

    assert early.status is TaskStatus.CARRIED
    swept = outbox.plan_for(seeded.org, day)
    assert early.id not in reminded(swept)
    # The forecast, which reads every task, plans the same day alike (as tests/test_sweep.py holds it to).
    assert load_inputs(seeded.org, day).plan(day) == swept
    # Nor is it a candidate the sweep reads at all, across every agency.
    read = {t.id for batch in selection.day_inputs(day) for _, inputs in batch for t in inputs.tasks}
    assert early.id not in read


def test_progress_on_a_carried_task_is_refused_and_the_task_page_links_both_ways(seeded, client):
    work = a_year_of_work(seeded)
    start(seeded)
    old = work["doing"][0]
    with pytest.raises(DomainError, match="ปีงบประมาณ 2570"):
        tick_off(old, seeded.users["clerk-head"], source=Source.WEB)
    with pytest.raises(DomainError):
        add_evidence(old, seeded.users["clerk-head"], source=Source.WEB, url="https://example.go.th/late")
    db.session.rollback()

    login(client, "clerk-head")
    page = client.get(f"/tasks/{old.id}").get_data(as_text=True)
    assert "ยกไปดำเนินการต่อในปีงบประมาณ 2570" in page and f'href="/tasks/{old.carried_to.id}"' in page
    assert "ยกไปปีถัดไป" in page and "รายงานความคืบหน้า</h2>" not in page
    new_page = client.get(f"/tasks/{old.carried_to.id}").get_data(as_text=True)
    assert "ยกมาจากปีงบประมาณ 2569" in new_page and f'href="/tasks/{old.id}"' in new_page
    assert "รายงานความคืบหน้า</h2>" in new_page
    # Through the form too: refused, and the task stays carried.
    response = post_progress(client, old, close="1", file=(io.BytesIO(b"%PDF-1.4 x"), "a.pdf"))
    assert "ปีงบประมาณ 2570" in response.get_data(as_text=True)
    db.session.expire_all()
    assert old.status is TaskStatus.CARRIED and not old.evidence


# --- last year stays readable, counted honestly ----------------------------------------------------------------------


def test_last_years_dashboard_counts_carried_tasks_as_neither_done_nor_overdue(seeded, app, on_day):
    a_year_of_work(seeded)
    start(seeded)
    on_day(date(2026, 10, 5))
    board = dashboard.build(seeded.org.id, date(2026, 10, 5), WorkCalendar(), year=2569)
    o = board.overall
    assert (o.total, o.done, o.carried, o.overdue, o.due_soon) == (16, 3, 13, 0, 0)
    assert o.pct_done == 3 / 16 * 100
    assert o.on_track == o.done - o.late  # carried tasks are not "on track" in a year that is over for them
    assert board.overdue == [] and board.upcoming == []

    mayor = signed_in(app, "mayor")
    page = mayor.get("/dashboard?year=2569")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "ปีงบประมาณ 2569" in text and "เสร็จแล้ว 3 จาก 16 งาน" in text and "ยกไปปีถัดไป 13 งาน" in text
    assert "ไม่มีงานเกินกำหนด" in text
    this_year = mayor.get("/dashboard").get_data(as_text=True)
    assert "ปีงบประมาณ 2570" in this_year and "เสร็จแล้ว 0 จาก 16 งาน" in this_year
    # Their report can still be downloaded: the dashboard's report form still names last year.
    assert 'name="year" value="2569"' in text


def test_the_dashboard_the_line_summary_and_the_weekly_digest_count_carried_tasks_alike(seeded, linked, on_day):
    # Carried before the year ends: last year's plan is still the current one, with carried tasks in it.
    a_year_of_work(seeded)
    start(seeded, today=date(2026, 9, 1))
    monday = date(2026, 9, 7)
    on_day(monday)
    o = dashboard.build(seeded.org.id, monday, work_calendar(seeded.org)).overall
    assert (o.total, o.done, o.overdue) == (16, 3, 0)
    assert f"เสร็จแล้ว {o.done} จาก {o.total} งาน" in summary_text(seeded.users["mayor"])
    assert "เกินกำหนด 0 งาน" in summary_text(seeded.users["mayor"])
    for plan in (load_inputs(seeded.org, monday).plan(monday), outbox.plan_for(seeded.org, monday)):
        (mayors,) = [d for d in plan.digests if d.person.name == "นายกเทศมนตรี"]
        assert (mayors.organization.total, mayors.organization.done, mayors.organization.overdue) == (16, 3, 0)


def test_my_tasks_and_the_board_of_last_year_set_carried_tasks_apart(seeded, client, on_day):
    a_year_of_work(seeded)
    start(seeded)
    on_day(date(2026, 10, 5))
    login(client, "clerk-head")
    mine = client.get("/tasks?year=2569").get_data(as_text=True)
    assert "ยกไปทำต่อในปีงบประมาณถัดไป (5)" in mine and "เกินกำหนด (" not in mine
    board = client.get(f"/divisions/{seeded.clerk.id}?year=2569").get_data(as_text=True)
    assert "ไม่มีงานตามตัวกรองนี้" in board  # "not done yet", the default filter: nothing is left to do
    carried = client.get(f"/divisions/{seeded.clerk.id}?year=2569&status=carried").get_data(as_text=True)
    assert carried.count('class="badge carried"') == 5


# --- the page --------------------------------------------------------------------------------------------------------


def offered(page: str) -> list[str]:
    """The ways the page offers (its radio buttons), asserting that none of them is chosen beforehand."""
    radios = re.findall(r'<input [^>]*type="radio"[^>]*>', page)
    assert not [r for r in radios if re.search(r"\bchecked\b", r)], "a way is chosen before the person chooses"
    return [re.search(r'value="(\w+)"', r).group(1) for r in radios]


def test_the_page_says_what_will_be_created_then_starts_the_year(seeded, client, on_day):
    work = a_year_of_work(seeded)
    login(client, "admin")
    page = client.get("/next-year").get_data(as_text=True)  # in FY 2569: the year after it
    assert "<h1>เริ่มปีงบประมาณ 2570</h1>" in page
    assert "มาตรการ 3 รายการ งาน 16 งาน" in page and ">13</div>" in page
    assert offered(page) == ["copy", "copy_carry"]
    assert page.count("ครบกำหนด 31 มี.ค. 2569 → 31 มี.ค. 2570") >= 1

    response = post_form(client, "/next-year?year=2569", {"how": "copy_carry"}, token_from="/next-year")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard?year=2570"
    landed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "เริ่มปีงบประมาณ 2570 แล้ว" in landed and "ยกงานที่ยังไม่เสร็จไปทำต่อ 13 งาน" in landed
    assert plan_of(seeded, 2570) is not None
    assert {t.status for t in work["unfinished"]} == {TaskStatus.CARRIED}

    # The plan of 2570 is there now: a second copy is not offered, nor taken when posted anyway.
    again = client.get("/next-year?year=2569").get_data(as_text=True)
    assert "มีแผนปีงบประมาณ 2570 อยู่แล้ว" in again and 'value="copy' not in again
    plans = count(Plan)
    refused = post_form(client, "/next-year?year=2569", {"how": "copy"}, token_from="/next-year?year=2569")
    assert refused.status_code == 400 and count(Plan) == plans


def test_carrying_into_the_plan_already_there(seeded, client, on_day):
    a_year_of_work(seeded)
    start(seeded, carry=False)
    login(client, "admin")
    page = client.get("/next-year?year=2569").get_data(as_text=True)
    assert offered(page) == ["carry"] and "ทำต่อในงานเดียวกันของแผนปี 2570 13 งาน" in page
    response = post_form(client, "/next-year?year=2569", {"how": "carry"}, token_from="/next-year?year=2569")
    assert response.status_code == 302
    assert "ยกงานไปแผนปีงบประมาณ 2570 แล้ว" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(events("task.carry")) == 13


def test_the_dashboard_and_the_import_page_lead_the_administrator_there(seeded, client):
    login(client, "admin")
    assert 'href="/next-year?year=2569"' in client.get("/dashboard").get_data(as_text=True)
    assert 'href="/next-year"' in client.get("/imports/new").get_data(as_text=True)
    login(client, "mayor")
    assert "/next-year" not in client.get("/dashboard").get_data(as_text=True)


@pytest.mark.parametrize("username", ["mayor", "clerk-head", "finance-staff"])
def test_only_the_administrator_starts_a_year(seeded, client, username):
    login(client, username)
    before = (count(Plan), count(AuditEvent))
    assert client.get("/next-year").status_code == 403
    response = post_form(client, "/next-year?year=2569", {"how": "copy_carry"})
    assert response.status_code == 403
    assert "ได้เฉพาะผู้ดูแลระบบ" in response.get_data(as_text=True)
    assert (count(Plan), count(AuditEvent)) == before
    for person in ("mayor", "clerk-head"):
        with pytest.raises(Refused, match="ผู้ดูแลระบบ"):
            next_year.copy_plan(seeded.plan, seeded.users[person], source=Source.WEB)


def test_a_year_without_a_plan_is_not_found_and_the_post_needs_its_token(seeded, client):
    login(client, "admin")
    assert client.get("/next-year?year=2560").status_code == 404
    assert client.post("/next-year?year=2569", data={"how": "copy"}).status_code == 400
    assert count(Plan) == 1


# --- when carrying is offered (issue 18), and taking it back ----------------------------------------------------------

DECEMBER = date(2026, 12, 4)  # FY 2570's first quarter: its plan is the live one
AUGUST = date(2026, 8, 3)  # FY 2569's last quarter: the next year is being prepared


@pytest.mark.parametrize("year, today, allowed", [
    (2569, date(2026, 6, 30), False),  # the live plan, before its last quarter
    (2569, date(2026, 7, 1), True),  # its last quarter (July - September)
    (2569, date(2026, 9, 30), True),
    (2569, DECEMBER, True),  # its year has ended: carrying its leftovers into 2570 is the normal case
    (2570, DECEMBER, False),  # the live plan in December: what emptied everyone's list
    (2571, DECEMBER, False),  # a plan of a year not begun yet (copied early)
    (2570, date(2027, 7, 1), True),
])
def test_when_unfinished_tasks_may_be_carried_over(year, today, allowed):
    assert next_year.may_carry_over(year, today) is allowed


def test_a_carrying_may_be_undone_on_its_day_and_the_seven_after():
    assert next_year.carrying_opens(2570) == date(2027, 7, 1)
    assert [next_year.may_undo(AUGUST, AUGUST + timedelta(days=n)) for n in (0, 7, 8)] == [True, True, False]
    assert next_year.undo_last_day(AUGUST) == date(2026, 8, 10)


def states(tasks: list[Task]) -> list[tuple[int, TaskStatus, int | None]]:
    db.session.expire_all()
    return [(t.id, t.status, t.carried_from_id) for t in tasks]


def test_in_december_the_live_plan_is_copied_a_year_on_never_carried(seeded, client, on_day):
    live, _ = start(seeded)  # in September (2569's last quarter): its unfinished tasks went on into 2570
    on_day(DECEMBER)
    live_tasks = all_tasks(live)
    login(client, "admin")
    page = client.get("/next-year").get_data(as_text=True)
    assert "<h1>เริ่มปีงบประมาณ 2571</h1>" in page
    assert offered(page) == ["copy"]  # copying changes nothing live; carrying is not offered ...
    assert "ได้ตั้งแต่ 1 ก.ค. 2570 (ไตรมาสสุดท้ายของปีงบประมาณ 2570)" in page  # ... and the page says when it will be
    assert "จะหยุดแจ้งเตือน" not in page

    # ... nor done when asked for anyway: nothing changes.
    before = (counts(), states(live_tasks))
    for how in ("copy_carry", "carry"):
        refused = post_form(client, "/next-year?year=2570", {"how": how}, token_from="/next-year")
        assert refused.status_code == 409
        text = refused.get_data(as_text=True)
        assert "ยังไม่ได้เริ่มปีงบประมาณ 2571 — ไม่มีอะไรเปลี่ยน" in text and "ได้ตั้งแต่ 1 ก.ค. 2570" in text
    assert (counts(), states(live_tasks)) == before

    # Copying the plan a year on: then 2571 has a plan, and still nothing of 2570 is carried into it.
    response = post_form(client, "/next-year?year=2570", {"how": "copy"}, token_from="/next-year")
    assert response.status_code == 302
    following = plan_of(seeded, 2571)
    assert following is not None and {t.status for t in all_tasks(live)} == {TaskStatus.TODO}
    again = client.get("/next-year?year=2570").get_data(as_text=True)
    assert offered(again) == [] and "ได้ตั้งแต่ 1 ก.ค. 2570" in again
    before = (counts(), states(live_tasks))
    assert post_form(client, "/next-year?year=2570", {"how": "carry"}, token_from="/next-year").status_code == 409
    with pytest.raises(DomainError, match="1 ก.ค. 2570") as refused_carry:
        next_year.carry_over(live, seeded.users["admin"], into=following, source=Source.WEB)
    assert refused_carry.value.status == 409
    db.session.rollback()
    assert (counts(), states(live_tasks)) == before

    # The year's work is still everyone's.
    login(client, "clerk-staff")
    mine = client.get("/tasks").get_data(as_text=True)
    assert "แผนปีงบประมาณ 2570" in mine and "ไม่มีงานค้าง" not in mine


def test_in_december_last_years_leftovers_are_carried_as_usual(seeded, client, on_day):
    on_day(DECEMBER)  # FY 2569 is over, its 16 tasks still open
    login(client, "admin")
    page = client.get("/next-year").get_data(as_text=True)
    assert "<h1>เริ่มปีงบประมาณ 2570</h1>" in page and offered(page) == ["copy", "copy_carry"]
    assert "งาน 16 งานของแผนปี 2569 จะหยุดแจ้งเตือน" in page


def test_in_the_last_quarter_carrying_is_offered_unchosen_naming_whose_reminders_stop(seeded, client, on_day):
    on_day(AUGUST)
    work = a_year_of_work(seeded)  # 13 unfinished; one of สำนักปลัดเทศบาล's given to its staff member
    head_s = next(t for t in work["unfinished"] if t.division == seeded.clerk and t.assignee is None)
    assign(head_s, seeded.users["admin"], seeded.users["clerk-head"], source=Source.WEB)
    db.session.commit()

    outlook = next_year.outlook(seeded.plan, AUGUST)
    by_division = {r.division: (r.tasks, r.people, r.unassigned) for r in outlook.reminded}
    assert by_division == {
        "สำนักปลัดเทศบาล": (5, sorted(["หัวหน้าสำนักปลัด", "เจ้าหน้าที่สำนักปลัด"]), 3),
        "กองคลัง": (2, ["เจ้าหน้าที่กองคลัง"], 2),  # given to nobody: the division's staff hear of them
        "กองช่าง": (2, [], 2), "กองการศึกษา": (2, [], 2), "กองสาธารณสุข": (2, [], 2),  # nobody to hear
    }

    login(client, "admin")
    page = client.get("/next-year").get_data(as_text=True)
    assert offered(page) == ["copy", "copy_carry"]  # offered, and nothing chosen beforehand
    assert 'aria-describedby="how-copy_carry-hint carry-stops"' in page
    warning = " ".join(page[page.index('id="carry-stops"'):].split("</div>")[0].split())
    assert "งาน 13 งานของแผนปี 2569 จะหยุดแจ้งเตือน" in warning
    assert ("<strong>สำนักปลัดเทศบาล</strong> (5 งาน · ยังไม่มอบหมาย 3 งาน แจ้งทุกคนในกอง):"
            " หัวหน้าสำนักปลัด, เจ้าหน้าที่สำนักปลัด") in warning
    assert "<strong>กองคลัง</strong> (2 งาน · ยังไม่มอบหมาย 2 งาน แจ้งทุกคนในกอง): เจ้าหน้าที่กองคลัง" in warning
    assert "<strong>กองช่าง</strong> (2 งาน · ยังไม่มอบหมาย 2 งาน แจ้งทุกคนในกอง): ไม่มีผู้ใช้ที่ได้รับแจ้งเตือน" in warning

    # Confirming without a choice: refused in Thai, the page kept, nothing done.
    before = counts()
    refused = post_form(client, "/next-year?year=2569", {}, token_from="/next-year")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "เลือกวิธีเริ่มปีงบประมาณใหม่ก่อน" in text and "<h1>เริ่มปีงบประมาณ 2570</h1>" in text
    assert offered(text) == ["copy", "copy_carry"] and counts() == before

    response = post_form(client, "/next-year?year=2569", {"how": "copy_carry"}, token_from="/next-year")
    assert response.status_code == 302
    assert "ยกเลิกได้ภายใน 7 วัน" in client.get(response.headers["Location"]).get_data(as_text=True)

    # The staff member's tasks (theirs, and their division's given to nobody) went on in the new year: My tasks shows
    # them there.
    clerks = [t for t in work["unfinished"] if t.division == seeded.clerk and t is not head_s]
    login(client, "clerk-staff")
    this_year = client.get("/tasks").get_data(as_text=True)
    assert "ยกไปทำต่อในปีงบประมาณถัดไป (4)" in this_year
    next_years = client.get("/tasks?year=2570").get_data(as_text=True)
    assert "แผนปีงบประมาณ 2570" in next_years
    assert all(f'href="/tasks/{t.carried_to.id}"' in next_years for t in clerks)


def reminded_on(seeded, day: date) -> set[int]:
    return reminded(outbox.plan_for(seeded.org, day))


def test_undoing_a_carrying_within_seven_days_brings_the_tasks_back(seeded, linked, client, on_day):
    on_day(AUGUST)
    work = a_year_of_work(seeded)
    doing = work["doing"][0]
    early = next(t for t in seeded.tasks_of(seeded.clerk) if t.due_date == EARLY_STEP)
    day = next(d for d in (AUGUST + timedelta(days=n) for n in range(28)) if early.id in reminded_on(seeded, d))
    login(client, "admin")
    assert post_form(client, "/next-year?year=2569", {"how": "copy_carry"}, token_from="/next-year").status_code == 302
    copy = plan_of(seeded, 2570)
    assert early.status is TaskStatus.CARRIED and early.id not in reminded_on(seeded, day)

    on_day(AUGUST + timedelta(days=7))  # the seventh day after: still
    login(client, "admin")  # (a new day, a new session)
    page = client.get("/next-year").get_data(as_text=True)
    assert "ยกเลิกการยกงาน</button>" in page and "ยกเลิกได้ถึงสิ้นวันที่ 10 ส.ค. 2569" in page
    (carrying,) = events("plan.carry_over")
    response = post_form(client, f"/next-year/carry-overs/{carrying.id}/undo", token_from="/next-year")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard?year=2569"
    landed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ยกเลิกการยกงานแล้ว: งาน 13 งานกลับมาในแผนปีงบประมาณ 2569" in landed

    # Every task is back in its plan and status, with its history, evidence and notes; the copy stays, unlinked.
    db.session.expire_all()
    assert [t.status for t in work["unfinished"]] == [
        TaskStatus.DOING if t is doing else TaskStatus.TODO for t in work["unfinished"]]
    assert all(t.carried_to is None for t in work["unfinished"])
    assert work["done"][0].evidence and doing.comments
    assert plan_of(seeded, 2570) == copy and len(all_tasks(copy)) == 16
    assert all(t.carried_from is None and t.status is TaskStatus.TODO for t in all_tasks(copy))
    # ... and reminds again: the sweep reads it and the policy plans it.
    assert early.id in reminded_on(seeded, day)
    assert early.id in {t.id for batch in selection.day_inputs(day) for _, inputs in batch for t in inputs.tasks}

    # The trail says both, as a whole and task by task.
    (undone,) = events("plan.carry_over_undo")
    assert (undone.object_type, undone.object_id, undone.actor) == ("Plan", seeded.plan.id, seeded.users["admin"])
    assert undone.after == {"fiscal_year": 2570, "from_fiscal_year": 2569, "tasks": 13, "removed": 0,
                            "carry_event_id": carrying.id}
    back = {e.object_id: e for e in events("task.carry_undo")}
    assert set(back) == {t.id for t in work["unfinished"]}
    assert (back[doing.id].before["status"], back[doing.id].after["status"]) == ("carried", "doing")
    assert len(events("task.carried_in_undo")) == 13 and len(events("task.carry")) == 13
    login(client, "clerk-head")
    history = client.get(f"/tasks/{doing.id}").get_data(as_text=True)
    assert "กำลังทำ → ยกไปปีถัดไป" in history and "ยกไปปีถัดไป → กำลังทำ" in history
    assert "ยกเลิกการยกงาน งานกลับมาในปีงบประมาณเดิม" in history and "รายงานความคืบหน้า</h2>" in history
    login(client, "mayor")
    trail = client.get("/audit").get_data(as_text=True)
    assert "ยกงานที่ยังไม่เสร็จไปปีงบประมาณถัดไป" in trail and ">ยกเลิกการยกงาน<" in trail
    assert "carried_on" not in trail and "carry_event_id" not in trail

    # Once undone, it is not offered again, nor undone twice.
    login(client, "admin")
    assert "ยกเลิกการยกงาน</button>" not in client.get("/next-year").get_data(as_text=True)
    again = post_form(client, f"/next-year/carry-overs/{carrying.id}/undo", token_from="/next-year")
    assert again.status_code == 409 and "ถูกยกเลิกไปแล้ว" in again.get_data(as_text=True)


def an_imported_plan(seeded, kept_due: date = date(2026, 10, 31)) -> tuple[Plan, Measure, Task]:
    """The next year's plan from the next report: measure 1 again with its first step for กองคลัง only (due
    `kept_due`), and a new measure (the rest of last year's plan has no measure in it)."""
    old = seeded.plan.measures[0]
    first_step = old.tasks[0].step_text
    imported = Plan(organization=seeded.org, fiscal_year=ensure_fiscal_year(2570), source="ita-2569.txt",
                    content_hash="i")
    again = Measure(plan=imported, order=1, title=old.title, period_start=date(2026, 10, 1),
                    period_end=date(2027, 9, 30), divisions=[seeded.finance])
    kept = Task(measure=again, step_number=1, step_text=first_step, division=seeded.finance, due_date=kept_due)
    other = Measure(plan=imported, order=2, title="มาตรการใหม่ของปี 2570", period_start=date(2026, 10, 1),
                    period_end=date(2027, 9, 30), divisions=[seeded.clerk])
    db.session.add_all([imported, again, kept, other,
                        Task(measure=other, step_number=1, step_text="งานใหม่", division=seeded.clerk,
                             due_date=date(2027, 6, 30))])
    db.session.commit()
    return imported, again, kept


def test_undoing_a_carrying_into_an_imported_plan_removes_what_it_made(seeded, on_day):
    on_day(date(2026, 11, 2))  # FY 2569 is over; the imported plan's date for กองคลัง's step has passed
    imported, again, kept = an_imported_plan(seeded)
    admin, old_tasks = seeded.users["admin"], all_tasks(seeded.plan)
    before = counts()
    carried = next_year.carry_over(seeded.plan, admin, into=imported, source=Source.WEB)
    db.session.commit()
    assert kept in carried and kept.due_date == date(2027, 3, 31)  # moved on, as it had passed
    assert any(m.title == "งานยกมาจากปีงบประมาณ 2569" for m in imported.measures) and len(again.divisions) == 5
    (carry,) = next_year.undoable(seeded.org.id, date(2026, 11, 2))
    assert (carry.year, carry.tasks, carry.last_day) == (2570, 16, date(2026, 11, 9))

    # Someone has worked on one of the tasks it made: undoing would lose that, so it is refused, naming it.
    made = next(t for t in carried if t is not kept and t.division == seeded.clerk)
    tick_off(made, seeded.users["clerk-head"], source=Source.WEB)
    with pytest.raises(DomainError, match="มีการดำเนินการแล้ว 1 งาน") as refused:
        next_year.undo_carry_over(carry, admin, source=Source.WEB)
    assert made.step_text[:30] in refused.value.message and refused.value.status == 409
    db.session.rollback()

    returned = next_year.undo_carry_over(carry, admin, source=Source.WEB)
    db.session.commit()
    assert sorted(t.id for t in returned) == sorted(t.id for t in old_tasks)
    db.session.expire_all()
    assert {t.status for t in old_tasks} == {TaskStatus.TODO} and all(t.carried_to is None for t in old_tasks)
    # What the carrying made is gone (the tasks, the leftovers measure, the divisions it named); what it found stays,
    # with its own date back.
    assert [m.title for m in imported.measures] == [again.title, "มาตรการใหม่ของปี 2570"]
    assert again.divisions == [seeded.finance] and again.tasks == [kept]
    assert kept.carried_from is None and kept.due_date == date(2026, 10, 31)
    assert {k: v for k, v in counts().items() if k != "AuditEvent"} == {
        k: v for k, v in before.items() if k != "AuditEvent"}
    (undone,) = events("plan.carry_over_undo")
    assert undone.after == {"fiscal_year": 2570, "from_fiscal_year": 2569, "tasks": 16, "removed": 15,
                            "carry_event_id": carry.event.id, "removed_measure": "งานยกมาจากปีงบประมาณ 2569"}
    removed = [e for e in events("task.carried_in_undo") if e.after is None]
    assert len(removed) == 15 and all(e.before["carried_from_id"] and e.before["step_text"] for e in removed)


def test_on_the_eighth_day_undoing_is_neither_offered_nor_done(seeded, client, on_day):
    on_day(AUGUST)
    login(client, "admin")
    assert post_form(client, "/next-year?year=2569", {"how": "copy_carry"}, token_from="/next-year").status_code == 302
    (carrying,) = events("plan.carry_over")
    on_day(AUGUST + timedelta(days=8))
    login(client, "admin")
    page = client.get("/next-year").get_data(as_text=True)
    assert "ยกเลิกการยกงาน</button>" not in page and f"/carry-overs/{carrying.id}/undo" not in page
    before = (counts(), states(all_tasks(seeded.plan)))
    refused = post_form(client, f"/next-year/carry-overs/{carrying.id}/undo", token_from="/next-year")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "ยังไม่ได้ยกเลิกการยกงาน — ไม่มีอะไรเปลี่ยน" in text and "(ถึง 10 ส.ค. 2569) ซึ่งเลยมาแล้ว" in text
    (carry,) = next_year.carry_overs(seeded.org.id)
    with pytest.raises(DomainError, match="ซึ่งเลยมาแล้ว"):
        next_year.undo_carry_over(carry, seeded.users["admin"], source=Source.WEB)
    db.session.rollback()
    assert (counts(), states(all_tasks(seeded.plan))) == before
    assert {t.status for t in all_tasks(seeded.plan)} == {TaskStatus.CARRIED}


@pytest.mark.parametrize("username", ["mayor", "clerk-head"])
def test_only_the_administrator_undoes_a_carrying(seeded, client, on_day, username):
    on_day(AUGUST)
    start(seeded, today=AUGUST)
    (carry,) = next_year.undoable(seeded.org.id, AUGUST)
    login(client, username)
    before = (counts(), states(all_tasks(seeded.plan)))
    response = post_form(client, f"/next-year/carry-overs/{carry.event.id}/undo")
    assert response.status_code == 403 and "ได้เฉพาะผู้ดูแลระบบ" in response.get_data(as_text=True)
    with pytest.raises(Refused, match="ผู้ดูแลระบบ"):
        next_year.undo_carry_over(carry, seeded.users[username], source=Source.WEB)
    assert (counts(), states(all_tasks(seeded.plan))) == before


# --- the audit trail -------------------------------------------------------------------------------------------------


def test_the_trail_says_who_copied_and_carried_what(seeded, client):
    work = a_year_of_work(seeded)
    new, carried = start(seeded)
    admin = seeded.users["admin"]

    (copied,) = events("plan.copy")
    assert (copied.object_type, copied.object_id, copied.actor, copied.source) == ("Plan", new.id, admin, Source.WEB)
    assert copied.after | {"content_hash": "-"} == {
        "source": "สำเนาจากแผนปีงบประมาณ 2569", "fiscal_year": 2570, "from_fiscal_year": 2569, "measures": 3,
        "tasks": 16, "content_hash": "-"}
    gone = events("task.carry")
    assert sorted(e.object_id for e in gone) == sorted(t.id for t in work["unfinished"])
    doing = next(e for e in gone if e.object_id == work["doing"][0].id)
    assert doing.before == {"status": "doing"}
    assert doing.after == {"status": "carried", "fiscal_year": 2570, "carried_to_id": work["doing"][0].carried_to.id}
    arrived = events("task.carried_in")
    assert sorted(e.object_id for e in arrived) == sorted(t.id for t in carried)
    assert all(e.after["from_fiscal_year"] == 2569 and e.actor == admin for e in arrived)

    login(client, "clerk-head")
    history = client.get(f"/tasks/{work['doing'][0].id}").get_data(as_text=True)
    assert "ยกงานไปดำเนินการต่อในปีงบประมาณถัดไป" in history and "กำลังทำ → ยกไปปีถัดไป" in history
    successor = work["doing"][0].carried_to
    assert "รับงานที่ยกมาจากปีงบประมาณก่อน" in client.get(f"/tasks/{successor.id}").get_data(as_text=True)


# --- the migration ---------------------------------------------------------------------------------------------------


def _migrate_with_a_carried_task(url: str) -> None:
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade()
        seeded = seed_organization(SEED)
        old, successor, other = seeded.tasks_of(seeded.clerk)[:3]
        old.status, successor.carried_from = TaskStatus.CARRIED, old
        db.session.commit()
        ids = {"old": old.id, "successor": successor.id, "other": other.id}
        db.session.remove()

        downgrade(revision="0009_results_report")
        with db.engine.connect() as connection:
            status = connection.execute(sa.text("SELECT status FROM task WHERE id = :old"), ids).scalar()
            columns = {column["name"] for column in sa.inspect(connection).get_columns("task")}
        assert status == "doing" and "carried_from_id" not in columns  # unfinished again, as it was
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:  # the constraint of before
            connection.execute(sa.text("UPDATE task SET status = 'carried' WHERE id = :old"), ids)

        upgrade()
        with db.engine.begin() as connection:
            connection.execute(sa.text("UPDATE task SET status = 'carried' WHERE id = :old"), ids)
            connection.execute(sa.text("UPDATE task SET carried_from_id = :old WHERE id = :successor"), ids)
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:  # a task is carried over once
            connection.execute(sa.text("UPDATE task SET carried_from_id = :old WHERE id = :other"), ids)
        db.engine.dispose()


def test_the_migration_upgrades_and_downgrades_with_carried_tasks_on_sqlite(tmp_path):
    _migrate_with_a_carried_task(f"sqlite:///{tmp_path / 'carried.sqlite3'}")


def test_the_migration_upgrades_and_downgrades_with_carried_tasks_on_postgresql(postgres_database):
    _migrate_with_a_carried_task(postgres_database)
