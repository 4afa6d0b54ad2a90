"""The dashboard and the public page on paper (A4, no menu bar, every overdue task, no half-empty page, evidence with
its address), the sign-in card's width, and a 403 that says why, in Chromium."""
from __future__ import annotations

import io
import math
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from tracker import clock
from tracker.extensions import db
from tracker.models import Evidence, EvidenceReview, Task, TaskStatus

from ..conftest import ROOT
from .conftest import SCREENSHOTS, boxes, screenshot

ARTIFACTS = ROOT / "test-artifacts"
A4_CONTENT_WIDTH = 703  # CSS px: 210 mm less print.css's 12 mm margins either side, at 96 px an inch
A4_CONTENT_HEIGHT = 1009  # CSS px: 297 mm less print.css's 15 mm margins at the top and the bottom


@pytest.fixture
def april_1(monkeypatch):
    """The server sees 1 April 2026: 8 of the seed plan's tasks are overdue, more than the 5 the screen shows."""
    monkeypatch.setattr(clock, "today", lambda: date(2026, 4, 1))


def overdue_links(page) -> list[str]:
    """The overdue tasks a person can see on the page (or the paper), by their link."""
    links = page.locator("section[aria-labelledby='h-overdue'] a.title")
    return [href for href, box in zip(links.evaluate_all("links => links.map(a => a.getAttribute('href'))"),
                                      boxes(links), strict=True) if box["visible"]]


def test_the_dashboard_prints_on_a4_with_every_overdue_task(live_app, new_page, april_1):
    base = live_app.config["BASE_URL"]
    page = new_page(A4_CONTENT_WIDTH, 1000, signed_in_as="mayor")
    page.goto(f"{base}/dashboard")
    assert "งานเกินกำหนด (8)" in page.locator("#h-overdue").inner_text()
    on_screen = overdue_links(page)
    assert len(on_screen) == 5  # the rest folded in a closed <details>

    page.emulate_media(media="print")
    assert not page.locator("header.site").is_visible()
    assert not page.locator("header.site nav").is_visible()
    assert page.locator("form:visible, button:visible, .skip:visible").count() == 0
    on_paper = overdue_links(page)
    assert len(on_paper) == len(set(on_paper)) == 8  # every one, once
    assert set(on_screen) < set(on_paper)
    # Tables are as wide as the page, no wider (those on paper: the BE date picker's month grid is never shown).
    tables = [box for box in boxes(page.locator("table")) if box["visible"]]
    assert tables
    for box in tables:
        assert box["x"] >= 0 and box["x"] + box["width"] <= A4_CONTENT_WIDTH + 1
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT_WIDTH
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-print.png"), full_page=True)

    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "dashboard-a4.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert 1 <= pages <= 6, pages  # the seed plan's dashboard: a few pages, not one per row or a runaway layout
    sheets = [[float(n) for n in box.split()] for box in re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)]
    assert sheets and all(abs(w - 595.3) < 2 and abs(h - 841.9) < 2 for *_, w, h in sheets), sheets  # A4, in points


def test_the_screen_still_folds_the_overdue_list(live_app, new_page, april_1):
    base = live_app.config["BASE_URL"]
    page = new_page(360, 800, signed_in_as="mayor")
    page.goto(f"{base}/dashboard")
    assert len(overdue_links(page)) == 5
    page.get_by_text("ดูงานเกินกำหนดอีก 3 งาน").click()
    assert len(overdue_links(page)) == 8  # unfolded: the print-only copy stays hidden, so no task twice
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("width, label", [(1280, "desktop"), (360, "phone")])
def test_the_sign_in_card_is_narrow_on_a_desktop_and_full_width_on_a_phone(live_app, new_page, width, label):
    page = new_page(width, 800)
    page.goto(live_app.config["BASE_URL"] + "/login")
    card = page.locator("main .card").first
    box = card.bounding_box()
    main = page.locator("main").bounding_box()
    if width >= 1000:
        assert 300 <= box["width"] <= 26 * 16 + 1  # about 26rem: a narrow card
        left, right = box["x"], width - (box["x"] + box["width"])
        assert abs(left - right) <= 2  # centred
    else:
        assert box["width"] >= main["width"] - 2 * 16 - 1  # the phone's whole width, less main's padding
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"sign-in-{label}")


EVIDENCE_URL = "https://www.bangkrabue.go.th/news/{task}"  # where each done step's announcement is on the web


@pytest.fixture
def published(live_app, monkeypatch):
    """The server sees 20 April 2026 (the 6-month report is out); three of สำนักปลัด's steps are done, each with its
    announcement on the agency's website accepted and made public, as the demo does."""
    monkeypatch.setattr(clock, "today", lambda: date(2026, 4, 20))
    ids = live_app.config["TEST_IDS"]
    with live_app.app_context():
        urls = []
        for task_id in ids["clerk_tasks"][:3]:
            task = db.session.get(Task, task_id)
            task.status, task.done_at = TaskStatus.DONE, datetime(2026, 3, 2, 3, tzinfo=UTC)
            urls.append(EVIDENCE_URL.format(task=task_id))
            db.session.add(Evidence(task=task, organization_id=task.organization_id, url=urls[-1],
                                    note="ประกาศบนเว็บไซต์", review=EvidenceReview.ACCEPTED, public=True))
        organization_id = task.organization_id
        db.session.commit()
        db.session.remove()
    return f"{live_app.config['BASE_URL']}/o/{organization_id}/2569", urls


def test_the_public_page_prints_on_as_few_a4_pages_as_it_needs_with_each_evidence_address(live_app, new_page,
                                                                                            published):
    """No page left half empty by a measure that would not split (issue 18): the seed plan's page, which printed on 6
    pages, takes the pages its text fills; and each piece of evidence prints its address after its name, which a link
    alone does not on paper."""
    url, addresses = published
    page = new_page(A4_CONTENT_WIDTH, 1000)
    page.goto(url)
    page.emulate_media(media="print")
    page.evaluate("document.fonts.ready")  # Sarabun, as the page is printed
    printed_height = page.evaluate("document.documentElement.scrollHeight")  # the content as one long A4 column
    pdf = page.pdf(format="A4")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "public-a4.pdf").write_bytes(pdf)

    reader = PdfReader(io.BytesIO(pdf))
    # Rows and headings that are kept whole leave the foot of a page blank, up to a row each: 5 % of a page at most.
    # (The page's text now fills 2.97 A4 pages: 2569's O26 section, 2568's results, says the agency has none here.)
    assert len(reader.pages) <= math.ceil(printed_height * 1.05 / A4_CONTENT_HEIGHT), (len(reader.pages),
                                                                                      printed_height)
    assert len(reader.pages) <= 4
    text = "\n".join(p.extract_text() for p in reader.pages)
    for address in addresses:
        assert re.search(r"ประกาศบนเว็บไซต์\s*" + re.escape(address) + r"\b", text), address
    assert text.count("ประกาศบนเว็บไซต์") == len(addresses)

    phone = new_page(360, 800)  # the address reads on screen too, inside the link, nothing wider than a phone
    phone.goto(url + "#p1")  # the 2569 plan's own progress (2569's O26 is 2568's results)
    evidence = phone.locator("#p1 .public-evidence a").first
    assert evidence.inner_text().split() == ["ประกาศบนเว็บไซต์", addresses[0]]
    assert evidence.get_attribute("href") == addresses[0]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "public-evidence-phone", full_page=False)  # the evidence, where #r1 lands; public-phone is whole
