"""The review queue (หลักฐานรอตรวจ): a head sees how much of the division's evidence waits (My tasks, the board, the
weekly LINE digest), opens one page listing it oldest first, and accepts or sends back each piece there; nobody
else's evidence is listed, and the page costs the same few indexed queries however much waits."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker import clock, evidence
from tracker.access import Action, can, reviewable_evidence
from tracker.extensions import db
from tracker.models import Division, Evidence, EvidenceReview, Notification, Role, Source
from tracker.reminders import outbox
from tracker.tasks import add_evidence

from .factories import events, login, make_user, other_organization, post_form
from .test_query_plans import captured, full_scans

TODAY = date(2026, 3, 17)  # a Tuesday of fiscal year 2569 (on_day)
MONDAY = date(2026, 3, 30)  # the week's first working day: the weekly digests


def _evidence(task, author, url: str, *, days_ago: int = 0) -> Evidence:
    item = add_evidence(task, author, source=Source.WEB, url=url)
    item.created_at = clock.now() - timedelta(days=days_ago)
    return item


@pytest.fixture
def waiting(seeded, on_day):
    """Evidence waiting: two pieces on สำนักปลัด's tasks (the second added the older), one on กองคลัง's, one of
    another agency, and one the clerk's head added (accepted at once: nothing to wait for)."""
    staff, head = seeded.users["clerk-staff"], seeded.users["clerk-head"]
    first, second, third = seeded.tasks_of(seeded.clerk)[:3]
    newer = _evidence(first, staff, "https://bangkrabue.go.th/ita/newer", days_ago=1)
    older = _evidence(second, staff, "https://bangkrabue.go.th/ita/older", days_ago=5)
    finance = _evidence(seeded.tasks_of(seeded.finance)[0], seeded.users["finance-staff"],
                        "https://bangkrabue.go.th/ita/finance")
    _evidence(third, head, "https://bangkrabue.go.th/ita/heads-own")
    _, _, other_head, other_task = other_organization()
    _evidence(other_task, other_head, "https://other.go.th/ita/theirs")  # (accepted: its head added it)
    other_staff = make_user(other_task.organization, "other-staff", Role.STAFF, other_task.division)
    db.session.flush()
    _evidence(other_task, other_staff, "https://other.go.th/ita/waiting")
    db.session.commit()
    return {"newer": newer, "older": older, "finance": finance}


def _review(client, item: Evidence, button: str, reason: str = "", query: str = ""):
    key = f"review-{item.id}"
    data = {f"{key}-{button}": "x", f"{key}-reason": reason}
    return post_form(client, f"/reviews/{item.id}{query}", data)


def test_a_head_sees_the_count_and_reviews_the_queue_oldest_first(client, seeded, waiting):
    newer, older = waiting["newer"], waiting["older"]
    login(client, "clerk-head")
    mine = client.get("/tasks").get_data(as_text=True)
    assert '<a href="/reviews">หลักฐานรอตรวจ 2 รายการ</a>' in mine
    board = client.get(f"/divisions/{seeded.clerk.id}").get_data(as_text=True)
    assert f'<a href="/reviews?division={seeded.clerk.id}">หลักฐานรอตรวจ 2 รายการ</a>' in board

    page = client.get("/reviews").get_data(as_text=True)
    assert page.index("ita/older") < page.index("ita/newer")  # oldest first, by when it was added
    assert "ita/finance" not in page and "other.go.th" not in page and "heads-own" not in page
    assert "เจ้าหน้าที่สำนักปลัด" in page and "2569" in page  # who sent it, when (Buddhist Era)
    assert f'action="/reviews/{older.id}"' in page and f'name="review-{older.id}-needs_work"' in page

    accepted = _review(client, older, "accept")
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/reviews"
    page = client.get("/reviews").get_data(as_text=True)
    assert "ตรวจแล้ว: https://bangkrabue.go.th/ita/older ผ่าน" in page and f'id="evidence-{older.id}"' not in page

    refused = _review(client, newer, "needs_work")  # sent back without a reason
    assert refused.status_code == 400
    assert 'role="alert">ต้องระบุเหตุผลที่ต้องแก้ไข' in refused.get_data(as_text=True)
    sent_back = _review(client, newer, "needs_work", "ลิงก์เปิดไม่ได้ ขอไฟล์ PDF")
    assert sent_back.status_code == 302
    assert "ส่งกลับให้แก้ไขแล้ว" in client.get("/reviews").get_data(as_text=True)

    db.session.expire_all()
    assert (older.review, newer.review) == (EvidenceReview.ACCEPTED, EvidenceReview.NEEDS_WORK)
    assert [e.after["review"] for e in events("evidence.review")] == ["accepted", "needs_work"]
    assert {e.actor_id for e in events("evidence.review")} == {seeded.users["clerk-head"].id}
    assert "หลักฐานรอตรวจ" not in client.get("/tasks").get_data(as_text=True)  # none left: no notice
    assert "หลักฐานรอตรวจ" not in client.get(f"/divisions/{seeded.clerk.id}").get_data(as_text=True)

    login(client, "clerk-staff")
    task_page = client.get(f"/tasks/{newer.task_id}").get_data(as_text=True)
    assert "หลักฐานต้องแก้ไข" in task_page and "ลิงก์เปิดไม่ได้ ขอไฟล์ PDF" in task_page


def test_a_new_piece_of_evidence_shows_on_the_kept_pages_at_once(client, seeded, waiting):
    login(client, "clerk-head")
    assert "หลักฐานรอตรวจ 2 รายการ" in client.get("/tasks").get_data(as_text=True)  # now kept
    _evidence(seeded.tasks_of(seeded.clerk)[4], seeded.users["clerk-staff"], "https://bangkrabue.go.th/ita/new")
    db.session.commit()
    assert "หลักฐานรอตรวจ 3 รายการ" in client.get("/tasks").get_data(as_text=True)


@pytest.mark.parametrize("username", ["clerk-staff", "finance-staff", "mayor"])
def test_who_may_not_review_has_no_queue(client, seeded, waiting, username):
    login(client, username)
    refused = client.get("/reviews")
    assert refused.status_code == 403 and "ผู้ดูแลระบบ" in refused.get_data(as_text=True)
    assert _review(client, waiting["newer"], "accept").status_code == 403
    db.session.expire_all()
    assert waiting["newer"].review is EvidenceReview.PENDING
    if username != "mayor":
        assert "หลักฐานรอตรวจ" not in client.get("/tasks").get_data(as_text=True)


def test_another_divisions_head_cannot_review_the_clerks_evidence(client, seeded, waiting):
    login(client, "finance-head")
    page = client.get("/reviews").get_data(as_text=True)
    assert "ita/finance" in page and "ita/newer" not in page
    assert _review(client, waiting["newer"], "accept").status_code == 403


def test_the_admin_queue_holds_every_divisions_and_narrows_to_one(client, seeded, waiting):
    login(client, "admin")
    page = client.get("/reviews").get_data(as_text=True)
    assert all(f"ita/{name}" in page for name in ("older", "newer", "finance")) and "other.go.th" not in page
    board = client.get(f"/divisions/{seeded.finance.id}").get_data(as_text=True)
    assert "หลักฐานรอตรวจ 1 รายการ" in board
    narrowed = client.get(f"/reviews?division={seeded.finance.id}").get_data(as_text=True)
    assert "ita/finance" in narrowed and "ita/older" not in narrowed
    reviewed = _review(client, waiting["finance"], "accept", query=f"?division={seeded.finance.id}")
    assert reviewed.headers["Location"] == f"/reviews?division={seeded.finance.id}"
    other_division = db.session.scalar(select(Division).where(Division.organization_id != seeded.org.id))
    assert client.get(f"/reviews?division={other_division.id}").status_code == 404


def test_the_query_lists_what_the_rule_allows(seeded, waiting):
    every = db.session.scalars(select(Evidence)).all()
    for person in seeded.users.values():
        listed = set(db.session.scalars(reviewable_evidence(person)))
        assert listed == {e for e in every if can(person, Action.REVIEW_EVIDENCE, e)}, person.username
        assert can(person, Action.REVIEW_EVIDENCE) is bool(listed), person.username  # the queue's own gate


def test_the_queue_costs_a_fixed_number_of_indexed_queries(client, seeded, waiting):
    def cost() -> tuple[int, list[str]]:
        client.get("/reviews")  # warm: what a first request loads once is not what this counts
        with captured() as statements:
            assert client.get("/reviews").status_code == 200
        return len(statements), full_scans(statements)

    login(client, "clerk-head")
    small, scans = cost()
    assert scans == []
    authors = [make_user(seeded.org, f"more-staff-{n}", Role.STAFF, seeded.clerk) for n in range(4)]
    db.session.flush()
    for n, task in enumerate(seeded.tasks_of(seeded.clerk)[3:8]):
        _evidence(task, authors[n % len(authors)], f"https://bangkrabue.go.th/ita/more-{n}", days_ago=n)
    db.session.commit()
    large, scans = cost()
    assert len(evidence.waiting(seeded.users["clerk-head"])) == 7
    assert large == small and scans == []


# --- the head's weekly digest --------------------------------------------------------------------------------------


def _digest_text(day: date, **where) -> str:
    (row,) = db.session.scalars(select(Notification).filter_by(for_date=day, **where)).all()
    text, _ = outbox.render_rows([row])[row.id]
    return text


def test_the_heads_weekly_digest_says_how_much_evidence_waits(app, linked, on_day):
    on_day(MONDAY)
    staff = linked.users["clerk-staff"]
    for task in linked.tasks_of(linked.clerk)[:3]:
        _evidence(task, staff, f"https://bangkrabue.go.th/ita/{task.id}")
    db.session.commit()
    outbox.sweep(linked.org, MONDAY)
    db.session.commit()
    head_text = _digest_text(MONDAY, recipient_id=linked.users["clerk-head"].id)
    assert "หลักฐานรอตรวจ 3 รายการ: http://127.0.0.1:5000/reviews" in head_text
    summary = head_text.split("สรุปประจำสัปดาห์")[1]
    assert "หลักฐานรอตรวจ 3 รายการ" in summary  # in the week's summary of the division
    finance_text = _digest_text(MONDAY, recipient_id=linked.users["finance-head"].id)
    assert "สรุปประจำสัปดาห์" in finance_text and "หลักฐานรอ" not in finance_text  # nothing waits: no line


def test_a_divisions_group_reads_the_count_without_the_heads_link(app, linked, on_day):
    on_day(MONDAY)
    linked.clerk.line_group_id = "C" + "1" * 32
    linked.clerk.line_group_members = 4
    _evidence(linked.tasks_of(linked.clerk)[0], linked.users["clerk-staff"], "https://bangkrabue.go.th/ita/x")
    db.session.commit()
    outbox.sweep(linked.org, MONDAY)
    db.session.commit()
    text = _digest_text(MONDAY, division_id=linked.clerk.id)
    assert "หลักฐานรอหัวหน้ากองตรวจ 1 รายการ" in text and "/reviews" not in text


def test_a_day_without_the_weekly_digest_says_nothing_of_the_queue(app, linked, on_day):
    on_day(TODAY)
    _evidence(linked.tasks_of(linked.clerk)[0], linked.users["clerk-staff"], "https://bangkrabue.go.th/ita/x")
    db.session.commit()
    outbox.sweep(linked.org, TODAY)
    db.session.commit()
    rows = db.session.scalars(select(Notification).where(Notification.for_date == TODAY)).all()
    rendered = outbox.render_rows(rows)
    head = linked.users["clerk-head"].id
    assert rows and not any("หลักฐานรอตรวจ 1" in text for text, _ in rendered.values())  # the weekly count
    for row in rows:  # only the head's own digest offers the piece to review (tests/test_line_reviews.py)
        text = rendered[row.id][0]
        assert ("หลักฐานรอคุณตรวจ 1 รายการ" in text) if row.recipient_id == head else ("หลักฐานรอ" not in text)
