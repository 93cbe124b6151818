"""Request and response shapes of the REST API (they generate the OpenAPI document).

Response shapes mirror ``values.py``; request shapes mirror the op arguments, minus
whatever the path already names.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roundtable.ids import CLIENT_ID_PATTERN

Kind = Literal["need", "response", "practice"]
Status = Literal["open", "parked", "agreed"]
Role = Literal["facilitator", "participant", "observer"]
Attribution = Literal["named", "groups_only", "chatham_house"]
Phase = Literal["setup", "breakout", "consolidation", "review", "published"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- responses ------------------------------------------------------------------------
class WorkshopPublic(BaseModel):
    id: int
    title: str
    starts_on: date | None
    ends_on: date | None
    venue: str
    organisers: list[str]
    description: str
    attribution: Attribution
    phase: Phase
    reveal: bool
    vote_budget: int
    head_seq: int = 0


class WorkshopSummary(BaseModel):
    id: int
    title: str
    phase: Phase
    role: Role


class ThemePublic(BaseModel):
    id: int
    key: str
    label: str
    description: str
    parent_id: int | None
    position: str


class GroupPublic(BaseModel):
    id: int
    name: str
    colour: str
    focus_themes: list[str]
    position: str
    checklist_id: int | None = None
    join_code: str | None = Field(default=None, description="Only shown to facilitators")


class MemberPublic(BaseModel):
    id: int
    display_name: str
    affiliation: str | None = None
    role: Role
    group_id: int | None
    number: int
    anonymous: bool = False


class ChecklistPublic(BaseModel):
    id: int
    group_id: int | None
    title: str


class ItemPublic(BaseModel):
    id: str
    checklist_id: int
    kind: Kind
    title: str
    detail: str
    themes: list[str]
    actors: list[str]
    references: list[str]
    position: str
    status: Status
    flags: list[str]
    created_by: int | None
    updated_seq: int
    merged_into: str | None


class CommentPublic(BaseModel):
    id: str
    item_id: str
    author_id: int | None
    body: str
    created_seq: int
    updated_seq: int


class VotePublic(BaseModel):
    id: int
    item_id: str
    checklist_id: int
    member_id: int | None
    count: int


class VoteTally(BaseModel):
    item_id: str
    total: int
    mine: int


class EventPublic(BaseModel):
    seq: int
    client_id: str | None
    op_id: int | None
    actor: int | None
    kind: str
    changes: list[dict[str, object]]
    at: str | None


class Me(BaseModel):
    account_email: str | None = None
    member: MemberPublic | None = None
    workshop_id: int | None = None
    csrf_token: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str


# -- requests -------------------------------------------------------------------------
class LoginBody(Body):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1000)


class JoinBody(Body):
    code: str = Field(min_length=4, max_length=32)
    display_name: str = Field(min_length=1, max_length=80)
    affiliation: str = Field(default="", max_length=200)
    observer: bool = False


class WorkshopCreate(Body):
    title: str = Field(min_length=1, max_length=500)
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str = Field(default="", max_length=500)
    organisers: list[str] = Field(default_factory=list, max_length=20)
    description: str = Field(default="", max_length=10_000)
    attribution: Attribution = "chatham_house"
    facilitator_name: str = Field(default="Facilitator", min_length=1, max_length=80)
    default_themes: bool = True


class WorkshopUpdate(Body):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str | None = Field(default=None, max_length=500)
    organisers: list[str] | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=10_000)
    attribution: Attribution | None = None
    phase: Phase | None = None
    reveal: bool | None = None
    vote_budget: int | None = Field(default=None, ge=0, le=100)


class ThemeCreate(Body):
    key: str
    label: str
    description: str = ""
    parent_id: int | None = None
    position: str | None = None


class ThemeUpdate(Body):
    label: str | None = None
    description: str | None = None
    position: str | None = None


class GroupCreate(Body):
    name: str
    colour: str = "#3b6ea5"
    focus_themes: list[str] = Field(default_factory=list)


class GroupUpdate(Body):
    name: str | None = None
    colour: str | None = None
    focus_themes: list[str] | None = None


class MemberUpdate(Body):
    display_name: str | None = None
    affiliation: str | None = None
    group_id: int | None = None
    role: Role | None = None


class ItemCreate(Body):
    id: str | None = Field(default=None, pattern=CLIENT_ID_PATTERN)
    kind: Kind
    title: str
    detail: str = ""
    themes: list[str] = Field(default_factory=list)
    actors: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    status: Status = "open"
    position: str | None = None


class ItemUpdate(Body):
    kind: Kind | None = None
    title: str | None = None
    detail: str | None = None
    themes: list[str] | None = None
    actors: list[str] | None = None
    references: list[str] | None = None
    status: Status | None = None


class ItemMove(Body):
    position: str


class CommentCreate(Body):
    id: str | None = Field(default=None, pattern=CLIENT_ID_PATTERN)
    body: str


class CommentUpdate(Body):
    body: str


class VoteSet(Body):
    count: int = Field(ge=0, le=100)
