"""Draft measures (ร่าง) in Chromium on a 360 px phone (issue 22, part 2): rows a plan leaves without a period or a
division are completed in the web import's preview, checked as dates before anything is written; a draft imported
as one is completed on its measure's page. Nothing overflows sideways, every field is a thumb's target."""
from __future__ import annotations

import re

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Measure

from ..factories import CLERK, FINANCE, write_csv
from .conftest import boxes, screenshot
from .test_tap_targets import MIN, small_targets

WIDTH, HEIGHT = 360, 780
HEADER = ("มาตรการ", "ตัวชี้วัด", "ขั้นตอน", "ช่วงเวลา", "ผู้รับผิดชอบ")
STEPS = "1. รวบรวมข้อมูล 2. เผยแพร่บนเว็บไซต์"
# A plan of fiscal year 2570 (the seeded organization has 2569's): one complete row, then the two kinds of draft.
ROWS = [
    ("ประกาศเจตนารมณ์", "1", "1. ประกาศ", "ต.ค. 69 - ก.ย. 70", FINANCE),
    ("จัดงานประเพณีโปร่งใส", "1", STEPS, "ตามห้วงเวลาจัดงานประเพณี", FINANCE),  # a period without dates
    ("ปรับปรุงเว็บไซต์", "9", "1. ปรับปรุง", "มี.ค. 70", ""),  # no division
]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def thumb_sized(locator) -> None:
    """Every element of `locator` is shown, inside the screen's width and at least MIN px both ways."""
    found = boxes(locator)
    assert found, "nothing to measure"
    for box in found:
        assert box["visible"], box
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
        assert box["width"] + 0.5 >= MIN and box["height"] + 0.5 >= MIN, box


def test_the_administrator_completes_drafts_in_the_preview_on_a_phone(live_app, new_page, tmp_path):
    base = live_app.config["BASE_URL"]
    path = write_csv(tmp_path / "plan-2570.csv", ROWS, header=HEADER)
    page = new_page(WIDTH, HEIGHT, signed_in_as="admin")
    page.goto(f"{base}/imports/new")
    page.get_by_label("ไฟล์แผน", exact=False).set_input_files(str(path))
    page.get_by_role("button", name="ตรวจไฟล์และดูตัวอย่าง").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="ตรวจแผนก่อนนำเข้า", exact=True).is_visible()
    assert page.locator(".chip.draft").count() == 2
    event, website = page.locator("#h-m2").locator(".."), page.locator("#h-m3").locator("..")
    assert event.locator(".chip.draft").is_visible() and website.locator(".chip.draft").is_visible()
    assert page.locator("#h-m1").locator("..").locator("fieldset.draft-fill").count() == 0  # the complete row
    period = page.get_by_label("ช่วงเวลา", exact=True)  # the one row without one
    divisions = website.get_by_role("group", name="ผู้รับผิดชอบ")
    assert period.get_attribute("name") == "period-2" and divisions.locator("input[name='divisions-3']").count() >= 2
    assert "ร่าง 2" in page.get_by_role("button", name=re.compile("^ยืนยันนำเข้า")).inner_text()
    assert fits(page)
    thumb_sized(period)
    thumb_sized(divisions.locator("label.check"))  # a checkbox is pressed through its label
    small, _ = small_targets(page, "#confirm-form")
    assert not small, small
    screenshot(page, "draft-preview-phone")

    period.fill("ไตรมาส 2")
    divisions.get_by_label(FINANCE).check()
    page.get_by_role("button", name="ตรวจอีกครั้ง").click()
    page.wait_for_load_state()
    # The typed quarter, read as its dates in fiscal year 2570; the division ticked; what was given is kept.
    event = page.locator("#h-m2").locator("..")
    assert "1 ม.ค. 2570 – 31 มี.ค. 2570" in event.locator("dl.facts").inner_text()
    assert page.get_by_label("ช่วงเวลา", exact=True).input_value() == "ไตรมาส 2"
    website = page.locator("#h-m3").locator("..")
    assert FINANCE in website.locator("dl.facts").inner_text()
    assert website.get_by_label(FINANCE).is_checked()
    assert page.locator(".chip.draft").count() == 0
    confirm = page.get_by_role("button", name=re.compile("^ยืนยันนำเข้า"))
    assert "ร่าง" not in confirm.inner_text()
    assert fits(page)
    screenshot(page, "draft-preview-checked-phone")

    confirm.click()
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard")
    notice = page.locator(".flash.success").inner_text()
    assert "นำเข้าแผนแล้ว: มาตรการ 3 รายการ" in notice and "มาตรการร่าง" not in notice
    with live_app.app_context():
        event = db.session.scalar(select(Measure).where(Measure.title == "จัดงานประเพณีโปร่งใส"))
        assert not event.is_draft and len(event.tasks) == 2
        db.session.remove()


def test_the_administrator_completes_a_draft_on_its_page_on_a_phone(live_app, new_page, seeded_template, tmp_path):
    # The same plan through the command (`tracker import --allow-drafts`): its two drafts stay drafts.
    path = write_csv(tmp_path / "plan-2570.csv", ROWS, header=HEADER)
    result = live_app.test_cli_runner().invoke(
        args=["import", str(path), "--allow-drafts", "--org", seeded_template.organization])
    assert result.exit_code == 0, result.output
    with live_app.app_context():
        event_id = db.session.scalar(select(Measure.id).where(Measure.title == "จัดงานประเพณีโปร่งใส"))
        db.session.remove()

    base = live_app.config["BASE_URL"]
    page = new_page(WIDTH, HEIGHT, signed_in_as="admin")
    page.goto(f"{base}/measures/{event_id}")
    draft = page.locator("section#draft")
    assert draft.is_visible() and page.locator("h1 .chip.draft").is_visible()
    assert "ตามห้วงเวลาจัดงานประเพณี" in draft.inner_text()
    # The form starts from what the plan gave: its words for the period, the division it named.
    period = draft.get_by_label("ช่วงเวลาดำเนินการ")
    finance, clerk = draft.get_by_label(FINANCE, exact=True), draft.get_by_label(CLERK, exact=True)
    assert period.input_value() == "ตามห้วงเวลาจัดงานประเพณี" and finance.is_checked() and not clerk.is_checked()
    assert period.is_visible() and finance.is_visible() and clerk.is_visible()
    assert fits(page)
    thumb_sized(period)
    small, _ = small_targets(page, "section#draft")  # the division checkboxes through their labels, the button
    assert not small, small
    screenshot(page, "draft-measure-phone")

    period.fill("ทุกไตรมาส")
    clerk.check()
    assert clerk.is_checked()
    draft.get_by_role("button", name="บันทึกและสร้างงาน").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/measures/{event_id}")
    assert "มาตรการครบแล้ว: สร้างงาน 16 งาน" in page.locator(".flash.success").inner_text()  # 2 steps x 4 x 2
    assert page.locator("section#draft").count() == 0 and page.locator(".chip.draft").count() == 0
    assert fits(page)
    screenshot(page, "draft-measure-completed-phone")
