"""Completion over time on the dashboard: per month of the fiscal year, the tasks planned to be done by the month's end
against those done by then, for the whole agency and each division; counted from the rows the dashboard already
loads, and drawn as inline SVG with its figures as text."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from tracker import charts, dashboard
from tracker.extensions import db
from tracker.models import Division, Measure, Organization, Plan, Role, Source, Task, TaskStatus
from tracker.plans.build import ensure_fiscal_year
from tracker.tasks import tick_off
from tracker.workdays import WorkCalendar

from .factories import login, make_user

FY = 2569  # 1 Oct 2025 – 30 Sep 2026
MID_JANUARY = date(2026, 1, 15)
D = date
_ = None  # a month not begun: no done figure


# --- the months of a fiscal year -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fiscal_year, index, first, last", [
    (2569, 0, D(2025, 10, 1), D(2025, 10, 31)),  # October of the CE year before
    (2569, 2, D(2025, 12, 1), D(2025, 12, 31)),
    (2569, 3, D(2026, 1, 1), D(2026, 1, 31)),  # the CE year turns inside the fiscal year
    (2569, 4, D(2026, 2, 1), D(2026, 2, 28)),
    (2567, 4, D(2024, 2, 1), D(2024, 2, 29)),  # a leap February (fiscal year 2567: Oct 2023 – Sep 2024)
    (2569, 11, D(2026, 9, 1), D(2026, 9, 30)),  # September ends it
])
def test_the_twelve_months_of_a_fiscal_year(fiscal_year, index, first, last):
    months = charts.fiscal_months(fiscal_year)
    assert len(months) == 12
    assert months[index] == (first, last)


def test_month_labels_are_thai_with_the_buddhist_year():
    months = charts.completion([], FY, MID_JANUARY)
    assert [m.label for m in months] == [
        "ต.ค.", "พ.ย.", "ธ.ค.", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย."]
    assert (months[0].long_label, months[2].long_label, months[3].long_label) == ("ต.ค. 2568", "ธ.ค. 2568", "ม.ค. 2569")


# --- the series ----------------------------------------------------------------------------------------------------
# Each case: tasks as (due, done, day done), today, then the planned and the done count at the end of each month,
# ต.ค. to ก.ย.


@pytest.mark.parametrize("items, today, planned, done", [
    pytest.param(
        [(D(2025, 12, 31), True, D(2025, 11, 10))], MID_JANUARY,
        [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 1, 1, 1, _, _, _, _, _, _, _, _],
        id="done before its month"),
    pytest.param(
        [(D(2025, 10, 31), True, D(2025, 12, 5))], MID_JANUARY,
        [1] * 12, [0, 0, 1, 1, _, _, _, _, _, _, _, _],
        id="done late"),
    pytest.param(
        [(D(2026, 1, 31), False, None), (D(2026, 2, 28), True, D(2026, 1, 14))], MID_JANUARY,
        [0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2], [0, 0, 0, 1, _, _, _, _, _, _, _, _],
        id="today mid-month: the whole month planned, done so far"),
    pytest.param(
        [(D(2026, 1, 31), True, D(2026, 1, 15))], MID_JANUARY,
        [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, _, _, _, _, _, _, _, _],
        id="done today"),
    pytest.param(
        [(D(2025, 9, 30), True, D(2025, 9, 1)), (D(2026, 10, 1), False, None)], MID_JANUARY,
        [1] * 12, [1, 1, 1, 1, _, _, _, _, _, _, _, _],
        id="due before the year and after it"),
    pytest.param(
        [(D(2025, 11, 30), True, None)], MID_JANUARY,
        [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, _, _, _, _, _, _, _, _],
        id="done on a day not recorded: done by today"),
    pytest.param(
        [(D(2025, 11, 30), False, None)], MID_JANUARY,
        [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, _, _, _, _, _, _, _, _],
        id="open"),
    pytest.param(
        [], MID_JANUARY,
        [0] * 12, [0, 0, 0, 0, _, _, _, _, _, _, _, _],
        id="an empty division"),
    pytest.param(
        [(D(2026, 3, 31), True, D(2026, 9, 30))], D(2026, 10, 2),
        [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1], [0] * 11 + [1],
        id="the year is over: every month has a done figure"),
    pytest.param(
        [(D(2025, 10, 31), False, None)], D(2025, 9, 30),
        [1] * 12, [_] * 12,
        id="the year has not begun: no done figure"),
    pytest.param(
        [(D(2025, 10, 1), True, D(2025, 10, 1))], D(2025, 10, 1),
        [1] * 12, [1, _, _, _, _, _, _, _, _, _, _, _],
        id="the first day of the year"),
])
def test_planned_against_done_month_by_month(items, today, planned, done):
    months = charts.completion(items, FY, today)
    assert [m.planned for m in months] == planned
    assert [m.done for m in months] == done
    assert all(m.total == len(items) for m in months)


def test_percent_of_the_divisions_tasks():
    # A division with 4 tasks, 2 due by December, 1 done in November.
    items = [(D(2025, 11, 30), True, D(2025, 11, 20)), (D(2025, 12, 31), False, None),
             (D(2026, 3, 31), False, None), (D(2026, 6, 30), False, None)]
    december = charts.completion(items, FY, MID_JANUARY)[2]
    assert (december.planned, december.planned_pct, december.done, december.done_pct) == (2, 50.0, 1, 25.0)
    series = charts.CompletionSeries("กองช่าง", 7, charts.completion(items, FY, MID_JANUARY))
    assert series.total == 4 and series.key == "division-7"
    assert series.latest is not None and series.latest.label == "ม.ค."
    assert series.months[-1].planned_pct == 100.0 and series.months[-1].done_pct is None


def test_an_empty_division_is_zero_percent_not_an_error():
    series = charts.CompletionSeries("กองว่าง", 3, charts.completion([], FY, MID_JANUARY))
    assert series.total == 0
    assert {m.planned_pct for m in series.months} == {0.0}
    assert {m.done_pct for m in series.months[:4]} == {0.0}
    assert {p.y for p in series.plot.planned} == {charts.BOTTOM}  # drawn flat on the 0 % line


def test_the_plot_puts_percentages_on_the_scale_and_done_only_up_to_today():
    items = [(D(2025, 10, 31), True, D(2025, 10, 20)), (D(2026, 9, 30), False, None)]
    series = charts.CompletionSeries("ทั้งหน่วยงาน", None, charts.completion(items, FY, MID_JANUARY))
    plot = series.plot
    assert series.key == "all"
    assert len(plot.planned) == 12 and len(plot.done) == 4  # ต.ค. to ม.ค.
    xs = [p.x for p in plot.planned]
    assert xs == sorted(xs) and charts.LEFT < xs[0] and xs[-1] < charts.RIGHT
    assert [x for x, label in plot.x_labels] == xs
    assert plot.planned[0].y == pytest.approx((charts.TOP + charts.BOTTOM) / 2)  # 50 %
    assert plot.planned[-1].y == charts.TOP  # 100 %
    assert [p.y for p in plot.done] == pytest.approx([(charts.TOP + charts.BOTTOM) / 2] * 4)
    # The area under the done line closes on the 0 % line, under its first and last month.
    assert plot.done_area.endswith(f"{xs[3]:.1f},{charts.BOTTOM:.1f} {xs[0]:.1f},{charts.BOTTOM:.1f}")
    assert charts.CompletionSeries("x", None, charts.completion(items, FY, D(2025, 9, 1))).plot.done_area == ""


# --- on the dashboard ----------------------------------------------------------------------------------------------


@pytest.fixture
def works(app):
    """An agency of its own: กองช่าง with 4 tasks (due 30 Nov, 31 Dec, 31 Mar, 30 Jun; the first done on 20 Nov),
    กองคลัง with 2 open ones, and its mayor."""
    org = Organization(name="เทศบาลตำบลทดสอบกราฟ")
    works = Division(organization=org, name="กองช่าง", aliases=[])
    finance = Division(organization=org, name="กองคลัง", aliases=[])
    plan = Plan(organization=org, fiscal_year=ensure_fiscal_year(FY), source="chart.csv", content_hash="chart")
    measure = Measure(plan=plan, order=1, title="มาตรการทดสอบ", period_start=D(2025, 10, 1),
                      period_end=D(2026, 9, 30), divisions=[works, finance])
    for step, due in enumerate([D(2025, 11, 30), D(2025, 12, 31), D(2026, 3, 31), D(2026, 6, 30)], 1):
        measure.tasks.append(Task(step_number=step, step_text=f"งานช่าง {step}", division=works, due_date=due))
    for step, due in enumerate([D(2026, 2, 28), D(2026, 8, 31)], 1):
        measure.tasks.append(Task(step_number=step, step_text=f"งานคลัง {step}", division=finance, due_date=due))
    first = measure.tasks[0]
    first.status, first.done_at = TaskStatus.DONE, datetime(2025, 11, 20, 3, 0, tzinfo=UTC)
    make_user(org, "chart-mayor", Role.EXECUTIVE)
    db.session.add_all([org, works, finance, plan, measure])
    db.session.commit()
    return org, works, finance, measure


def page_on(client, on_day, day: date) -> str:
    on_day(day)
    login(client, "chart-mayor")
    response = client.get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def chart_of(page: str, key: str) -> str:
    match = re.search(rf'<figure class="chart" aria-labelledby="chart-{key}-h">.*?</figure>', page, re.S)
    assert match, f"no chart {key}"
    return match.group(0)


def figures_row(page: str, name: str, kind: str) -> list[str]:
    """The cells of a series' planned or done row of the figures table, as text."""
    body = re.search(rf'<tbody>\s*<tr>\s*<th scope="rowgroup" rowspan="2">{name}.*?</tbody>', page, re.S)
    assert body, f"no figures of {name}"
    row = re.search(rf'<th scope="row">{kind}</th>(.*?)</tr>', body.group(0), re.S)
    assert row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]


def test_the_dashboard_charts_each_division_against_its_plan(works, client, on_day):
    page = page_on(client, on_day, D(2025, 12, 31))
    section = re.search(r'<section aria-labelledby="h-completion".*?</section>', page, re.S).group(0)
    assert "ความคืบหน้าตามเวลา รายกอง" in section and "ปีงบประมาณ 2569 (1 ต.ค. 2568 – 30 ก.ย. 2569)" in section
    assert "ตามแผน" in section and "ทำเสร็จ" in section  # the legend
    # The whole agency first, then each division; one chart each.
    assert section.count('<svg class="chart-svg"') == 3
    assert section.index("chart-all-h") < section.index("กองช่าง") and "กองคลัง" in section

    works_chart = chart_of(page, f"division-{works[1].id}")
    assert "กองช่าง <span class=\"muted\">· 4 งาน</span>" in works_chart
    # At the end of December 2568: 2 of 4 due (50 %), 1 of 4 done (25 %).
    assert "ธ.ค. 2568: ตามแผน 50% (2 งาน) · ทำเสร็จ 25% (1 งาน)" in works_chart
    assert re.search(r"<title id=\"[^\"]+\">ความคืบหน้าตามเวลา กองช่าง</title>", works_chart)
    assert re.search(r"<desc id=\"[^\"]+\">[^<]*ธ.ค. 2568: ตามแผน 50% \(2 งาน\) · ทำเสร็จ 25% \(1 งาน\)", works_chart)
    labels = re.findall(r'text-anchor="middle"(?: class="minor")?>([^<]+)</text>', works_chart)
    assert labels == ["ต.ค.", "พ.ย.", "ธ.ค.", "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย."]
    # Done is drawn up to today's month only; the plan over the whole year.
    done_line = re.search(r'class="done-line" points="([^"]+)"', works_chart).group(1)
    planned_line = re.search(r'class="planned-line" points="([^"]+)"', works_chart).group(1)
    assert (len(done_line.split()), len(planned_line.split())) == (3, 12)

    assert figures_row(page, "กองช่าง", "ตามแผน") == [
        "0 0%", "1 25%", "2 50%", "2 50%", "2 50%", "3 75%", "3 75%", "3 75%", "4 100%", "4 100%", "4 100%", "4 100%"]
    assert figures_row(page, "กองช่าง", "ทำเสร็จ") == ["0 0%", "1 25%", "1 25%"] + ["– ยังไม่ถึง"] * 9
    assert figures_row(page, "ทั้งหน่วยงาน", "ตามแผน")[2] == "2 33.3%"  # 2 of the agency's 6
    assert figures_row(page, "ทั้งหน่วยงาน", "ทำเสร็จ")[:3] == ["0 0%", "1 16.7%", "1 16.7%"]
    assert "style=" not in page  # the CSP forbids inline styles


def test_a_task_done_late_at_night_counts_on_the_bangkok_day(works, client, on_day):
    # 30 November 18:30 UTC is already 1 December 01:30 in Bangkok: done in December, not November.
    works[3].tasks[0].done_at = datetime(2025, 11, 30, 18, 30, tzinfo=UTC)
    db.session.commit()
    board = dashboard.build(works[0].id, D(2025, 12, 31), WorkCalendar())
    division = next(s for s in board.completion if s.division_id == works[1].id)
    assert [m.done for m in division.months[:3]] == [0, 0, 1]
    page = page_on(client, on_day, D(2025, 12, 31))
    assert figures_row(page, "กองช่าง", "ทำเสร็จ")[:3] == ["0 0%", "0 0%", "1 25%"]


def test_ticking_off_moves_the_done_line_in_the_month_of_today(seeded, client, on_day):
    on_day(D(2026, 4, 1))
    login(client, "mayor")
    page = client.get("/dashboard").get_data(as_text=True)
    # The seed plan: 8 of 16 tasks due by the end of March 2569, none done.
    assert figures_row(page, "ทั้งหน่วยงาน", "ตามแผน")[5] == "8 50%"
    assert figures_row(page, "ทั้งหน่วยงาน", "ทำเสร็จ")[5:8] == ["0 0%", "0 0%", "– ยังไม่ถึง"]

    for task in seeded.tasks_of(seeded.clerk)[:2]:
        tick_off(task, seeded.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert figures_row(page, "ทั้งหน่วยงาน", "ทำเสร็จ")[5:7] == ["0 0%", "2 12.5%"]  # closed on 1 April
    assert figures_row(page, "สำนักปลัดเทศบาล", "ทำเสร็จ")[6] == "2 25%"
    assert "เม.ย. 2569: ตามแผน 50% (8 งาน) · ทำเสร็จ 12.5% (2 งาน)" in chart_of(page, "all")


def test_the_chart_counts_only_the_agencys_own_tasks(works, seeded):
    board = dashboard.build(seeded.org.id, D(2026, 4, 1), WorkCalendar())
    assert [s.total for s in board.completion] == [16, 8, 2, 2, 2, 2]
    assert [s.name for s in board.completion[1:]] == [d.name for d in board.divisions]
    assert "กองช่าง" in [s.name for s in board.completion]  # the seed's own กองช่าง, with 2 tasks
    assert board.completion[0].months[-1].planned == 16
