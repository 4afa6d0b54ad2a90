"""The dashboard's completion-over-time charts in Chromium at a phone's and a desktop's width: every chart shown,
nothing wider than the screen, month labels that do not run into each other, the figures behind a fold, and on paper."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.models import Task, TaskStatus

from .conftest import SCREENSHOTS, boxes, screenshot

WIDTHS = [(360, "phone"), (1280, "desktop")]
CHARTS = 6  # the whole agency and the seed plan's five divisions

# Where each month label of each chart is drawn on the screen, in CSS px.
LABEL_BOXES = """() => [...document.querySelectorAll('#completion svg.chart-svg')].map(svg =>
  [...svg.querySelectorAll('.x-labels text')].filter(t => getComputedStyle(t).display !== 'none').map(t => {
    const r = t.getBoundingClientRect(); return {text: t.textContent, left: r.left, right: r.right, height: r.height};
  }))"""


@pytest.fixture
def april_1(live_app, monkeypatch):
    """The server (a thread of this process) sees 1 April 2026, and three of สำนักปลัด's tasks and one of กองคลัง's
    were closed over the months before: the done line has somewhere to go."""
    monkeypatch.setattr(clock, "today", lambda: date(2026, 4, 1))
    ids = live_app.config["TEST_IDS"]
    closed = zip(ids["clerk_tasks"][:3] + ids["finance_tasks"][:1],
                 [datetime(2025, 11, 20, 3, tzinfo=UTC), datetime(2025, 12, 28, 3, tzinfo=UTC),
                  datetime(2026, 3, 30, 3, tzinfo=UTC), datetime(2026, 1, 9, 3, tzinfo=UTC)], strict=True)
    with live_app.app_context():
        for task_id, moment in closed:
            task = db.session.get(Task, task_id)
            task.status, task.done_at = TaskStatus.DONE, moment
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("width, label", WIDTHS)
def test_the_charts_fit_the_screen_and_can_be_read(live_app, new_page, april_1, width, label):
    page = new_page(width, 900, signed_in_as="mayor")
    page.goto(f"{live_app.config['BASE_URL']}/dashboard")
    section = page.locator("#completion")
    assert section.get_by_role("heading", name="ความคืบหน้าตามเวลา รายกอง").is_visible()
    charts = boxes(section.locator("svg.chart-svg"))
    assert len(charts) == CHARTS
    for box in charts:
        assert box["visible"]
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert box["width"] >= 250  # small, but not a thumbnail
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    legend = section.locator(".chart-legend").inner_text()
    assert "ตามแผน" in legend and "ทำเสร็จ" in legend
    # The whole agency on 1 April: 8 of 16 due by the end of March; 4 done by then (the last on 30 March).
    assert "เม.ย. 2569: ตามแผน 50% (8 งาน) · ทำเสร็จ 25% (4 งาน)" in section.locator("figcaption").first.inner_text()

    for labels in page.evaluate(LABEL_BOXES):
        # Every month named, or every other one on a narrow chart: October first either way.
        assert len(labels) in (6, 12) and labels[0]["text"] == "ต.ค."
        # Apart by at least a space's width, so that "ต.ค." and "พ.ย." never read as one word.
        assert all(b["left"] - a["right"] >= 4 for a, b in zip(labels, labels[1:], strict=False)), labels
        assert min(box["height"] for box in labels) >= 10  # text a person can read, not shrunk to a speck

    section.screenshot(path=str(SCREENSHOTS / f"completion-{label}.png"))
    screenshot(page, f"dashboard-completion-{label}")

    # The figures, unfolded: a table that scrolls inside its box on a phone, never the page.
    section.get_by_text("ตัวเลขรายเดือน").click()
    table = section.locator("table.chart-table")
    assert table.is_visible()
    assert table.locator("tbody").count() == CHARTS
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    section.screenshot(path=str(SCREENSHOTS / f"completion-figures-{label}.png"))


def test_the_charts_and_their_figures_print(live_app, new_page, april_1):
    page = new_page(703, 1000, signed_in_as="mayor")  # A4 less print.css's margins, in CSS px
    page.goto(f"{live_app.config['BASE_URL']}/dashboard")
    page.emulate_media(media="print")
    section = page.locator("#completion")
    assert section.locator("svg.chart-svg").nth(CHARTS - 1).is_visible()
    table = section.locator("table.chart-table")
    assert table.is_visible()  # paper cannot unfold: the figures are printed without asking
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 703 + 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SCREENSHOTS / "completion-print.png"))
