"""The shapes of the editions API (they generate its OpenAPI and the TypeScript types)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

ChangeKind = Literal["added", "removed", "reworded", "retagged", "merged", "split"]


class EditionPublic(BaseModel):
    """An edition as facilitators list it."""

    number: int
    title: str
    notes: str
    slug: str
    published_at: str
    url: str
    items: int = Field(description="How many items the edition holds")


class PublicWorkshop(BaseModel):
    title: str
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str = ""
    organisers: list[str] = Field(default_factory=list)
    description: str = ""
    attribution: str


class EditionMeta(BaseModel):
    number: int
    title: str
    notes: str
    published_at: str
    slug: str


class EditionRef(BaseModel):
    number: int
    slug: str


class EditionListed(BaseModel):
    number: int
    slug: str
    title: str
    published_at: str


class EditionTheme(BaseModel):
    key: str
    label: str
    parent: str | None = None
    prefix: str


class ItemAgreement(BaseModel):
    level: str | None = Field(description="The level the facilitator recorded; null: none yet")
    note: str = ""
    tally: dict[str, int] = Field(default_factory=dict)
    reservations: list[str] = Field(default_factory=list)


class EditionItem(BaseModel):
    code: str
    kind: str
    title: str
    detail: str = ""
    themes: list[str] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    agreement: ItemAgreement | None = None
    raised_by: list[str] = Field(
        default_factory=list,
        description="Groups the item came from, as the attribution policy allows",
    )
    position: int


class EditionPage(BaseModel):
    workshop: PublicWorkshop
    edition: EditionMeta
    previous: EditionRef | None = None
    editions: list[EditionListed]
    themes: list[EditionTheme]
    items: list[EditionItem]


class EditionChange(BaseModel):
    code: str
    change: ChangeKind
    title: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    detail: str


class EditionChanges(BaseModel):
    previous: EditionRef | None = None
    changes: list[EditionChange]
