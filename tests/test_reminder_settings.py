"""The reminder settings people change (issue 20): the organization's escalation ladder, idle nudge, longest pause and
most quiet days (the administrator); a person's pause of their reminders, their quiet weekdays and LINE or none
(themself, or their organization's administrator for them). Each refuses what is out of bounds in Thai, asks
access.PERSON_REMINDERS or MANAGE_SETTINGS, and is audited once, and not at all when nothing changed."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tracker.access import Refused
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.history import describe
from tracker.models import AuditAction, Role, Source, User
from tracker.reminders.settings import (
    pause_bounds,
    pause_of,
    pause_reminders,
    set_quiet_days,
    set_reminders_by_line,
    update_escalation,
)

from .factories import events, make_user, other_organization

TODAY = date(2026, 3, 11)  # a Wednesday: the `on_day` fixture starts here
LADDER = {"head_after": 3, "executive_after": 10, "idle_after": 10, "longest_pause": 60, "most_quiet": 2}  # defaults
LEAVE = "ลาพักผ่อนประจำปี"


@pytest.fixture
def today(on_day):
    return TODAY


def escalate(seeded, actor: str = "admin", **changes) -> bool:
    return update_escalation(seeded.org, seeded.users[actor], **{**LADDER, **changes}, source=Source.WEB)


def settings_events():
    return events(AuditAction.SETTINGS_REMINDERS.value)


def person_events():
    return events(AuditAction.USER_REMINDERS.value)


# --- the ladder ------------------------------------------------------------------------------------------------------


def test_the_defaults_are_the_migrations(seeded):
    org = seeded.org
    assert (org.escalate_head_after, org.escalate_executive_after, org.idle_nudge_after,
            org.longest_pause_days, org.most_quiet_days) == (3, 10, 10, 60, 2)


def test_the_admin_sets_the_ladder_once_with_audit(seeded):
    assert escalate(seeded, head_after=5, executive_after=15, idle_after=7, longest_pause=30, most_quiet=1) is True
    db.session.commit()
    org = seeded.org
    assert (org.escalate_head_after, org.escalate_executive_after, org.idle_nudge_after,
            org.longest_pause_days, org.most_quiet_days) == (5, 15, 7, 30, 1)
    (event,) = settings_events()
    assert event.actor_id == seeded.users["admin"].id and event.source == Source.WEB.value
    assert (event.before["escalate_head_after"], event.after["escalate_head_after"]) == (3, 5)
    assert (event.before["longest_pause_days"], event.after["longest_pause_days"]) == (60, 30)
    assert (event.before["most_quiet_days"], event.after["most_quiet_days"]) == (2, 1)
    # The same numbers again (the form sent twice): nothing changes, nothing is recorded.
    assert escalate(seeded, head_after=5, executive_after=15, idle_after=7, longest_pause=30, most_quiet=1) is False
    assert escalate(seeded, head_after="5", executive_after="15", idle_after="7", longest_pause="30",
                    most_quiet="1") is False
    db.session.commit()
    assert len(settings_events()) == 1


def test_a_step_may_be_turned_off(seeded):
    assert escalate(seeded, head_after=0, executive_after=0, idle_after=0) is True
    assert escalate(seeded, head_after=0, executive_after=4) is True  # the executives only
    assert escalate(seeded, head_after=4, executive_after=0) is True  # the head only
    assert (seeded.org.escalate_head_after, seeded.org.escalate_executive_after) == (4, 0)


@pytest.mark.parametrize("changes, message", [
    ({"head_after": -1}, "“แจ้งหัวหน้ากองเมื่องานเกินกำหนดโดยไม่มีความเคลื่อนไหว (วันทำการ)” ต้องเป็นจำนวนเต็ม 0-60 (0 = ไม่แจ้ง)"),
    ({"head_after": 61, "executive_after": 0}, "ต้องเป็นจำนวนเต็ม 0-60"),
    ({"executive_after": 61}, "“แจ้งผู้บริหารเมื่องานเกินกำหนดโดยไม่มีความเคลื่อนไหว (วันทำการ)” ต้องเป็นจำนวนเต็ม 0-60"),
    ({"idle_after": 61}, "“เตือนงานที่กำลังทำแต่ไม่มีความเคลื่อนไหว (วันทำการ)” ต้องเป็นจำนวนเต็ม 0-60 (0 = ไม่เตือน)"),
    ({"idle_after": None}, "ต้องเป็นจำนวนเต็ม 0-60"),
    ({"idle_after": "สิบ"}, "ต้องเป็นจำนวนเต็ม 0-60"),
    ({"longest_pause": 0}, "“พักการแจ้งเตือนได้นานที่สุด (วัน)” ต้องเป็นจำนวนเต็ม 1-365"),
    ({"longest_pause": 366}, "ต้องเป็นจำนวนเต็ม 1-365"),
    ({"most_quiet": 5}, "“จำนวนวันงดรับการแจ้งเตือนที่เลือกได้ต่อสัปดาห์” ต้องเป็นจำนวนเต็ม 0-4 (0 = ไม่ให้เลือก)"),
    ({"most_quiet": -1}, "ต้องเป็นจำนวนเต็ม 0-4"),
    ({"head_after": 5, "executive_after": 5}, "แจ้งผู้บริหารต้องช้ากว่าแจ้งหัวหน้ากอง: ตั้งมากกว่า 5 วันทำการ"),
    ({"head_after": 6, "executive_after": 4}, "แจ้งผู้บริหารต้องช้ากว่าแจ้งหัวหน้ากอง"),
])
def test_out_of_bounds_is_refused_in_thai_and_nothing_changes(seeded, changes, message):
    with pytest.raises(DomainError) as refused:
        escalate(seeded, **changes)
    assert message in refused.value.message and refused.value.status == 400
    assert (seeded.org.escalate_head_after, seeded.org.escalate_executive_after) == (3, 10)
    assert seeded.org.most_quiet_days == 2 and settings_events() == []


@pytest.mark.parametrize("actor", ["mayor", "clerk-head", "clerk-staff"])
def test_only_the_admin_changes_the_ladder(seeded, actor):
    with pytest.raises(Refused):
        escalate(seeded, actor, head_after=1)
    assert seeded.org.escalate_head_after == 3 and settings_events() == []


def test_another_organizations_admin_cannot_change_the_ladder(seeded):
    other_org, *_ = other_organization()
    other_admin = make_user(other_org, "other-admin", Role.ADMIN)
    db.session.commit()
    with pytest.raises(Refused):
        update_escalation(seeded.org, other_admin, **{**LADDER, "head_after": 1}, source=Source.WEB)


# --- a person's pause ------------------------------------------------------------------------------------------------


def test_a_person_pauses_themself_with_a_reason_and_resumes(seeded, today):
    staff = seeded.users["clerk-staff"]
    until = today + timedelta(days=14)
    assert pause_reminders(staff, staff, until, f"  {LEAVE}  ", source=Source.WEB) is True
    db.session.commit()
    assert (staff.paused_until, staff.pause_reason) == (until, LEAVE)
    assert pause_of(staff, today) == pause_of(staff, until) == until and pause_of(staff, until + timedelta(1)) is None
    (event,) = person_events()
    assert event.actor_id == staff.id and event.object_id == staff.id and event.object_type == "User"
    assert event.before == {"paused_until": None, "pause_reason": None, "reminders_by_line": True}
    assert event.after == {"paused_until": until.isoformat(), "pause_reason": LEAVE, "reminders_by_line": True}
    # The trail reads it in Thai, the day in the Buddhist Era.
    changes = {c.field: c.after for c in describe(event.before, event.after)}
    assert changes == {"paused_until": "25 มี.ค. 2569", "pause_reason": LEAVE}

    assert pause_reminders(staff, staff, until, LEAVE, source=Source.LINE) is False  # sent twice
    assert len(person_events()) == 1

    assert pause_reminders(staff, staff, None, None, source=Source.WEB) is True  # resume now: the reason goes too
    db.session.commit()
    assert (staff.paused_until, staff.pause_reason) == (None, None) and pause_of(staff, today) is None
    assert pause_reminders(staff, staff, None, "อะไรก็ได้", source=Source.WEB) is False  # not paused: nothing to do
    assert len(person_events()) == 2 and person_events()[1].after["paused_until"] is None


def test_a_pause_is_from_today_to_the_organizations_longest(seeded, today):
    staff = seeded.users["clerk-staff"]
    seeded.org.longest_pause_days = 30
    assert pause_bounds(seeded.org, today) == (today, today + timedelta(days=30))
    for refused in (today - timedelta(days=1), today + timedelta(days=31)):
        with pytest.raises(DomainError) as error:
            pause_reminders(staff, staff, refused, LEAVE, source=Source.WEB)
        assert error.value.message == "พักการแจ้งเตือนได้ถึงวันที่ 11 มี.ค. 2569 - 10 เม.ย. 2569 (ไม่เกิน 30 วัน)"
    assert pause_reminders(staff, staff, today, LEAVE, source=Source.WEB) is True  # today only
    assert pause_reminders(staff, staff, today + timedelta(days=30), LEAVE, source=Source.WEB) is True
    assert len(person_events()) == 2


@pytest.mark.parametrize("reason, message", [
    (None, "ต้องระบุเหตุผลที่พักการแจ้งเตือน"),
    ("   ", "ต้องระบุเหตุผลที่พักการแจ้งเตือน"),
    ("ลา" * 1001, "เหตุผลที่พักการแจ้งเตือนยาวเกิน 2000 ตัวอักษร"),
])
def test_a_pause_needs_its_reason(seeded, today, reason, message):
    staff = seeded.users["clerk-staff"]
    with pytest.raises(DomainError) as refused:
        pause_reminders(staff, staff, today + timedelta(days=3), reason, source=Source.WEB)
    assert refused.value.message == message
    assert staff.paused_until is None and person_events() == []


def test_the_admin_pauses_someone_of_their_organization(seeded, today):
    admin, staff = seeded.users["admin"], seeded.users["finance-staff"]
    assert pause_reminders(staff, admin, today + timedelta(days=5), "ไปอบรมที่จังหวัด", source=Source.WEB)
    assert pause_reminders(staff, admin, None, None, source=Source.WEB)
    assert [e.actor_id for e in person_events()] == [admin.id, admin.id]


@pytest.mark.parametrize("actor, person", [
    ("clerk-head", "clerk-staff"),  # a head, not of their colleague's reminders
    ("finance-head", "clerk-head"),
    ("clerk-staff", "finance-staff"),
    ("mayor", "clerk-staff"),
    ("clerk-staff", "admin"),
])
def test_no_one_else_pauses_a_person(seeded, today, actor, person):
    someone = seeded.users[person]
    with pytest.raises(Refused):
        pause_reminders(someone, seeded.users[actor], today + timedelta(days=2), LEAVE, source=Source.WEB)
    with pytest.raises(Refused):
        set_reminders_by_line(someone, seeded.users[actor], False, source=Source.WEB)
    with pytest.raises(Refused):
        set_quiet_days(someone, seeded.users[actor], [4], source=Source.WEB)
    assert someone.paused_until is None and someone.reminders_by_line is True and someone.quiet_days is None
    assert person_events() == []


def test_another_organizations_admin_is_refused(seeded, today):
    other_org, *_ = other_organization()
    other_admin = make_user(other_org, "other-admin", Role.ADMIN)
    db.session.commit()
    staff = seeded.users["clerk-staff"]
    with pytest.raises(Refused):
        pause_reminders(staff, other_admin, today + timedelta(days=2), LEAVE, source=Source.WEB)
    with pytest.raises(Refused):
        set_reminders_by_line(staff, other_admin, False, source=Source.WEB)
    with pytest.raises(Refused):
        set_quiet_days(staff, other_admin, [4], source=Source.WEB)
    assert staff.quiet_days is None and person_events() == []


def test_an_account_switched_off_pauses_nothing(seeded, today):
    staff = seeded.users["clerk-staff"]
    staff.active = False
    with pytest.raises(Refused):
        pause_reminders(staff, staff, today, LEAVE, source=Source.WEB)


# --- LINE or none ----------------------------------------------------------------------------------------------------


def test_a_person_takes_no_reminders_over_line_and_back(seeded):
    staff, admin = seeded.users["clerk-staff"], seeded.users["admin"]
    assert set_reminders_by_line(staff, staff, False, source=Source.WEB) is True
    assert set_reminders_by_line(staff, staff, False, source=Source.WEB) is False  # sent twice
    db.session.commit()
    assert staff.reminders_by_line is False
    (event,) = person_events()
    assert (event.before["reminders_by_line"], event.after["reminders_by_line"]) == (True, False)
    assert set_reminders_by_line(staff, admin, True, source=Source.WEB) is True  # the admin, for them
    db.session.commit()
    assert staff.reminders_by_line is True and len(person_events()) == 2


# --- quiet days ------------------------------------------------------------------------------------------------------


def stored_quiet_days(person: User) -> tuple[bool, list[int] | None]:
    """Whether the column is SQL NULL (never JSON null, never []: the sweep's partial index), and what it holds."""
    db.session.flush()
    is_null = db.session.scalar(select(User.quiet_days.is_(None)).where(User.id == person.id))
    return bool(is_null), person.quiet_days


def test_a_person_keeps_weekdays_quiet_once_with_audit_and_clears_them(seeded):
    staff = seeded.users["clerk-staff"]
    assert set_quiet_days(staff, staff, [4, 0, 4], source=Source.WEB) is True  # a day twice is that day
    db.session.commit()
    assert stored_quiet_days(staff) == (False, [0, 4])
    (event,) = person_events()
    assert (event.actor_id, event.object_type, event.object_id) == (staff.id, "User", staff.id)
    assert (event.before, event.after) == ({"quiet_days": None}, {"quiet_days": [0, 4]})
    # The trail names the days.
    assert [(c.label, c.before, c.after) for c in describe(event.before, event.after)] == [
        ("วันงดรับการแจ้งเตือน", "—", "จันทร์, ศุกร์")]

    assert set_quiet_days(staff, staff, (0, 4), source=Source.WEB) is False  # sent twice
    assert set_quiet_days(staff, staff, [4, 0], source=Source.LINE) is False  # in any order
    assert len(person_events()) == 1

    assert set_quiet_days(staff, staff, [], source=Source.WEB) is True  # none: NULL
    db.session.commit()
    assert stored_quiet_days(staff) == (True, None)
    assert set_quiet_days(staff, staff, [], source=Source.WEB) is False
    assert [(e.before, e.after) for e in person_events()][1] == ({"quiet_days": [0, 4]}, {"quiet_days": None})
    assert len(person_events()) == 2


@pytest.mark.parametrize("weekdays", [[5], [6], [-1], [0, 7], [True], ["4"], [4.0]])
def test_quiet_days_are_monday_to_friday(seeded, weekdays):
    staff = seeded.users["clerk-staff"]
    with pytest.raises(DomainError) as refused:
        set_quiet_days(staff, staff, weekdays, source=Source.WEB)
    assert refused.value.message == ("“วันงดรับการแจ้งเตือน” เลือกได้เฉพาะวันจันทร์ถึงวันศุกร์"
                                     " (วันเสาร์และวันอาทิตย์ไม่มีการแจ้งเตือนอยู่แล้ว)")
    assert refused.value.status == 400 and staff.quiet_days is None and person_events() == []


def test_no_more_quiet_days_than_the_organization_allows(seeded):
    staff = seeded.users["clerk-staff"]
    assert seeded.org.most_quiet_days == 2
    with pytest.raises(DomainError) as refused:
        set_quiet_days(staff, staff, [0, 2, 4], source=Source.WEB)
    assert refused.value.message == ("เลือกวันงดรับการแจ้งเตือนได้ไม่เกิน 2 วันต่อสัปดาห์"
                                     " (ผู้ดูแลระบบของหน่วยงานเป็นผู้กำหนดจำนวนนี้)")
    assert staff.quiet_days is None and person_events() == []
    assert set_quiet_days(staff, staff, [0, 4], source=Source.WEB) is True

    # The administrator lowers the limit: the days kept stay (sent again: nothing to refuse), a change must fit it.
    escalate(seeded, most_quiet=1)
    assert set_quiet_days(staff, staff, [4, 0], source=Source.WEB) is False
    with pytest.raises(DomainError) as refused:
        set_quiet_days(staff, staff, [1, 4], source=Source.WEB)
    assert "ได้ไม่เกิน 1 วันต่อสัปดาห์" in refused.value.message
    assert set_quiet_days(staff, staff, [4], source=Source.WEB) is True
    assert staff.quiet_days == [4] and len(person_events()) == 2


def test_an_organization_may_let_nobody_keep_quiet_days(seeded):
    staff = seeded.users["clerk-staff"]
    escalate(seeded, most_quiet=0)
    with pytest.raises(DomainError) as refused:
        set_quiet_days(staff, staff, [4], source=Source.WEB)
    assert refused.value.message == ("หน่วยงานนี้ไม่เปิดให้เลือกวันงดรับการแจ้งเตือน"
                                     " (ผู้ดูแลระบบของหน่วยงานเป็นผู้กำหนดจำนวนนี้)")
    assert set_quiet_days(staff, staff, [], source=Source.WEB) is False  # none is always allowed
    staff.quiet_days = [1]  # kept from before the limit went to 0: they may still clear them
    assert set_quiet_days(staff, staff, [], source=Source.WEB) is True and staff.quiet_days is None
    assert len(person_events()) == 1


def test_the_admin_sets_someones_quiet_days(seeded):
    admin, staff = seeded.users["admin"], seeded.users["finance-staff"]
    assert set_quiet_days(staff, admin, [2], source=Source.WEB) is True
    db.session.commit()
    (event,) = person_events()
    assert (event.actor_id, event.object_id, event.after) == (admin.id, staff.id, {"quiet_days": [2]})
    assert staff.quiet_days == [2]
