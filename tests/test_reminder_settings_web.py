"""The reminder settings on the web (issue 20): the administrator's "เมื่องานค้าง" form; "การแจ้งเตือนของฉัน" on one's
profile (pause to a Buddhist Era day with a reason, resume, quiet weekdays, LINE or none) and a person's pause and
quiet days on the administrator's user page; and how far work nobody touched climbed (named to the head, to the
executives, nudged), on the task page, the board and My tasks."""
from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tracker import tasks
from tracker.extensions import db
from tracker.models import AuditAction, AuditEvent, Source, TaskStatus

from .factories import events, login, post_form

TODAY = date(2026, 3, 11)  # a Wednesday: the `on_day` fixture starts here
LEAVE = "ลาพักผ่อนประจำปี"
LADDER = {"escalate_head_after": "5", "escalate_executive_after": "12", "idle_nudge_after": "7",
          "longest_pause_days": "30", "most_quiet_days": "1"}


def text(page: str) -> str:
    """A page's words as a reader sees them: tags gone, spaces single."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).replace(" :", ":")


def follow(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def user_events() -> list[AuditEvent]:
    return events(AuditAction.USER_REMINDERS.value)


@pytest.fixture
def today(on_day):
    return TODAY


# --- the administrator's "เมื่องานค้าง" -------------------------------------------------------------------------------


def test_the_reminders_page_shows_the_ladder_with_its_explanation(client, seeded):
    login(client, "admin")
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert '<h2 id="h-escalation">เมื่องานค้าง</h2>' in page
    assert 'action="/admin/reminders/escalation"' in page
    for name, value in (("escalate_head_after", 3), ("escalate_executive_after", 10), ("idle_nudge_after", 10),
                        ("longest_pause_days", 60), ("most_quiet_days", 2)):
        assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{value}"', page), name
    words = text(page)
    assert "นับเป็นวันทำการ" in words and "ใส่ 0 เพื่อปิดขั้นนั้น" in words
    assert "แจ้งหัวหน้ากองเมื่องานเกินกำหนดโดยไม่มีความเคลื่อนไหว (วันทำการ)" in words
    assert "จำนวนวันงดรับการแจ้งเตือนที่เลือกได้ต่อสัปดาห์" in words and "(0-4; 0 = ไม่ให้เลือก)" in words


def test_the_admin_changes_the_ladder_once_even_if_the_form_is_sent_twice(client, seeded):
    login(client, "admin")
    page = follow(client, post_form(client, "/admin/reminders/escalation", LADDER, token_from="/admin/reminders"))
    assert "บันทึกการตั้งค่าเมื่องานค้างแล้ว" in page
    assert re.search(r'<input[^>]*name="escalate_head_after"[^>]*value="5"', page)
    db.session.expire_all()
    org = seeded.org
    assert (org.escalate_head_after, org.escalate_executive_after, org.idle_nudge_after,
            org.longest_pause_days, org.most_quiet_days) == (5, 12, 7, 30, 1)
    again = follow(client, post_form(client, "/admin/reminders/escalation", LADDER, token_from="/admin/reminders"))
    assert "ไม่มีอะไรเปลี่ยน" in again
    (event,) = events(AuditAction.SETTINGS_REMINDERS.value)
    assert event.source == Source.WEB.value and event.after["escalate_executive_after"] == 12


@pytest.mark.parametrize("changes, message", [
    ({"escalate_executive_after": "5"}, "แจ้งผู้บริหารต้องช้ากว่าแจ้งหัวหน้ากอง: ตั้งมากกว่า 5 วันทำการ"),
    ({"idle_nudge_after": "61"}, "ต้องเป็นจำนวนเต็ม 0-60 (0 = ไม่เตือน)"),
    ({"longest_pause_days": "0"}, "ต้องเป็นจำนวนเต็ม 1-365"),
    ({"most_quiet_days": "5"}, "ต้องเป็นจำนวนเต็ม 0-4 (0 = ไม่ให้เลือก)"),
    ({"most_quiet_days": ""}, "ตรวจสอบค่าที่กรอก"),
    ({"escalate_head_after": "สาม"}, "ตรวจสอบค่าที่กรอก"),
    ({"escalate_head_after": ""}, "ตรวจสอบค่าที่กรอก"),
])
def test_a_refused_ladder_comes_back_with_the_reason_and_what_was_typed(client, seeded, changes, message):
    login(client, "admin")
    response = post_form(client, "/admin/reminders/escalation", {**LADDER, **changes}, token_from="/admin/reminders")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in html.unescape(page)
    name, typed = next(iter(changes.items()))
    assert re.search(rf'<input[^>]*name="{name}"[^>]*value="{typed}"', page)
    db.session.expire_all()
    assert seeded.org.escalate_head_after == 3 and seeded.org.most_quiet_days == 2
    assert events(AuditAction.SETTINGS_REMINDERS.value) == []


@pytest.mark.parametrize("username", ["mayor", "clerk-head", "clerk-staff"])
def test_only_the_admin_sets_the_ladder(client, seeded, username):
    login(client, username)
    assert post_form(client, "/admin/reminders/escalation", LADDER).status_code == 403
    db.session.expire_all()
    assert seeded.org.escalate_head_after == 3


def test_the_ladder_form_needs_its_token(client, seeded):
    login(client, "admin")
    assert post_form(client, "/admin/reminders/escalation", LADDER, token=False).status_code == 400


# --- การแจ้งเตือนของฉัน ----------------------------------------------------------------------------------------------


def test_the_profile_says_one_receives_reminders_and_offers_a_pause(client, seeded, today):
    login(client, "clerk-staff")
    page = client.get("/profile").get_data(as_text=True)
    words = text(page)
    assert "การแจ้งเตือนของฉัน" in words and "รับการแจ้งเตือนตามปกติ" in words
    assert 'action="/profile/reminders/pause"' in page and 'data-be-date' in page
    assert "เลือกได้ตั้งแต่วันนี้ (11 มี.ค. 2569) ถึง 10 พ.ค. 2569 (ไม่เกิน 60 วัน)" in words
    assert "รับการแจ้งเตือนต่อ</button>" not in page  # not paused: nothing to resume
    assert re.search(r'<input[^>]*checked[^>]*value="line"|<input[^>]*value="line"[^>]*checked', page)


def test_a_person_pauses_to_a_buddhist_era_day_once_and_resumes(client, seeded, today):
    staff = seeded.users["clerk-staff"]
    login(client, "clerk-staff")
    data = {"paused_until": "25/3/2569", "pause_reason": LEAVE}
    page = follow(client, post_form(client, "/profile/reminders/pause", data))
    assert "พักการแจ้งเตือนถึง 25 มีนาคม 2569 แล้ว" in page
    words = text(page)
    assert f"พักการแจ้งเตือนถึง 25 มีนาคม 2569 เหตุผล: {LEAVE}" in words
    assert "รับการแจ้งเตือนต่อ</button>" in page
    assert 'value="25/03/2569"' in page  # the pause in force, to change
    db.session.expire_all()
    assert (staff.paused_until, staff.pause_reason) == (date(2026, 3, 25), LEAVE)

    again = follow(client, post_form(client, "/profile/reminders/pause", data))  # sent twice
    assert "พักการแจ้งเตือนถึง 25 มี.ค. 2569 ไว้แล้ว — ไม่มีอะไรเปลี่ยนแปลง" in again
    assert len(user_events()) == 1

    resumed = follow(client, post_form(client, "/profile/reminders/resume"))
    assert "รับการแจ้งเตือนต่อแล้ว" in resumed and "รับการแจ้งเตือนตามปกติ" in text(resumed)
    twice = follow(client, post_form(client, "/profile/reminders/resume"))
    assert "ไม่ได้พักการแจ้งเตือนอยู่ — ไม่มีอะไรเปลี่ยนแปลง" in twice
    db.session.expire_all()
    assert staff.paused_until is None and staff.pause_reason is None
    assert [e.actor_id for e in user_events()] == [staff.id, staff.id]


@pytest.mark.parametrize("data, message", [
    ({"paused_until": "11/5/2569", "pause_reason": LEAVE},
     "พักการแจ้งเตือนได้ถึงวันที่ 11 มี.ค. 2569 - 10 พ.ค. 2569 (ไม่เกิน 60 วัน)"),
    ({"paused_until": "10/3/2569", "pause_reason": LEAVE}, "พักการแจ้งเตือนได้ถึงวันที่ 11 มี.ค. 2569"),
    ({"paused_until": "31/2/2569", "pause_reason": LEAVE}, "ข้อมูลไม่ครบหรือไม่ถูกต้อง"),
    ({"paused_until": "", "pause_reason": LEAVE}, "ต้องระบุวันสุดท้ายที่พัก"),
    ({"paused_until": "20/3/2569", "pause_reason": "  "}, "ต้องระบุเหตุผลที่พักการแจ้งเตือน"),
])
def test_a_refused_pause_comes_back_next_to_the_field(client, seeded, today, data, message):
    login(client, "clerk-staff")
    response = post_form(client, "/profile/reminders/pause", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'value="{data["paused_until"]}"' in page or not data["paused_until"]  # as typed, to correct
    assert "<details class=\"answer\" open>" in page
    db.session.expire_all()
    assert seeded.users["clerk-staff"].paused_until is None and user_events() == []


def test_the_pause_forms_need_their_token(client, seeded, today):
    login(client, "clerk-staff")
    data = {"paused_until": "20/3/2569", "pause_reason": LEAVE}
    assert post_form(client, "/profile/reminders/pause", data, token=False).status_code == 400
    assert post_form(client, "/profile/reminders/resume", token=False).status_code == 400
    assert post_form(client, "/profile/reminders/line", {"by_line": "none"}, token=False).status_code == 400
    assert post_form(client, "/profile/reminders/quiet", {"quiet_days": ["4"]}, token=False).status_code == 400
    assert user_events() == []


def test_a_person_chooses_no_reminders_over_line_and_the_profile_says_so(client, linked):
    login(client, "clerk-staff")
    page = follow(client, post_form(client, "/profile/reminders/line", {"by_line": "none"}))
    assert "บันทึกแล้ว: ไม่รับทาง LINE" in page
    words = text(page)
    assert "เชื่อมบัญชี LINE แล้ว — เลือกไม่รับการแจ้งเตือนทาง LINE" in words
    assert re.search(r'<input[^>]*checked[^>]*value="none"|<input[^>]*value="none"[^>]*checked', page)
    again = follow(client, post_form(client, "/profile/reminders/line", {"by_line": "none"}))
    assert "ไม่รับทาง LINEอยู่แล้ว — ไม่มีอะไรเปลี่ยนแปลง" in again
    db.session.expire_all()
    assert linked.users["clerk-staff"].reminders_by_line is False and len(user_events()) == 1
    assert post_form(client, "/profile/reminders/line", {"by_line": "email"}).status_code == 400
    follow(client, post_form(client, "/profile/reminders/line", {"by_line": "line"}))
    db.session.expire_all()
    assert linked.users["clerk-staff"].reminders_by_line is True and len(user_events()) == 2


# --- quiet days ------------------------------------------------------------------------------------------------------

QUIET_HINT = ("ไม่มีการแจ้งเตือนงานในวันที่เลือก งานที่ครบกำหนดแจ้งในวันนั้นจะแจ้งในวันทำงานก่อนหน้าแทน;"
              " สรุปประจำสัปดาห์ของหัวหน้าและผู้บริหารยังส่งตามปกติ")


def ticked(page: str) -> list[str]:
    """The quiet days' boxes that are ticked, by value."""
    boxes = re.findall(r'<input[^>]*name="quiet_days"[^>]*>', page)
    assert len(boxes) == 5, boxes
    return [re.search(r'value="(\d)"', box)[1] for box in boxes if " checked" in box]


def test_the_profile_offers_quiet_days_and_says_what_they_do(client, seeded, today):
    login(client, "clerk-staff")
    page = client.get("/profile").get_data(as_text=True)
    assert 'action="/profile/reminders/quiet"' in page
    assert re.findall(r'<input[^>]*type="checkbox"[^>]*name="quiet_days"[^>]*>|'
                      r'<input[^>]*name="quiet_days"[^>]*type="checkbox"[^>]*>', page)
    assert ticked(page) == []
    words = text(page)
    assert "วันงดรับการแจ้งเตือน" in words and QUIET_HINT in words
    assert "เลือกได้ไม่เกิน 2 วันต่อสัปดาห์ (ผู้ดูแลระบบของหน่วยงานเป็นผู้กำหนด)" in words
    assert "ตอนนี้: ไม่มี (รับการแจ้งเตือนทุกวันทำการ)" in words
    assert "จันทร์ อังคาร พุธ พฤหัสบดี ศุกร์" in words


def test_a_person_keeps_friday_quiet_once_and_clears_it(client, seeded, today):
    staff = seeded.users["clerk-staff"]
    login(client, "clerk-staff")
    page = follow(client, post_form(client, "/profile/reminders/quiet", {"quiet_days": ["4"]}))
    assert "บันทึกวันงดรับการแจ้งเตือนแล้ว: ศุกร์" in page
    assert ticked(page) == ["4"]
    words = text(page)
    assert "ตอนนี้: ศุกร์" in words and "รับการแจ้งเตือนตามปกติ วันงดรับการแจ้งเตือน: ศุกร์" in words
    db.session.expire_all()
    assert staff.quiet_days == [4]

    again = follow(client, post_form(client, "/profile/reminders/quiet", {"quiet_days": ["4"]}))  # sent twice
    assert "วันงดรับการแจ้งเตือน: ศุกร์ อยู่แล้ว — ไม่มีอะไรเปลี่ยนแปลง" in again
    (event,) = user_events()
    assert (event.actor_id, event.source, event.after) == (staff.id, Source.WEB.value, {"quiet_days": [4]})

    cleared = follow(client, post_form(client, "/profile/reminders/quiet"))  # every box unticked
    assert "บันทึกวันงดรับการแจ้งเตือนแล้ว: ไม่มี (รับการแจ้งเตือนทุกวันทำการ)" in cleared
    assert ticked(cleared) == [] and "ตอนนี้: ไม่มี" in text(cleared)
    db.session.expire_all()
    assert staff.quiet_days is None and len(user_events()) == 2


@pytest.mark.parametrize("days, message", [
    (["0", "2", "4"], "เลือกวันงดรับการแจ้งเตือนได้ไม่เกิน 2 วันต่อสัปดาห์ (ผู้ดูแลระบบของหน่วยงานเป็นผู้กำหนดจำนวนนี้)"),
    (["5"], "“วันงดรับการแจ้งเตือน” เลือกได้เฉพาะวันจันทร์ถึงวันศุกร์"),
    (["ศุกร์"], "เลือกได้เฉพาะวันจันทร์ถึงวันศุกร์"),
])
def test_a_refused_choice_comes_back_under_the_boxes(client, seeded, today, days, message):
    login(client, "clerk-staff")
    response = post_form(client, "/profile/reminders/quiet", {"quiet_days": days})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    error = re.search(r'<span id="quiet_days-error-1" class="error" role="alert">([^<]*)</span>', page)
    assert error and message in error[1]
    assert 'aria-invalid="true"' in page
    if days[0].isdigit() and len(days) > 1:
        assert ticked(page) == days  # as ticked, to correct
    db.session.expire_all()
    assert seeded.users["clerk-staff"].quiet_days is None and user_events() == []


def test_an_organization_that_lets_nobody_keep_quiet_days_says_so(client, seeded, today):
    seeded.org.most_quiet_days = 0
    db.session.commit()
    login(client, "clerk-staff")
    page = client.get("/profile").get_data(as_text=True)
    assert "วันงดรับการแจ้งเตือน: หน่วยงานไม่เปิดให้เลือก" in text(page)
    assert 'action="/profile/reminders/quiet"' not in page
    response = post_form(client, "/profile/reminders/quiet", {"quiet_days": ["4"]})
    assert response.status_code == 400 and "หน่วยงานนี้ไม่เปิดให้เลือกวันงดรับการแจ้งเตือน" in response.get_data(as_text=True)


def test_the_admin_sets_someones_quiet_days_and_they_see_them(client, seeded, today):
    staff = seeded.users["finance-staff"]
    login(client, "admin")
    url = f"/admin/users/{staff.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'action="{url}/reminders/quiet"' in page and ticked(page) == []
    page = follow(client, post_form(client, f"{url}/reminders/quiet", {"quiet_days": ["0", "2"]}, token_from=url))
    assert "เจ้าหน้าที่กองคลัง: บันทึกวันงดรับการแจ้งเตือนแล้ว: จันทร์, พุธ" in page
    assert ticked(page) == ["0", "2"] and "วันงดรับการแจ้งเตือน: จันทร์, พุธ" in text(page)
    (event,) = user_events()
    assert (event.actor_id, event.object_id) == (seeded.users["admin"].id, staff.id)

    refused = post_form(client, f"{url}/reminders/quiet", {"quiet_days": ["0", "1", "2"]}, token_from=url)
    assert refused.status_code == 400 and "ได้ไม่เกิน 2 วันต่อสัปดาห์" in refused.get_data(as_text=True)
    assert f"<h1>{staff.display_name}</h1>" in refused.get_data(as_text=True)  # the admin's page again

    login(client, "finance-staff")
    mine = client.get("/profile").get_data(as_text=True)
    assert ticked(mine) == ["0", "2"] and "ตอนนี้: จันทร์, พุธ" in text(mine)


@pytest.mark.parametrize("username", ["clerk-head", "finance-staff", "mayor"])
def test_no_one_else_sets_a_persons_quiet_days(client, seeded, today, username):
    staff = seeded.users["clerk-staff"]
    login(client, username)
    assert post_form(client, f"/admin/users/{staff.id}/reminders/quiet", {"quiet_days": ["4"]}).status_code == 403
    db.session.expire_all()
    assert staff.quiet_days is None and user_events() == []


def test_another_organizations_person_has_no_quiet_days_page(client, seeded, today):
    from .factories import other_organization

    _, _, other_head, _ = other_organization()
    login(client, "admin")
    response = post_form(client, f"/admin/users/{other_head.id}/reminders/quiet", {"quiet_days": ["4"]})
    assert response.status_code == 404 and user_events() == []


# --- the administrator, for a person ---------------------------------------------------------------------------------


def test_the_admin_sees_and_pauses_a_persons_reminders(client, seeded, today):
    staff = seeded.users["finance-staff"]
    login(client, "admin")
    url = f"/admin/users/{staff.id}"
    assert "รับการแจ้งเตือนตามปกติ" in text(client.get(url).get_data(as_text=True))
    data = {"paused_until": "20/3/2569", "pause_reason": "ไปอบรมที่จังหวัด"}
    page = follow(client, post_form(client, f"{url}/reminders/pause", data, token_from=url))
    assert "เจ้าหน้าที่กองคลัง: พักการแจ้งเตือนถึง 20 มีนาคม 2569 แล้ว" in page
    assert "พักการแจ้งเตือนถึง 20 มีนาคม 2569 เหตุผล: ไปอบรมที่จังหวัด" in text(page)
    follow(client, post_form(client, f"{url}/reminders/pause", data, token_from=url))  # sent twice
    (event,) = user_events()
    assert event.actor_id == seeded.users["admin"].id and event.object_id == staff.id

    refused = post_form(client, f"{url}/reminders/pause", {**data, "paused_until": "1/1/2570"}, token_from=url)
    assert refused.status_code == 400 and "ไม่เกิน 60 วัน" in refused.get_data(as_text=True)

    page = follow(client, post_form(client, f"{url}/reminders/resume", token_from=url))
    assert "เจ้าหน้าที่กองคลัง: รับการแจ้งเตือนต่อแล้ว" in page
    db.session.expire_all()
    assert staff.paused_until is None and len(user_events()) == 2
    # The person sees it on their own profile too: resumed.
    login(client, "finance-staff")
    assert "รับการแจ้งเตือนตามปกติ" in text(client.get("/profile").get_data(as_text=True))


def test_a_pause_the_admin_set_shows_on_the_persons_profile(client, seeded, today):
    staff = seeded.users["clerk-staff"]
    login(client, "admin")
    url = f"/admin/users/{staff.id}"
    post_form(client, f"{url}/reminders/pause", {"paused_until": "13/3/2569", "pause_reason": LEAVE},
              token_from=url)
    login(client, "clerk-staff")
    words = text(client.get("/profile").get_data(as_text=True))
    assert f"พักการแจ้งเตือนถึง 13 มีนาคม 2569 เหตุผล: {LEAVE}" in words


@pytest.mark.parametrize("username", ["clerk-head", "finance-staff", "mayor"])
def test_no_one_else_pauses_a_person_from_the_admin_page(client, seeded, today, username):
    staff = seeded.users["clerk-staff"]
    login(client, username)
    data = {"paused_until": "20/3/2569", "pause_reason": LEAVE}
    assert post_form(client, f"/admin/users/{staff.id}/reminders/pause", data).status_code == 403
    assert post_form(client, f"/admin/users/{staff.id}/reminders/resume").status_code == 403
    assert user_events() == []


def test_another_organizations_person_is_not_found(client, seeded, today):
    from .factories import other_organization

    _, _, other_head, _ = other_organization()
    login(client, "admin")
    data = {"paused_until": "20/3/2569", "pause_reason": LEAVE}
    assert post_form(client, f"/admin/users/{other_head.id}/reminders/pause", data).status_code == 404
    assert user_events() == []


# --- work that waits, on the task page, the board and My tasks -------------------------------------------------------

# 01:00 in Bangkok on 10 March is still 9 March in UTC: the badge says the local day.
HEAD_AT = datetime(2026, 3, 9, 18, 0, tzinfo=UTC)
EXECUTIVE_AT = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
NUDGED_AT = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def waiting(seeded, today):
    """Two open tasks of the clerk's office: one overdue and named to the head; one in progress and nudged."""
    overdue, idle = seeded.tasks_of(seeded.clerk)[:2]
    overdue.status, overdue.due_date, overdue.escalated_head_at = TaskStatus.TODO, date(2026, 3, 2), HEAD_AT
    idle.status, idle.due_date, idle.nudged_at = TaskStatus.DOING, date(2026, 4, 30), NUDGED_AT
    db.session.commit()
    return overdue, idle


def badges(page: str, cls: str) -> list[str]:
    return re.findall(rf'<span class="badge {cls}">([^<]*)</span>', page)


def test_the_task_page_says_how_far_the_task_climbed(client, seeded, waiting):
    overdue, idle = waiting
    login(client, "clerk-staff")
    page = client.get(f"/tasks/{overdue.id}").get_data(as_text=True)
    assert badges(page, "escalated") == ["แจ้งหัวหน้ากองแล้ว 10 มี.ค. 2569"]
    assert "เมื่อมีผู้รายงานความคืบหน้าหรือทำอะไรกับงานนี้ จะเริ่มนับใหม่" in page
    overdue.escalated_executive_at = EXECUTIVE_AT  # the next step: only the last one reached is said
    db.session.commit()
    page = client.get(f"/tasks/{overdue.id}").get_data(as_text=True)
    assert badges(page, "escalated executive") == ["แจ้งผู้บริหารแล้ว 11 มี.ค. 2569"]
    assert badges(page, "escalated") == [] and "แจ้งหัวหน้ากองแล้ว" not in page
    page = client.get(f"/tasks/{idle.id}").get_data(as_text=True)
    assert badges(page, "nudged") == ["เตือนเรื่องไม่มีความเคลื่อนไหวแล้ว 4 มี.ค. 2569"]


@pytest.mark.parametrize("page_of", ["board", "mine"])
def test_the_board_and_my_tasks_carry_the_steps(client, seeded, waiting, page_of):
    overdue, idle = waiting
    login(client, "clerk-head")
    url = f"/divisions/{seeded.clerk.id}" if page_of == "board" else "/tasks"
    page = client.get(url).get_data(as_text=True)
    assert badges(page, "escalated") == ["แจ้งหัวหน้ากองแล้ว 10 มี.ค. 2569"]
    assert badges(page, "nudged") == ["เตือนเรื่องไม่มีความเคลื่อนไหวแล้ว 4 มี.ค. 2569"]
    overdue.escalated_executive_at = EXECUTIVE_AT
    db.session.commit()  # a change the sweep makes reaches the kept pages too (the agency's revision moves)
    page = client.get(url).get_data(as_text=True)
    assert badges(page, "escalated executive") == ["แจ้งผู้บริหารแล้ว 11 มี.ค. 2569"]


def test_activity_clears_the_steps_and_a_closed_task_shows_none(client, seeded, waiting):
    overdue, idle = waiting
    tasks.acknowledge(overdue, seeded.users["clerk-staff"], source=Source.WEB)  # activity: the clock starts again
    idle.escalated_head_at = HEAD_AT
    tasks.tick_off(idle, seeded.users["clerk-head"], source=Source.WEB)
    db.session.commit()
    login(client, "clerk-head")
    for url in (f"/tasks/{overdue.id}", f"/tasks/{idle.id}", f"/divisions/{seeded.clerk.id}?status=", "/tasks"):
        page = client.get(url).get_data(as_text=True)
        assert "badge escalated" not in page and "badge nudged" not in page, url


def test_the_board_asks_no_more_of_the_database_for_the_steps(client, seeded, waiting):
    """The steps are the task's own columns: the board sends as many statements with them as without (each count
    renders the page anew: a commit moves the agency's revision, which the kept page's key names)."""
    def statements(url: str) -> tuple[int, bool]:
        sent: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            sent.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            page = client.get(url).get_data(as_text=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(sent), "badge escalated" in page

    login(client, "clerk-head")
    board = f"/divisions/{seeded.clerk.id}"
    with_steps, shown = statements(board)
    for task in seeded.tasks_of(seeded.clerk):
        task.escalated_head_at = task.nudged_at = None
    db.session.commit()
    assert shown and statements(board) == (with_steps, False)
