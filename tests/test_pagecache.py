"""Pages kept between requests are never stale, never another person's, and carry the request's own CSRF token and
notices; a browser that asks again gets 304 while nothing changed."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker import tasks
from tracker.extensions import db
from tracker.models import Comment, DayOff, LoginAttempt, Organization, Source, TaskStatus
from tracker.views.pagecache import CSRF_MARKER, FLASH_MARKER

from .factories import csrf_token, login, other_organization, post_form, post_progress


def revision(org_id: int) -> int:
    return db.session.scalar(sa.select(Organization.revision).where(Organization.id == org_id))


def test_every_change_to_the_agencys_rows_moves_its_revision_and_only_its(seeded):
    org = seeded.org.id
    other, *_ = other_organization()
    task = seeded.tasks_of(seeded.clerk)[0]
    changes = [
        lambda: setattr(task, "status", TaskStatus.DOING),
        lambda: db.session.add(Comment(task=task, author=seeded.users["clerk-head"], text="บันทึก")),
        lambda: setattr(seeded.users["clerk-staff"], "display_name", "ชื่อใหม่"),
        lambda: setattr(seeded.clerk, "short_name", "สป."),
        lambda: db.session.add(DayOff(organization_id=org, day=date(2026, 5, 5), name="วันหยุด")),
    ]
    for change in changes:
        before, theirs = revision(org), revision(other.id)
        change()
        db.session.commit()
        assert revision(org) == before + 1 and revision(other.id) == theirs


def test_signing_in_and_the_outbox_leave_the_revision_alone(client, seeded):
    before = revision(seeded.org.id)
    login(client, "clerk-head")
    db.session.add(LoginAttempt(username="x", ip="1.2.3.4", success=False))
    db.session.commit()
    assert revision(seeded.org.id) == before


def test_a_kept_page_follows_every_change_at_once(client, seeded, on_day):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    for _ in range(2):  # the second one comes from the cache
        assert "ยังไม่เริ่ม" in client.get(f"/tasks/{task.id}").get_data(as_text=True)
        assert "เสร็จแล้ว 0 จาก" in client.get("/dashboard").get_data(as_text=True)
    tasks.tick_off(task, seeded.users["clerk-head"], source=Source.LINE)  # a change from outside the web
    db.session.commit()
    assert "เสร็จแล้ว 1 จาก" in client.get("/dashboard").get_data(as_text=True)
    board = client.get(f"/divisions/{seeded.clerk.id}?status=done").get_data(as_text=True)
    assert task.step_text[:20] in board


def test_a_kept_page_is_the_persons_own(client, seeded):
    board = f"/divisions/{seeded.clerk.id}"
    login(client, "clerk-head")
    assert 'name="task_ids"' in client.get(board).get_data(as_text=True)  # the head may assign
    login(client, "clerk-staff")
    page = client.get(board).get_data(as_text=True)
    assert 'name="task_ids"' not in page and "เจ้าหน้าที่สำนักปลัด" in page  # the staff member's own menu


def test_a_kept_page_carries_the_requests_csrf_token_and_notices(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    client.get(f"/tasks/{task.id}")  # kept
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert CSRF_MARKER not in page and FLASH_MARKER not in page
    token = csrf_token(client, f"/tasks/{task.id}")
    response = client.post(f"/tasks/{task.id}/comments", data={"text": "ส่งแล้ว", "csrf_token": token})
    assert response.status_code == 302
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "บันทึกความเห็นแล้ว" in page  # the notice, on a page that is kept again
    assert "บันทึกความเห็นแล้ว" not in client.get(f"/tasks/{task.id}").get_data(as_text=True)  # and only once


def test_a_browser_asking_again_gets_304_until_something_changes(client, seeded):
    login(client, "mayor")
    first = client.get("/dashboard")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get("/dashboard", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    task = seeded.tasks_of(seeded.clerk)[0]
    task.status = TaskStatus.DONE
    db.session.commit()
    changed = client.get("/dashboard", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_a_page_with_a_notice_is_never_answered_from_the_browsers_copy(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-staff")
    etag = client.get(f"/tasks/{task.id}").headers["ETag"]
    post_progress(client, task, status="doing", note="เริ่มแล้ว", save="1")  # a notice waits, and the task changed
    response = client.get(f"/tasks/{task.id}", headers={"If-None-Match": etag})
    assert response.status_code == 200 and "บันทึกความคืบหน้าแล้ว" in response.get_data(as_text=True)


def test_forms_on_a_kept_page_still_work(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    client.get(f"/divisions/{seeded.clerk.id}")
    response = post_form(client, f"/divisions/{seeded.clerk.id}/assign",
                         {"task_ids": [task.id], "assignee": str(seeded.users["clerk-staff"].id)},
                         token_from=f"/divisions/{seeded.clerk.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert task.assignee == seeded.users["clerk-staff"]


def test_a_page_whose_form_was_built_before_it_was_kept_is_refused_in_tests(app, client, seeded):
    """The rule holds by construction: a view that builds a form outside `compute()` would keep its viewer's token;
    such a page is never kept (and is an error under test, so it cannot be merged)."""
    import pytest
    from flask import Blueprint
    from jinja2 import ChoiceLoader, DictLoader

    from tracker.forms import CommentForm
    from tracker.views.pagecache import KeptRequestValue, cached_page

    probe = Blueprint("probe", __name__)

    @probe.get("/probe-kept")
    def kept_with_a_form_built_too_early():
        form = CommentForm()  # the request's own token, made before the keeping scope
        return cached_page("probe.html", compute=lambda: {"form": form})

    @probe.get("/probe-kept-right")
    def kept_with_its_form_built_in_compute():
        return cached_page("probe.html", compute=lambda: {"form": CommentForm()})

    app.register_blueprint(probe)
    app.jinja_env.loader = ChoiceLoader([DictLoader({"probe.html": "{{ form.csrf_token }}"}), app.jinja_env.loader])
    login(client, "clerk-staff")
    with pytest.raises(KeptRequestValue):
        client.get("/probe-kept")
    assert CSRF_MARKER not in client.get("/probe-kept-right").get_data(as_text=True)


def _expired_comment(client, task, **headers):
    """A comment posted with a token that is not this session's (a page left open past its sign-in)."""
    return client.post(f"/tasks/{task.id}/comments", headers=headers,
                       data={"text": "ขอเอกสารเพิ่ม <b>ด่วน</b>", "csrf_token": "IjE2ZjQ.expired.token"})


def test_a_form_refused_for_its_token_comes_back_with_what_was_typed(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
    refused = _expired_comment(client, task, Origin="http://localhost")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "แบบฟอร์มหมดอายุ" in page
    assert "ขอเอกสารเพิ่ม &lt;b&gt;ด่วน&lt;/b&gt;</textarea>" in page  # what was typed, escaped, to edit
    assert f'action="/tasks/{task.id}/comments"' in page and "ส่งอีกครั้ง" in page
    token = csrf_token(client, f"/tasks/{task.id}")
    again = client.post(f"/tasks/{task.id}/comments", data={"text": "ขอเอกสารเพิ่ม <b>ด่วน</b>", "csrf_token": token})
    assert again.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == before + 1


def test_a_forged_post_from_another_site_gets_no_button_to_send_it(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/form"}, {}):
        page = _expired_comment(client, task, **headers).get_data(as_text=True)
        assert "ขอเอกสารเพิ่ม" not in page and "ส่งอีกครั้ง" not in page, headers


def test_a_signed_out_person_sees_what_they_typed_to_copy_and_no_button(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]
    page = _expired_comment(client, task, Origin="http://localhost").get_data(as_text=True)
    assert "ขอเอกสารเพิ่ม" in page and "readonly" in page and "ส่งอีกครั้ง" not in page
    assert "เข้าสู่ระบบอีกครั้ง" in page


def test_a_password_is_never_written_back(client, seeded):
    login(client, "clerk-head")
    page = client.post("/password", headers={"Origin": "http://localhost"},
                       data={"current": "secret-typed-1", "new": "secret-typed-2", "confirm": "secret-typed-2",
                             "csrf_token": "stale"}).get_data(as_text=True)
    assert "แบบฟอร์มหมดอายุ" in page and "secret-typed" not in page
    assert 'type="password"' in page  # asked for again
