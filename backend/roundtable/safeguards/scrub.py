"""Sweeping a workshop's rows: every text and JSON column of every table that belongs to it.

"Belongs" is read from the schema, not listed by hand, so a table another domain adds
later (editions, undo records, agreement notes) is covered without a change here: a
table belongs to a workshop through its ``workshop_id`` column, or through a foreign
key to a table that does (an assessment entry through its assessment, and so on).
The same reading serves :func:`delete_workshop_rows`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    String,
    Table,
    TypeDecorator,
    delete,
    false,
    or_,
    select,
    update,
)
from sqlmodel import Session, SQLModel

import roundtable.models  # noqa: F401  (every table registered in the metadata)

REDACTED = "[redacted]"


@dataclass(frozen=True)
class Secret:
    text: str
    kind: str

    @property
    def distinctive(self) -> bool:
        """Safe to replace wherever it appears: not a bare age, not a short word."""
        if self.kind == "birth" and not any(c in self.text for c in "/-. "):
            return False
        letters = sum(c.isalnum() for c in self.text)
        return letters >= (3 if self.kind == "name" else 5)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        # Whole words only for Latin names ("Lan" is not in "Lanka").
        edge = self.kind == "name" and self.text.isascii()
        body = re.escape(self.text)
        return re.compile(rf"(?<!\w){body}(?!\w)" if edge else body)


def replace_in(value: Any, swap: Callable[[str], str]) -> Any:
    """``value`` (a string or JSON) with ``swap`` applied to every string in it."""
    if isinstance(value, str):
        return swap(value)
    if isinstance(value, list):
        return [replace_in(v, swap) for v in value]
    if isinstance(value, dict):
        return {k: replace_in(v, swap) for k, v in value.items()}
    return value


def scrub_workshop(session: Session, workshop_id: int, secrets: list[Secret]) -> int:
    """Replaces each secret in every text and JSON column of the workshop's rows; returns
    how many rows changed."""
    if not secrets:
        return 0
    ordered = sorted(secrets, key=lambda s: -len(s.text))  # longest first

    def swap(text: str) -> str:
        for secret in ordered:
            if secret.text in text:
                text = secret.pattern.sub(REDACTED, text)
        return text

    changed = 0
    for table in SQLModel.metadata.sorted_tables:
        where = belongs(table, workshop_id)
        columns = [c for c in table.columns if _holds_text(c) and not c.primary_key]
        if where is None or not columns or not table.primary_key.columns:
            continue
        keys = list(table.primary_key.columns)
        rows = session.execute(select(*keys, *columns).where(where)).all()
        for row in rows:
            new_values: dict[str, Any] = {}
            for column, value in zip(columns, row[len(keys) :], strict=True):
                if value is None:
                    continue
                new = replace_in(value, swap)
                if new != value:
                    new_values[column.name] = new
            if new_values:
                key_match = [k == row[i] for i, k in enumerate(keys)]
                session.execute(update(table).where(*key_match).values(**new_values))
                changed += 1
    return changed


def _holds_text(column: Column[Any]) -> bool:
    kind = column.type
    if isinstance(kind, TypeDecorator):  # sqlmodel's AutoString wraps String
        kind = kind.impl_instance
    return isinstance(kind, (String, JSON))


def belongs(table: Table, workshop_id: int, depth: int = 0) -> ColumnElement[bool] | None:
    """A condition selecting the table's rows that belong to the workshop, or None."""
    if table.name == "workshop":
        return table.c.id == workshop_id
    if "workshop_id" in table.c:
        return table.c.workshop_id == workshop_id
    if depth > 3:
        return None
    ways = []
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent is table or parent.name in ("account",):
            continue
        inner = belongs(parent, workshop_id, depth + 1)
        if inner is not None:
            ways.append(fk.parent.in_(select(fk.column).where(inner)))
    return or_(false(), *ways) if ways else None


def delete_workshop_rows(session: Session, workshop_id: int) -> dict[str, int]:
    """Deletes every row that belongs to the workshop, children first; the counts."""
    counts: dict[str, int] = {}
    for table in reversed(SQLModel.metadata.sorted_tables):
        where = belongs(table, workshop_id)
        if where is None:
            continue
        result = session.execute(delete(table).where(where))
        counts[table.name] = int(getattr(result, "rowcount", 0) or 0)
    return counts
