"""The ``roundtable/v1`` document: one Pydantic model family, the source of its JSON Schema.

A document describes a whole workshop without any member data: its settings, its theme
taxonomy, its breakout groups with their items, and the consolidated checklist whose
items name, in ``sources``, the group items that were merged into them. Items carry a
``ref`` unique across the document (exports write ``A1, A2, B1 …`` for groups and
``K1, K2 …`` for the consolidated checklist); refs exist only in the file, never in the
database.

These models check shapes and vocabularies; the rules that span the document (unique
refs, known themes, sources naming group items) live in ``validation.py``.
"""

from __future__ import annotations

import copy
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from roundtable.ordering import MAX_KEY_LENGTH
from roundtable.vocab import ACTORS, THEME_KEY_PATTERN

FORMAT = "roundtable/v1"
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"
FLAG_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
DEFAULT_COLOUR = "#3b6ea5"

Kind = Literal["need", "response", "practice"]
Status = Literal["open", "parked", "agreed"]
Attribution = Literal["named", "groups_only", "chatham_house"]
Phase = Literal["setup", "breakout", "consolidation", "review", "published"]


def _known_actor(value: str) -> str:
    if value not in ACTORS:
        raise PydanticCustomError(
            "unknown_actor",
            "unknown actor {actor}; use one of {known}",
            {"actor": repr(value), "known": ", ".join(ACTORS)},
        )
    return value


Actor = Annotated[
    str,
    AfterValidator(_known_actor),
    WithJsonSchema({"type": "string", "enum": list(ACTORS)}),
]
ThemeKey = Annotated[str, Field(pattern=THEME_KEY_PATTERN)]
Ref = Annotated[str, Field(pattern=REF_PATTERN)]
Flag = Annotated[str, Field(pattern=FLAG_PATTERN)]
Reference = Annotated[str, Field(min_length=1, max_length=300)]


class Part(BaseModel):
    # Unknown keys are refused so a misspelt field is an error, not silently lost data.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WorkshopInfo(Part):
    title: str = Field(min_length=1, max_length=500)
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str = Field(default="", max_length=500)
    organisers: list[str] = Field(default_factory=list, max_length=20)
    description: str = Field(default="", max_length=10_000)
    attribution: Attribution = "chatham_house"
    phase: Phase | None = Field(default=None, description="Left out: the workshop starts in setup")


class ThemeEntry(Part):
    key: ThemeKey
    label: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    parent: ThemeKey | None = Field(
        default=None, description="Key of a top-level theme (one level of sub-themes)"
    )


class ItemEntry(Part):
    ref: Ref = Field(description="Unique across the document; never stored")
    kind: Kind
    themes: list[ThemeKey] = Field(default_factory=list, max_length=30)
    title: str = Field(min_length=1, max_length=500)
    detail: str = Field(default="", max_length=10_000)
    actors: list[Actor] = Field(default_factory=list, max_length=30)
    references: list[Reference] = Field(default_factory=list, max_length=30)
    status: Status = "open"
    flags: list[Flag] = Field(
        default_factory=list, max_length=10, description='Safeguard flags, e.g. "personal_data"'
    )


class GroupItem(ItemEntry):
    position: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description="Fractional ordering key; give it for every item of a group or for none",
    )


class GroupEntry(Part):
    name: str = Field(min_length=1, max_length=100)
    colour: str = Field(default=DEFAULT_COLOUR, pattern=COLOUR_PATTERN)
    focus_themes: list[ThemeKey] = Field(default_factory=list, max_length=20)
    items: list[GroupItem] = Field(default_factory=list)


AgreementLevel = Literal["full", "reservations", "stand_aside", "disagree"]


class ReservationEntry(Part):
    level: AgreementLevel
    text: str = Field(min_length=1, max_length=2000)


class AgreementEntry(Part):
    """The agreement round's outcome on one item: never who said what."""

    level: AgreementLevel | None = Field(
        default=None, description="The level the facilitator recorded"
    )
    note: str = Field(default="", max_length=2000)
    tally: dict[AgreementLevel, int] = Field(
        default_factory=dict, description="Members per level (on import: kept only in files)"
    )
    reservations: list[ReservationEntry] = Field(
        default_factory=list, description="Reservations as written, without names"
    )


class ConsolidatedItem(ItemEntry):
    sources: list[Ref] = Field(
        default_factory=list, description="Refs of the group items merged into this item"
    )
    agreement: AgreementEntry | None = None


Dismissed = Annotated[list[Ref], Field(min_length=2, max_length=20)]


class RoundtableDocument(Part):
    """A whole workshop in the ``roundtable/v1`` interchange format."""

    model_config = ConfigDict(title="roundtable/v1")

    format: Literal["roundtable/v1"]
    workshop: WorkshopInfo
    themes: list[ThemeEntry] = Field(default_factory=list)
    groups: list[GroupEntry] = Field(default_factory=list)
    consolidated: list[ConsolidatedItem] = Field(default_factory=list)
    dismissed: list[Dismissed] = Field(
        default_factory=list,
        description="Merge suggestions the facilitators dismissed, as the refs of their group "
        "items: no two of one entry are suggested together again",
    )


@cache
def _schema() -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **RoundtableDocument.model_json_schema(),
    }


def document_schema() -> dict[str, Any]:
    """The JSON Schema of the format, generated from the models above (a fresh copy)."""
    return copy.deepcopy(_schema())
