"""Request and response shapes of the REST API (they generate the OpenAPI document).

Response shapes mirror ``values.py``. Request shapes are the one definition of what a
client may send: each op's arguments extend the matching request body with whatever the
REST path names (``ItemUpdateArgs(ItemUpdate)`` adds the item ``id``), so a REST call and
a live op are validated by the same rules, and a REST error names ``body.<field>`` where
a live op's names ``args.<field>``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from roundtable.ids import CLIENT_ID_PATTERN
from roundtable.ordering import is_valid_key
from roundtable.vocab import THEME_KEY_PATTERN

Kind = Literal["need", "response", "practice"]
Status = Literal["open", "parked", "agreed"]
Role = Literal["facilitator", "participant", "observer"]
Attribution = Literal["named", "groups_only", "chatham_house"]
Phase = Literal["setup", "breakout", "consolidation", "review", "published"]
AgreementLevel = Literal["full", "reservations", "stand_aside", "disagree"]

# Row ids are 32-bit integer columns on PostgreSQL: a larger number can name no row, and
# sending it to the database would fail there instead of here.
MAX_ROW_ID = 2**31 - 1
MAX_VERSION = 2**53


def _ordering_key(value: str) -> str:
    if not is_valid_key(value):
        raise ValueError("is not a valid ordering key (1-64 base-62 digits, not ending in 0)")
    return value


RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN)]
OrderKey = Annotated[str, AfterValidator(_ordering_key)]
Version = Annotated[int, Field(ge=0, le=MAX_VERSION)]
ThemeKey = Annotated[str, Field(pattern=THEME_KEY_PATTERN)]
Tag = Annotated[str, Field(max_length=64)]
Reference = Annotated[str, Field(max_length=300)]
Title = Annotated[str, Field(min_length=1, max_length=500)]
Detail = Annotated[str, Field(max_length=10_000)]
DisplayName = Annotated[str, Field(min_length=1, max_length=80)]
Affiliation = Annotated[str, Field(max_length=200)]
GroupName = Annotated[str, Field(min_length=1, max_length=100)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
CommentText = Annotated[str, Field(min_length=1, max_length=5000)]
TAG_LIMIT = 30


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class Input(BaseModel):
    """A request body or an op's arguments: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL, and no person types one.
        if _has_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


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
    breakout_ends_at: datetime | None = None
    announcement: str = ""
    announced_at: datetime | None = None
    archived_at: datetime | None = None  # archived: read-only (see safeguards)
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
    ref: str | None = Field(default=None, description='Consolidated items: "K12", never reused')
    merged_ref: str | None = Field(
        default=None, description="Merged group items (live and snapshot): the ref of merged_into"
    )
    sources: list[ItemSourcePublic] | None = Field(
        default=None, description="Consolidated items (live and snapshot): what was merged in"
    )
    agreement_level: AgreementLevel | None = None
    agreement_note: str = ""


class ItemSourcePublic(BaseModel):
    id: str
    checklist_id: int
    group_id: int | None
    version: int = Field(description="The source's updated_seq when merged or acknowledged")
    stale: bool = Field(description="The source was edited since: look at it again")


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


class Ready(BaseModel):
    """``ok`` or what is wrong (``unavailable: ...``), for the database and the notifier."""

    status: Literal["ready", "unavailable"]
    database: str
    notifier: str


# -- requests -------------------------------------------------------------------------
def _clean_tags(values: list[str] | None) -> list[str] | None:
    """Trimmed, without blanks and repeats, in the order given."""
    if values is None:
        return None
    return list(dict.fromkeys(v for v in values if v))


class LoginBody(Input):
    email: str = Field(min_length=3, max_length=320)
    # Passwords are compared as typed: spaces at either end are part of them.
    password: Annotated[str, StringConstraints(strip_whitespace=False)] = Field(
        min_length=1, max_length=1000
    )


class JoinBody(Input):
    code: str = Field(min_length=4, max_length=32)
    display_name: DisplayName
    affiliation: Affiliation = ""
    observer: bool = False


class WorkshopCreate(Input):
    title: str = Field(min_length=1, max_length=500)
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str = Field(default="", max_length=500)
    organisers: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=20
    )
    description: str = Field(default="", max_length=10_000)
    attribution: Attribution = "chatham_house"
    facilitator_name: DisplayName = "Facilitator"
    default_themes: bool = True


class WorkshopUpdate(Input):
    title: str | None = Field(default=None, min_length=1, max_length=500)
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str | None = Field(default=None, max_length=500)
    organisers: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=20
    )
    description: str | None = Field(default=None, max_length=10_000)
    attribution: Attribution | None = None
    phase: Phase | None = None
    reveal: bool | None = None
    vote_budget: int | None = Field(default=None, ge=0, le=100)
    breakout_ends_at: AwareDatetime | None = Field(
        default=None, description="When the shared breakout countdown ends; null stops it"
    )


class Announcement(Input):
    text: str = Field(max_length=500, description="Shown on every screen; empty clears it")


class ThemeCreate(Input):
    key: ThemeKey
    label: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    parent_id: RowId | None = None
    position: OrderKey | None = None


class ThemeUpdate(Input):
    label: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    position: OrderKey | None = None


class GroupCreate(Input):
    name: GroupName
    colour: Colour = "#3b6ea5"
    focus_themes: list[Tag] = Field(default_factory=list, max_length=20)

    _tags = field_validator("focus_themes")(_clean_tags)


class GroupUpdate(Input):
    name: GroupName | None = None
    colour: Colour | None = None
    focus_themes: list[Tag] | None = Field(default=None, max_length=20)

    _tags = field_validator("focus_themes")(_clean_tags)


class MemberUpdate(Input):
    display_name: DisplayName | None = None
    affiliation: Affiliation | None = None
    group_id: RowId | None = None
    role: Role | None = None


class ItemFields(Input):
    kind: Kind | None = None
    title: Title | None = None
    detail: Detail | None = None
    themes: list[Tag] | None = Field(default=None, max_length=TAG_LIMIT)
    actors: list[Tag] | None = Field(default=None, max_length=TAG_LIMIT)
    references: list[Reference] | None = Field(default=None, max_length=TAG_LIMIT)
    status: Status | None = None

    _tags = field_validator("themes", "actors", "references")(_clean_tags)


class ItemCreate(ItemFields):
    id: ClientId | None = None
    kind: Kind
    title: Title
    detail: Detail = ""
    themes: list[Tag] = Field(default_factory=list, max_length=TAG_LIMIT)
    actors: list[Tag] = Field(default_factory=list, max_length=TAG_LIMIT)
    references: list[Reference] = Field(default_factory=list, max_length=TAG_LIMIT)
    status: Status = "open"
    position: OrderKey | None = None


class ItemUpdate(ItemFields):
    pass


class ItemMove(Input):
    position: OrderKey


class CommentCreate(Input):
    id: ClientId | None = None
    body: CommentText


class CommentUpdate(Input):
    body: CommentText


class VoteSet(Input):
    count: int = Field(ge=0, le=100)
