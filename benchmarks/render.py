"""CPU milliseconds per request of each page, in one process through Flask's test client (no server, no network).

    .venv/bin/python benchmarks/render.py --database sqlite:///benchmarks/data/tasks-20000.sqlite3
    .venv/bin/python benchmarks/render.py --database URL --cache NullCache --requests 100

The same pages and people as benchmarks/pages.py (signed in through the form). Each page is asked once (to fill the
page cache), then --requests times in a row; the figure is this process's CPU time (time.process_time) per request,
the median of --repeat rounds, which a busy shared machine disturbs much less than wall-clock req/s. With
--cache NullCache every request renders its page (the first-render cost); by default the second and later requests
are answered from the page cache. Not the server's figure: no gunicorn, no HTTP parsing, no socket; the database's
own work (SQLite in this process) is included, PostgreSQL's server process is not (wall time is printed too).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import ALL_PAGES, PASSWORD, absolute_sqlite, commit_of, describe, pages_for  # noqa: E402

GET_PAGES = [p for p in ALL_PAGES if p != "sign-in"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--pages", default=",".join(GET_PAGES))
    parser.add_argument("--requests", type=int, default=300, help="requests per page per round (default 300)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", default="", help="CACHE_TYPE, e.g. NullCache (default: the app's own)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    url = absolute_sqlite(args.database)
    if args.cache:
        os.environ["CACHE_TYPE"] = args.cache
    from tracker import create_app

    data = describe(url)
    code = commit_of(ROOT)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-render"})
    clients = {}
    pages = pages_for(data, [n.strip() for n in args.pages.split(",")])
    rows = []
    print(f"{data['database']}: {data['tasks']:,} tasks; cache {args.cache or 'the app default'}; "
          f"{args.requests} requests x {args.repeat} rounds per page; load {os.getloadavg()[0]:.2f}")
    for page in pages:
        client = clients.get(page.who)
        if client is None:
            client = clients[page.who] = app.test_client()
            form = client.get("/login")
            token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', form.data).group(1).decode()
            signed = client.post("/login", data={"csrf_token": token, "username": page.who, "password": PASSWORD,
                                                 "next": ""})
            if signed.status_code != 302:
                raise SystemExit(f"signing in as {page.who} answered {signed.status_code}")
        first = client.get(page.path)
        if first.status_code != 200:
            raise SystemExit(f"{page.path} answered {first.status_code}")
        cpu_ms, wall_ms = [], []
        for _ in range(args.repeat):
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                client.get(page.path)
            cpu_ms.append(1000 * (time.process_time() - cpu) / args.requests)
            wall_ms.append(1000 * (time.perf_counter() - wall) / args.requests)
        row = {"page": page.name, "path": page.path, "cpu_ms": cpu_ms, "wall_ms": wall_ms,
               "cpu_ms_median": statistics.median(cpu_ms), "wall_ms_median": statistics.median(wall_ms)}
        rows.append(row)
        print(f"  {page.name:<10} {row['cpu_ms_median']:7.2f} ms CPU per request "
              f"(rounds {', '.join(f'{v:.2f}' for v in cpu_ms)}; wall {row['wall_ms_median']:.2f} ms)", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "data": data, "code": code, "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "cache": args.cache or "default", "requests": args.requests, "repeat": args.repeat, "pages": rows,
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
