"""Delivery and forecast costs, measured against the fake LINE server on 127.0.0.1 (never the real API).

    .venv/bin/python benchmarks/delivery.py [messages]
    .venv/bin/python benchmarks/delivery.py --database sqlite:///benchmarks/data/tasks-20000.sqlite3 \
        [--organizations 20] [--day heaviest|quiet|YYYY-MM-DD] [--repeat 3]

Without --database: prints per-message costs and the push-per-message ratio with 0% and with 30% 500s + 10%
timeouts, and the cost of forecasting a fiscal year for the seed plan with an office of 50 (a database of its own).

With --database (one made by benchmarks/generate.py): sweeps a day's reminders of the first N organizations into
the outbox (the real sweep; by default the heaviest day, found as benchmarks/sweep.py finds it), then delivers them
as jobs/work.deliver_pending does (organization by organization, each through its channel, here the fake LINE
server), with tracker.clock.today set to that day so that its rows are due; prints messages delivered per second and
pushes per message. The day's outbox rows of those organizations are removed before and after (--keep-rows keeps
them).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tests.fake_line import FakeLine  # noqa: E402
from tracker import clock, create_app, demo  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.line.channel import channel_for, channel_from_config  # noqa: E402
from tracker.models import Notification, Organization, Role, User  # noqa: E402
from tracker.reminders import forecast, outbox  # noqa: E402
from tracker.thai import fiscal_year_bounds  # noqa: E402


def absolute_sqlite(url: str) -> str:
    """A relative SQLite path made absolute from the current folder (Flask-SQLAlchemy would read it from the app's
    instance folder instead)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return f"sqlite:///{Path(url[len('sqlite:///'):]).resolve()}"
    return url


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


def deliver_generated(url: str, organizations: int, wanted_day: str, repeat: int, keep: bool,
                      fail_rate: float) -> None:
    """Sweep a day of the first organizations of a generated database, then deliver it to the fake LINE server."""
    from sqlalchemy import delete, func, select
    from sweep import SAMPLE, find_days  # benchmarks/sweep.py, beside this file

    from tracker.models import Task

    with FakeLine(quota=None) as fake:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-delivery", "LINE_CHANNEL_ACCESS_TOKEN": fake.token,
                          "LINE_API_HOST": fake.url, "LINE_TIMEOUT_SECONDS": "0.5", "OUTBOX_RETRY_BASE_SECONDS": 0})
        with app.app_context():
            tasks = db.session.scalar(select(func.count()).select_from(Task))
            ids = list(db.session.scalars(select(Organization.id).order_by(Organization.id)))
            chosen = ids[:organizations]
            if wanted_day in ("heaviest", "quiet"):
                sample = [ids[i * len(ids) // SAMPLE] for i in range(min(SAMPLE, len(ids)))]
                found = find_days(db.session.scalars(select(Organization).where(Organization.id.in_(sample))).all(),
                                  clock.today())
                day = found[2] if wanted_day == "heaviest" else found[0]
            else:
                day = date.fromisoformat(wanted_day)
            print(f"{db.engine.dialect.name}: {tasks:,} tasks, {len(ids):,} agencies; delivering the {wanted_day} "
                  f"day {day} of the first {len(chosen)} organizations to the fake LINE server")

            def clear() -> None:
                db.session.execute(delete(Notification).where(Notification.for_date == day,
                                                              Notification.organization_id.in_(chosen)))
                db.session.commit()

            real_today = clock.today
            try:
                for round_ in range(1, repeat + 1):
                    clear()
                    swept = 0
                    for organization in db.session.scalars(select(Organization).where(Organization.id.in_(chosen))
                                                           .order_by(Organization.id)).all():
                        swept += outbox.sweep(organization, day).created
                        db.session.commit()
                    fake.set_faults(fail_rate=fail_rate)
                    pushes_before = len(fake.requests_to("/v2/bot/message/push"))
                    clock.today = lambda: day  # the rows of that day are due now
                    started = time.perf_counter()
                    sent = failed = 0
                    for organization_id in chosen:  # as jobs/work.deliver_pending
                        result = outbox.deliver(channel_for(organization_id), organization_ids=[organization_id])
                        sent, failed = sent + result.sent, failed + result.failed
                    elapsed = time.perf_counter() - started
                    clock.today = real_today
                    pushes = len(fake.requests_to("/v2/bot/message/push")) - pushes_before
                    print(f"round {round_}: {swept:,} messages swept, {sent:,} delivered ({failed} failed) in "
                          f"{elapsed:.2f} s: {sent / elapsed:,.0f} messages per second, "
                          f"{1000 * elapsed / max(sent, 1):.2f} ms per message, {pushes / max(sent, 1):.2f} pushes "
                          f"per message ({fail_rate:.0%} 500s)", flush=True)
            finally:
                clock.today = real_today
                if not keep:
                    clear()
            db.engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("messages", nargs="?", type=int, default=300, help="without --database (default 300)")
    parser.add_argument("--database", help="a database made by benchmarks/generate.py")
    parser.add_argument("--organizations", type=int, default=20, help="with --database: how many (default 20)")
    parser.add_argument("--day", default="heaviest", help="with --database: heaviest, quiet or YYYY-MM-DD")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--fail-rate", type=float, default=0.0, help="with --database: share of pushes answered 500")
    parser.add_argument("--keep-rows", action="store_true")
    args = parser.parse_args()
    if args.database:
        deliver_generated(absolute_sqlite(args.database), args.organizations, args.day, args.repeat, args.keep_rows,
                          args.fail_rate)
    else:
        deliver(args.messages, 0.0, 0.0)
        deliver(args.messages, 0.3, 0.1)
        forecast_year()
