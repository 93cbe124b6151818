"""Fan-out bench: Roundtable against a bare ``websockets`` broadcast server, in one run.

The full run: 10 checklists x 20 connected members, 5 writers per checklist retitling
items at a steady 60 ops/s in total, 15 s measured after a 2 s warm-up, three trials per
server, alternating which goes first. Both servers get the same load client
(``fanout_load.py``), the same rooms and the same rate:

- **Roundtable** (``fanout_setup.py``): ``roundtable serve`` (uvicorn, one process) on
  SQLite in a temporary directory. One workshop with 10 groups in breakout; 200
  participants joined with the groups' codes. A participant sees only their own group's
  checklist, so a room is a group, and every edit is an ``item.update`` op.
- **Baseline** (``bare_server.py``): a room per checklist and ``websockets.broadcast``.

Each server is a fresh process per trial, pinned to one core, with the load client on
the other. Server CPU is ``utime + stime`` from ``/proc/<pid>/stat`` over the measured
window, divided by the events delivered in it. Per server: the median of the trials,
with min and max; each ratio is Roundtable's median over the baseline's. Results are
written to ``bench/results/`` as JSON. The exit status is 1 if any delivery was missing,
duplicated, out of order or unexpected.

    .venv/bin/python bench/fanout.py            # the full run (make bench): ~4 minutes
    .venv/bin/python bench/fanout.py --quick    # 4 x 5 members, one 3 s trial: < 60 s

With ``--database postgres`` the comparison is Roundtable on PostgreSQL with N app
processes (``--processes 1,2,4``) against one Roundtable process on SQLite, in the same
run (see ``fanout_pg.py``; the base URL is ``ROUNDTABLE_TEST_PG_URL`` or
``postgresql://postgres@127.0.0.1:5432/test``):

    .venv/bin/python bench/fanout.py --database postgres --processes 1,2,4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fanout_load import LoadSpec, run_load
from fanout_pg import BackendCpu, PostgresRoundtable, ServerCpu, all_running, fresh_database, spread
from fanout_setup import (
    Roundtable,
    ServerProcess,
    Workshop,
    bare_server,
    running,
    seed_workshop,
)

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Scenario:
    checklists: int = 10
    members_per_checklist: int = 20
    writers_per_checklist: int = 5
    rate: float = 60.0
    warmup_s: float = 2.0
    duration_s: float = 15.0
    trials: int = 3


FULL = Scenario()
QUICK = Scenario(
    checklists=4, members_per_checklist=5, writers_per_checklist=2, rate=20.0,
    warmup_s=1.0, duration_s=3.0, trials=1,
)  # fmt: skip


# -- running ---------------------------------------------------------------------------
def run_async(main: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Runs the load client on uvloop when it is installed (it drives both servers)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def cores(pinned: bool) -> tuple[int | None, int | None]:
    """(server core, client core); no pinning when asked not to or on one core."""
    available = sorted(os.sched_getaffinity(0))
    if not pinned or len(available) < 2:
        return None, None
    return available[0], available[1]


def run_trial(
    target: str, work: Path, workshop: Workshop, scenario: Scenario, cpu: int | None
) -> dict[str, Any]:
    """One trial against a fresh server process: ``roundtable`` or ``bare``."""
    if target == "roundtable":
        server = Roundtable(work).server()
        ws_url = f"ws://127.0.0.1:{server.port}/api/ws"
        members = workshop.members(lambda _room: ws_url, cookies=True)
    else:
        server = bare_server(work)
        base = f"ws://127.0.0.1:{server.port}/room"
        members = workshop.members(lambda room: f"{base}/{room.checklist_id}", cookies=False)
    load = LoadSpec(
        workshop_id=workshop.id,
        origin=server.origin,
        members=members,
        rate=scenario.rate,
        warmup_s=scenario.warmup_s,
        duration_s=scenario.duration_s,
    )
    with running(server, cpu):
        return run_async(run_load(load, server.cpu_s))


def run(scenario: Scenario, pinned: bool) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    server_cpu, client_cpu = cores(pinned)
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
    trials: dict[str, list[dict[str, Any]]] = {"bare": [], "roundtable": []}
    with tempfile.TemporaryDirectory(prefix="rt-fanout-") as tmp:
        work = Path(tmp)
        roundtable = Roundtable(work)
        roundtable.prepare()
        with running(roundtable.server(), server_cpu) as server:
            workshop = seed_workshop(
                server.origin,
                rooms=scenario.checklists,
                members=scenario.members_per_checklist,
                writers=scenario.writers_per_checklist,
            )
        for n in range(scenario.trials):
            order = ("bare", "roundtable") if n % 2 == 0 else ("roundtable", "bare")
            for target in order:
                result = run_trial(target, work, workshop, scenario, server_cpu)
                trials[target].append(result)
                print(f"  trial {n + 1} {target:<10} {one_line(result)}", flush=True)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": asdict(scenario),
        "database": "sqlite",
        "pinned": {"server_cpu": server_cpu, "client_cpu": client_cpu},
        "machine": machine(),
        "code": code_version(),
        # Other work on the machine shows in the latency tails: say how busy it was.
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "trials": trials,
        "summary": {t: aggregate(r) for t, r in trials.items()},
        "ratios": ratios(trials),
    }


# -- PostgreSQL, N processes ---------------------------------------------------------
def pg_label(n: int) -> str:
    return f"pg-{n}"


def run_pg_trial(
    servers: list[ServerProcess],
    workshop: Workshop,
    scenario: Scenario,
    cpu: int | None,
    backends: BackendCpu | None,
) -> dict[str, Any]:
    """One trial against fresh processes: members round-robin over ``servers``."""
    meter = ServerCpu(servers, backends)
    load = LoadSpec(
        workshop_id=workshop.id,
        origin=servers[0].origin,
        members=spread(workshop, servers),
        rate=scenario.rate,
        warmup_s=scenario.warmup_s,
        duration_s=scenario.duration_s,
    )
    with all_running(servers, cpu):
        result = run_async(run_load(load, meter))
    result["processes"] = len(servers)
    result["postgres_backend_cpu_s"] = meter.backends_s()
    return result


def run_pg(scenario: Scenario, pinned: bool, processes: list[int]) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    server_cpu, client_cpu = cores(pinned)
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
    targets = ["sqlite", *(pg_label(n) for n in processes)]
    trials: dict[str, list[dict[str, Any]]] = {t: [] for t in targets}
    seed = {
        "rooms": scenario.checklists,
        "members": scenario.members_per_checklist,
        "writers": scenario.writers_per_checklist,
    }
    with tempfile.TemporaryDirectory(prefix="rt-fanout-pg-") as tmp, fresh_database() as url:
        work = Path(tmp)
        lite = Roundtable(work)
        lite.prepare()
        with running(lite.server(), server_cpu) as server:
            lite_workshop = seed_workshop(server.origin, **seed)
        pg = PostgresRoundtable(work, url)
        pg.prepare()
        with running(pg.server(), server_cpu) as server:
            pg_workshop = seed_workshop(server.origin, **seed)
        backends = BackendCpu(url)
        try:
            for n in range(scenario.trials):
                shift = n % len(targets)
                for target in targets[shift:] + targets[:shift]:
                    if target == "sqlite":
                        servers, workshop, meter_pg = [lite.server()], lite_workshop, None
                    else:
                        count = int(target.split("-")[1])
                        servers, workshop, meter_pg = pg.servers(count), pg_workshop, backends
                    result = run_pg_trial(servers, workshop, scenario, server_cpu, meter_pg)
                    trials[target].append(result)
                    print(f"  trial {n + 1} {target:<7} {one_line(result)}", flush=True)
        finally:
            backends.close()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": asdict(scenario),
        "database": "postgres",
        "processes": processes,
        "pinned": {"server_cpu": server_cpu, "client_cpu": client_cpu},
        "machine": machine(),
        "code": code_version(),
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "trials": trials,
        "summary": {t: aggregate(r) for t, r in trials.items()},
        "ratios": {t: relative(trials[t], trials["sqlite"]) for t in targets if t != "sqlite"},
    }


def relative(trials: list[dict[str, Any]], reference: list[dict[str, Any]]) -> dict[str, float]:
    """Median over median, per metric."""
    mine, ref = aggregate(trials), aggregate(reference)
    return {
        name: mine[name]["median"] / ref[name]["median"]
        for name in ("cpu_us_per_delivery", "p50_ms", "p99_ms")
    }


def report_pg(results: dict[str, Any]) -> str:
    s = results["scenario"]
    members = s["checklists"] * s["members_per_checklist"]
    lines = [
        f"Fan-out on PostgreSQL: {s['checklists']} checklists x {s['members_per_checklist']}"
        f" members ({members} connections), {s['writers_per_checklist']} writers each,"
        f" {s['rate']:g} ops/s total, {s['duration_s']:g} s measured, {s['trials']} trial(s);"
        " ratios against one Roundtable process on SQLite",
        "",
        f"{'':<8}{'CPU us/delivery':>24}{'(of which PG)':>14}{'p99 ms':>24}"
        f"{'cpu x':>7}{'p99 x':>7}{'delivered':>11}{'faults':>8}",
    ]

    def cell(m: dict[str, float], fmt: str) -> str:
        return f"{m['median']:{fmt}} [{m['min']:{fmt}}-{m['max']:{fmt}}]"

    for target, agg in results["summary"].items():
        runs = results["trials"][target]
        pg_share = statistics.median(
            r.get("postgres_backend_cpu_s", 0.0) / r["server_cpu_s"] if r["server_cpu_s"] else 0.0
            for r in runs
        )
        ratio = results["ratios"].get(target, {"cpu_us_per_delivery": 1.0, "p99_ms": 1.0})
        lines.append(
            f"{target:<8}{cell(agg['cpu_us_per_delivery'], '.1f'):>24}{pg_share:>13.0%} "
            f"{cell(agg['p99_ms'], '.2f'):>24}{ratio['cpu_us_per_delivery']:>7.2f}"
            f"{ratio['p99_ms']:>7.2f}{agg['delivered_ratio']['min']:>11.4f}{agg['faults']:>8}"
        )
    load = results["load_average_1min"]
    lines.append("")
    lines.append(
        f"code {results['code']}; 1-min load average {load['before']:.1f} before,"
        f" {load['after']:.1f} after"
    )
    return "\n".join(lines)


# -- reporting -------------------------------------------------------------------------
METRICS: dict[str, Callable[[dict[str, Any]], float]] = {
    "cpu_us_per_delivery": lambda r: float(r["cpu_us_per_delivery"]),
    "p50_ms": lambda r: float(r["edit_to_all_ms"]["p50"]),
    "p99_ms": lambda r: float(r["edit_to_all_ms"]["p99"]),
    "delivered_ratio": lambda r: float(r["delivered_ratio"]),
}


def aggregate(results: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, get in METRICS.items():
        values = [get(r) for r in results]
        out[name] = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    out["faults"] = sum(sum(r["faults"].values()) for r in results)
    out["correct"] = all(is_correct(r) for r in results)
    return out


def is_correct(result: dict[str, Any]) -> bool:
    return bool(
        result["delivered"] == result["expected"]
        and result["drained"]
        and not any(result["faults"].values())
    )


def ratios(trials: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    rt, bare = aggregate(trials["roundtable"]), aggregate(trials["bare"])
    return {
        name: rt[name]["median"] / bare[name]["median"]
        for name in ("cpu_us_per_delivery", "p50_ms", "p99_ms")
    }


def one_line(r: dict[str, Any]) -> str:
    latency = r["edit_to_all_ms"]
    return (
        f"delivered {r['delivered']}/{r['expected']} faults {sum(r['faults'].values())}"
        f"  cpu {r['cpu_us_per_delivery']:.1f} us/delivery"
        f"  edit-to-all p50 {latency['p50']:.2f} ms p99 {latency['p99']:.2f} ms"
        f"  (cpu: server {r['server_cpu_s']:.2f} s, client {r['client_cpu_s']:.2f} s"
        f" in {r['window_s']:.1f} s)"
    )


def report(results: dict[str, Any]) -> str:
    s = results["scenario"]
    bare, rt = results["summary"]["bare"], results["summary"]["roundtable"]
    ratio = results["ratios"]
    members = s["checklists"] * s["members_per_checklist"]
    lines = [
        f"Fan-out: {s['checklists']} checklists x {s['members_per_checklist']} members "
        f"({members} connections), {s['writers_per_checklist']} writers each, {s['rate']:g} ops/s "
        f"total, {s['duration_s']:g} s measured, {s['trials']} trial(s), SQLite",
        "",
        f"{'':<24}{'bare websockets':>26}{'roundtable':>26}{'ratio':>9}  target",
    ]

    def cell(agg: dict[str, Any], name: str, fmt: str) -> str:
        m = agg[name]
        return f"{m['median']:{fmt}} [{m['min']:{fmt}}-{m['max']:{fmt}}]"

    rows = [
        ("CPU us / delivery", "cpu_us_per_delivery", ".1f", "<= 2"),
        ("edit-to-all p50 (ms)", "p50_ms", ".2f", ""),
        ("edit-to-all p99 (ms)", "p99_ms", ".2f", "<= 2"),
    ]
    for label, name, fmt, target in rows:
        lines.append(
            f"{label:<24}{cell(bare, name, fmt):>26}{cell(rt, name, fmt):>26}"
            f"{ratio[name]:>9.2f}  {target}"
        )
    lines.append(
        f"{'delivered / expected':<24}{cell(bare, 'delivered_ratio', '.4f'):>26}"
        f"{cell(rt, 'delivered_ratio', '.4f'):>26}{'':>9}  = 1"
    )
    lines.append(f"{'faults (gaps, dups...)':<24}{bare['faults']:>26}{rt['faults']:>26}{'':>11}= 0")
    verdict = {
        "delivery": bare["correct"] and rt["correct"],
        "cpu": ratio["cpu_us_per_delivery"] <= 2,
        "p99": ratio["p99_ms"] <= 2,
    }
    load = results["load_average_1min"]
    lines.append("")
    lines.append(
        f"code {results['code']}; 1-min load average {load['before']:.1f} before,"
        f" {load['after']:.1f} after (a busy machine widens the latency tails)"
    )
    lines.append(
        "targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in verdict.items())
    )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": {p: version(p) for p in ("websockets", "uvicorn", "fastapi", "uvloop")},
    }


def code_version() -> str:
    """The commit measured, marked ``-dirty`` when the work tree differs from it."""
    describe = ["git", "describe", "--always", "--dirty"]
    done = subprocess.run(describe, cwd=BENCH.parent, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description="Fan-out bench: Roundtable vs bare websockets")
    parser.add_argument("--quick", action="store_true", help="4 x 5 members, one 3 s trial")
    parser.add_argument("--trials", type=int, help="trials per server")
    parser.add_argument("--rate", type=float, help="ops per second over all writers")
    parser.add_argument("--duration", type=float, help="measured seconds per trial")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    parser.add_argument("--output", type=Path, help="JSON results file (default: bench/results/)")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="postgres: N Roundtable processes on PostgreSQL against one on SQLite",
    )
    parser.add_argument(
        "--processes",
        default="1,2,4",
        help="with --database postgres: process counts, comma-separated (default 1,2,4)",
    )
    args = parser.parse_args()
    scenario = QUICK if args.quick else FULL
    overrides = {"trials": args.trials, "rate": args.rate, "duration_s": args.duration}
    scenario = replace(scenario, **{k: v for k, v in overrides.items() if v is not None})

    postgres = args.database == "postgres"
    if postgres:
        processes = [int(n) for n in args.processes.split(",") if n.strip()]
        results = run_pg(scenario, not args.no_pin, processes)
    else:
        results = run(scenario, pinned=not args.no_pin)
    output = args.output
    if output is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        kind = "fanout-pg" if postgres else "fanout"
        output = RESULTS / f"{kind}-{stamp}{'-quick' if args.quick else ''}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(report_pg(results) if postgres else report(results))
    print(f"\nresults: {output}")
    return 0 if all(summary["correct"] for summary in results["summary"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
