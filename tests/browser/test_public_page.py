"""The public disclosure page in Chromium, as a citizen or an ITA assessor opens it: no sign-in, on a phone (360 px)
and a desktop (1280 px), every measure there, nothing wider than the screen, the OIT anchors landing on their
section; screenshots written for a person to look at."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.models import Measure, Organization, Task, TaskStatus

from .conftest import boxes, screenshot

WIDTHS = [(360, "phone"), (1280, "desktop")]


@pytest.fixture
def april(live_app, monkeypatch):
    """The server sees 20 April 2026 (the 6-month round is over), with two of สำนักปลัด's steps done."""
    monkeypatch.setattr(clock, "today", lambda: date(2026, 4, 20))
    ids = live_app.config["TEST_IDS"]
    with live_app.app_context():
        for task_id, moment in zip(ids["clerk_tasks"][:2], [datetime(2025, 12, 1, 3, tzinfo=UTC),
                                                            datetime(2026, 3, 2, 3, tzinfo=UTC)], strict=True):
            task = db.session.get(Task, task_id)
            task.status, task.done_at = TaskStatus.DONE, moment
        organization_id = db.session.scalar(select(Organization.id))
        measures = db.session.scalar(select(func.count()).select_from(Measure))
        db.session.commit()
        db.session.remove()
    return f"{live_app.config['BASE_URL']}/o/{organization_id}/2569", measures


@pytest.mark.parametrize("width, label", WIDTHS)
def test_the_public_page_reads_on_a_phone_and_a_desktop(live_app, new_page, april, width, label):
    url, measures = april
    page = new_page(width, 900)
    page.goto(url)  # no sign-in
    assert page.url == url  # not sent to the sign-in page
    assert page.get_by_role("heading", level=1).inner_text().startswith("การส่งเสริมคุณธรรมและความโปร่งใส")
    # 2569's items: O25 is the 2569 plan, O26 the results of 2568's, which this agency has not in the system (said
    # so, nothing invented); the 2569 plan's own progress follows in #progress.
    assert page.locator("#O25 article").count() == page.locator("#progress article").count() == measures
    assert "ไม่มีแผนของปีงบประมาณ พ.ศ. 2568" in page.locator("#O26").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    for box in boxes(page.locator("#progress article")):
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert "เสร็จแล้ว" in page.locator("#progress").inner_text()
    assert page.get_by_role("link", name="PDF").first.is_visible()
    screenshot(page, f"public-{label}")

    page.goto(url + "#O26")  # the address an agency gives for its results item lands on that section
    top = page.evaluate("document.getElementById('O26').getBoundingClientRect().top")
    assert abs(top) < 5


def test_the_public_page_prints_without_screen_furniture(live_app, new_page, april):
    page = new_page(1280, 900)
    page.goto(april[0])
    page.emulate_media(media="print")
    assert not page.locator(".skip").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
