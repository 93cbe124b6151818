"""Importing and exporting whole workshops in the ``roundtable/v1`` format.

Import is all or nothing: the document is checked completely first; then the workshop is
created (the one write outside ``submit``) and committed, and everything else is applied
as ops. If any op is refused, or anything else breaks, the half-made workshop is deleted
again (its rows go with it by ``ON DELETE CASCADE``), so no trace of it remains.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import col

import roundtable.models  # noqa: F401  # every table, so foreign keys resolve outside the app
from roundtable.db import read_session, write_session
from roundtable.interchange.document import RoundtableDocument
from roundtable.interchange.exporter import export_document
from roundtable.interchange.importer import OpWriter, apply_document
from roundtable.interchange.validation import InterchangeError, parse_document
from roundtable.sync.registry import OpRegistry
from roundtable.workshops.models import Workshop
from roundtable.workshops.service import consolidated_checklist, create_workshop

__all__ = ["InterchangeError", "export_workshop", "import_workshop"]

log = logging.getLogger(__name__)
IMPORTING_FACILITATOR = "Facilitator"


def import_workshop(
    engine: Engine, registry: OpRegistry, document: object, *, owner_account_id: int | None
) -> int:
    """Creates a workshop from a document (a parsed JSON value). Returns its id."""
    parsed = parse_document(document)
    workshop_id, facilitator_id, consolidated_id = _create_empty(engine, parsed, owner_account_id)
    writer = OpWriter(engine, registry, workshop_id, facilitator_id)
    try:
        apply_document(writer, parsed, consolidated_id)
    except BaseException:
        _delete_workshop(engine, workshop_id)
        raise
    return workshop_id


def export_workshop(engine: Engine, workshop_id: int) -> dict[str, Any]:
    """The workshop as a ``roundtable/v1`` document, read from one consistent snapshot."""
    with read_session(engine) as session:
        return export_document(session, workshop_id)


def _create_empty(
    engine: Engine, document: RoundtableDocument, owner_account_id: int | None
) -> tuple[int, int, int]:
    info = document.workshop
    with write_session(engine) as session:
        workshop, facilitator = create_workshop(
            session,
            title=info.title,
            owner_account_id=owner_account_id,
            facilitator_name=IMPORTING_FACILITATOR,
            starts_on=info.starts_on,
            ends_on=info.ends_on,
            venue=info.venue,
            organisers=list(info.organisers),
            description=info.description,
            attribution=info.attribution,
            default_themes=False,
        )
        assert workshop.id is not None
        checklist = consolidated_checklist(session, workshop.id)
        session.commit()
    assert facilitator.id is not None and checklist.id is not None
    return workshop.id, facilitator.id, checklist.id


def _delete_workshop(engine: Engine, workshop_id: int) -> None:
    try:
        with write_session(engine) as session:
            session.execute(delete(Workshop).where(col(Workshop.id) == workshop_id))
            session.commit()
    except Exception:
        # The original failure matters more; this one is logged for the operator.
        log.exception("could not remove the half-imported workshop %s", workshop_id)
