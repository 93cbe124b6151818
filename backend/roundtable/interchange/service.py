"""Placeholder until the interchange format lands."""

from __future__ import annotations

from typing import Any


class InterchangeError(Exception):
    pass


def import_workshop(
    engine: Any, registry: Any, document: Any, *, owner_account_id: int | None
) -> int:
    raise InterchangeError("import is not implemented yet")


def export_workshop(engine: Any, workshop_id: int) -> dict[str, Any]:
    raise InterchangeError("export is not implemented yet")
