"""Reminders as the administrator and the operator see them: the CLI, the admin page, per-task lead times."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Notification, NotificationStatus

from .factories import count, events, login, post_form
from .fake_line import FakeLine


def test_dry_run_prints_who_gets_what_and_writes_nothing(runner, seeded, ladder_off):
    result = runner.invoke(args=["reminders", "--on", "2026-03-17", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "17 มี.ค. 2569: 0 ข้อความถึงผู้ที่เชื่อม LINE (ถ้าทุกคนเชื่อม: 2)" in result.output
    assert "--- ถึง เจ้าหน้าที่สำนักปลัด (เจ้าหน้าที่)  [ยังไม่เชื่อม LINE: จะไม่ได้รับ]" in result.output
    assert "ครบกำหนด 31 มี.ค. 2569" in result.output
    assert count(Notification) == 0


def test_on_a_day_writes_the_outbox_once(runner, linked, ladder_off):
    first = runner.invoke(args=["reminders", "--on", "2026-03-17"])
    again = runner.invoke(args=["reminders", "--on", "2026-03-17"])
    assert "เพิ่ม 2 ข้อความ" in first.output and "เพิ่ม 0 ข้อความ" in again.output
    assert count(Notification) == 2


def test_a_future_day_swept_now_waits_for_that_day(runner, linked, on_day, ladder_off):
    on_day(date(2026, 3, 16))
    swept = runner.invoke(args=["reminders", "--on", "2026-03-17"])
    assert swept.exit_code == 0, swept.output
    assert "เพิ่ม 2 ข้อความ" in swept.output and "(the messages wait for their day, 2026-03-17" in swept.output
    early = runner.invoke(args=["deliver"])
    assert early.exit_code == 0 and "ส่งแล้ว 0, รอส่งใหม่ 0, ล้มเหลว 0" in early.output
    db.session.expire_all()
    rows = db.session.scalars(select(Notification)).all()
    assert [(r.status, r.attempts) for r in rows] == [(NotificationStatus.PENDING, 0)] * 2

    on_day(date(2026, 3, 17))
    assert "ส่งแล้ว 2" in runner.invoke(args=["deliver"]).output


def test_todays_sweep_says_to_deliver(runner, linked, on_day):
    on_day(date(2026, 3, 17))
    result = runner.invoke(args=["reminders", "--on", "2026-03-17"])
    assert "ส่งด้วย `tracker deliver`" in result.output and "wait for their day" not in result.output


def test_month_counts_messages_per_day(runner, linked):
    result = runner.invoke(args=["reminders", "--month", "2026-03"])
    assert result.exit_code == 0, result.output
    # Mondays: weekly digests of the 2 heads and the mayor; 17, 24, 27, 30 and 31 March: the 31 March due dates.
    assert "  17 มี.ค. 2569     2" in result.output
    assert "  27 มี.ค. 2569     2" in result.output  # the 3-day reminder of Tuesday 31: Saturday 28 -> Friday 27
    assert "  2 มี.ค. 2569     3" in result.output
    assert "มี.ค. 2569:" in result.output


def test_month_of_a_holiday_week_sends_nothing_on_holidays(runner, linked):
    result = runner.invoke(args=["reminders", "--month", "2026-04"])
    for holiday in ("13 เม.ย. 2569", "14 เม.ย. 2569", "15 เม.ย. 2569"):
        assert f"  {holiday} " not in result.output


def test_fiscal_year_forecast(runner, linked):
    result = runner.invoke(args=["reminders", "--month", "FY2569"])
    assert result.exit_code == 0
    assert result.output.count("ข้อความ (ถ้าทุกคนเชื่อม LINE") == 12


def test_admin_page_reads_the_quota_and_warns_before_it_runs_out(app, client, linked, on_day):
    on_day(date(2026, 3, 2))
    with FakeLine(quota=20, initial_usage=15) as fake:
        app.config.update(LINE_CHANNEL_ACCESS_TOKEN=fake.token, LINE_API_HOST=fake.url, LINE_TIMEOUT_SECONDS=2.0)
        login(client, "admin")
        page = client.get("/admin/reminders").get_data(as_text=True)
    assert "ใช้ไปแล้ว <strong>15</strong> จาก <strong>20</strong>" in page
    assert "คาดว่าจะเกินโควตา" in page
    assert fake.requests_to("/v2/bot/message/quota")


def test_admin_page_without_line_says_so(client, linked):
    login(client, "admin")
    page = client.get("/admin/reminders").get_data(as_text=True)
    assert "ยังไม่ได้ตั้งค่า LINE" in page


@pytest.mark.parametrize("role", ["mayor", "clerk-head", "clerk-staff"])
def test_only_the_admin_sets_the_policy(client, linked, role):
    login(client, role)
    assert client.get("/admin/reminders").status_code == 403
    assert post_form(client, "/admin/reminders", {"lead_times": "1", "overdue_every": 1}).status_code == 403


def test_admin_changes_the_policy_with_audit(client, linked):
    login(client, "admin")
    bad = post_form(client, "/admin/reminders", {"lead_times": "7, soon", "overdue_every": 3},
                    token_from="/admin/reminders")
    assert bad.status_code == 400 and "“soon”" in bad.get_data(as_text=True)
    post_form(client, "/admin/reminders", {"lead_times": "7 1 0 7", "overdue_every": 5}, token_from="/admin/reminders")
    db.session.expire_all()
    assert linked.org.reminder_days == [7, 1, 0] and linked.org.overdue_every == 5
    assert events("settings.reminders")


def test_head_sets_one_tasks_lead_times(client, linked):
    task = linked.tasks_of(linked.clerk)[0]
    login(client, "clerk-head")
    post_form(client, f"/tasks/{task.id}/reminders", {"lead_times": "3, 0"}, token_from=f"/tasks/{task.id}")
    db.session.expire_all()
    assert task.reminder_days == [3, 0]
    post_form(client, f"/tasks/{task.id}/reminders", {"lead_times": ""}, token_from=f"/tasks/{task.id}")
    db.session.expire_all()
    assert task.reminder_days is None
    login(client, "clerk-staff")
    assert post_form(client, f"/tasks/{task.id}/reminders", {"lead_times": "1"}).status_code == 403


def test_admin_sets_the_line_account(client, linked):
    login(client, "admin")
    bad = post_form(client, "/admin/reminders/line-account", {"basic_id": "no-at", "bot_user_id": ""},
                    token_from="/admin/reminders")
    assert bad.status_code == 400
    post_form(client, "/admin/reminders/line-account", {"basic_id": "@itabkb", "bot_user_id": "U" + "0" * 32},
              token_from="/admin/reminders")
    db.session.expire_all()
    assert (linked.org.line_basic_id, linked.org.line_bot_user_id) == ("@itabkb", "U" + "0" * 32)
    login(client, "mayor")
    assert post_form(client, "/admin/reminders/line-account", {"basic_id": "@x"}).status_code == 403


def month_line(output: str, month: str) -> tuple[int, dict[str, int]]:
    """A month's line of `tracker reminders --month`: its messages were everyone linked, and its figures by kind."""
    from tracker.labels import MESSAGE_KIND

    (line,) = [line for line in output.splitlines() if line.startswith(month + ":")]
    everyone = int(line.split("ถ้าทุกคนเชื่อม LINE: ")[1].split(")")[0])
    by_kind = {kind: int(line.split(f"{name} ")[1].split()[0]) for kind, name in MESSAGE_KIND.items()}
    return everyone, by_kind


def test_the_month_by_kind_adds_up_and_work_left_undone_escalates(runner, linked):
    kept = runner.invoke(args=["reminders", "--month", "2026-03"])
    as_is = runner.invoke(args=["reminders", "--month", "2026-03", "--as-is"])
    assert kept.exit_code == as_is.exit_code == 0, as_is.output
    everyone, by_kind = month_line(kept.output, "มี.ค. 2569")
    assert sum(by_kind.values()) == everyone and by_kind["escalations"] == 0  # a kept plan never climbs
    everyone, by_kind = month_line(as_is.output, "มี.ค. 2569")
    # The seed's tasks left overdue since the winter reach their heads (on days they hear of nothing else)
    assert sum(by_kind.values()) == everyone and by_kind["escalations"] > 0, as_is.output


def test_admin_page_shows_the_month_by_kind_as_the_forecast_counts_it(client, linked, on_day):
    from tracker.labels import MESSAGE_KIND
    from tracker.reminders import forecast

    on_day(date(2026, 3, 2))
    login(client, "admin")
    page = client.get("/admin/reminders").get_data(as_text=True)
    kept = forecast.by_kind(forecast.forecast(linked.org, date(2026, 3, 1), date(2026, 3, 31)), if_all_linked=True)
    as_is = forecast.by_kind(forecast.forecast(linked.org, date(2026, 3, 1), date(2026, 3, 31),
                                               assume_done_on_time=False), if_all_linked=True)
    for kind, name in MESSAGE_KIND.items():
        assert (f'<th scope="row">{name}</th><td class="num">{kept[kind]}</td>\n'
                f'        <td class="num">{as_is[kind]}</td>') in page
    assert as_is["escalations"] > 0 and f"<strong>{sum(as_is.values())}</strong>" in page
