"""Assessments: made, read, answered and carried over by whoever holds the secret.

The secret (32 URL-safe characters, 192 bits) is shown once, in the link; the database
keeps its SHA-256. Functions here never commit: the route's transaction does, once every
check has passed, so a refused request writes nothing.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import Session, select

from roundtable.assessments.models import Assessment, AssessmentEntry
from roundtable.assessments.progress import progress_by_theme
from roundtable.assessments.schemas import EntryUpdate
from roundtable.errors import OpRejected, invalid
from roundtable.publishing.diff import changed_codes
from roundtable.publishing.models import Edition
from roundtable.publishing.service import edition_items, edition_ref, newest_of
from roundtable.security import hash_token
from roundtable.timeutil import isoformat, utcnow


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def assessment_url(secret: str) -> str:
    return f"/a/{secret}"


def create_assessment(
    session: Session,
    edition: Edition,
    *,
    title: str = "",
    country: str = "",
    carried_from: Assessment | None = None,
) -> tuple[Assessment, str]:
    secret = new_secret()
    assert edition.id is not None
    assessment = Assessment(
        secret_hash=hash_token(secret),
        edition_id=edition.id,
        title=title,
        country=country,
        carried_from_id=None if carried_from is None else carried_from.id,
    )
    session.add(assessment)
    session.flush()
    return assessment, secret


def find_assessment(session: Session, secret: str) -> tuple[Assessment, Edition]:
    assessment = session.exec(
        select(Assessment).where(Assessment.secret_hash == hash_token(secret))
    ).first()
    edition = None if assessment is None else session.get(Edition, assessment.edition_id)
    if assessment is None or edition is None:
        raise OpRejected("not_found", "no assessment has this link")
    return assessment, edition


def entries_of(session: Session, assessment: Assessment) -> dict[str, AssessmentEntry]:
    rows = session.exec(
        select(AssessmentEntry).where(AssessmentEntry.assessment_id == assessment.id)
    ).all()
    return {row.code: row for row in rows}


def entry_values(entry: AssessmentEntry) -> dict[str, Any]:
    return {
        "status": entry.status,
        "evidence": entry.evidence,
        "agency": entry.agency,
        "target_date": entry.target_date,
        "needs_review": entry.needs_review,
        "updated_at": isoformat(entry.updated_at),
    }


def assessment_view(session: Session, assessment: Assessment, edition: Edition) -> dict[str, Any]:
    """``GET /api/public/assessments/{secret}``."""
    entries = entries_of(session, assessment)
    newest = newest_of(session, edition.workshop_id)
    carried = (
        session.get(Assessment, assessment.carried_from_id)
        if assessment.carried_from_id is not None
        else None
    )
    carried_edition = None if carried is None else session.get(Edition, carried.edition_id)
    items = edition_items(edition)
    themes = edition.document.get("themes", [])
    return {
        "assessment": {
            "title": assessment.title,
            "country": assessment.country,
            "created_at": isoformat(assessment.created_at),
            "updated_at": isoformat(assessment.updated_at),
            "edition": _edition_brief(edition),
            "carried_from": None if carried_edition is None else _edition_brief(carried_edition),
        },
        "newer_edition": edition_ref(newest)
        if newest is not None and newest.number > edition.number
        else None,
        "themes": themes,
        "items": items,
        "entries": {code: entry_values(e) for code, e in entries.items()},
        "progress": progress_by_theme(
            items, themes, {code: e.status for code, e in entries.items()}
        ),
    }


def _edition_brief(edition: Edition) -> dict[str, Any]:
    return {"number": edition.number, "slug": edition.slug, "title": edition.title}


def update_assessment(assessment: Assessment, fields: dict[str, Any]) -> None:
    if not fields:
        raise invalid("body", "name at least one field to change")
    for name, value in fields.items():
        if value is None:
            raise invalid(f"body.{name}", "may not be null")
        setattr(assessment, name, value)
    assessment.updated_at = utcnow()


def set_entry(
    session: Session, assessment: Assessment, edition: Edition, code: str, body: EntryUpdate
) -> AssessmentEntry:
    """Records the answer for one item; answering it clears ``needs_review``."""
    if code not in {item["code"] for item in edition.document.get("items", [])}:
        raise OpRejected(
            "not_found", f"code: edition {edition.number} has no item {code[:20]!r}", field="code"
        )
    assert assessment.id is not None
    entry = session.get(AssessmentEntry, (assessment.id, code))
    if entry is None:
        entry = AssessmentEntry(assessment_id=assessment.id, code=code)
        session.add(entry)
    entry.status = body.status
    entry.evidence = body.evidence
    entry.agency = body.agency
    entry.target_date = body.target_date
    entry.needs_review = False
    entry.updated_at = assessment.updated_at = utcnow()
    return entry


def carry_over(
    session: Session, assessment: Assessment, edition: Edition, newer: Edition
) -> tuple[Assessment, str]:
    """A new assessment on ``newer``: unchanged items keep their answers; changed and new
    items are marked for review (answers of changed items are kept as a starting point)."""
    if newer.workshop_id != edition.workshop_id:
        raise OpRejected(
            "not_found",
            "edition_slug: no edition of this workshop has this link",
            field="edition_slug",
        )
    if newer.number <= edition.number:
        raise invalid(
            "edition_slug",
            f"must name an edition newer than {edition.number} (it names {newer.number})",
        )
    copy, secret = create_assessment(
        session, newer, title=assessment.title, country=assessment.country, carried_from=assessment
    )
    assert copy.id is not None
    old_entries = entries_of(session, assessment)
    changed = changed_codes(edition.document.get("items", []), newer.document.get("items", []))
    for item in newer.document.get("items", []):
        code = item["code"]
        before = old_entries.get(code)
        review = code in changed
        if before is None and not review:
            continue
        session.add(
            AssessmentEntry(
                assessment_id=copy.id,
                code=code,
                status=None if before is None else before.status,
                evidence="" if before is None else before.evidence,
                agency="" if before is None else before.agency,
                target_date=None if before is None else before.target_date,
                needs_review=review,
            )
        )
    return copy, secret
