"""Markdown tables of the raw results in benchmarks/results/*.json (what benchmarks/README.md quotes).

    .venv/bin/python benchmarks/report.py [benchmarks/results]

Pages: per file (database, size, cache setting), per page: req/s as min-max over the runs (median), p50 and p99 as
min-max. Ratios: each page's median req/s at the largest size over that at 20,000 tasks, same database and cache
setting. Sweeps: per file, per scope and day: messages written, seconds (wall, min-max), CPU seconds and messages per
second (median). Render: CPU ms per request of each page in one process (benchmarks/render.py).
"""
from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {"board": 400, "mine": 400, "task": 400, "measure": 400, "dashboard": 300}  # req/s, at 20,000 tasks
ORDER = ("board", "mine", "task", "measure", "dashboard", "sign-in")


def span(values: list[float], digits: int = 0) -> str:
    low, high = min(values), max(values)
    if round(low, digits) == round(high, digits):
        return f"{low:.{digits}f}"
    return f"{low:.{digits}f}–{high:.{digits}f}"


def pages(files: list[Path]) -> dict[tuple[str, str, int], dict[str, float]]:
    """One table per database, size and cache setting, over the runs of every file that has them."""
    groups: dict[tuple[str, str, int], list[tuple[Path, dict]]] = defaultdict(list)
    for path in files:
        result = json.loads(path.read_text())
        data = result["data"]
        groups[(data["database"], result["settings"].get("cache", "default"), data["tasks"])].append((path, result))
    medians: dict[tuple[str, str, int], dict[str, float]] = {}
    for (database, cache, tasks), results in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] != "default",
                                                                                 g[0][2])):
        data, settings = results[0][1]["data"], results[0][1]["settings"]
        runs = [run for _, result in results for run in result["runs"]]
        by_page = defaultdict(list)
        for run in runs:
            by_page[run["page"]].append(run)
        print(f"\n#### {database}, {tasks:,} tasks ({data['agencies']:,} agencies), "
              f"{'warm page cache' if cache == 'default' else cache + ' (every request renders)'}\n")
        print(f"{len(runs) // max(1, len(by_page))} runs per page of {settings['duration']:g} s; 1-minute load "
              f"before the runs {span([r['load_before'] for r in runs], 1)}; files: "
              + "; ".join(f"`{path.name}` ({result['when']}, code {result['code']})" for path, result in results)
              + "\n")
        print("| page | req/s: range (median) | p50 ms | p99 ms | runs at >= target req/s and p99 < 100 ms |")
        print("|---|---|---|---|---|")
        for name in sorted(by_page, key=ORDER.index):
            page_runs = by_page[name]
            rps = [r["requests_per_second"] for r in page_runs]
            median = statistics.median(rps)
            medians.setdefault((database, cache, tasks), {})[name] = median
            target = TARGETS.get(name)
            met = sum(1 for r in page_runs if target and r["requests_per_second"] >= target and r["p99_ms"] < 100)
            print(f"| {name} | {span(rps)} ({median:.0f}) | {span([r['p50_ms'] for r in page_runs], 1)} | "
                  f"{span([r['p99_ms'] for r in page_runs], 1)} | {met} of {len(page_runs)} (>= {target}) |")
    return medians


def ratios(medians: dict[tuple[str, str, int], dict[str, float]]) -> None:
    print("\n#### Ratios: median req/s at 20,000 tasks / at the larger size (target at 1,500,000: <= 1.3)\n")
    print("| database | cache | size | " + " | ".join(ORDER[:5]) + " |")
    print("|---|---|---|" + "---|" * 5)
    for (database, cache, tasks), figures in sorted(medians.items(), key=lambda i: (i[0][0], i[0][1] != "default",
                                                                                     i[0][2])):
        base = medians.get((database, cache, 20000))
        if tasks == 20000 or base is None:
            continue
        cells = [f"{base[p] / figures[p]:.2f}" if p in figures and p in base else "–" for p in ORDER[:5]]
        print(f"| {database} | {'cached' if cache == 'default' else cache} | {tasks:,} | " + " | ".join(cells) + " |")


def sweeps(files: list[Path]) -> None:
    """One table: every agency's sweep (scope "all") per database, size and day; agency 1 alone is in the files."""
    print("\n#### Daily sweep (outbox.sweep_batches, every agency, committed per batch of 500)\n")
    print("| database | tasks | day | messages written | seconds (wall) | CPU s | msg/s (wall, median) | runs | file |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for path in files:
        result = json.loads(path.read_text())
        groups = defaultdict(list)
        for sweep in result["sweeps"]:
            if sweep["scope"] == "all":
                groups[(sweep["label"], sweep["day"])].append(sweep)
        for (label, day), runs in groups.items():
            cpu = [r["cpu_seconds"] for r in runs if "cpu_seconds" in r]
            rows.append(((result["database"], result["tasks"], label != "quiet"),
                         f"| {result['database']} | {result['tasks']:,} | {label} {day} | {runs[0]['created']:,} | "
                         f"{span([r['seconds'] for r in runs], 2)} | {span(cpu, 2) if cpu else '–'} | "
                         f"{statistics.median(r['per_second'] for r in runs):,.0f} | {len(runs)} | `{path.name}` |"))
    for _, row in sorted(rows):
        print(row)


def renders(files: list[Path]) -> None:
    """CPU ms per request in one process (benchmarks/render.py): rows by page, columns by database, size and cache;
    every round of every file of the same column counted (medians over all of them)."""
    if not files:
        return
    rounds: dict[tuple[str, str, int], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for path in files:
        result = json.loads(path.read_text())
        key = (result["data"]["database"], result["cache"], result["data"]["tasks"])
        for row in result["pages"]:
            rounds[key][row["page"]] += row["cpu_ms"]
    keys = sorted(rounds, key=lambda k: (k[0], k[1] != "default", k[2]))
    print("\n#### CPU ms per request in one process (benchmarks/render.py): median (min–max) over all rounds\n")
    print("files: " + ", ".join(f"`{f.name}`" for f in files) + "\n")
    heads = [f"{d} {t:,} {'cached' if c == 'default' else c}" for d, c, t in keys]
    print("| page | " + " | ".join(heads) + " |")
    print("|---|" + "---|" * len(heads))
    for name in ORDER:
        cells = [f"{statistics.median(rounds[k][name]):.2f} ({span(rounds[k][name], 2)}, {len(rounds[k][name])})"
                 if rounds[k].get(name) else "–" for k in keys]
        if any(c != "–" for c in cells):
            print(f"| {name} | " + " | ".join(cells) + " |")
    print("\n#### CPU ms per request at the larger size / at 20,000 tasks (medians of benchmarks/render.py)\n")
    print("| database | cache | size | " + " | ".join(ORDER[:5]) + " |")
    print("|---|---|---|" + "---|" * 5)
    for database, cache, tasks in keys:
        base = rounds.get((database, cache, 20000))
        if tasks == 20000 or base is None:
            continue
        mine = rounds[(database, cache, tasks)]
        cells = [f"{statistics.median(mine[n]) / statistics.median(base[n]):.2f}" if mine.get(n) and base.get(n)
                 else "–" for n in ORDER[:5]]
        print(f"| {database} | {'cached' if cache == 'default' else cache} | {tasks:,} | " + " | ".join(cells) + " |")


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    files = sorted(folder.glob("*.json"))
    ratios(pages([f for f in files if f.name.startswith("pages-")]))
    sweeps([f for f in files if f.name.startswith("sweep-")])
    renders([f for f in files if f.name.startswith("render-")])


if __name__ == "__main__":
    main()
