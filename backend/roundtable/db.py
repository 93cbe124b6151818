"""Engines and sessions.

SQLite runs in WAL mode with a busy timeout, and every transaction is opened explicitly
so reads see one consistent snapshot. Writers ask for ``BEGIN IMMEDIATE`` (via
:func:`write_session`) so a transaction that reads before it writes can never fail on
lock upgrade. PostgreSQL needs nothing special: the per-workshop ``head_seq`` row lock
serialises the writers of one workshop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

_BEGIN_OPTION = "roundtable_begin"


def make_engine(url: str, *, pool_size: int = 10, busy_timeout_s: float = 30.0) -> Engine:
    """``hide_parameters``: a database error's message (which a logged traceback
    carries) leaves out the statement's values, which may be names or what people wrote.
    ``busy_timeout_s`` (SQLite): how long a writer waits for another's lock before its
    op fails as ``unavailable``."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # LIFO: the writer thread gets back the connection it just returned, whose page
        # cache is still valid; FIFO handed it each of the pool's connections in turn, each
        # stale since the last write, and every op re-read its pages (CPU per op -25 %).
        pooling: dict[str, Any] = (
            {"poolclass": NullPool} if path == ":memory:" else {"pool_use_lifo": True}
        )
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
            hide_parameters=True,
            **pooling,
        )
        _configure_sqlite(engine, busy_timeout_s)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(
        url, pool_size=pool_size, max_overflow=20, pool_pre_ping=True, hide_parameters=True
    )


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit survives a power cut, not only a crash (costs ~0.4 ms here).
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.connection.driver_connection.in_transaction:
            return  # the write path began it on the driver (``BEGIN IMMEDIATE``, see sync)
        conn.exec_driver_sql(conn.get_execution_options().get(_BEGIN_OPTION, "BEGIN"))


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _bind(engine: Engine, role: str) -> Engine:
    """The engine with the options of ``role`` ("read" or "write"), made once per engine:
    ``execution_options`` builds a new engine object each time, on every op otherwise."""
    binds: dict[str, Engine] | None = engine.__dict__.get("_roundtable_binds")
    if binds is None:
        sqlite = is_sqlite(engine)
        binds = {
            "read": engine
            if sqlite
            else engine.execution_options(isolation_level="REPEATABLE READ"),
            "write": (
                engine.execution_options(**{_BEGIN_OPTION: "BEGIN IMMEDIATE"}) if sqlite else engine
            ),
        }
        engine.__dict__["_roundtable_binds"] = binds
    return binds[role]


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading one consistent snapshot."""
    session = Session(_bind(engine, "read"), expire_on_commit=False)
    try:
        yield session
    finally:
        _close(session)


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction takes the write lock up front on SQLite."""
    session = Session(_bind(engine, "write"), expire_on_commit=False)
    try:
        yield session
    finally:
        _close(session)


def _close(session: Session) -> None:
    """Closes a session whose connection may have died (a database restart): the rollback
    on close must not replace the error the request is already answering with."""
    try:
        session.close()
    except DBAPIError:
        session.invalidate()
