"""The write path's fixed statements, compiled once per dialect and run on the driver.

Executing a Core statement costs 30-40 µs of SQLAlchemy's Python (execution context,
result set-up) against a few µs for the driver itself; the hot ops run six of them. A
:class:`Prepared` statement is compiled by SQLAlchemy once per dialect, so its SQL (and
quoting, casts, parameter style) is exactly what SQLAlchemy would send; its values are
converted by the same type processors SQLAlchemy would apply (JSON, booleans,
datetimes), taken from the columns' types, both ways. A :class:`Runner` then runs it in
the op's transaction:

- SQLite: on the driver's connection directly, translating driver errors into
  SQLAlchemy's (``IntegrityError``, ``OperationalError``: the callers' refusals and
  "unavailable" stay as they were);
- other databases (PostgreSQL): through ``Connection.exec_driver_sql``, which keeps
  SQLAlchemy's handling of a dropped connection (invalidation); the values are
  converted here all the same.

``tests/unit/test_write_statements.py`` checks that rows written this way read back
through the ORM exactly as the ORM writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.sql.selectable import Select

Processor = Callable[[Any], Any] | None
Row = tuple[Any, ...]


class Compiled:
    """One statement compiled for one dialect."""

    __slots__ = ("constants", "named", "order", "results", "sql")

    def __init__(
        self,
        stmt: ClauseElement,
        dialect: Dialect,
        column_keys: Sequence[str] | None,
        result_types: Sequence[Any],
    ) -> None:
        compiled = cast(
            SQLCompiler,
            stmt.compile(dialect=dialect, column_keys=list(column_keys) if column_keys else None),
        )
        self.sql: str = compiled.string
        self.named = not compiled.positional
        if compiled.positional:
            order = list(compiled.positiontup or ())
        else:
            order = list(compiled.construct_params(_check=False) or {})
        # (name, is a parameter given per call, its processor); literal values (the
        # ``+ 1`` of a counter) are processed once here.
        self.order: list[tuple[str, bool, Processor]] = []
        self.constants: dict[str, Any] = {}
        for name in order:
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required or bind.callable is not None:
                self.order.append((name, True, process))
            else:
                value = bind.value if process is None else process(bind.value)
                self.constants[name] = value
                self.order.append((name, False, None))
        results = [t.dialect_impl(dialect).result_processor(dialect, None) for t in result_types]
        # (column index, processor) for the columns that have one.
        self.results: list[tuple[int, Callable[[Any], Any]]] = [
            (i, p) for i, p in enumerate(results) if p is not None
        ]

    def params(self, given: Mapping[str, Any]) -> Any:
        values = [
            (given[name] if process is None else process(given[name]))
            if per_call
            else self.constants[name]
            for name, per_call, process in self.order
        ]
        if self.named:
            return dict(zip((name for name, _, _ in self.order), values, strict=True))
        return tuple(values)

    def row(self, raw: Sequence[Any]) -> Row:
        if not self.results:
            return tuple(raw)
        values = list(raw)
        for i, process in self.results:
            value = values[i]
            if value is not None:
                values[i] = process(value)
        return tuple(values)


class Prepared:
    """A statement to compile once per dialect. ``column_keys``: for an INSERT or an
    UPDATE, the columns given (the statement sets exactly these)."""

    __slots__ = ("_by_dialect", "column_keys", "result_types", "stmt")

    def __init__(self, stmt: Any, column_keys: Sequence[str] | None = None) -> None:
        self.stmt = stmt
        self.column_keys = tuple(column_keys) if column_keys else None
        columns = getattr(stmt, "exported_columns", None) if _returns_rows(stmt) else None
        self.result_types = [c.type for c in columns] if columns is not None else []
        self._by_dialect: dict[str, Compiled] = {}

    def compiled(self, dialect: Dialect) -> Compiled:
        key = f"{dialect.name}+{dialect.driver}:{dialect.paramstyle}"
        found = self._by_dialect.get(key)
        if found is None:
            found = Compiled(self.stmt, dialect, self.column_keys, self.result_types)
            self._by_dialect[key] = found
        return found


def _returns_rows(stmt: Any) -> bool:
    if isinstance(stmt, Select):
        return True
    return isinstance(stmt, UpdateBase) and bool(getattr(stmt, "_returning", ()))


class Runner:
    """Runs :class:`Prepared` statements (and plain SQL without parameters) in the open
    transaction of ``connection``."""

    __slots__ = ("_base_error", "_dialect", "_driver", "connection", "direct")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._dialect = connection.dialect
        self.direct = self._dialect.name == "sqlite"
        self._driver: Any = connection.connection.driver_connection if self.direct else None
        self._base_error: type[Exception] = self._dialect.loaded_dbapi.Error

    def rows(self, prepared: Prepared, params: Mapping[str, Any]) -> list[Row]:
        compiled = prepared.compiled(self._dialect)
        args = compiled.params(params)
        if self.direct:
            try:
                raw = self._driver.execute(compiled.sql, args).fetchall()
            except self._base_error as exc:
                raise self._translated(compiled.sql, exc) from exc
        else:
            result = self.connection.exec_driver_sql(compiled.sql, args)
            raw = result.fetchall() if result.returns_rows else []
        return [compiled.row(r) for r in raw]

    def first(self, prepared: Prepared, params: Mapping[str, Any]) -> Row | None:
        rows = self.rows(prepared, params)
        return rows[0] if rows else None

    def run(self, prepared: Prepared, params: Mapping[str, Any]) -> None:
        self.rows(prepared, params)

    def plain(self, sql: str) -> None:
        """A statement without parameters or rows (``BEGIN IMMEDIATE``, ``SAVEPOINT``)."""
        if self.direct:
            try:
                self._driver.execute(sql)
            except self._base_error as exc:
                raise self._translated(sql, exc) from exc
        else:
            self.connection.exec_driver_sql(sql)

    def commit_driver(self) -> None:
        """Commits what was begun on the driver (SQLite, no SQLAlchemy transaction)."""
        try:
            self._driver.commit()
        except self._base_error as exc:
            raise self._translated("COMMIT", exc) from exc

    def _translated(self, sql: str, exc: Exception) -> Exception:
        return DBAPIError.instance(
            sql,
            None,
            exc,
            self._base_error,
            hide_parameters=True,
            dialect=self._dialect,
            ismulti=False,
        )
