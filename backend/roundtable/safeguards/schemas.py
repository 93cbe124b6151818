"""Shapes of the safeguards API (they generate the OpenAPI document and the TS types)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roundtable.schemas import Input

Kind = Literal["name", "phone", "email", "id_number", "birth", "address", "case_number"]


class FindingPublic(BaseModel):
    """One detail: its kind and where it is (``field``, character offsets), never its text.
    A redacted flag keeps only the kinds."""

    kind: Kind
    field: Literal["title", "detail", "body"] | None = None
    start: int | None = None
    end: int | None = None


class FlagPublic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: Literal["item", "comment"]
    id: str
    item_id: str | None = Field(description="The item, or the item the comment is on")
    checklist_id: int | None
    group_id: int | None
    status: Literal["open", "cleared", "redacted"]
    findings: list[FindingPublic] = Field(
        description="Empty on an open flag: the details were edited away but remain in the "
        "history until redacted (or the flag came with an import)"
    )
    fields: dict[str, str] = Field(description="The text as it is now, for review")
    deleted: bool
    detected_seq: int
    decided_by: int | None = Field(description="Who cleared or redacted it (as policy allows)")
    decided_at: str | None


class ArchiveBody(Input):
    archived: bool


class Retention(BaseModel):
    archived_at: str | None
