"""One hostile workshop, rendered once in every format and shared by the format tests.

PDF compiles are the slow part, so everything is built once per test run (package scope).
The snapshot read from the database gets an edition and items the write path cannot hold
(a 10,000-character title; leading tab, CR and NUL), the renderers must survive them too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from roundtable.db import make_engine, read_session
from roundtable.exports.formats import FORMATS, render
from roundtable.exports.model import EditionInfo, ExportItem, Snapshot, build_snapshot
from tests.exports.world import World, build_world
from tests.support import create_schema

EDITION = EditionInfo(
    number=7, title="Bangkok follow-up", published_at=datetime(2014, 7, 15, tzinfo=UTC)
)
LONG_TITLE = ("Protection and reintegration " * 345)[:9_900] + "Q" * 100
EXTRA_ITEMS = (
    ExportItem(
        ref="K90", kind="need", title="@SUM(A1:A9)", detail="\t=1+1", references=("\r=2+2",)
    ),
    ExportItem(ref="K91", kind="response", title=LONG_TITLE, detail="\0=3+3"),
)


@dataclass(frozen=True)
class Rendered:
    world: World
    snapshot: Snapshot
    files: dict[str, bytes]
    paths: dict[str, Path]


@pytest.fixture(scope="package")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('exports') / 'roundtable.sqlite3'}"
    create_schema(url)
    engine = make_engine(url)
    try:
        yield url, build_world(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="package")
def rendered(sqlite_world: tuple[str, World], tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    url, world = sqlite_world
    engine = make_engine(url)
    with read_session(engine) as session:
        snapshot = build_snapshot(session, world.workshop_id)
    engine.dispose()
    snapshot = dataclasses.replace(snapshot, edition=EDITION, items=snapshot.items + EXTRA_ITEMS)
    folder = tmp_path_factory.mktemp("rendered")
    files = {fmt: render(fmt, snapshot) for fmt in FORMATS}
    paths = {}
    for fmt, content in files.items():
        paths[fmt] = folder / f"checklist.{FORMATS[fmt].extension}"
        paths[fmt].write_bytes(content)
    return Rendered(world, snapshot, files, paths)
