"""The shapes of the self-assessment API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from roundtable.publishing.schemas import EditionItem, EditionRef, EditionTheme
from roundtable.schemas import Input

EntryStatus = Literal["in_place", "partly", "not_yet", "not_applicable"]


class AssessmentCreate(Input):
    title: str = Field(default="", max_length=200)
    country: str = Field(default="", max_length=100)


class AssessmentUpdate(Input):
    title: str | None = Field(default=None, max_length=200)
    country: str | None = Field(default=None, max_length=100)


class EntryUpdate(Input):
    status: EntryStatus | None = None
    evidence: str = Field(default="", max_length=5000)
    agency: str = Field(default="", max_length=300)
    target_date: date | None = None


class CarryOver(Input):
    edition_slug: str = Field(min_length=1, max_length=100)


class AssessmentCreated(BaseModel):
    secret: str
    url: str


class AssessmentEdition(BaseModel):
    number: int
    slug: str
    title: str


class AssessmentInfo(BaseModel):
    title: str
    country: str
    created_at: str
    updated_at: str
    edition: AssessmentEdition
    carried_from: AssessmentEdition | None = None


class EntryPublic(BaseModel):
    status: EntryStatus | None = None
    evidence: str = ""
    agency: str = ""
    target_date: date | None = None
    needs_review: bool = False
    updated_at: str


class ThemeProgress(BaseModel):
    theme: str | None = Field(description="A top-level theme's key; null: items without one")
    label: str
    total: int
    in_place: int
    partly: int
    not_yet: int
    not_applicable: int
    unanswered: int


class AssessmentView(BaseModel):
    assessment: AssessmentInfo
    newer_edition: EditionRef | None = None
    themes: list[EditionTheme]
    items: list[EditionItem]
    entries: dict[str, EntryPublic]
    progress: list[ThemeProgress]
