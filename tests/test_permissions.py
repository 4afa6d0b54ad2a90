"""Who may change what, through the real routes: every task route and role, another organization, CSRF.

Each case signs in through the form, posts with a valid CSRF token, and checks both the answer and that a refused
request changed nothing.
"""
from __future__ import annotations

from datetime import date

import pytest

from tracker.extensions import db
from tracker.models import AuditEvent, Source, TaskStatus
from tracker.tasks import tick_off

from .factories import count, login, logout, other_organization, post_form, post_progress

ROLES = ["admin", "mayor", "clerk-head", "finance-head", "clerk-staff", "finance-staff"]


def form_for(route: str, seeded) -> dict:
    return {
        "progress": {"status": "doing", "note": "เริ่มแล้ว"},
        "reopen": {"reason": "หลักฐานไม่ครบ"},
        "assign": {"assignee": str(seeded.users["clerk-staff"].id)},
        "due": {"due_date": "31/08/2569", "reason": "รองบประมาณ"},
        "comments": {"text": "ขอดูความคืบหน้า"},
    }[route]


# route -> the roles that may use it on a task of สำนักปลัดเทศบาล (the clerk's division)
ALLOWED = {
    "progress": {"clerk-head", "clerk-staff"},
    "reopen": {"clerk-head"},
    "assign": {"admin", "clerk-head"},  # the administrator too: a head may be away
    "due": {"admin", "clerk-head"},
    "comments": {"admin", "mayor", "clerk-head", "clerk-staff"},
}


@pytest.mark.parametrize("route", sorted(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_task_routes_by_role(client, seeded, route, role):
    task = seeded.tasks_of(seeded.clerk)[0]
    if route == "reopen":
        tick_off(task, seeded.users["clerk-head"], source=Source.WEB)
        db.session.commit()
    login(client, role)
    before = count(AuditEvent)
    response = post_form(client, f"/tasks/{task.id}/{route}", form_for(route, seeded))
    db.session.expire_all()
    if role in ALLOWED[route]:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert count(AuditEvent) > before
    else:
        assert response.status_code == 403
        assert count(AuditEvent) == before


def test_finance_head_cannot_tick_a_clerk_task(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "finance-head")
    response = post_form(client, f"/tasks/{task.id}/progress", {"close": "1"})
    assert response.status_code == 403
    db.session.expire_all()
    assert task.status is TaskStatus.TODO


def test_staff_cannot_open_another_divisions_task(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "finance-staff")
    page = client.get(f"/tasks/{task.id}")
    assert page.status_code == 403
    assert "รายงานความคืบหน้า" not in page.get_data(as_text=True)
    own = seeded.tasks_of(seeded.finance)[0]
    assert client.get(f"/tasks/{own.id}").status_code == 200


def test_staff_assigned_across_divisions_may_report(client, seeded):
    """A task given to a person is theirs to report on, even though it belongs to their division only by assignment."""
    task = seeded.tasks_of(seeded.clerk)[0]
    task.assignee = seeded.users["clerk-staff"]
    db.session.commit()
    login(client, "clerk-staff")
    assert post_form(client, f"/tasks/{task.id}/progress", {"close": "1"}).status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_another_organization(client, seeded, role):
    _, division, _, foreign = other_organization()
    login(client, role)
    assert client.get(f"/tasks/{foreign.id}").status_code == 404
    assert client.get(f"/measures/{foreign.measure_id}").status_code == 404
    assert client.get(f"/divisions/{division.id}").status_code == 404
    for route in ALLOWED:
        assert post_form(client, f"/tasks/{foreign.id}/{route}", form_for(route, seeded)).status_code == 404
    assert post_form(client, f"/divisions/{division.id}/assign",
                     {"task_ids": [foreign.id], "assignee": ""}).status_code == 404


def test_the_other_organization_cannot_reach_ours(client, seeded):
    other_organization()
    task = seeded.tasks_of(seeded.finance)[0]
    login(client, "other-head")
    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert client.get(f"/divisions/{seeded.finance.id}").status_code == 404


def test_requests_without_csrf_token_are_refused(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    before = count(AuditEvent)
    for route in ALLOWED:
        assert client.post(f"/tasks/{task.id}/{route}", data=form_for(route, seeded)).status_code == 400
    assert client.post(f"/divisions/{seeded.clerk.id}/assign", data={"task_ids": [task.id]}).status_code == 400
    assert client.post("/logout").status_code == 400
    assert count(AuditEvent) == before


def test_anonymous_is_sent_to_sign_in(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    for url in ("/tasks", f"/tasks/{task.id}", f"/divisions/{seeded.clerk.id}", "/dashboard", "/audit"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role, allowed", [("clerk-head", True), ("clerk-staff", False), ("finance-head", False),
                                           ("mayor", False), ("admin", True)])
def test_bulk_assign(client, seeded, role, allowed):
    tasks = seeded.tasks_of(seeded.clerk)[:3]
    login(client, role)
    response = post_form(client, f"/divisions/{seeded.clerk.id}/assign",
                         {"task_ids": [t.id for t in tasks], "assignee": str(seeded.users["clerk-staff"].id)})
    db.session.expire_all()
    assigned = {t.assignee_id for t in tasks}
    if allowed:
        assert response.status_code == 302 and assigned == {seeded.users["clerk-staff"].id}
    else:
        assert response.status_code == 403 and assigned == {None}


def test_bulk_assign_is_all_or_nothing(client, seeded):
    mine = seeded.tasks_of(seeded.clerk)[0]
    theirs = seeded.tasks_of(seeded.finance)[0]
    login(client, "clerk-head")
    response = post_form(client, f"/divisions/{seeded.clerk.id}/assign",
                         {"task_ids": [mine.id, theirs.id], "assignee": ""})
    assert response.status_code == 403
    db.session.expire_all()
    assert mine.assignee_id is None


def test_head_cannot_assign_someone_of_another_division(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    outsider = seeded.users["finance-staff"]
    response = post_form(client, f"/tasks/{task.id}/assign", {"assignee": str(outsider.id)})
    # Not a choice of the form: refused before any change.
    assert response.status_code == 400
    db.session.expire_all()
    assert task.assignee_id is None


def test_due_date_outside_the_plan_is_refused(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    old = task.due_date
    login(client, "clerk-head")
    post_form(client, f"/tasks/{task.id}/due", {"due_date": "01/01/2573"})
    db.session.expire_all()
    assert task.due_date == old == date(2026, 3, 31)


def test_evidence_files_only_for_those_who_see_the_task(client, seeded, app):
    import io

    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    post_progress(client, task, status="doing", file=(io.BytesIO(b"%PDF-1.4 x"), "a.pdf"))
    (item,) = task.evidence
    with client.get(f"/evidence/{item.id}") as own:
        assert own.status_code == 200
    logout(client)
    login(client, "finance-staff")
    assert client.get(f"/evidence/{item.id}").status_code == 403
    logout(client)
    other_organization()
    login(client, "other-head")
    assert client.get(f"/evidence/{item.id}").status_code == 404
