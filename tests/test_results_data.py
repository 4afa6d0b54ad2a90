"""What a results report needs, kept as data: a measure's percent, result and problems; evidence reviewed by a head
and published only once accepted; the OIT items of each assessment year, set by the administrator; and the
migration that brings existing databases there."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from tracker import create_app, evidence, measures, oit
from tracker.access import Refused
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.models import Evidence, EvidenceReview, FiscalYear, OitPurpose, Source
from tracker.plans.build import ensure_fiscal_year
from tracker.progress import measure_percent
from tracker.tasks import add_evidence, tick_off

from .conftest import app_settings, close_database
from .factories import events, login, post_form, post_progress, seed_organization
from .test_query_plans import captured, full_scans

TODAY = date(2026, 3, 11)  # fiscal year 2569, for the tests that ask for `on_day`


# --- a measure's percent -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("done, total, override, expected", [
    (0, 0, None, 0),  # no tasks: nothing to count
    (0, 4, None, 0),
    (1, 3, None, 33),
    (2, 3, None, 67),
    (1, 8, None, 13),  # 12.5 rounds up, as a reader expects (round() would give 12)
    (3, 8, None, 38),  # 37.5
    (1, 200, None, 1),  # 0.5
    (4, 4, None, 100),
    (1, 4, 60, 60),  # a head's override wins
    (4, 4, 0, 0),  # even a zero one
    (0, 0, 75, 75),
])
def test_a_measures_percent_is_its_tasks_done_unless_overridden(done, total, override, expected):
    percent = measure_percent(done, total, override, "เหตุผล" if override is not None else None)
    assert percent.value == expected and percent.overridden is (override is not None)
    assert percent.reason == ("เหตุผล" if override is not None else None)


def _report(measure, user, **given):
    values = {"progress_override": None, "progress_reason": None, "result": None, "problems": None, **given}
    return measures.report(measure, user, source=Source.WEB, **values)


# --- a measure's report: who, what is checked, the trail ----------------------------------------------------------


@pytest.mark.parametrize("username, measure_index, allowed", [
    ("clerk-head", 1, True),  # the clerk's division is the measure's only one
    ("finance-head", 1, False),  # another division's measure
    ("finance-head", 0, True),  # the first measure names all five divisions
    ("clerk-staff", 1, False),
    ("mayor", 1, False),  # reads, never writes
    ("admin", 1, True),
])
def test_who_may_report_on_a_measure(seeded, username, measure_index, allowed):
    measure = seeded.plan.measures[measure_index]
    if allowed:
        assert _report(measure, seeded.users[username], result="จัดทำประกาศและเผยแพร่แล้ว")
        db.session.commit()
        assert measure.result == "จัดทำประกาศและเผยแพร่แล้ว"
        assert [e.actor.username for e in events("measure.report")] == [username]
    else:
        with pytest.raises(Refused):
            _report(measure, seeded.users[username], result="ไม่ควรบันทึก")
        db.session.rollback()
        assert measure.result is None and events("measure.report") == []


def test_a_report_is_checked_and_an_override_needs_its_reason(seeded):
    measure, head = seeded.plan.measures[1], seeded.users["clerk-head"]
    for override, field in [(101, "progress_override"), (-1, "progress_override"), (50, "progress_reason")]:
        with pytest.raises(measures.ReportError) as refused:
            _report(measure, head, progress_override=override, progress_reason="  ")
        assert refused.value.field == field and refused.value.message
    with pytest.raises(measures.ReportError) as refused:
        _report(measure, head, result="ก" * (measures.MAX_RESULT + 1))
    assert refused.value.field == "result" and "ยาวเกิน" in refused.value.message
    assert events("measure.report") == []

    assert _report(measure, head, progress_override=40, progress_reason="ขั้นตอนที่ 2 ทำไปครึ่งหนึ่ง",
                   result="ผล", problems="งบประมาณล่าช้า")
    shown = measures.percent_of(measure)
    assert (shown.value, shown.derived, shown.overridden, shown.reason) == (40, 0, True, "ขั้นตอนที่ 2 ทำไปครึ่งหนึ่ง")
    assert not _report(measure, head, progress_override=40, progress_reason="ขั้นตอนที่ 2 ทำไปครึ่งหนึ่ง",
                       result="ผล", problems="งบประมาณล่าช้า")  # nothing new: no second event
    # Back to the derived figure: the reason goes with the override.
    assert _report(measure, head, progress_reason="เหตุผลเดิม", result="ผล", problems="งบประมาณล่าช้า")
    assert measure.progress_override is None and measure.progress_reason is None
    first, second = events("measure.report")
    assert first.before["progress_override"] is None and first.after["progress_override"] == 40
    assert first.after["problems"] == "งบประมาณล่าช้า" and first.object_type == "Measure"
    assert second.before["progress_override"] == 40 and second.after["progress_reason"] is None


def test_the_derived_percent_follows_the_tasks_done(seeded):
    measure, head = seeded.plan.measures[1], seeded.users["clerk-head"]  # two tasks, both the clerk's
    tick_off(measure.tasks[0], head, source=Source.WEB)
    db.session.commit()
    assert measures.percent_of(measure).value == 50


def test_a_head_reports_on_the_measure_page_and_the_mayor_reads_it(client, seeded):
    measure = seeded.plan.measures[1]
    url = f"/measures/{measure.id}"
    login(client, "clerk-head")
    page = client.get(url).get_data(as_text=True)
    assert "รายงานผลการดำเนินการ" in page and "บันทึกผลการดำเนินการ" in page

    refused = post_form(client, f"{url}/report", {"progress_override": "70", "result": "จัดอบรมแล้ว"},
                        token_from=url)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    # The message is under the reason's box, and what was typed is still there.
    assert 'class="error" role="alert">ต้องระบุเหตุผลที่กำหนดร้อยละเอง' in text and "จัดอบรมแล้ว</textarea>" in text
    assert db.session.get(type(measure), measure.id).progress_override is None

    saved = post_form(client, f"{url}/report", {"progress_override": "70", "progress_reason": "อบรมไป 1 ใน 2 รุ่น",
                                                "result": "จัดอบรมแล้ว 1 รุ่น", "problems": "ผู้เข้าอบรมน้อย"},
                      token_from=url)
    assert saved.status_code == 302
    assert "70%" in client.get(url).get_data(as_text=True)

    login(client, "mayor")
    page = client.get(url).get_data(as_text=True)
    assert "จัดอบรมแล้ว 1 รุ่น" in page and "ผู้เข้าอบรมน้อย" in page and "อบรมไป 1 ใน 2 รุ่น" in page
    assert "บันทึกผลการดำเนินการ" not in page  # no form: the mayor reads
    assert post_form(client, f"{url}/report", {"result": "แก้โดยนายก"}, token_from=url).status_code == 403


# --- evidence: reviewed by the head, public only once accepted ----------------------------------------------------


def _staff_evidence(seeded, url="https://bangkrabue.go.th/ita/o26") -> Evidence:
    task = seeded.tasks_of(seeded.clerk)[0]
    item = add_evidence(task, seeded.users["clerk-staff"], source=Source.WEB, url=url)
    db.session.commit()
    return item


def test_staff_evidence_waits_for_the_head_and_a_heads_own_is_accepted(seeded):
    item = _staff_evidence(seeded)
    assert item.review is EvidenceReview.PENDING and item.reviewed_by is None and item.public is False
    own = add_evidence(item.task, seeded.users["clerk-head"], source=Source.WEB, url="https://bangkrabue.go.th/x")
    db.session.commit()
    assert own.review is EvidenceReview.ACCEPTED and own.reviewed_by == seeded.users["clerk-head"]
    assert own.public is False  # accepted is not public: publishing is its own decision
    assert events("task.evidence")[-1].after["review"] == "accepted"


def test_review_and_publish_rules(seeded):
    item, head = _staff_evidence(seeded), seeded.users["clerk-head"]
    with pytest.raises(DomainError, match="เผยแพร่ได้เฉพาะหลักฐานที่ตรวจแล้ว"):
        evidence.publish(item, head, True, source=Source.WEB)  # pending: not yet
    with pytest.raises(DomainError, match="ต้องระบุเหตุผลที่ต้องแก้ไข"):
        evidence.review(item, head, False, "  ", source=Source.WEB)
    assert item.review is EvidenceReview.PENDING

    assert evidence.review(item, head, True, None, source=Source.WEB)
    assert evidence.publish(item, head, True, source=Source.WEB)
    db.session.commit()
    assert item.review is EvidenceReview.ACCEPTED and item.public is True and item.reviewed_by == head

    assert evidence.review(item, head, False, "ภาพถ่ายมีชื่อและที่อยู่ของประชาชน", source=Source.WEB)
    db.session.commit()
    assert item.review is EvidenceReview.NEEDS_WORK and item.public is False  # sent back: off the public pages
    assert item.review_reason == "ภาพถ่ายมีชื่อและที่อยู่ของประชาชน"
    with pytest.raises(DomainError):
        evidence.publish(item, head, True, source=Source.WEB)

    reviews, publishes = events("evidence.review"), events("evidence.publish")
    assert [e.after["review"] for e in reviews] == ["accepted", "needs_work"]
    assert reviews[-1].before["public"] is True and reviews[-1].after["public"] is False
    assert [e.after["public"] for e in publishes] == [True]
    assert {e.object_type for e in reviews + publishes} == {"Task"}  # the task's history shows them


@pytest.mark.parametrize("username", ["clerk-staff", "finance-head", "mayor"])
def test_only_the_divisions_head_or_the_admin_review_evidence(seeded, username):
    item = _staff_evidence(seeded)
    with pytest.raises(Refused):
        evidence.review(item, seeded.users[username], True, None, source=Source.WEB)
    with pytest.raises(Refused):
        evidence.publish(item, seeded.users[username], True, source=Source.WEB)
    assert evidence.review(item, seeded.users["admin"], True, None, source=Source.WEB)


def test_the_staff_member_sees_why_their_evidence_needs_work(client, seeded):
    item = _staff_evidence(seeded)
    task = item.task
    key = f"review-{item.id}"
    login(client, "clerk-head")
    missing = post_form(client, f"/evidence/{item.id}/review", {f"{key}-needs_work": "ต้องแก้ไข"},
                        token_from=f"/tasks/{task.id}")
    assert missing.status_code == 400
    assert 'role="alert">ต้องระบุเหตุผลที่ต้องแก้ไข' in missing.get_data(as_text=True)
    sent_back = post_form(client, f"/evidence/{item.id}/review",
                          {f"{key}-needs_work": "ต้องแก้ไข", f"{key}-reason": "ลิงก์เปิดไม่ได้ ขอไฟล์ PDF ของประกาศ"},
                          token_from=f"/tasks/{task.id}")
    assert sent_back.status_code == 302

    login(client, "clerk-staff")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "หลักฐานต้องแก้ไข" in page and "ลิงก์เปิดไม่ได้ ขอไฟล์ PDF ของประกาศ" in page
    assert "ตรวจหลักฐานนี้" not in page  # the staff member cannot review
    mine = client.get("/tasks").get_data(as_text=True)
    assert mine.count("หลักฐานต้องแก้ไข") == 1

    # Answered with new evidence: the task is no longer marked, the head looks at the new piece.
    assert post_progress(client, task, status="doing", url="https://bangkrabue.go.th/ita/o26.pdf").status_code == 302
    assert "หลักฐานต้องแก้ไข" not in client.get("/tasks").get_data(as_text=True)
    assert "หลักฐานต้องแก้ไข" not in client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_a_head_publishes_accepted_evidence_from_the_task_page(client, seeded):
    item = _staff_evidence(seeded)
    task_url = f"/tasks/{item.task.id}"
    login(client, "clerk-head")
    assert post_form(client, f"/evidence/{item.id}/publish", {"public": "1"}, token_from=task_url).status_code == 400
    assert post_form(client, f"/evidence/{item.id}/review", {f"review-{item.id}-accept": "ผ่าน"},
                     token_from=task_url).status_code == 302
    page = client.get(task_url).get_data(as_text=True)
    assert "เผยแพร่สาธารณะ" in page and '<span class="badge accepted">ผ่าน</span>' in page
    assert post_form(client, f"/evidence/{item.id}/publish", {"public": "1"}, token_from=task_url).status_code == 302
    db.session.expire_all()
    assert item.public is True
    login(client, "clerk-staff")
    assert post_form(client, f"/evidence/{item.id}/publish", {"public": "0"}, token_from=task_url).status_code == 403
    db.session.expire_all()
    assert item.public is True


def test_needing_work_for_lists_each_persons_unanswered_evidence_in_one_indexed_query(seeded):
    staff, head = seeded.users["clerk-staff"], seeded.users["clerk-head"]
    first, second, third = seeded.tasks_of(seeded.clerk)[:3]
    sent_back = add_evidence(first, staff, source=Source.WEB, url="https://example.go.th/1")
    answered = add_evidence(second, staff, source=Source.WEB, url="https://example.go.th/2")
    accepted = add_evidence(third, staff, source=Source.WEB, url="https://example.go.th/3")
    evidence.review(sent_back, head, False, "ไม่ใช่ประกาศฉบับจริง", source=Source.WEB)
    evidence.review(answered, head, False, "ไม่ชัด", source=Source.WEB)
    evidence.review(accepted, head, True, None, source=Source.WEB)
    add_evidence(second, staff, source=Source.WEB, url="https://example.go.th/2-ใหม่")
    db.session.commit()

    people = [staff.id, head.id, seeded.users["finance-staff"].id]  # read before: the commit expired them
    with captured() as statements:
        found = evidence.needing_work_for(people)
    assert found == {staff.id: [evidence.NeedsWork(first.id, first.step_text, "ไม่ใช่ประกาศฉบับจริง")]}
    assert len(statements) == 1 and full_scans(statements) == []
    assert evidence.needing_work_for([]) == {}
    assert evidence.tasks_needing_work([first.id, second.id, third.id]) == {first.id}


# --- the OIT items of each assessment year --------------------------------------------------------------------------


def test_a_new_fiscal_year_gets_the_known_items_and_an_unknown_year_none(app):
    year_2569, year_2568 = ensure_fiscal_year(2569), ensure_fiscal_year(2568)
    assert oit.oit_item(year_2569, OitPurpose.PLAN).code == "O25"
    results = oit.oit_item(year_2569, OitPurpose.RESULTS)
    assert results.code == "O26" and results.name.startswith("การดำเนินการตามมาตรการ")
    assert oit.oit_item(year_2568, OitPurpose.PLAN) is None and year_2568.oit_items == []


@pytest.mark.parametrize("typed, stored", [("O26", "O26"), ("o 27", "O27"), ("O-043", "O43"), ("O๒๖", "O26")])
def test_codes_are_read_as_the_assessment_writes_them(typed, stored):
    assert oit.clean_code(typed) == stored


@pytest.mark.parametrize("typed", ["26", "OIT", "X26", "O1234"])
def test_a_code_that_is_not_an_item_is_refused(typed):
    with pytest.raises(DomainError, match="O26"):
        oit.clean_code(typed)


def test_the_deployment_admin_sets_a_years_items_on_the_admin_page(client, seeded, on_day):
    seeded.users["admin"].is_deployment_admin = True  # the items are every agency's (tests/test_oit_items.py)
    db.session.commit()
    login(client, "admin")
    page = client.get("/admin/oit-items").get_data(as_text=True)
    assert "ปีงบประมาณ 2569" in page and 'value="O26"' in page and "ข้อ OIT ของแต่ละปี" in page
    assert "ปีงบประมาณ 2570" in page  # next year's numbering can be set before its plan exists

    refused = post_form(client, "/admin/oit-items/2569", {"y2569-plan_code": "O25", "y2569-results_code": "O25"})
    assert refused.status_code == 400 and "แผนและรายงานผลเป็นคนละข้อ" in refused.get_data(as_text=True)

    saved = post_form(client, "/admin/oit-items/2570", {"y2570-plan_code": "o 30", "y2570-results_code": "O31",
                                                        "y2570-results_name": "รายงานผลการดำเนินการตามมาตรการ"})
    assert saved.status_code == 302
    year_2570 = db.session.scalar(select(FiscalYear).where(FiscalYear.year_be == 2570))
    assert oit.oit_item(year_2570, OitPurpose.PLAN).code == "O30"
    assert oit.oit_item(year_2570, OitPurpose.PLAN).name == "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
    assert oit.oit_item(year_2570, OitPurpose.RESULTS).name == "รายงานผลการดำเนินการตามมาตรการ"
    assert [e.after["code"] for e in events("oit_item.update")] == ["O30", "O31"]
    assert events("oit_item.update")[0].actor == seeded.users["admin"]

    # An empty code: the year has no such item.
    assert post_form(client, "/admin/oit-items/2570", {"y2570-plan_code": "O30"}).status_code == 302
    db.session.expire_all()
    assert oit.oit_item(year_2570, OitPurpose.RESULTS) is None
    assert events("oit_item.update")[-1].before["code"] == "O31" and events("oit_item.update")[-1].after is None


def test_only_the_deployment_admin_sets_oit_items(client, seeded):
    login(client, "clerk-head")
    assert client.get("/admin/oit-items").status_code == 403
    for username in ("mayor", "admin"):  # an agency's admin too: the items are every agency's
        with pytest.raises(Refused):
            oit.set_oit_item(seeded.plan.fiscal_year, seeded.users[username], OitPurpose.RESULTS, "O99", None,
                             source=Source.WEB)


# --- the migration ------------------------------------------------------------------------------------------------


def _migrate_back_and_forth(url: str, seed_path) -> None:
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade()
        seeded = seed_organization(seed_path)
        head = seeded.users["clerk-head"]
        item = add_evidence(seeded.tasks_of(seeded.clerk)[0], head, source=Source.CLI, url="https://example.go.th/1")
        evidence.publish(item, head, True, source=Source.CLI)
        db.session.commit()
        close_database()

        downgrade(revision="0008")
        with db.engine.begin() as connection:
            # The plan's year, and the year of the assessment the seed report gives (none known for 2568).
            assert connection.execute(sa.text("SELECT year_be, plan_oit_item FROM fiscal_year ORDER BY 1")).all() == [
                (2568, None), (2569, "O25")]
            assert "oit_item" not in sa.inspect(connection).get_table_names()
            # As an older release left them: an item an operator changed, and one more year.
            connection.execute(sa.text("UPDATE fiscal_year SET plan_oit_item = 'O24' WHERE year_be = 2569"))
            connection.execute(sa.text("INSERT INTO fiscal_year (year_be, start, \"end\", plan_oit_item) VALUES "
                                       "(2566, '2022-10-01', '2023-09-30', 'O42')"))
        db.engine.dispose()

        upgrade()
        with db.engine.connect() as connection:
            items = connection.execute(sa.text(
                "SELECT fiscal_year.year_be, oit_item.purpose, oit_item.code FROM oit_item "
                "JOIN fiscal_year ON fiscal_year.id = oit_item.fiscal_year_id ORDER BY 1, 2")).all()
            assert items == [(2566, "plan", "O42"), (2566, "results", "O43"),
                             (2569, "plan", "O24"), (2569, "results", "O26")]
            # Accepted and public before the downgrade; back up again, it is as every existing row: looked at again.
            (url_, review, public), = connection.execute(sa.text("SELECT url, review, public FROM evidence")).all()
            assert (url_, review, bool(public)) == ("https://example.go.th/1", "pending", False)
        close_database()


def test_the_migration_keeps_the_plan_items_and_leaves_old_evidence_private_sqlite(tmp_path, seed_path):
    _migrate_back_and_forth(f"sqlite:///{tmp_path / 'old.sqlite3'}", seed_path)


def test_the_migration_keeps_the_plan_items_and_leaves_old_evidence_private_postgresql(postgres_database, seed_path):
    _migrate_back_and_forth(postgres_database, seed_path)
