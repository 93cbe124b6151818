"""An assessment against one edition, and one entry per item code it answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from roundtable.timeutil import utcnow

STATUSES = ("in_place", "partly", "not_yet", "not_applicable")


class Assessment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # SHA-256 of the secret in the link: a copy of the database does not open assessments.
    secret_hash: str = Field(max_length=64, unique=True)
    edition_id: int = Field(foreign_key="edition.id", index=True, ondelete="CASCADE")
    title: str = Field(default="", max_length=200)
    country: str = Field(default="", max_length=100)
    carried_from_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))


class AssessmentEntry(SQLModel, table=True):
    __tablename__ = "assessment_entry"

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(primary_key=True, max_length=16)
    status: str | None = Field(default=None, max_length=16)
    evidence: str = ""
    agency: str = Field(default="", max_length=300)
    target_date: date | None = None
    needs_review: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=DateTime(timezone=True))
