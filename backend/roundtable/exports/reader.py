"""The render worker reads what it renders, on a database connection of its own.

Whatever the server process does for a download competes with live editing for the GIL:
reading 2,000 rows, pickling them to the worker, even the garbage collections those
allocations set off (``bench/export_under_load.py`` measures it). So for a download the
server only authorises the request and checks its filter; it hands the worker a
:class:`ChecklistQuery` (an id, the filter, where the database is; publishing's
``EditionQuery`` likewise for an edition), and the worker reads the rows in one read
transaction of its own and assembles the snapshot: both are ``SnapshotSource``, which
``formats.render`` assembles in the worker.

The worker's connection is read-only: SQLite's ``mode=ro`` (the file cannot be written
through it whatever runs on it), a read-only REPEATABLE READ transaction on PostgreSQL.
The same functions read the rows as when the server read them (``read_snapshot_rows``,
the edition's stored document), so what may leave is decided by the same code. A database
only the server can see (SQLite in memory) is read by the server as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from roundtable.db import make_engine
from roundtable.exports.model import (
    ExportFilter,
    Snapshot,
    assemble_snapshot,
    read_snapshot_rows,
)

_ENGINES: dict[str, Engine] = {}


def worker_can_read(database_url: str) -> bool:
    """Whether another process can open this database (an in-memory SQLite cannot)."""
    if not database_url.startswith("sqlite"):
        return True
    path = make_url(database_url).database
    return bool(path) and path != ":memory:" and not str(path).startswith("file::memory:")


def for_worker(database_url: str) -> str:
    """The URL as the worker needs it: a SQLite path made absolute (the worker is started
    from the same directory, but a path that does not depend on it is safer)."""
    if not database_url.startswith("sqlite"):
        return database_url
    url = make_url(database_url)
    return url.set(database=str(Path(url.database or "").resolve())).render_as_string(
        hide_password=False
    )


@dataclass(frozen=True)
class ChecklistQuery:
    """A workshop's consolidated checklist, to be read by the worker: the server has
    authorised the request and checked the filter; the worker reads the rows (held-back
    items and the filter are applied by ``assemble_snapshot``, as always)."""

    database_url: str = field(repr=False)  # may hold a password
    workshop_id: int
    filter: ExportFilter = field(default_factory=ExportFilter)
    generated_at: datetime | None = None  # None: when the worker reads the rows

    def assemble(self) -> Snapshot:
        wanted = self.filter
        with worker_session(self.database_url) as session:
            rows = read_snapshot_rows(
                session, self.workshop_id, theme=wanted.theme, kind=wanted.kind, actor=wanted.actor
            )
        if self.generated_at is not None:
            rows = replace(rows, generated_at=self.generated_at)
        return assemble_snapshot(rows)


@contextmanager
def worker_session(database_url: str) -> Iterator[Session]:
    """A session on the worker's read-only connection: one consistent read."""
    engine = _engine(database_url)
    bind = engine
    if engine.dialect.name == "postgresql":
        bind = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    session = Session(bind, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def _engine(database_url: str) -> Engine:
    engine = _ENGINES.get(database_url)
    if engine is None:
        engine = _ENGINES[database_url] = _make_engine(database_url)
    return engine


def _make_engine(database_url: str) -> Engine:
    if not database_url.startswith("sqlite"):
        # One connection is all a worker needs; the pool keeps it between renders.
        return make_engine(database_url, pool_size=1)
    path = Path(make_url(database_url).database or "").resolve()
    target = f"file:{quote(str(path))}?mode=ro"

    def connect() -> sqlite3.Connection:
        # isolation_level None: the driver begins nothing itself; the "begin" hook below
        # does, so every query of one read sees the same snapshot of the database.
        return sqlite3.connect(
            target, uri=True, timeout=30.0, isolation_level=None, check_same_thread=False
        )

    # A new connection per read (opening one costs well under a millisecond): an idle
    # worker holds no file open.
    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool, hide_parameters=True)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine
