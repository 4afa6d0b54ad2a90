"""Make a copy of a generated database in which most agencies keep to their plans: a deployment's quiet day.

    .venv/bin/python benchmarks/on_schedule.py benchmarks/data/tasks-1500000.sqlite3 /tmp/on-schedule.sqlite3 \
        --before 2027-01-26 --late 75

generate.py leaves about 70 % of past-due tasks open in every agency alike, so with the overdue cadence (every 3
working days) its quietest day still has 36,000 messages at 1.5 M tasks. Here every task due before `--before` is
marked done on its due date (09:00 Bangkok), except in the first `--late` agencies, which keep their overdue tasks as
generated: the day after is one with few reminders across the deployment, as the sweep's "quiet day" target means.
SQLite files only (a copy of the file; the original is not changed).
"""
from __future__ import annotations

import argparse
import shutil
import sqlite3
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--before", type=date.fromisoformat, required=True)
    parser.add_argument("--late", type=int, default=75, help="agencies (the first ids) left as generated")
    args = parser.parse_args()
    shutil.copyfile(args.source, args.target)
    with sqlite3.connect(args.target) as connection:
        changed = connection.execute(
            "UPDATE task SET status = 'done', done_at = due_date || ' 02:00:00.000000' "
            "WHERE status <> 'done' AND due_date < ? AND organization_id > ?",
            (args.before.isoformat(), args.late),
        ).rowcount
    print(f"{args.target}: {changed:,} tasks due before {args.before} marked done on their due date "
          f"(agencies 1-{args.late} left as generated)")


if __name__ == "__main__":
    main()
