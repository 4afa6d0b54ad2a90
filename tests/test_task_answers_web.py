"""A reminder's answers on the web (issue 20): the task page shows and takes what a LINE reminder offers — รับทราบ/
กำลังทำ, เลื่อนการเตือน (within `tasks.snooze_bounds`, Buddhist Era dates), ทำไม่ได้ with the reason — and the head
answers a "cannot do" there or in the board's row; the board and My tasks carry small badges, kept pages included."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest

from tracker import tasks
from tracker.extensions import db
from tracker.models import AuditAction, Comment, Source, TaskStatus
from tracker.organization import work_calendar

from .factories import count, events, login, post_form

TODAY = date(2026, 3, 11)  # a Wednesday: the `on_day` fixture starts here
DUE = TODAY + timedelta(days=7)  # Wednesday 18 March 2026 = 18 มี.ค. 2569

ACTIONS = [AuditAction.TASK_ACKNOWLEDGE, AuditAction.TASK_SNOOZE, AuditAction.TASK_CANNOT_DO,
           AuditAction.TASK_CANNOT_DO_ANSWER]


@pytest.fixture
def task(seeded, on_day):
    """An open task of the clerk's office, not started, due a week from TODAY, for the division (no assignee)."""
    task = seeded.tasks_of(seeded.clerk)[0]
    task.status, task.due_date, task.assignee = TaskStatus.TODO, DUE, None
    db.session.commit()
    return task


def text(page: str) -> str:
    """A page's words as a reader sees them: tags gone, spaces single."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).replace(" :", ":")


def post(client, task, path: str, data: dict | None = None, **kwargs):
    return post_form(client, f"/tasks/{task.id}/{path}", data, **kwargs)


def answer_field(task) -> str:
    return f"answer-{task.id}-answer"


def follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def nothing_recorded() -> bool:
    return all(events(action.value) == [] for action in ACTIONS)


# --- รับทราบ/กำลังทำ -------------------------------------------------------------------------------------------------


def test_acknowledging_on_the_task_page_starts_it_and_says_who_and_when(client, seeded, task):
    login(client, "clerk-staff")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'action="/tasks/{task.id}/acknowledge"' in page and "รับทราบ/กำลังทำ</button>" in page
    response = post(client, task, "acknowledge", token_from=f"/tasks/{task.id}")
    assert response.headers["Location"].endswith(f"/tasks/{task.id}")  # back to the page (PRG)
    page = follow(client, response)
    db.session.expire_all()
    assert task.status is TaskStatus.DOING and task.acknowledged_by == seeded.users["clerk-staff"]
    (event,) = events(AuditAction.TASK_ACKNOWLEDGE.value)
    assert event.source == Source.WEB.value and event.actor_id == seeded.users["clerk-staff"].id
    assert "บันทึกว่ารับทราบแล้ว" in page  # the notice
    assert "รับทราบแล้ว — เจ้าหน้าที่สำนักปลัด, 11 มี.ค. 2569" in text(page)
    assert "รับทราบ/กำลังทำ</button>" not in page  # said already: no button to press again


def test_acknowledging_twice_changes_nothing_more_and_says_so(client, seeded, task):
    login(client, "clerk-staff")
    post(client, task, "acknowledge")
    page = follow(client, post(client, task, "acknowledge"))  # a second tap, or the form sent from another device
    assert "รับทราบแล้วไว้ก่อนแล้ว — ไม่มีอะไรเปลี่ยนแปลง" in page
    assert len(events(AuditAction.TASK_ACKNOWLEDGE.value)) == 1


# --- เลื่อนการเตือน ---------------------------------------------------------------------------------------------------


def test_the_snooze_field_says_its_days_in_the_buddhist_era(client, task):
    login(client, "clerk-staff")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'name="snooze_until"' in page and "data-be-date" in page  # the app's BE date field
    assert "เลือกได้ตั้งแต่ 12 มี.ค. 2569 ถึง 18 มี.ค. 2569 (ไม่เกินวันครบกำหนด)" in page


def test_a_snooze_moves_the_reminders_never_the_due_date(client, seeded, task):
    login(client, "clerk-staff")
    page = follow(client, post(client, task, "snooze", {"snooze_until": "18/3/2569"}, token_from=f"/tasks/{task.id}"))
    db.session.expire_all()
    assert task.snoozed_until == DUE and task.due_date == DUE and task.status is TaskStatus.TODO
    (event,) = events(AuditAction.TASK_SNOOZE.value)
    assert event.source == Source.WEB.value
    assert "เลื่อนการเตือนถึง 18 มี.ค. 2569 — วันครบกำหนดยังเป็น 18 มี.ค. 2569" in page  # the notice
    assert "เลื่อนการเตือนถึง 18 มี.ค. 2569 วันครบกำหนดไม่เปลี่ยน" in text(page)
    again = follow(client, post(client, task, "snooze", {"snooze_until": "๑๘ มี.ค. ๒๕๖๙"}))  # the same day, in Thai
    assert "ไว้แล้ว — ไม่มีอะไรเปลี่ยนแปลง" in again and len(events(AuditAction.TASK_SNOOZE.value)) == 1


@pytest.mark.parametrize("typed, reason", [
    ("19/3/2569", "เลื่อนการเตือนได้ถึงวันที่ 12 มี.ค. 2569 - 18 มี.ค. 2569 (ไม่เกินวันครบกำหนด)"),  # past the due date
    ("11/3/2569", "เลื่อนการเตือนได้ถึงวันที่ 12 มี.ค. 2569 - 18 มี.ค. 2569"),  # today: from tomorrow on
    ("18/3/2026", "เป็น ค.ศ."),  # a Western year
    ("", "ต้องระบุวันที่ให้เตือนอีกครั้ง"),
])
def test_a_day_out_of_bounds_is_refused_next_to_the_field(client, task, typed, reason):
    login(client, "clerk-staff")
    response = post(client, task, "snooze", {"snooze_until": typed})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(r'<span id="snooze_until-error-1" class="error" role="alert">([^<]*)</span>', page)
    assert error and reason in error.group(1)
    assert re.search(r'<details class="answer" open>\s*<summary>เลื่อนการเตือน', page)  # opened at the field
    assert f'value="{typed}"' in page or not typed  # what was typed, to correct
    db.session.expire_all()
    assert task.snoozed_until is None and nothing_recorded()


def test_an_overdue_task_is_snoozed_five_working_days_at_most(client, task, on_day):
    on_day(date(2026, 4, 8))  # three weeks late; 13-15 April is Songkran
    login(client, "clerk-staff")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "เลือกได้ตั้งแต่ 9 เม.ย. 2569 ถึง 20 เม.ย. 2569 (งานเกินกำหนดแล้ว: ไม่เกิน 5 วันทำการ)" in page
    assert post(client, task, "snooze", {"snooze_until": "21/4/2569"}).status_code == 400
    follow(client, post(client, task, "snooze", {"snooze_until": "20/4/2569"}))
    db.session.expire_all()
    assert task.snoozed_until == date(2026, 4, 20)


# --- ทำไม่ได้, and the head's answer --------------------------------------------------------------------------------


def test_cannot_do_needs_a_reason_and_flags_the_task(client, seeded, task):
    login(client, "clerk-staff")
    refused = post(client, task, "cannot-do", {"blocked_reason": "   "})
    assert refused.status_code == 400
    assert re.search(r'id="blocked_reason-error-1" class="error" role="alert">ต้องระบุเหตุผลที่ทำไม่ได้',
                     refused.get_data(as_text=True))
    assert nothing_recorded()
    page = follow(client, post(client, task, "cannot-do", {"blocked_reason": "ยังไม่ได้รับงบประมาณ"},
                               token_from=f"/tasks/{task.id}"))
    db.session.expire_all()
    assert task.blocked_reason == "ยังไม่ได้รับงบประมาณ" and task.blocked_by == seeded.users["clerk-staff"]
    (event,) = events(AuditAction.TASK_CANNOT_DO.value)
    assert event.source == Source.WEB.value
    assert "แจ้งว่าทำไม่ได้แล้ว" in page
    assert "ทำไม่ได้: ยังไม่ได้รับงบประมาณ (เจ้าหน้าที่สำนักปลัด)" in text(page)
    assert answer_field(task) not in page  # the staff member does not answer it: the head does
    again = follow(client, post(client, task, "cannot-do", {"blocked_reason": "ยังไม่ได้รับงบประมาณ "}))
    assert "ด้วยเหตุผลนี้ไว้แล้ว" in again
    assert len(events(AuditAction.TASK_CANNOT_DO.value)) == 1
    assert count(Comment, Comment.task_id == task.id) == 1


def test_the_head_answers_on_the_task_page_and_the_flag_is_gone(client, seeded, task):
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ลาคลอด", source=Source.LINE)
    db.session.commit()
    login(client, "clerk-head")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'name="{answer_field(task)}"' in page and "ตอบเรื่องทำไม่ได้</button>" in page
    refused = post(client, task, "cannot-do/answer", {answer_field(task): ""})
    assert refused.status_code == 400 and f'id="{answer_field(task)}-error-1"' in refused.get_data(as_text=True)
    page = follow(client, post(client, task, "cannot-do/answer", {answer_field(task): "ให้คุณสมชายช่วยแทน"},
                               token_from=f"/tasks/{task.id}"))
    db.session.expire_all()
    assert task.blocked_reason is None and task.status is TaskStatus.TODO
    (event,) = events(AuditAction.TASK_CANNOT_DO_ANSWER.value)
    assert event.source == Source.WEB.value and event.after["answer"] == "ให้คุณสมชายช่วยแทน"
    assert "ตอบเรื่องทำไม่ได้แล้ว" in page and "ตอบเรื่องทำไม่ได้: ให้คุณสมชายช่วยแทน" in page  # the note
    assert 'class="badge blocked"' not in page and f'name="{answer_field(task)}"' not in page  # no longer flagged
    again = follow(client, post(client, task, "cannot-do/answer", {answer_field(task): "ให้คุณสมชายช่วยแทน"}))
    assert "ไม่มีเรื่องทำไม่ได้ที่รอคำตอบแล้ว" in again
    assert len(events(AuditAction.TASK_CANNOT_DO_ANSWER.value)) == 1


def test_the_administrator_may_answer_for_an_absent_head(client, seeded, task):
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ลาคลอด", source=Source.LINE)
    db.session.commit()
    login(client, "admin")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f'name="{answer_field(task)}"' in page
    assert f'/tasks/{task.id}/acknowledge"' not in page and 'name="snooze_until"' not in page  # not their work
    follow(client, post(client, task, "cannot-do/answer", {answer_field(task): "โอนให้กองคลังช่วย"}))
    db.session.expire_all()
    assert task.blocked_reason is None


# --- who may, and a form without its token ---------------------------------------------------------------------


@pytest.mark.parametrize("username, path, data", [
    ("finance-staff", "acknowledge", {}),
    ("finance-head", "acknowledge", {}),
    ("mayor", "acknowledge", {}),
    ("admin", "acknowledge", {}),
    ("mayor", "snooze", {"snooze_until": "18/3/2569"}),
    ("finance-staff", "snooze", {"snooze_until": "18/3/2569"}),
    ("admin", "cannot-do", {"blocked_reason": "ไม่ใช่งานของฉัน"}),
    ("finance-head", "cannot-do", {"blocked_reason": "ไม่ใช่งานของฉัน"}),
    ("clerk-staff", "cannot-do/answer", {"answer": "ทำต่อไป"}),
    ("finance-head", "cannot-do/answer", {"answer": "ทำต่อไป"}),
    ("mayor", "cannot-do/answer", {"answer": "ทำต่อไป"}),
])
def test_someone_not_allowed_is_refused_and_nothing_changes(client, seeded, task, username, path, data):
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ลาคลอด", source=Source.LINE)
    db.session.commit()
    before = len(events(AuditAction.TASK_CANNOT_DO.value))
    login(client, username)
    if "answer" in data:
        data = {answer_field(task): data["answer"]}
    assert post(client, task, path, data).status_code == 403
    db.session.expire_all()
    assert task.status is TaskStatus.TODO and task.acknowledged_by is None and task.snoozed_until is None
    assert task.blocked_reason == "ลาคลอด"
    assert len(events(AuditAction.TASK_CANNOT_DO.value)) == before
    assert all(events(a.value) == [] for a in ACTIONS if a is not AuditAction.TASK_CANNOT_DO)


def test_the_forms_are_shown_only_to_who_may_use_them_and_never_on_a_closed_task(client, seeded, task):
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ลาคลอด", source=Source.LINE)
    db.session.commit()
    forms = (f"/tasks/{task.id}/acknowledge", f"/tasks/{task.id}/snooze", f"/tasks/{task.id}/cannot-do\"",
             f"/tasks/{task.id}/cannot-do/answer")
    login(client, "mayor")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert not any(form in page for form in forms)
    assert "ทำไม่ได้: ลาคลอด (เจ้าหน้าที่สำนักปลัด)" in text(page)  # reading it, the executive may
    tasks.tick_off(task, seeded.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    for username in ("clerk-staff", "clerk-head"):
        login(client, username)
        page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
        assert not any(form in page for form in forms), username
        assert 'class="badge blocked"' not in page  # a closed task is not flagged any more
    login(client, "clerk-staff")
    assert post(client, task, "acknowledge").status_code == 400  # refused, said at the top of the page
    db.session.expire_all()
    assert task.acknowledged_by is None


@pytest.mark.parametrize("path, data", [
    ("acknowledge", {}), ("snooze", {"snooze_until": "18/3/2569"}), ("cannot-do", {"blocked_reason": "ลาป่วย"}),
])
def test_a_form_without_its_token_is_refused(client, task, path, data):
    login(client, "clerk-staff")
    assert post(client, task, path, data, token=False).status_code == 400
    db.session.expire_all()
    assert task.acknowledged_by is None and task.snoozed_until is None and task.blocked_reason is None
    assert nothing_recorded()


def test_an_expired_form_comes_back_with_the_reason_typed_to_send_again(client, task):
    login(client, "clerk-staff")
    refused = client.post(f"/tasks/{task.id}/cannot-do", headers={"Origin": "http://localhost"},
                          data={"blocked_reason": "รอผลการประชุม", "csrf_token": "IjE2ZjQ.expired.token"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "แบบฟอร์มหมดอายุ" in page
    assert "รอผลการประชุม</textarea>" in page and f'action="/tasks/{task.id}/cannot-do"' in page
    assert "ส่งอีกครั้ง" in page and nothing_recorded()


# --- the board and My tasks ------------------------------------------------------------------------------------


def _answer_action(page: str, task) -> str:
    match = re.search(rf'<form method="post" id="answer-form-{task.id}" action="([^"]+)"', page)
    assert match, "no answer form for the task on the board"
    return html.unescape(match.group(1))


def test_the_head_answers_from_the_board_and_is_back_on_it(client, seeded, task):
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ไม่มีรถไปตรวจพื้นที่", source=Source.LINE)
    db.session.commit()
    board = f"/divisions/{seeded.clerk.id}?status=open"
    login(client, "clerk-head")
    page = client.get(board).get_data(as_text=True)
    assert "ทำไม่ได้: ไม่มีรถไปตรวจพื้นที่" in page
    field = re.search(rf'<input[^>]*name="{answer_field(task)}"[^>]*>', page)
    assert field and f'form="answer-form-{task.id}"' in field.group(0)  # its form sits outside the bulk form
    action = _answer_action(page, task)
    assert action.startswith(f"/tasks/{task.id}/cannot-do/answer?next=")
    response = post_form(client, action, {answer_field(task): "ยืมรถกองช่าง"}, token_from=board)
    assert response.status_code == 302 and response.headers["Location"].endswith(board)
    page = client.get(board).get_data(as_text=True)
    db.session.expire_all()
    assert task.blocked_reason is None and events(AuditAction.TASK_CANNOT_DO_ANSWER.value)[0].source == "web"
    assert "ตอบเรื่องทำไม่ได้แล้ว" in page and "ไม่มีรถไปตรวจพื้นที่" not in page
    assert f"answer-form-{task.id}" not in page


def test_a_board_answer_refused_comes_back_on_the_task_page_and_returns_to_the_board(client, seeded, task):
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ไม่มีรถ", source=Source.LINE)
    db.session.commit()
    board = f"/divisions/{seeded.clerk.id}"
    login(client, "clerk-head")
    action = _answer_action(client.get(board).get_data(as_text=True), task)
    refused = post_form(client, action, {answer_field(task): "  "})
    assert refused.status_code == 400 and f'id="{answer_field(task)}-error-1"' in refused.get_data(as_text=True)
    assert html.escape(action) in refused.get_data(as_text=True)  # sent again from there, it still returns to the board
    assert post_form(client, action, {answer_field(task): "ยืมรถ"}).headers["Location"].startswith(board)


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_the_answer_returns_only_to_a_page_of_this_site(client, seeded, task, elsewhere):
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ไม่มีรถ", source=Source.LINE)
    db.session.commit()
    login(client, "clerk-head")
    response = post_form(client, f"/tasks/{task.id}/cannot-do/answer", {answer_field(task): "ยืมรถ"},
                         query_string={"next": elsewhere})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tasks/{task.id}")


def test_a_staff_member_sees_the_flag_on_the_board_but_no_answer_form(client, seeded, task):
    tasks.cannot_do(task, seeded.users["clerk-staff"], "ไม่มีรถ", source=Source.LINE)
    db.session.commit()
    login(client, "clerk-staff")
    page = client.get(f"/divisions/{seeded.clerk.id}").get_data(as_text=True)
    assert "ทำไม่ได้: ไม่มีรถ" in page and answer_field(task) not in page and "answer-form-" not in page


def _answer_everything(seeded, task) -> None:
    staff = seeded.users["clerk-staff"]
    tasks.acknowledge(task, staff, source=Source.LINE)
    tasks.snooze(task, staff, DUE, work_calendar(task.organization_id), source=Source.LINE)
    tasks.cannot_do(task, staff, "รอหนังสือสั่งการจากจังหวัดซึ่งยังไม่มาถึงสำนักงานและไม่ทราบว่าจะมาเมื่อไร",
                    source=Source.LINE)
    db.session.commit()


@pytest.mark.parametrize("page_of", ["board", "mine"])
def test_the_board_and_my_tasks_carry_the_badges(client, seeded, task, page_of):
    _answer_everything(seeded, task)
    login(client, "clerk-staff")
    url = f"/divisions/{seeded.clerk.id}" if page_of == "board" else "/tasks"
    page = client.get(url).get_data(as_text=True)
    assert '<span class="badge acknowledged" title="เจ้าหน้าที่สำนักปลัด, 11 มี.ค. 2569' in page
    assert '<span class="badge snoozed">เลื่อนการเตือนถึง 18 มี.ค. 2569</span>' in page
    badge = re.search(r'<span class="badge blocked"[^>]*>([^<]*)</span>', page)
    assert badge and badge.group(1).startswith("ทำไม่ได้: รอหนังสือสั่งการ") and badge.group(1).endswith("…")
    assert len(badge.group(1)) < len("ทำไม่ได้: ") + 41  # the reason shortened; the title holds it whole


def test_no_badges_once_the_task_is_done_or_the_snooze_is_over(client, seeded, task, on_day):
    _answer_everything(seeded, task)
    on_day(DUE)  # the reminders come again on the snooze's day
    login(client, "clerk-head")
    page = client.get("/tasks").get_data(as_text=True)
    assert "badge snoozed" not in page and "badge acknowledged" in page
    tasks.tick_off(task, seeded.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    for url in ("/tasks", f"/divisions/{seeded.clerk.id}?status="):
        page = client.get(url).get_data(as_text=True)
        assert "badge acknowledged" not in page and "badge blocked" not in page, url


def test_a_kept_board_shows_the_badge_on_the_next_load(client, seeded, task):
    """The board, My tasks and the task page are kept pages (pagecache): an answer moves the agency's revision, so
    the next load is rendered anew, and a browser's copy (ETag) is not answered 304."""
    board = f"/divisions/{seeded.clerk.id}"
    login(client, "clerk-staff")
    first = client.get(board)
    assert "badge acknowledged" not in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert client.get(board, headers={"If-None-Match": etag}).status_code == 304  # kept, unchanged
    client.get("/tasks")  # kept too
    follow(client, post(client, task, "acknowledge"))
    again = client.get(board, headers={"If-None-Match": etag})
    assert again.status_code == 200 and "badge acknowledged" in again.get_data(as_text=True)
    assert "badge acknowledged" in client.get("/tasks").get_data(as_text=True)
    tasks.snooze(task, seeded.users["clerk-staff"], DUE, work_calendar(task.organization_id), source=Source.LINE)
    db.session.commit()  # an answer from LINE, outside the web, reaches the kept pages too
    assert "badge snoozed" in client.get(board).get_data(as_text=True)
