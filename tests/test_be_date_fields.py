"""Every date field people type in, through the real routes: the due date, a day off, the audit trail's filters.

Each reads and shows the Buddhist Era (forms.BEDateField, thai.parse_be_date) and refuses, with a Thai reason that
says which calendar is expected, a common-era year, one out of range, a day that does not exist and junk.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.forms import DayOffForm, RescheduleForm
from tracker.models import AuditEvent, DayOff

from .factories import count, events, login, post_form

TODAY = date(2026, 3, 11)  # the settings page lists the days off of 2569 and 2570


def due_field(page: str) -> str:
    match = re.search(r'<input[^>]*name="due_date"[^>]*>', page)
    assert match, "no due date field on the page"
    return match.group(0)


# --- the field itself ----------------------------------------------------------------------------------------------


def test_the_field_is_a_text_box_in_the_buddhist_era(app):
    with app.test_request_context():
        form = RescheduleForm(due_date=date(2026, 3, 31))
        html = str(form.due_date(**{"aria-describedby": "mine"}))
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="31/03/2569"' in html
    assert 'inputmode="decimal"' in html and 'autocomplete="off"' in html and "data-be-date" in html
    assert 'aria-describedby="mine due_date-format"' in html  # the page's own hint and the format, both read out
    assert '<span class="hint be-date-format" id="due_date-format">วัน/เดือน/ปี พ.ศ. เช่น 31/03/2569</span>' in html


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "ต้องระบุวันที่ (วัน/เดือน/ปี พ.ศ. เช่น 31/03/2569)"),
        ("  ", "ต้องระบุวันที่"),
        ("21/7/2026", "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569"),
        ("21/7/3026", "อยู่นอกช่วงที่รับได้"),
        ("31/2/2569", "ไม่มีวันที่ 31 กุมภาพันธ์ 2569"),
        ("พรุ่งนี้", "อ่านวันที่ “พรุ่งนี้” ไม่ได้"),
    ],
)
def test_the_field_refuses_with_one_reason(app, typed, message):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(method="POST"):
        form = DayOffForm(formdata=MultiDict({"day_off-day": typed, "day_off-name": "x"}), meta={"csrf": False})
        assert not form.validate()
        assert len(form.day.errors) == 1 and message in form.day.errors[0]
        assert form.day.data is None
        assert f'value="{typed}"' in str(form.day())  # shown as typed, to be corrected


# --- the due date --------------------------------------------------------------------------------------------------


def test_the_task_page_shows_the_due_date_in_the_buddhist_era(client, seeded):
    task = seeded.tasks_of(seeded.clerk)[0]  # due 31 March 2026
    login(client, "clerk-head")
    field = due_field(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert 'value="31/03/2569"' in field and 'type="text"' in field


@pytest.mark.parametrize("typed", ["30/4/2569", "30/04/2569", "30-4-2569", "30 เม.ย. 2569", "30 เมษายน 2569",
                                   "๓๐/๔/๒๕๖๙", "30/4/69"])
def test_a_head_moves_a_due_date_typed_in_the_buddhist_era(client, seeded, typed):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    response = post_form(client, f"/tasks/{task.id}/due", {"due_date": typed, "reason": "รองบประมาณ"})
    assert response.status_code == 302
    db.session.expire_all()
    assert task.due_date == date(2026, 4, 30)
    event = events("task.reschedule")[-1]
    assert (event.before["due_date"], event.after["due_date"]) == ("2026-03-31", "2026-04-30")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "30 เมษายน 2569" in page and 'value="30/04/2569"' in due_field(page)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("30/4/2026", "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569"),
        ("2026-04-30", "ปี 2026 เป็น ค.ศ."),
        ("30/4/2800", "อยู่นอกช่วงที่รับได้"),
        ("31/4/2569", "ไม่มีวันที่ 31 เมษายน 2569"),
        ("4/30/2569", "ไม่มีเดือนที่ 30"),
        ("ปลายเดือน", "อ่านวันที่ “ปลายเดือน” ไม่ได้"),
        ("", "ต้องระบุวันครบกำหนดใหม่"),
    ],
)
def test_a_due_date_that_cannot_be_read_is_refused_with_the_reason(client, seeded, typed, message):
    task = seeded.tasks_of(seeded.clerk)[0]
    login(client, "clerk-head")
    before = count(AuditEvent)
    response = post_form(client, f"/tasks/{task.id}/due", {"due_date": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert f'value="{typed}"' in due_field(page)  # what was typed, to correct
    db.session.expire_all()
    assert task.due_date == date(2026, 3, 31) and count(AuditEvent) == before


# --- days off ------------------------------------------------------------------------------------------------------


def test_a_day_off_typed_in_2569_is_stored_in_2026_listed_and_removable(client, seeded, on_day):
    login(client, "admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="day_off-day"' in page and 'type="date"' not in page and "วัน/เดือน/ปี พ.ศ." in page

    response = post_form(client, "/admin/days-off", {"day_off-day": "21/7/2569", "day_off-name": "งานแห่เทียนพรรษา"})
    assert response.status_code == 302
    day_off = db.session.scalar(select(DayOff).where(DayOff.name == "งานแห่เทียนพรรษา"))
    assert day_off.day == date(2026, 7, 21)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "เพิ่มวันหยุด “งานแห่เทียนพรรษา” วันที่ 21 กรกฎาคม 2569 แล้ว" in page
    listed = page[page.index("พ.ศ. 2569"):page.index("พ.ศ. 2570")]
    assert "<strong>21 กรกฎาคม 2569</strong> งานแห่เทียนพรรษา" in listed

    assert post_form(client, f"/admin/days-off/{day_off.id}/remove").status_code == 302
    assert db.session.get(DayOff, day_off.id) is None


@pytest.mark.parametrize(
    "typed, message",
    [
        ("21/7/2026", "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569"),
        ("2026-07-21", "ปี 2026 เป็น ค.ศ."),
        ("21/7/1569", "ปี 1569 อยู่นอกช่วงที่รับได้"),
        ("30/2/2569", "ไม่มีวันที่ 30 กุมภาพันธ์ 2569"),
        ("วันพระ", "อ่านวันที่ “วันพระ” ไม่ได้"),
        ("", "ต้องระบุวันที่"),
    ],
)
def test_a_day_off_that_cannot_be_read_is_refused_with_the_reason(client, seeded, on_day, typed, message):
    login(client, "admin")
    response = post_form(client, "/admin/days-off", {"day_off-day": typed, "day_off-name": "วันหยุดท้องถิ่น"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and f'value="{typed}"' in page
    assert count(DayOff) == 0 and not events("day_off.add")


def test_a_day_off_stored_in_a_wrong_year_is_listed_and_can_be_removed(client, seeded, on_day):
    """Before dates were read in the BE, "21/07/2569" was stored as the year 2569 CE: it must not be out of reach."""
    wrong = DayOff(organization_id=seeded.org.id, day=date(2569, 7, 21), name="วันหยุดที่ปีผิด")
    last_year = DayOff(organization_id=seeded.org.id, day=date(2024, 5, 1), name="วันหยุดปีก่อน")
    db.session.add_all([wrong, last_year])
    db.session.commit()
    login(client, "admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    others = page[page.index("วันหยุดของปีอื่น (2 วัน)"):]
    assert "วันหยุดที่ปีผิด" in others and "วันหยุดปีก่อน" in others
    assert f'action="/admin/days-off/{wrong.id}/remove"' in others
    assert post_form(client, f"/admin/days-off/{wrong.id}/remove").status_code == 302
    assert db.session.get(DayOff, wrong.id) is None
    page = client.get("/admin/settings").get_data(as_text=True)
    assert page.count("วันหยุดที่ปีผิด") == 1 and "ลบวันหยุด “วันหยุดที่ปีผิด” แล้ว" in page  # said, no longer listed
    assert "วันหยุดของปีอื่น (1 วัน)" in page


# --- the audit trail's filters -------------------------------------------------------------------------------------


@pytest.fixture
def dated(seeded):
    """An event at 00:30 on 2 January 2569 in Bangkok."""
    event = AuditEvent(organization_id=seeded.org.id, actor_id=seeded.users["admin"].id, action="task.comment",
                       object_type="Division", object_id=seeded.clerk.id, after={"text": "ความเห็น"},
                       at=datetime(2026, 1, 1, 17, 30, tzinfo=UTC))
    db.session.add(event)
    db.session.commit()
    return event


def found(client, **args) -> tuple[int, str]:
    response = client.get("/audit", query_string={"action": "task.comment", **args})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return int(re.search(r"พบ (\d+) รายการ", page).group(1)), page


def filter_value(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}" value="([^"]*)"', page).group(1)


@pytest.mark.parametrize("typed", ["2/1/2569", "02/01/2569", "2 ม.ค. 2569", "2 มกราคม 69", "๒/๑/๒๕๖๙"])
def test_the_audit_filters_read_the_buddhist_era_and_show_what_was_typed(client, seeded, dated, typed):
    login(client, "admin")
    number, page = found(client, date_from=typed, date_to=typed)
    assert number == 1
    assert filter_value(page, "date_from") == typed and filter_value(page, "date_to") == typed
    assert 'type="date"' not in page and "วัน/เดือน/ปี พ.ศ." in page
    assert found(client, date_from="3/1/2569")[0] == 0
    assert found(client, date_to="1/1/2569")[0] == 0


def test_an_old_bookmark_with_iso_days_still_filters_and_shows_them_in_the_buddhist_era(client, seeded, dated):
    login(client, "admin")
    number, page = found(client, date_from="2026-01-02", date_to="2026-01-02")
    assert number == 1
    assert filter_value(page, "date_from") == "02/01/2569" and "role=\"alert\"" not in page
    assert found(client, date_from="2026-01-03")[0] == 0


@pytest.mark.parametrize(
    "typed, message",
    [
        ("2/1/2026", "ปี 2026 เป็น ค.ศ. — กรอกปี พ.ศ. เช่น 2569"),
        ("31/2/2569", "ไม่มีวันที่ 31 กุมภาพันธ์ 2569"),
        ("1/1/9999", "ปี 9999 อยู่นอกช่วงที่รับได้"),
        ("เมื่อวาน", "อ่านวันที่ “เมื่อวาน” ไม่ได้"),
        ("2026-02-30", "ปี 2026 เป็น ค.ศ."),
    ],
)
def test_an_audit_filter_that_cannot_be_read_says_why_and_is_not_used(client, seeded, dated, typed, message):
    login(client, "admin")
    number, page = found(client, date_from=typed)
    assert number == 1  # not used: nothing filtered out
    assert f"ตั้งแต่วันที่ “{typed}”: {message}" in page and "ไม่ได้ใช้กรอง" in page
    assert filter_value(page, "date_from") == typed
