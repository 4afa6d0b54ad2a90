"""Delivery and forecast costs, measured against the fake LINE server on 127.0.0.1 (never the real API).

    .venv/bin/python benchmarks/delivery.py [messages]

Prints per-message costs and the push-per-message ratio with 0% and with 30% 500s + 10% timeouts, and the cost of
forecasting a fiscal year for the seed plan with an office of 50.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tests.fake_line import FakeLine  # noqa: E402
from tracker import clock, create_app, demo  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.line.channel import channel_from_config  # noqa: E402
from tracker.models import Notification, Organization, Role, User  # noqa: E402
from tracker.reminders import forecast, outbox  # noqa: E402
from tracker.thai import fiscal_year_bounds  # noqa: E402


def fresh_app(folder: Path, **settings):
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench", **settings})
    with app.app_context():
        upgrade()
    return app


def deliver(count: int, fail_rate: float, hang_rate: float) -> None:
    with tempfile.TemporaryDirectory() as folder, FakeLine(quota=None) as fake:
        app = fresh_app(Path(folder), LINE_CHANNEL_ACCESS_TOKEN=fake.token, LINE_API_HOST=fake.url,
                        LINE_TIMEOUT_SECONDS="0.2", OUTBOX_RETRY_BASE_SECONDS=0)
        with app.app_context():
            org = Organization(name="bench")
            db.session.add(org)
            db.session.flush()
            for i in range(count):
                user = User(organization=org, username=f"u{i}", display_name=f"u{i}", role=Role.STAFF,
                            line_user_id=f"U{i:032d}")
                db.session.add(Notification(organization_id=org.id, address=f"user:{i}", recipient=user,
                                            kind="digest", for_date=clock.today(), text=f"m{i}"))
            db.session.commit()
            fake.set_faults(fail_rate=fail_rate, hang_rate=hang_rate, hang_seconds=0.5)
            started = time.perf_counter()
            result = outbox.deliver(channel_from_config())
            elapsed = time.perf_counter() - started
            pushes = len(fake.requests_to("/v2/bot/message/push"))
            print(f"deliver {count} messages, {fail_rate:.0%} 500s, {hang_rate:.0%} timeouts: "
                  f"{1000 * elapsed / count:.1f} ms per message, {pushes / count:.2f} pushes per message, "
                  f"sent {result.sent}, duplicates {sum(n - 1 for n in fake.deliveries_by_key().values())}")
            db.engine.dispose()


def forecast_year() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(Path(folder))
        with app.app_context():
            built = demo.build(staff=50, as_published=True)
            db.session.commit()
            start, end = fiscal_year_bounds(2569)
            started = time.perf_counter()
            counts = forecast.forecast(built.organization, start, end)
            elapsed = time.perf_counter() - started
            tasks = sum(len(m.tasks) for m in built.plan.measures)
            print(f"forecast FY2569 ({len(counts)} days, {tasks} tasks, {len(built.users)} people): "
                  f"{1000 * elapsed / len(counts):.2f} ms per day, "
                  f"{sum(c.if_all_linked for c in counts)} messages in the year if everyone is linked")
            db.engine.dispose()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    deliver(count, 0.0, 0.0)
    deliver(count, 0.3, 0.1)
    forecast_year()
