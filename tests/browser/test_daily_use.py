"""Daily use in a real Chromium (issue 10): the progress form, LINE's QR code, fiscal years, late tasks, a phone."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.extensions import db
from tracker.models import Measure, Organization, Plan, Task, TaskStatus, User
from tracker.plans.build import ensure_fiscal_year

from .conftest import screenshot


def selected(page, label: str) -> str:
    """The visible text of a select's chosen option."""
    return page.get_by_label(label).evaluate("s => s.options[s.selectedIndex].text")


@pytest.mark.parametrize("width", [360, 1280])
def test_progress_keeps_the_status_and_what_was_typed_and_closing_can_be_undone(live_app, new_page, width):
    base = live_app.config["BASE_URL"]
    task_id = live_app.config["TEST_IDS"]["clerk_tasks"][0]
    page = new_page(width, 800, signed_in_as="clerk-staff")
    page.goto(f"{base}/tasks/{task_id}")
    assert selected(page, "สถานะ") == "ยังไม่เริ่ม"  # where the task stands, not the next step

    page.get_by_label("สถานะ").select_option("doing")
    page.get_by_label("บันทึกความคืบหน้า").fill("เริ่มรวบรวมข้อมูลแล้ว")
    page.get_by_role("button", name="บันทึกความคืบหน้า").click()
    page.wait_for_load_state()
    assert "บันทึกความคืบหน้าแล้ว" in page.locator(".flash").inner_text()
    assert selected(page, "สถานะ") == "กำลังทำ"  # saving again keeps it in progress

    # A link that is not a web address: refused, and what was typed is still there to fix.
    page.get_by_label("บันทึกความคืบหน้า").fill("ส่งร่างให้หัวหน้าแล้ว")
    page.get_by_label("ลิงก์หลักฐาน").fill("javascript:alert(1)")
    page.get_by_role("button", name="บันทึกความคืบหน้า").click()
    page.wait_for_load_state()
    assert "ลิงก์หลักฐานต้องเป็นที่อยู่เว็บ" in page.locator(".flash.error").inner_text()
    assert page.get_by_label("บันทึกความคืบหน้า").input_value() == "ส่งร่างให้หัวหน้าแล้ว"
    assert page.get_by_label("ลิงก์หลักฐาน").input_value() == "javascript:alert(1)"
    assert selected(page, "สถานะ") == "กำลังทำ"

    # Typed as a browser shows addresses, without https://: taken as https.
    page.get_by_label("ลิงก์หลักฐาน").fill("www.example.go.th/ita/manual")
    page.get_by_role("button", name="บันทึกความคืบหน้า").click()
    page.wait_for_load_state()
    assert page.locator("a[href='https://www.example.go.th/ita/manual']").count() == 1

    page.get_by_role("button", name="บันทึกและปิดงาน (เสร็จแล้ว)").click()
    page.wait_for_load_state()
    assert "ปิดงานแล้ว" in page.locator(".flash").inner_text()
    assert page.locator(".badge.done").first.is_visible()
    screenshot(page, f"task-closed-undo-{width}")
    page.get_by_role("button", name="ยกเลิกการปิดงาน").click()
    page.wait_for_load_state()
    assert "ยกเลิกการปิดงานแล้ว" in page.locator(".flash").inner_text()
    assert selected(page, "สถานะ") == "กำลังทำ"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_line_qr_code_is_drawn(live_app, new_page):
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        db.session.scalar(db.select(Organization)).line_basic_id = "@itabkb"
        db.session.commit()
        db.session.remove()
    page = new_page(360, 800, signed_in_as="clerk-staff")
    page.goto(f"{base}/profile")
    qr = page.get_by_alt_text("QR code เพิ่มเพื่อน LINE @itabkb")
    qr.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=qr.element_handle())
    assert qr.evaluate("img => img.naturalWidth") > 100  # drawn: an SVG without xmlns has no size in an <img>
    screenshot(page, "profile-line-qr")


def test_people_work_on_the_current_years_plan_and_switch_years(live_app, new_page):
    base = live_app.config["BASE_URL"]
    with live_app.app_context():
        org = db.session.scalar(db.select(Organization))
        clerk = db.session.scalar(db.select(User).where(User.username == "clerk-head")).division
        plan = Plan(organization=org, fiscal_year=ensure_fiscal_year(2570), source="2570.csv", content_hash="n")
        measure = Measure(plan=plan, order=1, title="มาตรการของปีงบประมาณ 2570", period_start=date(2026, 10, 1),
                          period_end=date(2027, 9, 30), divisions=[clerk])
        db.session.add_all([plan, measure, Task(measure=measure, step_number=1, step_text="ขั้นตอนของปี 2570",
                                                division=clerk, due_date=date(2027, 3, 31))])
        db.session.commit()
        db.session.remove()
    page = new_page(360, 800, signed_in_as="clerk-head")
    page.goto(f"{base}/tasks")
    # Today (the real clock) is in fiscal year 2570: its plan is the default, the year is said, 2569 a tap away.
    assert "แผนปีงบประมาณ 2570" in page.locator("h1").inner_text()
    assert "ขั้นตอนของปี 2570" in page.content() and "จัดทำคู่มือ" not in page.content()
    page.get_by_role("navigation", name="เลือกปีงบประมาณของแผน").get_by_role("link", name="2569").click()
    page.wait_for_load_state()
    assert "แผนปีงบประมาณ 2569" in page.locator("h1").inner_text() and "จัดทำคู่มือ" in page.content()
    page.goto(f"{base}/divisions/{live_app.config['TEST_IDS']['clerk_division']}")
    assert "แผนปีงบประมาณ 2570" in page.locator("h1").inner_text()
    screenshot(page, "board-year-2570")


def test_a_task_closed_late_is_shown_late(live_app, new_page):
    base = live_app.config["BASE_URL"]
    task_id = live_app.config["TEST_IDS"]["clerk_tasks"][0]
    with live_app.app_context():
        task = db.session.get(Task, task_id)  # due 31 March 2569
        task.status, task.done_at = TaskStatus.DONE, datetime(2026, 4, 3, 3, 0, tzinfo=UTC)  # a Friday morning
        task.done_by = db.session.scalar(db.select(User).where(User.username == "clerk-head"))
        measure_id = task.measure_id
        db.session.commit()
        db.session.remove()
    page = new_page(360, 800, signed_in_as="clerk-head")
    page.goto(f"{base}/tasks/{task_id}")
    assert page.locator(".chip.late").inner_text() == "เสร็จช้า 3 วันทำการ"
    page.goto(f"{base}/measures/{measure_id}")
    assert page.locator(".chip.late").first.inner_text() == "เสร็จช้า 3 วันทำการ"
    assert page.locator(".chip.overdue").count() > 0  # the other steps, still open past their dates


@pytest.mark.parametrize("who", ["clerk-head", "admin"])
def test_the_board_and_the_measure_page_fit_a_phone(live_app, new_page, who):
    base = live_app.config["BASE_URL"]
    ids = live_app.config["TEST_IDS"]
    page = new_page(360, 780, signed_in_as=who)
    page.goto(f"{base}/divisions/{ids['clerk_division']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Every column of a row is on the card: nothing cut off, nothing to scroll sideways to find.
    card = page.locator("table.cards tbody tr").first
    assert card.locator("td[data-label='ผู้รับมอบหมาย']").is_visible()
    box = card.locator("label.pick").bounding_box()  # the checkbox's target, for a thumb
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    screenshot(page, f"board-phone-{who}")
    page.goto(f"{base}/measures/{ids['clerk_measure']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".steps-grid td.cell").first.is_visible()
    screenshot(page, f"measure-phone-{who}")
