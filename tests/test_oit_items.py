"""The OIT items of each year are the deployment's, every agency's at once: an agency's admin reads them, only the
deployment's administrator changes them, and every agency's audit trail shows the change (issue 17, item 2)."""
from __future__ import annotations

from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from tracker import create_app, oit
from tracker.extensions import db
from tracker.ita import OIT_NAMES
from tracker.models import AuditEvent, FiscalYear, OitPurpose, Role, Source, User

from .conftest import app_settings, close_database
from .factories import count, events, login, logout, make_user, other_organization, post_form, seed_organization
from .test_documents import docx_text, normal

TODAY = date(2026, 4, 20)  # after the 6-month round of 2569, whose report the public page offers
RESULTS_NAME = OIT_NAMES[OitPurpose.RESULTS.value]
RENUMBERED = {"y2569-plan_code": "O99", "y2569-results_code": "O98", "y2569-results_name": "ชื่ออื่นของข้อรายงานผล"}


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _published(client, org_id: int) -> tuple[str, str]:
    """What anyone reads of an agency's 2569 plan: its public page, and the text of its 6-month report in Word."""
    page = client.get(f"/o/{org_id}/2569")
    report = client.get(f"/o/{org_id}/2569/report-6m.docx")
    assert page.status_code == 200 and report.status_code == 200
    return _text(page), normal(docx_text(report.data))


@pytest.fixture
def agency_2(seeded):
    """A second agency of the deployment, with an administrator of its own."""
    org, _, _, _ = other_organization()
    make_user(org, "other-admin", Role.ADMIN, display_name="ผู้ดูแลระบบของหน่วยงานที่สอง")
    db.session.commit()
    return org


def test_another_agencys_admin_cannot_renumber_an_agencys_items(client, seeded, agency_2, on_day):
    """The issue: agency 2's admin set 2569's (2570's) items to O99/O98 with another name, and agency 1's public page
    anchors and the name its Word report prints changed, with nothing in agency 1's trail."""
    page, report = _published(client, seeded.org.id)
    assert 'id="O25"' in page and 'id="O26"' in page
    # 2569's O26 shows the 2568 plan's results (its data: plan_year_offset -1), named on the page; the 2569 plan's own
    # report answers the next assessment's item, which no one has set yet.
    assert f"O26 {RESULTS_NAME} ปีงบประมาณ พ.ศ. 2568" in page and "O26" not in report

    login(client, "other-admin")
    shown = client.get("/admin/oit-items")
    assert shown.status_code == 200  # read-only: the numbering its own page and reports use
    text = _text(shown)
    assert "เปลี่ยนได้เฉพาะผู้ดูแลระบบของทั้งระบบ" in text
    assert "<strong>O26</strong>" in text and RESULTS_NAME in text
    assert "/admin/oit-items/2569" not in text and "<input" not in text.split("<h1>", 1)[1]
    for year in (2569, 2570):
        refused = post_form(client, f"/admin/oit-items/{year}", {k.replace("2569", str(year)): v
                                                                for k, v in RENUMBERED.items()})
        assert refused.status_code == 403, year
        assert "ผู้ดูแลระบบของทั้งระบบ" in _text(refused)  # the refusal says who may
    logout(client)

    db.session.expire_all()
    assert db.session.scalar(select(FiscalYear).where(FiscalYear.year_be == 2570)) is None  # not even created
    assert events("oit_item.update") == []
    page, report = _published(client, seeded.org.id)
    assert 'id="O25"' in page and 'id="O26"' in page and "O99" not in page and "O98" not in page
    assert f"O26 {RESULTS_NAME}" in page and "O98" not in report


def test_the_deployment_admin_renumbers_every_agencys_items_and_every_trail_says_so(client, seeded, agency_2,
                                                                                     on_day):
    operator = make_user(agency_2, "operator", Role.ADMIN, display_name="ผู้ดูแลระบบจังหวัด", is_deployment_admin=True)
    db.session.commit()
    _published(client, seeded.org.id)  # kept between requests: the change must reach the kept page too

    login(client, "operator")
    form = _text(client.get("/admin/oit-items"))
    assert 'action="/admin/oit-items/2569"' in form and "เปลี่ยนได้เฉพาะผู้ดูแลระบบของทั้งระบบ" not in form
    assert post_form(client, "/admin/oit-items/2569", RENUMBERED).status_code == 302
    logout(client)

    page, report = _published(client, seeded.org.id)  # agency 1's, though the operator is agency 2's
    assert 'id="O99"' in page and 'id="O98"' in page and 'id="O26"' not in page
    assert "O98 ชื่ออื่นของข้อรายงานผล ปีงบประมาณ พ.ศ. 2568" in page

    changes = events("oit_item.update")
    assert [e.after["code"] for e in changes] == ["O99", "O98"]
    assert all(e.organization_id is None and e.actor_id == operator.id and e.source is Source.WEB for e in changes)
    for username in ("admin", "other-admin"):  # each agency's trail shows who renumbered its items
        login(client, username)
        trail = _text(client.get("/audit", query_string={"action": "oit_item.update"}))
        assert "พบ 2 รายการ" in trail and "ผู้ดูแลระบบจังหวัด" in trail, username
        assert "ข้อ OIT O98 ปีงบประมาณ 2569" in trail and "<del>O26</del> → <ins>O98</ins>" in trail
        logout(client)


def test_an_agencys_admin_cannot_take_over_a_deployment_admins_account(client, seeded):
    operator = make_user(seeded.org, "operator", Role.ADMIN, is_deployment_admin=True)
    db.session.commit()
    before = operator.password_hash
    login(client, "admin")
    listed = _text(client.get("/admin/users"))  # listed, said to be the deployment's, not linked to a page refused
    assert "operator · ผู้ดูแลระบบของทั้งระบบ" in listed and f'href="/admin/users/{operator.id}"' not in listed
    assert client.get(f"/admin/users/{operator.id}").status_code == 403
    reset = post_form(client, f"/admin/users/{operator.id}/password", {"new": "a-new-password-42",
                                                                        "confirm": "a-new-password-42"})
    assert reset.status_code == 403
    demoted = post_form(client, f"/admin/users/{operator.id}", {"display_name": "x", "role": "staff",
                                                                "division": str(seeded.clerk.id)})
    assert demoted.status_code == 403
    db.session.expire_all()
    assert (operator.password_hash, operator.role, operator.active) == (before, Role.ADMIN, True)
    assert client.get(f"/admin/users/{seeded.users['clerk-staff'].id}").status_code == 200  # the others: as before


def test_only_the_command_line_names_the_deployment_admin(runner, client, seeded):
    assert runner.invoke(args=["users", "deployment-admin"]).output.startswith("ยังไม่มีผู้ดูแลระบบของทั้งระบบ")
    granted = runner.invoke(args=["users", "deployment-admin", "Admin"])
    assert granted.exit_code == 0, granted.output
    assert "เป็นผู้ดูแลระบบของทั้งระบบแล้ว" in granted.output
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    assert admin.is_deployment_admin
    (event,) = events("user.update")
    assert (event.actor_id, event.source, event.before["is_deployment_admin"], event.after["is_deployment_admin"]) \
        == (None, Source.CLI, False, True)
    assert "admin" in runner.invoke(args=["users", "deployment-admin"]).output
    again = runner.invoke(args=["users", "deployment-admin", "admin"])
    assert again.exit_code == 0 and "ไม่มีอะไรเปลี่ยนแปลง" in again.output and len(events("user.update")) == 1

    login(client, "admin")  # now it sets the items from the page
    assert post_form(client, "/admin/oit-items/2569", RENUMBERED).status_code == 302
    # No web form grants it: the admin's own edit page leaves it as it is.
    edited = post_form(client, f"/admin/users/{seeded.users['mayor'].id}", {
        "display_name": "นายก", "role": "executive", "division": "", "active": "y", "is_deployment_admin": "y"})
    assert edited.status_code == 302
    db.session.expire_all()
    assert not seeded.users["mayor"].is_deployment_admin

    revoked = runner.invoke(args=["users", "deployment-admin", "admin", "--revoke"])
    assert revoked.exit_code == 0 and "ไม่เป็นผู้ดูแลระบบของทั้งระบบแล้ว" in revoked.output
    db.session.expire_all()
    assert not admin.is_deployment_admin
    assert post_form(client, "/admin/oit-items/2569", RENUMBERED).status_code == 403

    unknown = runner.invoke(args=["users", "deployment-admin", "nobody-here"])
    assert unknown.exit_code == 1 and "ไม่พบผู้ใช้" in unknown.output
    assert runner.invoke(args=["users", "deployment-admin", "--revoke"]).exit_code == 2


# --- the migration ------------------------------------------------------------------------------------------------


def _migrate_back_and_forth(url: str, seed_path) -> None:
    app = create_app(app_settings(DATABASE_URL=url))
    with app.app_context():
        upgrade()
        seeded = seed_organization(seed_path)
        admin = seeded.users["admin"]
        admin.is_deployment_admin = True
        oit.set_oit_item(seeded.plan.fiscal_year, admin, OitPurpose.PLAN, "O30", None, source=Source.CLI)
        db.session.commit()
        org_id, admin_id = seeded.org.id, admin.id
        assert count(AuditEvent, AuditEvent.action == "oit_item.update", AuditEvent.organization_id.is_(None)) == 1
        close_database()

        oit_events = sa.text("SELECT organization_id FROM audit_event WHERE action = 'oit_item.update'")
        downgrade(revision="0010_next_fiscal_year")
        with db.engine.begin() as connection:
            # As an older release recorded them: in the organization of the one who made the change.
            assert connection.execute(oit_events).scalars().all() == [org_id]
            columns = {c["name"] for c in sa.inspect(connection).get_columns("user")}
            assert "is_deployment_admin" not in columns
        db.engine.dispose()

        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(oit_events).scalars().all() == [None]  # every agency's trail shows them
            flags = connection.execute(sa.text('SELECT id, is_deployment_admin FROM "user"')).all()
            assert not any(flag for _, flag in flags) and admin_id in {i for i, _ in flags}  # nobody until granted
        close_database()


def test_the_migration_moves_oit_changes_to_every_agencys_trail_sqlite(tmp_path, seed_path):
    _migrate_back_and_forth(f"sqlite:///{tmp_path / 'old.sqlite3'}", seed_path)


def test_the_migration_moves_oit_changes_to_every_agencys_trail_postgresql(postgres_database, seed_path):
    _migrate_back_and_forth(postgres_database, seed_path)
