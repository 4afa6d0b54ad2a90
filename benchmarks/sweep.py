"""Time the daily reminder sweep: agency 1 alone and every agency, on a quiet day and on the heaviest day.

    .venv/bin/python benchmarks/sweep.py --database sqlite:///benchmarks/data/tasks-20000.sqlite3
    .venv/bin/python benchmarks/sweep.py --database URL --day heaviest --scope all --repeat 3 --dry-run

The sweep is the real one. --method batches (the default): tracker.reminders.outbox.sweep_batches(day), which
reads only the tasks that can give a message that day, 500 organizations a batch, with a commit after each batch,
as jobs/work.send_todays_reminders does. --method per-org: tracker.reminders.outbox.sweep(organization, day) for
every organization in id order with a commit after each (the one-organization entry point), for comparison.
Delivery is benchmarks/delivery.py's. Prints the seconds (wall, and this process's CPU), the messages written
(Notification rows) and messages per second.

Days: "quiet" is the working day from today to the end of the fiscal year on which 10 agencies (agency 1 and 9
spread over the ids) get the fewest messages (more than none when there is such a day), "heaviest" the one on which
they get the most (ties: the most reminders in them); both are found with the policy itself
(tracker.reminders.inputs.load_inputs, then the day's plan: what the sweep would write), over the tasks as they stand
now. Every agency has the same plan template, so the sample's heaviest day is everyone's. A date (2027-03-31) can
be given instead.

Without --dry-run each sweep commits per organization, as the scheduler does; the day's outbox rows are removed
before (so that the sweep writes them all again, not "already in the outbox") and after the run (--keep-rows leaves
them), neither timed. With --dry-run each organization's sweep is rolled back instead of committed: nothing is
kept, and PostgreSQL's commit (a WAL flush per organization) is not in the time.

Targets (issue 11): at 1,500,000 tasks the sweep of a day with few reminders in under 2 s; on the heaviest day
>= 10,000 messages written per second.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, func, select  # noqa: E402

from tracker import clock, create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Notification, Organization, Task  # noqa: E402
from tracker.reminders import outbox  # noqa: E402
from tracker.reminders.inputs import load_inputs  # noqa: E402
from tracker.thai import fiscal_year_bounds, fiscal_year_of  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import commit_of  # noqa: E402

QUIET_TARGET_SECONDS = 2.0
HEAVY_TARGET_PER_SECOND = 10_000
SAMPLE = 10  # agencies whose messages choose the quiet and the heaviest day


def absolute_sqlite(url: str) -> str:
    """A relative SQLite path made absolute from the current folder (Flask-SQLAlchemy would read it from the app's
    instance folder instead)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return f"sqlite:///{Path(url[len('sqlite:///'):]).resolve()}"
    return url


@dataclass
class Sweep:
    scope: str  # "agency 1" or "all"
    day: str
    label: str  # quiet, heaviest or the date given
    round: int
    organizations: int
    seconds: float
    cpu_seconds: float  # this process's CPU time (the sweep's Python and SQLite work; the machine is shared)
    created: int
    existing: int
    dry_run: bool
    method: str = "batches"

    @property
    def per_second(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def find_days(organizations: list[Organization],
              today: date) -> tuple[date, int, date, int, list[tuple[date, int]], tuple[date, int]]:
    """The quiet and the heaviest working day from today to the fiscal year's end, by the messages the given
    organizations (agency 1 and a sample of the others) would get, ties broken by the reminders they carry."""
    _, end = fiscal_year_bounds(fiscal_year_of(today))
    counts: dict[date, list[int]] = {}
    for organization in organizations:
        inputs = load_inputs(organization, today)
        day = today
        while day <= end:
            if inputs.calendar.is_working_day(day):
                plan = inputs.plan(day)
                count = counts.setdefault(day, [0, 0])
                count[0] += plan.message_count
                count[1] += sum(len(d.reminders) for d in plan.digests)
            day += timedelta(days=1)
    ranked = sorted(counts.items(), key=lambda c: (-c[1][0], -c[1][1], c[0]))
    some = [c for c in ranked if c[1][0] > 0] or ranked
    quiet, heaviest, emptiest = some[-1], ranked[0], ranked[-1]
    return (quiet[0], quiet[1][0], heaviest[0], heaviest[1][0], [(d, c[0]) for d, c in ranked[:5]],
            (emptiest[0], emptiest[1][0]))


def clear(day: date, organization_ids: list[int] | None) -> int:
    statement = delete(Notification).where(Notification.for_date == day)
    if organization_ids is not None:
        statement = statement.where(Notification.organization_id.in_(organization_ids))
    removed = db.session.execute(statement).rowcount or 0
    db.session.commit()
    return removed


def run_sweep(scope: str, day: date, label: str, round_: int, dry_run: bool, keep: bool,
              method: str = "batches") -> Sweep:
    only_first = scope == "agency 1"
    db.session.expunge_all()
    ids = None
    if only_first:
        ids = [db.session.scalar(select(Organization.id).order_by(Organization.id).limit(1))]
    if not dry_run:
        clear(day, ids)
    db.session.close()
    created = existing = 0
    started, cpu = time.perf_counter(), time.process_time()
    if method == "batches":
        # outbox.sweep_batches: a batch of organizations read, planned and written at once, committed per batch.
        organizations = 0
        for results in outbox.sweep_batches(day, ids):
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
            organizations += len(results)
            created += sum(r.created for r in results.values())
            existing += sum(r.existing for r in results.values())
    else:
        # The one-organization entry point: every organization in id order, one transaction each.
        query = select(Organization).order_by(Organization.id)
        if only_first:
            query = query.limit(1)
        swept = db.session.scalars(query).all()
        for organization in swept:
            result = outbox.sweep(organization, day)
            if dry_run:
                db.session.rollback()
            else:
                db.session.commit()
            created += result.created
            existing += result.existing
        organizations = len(swept)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.session.close()
    if not dry_run and not keep:
        clear(day, ids)
    return Sweep(scope, day.isoformat(), label, round_, organizations, seconds, cpu, created, existing, dry_run, method)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a database made by generate.py")
    parser.add_argument("--day", action="append",
                        help="quiet, heaviest, emptiest (the working day with the fewest messages, maybe none) or "
                             "YYYY-MM-DD; repeatable (default: quiet and heaviest)")
    parser.add_argument("--scope", choices=("agency1", "all", "both"), default="both")
    parser.add_argument("--today", type=date.fromisoformat, help="where the search for days starts (default today)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dry-run", action="store_true", help="roll each organization's sweep back")
    parser.add_argument("--keep-rows", action="store_true", help="leave the written outbox rows in the database")
    parser.add_argument("--method", choices=("batches", "per-org"), default="batches",
                        help="outbox.sweep_batches (default) or outbox.sweep per organization")
    parser.add_argument("--json", type=Path, help="write every sweep to this file")
    args = parser.parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)

    args.database = absolute_sqlite(args.database)
    code = commit_of(ROOT)  # when the run begins: the tree may change while it runs
    app = create_app({"DATABASE_URL": args.database, "SECRET_KEY": "bench-sweep"})
    with app.app_context():
        kind = db.engine.dialect.name
        tasks = db.session.scalar(select(func.count()).select_from(Task))
        agencies = db.session.scalar(select(func.count()).select_from(Organization))
        ids = list(db.session.scalars(select(Organization.id).order_by(Organization.id)))
        sample = [ids[i * len(ids) // SAMPLE] for i in range(min(SAMPLE, len(ids)))]  # agency 1 and spread others
        today = args.today or clock.today()
        how = ("outbox.sweep_batches, {} per batch of organizations" if args.method == "batches" else
               "outbox.sweep per organization, {} per organization")
        print(f"{kind}: {tasks:,} tasks, {agencies:,} agencies; sweeping with "
              f"{how.format('rolled back' if args.dry_run else 'committed')}; {os.cpu_count()} CPUs, "
              f"load {os.getloadavg()[0]:.2f}")
        started = time.perf_counter()
        organizations = db.session.scalars(select(Organization).where(Organization.id.in_(sample))).all()
        quiet, quiet_count, heaviest, heaviest_count, top, (emptiest, emptiest_count) = find_days(organizations,
                                                                                                 today)
        print(f"{len(sample)} agencies (agency 1 and a spread sample) from {today} to the fiscal year's end "
              f"({time.perf_counter() - started:.1f} s to find): quiet day {quiet} ({quiet_count} messages), "
              f"heaviest {heaviest} ({heaviest_count} messages), emptiest working day {emptiest} ({emptiest_count} "
              f"messages); busiest: {', '.join(f'{d} {n}' for d, n in top)}")
        days = []
        for wanted in args.day or ["quiet", "heaviest"]:
            if wanted == "quiet":
                days.append((quiet, "quiet"))
            elif wanted == "emptiest":
                days.append((emptiest, "emptiest"))
            elif wanted == "heaviest":
                days.append((heaviest, "heaviest"))
            else:
                days.append((date.fromisoformat(wanted), wanted))
        scopes = {"agency1": ["agency 1"], "all": ["all"], "both": ["agency 1", "all"]}[args.scope]
        db.session.close()

        sweeps: list[Sweep] = []
        print(f"\n{'scope':<9} {'day':<10} {'which':<9} {'round':>5} {'orgs':>6} {'seconds':>9} {'cpu s':>7} "
              f"{'messages':>9} {'msg/s':>9} {'ms/org':>7}  load")
        for round_ in range(1, args.repeat + 1):
            for day, label in days:
                for scope in scopes:
                    load = os.getloadavg()[0]
                    sweep = run_sweep(scope, day, label, round_, args.dry_run, args.keep_rows, args.method)
                    sweeps.append(sweep)
                    print(f"{sweep.scope:<9} {sweep.day:<10} {label:<9} {round_:>5} {sweep.organizations:>6,} "
                          f"{sweep.seconds:>9.2f} {sweep.cpu_seconds:>7.2f} {sweep.created:>9,} "
                          f"{sweep.per_second:>9,.0f} "
                          f"{1000 * sweep.seconds / max(1, sweep.organizations):>7.1f}  {load:.2f}"
                          + (f"  ({sweep.existing:,} already in the outbox)" if sweep.existing else ""), flush=True)

        print(f"\nsummary, {kind}, {tasks:,} tasks, {agencies:,} agencies (median of {args.repeat}):")
        for day, label in days:
            for scope in scopes:
                mine = [s for s in sweeps if s.day == day.isoformat() and s.scope == scope]
                seconds = statistics.median(s.seconds for s in mine)
                cpu = statistics.median(s.cpu_seconds for s in mine)
                rate = statistics.median(s.per_second for s in mine)
                verdict = ""
                if scope == "all" and label == "quiet":
                    verdict = f"target at 1.5 M tasks: < {QUIET_TARGET_SECONDS:g} s"
                if scope == "all" and label == "heaviest":
                    verdict = f"target at 1.5 M tasks: >= {HEAVY_TARGET_PER_SECOND:,} msg/s"
                print(f"  {scope:<9} {label:<9} {day}  {seconds:8.2f} s ({cpu:.2f} s CPU)  "
                      f"{mine[0].created:>9,} messages  "
                      f"{rate:>9,.0f} msg/s  {verdict}")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({
                "database": kind, "tasks": tasks, "agencies": agencies, "code": code,
                "when": datetime.now(UTC).isoformat(timespec="seconds"), "dry_run": args.dry_run,
                "method": args.method,
                "days": {"quiet": [quiet.isoformat(), quiet_count], "heaviest": [heaviest.isoformat(), heaviest_count]},
                "sweeps": [{**asdict(s), "per_second": round(s.per_second, 1)} for s in sweeps],
            }, indent=2))
            print(f"written to {args.json}")
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
