"""The audit trail page: the organization's events only, filtered, paginated, with before → after."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tracker import audit, tasks
from tracker.clock import local
from tracker.extensions import db
from tracker.history import describe as diff
from tracker.models import AuditAction, AuditEvent, Source
from tracker.thai import format_date
from tracker.views.audit import PER_PAGE

from .factories import count, events, login, logout, other_organization, post_form


def found(page: str) -> int:
    match = re.search(r"พบ (\d+) รายการ", page)
    assert match, "no count on the page"
    return int(match.group(1))


def audit_page(client, **args) -> str:
    response = client.get("/audit", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def org_events(seeded, *where, sign_ins: bool = False) -> int:
    """The organization's events the page lists: sign-ins only when asked for."""
    if not sign_ins:
        where = (*where, AuditEvent.action.not_in(["user.sign_in", "user.sign_out"]))
    return count(AuditEvent, AuditEvent.organization_id == seeded.org.id, *where)


@pytest.fixture
def ticked(seeded):
    """A clerk task ticked off by the clerk's staff member, through the domain function."""
    task = seeded.tasks_of(seeded.clerk)[0]
    tasks.tick_off(task, seeded.users["clerk-staff"], source=Source.LINE, note="ส่งรายงานแล้ว")
    db.session.commit()
    return task


def test_a_tick_off_shows_who_when_what_and_before_after(client, seeded, ticked):
    login(client, "mayor")
    page = audit_page(client)
    assert "ปิดงาน (เสร็จแล้ว)" in page and "เจ้าหน้าที่สำนักปลัด" in page
    assert "<del>ยังไม่เริ่ม</del> → <ins>เสร็จแล้ว</ins>" in page
    assert "ส่งรายงานแล้ว" in page  # the note came with the tick-off
    assert f'href="/tasks/{ticked.id}"' in page and ticked.step_text[:20] in page
    assert "LINE" in page
    event = events("task.tick_off")[0]
    moment = local(event.at)  # when: in Bangkok time
    assert f"{format_date(moment.date())} {moment:%H:%M} น." in page


def test_newest_first(client, seeded, ticked):
    login(client, "admin")
    page = audit_page(client)
    order = re.findall(r'<span class="what">([^<]+)</span>', page)
    assert "เข้าสู่ระบบ" not in order  # sign-ins would drown the changes: not in the default view
    assert order.index("ปิดงาน (เสร็จแล้ว)") < order.index("นำเข้าแผน")
    with_sign_ins = re.findall(r'<span class="what">([^<]+)</span>', audit_page(client, sign_ins="1"))
    assert with_sign_ins[0] == "เข้าสู่ระบบ"  # the admin's own sign-in, just now


def test_filters(client, seeded, ticked):
    staff = seeded.users["clerk-staff"]
    login(client, "admin")
    everything = found(audit_page(client))
    assert everything == org_events(seeded) and everything > 3

    assert found(audit_page(client, action="task.tick_off")) == 1
    assert found(audit_page(client, actor=staff.id)) == 1
    assert found(audit_page(client, actor=seeded.users["finance-head"].id)) == 0
    assert found(audit_page(client, actor="none")) == org_events(seeded, AuditEvent.actor_id.is_(None))
    assert found(audit_page(client, object_type="Task")) == 1
    assert found(audit_page(client, object_type="Division")) == org_events(seeded, AuditEvent.object_type == "Division")
    assert found(audit_page(client, source="line")) == 1
    assert found(audit_page(client, source="cli")) == org_events(seeded, AuditEvent.source == Source.CLI)
    assert found(audit_page(client, source="line", action="task.progress")) == 0
    assert found(audit_page(client, sign_ins="1")) == org_events(seeded, sign_ins=True) == everything + 1
    assert found(audit_page(client, action="user.sign_in")) == 1
    page = audit_page(client, action="task.tick_off", actor=staff.id)
    assert found(page) == 1 and '<option value="task.tick_off" selected>' in page


def test_dates_are_bangkok_days(client, seeded, ticked):
    event = events("task.tick_off")[0]
    event.at = datetime(2026, 1, 1, 17, 30, tzinfo=UTC)  # 00:30 on 2 January in Bangkok
    db.session.commit()
    login(client, "admin")
    only = {"action": "task.tick_off"}
    assert found(audit_page(client, date_from="2/1/2569", date_to="02/01/2569", **only)) == 1
    assert found(audit_page(client, date_from="2 ม.ค. 2569", **only)) == 1
    assert found(audit_page(client, date_to="1/1/2569", **only)) == 0
    assert found(audit_page(client, date_from="๓/๑/๒๕๖๙", **only)) == 0
    page = audit_page(client, date_from="not-a-date", **only)
    assert found(page) == 1 and "อ่านวันที่ “not-a-date” ไม่ได้" in page
    assert "2 ม.ค. 2569 00:30 น." in audit_page(client, **only)


def test_another_organizations_events_are_never_shown(client, seeded):
    other_org, _, other_head, other_task = other_organization()
    tasks.tick_off(other_task, other_head, source=Source.WEB, note="บันทึกของหน่วยงานอื่น")
    db.session.commit()
    login(client, "admin")
    page = audit_page(client)
    assert "งานของหน่วยงานอื่น" not in page and "บันทึกของหน่วยงานอื่น" not in page and "other-head" not in page
    assert found(page) == org_events(seeded)
    assert found(audit_page(client, actor=other_head.id)) == 0
    assert found(audit_page(client, action="task.tick_off")) == 0


def test_staff_and_heads_may_not_read_the_trail(client, seeded):
    for username in ("clerk-staff", "clerk-head"):
        login(client, username)
        assert client.get("/audit").status_code == 403
        logout(client)
    assert client.get("/audit").status_code == 302  # signed out: to the sign-in page


def test_fifty_a_page(client, seeded):
    admin = seeded.users["admin"]
    for number in range(PER_PAGE + 5):
        audit.record(admin, AuditAction.TASK_COMMENT, seeded.clerk, after={"text": f"ความเห็นที่ {number}"},
                     source=Source.WEB)
    db.session.commit()
    login(client, "admin")
    first = audit_page(client, action="task.comment")
    assert found(first) == PER_PAGE + 5 and "หน้า 1 จาก 2" in first
    assert first.count('<dt>ข้อความ</dt>') == PER_PAGE
    assert "page=2" in first and "action=task.comment" in first
    second = audit_page(client, action="task.comment", page=2)
    assert second.count('<dt>ข้อความ</dt>') == 5 and "หน้า 2 จาก 2" in second
    assert "ความเห็นที่ 0<" in second and "ความเห็นที่ 0<" not in first  # the oldest come last
    assert audit_page(client, action="task.comment", page=99).count('<dt>ข้อความ</dt>') == 5


def test_diff_names_people_and_skips_what_did_not_change(seeded):
    staff = seeded.users["clerk-staff"]
    changes = diff(
        {"status": "todo", "assignee_id": None, "due_date": "2026-03-31", "done_by_id": None},
        {"status": "doing", "assignee_id": staff.id, "due_date": "2026-03-31", "done_by_id": None, "note": "x"},
        people={staff.id: staff},
    )
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("สถานะ", "ยังไม่เริ่ม", "กำลังทำ"),
        ("ผู้รับมอบหมาย", "—", staff.display_name),
        ("บันทึก", None, "x"),
    ]
    assert diff({"due_date": "2026-03-31"}, {"due_date": "2026-04-30"})[0].after == "30 เม.ย. 2569"
    assert diff(None, {"id": 3, "organization_id": 1, "name": "กองช่าง"})[0].field == "name"


def test_admin_changes_appear_with_before_and_after(client, seeded):
    login(client, "admin")
    finance_staff = seeded.users["finance-staff"]
    post_form(client, f"/admin/users/{finance_staff.id}", {
        "display_name": finance_staff.display_name, "role": "head", "division": str(seeded.finance.id), "active": "y",
    })
    page = audit_page(client, action="user.update")
    assert found(page) == 1
    assert "<del>เจ้าหน้าที่</del> → <ins>หัวหน้ากอง</ins>" in page
    assert f'href="/admin/users/{finance_staff.id}"' in page
    assert "password_hash" not in page
