"""Making removed text leave the database file, not only the rows.

On SQLite, ``secure_delete`` makes SQLite overwrite the space a changed or deleted row
used, and a ``TRUNCATE`` checkpoint moves the write-ahead log into the database file and
empties it (the log holds old page images until then). PostgreSQL keeps dead row versions
until vacuum, but never serves them, and a dump never holds them.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlmodel import Session

from roundtable.db import is_sqlite


def erase_freed_pages(session: Session) -> None:
    """Within a write transaction: what this connection frees is zeroed on SQLite."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))


def compact(engine: Engine) -> None:
    """After commit: the log's old pages go (SQLite). Best effort, waiting at most a
    moment for readers: a reader holding the log open leaves it to the next checkpoint."""
    if not is_sqlite(engine):
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA busy_timeout = 2000")
        try:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.exec_driver_sql("PRAGMA busy_timeout = 30000")
