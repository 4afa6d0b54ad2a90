"""Dates people type, in Chromium at a phone's and a desktop's width: the due date and a day off, in the Buddhist
Era, typed or picked from the Thai month grid (be-date.js), and a common-era year refused with its reason."""
from __future__ import annotations

from datetime import date

import pytest

from tracker import clock

from .conftest import SCREENSHOTS, screenshot

WIDTHS = [(360, "phone"), (1280, "desktop")]


@pytest.fixture
def march_11(monkeypatch):
    """The server (a thread of this process) sees 11 March 2026 as today: 2569 and 2570 on the settings page."""
    monkeypatch.setattr(clock, "today", lambda: date(2026, 3, 11))


def due_field(page):
    return page.locator("form[action$='/due'] input[name='due_date']")


def save_due_date(page) -> None:
    page.locator("form[action$='/due'] [type=submit]").click()
    page.wait_for_load_state()


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width, label", WIDTHS)
def test_the_head_types_a_due_date_in_the_buddhist_era(live_app, new_page, march_11, width, label):
    base = live_app.config["BASE_URL"]
    task_id = live_app.config["TEST_IDS"]["clerk_tasks"][0]  # due 31 March 2569
    page = new_page(width, 800, signed_in_as="clerk-head")
    page.goto(f"{base}/tasks/{task_id}")

    field = due_field(page)
    assert field.input_value() == "31/03/2569"
    assert field.get_attribute("type") == "text" and field.get_attribute("inputmode") == "decimal"
    assert page.get_by_label("วันครบกำหนดใหม่", exact=True).input_value() == "31/03/2569"  # the label is tied to it
    assert "วัน/เดือน/ปี พ.ศ." in page.locator("#due_date-format").inner_text()
    assert fits(page, width)

    # A common-era year: refused, with the calendar it expects, and what was typed kept to correct.
    field.fill("30/4/2026")
    save_due_date(page)
    assert "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569" in page.locator("form[action$='/due']").inner_text()
    assert due_field(page).input_value() == "30/4/2026"
    assert "31 มีนาคม 2569" in page.locator("main dl").first.inner_text()  # unchanged
    screenshot(page, f"due-date-refused-{label}")

    due_field(page).fill("30/4/2569")
    save_due_date(page)
    assert "เปลี่ยนวันครบกำหนดแล้ว" in page.locator(".flash").inner_text()
    assert "30 เมษายน 2569" in page.locator("main dl").first.inner_text()
    assert due_field(page).input_value() == "30/04/2569"
    screenshot(page, f"due-date-saved-{label}")


@pytest.mark.parametrize("width, label", WIDTHS)
def test_the_thai_month_grid_fills_the_field(live_app, new_page, march_11, width, label):
    base = live_app.config["BASE_URL"]
    task_id = live_app.config["TEST_IDS"]["clerk_tasks"][0]
    page = new_page(width, 800, signed_in_as="clerk-head")
    page.goto(f"{base}/tasks/{task_id}")

    opener = page.get_by_role("button", name="เลือกวันครบกำหนดใหม่จากปฏิทิน")
    opener.click()
    picker = page.get_by_role("dialog", name="เลือกวันที่ (ปี พ.ศ.)")
    assert picker.is_visible() and opener.get_attribute("aria-expanded") == "true"
    assert picker.locator(".be-picker-title").inner_text() == "มีนาคม 2569"  # the field's month, in BE
    assert picker.get_by_role("button", name="วันอังคารที่ 31 มีนาคม 2569").get_attribute("aria-pressed") == "true"
    box = picker.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # on screen, even on a phone
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"due-date-picker-{label}.png"))  # what is on screen: the grid open

    picker.get_by_role("button", name="เดือนถัดไป").click()
    assert picker.locator(".be-picker-title").inner_text() == "เมษายน 2569"
    # The keyboard works too: from the focused day, arrows move and Enter picks.
    picker.get_by_role("button", name="วันพุธที่ 15 เมษายน 2569").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert not picker.is_visible()
    assert due_field(page).input_value() == "16/04/2569"

    opener.click()
    page.keyboard.press("Escape")
    assert not picker.is_visible() and due_field(page).evaluate("e => e === document.activeElement")

    save_due_date(page)
    assert "16 เมษายน 2569" in page.locator("main dl").first.inner_text()


@pytest.mark.parametrize("width, label", WIDTHS)
def test_the_admin_adds_a_day_off_in_the_buddhist_era_and_removes_it(live_app, new_page, march_11, width, label):
    base = live_app.config["BASE_URL"]
    page = new_page(width, 900, signed_in_as="admin")
    page.goto(f"{base}/admin/settings")
    day, name = page.locator("input[name='day_off-day']"), page.locator("input[name='day_off-name']")

    day.fill("21/7/2026")
    name.fill("งานแห่เทียนพรรษา")
    page.get_by_role("button", name="เพิ่มวันหยุด").click()
    page.wait_for_load_state()
    assert "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569" in page.locator("#h-days-off").locator("..").inner_text()
    assert page.locator("ul.days").first.inner_text().strip() == "ยังไม่มีวันหยุดของหน่วยงานในปีนี้"

    page.locator("input[name='day_off-day']").fill("21 ก.ค. 2569")
    page.get_by_role("button", name="เพิ่มวันหยุด").click()
    page.wait_for_load_state()
    assert "เพิ่มวันหยุด “งานแห่เทียนพรรษา” วันที่ 21 กรกฎาคม 2569 แล้ว" in page.locator(".flash").inner_text()
    listed = page.locator("ul.days").first  # the days off of พ.ศ. 2569
    assert "21 กรกฎาคม 2569 งานแห่เทียนพรรษา" in listed.inner_text()
    assert fits(page, width)
    screenshot(page, f"day-off-added-{label}")

    listed.get_by_role("button", name="ลบวันหยุด งานแห่เทียนพรรษา 21 ก.ค. 2569").click()
    page.wait_for_load_state()
    assert "ลบวันหยุด “งานแห่เทียนพรรษา” แล้ว" in page.locator(".flash").inner_text()
    assert "งานแห่เทียนพรรษา" not in page.locator("ul.days").first.inner_text()


def test_the_audit_filters_take_buddhist_era_days(live_app, new_page, march_11):
    base = live_app.config["BASE_URL"]
    page = new_page(360, 800, signed_in_as="mayor")
    page.goto(f"{base}/audit")
    page.get_by_label("ตั้งแต่วันที่", exact=True).fill("1/1/2026")
    page.get_by_role("button", name="กรอง", exact=True).click()
    page.wait_for_load_state()
    assert "ตั้งแต่วันที่ “1/1/2026”: ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569" in page.locator(".flash").inner_text()
    page.get_by_label("ตั้งแต่วันที่", exact=True).fill("1 ม.ค. 2569")
    page.get_by_role("button", name="กรอง", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".flash.error").count() == 0
    assert page.get_by_label("ตั้งแต่วันที่", exact=True).input_value() == "1 ม.ค. 2569"  # what was typed
    page.goto(f"{base}/audit?date_from=2026-01-01")  # a bookmark from before
    assert page.get_by_label("ตั้งแต่วันที่", exact=True).input_value() == "01/01/2569"
    assert fits(page, 360)


def test_a_refused_due_date_is_shown_next_to_its_field_on_a_phone(live_app, new_page, march_11):
    """31/2/2569 does not exist: the page comes back with the reason right under the field, on screen, the field
    focused and tied to the reason for a screen reader — not two screens below the notice at the top (issue 18)."""
    base = live_app.config["BASE_URL"]
    task_id = live_app.config["TEST_IDS"]["clerk_tasks"][0]
    page = new_page(360, 780, signed_in_as="clerk-head")
    page.goto(f"{base}/tasks/{task_id}")
    due_field(page).fill("31/2/2569")
    save_due_date(page)

    field = due_field(page)
    assert field.input_value() == "31/2/2569"  # kept to correct
    assert field.get_attribute("aria-invalid") == "true"
    error = page.locator("#due_date-error-1")
    assert "กุมภาพันธ์" in error.inner_text() or "ก.พ." in error.inner_text(), error.inner_text()
    assert "due_date-error-1" in field.get_attribute("aria-describedby").split()
    assert field.evaluate("e => e === document.activeElement")
    page.wait_for_function("() => window.scrollY > 0")
    field_box, error_box = field.bounding_box(), error.bounding_box()  # relative to the viewport
    assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) <= 100
    assert field_box["y"] >= 0 and error_box["y"] + error_box["height"] <= 780  # both on screen, as the page opens
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "due-date-refused-on-screen-phone.png"))  # what the phone shows
