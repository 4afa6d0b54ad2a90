"""What people do, in a real headless Chromium against the app served on 127.0.0.1."""
from __future__ import annotations

import re

from ..factories import PASSWORD
from .conftest import screenshot, sign_in


def done_figure(page) -> str:
    """The tasks-done part of the dashboard's first figure (the plan's overall percent, then the tasks done)."""
    return page.locator(".stat .label").first.inner_text().split("·")[-1].split("(")[0].strip()


def test_head_ticks_off_and_the_mayor_sees_it(live_app, new_page):
    base = live_app.config["BASE_URL"]
    task_id = live_app.config["TEST_IDS"]["clerk_tasks"][0]

    mayor = new_page(signed_in_as="mayor")
    mayor.goto(f"{base}/dashboard")
    assert done_figure(mayor) == "เสร็จแล้ว 0 จาก 16 งาน"

    head = new_page(360, 780)
    sign_in(head, base, "clerk-head", PASSWORD)
    assert head.url.endswith("/tasks")
    head.goto(f"{base}/tasks/{task_id}")
    head.get_by_label("บันทึกความคืบหน้า").fill("จัดทำคู่มือและเผยแพร่บนเว็บไซต์แล้ว")
    head.get_by_label("ลิงก์หลักฐาน").fill("https://www.bangkrabue.go.th/manual.pdf")
    head.get_by_role("button", name="บันทึกและปิดงาน (เสร็จแล้ว)").click()
    head.wait_for_load_state()
    assert "ปิดงานแล้ว" in head.locator(".flash").inner_text()
    assert head.locator(".badge.done").first.is_visible()
    assert "https://www.bangkrabue.go.th/manual.pdf" in head.content()
    history = head.locator("#h-history + ul").inner_text()
    assert "ปิดงาน (เสร็จแล้ว)" in history and "หัวหน้าสำนักปลัด" in history

    mayor.reload()
    assert done_figure(mayor) == "เสร็จแล้ว 1 จาก 16 งาน"
    # The plan's overall percent (progress.combined_percent): whole percents, as every measure's; 1 of 16 tasks
    assert mayor.locator(".stat .value").first.inner_text() == "6%"


def test_staff_cannot_open_another_divisions_task_form(live_app, new_page):
    base = live_app.config["BASE_URL"]
    clerk_task = live_app.config["TEST_IDS"]["clerk_tasks"][0]
    page = new_page(360, 780, signed_in_as="finance-staff")
    response = page.goto(f"{base}/tasks/{clerk_task}")
    assert response.status == 403
    assert page.locator("form[action$='/progress']").count() == 0
    assert "ไม่มีสิทธิ์" in page.locator("h1").inner_text()
    # The page says why, who may, and who you are; and offers a way back.
    text = page.locator("main").inner_text()
    assert "ดูงานนี้ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของสำนักปลัดเทศบาล" in text
    assert "คุณเข้าสู่ระบบเป็น เจ้าหน้าที่กองคลัง" in text
    assert page.get_by_role("link", name="กลับหน้าแรก").is_visible()
    screenshot(page, "forbidden-phone")


def test_screenshots_at_phone_and_desktop_width(live_app, new_page):
    """Write the pages a person checks by eye; also assert nothing overflows a 360 px phone sideways."""
    base = live_app.config["BASE_URL"]
    mayor, head = new_page(360, signed_in_as="mayor"), new_page(360, signed_in_as="clerk-head")
    for width, label in ((360, "phone"), (1280, "desktop")):
        for page in (mayor, head):  # each page opened anew at this width
            page.set_viewport_size({"width": width, "height": 900})
        mayor.goto(f"{base}/dashboard")
        assert mayor.locator("h1").inner_text().startswith("ภาพรวมแผนปรับปรุง ITA")
        assert mayor.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(mayor, f"dashboard-{label}")

        head.goto(f"{base}/tasks")
        assert head.locator("h1").inner_text() == "งานของฉัน · แผนปีงบประมาณ 2569"  # the year people work on
        assert head.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(head, f"my-tasks-{label}")


def test_keyboard_reaches_the_sign_in_form(live_app, new_page):
    page = new_page(360, 780)
    page.goto(live_app.config["BASE_URL"] + "/login")
    page.keyboard.press("Tab")  # the skip link comes first
    assert re.search("ข้ามไปที่เนื้อหา", page.evaluate("document.activeElement.textContent"))
    page.get_by_label("ชื่อผู้ใช้").focus()
    page.keyboard.type("mayor")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/dashboard$"))
