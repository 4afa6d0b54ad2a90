"""Starting the next fiscal year in Chromium on a phone: the page fits 360 px, no way is chosen beforehand, every way
says what it does (carrying: whose reminders stop), and confirming lands on the new year's dashboard with last
year's still a click away."""
from __future__ import annotations

from datetime import date

import pytest

from tracker import clock
from tracker.extensions import db
from tracker.models import Task, TaskStatus

from .conftest import screenshot


@pytest.fixture
def in_september(live_app, monkeypatch):
    """The server sees 15 September 2026, the last month of fiscal year 2569; one of สำนักปลัด's tasks is done."""
    monkeypatch.setattr(clock, "today", lambda: date(2026, 9, 15))
    with live_app.app_context():
        task = db.session.get(Task, live_app.config["TEST_IDS"]["clerk_tasks"][0])
        task.status = TaskStatus.DONE
        db.session.commit()
        db.session.remove()


def test_the_administrator_starts_the_next_year_on_a_phone(live_app, new_page, in_september):
    base = live_app.config["BASE_URL"]
    page = new_page(360, 780, signed_in_as="admin")
    page.goto(f"{base}/dashboard")
    page.get_by_role("link", name="เริ่มปีงบประมาณ 2570 จากแผนนี้").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="เริ่มปีงบประมาณ 2570", exact=True).is_visible()
    carry = page.get_by_role("radio", name="คัดลอกแผน และยกงานที่ยังไม่เสร็จ 15 งานไปทำต่อ")
    copy = page.get_by_role("radio", name="คัดลอกแผนไปปีงบประมาณ 2570 อย่างเดียว")
    assert not carry.is_checked() and not copy.is_checked()
    # Each way says what it will do, tied to its button for a screen reader; carrying, whose reminders it stops.
    hint, stops = carry.get_attribute("aria-describedby").split()
    assert "หยุดแจ้งเตือน" in page.locator(f"#{hint}").inner_text()
    warning = page.locator(f"#{stops}")
    assert warning.is_visible() and "งาน 15 งานของแผนปี 2569 จะหยุดแจ้งเตือน" in warning.inner_text()
    # Confirming without a choice: the browser asks for one first (the server refuses it too).
    page.get_by_role("button", name="ยืนยันเริ่มปีงบประมาณ 2570").click()
    assert page.url.endswith("/next-year?year=2569") or page.url.endswith("/next-year")
    assert not page.evaluate("document.querySelector('input[name=how]').validity.valid")
    carry.check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    confirm = page.get_by_role("button", name="ยืนยันเริ่มปีงบประมาณ 2570")
    box = confirm.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44  # a thumb's target
    screenshot(page, "next-year-360")

    confirm.click()
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard?year=2570")
    assert "เริ่มปีงบประมาณ 2570 แล้ว" in page.locator(".flash").inner_text()
    assert page.get_by_role("heading", name="ภาพรวมแผนปรับปรุง ITA ปีงบประมาณ 2570").is_visible()
    page.get_by_role("navigation", name="เลือกปีงบประมาณของแผน").get_by_role("link", name="2569").click()
    page.wait_for_load_state()
    assert "ยกไปปีถัดไป 15 งาน" in page.locator(".dash-stats").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Changed one's mind: the carrying is undone from the same page, and last year's tasks are open again.
    page.goto(f"{base}/next-year")
    undo = page.get_by_role("button", name="ยกเลิกการยกงาน")
    assert undo.is_visible() and page.evaluate("document.documentElement.scrollWidth") <= 360
    undo.click()
    page.wait_for_load_state()
    assert page.url.endswith("/dashboard?year=2569")
    assert "ยกเลิกการยกงานแล้ว: งาน 15 งานกลับมาในแผนปีงบประมาณ 2569" in page.locator(".flash").inner_text()
    assert "ยกไปปีถัดไป" not in page.locator(".dash-stats").inner_text()
