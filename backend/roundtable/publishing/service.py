"""Reading editions: by slug for the public, by workshop for facilitators."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from roundtable.errors import OpRejected
from roundtable.publishing.diff import diff_editions, public_item
from roundtable.publishing.models import Edition
from roundtable.timeutil import isoformat


def edition_by_slug(session: Session, slug: str) -> Edition:
    edition = session.exec(select(Edition).where(Edition.slug == slug)).first()
    if edition is None:
        # Says nothing about which slugs exist.
        raise OpRejected("not_found", "no edition has this link")
    return edition


def editions_of(session: Session, workshop_id: int) -> list[Edition]:
    return list(
        session.exec(
            select(Edition).where(Edition.workshop_id == workshop_id).order_by(col(Edition.number))
        ).all()
    )


def edition_by_number(session: Session, workshop_id: int, number: int) -> Edition:
    edition = session.exec(
        select(Edition).where(Edition.workshop_id == workshop_id, Edition.number == number)
    ).first()
    if edition is None:
        raise OpRejected(
            "not_found", f"edition: workshop {workshop_id} has no edition {number}", field="edition"
        )
    return edition


def previous_of(session: Session, edition: Edition) -> Edition | None:
    return session.exec(
        select(Edition)
        .where(Edition.workshop_id == edition.workshop_id, Edition.number < edition.number)
        .order_by(col(Edition.number).desc())
    ).first()


def newest_of(session: Session, workshop_id: int) -> Edition | None:
    return session.exec(
        select(Edition)
        .where(Edition.workshop_id == workshop_id)
        .order_by(col(Edition.number).desc())
    ).first()


def edition_ref(edition: Edition | None) -> dict[str, Any] | None:
    return None if edition is None else {"number": edition.number, "slug": edition.slug}


def edition_meta(edition: Edition) -> dict[str, Any]:
    return {
        "number": edition.number,
        "title": edition.title,
        "notes": edition.notes,
        "published_at": isoformat(edition.published_at),
        "slug": edition.slug,
    }


def edition_items(edition: Edition) -> list[dict[str, Any]]:
    return [public_item(item) for item in edition.document.get("items", [])]


def edition_page(session: Session, edition: Edition) -> dict[str, Any]:
    """``GET /api/public/editions/{slug}``: everything the public page shows."""
    document = edition.document
    return {
        "workshop": document["workshop"],
        "edition": edition_meta(edition),
        "previous": edition_ref(previous_of(session, edition)),
        "editions": [
            {
                "number": e.number,
                "slug": e.slug,
                "title": e.title,
                "published_at": isoformat(e.published_at),
            }
            for e in editions_of(session, edition.workshop_id)
        ],
        "themes": document.get("themes", []),
        "items": edition_items(edition),
    }


def edition_changes(session: Session, edition: Edition) -> dict[str, Any]:
    """What changed since the previous edition (the first edition: every item added)."""
    previous = previous_of(session, edition)
    before = previous.document.get("items", []) if previous is not None else []
    return {
        "previous": edition_ref(previous),
        "changes": diff_editions(before, edition.document.get("items", [])),
    }
