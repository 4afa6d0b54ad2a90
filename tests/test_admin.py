"""The administrator's pages: people, divisions, settings and days off; and who may use them."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tracker import divisions, organization, people
from tracker.clock import today
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.models import AuditEvent, DayOff, Organization, Role, Source, User

from .factories import (
    PASSWORD,
    count,
    division_named,
    events,
    login,
    other_organization,
    post_form,
    signed_in,
    user_named,
)

NEW_PASSWORD = "another-horse-77"


def new_user_form(seeded, **overrides) -> dict:
    form = {"username": "somchai.k", "display_name": "สมชาย ใจดี", "role": "staff",
            "division": str(seeded.finance.id), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    form.update(overrides)
    return form


# --- people ----------------------------------------------------------------------------------------------------------


def test_admin_creates_a_staff_member_who_then_signs_in(app, client, seeded):
    login(client, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "เจ้าหน้าที่สำนักปลัด" in page and "เพิ่มผู้ใช้" in page and 'for="username"' in page

    response = post_form(client, "/admin/users", new_user_form(seeded, username="  Somchai.K "))
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")
    user = user_named("somchai.k")
    assert user.role is Role.STAFF and user.division_id == seeded.finance.id and user.active
    assert user.organization_id == seeded.org.id and user.check_password(NEW_PASSWORD)
    event = events("user.create")[-1]
    assert event.actor_id == seeded.users["admin"].id and event.object_id == user.id
    assert event.after["username"] == "somchai.k" and "password_hash" not in event.after
    assert NEW_PASSWORD not in str(event.after)
    assert "สมชาย ใจดี" in client.get("/admin/users").get_data(as_text=True)

    newcomer = app.test_client()
    assert login(newcomer, "somchai.k", NEW_PASSWORD).headers["Location"] == "/"
    assert newcomer.get("/tasks").status_code == 200


def test_users_list_shows_role_division_active_and_line(client, seeded):
    seeded.users["clerk-head"].line_user_id = "U" + "1" * 32
    seeded.users["finance-staff"].active = False
    db.session.commit()
    login(client, "admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "หัวหน้ากอง" in page and "กองคลัง" in page
    assert "เชื่อมแล้ว" in page and "ยังไม่เชื่อม" in page and "ปิดใช้งาน" in page


@pytest.mark.parametrize("username", ["clerk-staff", "CLERK-STAFF", "Admin"])
def test_a_taken_username_is_refused_whatever_its_case(client, seeded, username):
    login(client, "admin")
    before = count(User)
    response = post_form(client, "/admin/users", new_user_form(seeded, username=username))
    assert response.status_code == 400
    assert "มีผู้ใช้แล้ว" in response.get_data(as_text=True)
    assert count(User) == before
    assert not events("user.create")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "ab"}, "ชื่อผู้ใช้ต้องยาว"),
        ({"username": "สมชาย"}, "ชื่อผู้ใช้ต้องยาว"),
        ({"username": "som chai"}, "ชื่อผู้ใช้ต้องยาว"),
        ({"role": "head", "division": ""}, "ต้องสังกัดกอง"),
        ({"role": "staff", "division": ""}, "ต้องสังกัดกอง"),
        ({"password": "short", "confirm": "short"}, "อย่างน้อย 8"),
        ({"confirm": "mistyped-password"}, "ไม่ตรงกัน"),
    ],
)
def test_a_new_user_is_checked(client, seeded, overrides, message):
    login(client, "admin")
    response = post_form(client, "/admin/users", new_user_form(seeded, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user_named("somchai.k") is None and not events("user.create")


def test_admin_and_executive_need_no_division(client, seeded):
    login(client, "admin")
    form = new_user_form(seeded, username="deputy", role="executive", division="")
    response = post_form(client, "/admin/users", form)
    assert response.status_code == 302
    deputy = user_named("deputy")
    assert deputy.role is Role.EXECUTIVE and deputy.division_id is None


def test_a_deactivated_user_cannot_sign_in_and_their_open_session_ends(app, client, seeded):
    staff = signed_in(app, "clerk-staff")
    assert staff.get("/tasks").status_code == 200
    person = seeded.users["clerk-staff"]

    login(client, "admin")
    response = post_form(client, f"/admin/users/{person.id}", {
        "display_name": person.display_name, "role": "staff", "division": str(seeded.clerk.id),
    })  # "active" left unticked
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.active is False
    event = events("user.update")[-1]
    assert event.before["active"] is True and event.after["active"] is False
    assert "password_hash" not in event.before and "password_hash" not in event.after

    gone = staff.get("/tasks")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    again = app.test_client()
    assert login(again, "clerk-staff").status_code == 401


def test_admin_edits_role_and_division(client, seeded):
    person = seeded.users["finance-staff"]
    login(client, "admin")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert person.display_name in page and "ตั้งรหัสผ่านใหม่" in page and 'for="active"' in page
    response = post_form(client, f"/admin/users/{person.id}", {
        "display_name": "หัวหน้าคลังคนใหม่", "role": "head", "division": str(seeded.finance.id), "active": "y",
    })
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.role, person.display_name, person.active) == (Role.HEAD, "หัวหน้าคลังคนใหม่", True)
    event = events("user.update")[-1]
    assert (event.before["role"], event.after["role"]) == ("staff", "head")


def test_an_unchanged_user_writes_no_audit_event(app, seeded):
    person = seeded.users["clerk-staff"]
    changed = people.update_user(person, seeded.users["admin"], person.display_name, person.role,
                                 person.division, True, source=Source.WEB)
    assert changed is False and not events("user.update")


@pytest.mark.parametrize(
    "change", [{"role": "admin"}, {"role": "executive", "active": "y"}, {"role": "admin", "division": ""}]
)
def test_an_admin_cannot_deactivate_or_demote_themself(client, seeded, change):
    admin = seeded.users["admin"]
    login(client, "admin")
    data = {"display_name": admin.display_name, "division": "", **change}
    response = post_form(client, f"/admin/users/{admin.id}", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "ของตนเอง" in page and "ผู้ดูแลระบบคนอื่น" in page
    db.session.refresh(admin)
    assert admin.active and admin.role is Role.ADMIN and not events("user.update")
    assert client.get("/admin/users").status_code == 200  # still signed in, still an administrator


def test_admin_resets_a_password(app, client, seeded):
    person = seeded.users["clerk-staff"]
    login(client, "admin")
    refused = post_form(client, f"/admin/users/{person.id}/password", {"new": "short", "confirm": "short"})
    assert refused.status_code == 400 and "อย่างน้อย 8" in refused.get_data(as_text=True)

    response = post_form(client, f"/admin/users/{person.id}/password", {"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    event = events("user.password")[-1]
    assert event.actor_id == seeded.users["admin"].id and event.object_id == person.id
    assert event.after == {"changed": True, "reset_by_admin": True} and event.before is None
    assert login(app.test_client(), "clerk-staff", PASSWORD).status_code == 401
    assert login(app.test_client(), "clerk-staff", NEW_PASSWORD).status_code == 302


# --- divisions -------------------------------------------------------------------------------------------------------


def test_division_list_shows_task_counts(client, seeded):
    login(client, "admin")
    page = client.get("/admin/divisions").get_data(as_text=True)
    assert "สำนักปลัดเทศบาล" in page and "0/8" in page and "0/2" in page


def test_admin_creates_and_renames_a_division_with_audit(client, seeded):
    login(client, "admin")
    response = post_form(client, "/admin/divisions", {
        "name": " กองสวัสดิการสังคม ", "aliases": "ส่วนสวัสดิการสังคม\nกองสวัสดิการ, ส่วนสวัสดิการสังคม\n",
    })
    assert response.status_code == 302
    division = division_named("กองสวัสดิการสังคม")
    assert division.organization_id == seeded.org.id
    assert (division.short_name, division.name_en) == ("สวัสดิการ", "Social Welfare Division")  # from the catalogue
    assert division.aliases == ["ส่วนสวัสดิการสังคม", "กองสวัสดิการ"]
    created = events("division.create")[-1]
    assert created.object_id == division.id and created.after["name"] == "กองสวัสดิการสังคม"
    assert created.actor_id == seeded.users["admin"].id and created.organization_id == seeded.org.id

    response = post_form(client, f"/admin/divisions/{division.id}", {
        "name": "กองสวัสดิการสังคมและพัฒนาชุมชน", "short_name": "สวัสดิการ", "name_en": "Social Welfare Division",
        "aliases": "กองสวัสดิการ",
    })
    assert response.status_code == 302
    db.session.refresh(division)
    assert division.name == "กองสวัสดิการสังคมและพัฒนาชุมชน" and division.aliases == ["กองสวัสดิการ"]
    renamed = events("division.update")[-1]
    assert (renamed.before["name"], renamed.after["name"]) == ("กองสวัสดิการสังคม", "กองสวัสดิการสังคมและพัฒนาชุมชน")
    assert renamed.before["aliases"] == ["ส่วนสวัสดิการสังคม", "กองสวัสดิการ"]
    assert renamed.after["aliases"] == ["กองสวัสดิการ"]
    assert "กองสวัสดิการสังคมและพัฒนาชุมชน" in client.get("/admin/divisions").get_data(as_text=True)


@pytest.mark.parametrize("name", ["กองคลัง", "กอง คลัง", "กองคลัง.", "  สำนักปลัดเทศบาล", "สำนักปลัด",
                                  "กองสาธารณสุขและสิ่งแวดล้อม"])
def test_a_division_name_already_used_is_refused(client, seeded, name):
    login(client, "admin")
    response = post_form(client, "/admin/divisions", {"name": name})
    assert response.status_code == 400 and "อยู่แล้ว" in response.get_data(as_text=True)
    assert not [e for e in events("division.create") if e.actor_id is not None]


def test_renaming_a_division_onto_another_is_refused(client, seeded):
    login(client, "admin")
    response = post_form(client, f"/admin/divisions/{seeded.finance.id}", {"name": "สำนักปลัดเทศบาล"})
    assert response.status_code == 400 and "อยู่แล้ว" in response.get_data(as_text=True)
    db.session.refresh(seeded.finance)
    assert seeded.finance.name == "กองคลัง" and not events("division.update")


def test_a_division_keeps_its_own_name_when_edited(client, seeded):
    login(client, "admin")
    page = client.get(f"/admin/divisions/{seeded.clerk.id}").get_data(as_text=True)
    assert "เจ้าหน้าที่สำนักปลัด" in page  # its people are listed
    response = post_form(client, f"/admin/divisions/{seeded.clerk.id}", {"name": "สำนักปลัดเทศบาล", "short_name": "สป."})
    assert response.status_code == 302
    db.session.refresh(seeded.clerk)
    assert seeded.clerk.short_name == "สป."


def test_a_division_name_may_repeat_in_another_organization(app, seeded):
    other_org, other_division, other_head, _ = other_organization()
    db.session.add(User(organization=other_org, username="other-admin", display_name="ผู้ดูแลอื่น", role=Role.ADMIN))
    db.session.commit()
    other_admin = user_named("other-admin")
    division = divisions.create_division(other_org, other_admin, "สำนักปลัดเทศบาล", source=Source.WEB)
    assert division.organization_id == other_org.id


# --- settings and days off ---------------------------------------------------------------------------------------


def test_admin_changes_the_settings_with_audit(client, seeded):
    login(client, "admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert seeded.org.name in page and "95.00" in page
    response = post_form(client, "/admin/settings", {
        "name": seeded.org.name, "kind": "เทศบาลตำบล", "district": "บางบัวทอง", "province": "นนทบุรี",
        "indicator_target": "90.5",
    })
    assert response.status_code == 302
    org = db.session.get(Organization, seeded.org.id)
    db.session.refresh(org)
    assert org.indicator_target == 90.5 and org.province == "นนทบุรี"
    event = events("settings.update")[-1]
    assert event.organization_id == org.id and event.object_type == "Organization"
    assert event.before["indicator_target"] == 95.0 and event.after["indicator_target"] == 90.5
    assert event.after["province"] == "นนทบุรี"


@pytest.mark.parametrize("target", ["150", "-1", "abc", "", "NaN", "Infinity", "1e3"])
def test_a_target_outside_0_to_100_is_refused(client, seeded, target):
    login(client, "admin")
    response = post_form(client, "/admin/settings", {"name": seeded.org.name, "indicator_target": target})
    assert response.status_code == 400
    assert not events("settings.update")


@pytest.mark.parametrize("target", [100.01, -0.5, float("nan"), "x"])
def test_the_domain_refuses_a_target_outside_0_to_100(app, seeded, target):
    with pytest.raises(DomainError, match="เป้าหมาย"):
        organization.update_settings(seeded.org, seeded.users["admin"], seeded.org.name, None, None, None, target,
                                     source=Source.WEB)


def test_an_organization_name_already_used_is_refused(app, seeded):
    other_org, *_ = other_organization()
    with pytest.raises(DomainError, match="อยู่แล้ว"):
        organization.update_settings(seeded.org, seeded.users["admin"], other_org.name, None, None, None, 95,
                                     source=Source.WEB)


def test_days_off_are_added_and_removed_on_the_settings_page(client, seeded):
    year = today().year
    login(client, "admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "วันสงกรานต์" in page  # the public holidays the calendar already knows are shown
    assert f"พ.ศ. {year + 543}" in page and f"พ.ศ. {year + 544}" in page

    day = date(year + 1, 7, 21)
    typed = f"21/7/{year + 544}"  # in the Buddhist Era, as every date people type
    response = post_form(client, "/admin/days-off", {"day_off-day": typed, "day_off-name": "งานแห่เทียนพรรษา"})
    assert response.status_code == 302
    page = client.get("/admin/settings").get_data(as_text=True)
    assert f"<strong>{day.day} กรกฎาคม {year + 544}</strong> งานแห่เทียนพรรษา" in page
    day_off = db.session.scalar(select(DayOff).where(DayOff.name == "งานแห่เทียนพรรษา"))
    assert day_off.day == day and day_off.organization_id == seeded.org.id
    assert events("day_off.add")[-1].after["name"] == "งานแห่เทียนพรรษา"

    twice = post_form(client, "/admin/days-off", {"day_off-day": f"21 ก.ค. {year + 544}", "day_off-name": "ซ้ำ"})
    assert twice.status_code == 400 and "มีวันหยุดวันที่นี้อยู่แล้ว" in twice.get_data(as_text=True)

    response = post_form(client, f"/admin/days-off/{day_off.id}/remove")
    assert response.status_code == 302
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "ลบวันหยุด “งานแห่เทียนพรรษา” แล้ว" in page  # said once, and no longer listed
    assert page.count("งานแห่เทียนพรรษา") == 1
    assert db.session.get(DayOff, day_off.id) is None
    assert events("day_off.remove")[-1].before["name"] == "งานแห่เทียนพรรษา"


# --- who may ---------------------------------------------------------------------------------------------------------


ADMIN_PAGES = ["/admin/users", "/admin/users/{user}", "/admin/divisions", "/admin/divisions/{division}",
               "/admin/settings", "/admin/oit-items"]
POST_ROUTES = ["/admin/users", "/admin/users/{user}", "/admin/users/{user}/password", "/admin/divisions",
               "/admin/divisions/{division}", "/admin/settings", "/admin/days-off", "/admin/days-off/{day_off}/remove",
               "/admin/oit-items/2569"]


def _ids(seeded) -> dict[str, int]:
    day_off = DayOff(organization_id=seeded.org.id, day=date(2026, 7, 21), name="วันหยุดท้องถิ่น")
    db.session.add(day_off)
    db.session.commit()
    return {"user": seeded.users["clerk-staff"].id, "division": seeded.finance.id, "day_off": day_off.id}


@pytest.mark.parametrize("username", ["mayor", "clerk-head", "clerk-staff"])
def test_only_an_admin_may_open_the_admin_pages(client, seeded, username):
    ids = _ids(seeded)
    login(client, username)
    for url in ADMIN_PAGES:
        assert client.get(url.format(**ids)).status_code == 403, url


@pytest.mark.parametrize("username", ["mayor", "clerk-head", "clerk-staff"])
def test_every_admin_post_is_forbidden_to_other_roles(client, seeded, username):
    ids = _ids(seeded)
    login(client, username)
    valid = {"name": "กองใหม่", "display_name": "x", "role": "staff", "division": str(seeded.clerk.id),
             "active": "y", "new": NEW_PASSWORD, "confirm": NEW_PASSWORD, "indicator_target": "10",
             "day_off-day": "03/08/2569", "day_off-name": "x", "username": "intruder", "password": NEW_PASSWORD,
             "y2569-plan_code": "O99"}
    for url in POST_ROUTES:
        assert post_form(client, url.format(**ids), valid).status_code == 403, url
    assert user_named("intruder") is None
    assert db.session.get(DayOff, ids["day_off"]) is not None
    assert not db.session.scalars(select(AuditEvent).where(AuditEvent.action != "user.sign_in",
                                                           AuditEvent.actor_id.is_not(None))).all()


def test_another_organizations_rows_are_not_found(client, seeded):
    other_org, other_division, other_head, _ = other_organization()
    other_day = DayOff(organization_id=other_org.id, day=date(2026, 7, 21), name="วันหยุดของหน่วยงานอื่น")
    db.session.add(other_day)
    db.session.commit()
    ids = {"user": other_head.id, "division": other_division.id, "day_off": other_day.id}
    login(client, "admin")
    for url in ["/admin/users/{user}", "/admin/divisions/{division}"]:
        assert client.get(url.format(**ids)).status_code == 404, url
    data = {"display_name": "ยึดบัญชี", "role": "admin", "division": "", "active": "y", "name": "กองยึด",
            "new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for url in [u for u in POST_ROUTES if "{" in u]:
        assert post_form(client, url.format(**ids), data).status_code == 404, url
    db.session.refresh(other_head)
    assert other_head.display_name == "other-head" and other_head.role is Role.HEAD
    assert other_head.check_password(PASSWORD)
    assert db.session.get(DayOff, other_day.id) is not None
    page = client.get("/admin/users").get_data(as_text=True)
    assert "other-head" not in page
    assert "เทศบาลตำบลอื่น" not in client.get("/admin/divisions").get_data(as_text=True)


def test_a_division_of_another_organization_cannot_be_chosen(client, seeded):
    _, other_division, _, _ = other_organization()
    login(client, "admin")
    response = post_form(client, "/admin/users", new_user_form(seeded, division=str(other_division.id)))
    assert response.status_code == 400 and user_named("somchai.k") is None
    with pytest.raises(DomainError):
        people.create_user(seeded.org, seeded.users["admin"], "somchai.k", "สมชาย", Role.STAFF, other_division,
                           NEW_PASSWORD, source=Source.WEB)


def test_every_admin_post_needs_a_csrf_token(client, seeded):
    ids = _ids(seeded)
    login(client, "admin")
    for url in POST_ROUTES:
        assert post_form(client, url.format(**ids), {"name": "x"}, token=False).status_code == 400, url
    assert db.session.get(DayOff, ids["day_off"]) is not None


def test_admin_pages_need_sign_in(client, seeded):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_pages_have_no_inline_style_or_script(client, seeded):
    ids = _ids(seeded)
    login(client, "admin")
    for url in ADMIN_PAGES:
        page = client.get(url.format(**ids)).get_data(as_text=True)
        assert "style=" not in page and "onclick" not in page, url
        scripts = re.findall(r"<script[^>]*>", page)
        assert scripts and all(re.fullmatch(r'<script src="/static/[^"]+" defer>', tag) for tag in scripts), url
