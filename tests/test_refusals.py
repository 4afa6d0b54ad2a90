"""A 403 page says why: what the person tried and who may do it (access.REASONS), through the real routes, without
naming anything of another organization."""
from __future__ import annotations

import pytest

from tracker.access import ON_THE_FORM, REASONS, SOME_DIVISION, Action, Refused, reason, require
from tracker.extensions import db
from tracker.models import AuditEvent, Source
from tracker.tasks import tick_off

from .factories import count, login, other_organization, post_form

CLERK = "สำนักปลัดเทศบาล"


def test_every_action_has_a_reason():
    assert set(REASONS) == set(Action)
    for action, text in REASONS.items():
        filled = text.format(division=CLERK)
        if action not in ON_THE_FORM:  # those say what to correct on the form sent; the others who may
            assert "เฉพาะ" in filled, action
        assert "{" not in filled and "}" not in filled, action


def test_the_reason_names_only_the_persons_own_organizations_division(seeded):
    clerk_task = seeded.tasks_of(seeded.clerk)[0]
    _, other_division, other_head, other_task = other_organization()
    head = seeded.users["finance-head"]
    assert reason(head, Action.REOPEN, clerk_task) == f"เปิดงานนี้ใหม่ได้เฉพาะหัวหน้าของ{CLERK}"
    assert reason(head, Action.VIEW_DIVISION, seeded.clerk).startswith(f"ดูงานของ{CLERK}ได้เฉพาะ")
    # Another organization's task: its division is not named (both are called กองคลัง here, so test by the id too).
    assert reason(head, Action.REOPEN, other_task) == f"เปิดงานนี้ใหม่ได้เฉพาะหัวหน้าของ{SOME_DIVISION}"
    assert reason(other_head, Action.REOPEN, clerk_task) == f"เปิดงานนี้ใหม่ได้เฉพาะหัวหน้าของ{SOME_DIVISION}"
    assert reason(None, Action.VIEW_DIVISION, other_division) == REASONS[Action.VIEW_DIVISION].format(
        division=SOME_DIVISION)
    with pytest.raises(Refused) as refused:
        require(head, Action.REOPEN, clerk_task)
    assert refused.value.code == 403 and refused.value.reason == f"เปิดงานนี้ใหม่ได้เฉพาะหัวหน้าของ{CLERK}"


def refusal(response) -> str:
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "ไม่มีสิทธิ์ทำรายการนี้ (403)" in page
    assert 'href="/"' in page and "กลับหน้าแรก" in page  # a way back
    return page


# (who, method, url pattern, form, the reason the page must give)
CASES = [
    ("finance-head", "post", "/tasks/{clerk_task}/progress", {"status": "doing", "note": "x"},
     f"รายงานความคืบหน้าหรือปิดงานนี้ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{CLERK} หรือผู้ที่ได้รับมอบหมายงานนี้"),
    ("mayor", "post", "/tasks/{clerk_task}/progress", {"status": "doing"},
     f"รายงานความคืบหน้าหรือปิดงานนี้ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{CLERK}"),
    ("clerk-staff", "post", "/tasks/{done_task}/reopen", {"reason": "ยังไม่ครบ"},
     f"เปิดงานนี้ใหม่ได้เฉพาะหัวหน้าของ{CLERK}"),
    ("clerk-staff", "post", "/tasks/{clerk_task}/assign", {"assignee": ""},
     f"มอบหมายงานของ{CLERK}ได้เฉพาะหัวหน้าของ{CLERK}และผู้ดูแลระบบ"),
    ("mayor", "post", "/tasks/{clerk_task}/due", {"due_date": "30/04/2569"},
     f"เปลี่ยนวันครบกำหนดหรือการแจ้งเตือนของงานนี้ได้เฉพาะหัวหน้าของ{CLERK}และผู้ดูแลระบบ"),
    ("finance-staff", "post", "/tasks/{clerk_task}/comments", {"text": "ขอดู"},
     f"แสดงความเห็นในงานนี้ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{CLERK}"),
    ("finance-staff", "get", "/tasks/{clerk_task}", None,
     f"ดูงานนี้ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{CLERK} ผู้ที่ได้รับมอบหมายงานนี้ ผู้บริหาร และผู้ดูแลระบบ"),
    ("finance-staff", "get", "/divisions/{clerk}", None,
     f"ดูงานของ{CLERK}ได้เฉพาะหัวหน้าและเจ้าหน้าที่ของ{CLERK} ผู้บริหาร และผู้ดูแลระบบ"),
    ("clerk-head", "get", "/audit", None, "ดูประวัติการแก้ไขได้เฉพาะผู้บริหารและผู้ดูแลระบบ"),
    ("mayor", "get", "/imports/new", None, "นำเข้าแผนได้เฉพาะผู้ดูแลระบบ"),
    ("clerk-staff", "get", "/admin/users", None, "จัดการผู้ใช้ได้เฉพาะผู้ดูแลระบบ"),
    ("clerk-head", "get", "/admin/divisions", None, "จัดการกองได้เฉพาะผู้ดูแลระบบ"),
    ("mayor", "get", "/admin/settings", None, "ตั้งค่าหน่วยงาน วันหยุด การแจ้งเตือน และบัญชี LINE ได้เฉพาะผู้ดูแลระบบ"),
    ("clerk-head", "post", "/admin/days-off", {"day_off-day": "21/07/2569", "day_off-name": "x"},
     "ตั้งค่าหน่วยงาน วันหยุด การแจ้งเตือน และบัญชี LINE ได้เฉพาะผู้ดูแลระบบ"),
]


@pytest.mark.parametrize("username, method, url, form, expected", CASES,
                         ids=[f"{c[0]} {c[1]} {c[2]}" for c in CASES])
def test_a_refusal_says_what_was_tried_and_who_may(client, seeded, username, method, url, form, expected):
    clerk_task, done_task = seeded.tasks_of(seeded.clerk)[:2]
    tick_off(done_task, seeded.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    ids = {"clerk_task": clerk_task.id, "done_task": done_task.id, "clerk": seeded.clerk.id}
    login(client, username)
    before = count(AuditEvent)
    target = url.format(**ids)
    response = post_form(client, target, form) if method == "post" else client.get(target)
    page = refusal(response)
    assert expected in page
    person = seeded.users[username]
    assert f"คุณเข้าสู่ระบบเป็น {person.display_name}" in page  # who they are signed in as
    assert count(AuditEvent) == before  # and nothing changed


def test_a_refused_form_links_back_to_the_page_it_came_from(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "mayor")
    response = post_form(client, f"/tasks/{task.id}/progress", {"status": "doing"},
                         headers={"Referer": f"http://localhost/tasks/{task.id}"})
    assert f'<a href="http://localhost/tasks/{task.id}">กลับไปหน้าก่อน</a>' in refusal(response)
    elsewhere = post_form(client, f"/tasks/{task.id}/progress", {"status": "doing"},
                          headers={"Referer": "https://evil.example/"})
    assert "evil.example" not in refusal(elsewhere)


def test_another_organizations_rows_stay_not_found_and_unnamed(client, seeded):
    other_org, other_division, _, other_task = other_organization()
    login(client, "finance-head")
    for response in (client.get(f"/tasks/{other_task.id}"), client.get(f"/divisions/{other_division.id}"),
                     post_form(client, f"/tasks/{other_task.id}/reopen", {"reason": "x"})):
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert other_org.name not in page and "งานของหน่วยงานอื่น" not in page
