"""A reminder's answers on a 360 px phone (issue 20): the task page takes รับทราบ/กำลังทำ, เลื่อนการเตือน (a Buddhist
Era day within its bounds) and ทำไม่ได้ with a reason, and shows each state without scrolling sideways; the head
answers a "cannot do" in the board's row. Every new button is a 44 x 44 px target. Work that waits says how far it
climbed (named to the head, to the executives, nudged), and a person pauses their reminders and keeps a weekday quiet
from their profile."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tracker import clock
from tracker.extensions import db
from tracker.models import Task, TaskStatus, User
from tracker.thai import format_date

from .conftest import boxes, screenshot

WIDTH, HEIGHT = 360, 780
MIN = 44
REASON = "ยังไม่ได้รับหนังสือสั่งการจากจังหวัดจึงยังจัดทำคู่มือฉบับปรับปรุงไม่ได้และต้องรอการอนุมัติงบประมาณ"


def be(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year + 543}"


def open_task(live_app) -> tuple[int, date]:
    """The clerk's first task, not started, due two weeks from today, for the whole division."""
    task_id = live_app.config["TEST_IDS"]["clerk_tasks"][0]
    with live_app.app_context():
        task = db.session.get(Task, task_id)
        task.status, task.assignee, task.due_date = TaskStatus.TODO, None, clock.today() + timedelta(days=14)
        task.done_at = task.done_by = None
        due = task.due_date
        db.session.commit()
        db.session.remove()
    return task_id, due


def small(locator) -> list[str]:
    """The visible elements of `locator` under MIN x MIN px, with their sizes."""
    found = [b for b in boxes(locator) if b["visible"]]
    assert found, "nothing to measure"
    return [f"{b['width']:.0f}x{b['height']:.0f}" for b in found if b["width"] + 0.5 < MIN or b["height"] + 0.5 < MIN]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= WIDTH


def test_the_task_page_takes_each_answer_on_a_phone(live_app, new_page):
    base = live_app.config["BASE_URL"]
    task_id, due = open_task(live_app)
    page = new_page(WIDTH, HEIGHT, signed_in_as="clerk-staff")
    page.goto(f"{base}/tasks/{task_id}")
    reply = page.locator("section[aria-labelledby=h-reply]")
    assert small(reply.locator("button, summary")) == []  # the button and the two that open a form

    # รับทราบ/กำลังทำ
    reply.get_by_role("button", name="รับทราบ/กำลังทำ").click()
    page.wait_for_load_state()
    assert "บันทึกว่ารับทราบแล้ว" in page.locator(".flash").inner_text()
    assert "รับทราบแล้ว — เจ้าหน้าที่สำนักปลัด" in page.locator("ul.answers").inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, "task-answer-acknowledged-phone")

    # เลื่อนการเตือน: a day past the due date is refused next to the field, in the Buddhist Era
    page.locator("summary", has_text="เลื่อนการเตือน").click()
    field = page.get_by_role("textbox", name="เลื่อนการเตือนถึงวันที่")
    assert small(page.locator("details.answer[open]").locator("button, input[type=text]")) == []  # the month grid's too
    field.fill(be(due + timedelta(days=1)))
    page.get_by_role("button", name="เลื่อนการเตือน", exact=True).click()
    page.wait_for_load_state()
    error = page.locator("#snooze_until-error-1")
    assert error.is_visible() and f"{due.year + 543}" in error.inner_text()
    assert page.get_by_role("textbox", name="เลื่อนการเตือนถึงวันที่").input_value() == be(due + timedelta(days=1))
    assert no_sideways_scroll(page)
    screenshot(page, "task-answer-snooze-refused-phone", full_page=False)
    page.get_by_role("textbox", name="เลื่อนการเตือนถึงวันที่").fill(be(due))
    page.get_by_role("button", name="เลื่อนการเตือน", exact=True).click()
    page.wait_for_load_state()
    assert "เลื่อนการเตือนถึง" in page.locator(".flash").inner_text()
    assert page.locator("ul.answers .badge.snoozed").is_visible()
    assert no_sideways_scroll(page)
    screenshot(page, "task-answer-snoozed-phone")

    # ทำไม่ได้, with a long reason that must wrap, not widen the page
    page.locator("summary", has_text="แจ้งว่าทำไม่ได้").click()
    assert small(page.locator("details.answer[open]").locator("button")) == []
    page.get_by_label("เหตุผลที่ทำไม่ได้").fill(REASON)
    page.get_by_role("button", name="แจ้งว่าทำไม่ได้", exact=True).click()
    page.wait_for_load_state()
    assert "แจ้งว่าทำไม่ได้แล้ว" in page.locator(".flash").inner_text()
    assert REASON in page.locator("ul.answers li.blocked").inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, "task-answer-cannot-do-phone")

    # My tasks carries the three badges, the reason shortened
    page.goto(f"{base}/tasks")
    row = page.locator("ul.tasks > li", has=page.locator(f"a[href='/tasks/{task_id}']"))
    assert row.locator(".badge.acknowledged").is_visible() and row.locator(".badge.snoozed").is_visible()
    assert row.locator(".badge.blocked").inner_text().endswith("…")
    assert no_sideways_scroll(page)
    screenshot(page, "my-tasks-answers-phone", full_page=False)


def test_the_head_answers_a_cannot_do_on_the_task_page_and_the_board(live_app, new_page):
    base = live_app.config["BASE_URL"]
    task_id, _ = open_task(live_app)
    board = f"{base}/divisions/{live_app.config['TEST_IDS']['clerk_division']}"
    staff = new_page(WIDTH, HEIGHT, signed_in_as="clerk-staff")
    staff.goto(f"{base}/tasks/{task_id}")
    staff.locator("summary", has_text="แจ้งว่าทำไม่ได้").click()
    staff.get_by_label("เหตุผลที่ทำไม่ได้").fill(REASON)
    staff.get_by_role("button", name="แจ้งว่าทำไม่ได้", exact=True).click()
    staff.wait_for_load_state()

    head = new_page(WIDTH, HEIGHT, signed_in_as="clerk-head")
    head.goto(f"{base}/tasks/{task_id}")
    callout = head.locator("section[aria-labelledby=h-answer]")
    assert REASON in callout.inner_text()
    assert small(callout.locator("button, input[type=text]")) == []
    assert no_sideways_scroll(head)
    screenshot(head, "task-answer-head-phone")

    head.goto(board)
    row = head.locator("table.cards tbody tr", has=head.locator(f"a[href='/tasks/{task_id}']"))
    assert row.locator(".badge.blocked").is_visible()
    assert small(row.locator(".answer-inline button, .answer-inline input")) == []
    assert no_sideways_scroll(head)
    row.scroll_into_view_if_needed()
    screenshot(head, "board-answer-phone", full_page=False)
    row.get_by_label("คำตอบของหัวหน้า").fill("ใช้คู่มือฉบับเดิมไปก่อน")
    row.get_by_role("button", name="ตอบเรื่องทำไม่ได้").click()
    head.wait_for_load_state()
    assert head.url.startswith(board)  # back on the board
    assert "ตอบเรื่องทำไม่ได้แล้ว" in head.locator(".flash").inner_text()
    assert head.locator("table.cards tbody tr", has=head.locator(f"a[href='/tasks/{task_id}']")) \
        .locator(".badge.blocked").count() == 0
    assert no_sideways_scroll(head)


# --- work that waits (issue 20): the steps the daily sweep reached, and a person's pause -----------------------------


def climb(live_app, task_id: int, **steps) -> None:
    """Set the steps the daily sweep reached on a task (escalated_head_at, escalated_executive_at, nudged_at)."""
    with live_app.app_context():
        task = db.session.get(Task, task_id)
        for key, value in steps.items():
            setattr(task, key, value)
        db.session.commit()
        db.session.remove()


def fits(locator) -> bool:
    """The element is visible and lies within the phone's width."""
    (box,) = boxes(locator)
    return box["visible"] and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 0.5


def test_the_task_page_says_each_step_on_a_phone(live_app, new_page):
    base = live_app.config["BASE_URL"]
    task_id, _ = open_task(live_app)
    with live_app.app_context():
        task = db.session.get(Task, task_id)
        task.due_date = clock.today() - timedelta(days=20)  # long overdue, nobody touched it
        db.session.commit()
        db.session.remove()
    head_at, executive_at = clock.now() - timedelta(days=7), clock.now() - timedelta(days=1)
    page = new_page(WIDTH, HEIGHT, signed_in_as="clerk-staff")
    answers = page.locator("ul.answers")

    climb(live_app, task_id, escalated_head_at=head_at)
    page.goto(f"{base}/tasks/{task_id}")
    badge = answers.locator(".badge.escalated")
    assert badge.inner_text() == f"แจ้งหัวหน้ากองแล้ว {format_date(clock.local_date(head_at))}"
    assert fits(badge) and no_sideways_scroll(page)
    screenshot(page, "task-escalated-head-phone", full_page=False)

    climb(live_app, task_id, escalated_executive_at=executive_at)
    page.reload()
    badge = answers.locator(".badge.escalated")
    assert badge.count() == 1 and "executive" in (badge.get_attribute("class") or "")
    assert badge.inner_text() == f"แจ้งผู้บริหารแล้ว {format_date(clock.local_date(executive_at))}"
    assert fits(badge) and no_sideways_scroll(page)
    screenshot(page, "task-escalated-executive-phone", full_page=False)

    # In progress, on time, nobody touched it: one nudge; the longest badge wraps rather than widen the page.
    climb(live_app, task_id, escalated_head_at=None, escalated_executive_at=None, nudged_at=executive_at,
          status=TaskStatus.DOING, due_date=clock.today() + timedelta(days=30))
    page.reload()
    badge = answers.locator(".badge.nudged")
    assert badge.inner_text() == f"เตือนเรื่องไม่มีความเคลื่อนไหวแล้ว {format_date(clock.local_date(executive_at))}"
    assert answers.locator(".badge.escalated").count() == 0
    assert fits(badge) and no_sideways_scroll(page)
    screenshot(page, "task-nudged-phone", full_page=False)

    # My tasks and the board carry the same badge, within the phone's width.
    for url in (f"{base}/tasks", f"{base}/divisions/{live_app.config['TEST_IDS']['clerk_division']}"):
        page.goto(url)
        badge = page.locator(".badge.nudged")
        assert badge.count() == 1 and fits(badge) and no_sideways_scroll(page), url
    screenshot(page, "board-nudged-phone", full_page=False)


def test_a_person_pauses_their_reminders_on_a_phone(live_app, new_page):
    base = live_app.config["BASE_URL"]
    today = clock.today()
    page = new_page(WIDTH, HEIGHT, signed_in_as="clerk-staff")
    page.goto(f"{base}/profile")
    section = page.locator("section[aria-labelledby=h-my-reminders]")
    assert "รับการแจ้งเตือนตามปกติ" in section.inner_text()
    assert small(section.locator("button")) == []
    assert small(section.get_by_role("textbox")) == []
    assert no_sideways_scroll(page)

    # A day past the longest pause is refused next to the field, as typed.
    field = section.get_by_role("textbox", name="พักการแจ้งเตือนถึงวันที่")
    field.fill(be(today + timedelta(days=61)))
    section.get_by_label("เหตุผลที่พักการแจ้งเตือน").fill("ลาพักผ่อนประจำปีและเดินทางไปต่างจังหวัดกับครอบครัว")
    section.get_by_role("button", name="พักการแจ้งเตือน", exact=True).click()
    page.wait_for_load_state()
    error = page.locator("#paused_until-error-1")
    assert error.is_visible() and "ไม่เกิน 60 วัน" in error.inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, "profile-pause-refused-phone", full_page=False)

    until = today + timedelta(days=7)
    section = page.locator("section[aria-labelledby=h-my-reminders]")
    section.get_by_role("textbox", name="พักการแจ้งเตือนถึงวันที่").fill(be(until))
    section.get_by_role("button", name="พักการแจ้งเตือน", exact=True).click()
    page.wait_for_load_state()
    long_day = format_date(until, long=True)
    assert f"พักการแจ้งเตือนถึง {long_day} แล้ว" in page.locator(".flash").inner_text()
    section = page.locator("section[aria-labelledby=h-my-reminders]")
    badge = section.locator(".badge.paused")
    assert badge.inner_text() == f"พักการแจ้งเตือนถึง {long_day}" and fits(badge)
    assert "ลาพักผ่อนประจำปี" in section.inner_text()
    resume = section.get_by_role("button", name="รับการแจ้งเตือนต่อ")
    assert small(resume) == [] and no_sideways_scroll(page)
    screenshot(page, "profile-paused-phone")

    resume.click()
    page.wait_for_load_state()
    assert "รับการแจ้งเตือนต่อแล้ว" in page.locator(".flash").inner_text()
    assert "รับการแจ้งเตือนตามปกติ" in page.locator("section[aria-labelledby=h-my-reminders]").inner_text()

    # LINE or none: a radio a thumb can reach, kept after saving.
    section = page.locator("section[aria-labelledby=h-my-reminders]")
    section.get_by_label("ไม่รับทาง LINE").check()
    section.get_by_role("button", name="บันทึกช่องทาง").click()
    page.wait_for_load_state()
    assert "บันทึกแล้ว: ไม่รับทาง LINE" in page.locator(".flash").inner_text()
    assert page.get_by_label("ไม่รับทาง LINE").is_checked() and no_sideways_scroll(page)

    # Quiet days: boxes a thumb can reach; Friday ticked is saved, kept ticked and said, the page no wider.
    section = page.locator("section[aria-labelledby=h-my-reminders]")
    quiet = section.locator("fieldset", has_text="วันงดรับการแจ้งเตือน")
    assert "ไม่มีการแจ้งเตือนงานในวันที่เลือก" in quiet.inner_text()
    assert small(quiet.locator("label.check")) == []
    quiet.get_by_label("ศุกร์", exact=True).check()
    section.get_by_role("button", name="บันทึกวันงดรับการแจ้งเตือน").click()
    page.wait_for_load_state()
    assert "บันทึกวันงดรับการแจ้งเตือนแล้ว: ศุกร์" in page.locator(".flash").inner_text()
    section = page.locator("section[aria-labelledby=h-my-reminders]")
    assert section.get_by_label("ศุกร์", exact=True).is_checked()
    assert not section.get_by_label("จันทร์", exact=True).is_checked()
    assert "วันงดรับการแจ้งเตือน: ศุกร์" in section.locator(".reminder-state").inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, "profile-quiet-days-phone")
    with live_app.app_context():
        assert db.session.scalar(select(User.quiet_days).where(User.username == "clerk-staff")) == [4]
        db.session.remove()
