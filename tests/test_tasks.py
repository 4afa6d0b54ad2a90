"""Working on tasks from the web: progress with evidence as one change, reopen, my tasks in order, the board."""
from __future__ import annotations

import io
from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import AuditEvent, Comment, Evidence, Source, TaskStatus
from tracker.tasks import tick_off

from .factories import count, events, login, logout, post_form, post_progress

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = date(2026, 3, 11)  # the day the `on_day` fixture starts on


def test_tick_off_with_note_link_and_file(client, seeded, app):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    response = post_progress(client, task, close="1", note="จัดทำคู่มือเสร็จแล้ว",
                             url="https://bangkrabue.go.th/manual", file=(io.BytesIO(PDF), "คู่มือ.pdf"))
    assert response.status_code == 302
    db.session.expire_all()
    assert task.status is TaskStatus.DONE and task.done_by == seeded.users["clerk-head"] and task.done_at
    (stored,) = task.evidence  # the link and the file are one piece of evidence
    (file,) = stored.files
    assert stored.url == "https://bangkrabue.go.th/manual" and file.file_name == "คู่มือ.pdf"
    assert file.size == len(PDF) and file.content_type == "application/pdf"
    assert "คู่มือ" not in file.file_path  # generated name, not the uploaded one
    assert [c.text for c in task.comments] == ["จัดทำคู่มือเสร็จแล้ว"]
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "ปิดงาน (เสร็จแล้ว)" in page and "จัดทำคู่มือเสร็จแล้ว" in page
    with client.get(f"/evidence/{stored.id}") as download:
        assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]


def test_a_bad_file_refuses_the_whole_change(client, seeded, app):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    before = count(AuditEvent)
    response = post_progress(client, task, close="1", note="เสร็จ", url="https://example.org/x",
                             file=(io.BytesIO(b"<html><script>alert(1)</script>"), "report.pdf"))
    # Refused, the page comes back with why and with what was typed (the file has to be chosen again).
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ไม่ใช่ไฟล์ .pdf จริง" in page and "เลือกไฟล์ใหม่อีกครั้ง" in page
    assert "\nเสร็จ</textarea>" in page and 'value="https://example.org/x"' in page
    db.session.expire_all()
    assert task.status is TaskStatus.TODO
    assert count(Evidence) == 0
    assert count(Comment) == 0
    assert count(AuditEvent) == before


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://bangkrabue.go.th/x",
                                 "ประกาศ ITA", "bangkrabue"])
def test_evidence_links_must_be_web_addresses(client, seeded, url):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    post_progress(client, task, status="doing", url=url)
    db.session.expire_all()
    assert task.evidence == [] and task.status is TaskStatus.TODO


@pytest.mark.parametrize("typed, stored", [
    ("bangkrabue.go.th", "https://bangkrabue.go.th"),
    ("www.bangkrabue.go.th/ita/o25", "https://www.bangkrabue.go.th/ita/o25"),
    ("  http://bangkrabue.go.th/x  ", "http://bangkrabue.go.th/x"),
])
def test_a_link_typed_without_a_scheme_is_taken_as_https(client, seeded, typed, stored):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    post_progress(client, task, status="doing", url=typed)
    db.session.expire_all()
    assert [e.url for e in task.evidence] == [stored] and task.status is TaskStatus.DOING


def test_files_of_the_wrong_type_or_too_big(client, seeded, app):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    post_progress(client, task, status="doing", file=(io.BytesIO(b"MZ\x90\x00"), "tool.exe"))
    app.config["MAX_UPLOAD_MB"] = 0.001
    post_progress(client, task, status="doing", file=(io.BytesIO(PDF * 100), "big.pdf"))
    db.session.expire_all()
    assert task.evidence == []


def test_staff_cannot_undo_done_but_head_reopens_with_reason(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    tick_off(task, seeded.users["clerk-staff"], source=Source.WEB)
    db.session.commit()
    login(client, "clerk-staff")
    post_progress(client, task, status="todo")
    db.session.expire_all()
    assert task.status is TaskStatus.DONE
    logout(client)
    login(client, "clerk-head")
    post_form(client, f"/tasks/{task.id}/reopen", {"reason": ""}, token_from=f"/tasks/{task.id}")
    db.session.expire_all()
    assert task.status is TaskStatus.DONE
    post_form(client, f"/tasks/{task.id}/reopen", {"reason": "หลักฐานยังไม่ครบ"}, token_from=f"/tasks/{task.id}")
    db.session.expire_all()
    assert task.status is TaskStatus.DOING and task.done_at is None
    event = events("task.reopen")[0]
    assert event.before["status"] == "done" and event.after["reason"] == "หลักฐานยังไม่ครบ"


def test_my_tasks_overdue_first_with_working_days(client, seeded, on_day):
    on_day(date(2026, 4, 1))
    login(client, "clerk-head")
    page = client.get("/tasks").get_data(as_text=True)
    overdue = page.index("เกินกำหนด (")
    later = page.index("งานถัดไป (")
    assert overdue < later
    # 31 Dec 2568 and 31 Mar 2569 have passed: 4 of the clerk's 8 tasks.
    assert "เกินกำหนด (4)" in page
    # From Tuesday 31 March to Wednesday 1 April 2026: one working day late.
    assert "เกินกำหนด 1 วันทำการ" in page


def test_staff_sees_own_and_unassigned_division_tasks(client, seeded):
    clerk_tasks = seeded.tasks_of(seeded.clerk)
    clerk_tasks[0].assignee = seeded.users["clerk-head"]
    db.session.commit()
    login(client, "clerk-staff")
    page = client.get("/tasks").get_data(as_text=True)
    assert page.count('class="title"') == len(clerk_tasks) - 1


def test_board_filters(client, seeded, on_day):
    tasks = seeded.tasks_of(seeded.clerk)
    tasks[0].assignee = seeded.users["clerk-staff"]
    db.session.commit()
    login(client, "clerk-head")
    board = f"/divisions/{seeded.clerk.id}"
    assert client.get(board).get_data(as_text=True).count('name="task_ids"') == 8
    assert client.get(board + f"?assignee={seeded.users['clerk-staff'].id}").get_data(as_text=True).count(
        'name="task_ids"') == 1
    assert client.get(board + "?month=2026-09").get_data(as_text=True).count('name="task_ids"') == 3
    assert client.get(board + "?status=done").get_data(as_text=True).count('name="task_ids"') == 0
    assert "ก.ย. 2569" in client.get(board).get_data(as_text=True)


def test_measure_page_grid(client, seeded):
    measure = seeded.plan.measures[0]
    login(client, "mayor")
    page = client.get(f"/measures/{measure.id}").get_data(as_text=True)
    assert "ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน" in page and "98.33" in page
    assert page.count('class="cell"') == 10  # 2 steps x 5 divisions
