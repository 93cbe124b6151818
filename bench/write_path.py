"""The write path alone, in-process: server CPU per ``item.update`` op through ``submit``.

    .venv/bin/python bench/write_path.py                  # SQLite, ~1 minute
    .venv/bin/python bench/write_path.py --ops 500 --trials 3
    .venv/bin/python bench/write_path.py --database postgres
    .venv/bin/python bench/write_path.py --dir /dev/shm   # SQLite on tmpfs: no disk fsync

A fresh database (SQLite in a temporary directory, ``synchronous=FULL`` as served; or a
fresh PostgreSQL database on ``ROUNDTABLE_TEST_PG_URL``) holds one workshop in breakout,
one group with its checklist, one participant and five items. The participant retitles
the items round-robin with ``item.update`` (``Edit <client>/<op>``, as the fan-out bench
does), each op with its own client op id:

- ``single``: one op per transaction (``submit_batch`` of one op, as the writer thread
  runs an op that waits alone; ``submit`` on PostgreSQL);
- ``batch8``: eight ops per transaction (``submit_batch``, group commit).

Each mode runs ``--warmup`` ops, then ``--trials`` trials of ``--ops`` ops; a trial's
figure is the process's CPU time (``time.process_time``: user + system, all threads)
divided by the ops, and the median of the trials is reported with [min-max]. Wall time
per op is shown too (it includes the fsync). No notifier and no hub: this is
``sync.submit`` and the item handler, nothing of the fan-out.

Only public names of ``roundtable.sync.service`` are used, so the same file measures any
commit: ``PYTHONPATH=<exported tree>/backend .venv/bin/python bench/write_path.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import Engine
from sqlmodel import Session

from roundtable.checklists.models import Checklist, Item
from roundtable.db import make_engine
from roundtable.groups.models import Group, Member
from roundtable.models import metadata
from roundtable.ops import build_registry
from roundtable.sync import service
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import OpRequest, Submitted, submit, submit_batch
from roundtable.workshops.models import Workshop

ITEMS = 5


class Scene:
    def __init__(self, engine: Engine, registry: OpRegistry) -> None:
        self.engine = engine
        self.registry = registry
        with Session(engine) as s:
            workshop = Workshop(title="Write path bench", phase="breakout")
            s.add(workshop)
            s.flush()
            assert workshop.id is not None
            group = Group(workshop_id=workshop.id, name="G", join_code="BENCH0001", position="a0")
            s.add(group)
            s.flush()
            checklist = Checklist(workshop_id=workshop.id, group_id=group.id, title="G")
            member = Member(
                workshop_id=workshop.id, group_id=group.id, display_name="Writer", number=1
            )
            s.add_all([checklist, member])
            s.flush()
            assert checklist.id is not None and member.id is not None
            self.items = [f"bench-item-{i:04d}" for i in range(ITEMS)]
            for i, item_id in enumerate(self.items):
                s.add(
                    Item(
                        id=item_id,
                        workshop_id=workshop.id,
                        checklist_id=checklist.id,
                        kind="need",
                        title=f"Item {i}",
                        position=f"a{i}",
                    )
                )
            s.commit()
            self.workshop_id, self.member_id = workshop.id, member.id
        # As the writer thread runs them: on one connection it keeps (where the code has one).
        held = getattr(service, "HeldConnection", None)
        self.writer_args: dict[str, Any] = {"held": held(engine)} if held else {}
        self.client_id = "bench-writer"
        self.op_id = 0

    def next_op(self) -> OpRequest:
        self.op_id += 1
        item_id = self.items[self.op_id % ITEMS]
        args = {"id": item_id, "title": f"Edit {self.client_id}/{self.op_id}"}
        return OpRequest(
            self.workshop_id, self.member_id, "item.update", args, self.client_id, self.op_id
        )


def run_single(scene: Scene, n: int, sqlite: bool, gap_s: float = 0.0) -> None:
    """``gap_s``: a pause before each op, as between ops arriving at a steady rate (the
    pause costs no CPU; the op after it finds the caches colder)."""
    for _ in range(n):
        if gap_s:
            time.sleep(gap_s)
        req = scene.next_op()
        if sqlite:
            [result] = submit_batch(scene.engine, scene.registry, None, [req], **scene.writer_args)
        else:
            result = submit(
                scene.engine,
                scene.registry,
                None,
                workshop_id=req.workshop_id,
                member_id=req.member_id,
                kind=req.kind,
                args=req.args,
                client_id=req.client_id,
                op_id=req.op_id,
            )
        _check(result)


def run_batch8(scene: Scene, n: int, sqlite: bool) -> None:
    for _ in range(n // 8):
        for result in submit_batch(
            scene.engine,
            scene.registry,
            None,
            [scene.next_op() for _ in range(8)],
            **scene.writer_args,
        ):
            _check(result)


def _check(result: Any) -> None:
    if not isinstance(result, Submitted) or result.duplicate or result.event is None:
        raise SystemExit(f"an op did not go through: {result!r}")


def measure(fn: Callable[[int], None], ops: int) -> tuple[float, float]:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    fn(ops)
    cpu1, wall1 = time.process_time(), time.perf_counter()
    return (cpu1 - cpu0) / ops * 1e6, (wall1 - wall0) / ops * 1e6


@contextmanager
def database(kind: str, where: Path | None = None) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="rt-write-path-", dir=where) as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return
    import psycopg

    base = os.environ.get("ROUNDTABLE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"rt_write_path_{os.getpid()}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description="CPU per item.update op through submit")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--ops", type=int, default=1000, help="ops per trial (multiple of 8)")
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--dir", type=Path, help="where the SQLite file goes (default: the temporary directory)"
    )
    parser.add_argument(
        "--gap-ms",
        type=float,
        default=0.0,
        help="also time single ops this far apart (the fan-out bench: 16.7 ms at 60 ops/s)",
    )
    opts = parser.parse_args()
    ops = max(8, opts.ops - opts.ops % 8)
    figures: dict[str, Any] = {
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "database": opts.database,
        "ops_per_trial": ops,
        "trials": opts.trials,
        "modes": {},
    }
    figures["dir"] = str(opts.dir) if opts.dir else tempfile.gettempdir()
    with database(opts.database, opts.dir) as url:
        engine = make_engine(url)
        metadata.create_all(engine)
        sqlite = opts.database == "sqlite"
        scene = Scene(engine, build_registry())
        modes: dict[str, Callable[[int], None]] = {
            "single": lambda n: run_single(scene, n, sqlite),
            "batch8": lambda n: run_batch8(scene, n, sqlite),
        }
        if opts.gap_ms > 0:
            gap = opts.gap_ms / 1000
            modes[f"gap{opts.gap_ms:g}ms"] = lambda n: run_single(scene, n, sqlite, gap)
        for name, fn in modes.items():
            fn(max(8, opts.warmup - opts.warmup % 8))
            trials = [measure(fn, ops) for _ in range(opts.trials)]
            cpu = [t[0] for t in trials]
            wall = [t[1] for t in trials]
            figures["modes"][name] = {"cpu_us": cpu, "wall_us": wall}
            print(
                f"{name:9s} CPU {statistics.median(cpu):7.1f} µs/op [{min(cpu):.1f}-{max(cpu):.1f}]"
                f"   wall {statistics.median(wall):7.1f} µs/op [{min(wall):.1f}-{max(wall):.1f}]",
                flush=True,
            )
        engine.dispose()
    if opts.json:
        opts.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
