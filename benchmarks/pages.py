"""Requests per second and latency of each page, served by gunicorn (2 sync workers) and loaded by Debian's wrk.

    .venv/bin/python benchmarks/pages.py --database sqlite:///benchmarks/data/tasks-20000.sqlite3 --repeat 2
    .venv/bin/python benchmarks/pages.py --database postgresql+psycopg://postgres@127.0.0.1:5432/ita_bench_20000

Starts `gunicorn -w 2 -b 127.0.0.1:PORT --access-logfile /dev/null 'tracker:create_app()'` with DATABASE_URL and
SECRET_KEY in its environment (the app of this checkout: the folder above benchmarks/), signs in as agency 1's head
(a1-head1), a staff member (a1-staff01) and the mayor (a1-mayor) through the real form (CSRF token and all, password
"bench-pass" as benchmarks/generate.py sets it), checks that every page answers 200 to its cookie (not a redirect to
/login), warms each page up with a short wrk run, then runs `wrk -t2 -c8 -d20s --latency` against each:

    board     /divisions/<head's division>   as the head       the division board
    mine      /tasks                         as the staff      My tasks
    task      /tasks/<id>                    as the head       the task of the head's division with the longest history
    measure   /measures/<id>                 as the mayor      measure 1 of agency 1's current plan
    dashboard /dashboard                     as the mayor
    sign-in   POST /login                    anonymous         a1-admin signing in (expects 302; writes a session,
                                                               a sign-in attempt and an audit event per request)

A small Lua script counts every answer that is not the expected status (wrk's own "Non-2xx or 3xx" line misses a
302 to /login). Prints one line per run and, with --repeat N, each page's runs side by side (the machine is shared
and noisy: compare medians and ratios, never one run). --json writes every run.

Targets (issue 11): at 20,000 tasks board, mine, task and measure >= 400 req/s, dashboard >= 300 req/s, every
p99 < 100 ms; at 1,500,000 tasks each page within 1.3x of its 20,000-task figure.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

PASSWORD = "bench-pass"
TARGETS = {"board": 400, "mine": 400, "task": 400, "measure": 400, "dashboard": 300}  # req/s at 20,000 tasks
P99_TARGET_MS = 100.0
ALL_PAGES = ("board", "mine", "task", "measure", "dashboard", "sign-in")

LUA = r"""
-- Counts answers other than the expected status, across wrk's threads.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= %(expect)d then unexpected = unexpected + 1 end
end
%(request)s
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("UNEXPECTED %%d\n", total))
end
"""
POST = r"""
wrk.method = "POST"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


@dataclass
class Page:
    name: str
    path: str
    who: str  # the username whose cookie it carries; "" anonymous
    expect: int = 200
    method: str = "GET"
    body: str = ""
    cookie: str = ""
    size: int = 0  # bytes of the answer checked before the run


@dataclass
class Run:
    page: str
    path: str
    who: str
    round: int
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    unexpected: int  # answers other than the page's expected status (200, or 302 for a sign-in)
    socket_errors: str
    load_before: float  # 1-minute load average when the run began
    wrk_output: str = field(repr=False, default="")


def absolute_sqlite(url: str) -> str:
    """A relative SQLite path made absolute from the current folder (Flask-SQLAlchemy would read it from the app's
    instance folder instead)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        return f"sqlite:///{Path(url[len('sqlite:///'):]).resolve()}"
    return url


# --- the data ----------------------------------------------------------------------------------------------------


def describe(url: str) -> dict:
    """Size of the data and agency 1's ids: the head's division, a task with a long history, measure 1."""
    engine = create_engine(url)
    with engine.connect() as connection:
        q = lambda sql, **p: connection.execute(text(sql), p)  # noqa: E731
        size = {
            "tasks": q("SELECT count(*) FROM task").scalar(),
            "agencies": q("SELECT count(*) FROM organization").scalar(),
            "audit_events": q("SELECT count(*) FROM audit_event").scalar(),
        }
        head = q("SELECT id, organization_id, division_id FROM \"user\" WHERE username = 'a1-head1'").one_or_none()
        if head is None:
            raise SystemExit(f"{url} has no user a1-head1: make the data with benchmarks/generate.py")
        organization, division = head.organization_id, head.division_id
        plan = q("SELECT p.id FROM plan p JOIN fiscal_year f ON f.id = p.fiscal_year_id "
                 "WHERE p.organization_id = :o ORDER BY f.year_be DESC", o=organization).scalars().first()
        measure = q("SELECT id FROM measure WHERE plan_id = :p ORDER BY \"order\"", p=plan).scalars().first()
        task = q("SELECT t.id FROM task t JOIN measure m ON m.id = t.measure_id "
                 "LEFT JOIN audit_event a ON a.object_type = 'Task' AND a.object_id = t.id "
                 "WHERE t.division_id = :d AND m.plan_id = :p GROUP BY t.id ORDER BY count(a.id) DESC, t.id",
                 d=division, p=plan).scalars().first()
    engine.dispose()
    kind = make_url(url).get_backend_name()
    return {"database": "postgresql" if kind.startswith("postgres") else kind, **size,
            "organization_id": organization, "division_id": division, "task_id": task, "measure_id": measure}


def pages_for(data: dict, names: list[str]) -> list[Page]:
    every = {
        "board": Page("board", f"/divisions/{data['division_id']}", "a1-head1"),
        "mine": Page("mine", "/tasks", "a1-staff01"),
        "task": Page("task", f"/tasks/{data['task_id']}", "a1-head1"),
        "measure": Page("measure", f"/measures/{data['measure_id']}", "a1-mayor"),
        "dashboard": Page("dashboard", "/dashboard", "a1-mayor"),
        "sign-in": Page("sign-in", "/login", "", expect=302, method="POST"),
    }
    return [every[n] for n in names]


# --- the server ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving this checkout's app on 127.0.0.1."""

    def __init__(self, url: str, port: int, workers: int, secret: str, cache: str = ""):
        self.port = port
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise SystemExit("gunicorn is not installed: .venv/bin/pip install gunicorn")
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        if cache:
            env["CACHE_TYPE"] = cache
        self.command = [gunicorn, "-w", str(workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
                        "--access-logfile", "/dev/null", "--log-level", "warning", "tracker:create_app()"]
        self.log = tempfile.NamedTemporaryFile("w+", prefix="gunicorn-", suffix=".log", delete=False)
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped: {Path(self.log.name).read_text()[-3000:]}")
            try:
                status, _, _ = request(port, "GET", "/login")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer /login within 90 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the arbiter and its workers: our own process group
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        os.unlink(self.log.name)


def request(port: int, method: str, path: str, *, cookie: str = "", body: str = "") -> tuple[int, dict, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    answer = connection.getresponse()
    data = answer.read()
    cookies = {}
    for name, value in answer.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            cookies[key.strip()] = val.strip()
    connection.close()
    return answer.status, cookies, data


def login_form(port: int) -> tuple[str, str]:
    """GET /login: the anonymous session cookie and the form's CSRF token."""
    status, cookies, data = request(port, "GET", "/login")
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', data) or \
        re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', data)
    if status != 200 or match is None:
        raise SystemExit(f"GET /login answered {status} without a CSRF token")
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), match.group(1).decode()


def sign_in_body(token: str, username: str) -> str:
    return urllib.parse.urlencode({"csrf_token": token, "username": username, "password": PASSWORD, "next": ""})


def sign_in(port: int, username: str) -> str:
    """Sign in through the form; return the Cookie header of the signed-in session."""
    cookie, token = login_form(port)
    status, cookies, data = request(port, "POST", "/login", cookie=cookie, body=sign_in_body(token, username))
    if status != 302 or not cookies:
        raise SystemExit(f"signing in as {username} answered {status}: {data[:300]!r}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


# --- wrk -----------------------------------------------------------------------------------------------------------


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict:
    def percentile(p: str) -> float:
        match = re.search(rf"^\s+{p}%\s+(\S+)", output, re.M)
        return _ms(match.group(1)) if match else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    count = re.search(r"(\d+) requests in", output)
    maximum = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output)
    unexpected = re.search(r"UNEXPECTED (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_second": float(rps.group(1)) if rps else 0.0,
        "p50_ms": percentile("50"), "p90_ms": percentile("90"), "p99_ms": percentile("99"),
        "max_ms": _ms(maximum.group(1)) if maximum else float("nan"),
        "requests": int(count.group(1)) if count else 0,
        "unexpected": int(unexpected.group(1)) if unexpected else -1,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def wrk(port: int, page: Page, *, threads: int, connections: int, seconds: float, script_dir: Path) -> str:
    script = script_dir / f"{page.name}.lua"
    post = POST % {"body": json.dumps(page.body)} if page.method == "POST" else ""
    script.write_text(LUA % {"expect": page.expect, "request": post})
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "10s",
               "-s", str(script)]
    if page.cookie:
        command += ["-H", f"Cookie: {page.cookie}"]
    command.append(f"http://127.0.0.1:{port}{page.path}")
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed: {done.stderr}")
    return done.stdout


# --- the run -------------------------------------------------------------------------------------------------------


def commit_of(root: Path) -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        diff = subprocess.run(["git", "diff", "HEAD", "--", "tracker", "templates", "config"], cwd=root,
                              capture_output=True, text=True).stdout
        untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--", "tracker", "templates",
                                    "config"], cwd=root, capture_output=True, text=True).stdout
        if not diff and not untracked:
            return head
        # Which uncommitted state: a hash of the diff of the app's code (the tree changes while benchmarks run).
        digest = hashlib.sha256((diff + untracked).encode()).hexdigest()[:10]
        changed = sorted({line[6:] for line in diff.splitlines() if line.startswith("+++ b/")} |
                         set(untracked.split()))
        return f"{head} + uncommitted changes {digest} ({', '.join(changed)})"
    except (OSError, subprocess.CalledProcessError):
        commit = root / "COMMIT"  # a `git archive` copy
        return commit.read_text().strip()[:7] + " (copy)" if commit.exists() else "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of a database made by generate.py")
    parser.add_argument("--pages", default=",".join(ALL_PAGES), help=f"comma-separated, of {', '.join(ALL_PAGES)}")
    parser.add_argument("--duration", type=float, default=20, help="seconds per run (wrk -d; default 20)")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of wrk per page before measuring (0: one "
                                                                 "request only)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds: every page once per round")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--cache", default="", help="CACHE_TYPE for the server: NullCache measures every "
                                                     "request rendering its page (default: the app's own)")
    parser.add_argument("--json", type=Path, help="write every run to this file")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    names = [n.strip() for n in args.pages.split(",") if n.strip()]
    unknown = set(names) - set(ALL_PAGES)
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")

    args.database = absolute_sqlite(args.database)
    data = describe(args.database)
    commit = commit_of(ROOT)
    print(f"{data['database']}: {data['tasks']:,} tasks, {data['agencies']:,} agencies "
          f"({data['audit_events']:,} audit events); agency 1 measured; code {commit} at {ROOT}")
    print(f"gunicorn -w {args.workers} (sync); wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s "
          f"--latency; cache {args.cache or 'the app default'}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    pages = pages_for(data, names)
    port = args.port or free_port()
    server = Server(args.database, port, args.workers, secret="bench-pages", cache=args.cache)
    runs: list[Run] = []
    try:
        cookies: dict[str, str] = {}
        for page in pages:
            if page.method == "POST":  # sign-in: an anonymous session and its form token, posted again and again
                page.cookie, token = login_form(port)
                page.body = sign_in_body(token, "a1-admin")
                continue
            if page.who not in cookies:
                cookies[page.who] = sign_in(port, page.who)
            page.cookie = cookies[page.who]
            status, _, body = request(port, "GET", page.path, cookie=page.cookie)
            if status != page.expect:
                raise SystemExit(f"{page.name} {page.path} as {page.who} answered {status}, not {page.expect}")
            page.size = len(body)
        print("checked: " + ", ".join(f"{p.name} {p.path} {p.size:,} B" for p in pages if p.method == "GET"))
        with tempfile.TemporaryDirectory() as scripts:
            for page in pages:  # warm-up: both workers, every page, caches and connection pools
                if args.warmup > 0:
                    wrk(port, page, threads=args.threads, connections=args.connections, seconds=args.warmup,
                        script_dir=Path(scripts))
            print(f"\n{'page':<10} {'path':<18} {'as':<11} {'round':>5} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
                  f"{'p99 ms':>8} {'requests':>9} {'non-2xx':>8}  load")
            for round_ in range(1, args.repeat + 1):
                for page in pages:
                    load = os.getloadavg()[0]
                    output = wrk(port, page, threads=args.threads, connections=args.connections,
                                 seconds=args.duration, script_dir=Path(scripts))
                    run = Run(page.name, page.path, page.who or "anonymous", round_, **parse_wrk(output),
                              load_before=load, wrk_output=output)
                    runs.append(run)
                    print(f"{run.page:<10} {run.path:<18} {run.who:<11} {run.round:>5} "
                          f"{run.requests_per_second:>8.1f} {run.p50_ms:>8.2f} {run.p90_ms:>8.2f} {run.p99_ms:>8.2f} "
                          f"{run.requests:>9,} {run.unexpected:>8}  {load:.2f}"
                          + (f"  socket errors: {run.socket_errors}" if run.socket_errors else ""), flush=True)
    finally:
        server.stop()

    print(f"\nsummary, {data['database']}, {data['tasks']:,} tasks, {data['agencies']:,} agencies "
          f"(median of {args.repeat} run{'s' if args.repeat > 1 else ''}; each run's req/s in brackets):")
    print(f"{'page':<10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}  {'target (20k tasks)':<28} runs")
    for page in pages:
        mine = [r for r in runs if r.page == page.name]
        rps = statistics.median(r.requests_per_second for r in mine)
        p50 = statistics.median(r.p50_ms for r in mine)
        p99 = statistics.median(r.p99_ms for r in mine)
        target = TARGETS.get(page.name)
        verdict = ""
        if target:
            ok = rps >= target and p99 < P99_TARGET_MS
            verdict = f">= {target} req/s, p99 < {P99_TARGET_MS:g} ms: {'met' if ok else 'NOT met'}"
        print(f"{page.name:<10} {rps:>8.1f} {p50:>8.2f} {p99:>8.2f} {sum(r.unexpected for r in mine):>8}  "
              f"{verdict:<28} [{', '.join(f'{r.requests_per_second:.0f}' for r in mine)}]")
    if args.json:
        result = {"data": data, "code": commit, "when": datetime.now(UTC).isoformat(timespec="seconds"),
                  "settings": {"workers": args.workers, "threads": args.threads, "connections": args.connections,
                               "duration": args.duration, "warmup": args.warmup, "repeat": args.repeat,
                               "cache": args.cache or "default"},
                  "cpus": os.cpu_count(), "runs": [asdict(r) for r in runs]}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(f"written to {args.json}")
    return 0 if all(r.unexpected == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
