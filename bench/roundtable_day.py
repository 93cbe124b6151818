"""Roundtable day: a whole breakout session on one small machine, against a bare
``websockets`` broadcast server in the same run.

The day (issue 8): 300 participants in 12 groups, 60 of them writing steadily (one edit a
second each, 60 ops/s), 5 facilitators with the dashboard open (their connections see
every group; their browsers read the dashboard's REST endpoints every 2 s) who also merge
items of a second workshop into its consolidated checklist, one merge every 1.5 s. Per trial,
on a fresh ``roundtable serve`` (SQLite; PostgreSQL with ``--database-url``):

- *steady*: delivered / expected, gaps, order, duplicates, strays; edit-to-all p50/p99
  and server CPU per delivery, each as a ratio to the bare server under the same
  participants and facilitators (``day_bare.py``); the server's responsiveness (a ping's
  round trip every 100 ms) and the client's loop lag;
- *slow reader*: one facilitator's laptop stops reading; the server must close it (4008,
  or a drop once the close frame cannot get through) and everyone else's delivery p99
  must stay within 10 % of the steady phase's; then it reconnects and catches up;
- *export during load* and *300 joins in 2 s*: live clients' delivery p99 against the
  steady phase's (target: no more than 2x). The newcomers run in a client process of
  their own (``day_newcomers.py``) on the load client's core, so they do not hold up the
  loop that times the live clients; its loop lag is reported beside the load client's.

Then the *step test*: writers per group raised until edit-to-all p99 passes 250 ms or
delivery falls behind, on both servers, with each step's server and client core use.

Everything is the median of ``--trials`` trials with min and max; the results file has
every trial. The exit status is 1 if any delivery was missing, duplicated, out of order
or stray, or the slow reader was not closed, on either server.

    .venv/bin/python bench/roundtable_day.py             # the full run: ~12 minutes
    .venv/bin/python bench/roundtable_day.py --quick     # small, one trial, < 60 s
    .venv/bin/python bench/roundtable_day.py --database-url postgresql://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from day_setup import Day, seed_days
from day_trial import Plan, Target, run_day, run_steps
from fanout import code_version, cores, machine, run_async
from fanout_pg import PostgresRoundtable, fresh_database
from fanout_setup import Roundtable, ServerProcess

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


@dataclass(frozen=True)
class Scenario:
    groups: int = 12
    members: int = 25  # participants per group
    writers: int = 5  # writers per group
    writer_rate: float = 1.0  # edits per second per writer
    facilitators: int = 5
    sources: int = 16  # items per group of the consolidation workshop
    merge_every_s: float = 1.5
    dashboard_every_s: float = 2.0
    warmup_s: float = 3.0
    steady_s: float = 15.0
    joins: int = 300
    joins_within_s: float = 2.0
    slow_timeout_s: float = 90.0
    send_timeout_s: float | None = None  # WS_SEND_TIMEOUT_S; None: the server's default
    detail_chars: int = 0  # random text sent with every edit (fills a stalled socket sooner)
    steps: tuple[int, ...] = (5, 10, 15, 20, 25)  # writers per group
    step_s: float = 8.0
    step_limit_ms: float = 250.0
    trials: int = 3
    joins_only: bool = False  # Roundtable only, and of its phases warm-up, steady and joins


FULL = Scenario()
QUICK = Scenario(
    groups=3, members=5, writers=2, writer_rate=4.0, facilitators=2, sources=4,
    merge_every_s=0.5, warmup_s=1.0, steady_s=2.0, joins=12, joins_within_s=1.0,
    slow_timeout_s=30.0, send_timeout_s=1.0, detail_chars=3000, steps=(), step_s=2.0,
    trials=1,
)  # fmt: skip


def plan_of(s: Scenario, *, steps: bool = False) -> Plan:
    return Plan(
        writers=s.writers, writer_rate=s.writer_rate, warmup_s=s.warmup_s,
        steady_s=s.step_s if steps else s.steady_s, merge_every_s=s.merge_every_s,
        dashboard_every_s=s.dashboard_every_s, joins=s.joins, joins_within_s=s.joins_within_s,
        slow_timeout_s=s.slow_timeout_s, drain_timeout_s=10.0 if steps else 30.0,
        detail_chars=s.detail_chars, joins_only=s.joins_only,
    )  # fmt: skip


# -- the servers -----------------------------------------------------------------------
def bare_day_server(work: Path) -> ServerProcess:
    argv = [sys.executable, str(BENCH / "day_bare.py")]
    return ServerProcess("bare", argv, work / "bare.log", dict(os.environ))


def roundtable_target(server: ServerProcess) -> Target:
    ws = f"ws://127.0.0.1:{server.port}/api/ws"
    return Target("roundtable", server.origin, lambda _room: ws, server.cpu_s, True)


def bare_target(server: ServerProcess) -> Target:
    base = f"ws://127.0.0.1:{server.port}"

    def url(room: int | None) -> str:
        return f"{base}/all" if room is None else f"{base}/room/{room}"

    return Target("bare", server.origin, url, server.cpu_s, False)


@contextmanager
def database(url: str | None, work: Path) -> Iterator[Roundtable]:
    """Roundtable on a fresh SQLite file in ``work``, or a fresh database on ``url``."""
    if url is None:
        yield Roundtable(work)
        return
    os.environ["ROUNDTABLE_TEST_PG_URL"] = url  # fresh_database() creates one there
    with fresh_database() as fresh:
        yield PostgresRoundtable(work, fresh)


# -- running ---------------------------------------------------------------------------
def run(scenario: Scenario, pinned: bool, database_url: str | None, output: Path) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    server_cpu, client_cpu = cores(pinned)
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
    trials: dict[str, list[dict[str, Any]]] = {"bare": [], "roundtable": []}
    steps: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="rt-day-") as tmp:
        work = Path(tmp)
        with database(database_url, work) as roundtable:
            if scenario.send_timeout_s is not None:
                roundtable.env["WS_SEND_TIMEOUT_S"] = str(scenario.send_timeout_s)
            started = time.monotonic()
            roundtable.prepare()
            days = seed(roundtable, scenario, server_cpu, count=scenario.trials)
            print(f"  seeded {len(days)} day(s) in {time.monotonic() - started:.0f} s", flush=True)
            for n in range(scenario.trials):
                order: tuple[str, ...] = ("bare", "roundtable")
                if n % 2:
                    order = ("roundtable", "bare")
                if scenario.joins_only:
                    order = ("roundtable",)
                for name in order:
                    server = roundtable.server() if name == "roundtable" else bare_day_server(work)
                    target = roundtable_target if name == "roundtable" else bare_target
                    with serving(server, server_cpu):
                        result = run_async(run_day(target(server), days[n], plan_of(scenario)))
                    trials[name].append(result)
                    print(f"  trial {n + 1} {name:<10} {one_line(result)}", flush=True)
                    partial = {"scenario": asdict(scenario), "trials": trials, "partial": True}
                    output.write_text(json.dumps(partial, indent=2) + "\n", encoding="utf-8")
            if scenario.steps:
                for name in ("bare", "roundtable"):
                    server = roundtable.server() if name == "roundtable" else bare_day_server(work)
                    target = roundtable_target if name == "roundtable" else bare_target
                    with serving(server, server_cpu):
                        steps[name] = run_steps_async(target(server), days[-1], scenario)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": asdict(scenario),
        "database": "postgresql" if database_url else "sqlite",
        "pinned": {"server_cpu": server_cpu, "client_cpu": client_cpu},
        "machine": machine(),
        "code": code_version(),
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "trials": trials,
        "steps": steps,
    }
    results["summary"] = summarise(results)
    return results


def seed(roundtable: Roundtable, s: Scenario, cpu: int | None, count: int) -> list[Day]:
    """The day's workshop, and a consolidation workshop per trial (see ``seed_days``)."""
    with serving(roundtable.server(), cpu) as server:
        return seed_days(
            server.origin, groups=s.groups, members=s.members, sources=s.sources,
            facilitators=s.facilitators, count=count,
        )  # fmt: skip


@contextmanager
def serving(server: ServerProcess, cpu: int | None) -> Iterator[ServerProcess]:
    """``fanout_setup.running`` with more time to start: on a machine this busy, an app
    process pinned to one shared core can take over 30 s to import and listen."""
    try:
        yield server.start(cpu, timeout=180)
    finally:
        server.stop()


def run_steps_async(target: Target, day: Day, s: Scenario) -> list[dict[str, Any]]:
    async def main() -> dict[str, Any]:
        return {"steps": await run_steps(target, day, s.steps, plan_of(s, steps=True),
                                         s.step_limit_ms)}  # fmt: skip

    return list(run_async(main())["steps"])


# -- summarising -----------------------------------------------------------------------
def stat(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def pick(path: str) -> Callable[[dict[str, Any]], float]:
    def get(result: dict[str, Any]) -> float:
        value: Any = result
        for part in path.split("."):
            value = value[part]
        return float(value)

    return get


def is_correct(r: dict[str, Any]) -> bool:
    ok = (
        r["delivered"] == r["expected"]
        and r["drained"]
        and not any(r["faults"].values())
        and r["newcomer_faults"] == 0
    )
    if r["target"] == "roundtable":
        joins = r["joins"]
        if "slow_reader" in r:
            slow = r["slow_reader"]
            ok = ok and slow["closed_by_server"] and slow["close_code"] in (4008, 1006)
        ok = ok and not joins["failures"] and not r["rest"]["failures"]
    return bool(ok)


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    trials = results["trials"]
    rt, bare = trials["roundtable"], trials["bare"]
    metrics = {
        "cpu_us_per_delivery": "steady_window.cpu_us_per_delivery",
        "p50_ms": "phases.steady.edit_to_all_ms.p50",
        "p99_ms": "phases.steady.edit_to_all_ms.p99",
        "ping_p99_ms": "phases.steady.ping_rtt_ms.p99",
        "client_loop_lag_p99_ms": "phases.steady.client_loop_lag_ms.p99",
    }
    out: dict[str, Any] = {"correct": {n: all(map(is_correct, t)) for n, t in trials.items() if t}}
    for name, path in metrics.items():
        get = pick(path)
        out[name] = {"roundtable": stat([get(r) for r in rt])}
        if bare:  # none with --joins-only
            out[name]["bare"] = stat([get(r) for r in bare])
            out[name]["ratio"] = out[name]["roundtable"]["median"] / out[name]["bare"]["median"]

    def within(phase: str) -> dict[str, float]:
        """Live clients' delivery p99 in ``phase`` over the steady phase's, per trial."""
        return stat([
            pick(f"phases.{phase}.delivery_others_ms.p99")(r)
            / pick("phases.steady.delivery_others_ms.p99")(r)
            for r in rt
        ])  # fmt: skip

    phases = [p for p in ("slow", "export", "joins") if all(p in r["phases"] for r in rt)]
    out["others_p99_vs_steady"] = {p: within(p) for p in phases}
    if "slow" in phases:
        out["slow_close_s"] = stat([r["slow_reader"]["stalled_s"] for r in rt])
    if "export" in phases:
        out["export_s"] = stat([r["export_s"] for r in rt])
    out["joins_others_p99_ms"] = stat([pick("phases.joins.delivery_others_ms.p99")(r) for r in rt])
    out["steady_others_p99_ms"] = stat(
        [pick("phases.steady.delivery_others_ms.p99")(r) for r in rt]
    )
    out["joins_client_loop_lag_p99_ms"] = stat(
        [pick("phases.joins.client_loop_lag_ms.p99")(r) for r in rt]
    )
    out["joins_newcomers_loop_lag_p99_ms"] = stat(
        [r["joins"].get("newcomers_loop_lag_ms", {}).get("p99", float("nan")) for r in rt]
    )
    out["joins_server_cpu_s"] = stat([r["joins"].get("server_cpu_s", float("nan")) for r in rt])
    out["joins_all_connected_s"] = stat([r["joins"]["all_connected_s"] for r in rt])
    out["join_to_welcome_p99_ms"] = stat([r["joins"]["join_to_welcome_ms"]["p99"] for r in rt])
    out["delivered"] = {n: [f"{r['delivered']}/{r['expected']}" for r in t] for n, t in
                        trials.items()}  # fmt: skip
    return out


def one_line(r: dict[str, Any]) -> str:
    steady = r["phases"]["steady"]
    line = (
        f"delivered {r['delivered']}/{r['expected']} faults {sum(r['faults'].values())}"
        f"  cpu {r['steady_window']['cpu_us_per_delivery']:.1f} us/delivery"
        f"  edit-to-all p50 {steady['edit_to_all_ms']['p50']:.2f} p99"
        f" {steady['edit_to_all_ms']['p99']:.2f} ms  ping p99 {steady['ping_rtt_ms']['p99']:.1f} ms"
    )
    if r["target"] == "roundtable" and "slow_reader" not in r:
        joins = r["joins"]
        line += (
            f"\n      {joins['joined']} joins, all in after {joins['all_connected_s']:.1f} s;"
            f" others' p99 steady/joins {steady['delivery_others_ms']['p99']:.1f}/"
            f"{r['phases']['joins']['delivery_others_ms']['p99']:.1f} ms; client loop lag p99"
            f" in joins {r['phases']['joins']['client_loop_lag_ms']['p99']:.0f} ms (newcomers'"
            f" process {joins.get('newcomers_loop_lag_ms', {}).get('p99', float('nan')):.0f} ms)"
        )
    elif r["target"] == "roundtable":
        slow, joins = r["slow_reader"], r["joins"]
        line += (
            f"\n      slow reader closed after {slow['stalled_s']:.1f} s (code"
            f" {slow['close_code']}); export {r['export_s']:.1f} s; {joins['joined']} joins,"
            f" all in after {joins['all_connected_s']:.1f} s; merges {r['merges']};"
            f" others' p99 steady/slow/export/joins "
            + "/".join(
                f"{r['phases'][p]['delivery_others_ms']['p99']:.1f}"
                for p in ("steady", "slow", "export", "joins")
            )
            + " ms"
        )
    return line


def report(results: dict[str, Any]) -> str:
    s, summary = results["scenario"], results["summary"]
    lines = [
        f"Roundtable day: {s['groups']} groups x {s['members']} participants,"
        f" {s['writers'] * s['groups']} writers at {s['writer_rate']:g} op/s,"
        f" {s['facilitators']} facilitators; {s['steady_s']:g} s steady; {s['trials']} trial(s);"
        f" {results['database']}",
        "",
        f"{'':<28}{'bare websockets':>26}{'roundtable':>26}{'ratio':>8}",
    ]
    rows = [("CPU us / delivery", "cpu_us_per_delivery", "1.6x"),
            ("edit-to-all p50 (ms)", "p50_ms", "1.5x"), ("edit-to-all p99 (ms)", "p99_ms", "2x"),
            ("ping round trip p99 (ms)", "ping_p99_ms", ""),
            ("client loop lag p99 (ms)", "client_loop_lag_p99_ms", "")]  # fmt: skip
    for label, name, target in rows:
        m = summary[name]
        cells = [f"{m[t]['median']:.2f} [{m[t]['min']:.2f}-{m[t]['max']:.2f}]" if t in m else "-"
                 for t in ("bare", "roundtable")]  # fmt: skip
        ratio = f"{m['ratio']:>8.2f}" if "ratio" in m else f"{'-':>8}"
        lines.append(f"{label:<28}{cells[0]:>26}{cells[1]:>26}{ratio}  {target}")
    for phase, bound in (("slow", 1.1), ("export", 2.0), ("joins", 2.0)):
        if phase not in summary["others_p99_vs_steady"]:
            continue
        m = summary["others_p99_vs_steady"][phase]
        lines.append(
            f"others' p99, {phase} / steady: {m['median']:.2f} [{m['min']:.2f}-{m['max']:.2f}]"
            f" (target <= {bound:g})"
        )
    for name in ("slow_close_s", "export_s", "joins_all_connected_s", "join_to_welcome_p99_ms",
                 "steady_others_p99_ms", "joins_others_p99_ms", "joins_client_loop_lag_p99_ms",
                 "joins_newcomers_loop_lag_p99_ms", "joins_server_cpu_s"):  # fmt: skip
        if name not in summary:
            continue
        m = summary[name]
        lines.append(f"{name}: {m['median']:.2f} [{m['min']:.2f}-{m['max']:.2f}]")
    lines.append(f"delivered: {summary['delivered']}; correct: {summary['correct']}")
    for name, steps in results["steps"].items():
        last = steps[-1] if steps else None
        if last is not None:
            lines.append(
                f"step test {name}: last step {last['writers']} writers ({last['rate']:g} ops/s),"
                f" p99 {last['edit_to_all_ms']['p99']:.1f} ms, server core"
                f" {last['server_core_busy']:.0%}, client core {last['client_core_busy']:.0%}"
            )
    load = results["load_average_1min"]
    lines.append(
        f"code {results['code']}; load average {load['before']:.1f} -> {load['after']:.1f}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, one trial, < 60 s")
    parser.add_argument("--trials", type=int)
    parser.add_argument("--steady", type=float, help="seconds of the steady phase")
    parser.add_argument("--no-steps", action="store_true", help="leave out the step test")
    parser.add_argument(
        "--joins-only",
        action="store_true",
        help="Roundtable only (no bare trials), warm-up, steady and the joins (no slow reader,"
        " no export); with the step test unless --no-steps",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    parser.add_argument("--database-url", help="PostgreSQL server: a fresh database made there")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    scenario = QUICK if args.quick else FULL
    overrides = {"trials": args.trials, "steady_s": args.steady}
    scenario = replace(scenario, **{k: v for k, v in overrides.items() if v is not None})
    if args.no_steps:
        scenario = replace(scenario, steps=())
    if args.joins_only:
        scenario = replace(scenario, joins_only=True)
    output = args.output or RESULTS / (
        f"roundtable-day-{datetime.now(UTC):%Y%m%d-%H%M%S}{'-quick' if args.quick else ''}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    results = run(scenario, not args.no_pin, args.database_url, output)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(report(results))
    print(f"\nresults: {output}")
    return 0 if all(results["summary"]["correct"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
