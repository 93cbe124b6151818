"""Live editing while a big export renders: edit-to-all p99 with and without an export running.

A real ``roundtable serve`` on SQLite holds a workshop in breakout whose consolidated
checklist has 2,000 items (imported as ``roundtable/v1``). Live editors retitle their
group's items at a steady rate over WebSockets, and every member of the group must
receive each edit (the fan-out bench's load client, ``fanout_load.py``, with its ledger of
gaps, duplicates and losses). Each trial runs one of three scenarios:

- ``none``: live editing only (the baseline);
- ``pdf`` / ``docx``: the same, while a facilitator downloads the 2,000-item checklist in
  that format over and over (``GET /api/workshops/{id}/export/{fmt}``), so a render is
  running through the whole measured window;
- ``pdf1`` / ``docx1``: one download at a time with a pause of ``PAUSE_S`` between, and
  the figures are taken over the edits sent while a download was in progress (request
  sent to file received): live editing while *a* 2,000-item PDF renders.

Scenarios alternate within a round so drifting machine load hits them alike; the figure
per scenario is the median over trials of the p99 edit-to-all latency, and the ratio is
that median against the ``none`` median of the same server configuration.

Server configurations differ only in the render pool's environment
(``ROUNDTABLE_EXPORT_WORKERS``, ``ROUNDTABLE_EXPORT_NICE``), so one run shows what each
change to the worker buys. Nothing is pinned: the server, its render worker and this
client share the machine's cores, as they would on a small server.

    .venv/bin/python bench/export_under_load.py                  # every configuration
    .venv/bin/python bench/export_under_load.py --configs now --trials 1 --duration 10
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "backend"))

import fanout_load  # noqa: E402
from fanout import code_version, machine, run_async  # noqa: E402
from fanout_load import LoadSpec, percentile, run_load  # noqa: E402
from fanout_setup import (  # noqa: E402
    FACILITATOR,
    Room,
    Roundtable,
    ServerProcess,
    Workshop,
    _client,
    _ok,
    join,
)

from roundtable.vocab import ACTORS, DEFAULT_THEMES  # noqa: E402

RESULTS = BENCH / "results"
SCENARIOS = ("none", "pdf1", "pdf")
# "csv" renders in a fraction of a second: its trials put the server's own share of an
# export (reading the checklist, handing it to the worker, sending the file) under load.
FORMATS = ("pdf", "docx", "csv")
# "pdf1": one render at a time with a pause between, figures over the edits sent while
# a render was in progress (the "while a 2,000-item PDF renders"); "pdf" etc.:
# renders back to back, figures over the whole window.
SINGLE = {"pdf1": "pdf", "docx1": "docx"}
PAUSE_S = 1.5  # between single renders: the machine settles before the next one
# The render pool's settings per configuration: what the worker did before this bench
# (two processes at normal priority), one process at normal priority, and the defaults.
CONFIGS: dict[str, dict[str, str]] = {
    "before": {"ROUNDTABLE_EXPORT_WORKERS": "2", "ROUNDTABLE_EXPORT_NICE": "0"},
    "one-worker": {"ROUNDTABLE_EXPORT_WORKERS": "1", "ROUNDTABLE_EXPORT_NICE": "0"},
    "now": {"ROUNDTABLE_EXPORT_WORKERS": "1", "ROUNDTABLE_EXPORT_NICE": "10"},
    "nice-19": {"ROUNDTABLE_EXPORT_WORKERS": "1", "ROUNDTABLE_EXPORT_NICE": "19"},
}
# With one download at a time the pool's size changes nothing: "one-worker" differs from
# "before" only with --downloaders 2 (two people downloading at once).
DEFAULT_CONFIGS = ["before", "now", "nice-19"]
TEXTS = (
    "Screen every arrival at the border for signs of trafficking before any removal",
    "การคัดกรองผู้เสียหายจากการค้ามนุษย์ ณ ด่านชายแดนโดยมีล่ามร่วมด้วย",
    "Penyaringan korban perdagangan orang di pelabuhan dengan penerjemah",
)


@dataclass(frozen=True)
class Scenario:
    items: int = 2000
    rooms: int = 3
    members: int = 6  # per room
    writers: int = 2  # per room
    rate: float = 20.0  # edits per second over all writers
    warmup_s: float = 3.0
    duration_s: float = 20.0
    trials: int = 3
    downloaders: int = 1
    scenarios: tuple[str, ...] = SCENARIOS


def workshop_document(scenario: Scenario) -> dict[str, Any]:
    """A workshop in breakout: groups with an item per writer, and a consolidated
    checklist of ``scenario.items`` items in English, Thai and Bahasa Indonesia."""
    themes: list[dict[str, Any]] = []
    for key, label, _, subs in DEFAULT_THEMES:
        themes.append({"key": key, "label": label, "parent": None})
        themes += [{"key": k, "label": sub, "parent": key} for k, sub in subs]
    actors = list(ACTORS)
    groups = [
        {
            "name": f"Group {g + 1}",
            "items": [
                {"ref": f"G{g}W{w}", "kind": "need", "title": f"Item {w + 1} of group {g + 1}"}
                for w in range(scenario.writers)
            ],
        }
        for g in range(scenario.rooms)
    ]
    consolidated = []
    for n in range(scenario.items):
        text = TEXTS[n % len(TEXTS)]
        consolidated.append(
            {
                "ref": f"K{n + 1}",
                "kind": ("need", "response", "practice")[n % 3],
                "themes": [themes[n % len(themes)]["key"]],
                "title": f"{text} ({n + 1})",
                "detail": " ".join([text] * 4),
                "actors": actors[n % 5 : n % 5 + 2],
                "references": ["ACTIP Art. 14", "Palermo Protocol Art. 6"][: n % 3],
            }
        )
    return {
        "format": "roundtable/v1",
        "workshop": {"title": "Export under load", "phase": "breakout", "venue": "Bangkok"},
        "themes": themes,
        "groups": groups,
        "consolidated": consolidated,
    }


def facilitator_session(base_url: str) -> dict[str, str]:
    """Cookies and headers of a signed-in facilitator."""
    with _client(base_url) as fac:
        email, password = FACILITATOR
        _ok(fac.post("/api/auth/login", json={"email": email, "password": password}))
        return {
            "Cookie": "; ".join(f"{k}={v}" for k, v in fac.cookies.items()),
            "X-CSRF-Token": fac.cookies["rt_csrf"],
        }


def seed(base_url: str, scenario: Scenario) -> Workshop:
    session = facilitator_session(base_url)
    with _client(base_url) as fac:
        fac.headers.update(session)
        document = workshop_document(scenario)
        imported = fac.post("/api/workshops/import", json=document, timeout=900)
        wid = _ok(imported, 201)["id"]
        groups = _ok(fac.get(f"/api/workshops/{wid}/groups"))
        rooms = []
        for group in groups:
            checklist = group["checklist_id"]
            listed = _ok(fac.get(f"/api/workshops/{wid}/checklists/{checklist}/items"))
            items = listed["items"] if isinstance(listed, dict) else listed
            cookies = [join(base_url, group, m) for m in range(scenario.members)]
            rooms.append(Room(checklist, [i["id"] for i in items][: scenario.writers], cookies))
    return Workshop(wid, rooms)


@dataclass
class Exporter:
    """Downloads the checklist in one format, again and again, until stopped, from a
    process of its own: a download thread inside the load client would hold that process's
    GIL while it reads megabytes and delay the receipts the client timestamps, so the
    bench would measure itself."""

    base_url: str
    workshop_id: int
    fmt: str
    headers: dict[str, str]
    pause_s: float = 0.0  # between downloads
    # Each download's start and end on ``time.perf_counter`` (CLOCK_MONOTONIC, so the
    # same clock as the load client's in the parent process).
    spans: list[tuple[float, float]] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _process: BaseProcess | None = None
    _stop: Any = None
    _results: Any = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._results = context.Queue()
        self._process = context.Process(
            target=_download_loop,
            args=(
                self.base_url,
                self.workshop_id,
                self.fmt,
                self.headers,
                self.pause_s,
                self._stop,
                self._results,
            ),
            daemon=True,
        )
        self._process.start()

    def download(self) -> None:
        """One download from this process (the warm-up before the trials)."""
        _download(
            self.base_url,
            self.workshop_id,
            self.fmt,
            self.headers,
            self.spans,
            self.sizes,
            self.errors,
        )
        self.durations[:] = [end - start for start, end in self.spans]

    def stop(self) -> None:
        if self._process is None:
            return
        self._stop.set()
        try:
            spans, sizes, errors = self._results.get(timeout=300)
        except queue.Empty:
            self.errors.append("the download process sent no results")
        else:
            self.spans.extend(spans)
            self.durations.extend(end - start for start, end in spans)
            self.sizes.extend(sizes)
            self.errors.extend(errors)
        self._process.join(30)


def _download_loop(
    base_url: str,
    workshop_id: int,
    fmt: str,
    headers: dict[str, str],
    pause_s: float,
    stop: Any,
    results: Any,
) -> None:
    """The download process: one download after another (``pause_s`` apart) until
    ``stop`` is set; then what it measured goes back through ``results``."""
    spans: list[tuple[float, float]] = []
    sizes: list[int] = []
    errors: list[str] = []
    while not stop.is_set():
        _download(base_url, workshop_id, fmt, headers, spans, sizes, errors)
        if errors:
            time.sleep(0.5)
        if pause_s:
            stop.wait(pause_s)
    results.put((spans, sizes, errors))


def _download(
    base_url: str,
    workshop_id: int,
    fmt: str,
    headers: dict[str, str],
    spans: list[tuple[float, float]],
    sizes: list[int],
    errors: list[str],
) -> None:
    with _client(base_url) as client:
        client.headers.update(headers)
        started = time.perf_counter()
        response = client.get(f"/api/workshops/{workshop_id}/export/{fmt}", timeout=300)
        if response.status_code != 200:
            errors.append(f"{response.status_code} {response.text[:200]}")
            return
        spans.append((started, time.perf_counter()))
        sizes.append(len(response.content))


# The load client summarises its ledger inside ``run_load``; the single-render trials
# also need each edit's send time and edit-to-all latency, so the summary is wrapped to
# keep them (measured edits that reached every member of their room).
_EDITS: list[tuple[float, float]] = []
_summarise = fanout_load.summarise


def _summarise_keeping_edits(ledger: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    _EDITS[:] = [
        (s.at, s.last_at - s.at)
        for s in ledger.sent.values()
        if s.measured and s.receipts == ledger.room_sizes[s.room]
    ]
    result: dict[str, Any] = _summarise(ledger, *args, **kwargs)
    return result


fanout_load.summarise = _summarise_keeping_edits


def during(edits: list[tuple[float, float]], spans: list[tuple[float, float]]) -> dict[str, float]:
    """Edit-to-all latency (ms) of the edits sent while a download was in progress."""
    inside = [latency for at, latency in edits if any(a <= at <= b for a, b in spans)]
    return {
        "p50": percentile(inside, 50) * 1000,
        "p99": percentile(inside, 99) * 1000,
        "max": max(inside, default=float("nan")) * 1000,
        "events": len(inside),
    }


def run_trial(
    server: ServerProcess,
    workshop: Workshop,
    scenario: Scenario,
    which: str,
    session: dict[str, str],
) -> dict[str, Any]:
    ws_url = f"ws://127.0.0.1:{server.port}/api/ws"
    load = LoadSpec(
        workshop_id=workshop.id,
        origin=server.origin,
        members=workshop.members(lambda _room: ws_url, cookies=True),
        rate=scenario.rate,
        warmup_s=scenario.warmup_s,
        duration_s=scenario.duration_s,
    )
    count = scenario.downloaders if which != "none" else 0
    fmt, pause = (SINGLE[which], PAUSE_S) if which in SINGLE else (which, 0.0)
    exporters = [
        Exporter(server.origin, workshop.id, fmt, session, pause_s=pause) for _ in range(count)
    ]
    for exporter in exporters:
        exporter.start()
    try:
        result = run_async(run_load(load, server.cpu_s))
    finally:
        for exporter in exporters:
            exporter.stop()
    result["load_average_1min"] = os.getloadavg()[0]
    if exporters:
        spans = [span for e in exporters for span in e.spans]
        result["exports"] = {
            "finished": sum(len(e.durations) for e in exporters),
            "seconds": [d for e in exporters for d in e.durations],
            "bytes": [b for e in exporters for b in e.sizes],
            "errors": [x for e in exporters for x in e.errors],
        }
        result["during_render_ms"] = during(_EDITS, spans)
    return result


def run_config(
    name: str, env: dict[str, str], scenario: Scenario, work: Path, workshop: Workshop | None
) -> tuple[dict[str, Any], Workshop]:
    """Every trial of one configuration, against its own server process (on the database
    in ``work``, seeded by the first configuration)."""
    roundtable = Roundtable(work)
    roundtable.env.update(env)
    server = roundtable.server()
    scenarios = scenario.scenarios
    trials: dict[str, list[dict[str, Any]]] = {s: [] for s in scenarios}
    load_before = os.getloadavg()[0]
    # A busy machine can take a while to import the app: wait longer than fanout.py does.
    server.start(None, timeout=180)
    try:
        if workshop is None:
            workshop = seed(server.origin, scenario)
        session = facilitator_session(server.origin)
        # One render of each format first: the worker process starts and warms up here,
        # not inside a measured trial.
        warm = {}
        for fmt in dict.fromkeys(SINGLE.get(s, s) for s in scenarios if s != "none"):
            exporter = Exporter(server.origin, workshop.id, fmt, session)
            exporter.download()
            if exporter.errors:
                raise RuntimeError(f"{fmt} export failed: {exporter.errors[0]}")
            warm[fmt] = exporter.durations[0]
        alone = ", ".join(f"{k} {v:.1f} s" for k, v in warm.items())
        print(f"[{name}] {env}; first render: {alone}", flush=True)
        for n in range(scenario.trials):
            order = scenarios if n % 2 == 0 else tuple(reversed(scenarios))
            for which in order:
                result = run_trial(server, workshop, scenario, which, session)
                trials[which].append(result)
                print(f"  [{name}] trial {n + 1} {which:<5} {one_line(result)}", flush=True)
    finally:
        server.stop()
    return {
        "env": env,
        "alone_s": warm,
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "trials": trials,
        "summary": summarise(trials),
    }, workshop


def latency(result: dict[str, Any]) -> dict[str, float]:
    """The trial's edit-to-all figures: over the edits sent during a download for the
    single-render scenarios, over the whole window for the others."""
    figures: dict[str, float] = result.get("during_render_ms") or result["edit_to_all_ms"]
    return figures


def p99(result: dict[str, Any]) -> float:
    return float(latency(result)["p99"])


def is_correct(result: dict[str, Any]) -> bool:
    faults = sum(result["faults"].values())
    exports_ok = not result.get("exports", {}).get("errors")
    return bool(result["drained"]) and faults == 0 and exports_ok


def summarise(trials: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    medians = {s: statistics.median(p99(r) for r in rs) for s, rs in trials.items() if rs}
    p50s = {s: statistics.median(latency(r)["p50"] for r in rs) for s, rs in trials.items() if rs}
    base = medians.get("none", float("nan"))
    return {
        "p99_ms_median": medians,
        "p99_ms_min": {s: min(p99(r) for r in rs) for s, rs in trials.items() if rs},
        "p99_ms_max": {s: max(p99(r) for r in rs) for s, rs in trials.items() if rs},
        "p50_ms_median": p50s,
        "ratio_p99": {s: medians[s] / base for s in medians if s != "none"},
        "correct": all(is_correct(r) for rs in trials.values() for r in rs),
        "exports_finished": {
            s: sum(r.get("exports", {}).get("finished", 0) for r in rs) for s, rs in trials.items()
        },
        "server_cpu_ms_per_download": cpu_per_download(trials),
    }


def cpu_per_download(trials: dict[str, list[dict[str, Any]]]) -> dict[str, float]:
    """The server process's own CPU per download (ms): a trial's server CPU over the
    median of the trials with no export, per download finished in it; median over trials.
    What the server spends on a download competes with live editing for the GIL."""
    idle = [r["server_cpu_s"] for r in trials.get("none", [])]
    if not idle:
        return {}
    base = statistics.median(idle)
    per: dict[str, float] = {}
    for s, rs in trials.items():
        each = [
            (r["server_cpu_s"] - base) * 1000 / r["exports"]["finished"]
            for r in rs
            if s != "none" and r.get("exports", {}).get("finished")
        ]
        if each:
            per[s] = statistics.median(each)
    return per


def one_line(r: dict[str, Any]) -> str:
    lat = latency(r)
    exports = r.get("exports")
    tail = f"  exports {exports['finished']}" if exports else ""
    if "during_render_ms" in r:
        tail += f" ({lat['events']:.0f} edits during them)"
    return (
        f"edit-to-all p50 {lat['p50']:6.1f} ms  p99 {lat['p99']:7.1f} ms  "
        f"delivered {r['delivered_ratio']:.3f}  faults {sum(r['faults'].values())}  "
        f"load {r['load_average_1min']:.1f}{tail}"
    )


def report(results: dict[str, Any]) -> str:
    sc = results["scenario"]
    load = results["load_average_1min"]
    exports = [s for s in sc["scenarios"] if s != "none"]
    lines = [
        f"{sc['items']} items; {sc['rate']:g} edits/s; {sc['trials']} trials x "
        f"{sc['duration_s']:g} s; {sc['downloaders']} download(s) at a time; load "
        f"{load['before']:.1f} -> {load['after']:.1f}",
        "p99 edit-to-all (ms), median [min-max] over trials, and the medians' ratio to no"
        " export (pdf1, docx1: edits sent while a single render was in progress):",
        f"{'config':<12}{'none':>16}"
        + "".join(f"{fmt:>16}{fmt + '/none':>11}" for fmt in exports)
        + "  first render  correct",
    ]
    for name, config in results["configs"].items():
        s = config["summary"]
        m, ratio = s["p99_ms_median"], s["ratio_p99"]
        low, high = s["p99_ms_min"], s["p99_ms_max"]

        def cell(key: str) -> str:
            return f"{m[key]:.0f} [{low[key]:.0f}-{high[key]:.0f}]"  # noqa: B023

        first = ", ".join(f"{k} {v:.1f} s" for k, v in config["alone_s"].items())
        lines.append(
            f"{name:<12}{cell('none'):>16}"
            + "".join(f"{cell(fmt):>16}{ratio[fmt]:11.2f}" for fmt in exports)
            + f"  {first}  {'yes' if s['correct'] else 'NO'}"
        )
        cpu = s.get("server_cpu_ms_per_download", {})
        if cpu:
            lines.append(
                f"{'':<12}server CPU per download: "
                + ", ".join(f"{fmt} {cpu[fmt]:.1f} ms" for fmt in exports if fmt in cpu)
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="+", choices=list(CONFIGS), default=DEFAULT_CONFIGS)
    parser.add_argument(
        "--downloaders", type=int, default=1, help="concurrent downloads during export trials"
    )
    parser.add_argument("--trials", type=int, default=Scenario.trials)
    parser.add_argument("--duration", type=float, default=Scenario.duration_s)
    parser.add_argument("--rate", type=float, default=Scenario.rate)
    parser.add_argument("--items", type=int, default=Scenario.items)
    parser.add_argument(
        "--scenarios", nargs="+", choices=("none", *FORMATS, *SINGLE), default=list(SCENARIOS)
    )
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    scenario = Scenario(
        items=args.items,
        rate=args.rate,
        duration_s=args.duration,
        trials=args.trials,
        downloaders=args.downloaders,
        scenarios=tuple(dict.fromkeys(["none", *args.scenarios])),
    )
    load_before = os.getloadavg()[0]
    configs = {}
    workshop = None
    with tempfile.TemporaryDirectory(prefix="rt-export-load-") as tmp:
        work = Path(tmp)
        Roundtable(work).prepare()
        for name in args.configs:
            configs[name], workshop = run_config(name, CONFIGS[name], scenario, work, workshop)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": asdict(scenario),
        "machine": machine(),
        "code": code_version(),
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "configs": configs,
    }
    output = args.output or RESULTS / f"export-load-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(report(results))
    print(f"\nresults: {output}")
    return 0 if all(c["summary"]["correct"] for c in configs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
