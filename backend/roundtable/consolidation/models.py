"""The engine's inputs and outputs: items to compare, and the suggestions made about them."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from sqlalchemy import JSON, BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

KINDS = ("need", "response", "practice")


@dataclass(frozen=True, slots=True)
class SuggestItem:
    """One group's item as the engine sees it; ``ref`` is unique within one call."""

    ref: str
    group: str
    kind: str
    title: str
    detail: str = ""
    themes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Cluster:
    """A suggested merge: items that seem to make the same point."""

    refs: tuple[str, ...]
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Suggestions:
    clusters: tuple[Cluster, ...] = ()
    similar: dict[str, list[tuple[str, float]]] = dataclass_field(default_factory=dict)
    threshold: float | None = None  # the one used: the default, or set from decisions

    def to_json(self) -> dict[str, Any]:
        """The ``roundtable suggest --json`` shape (DESIGN.md §6)."""
        return {
            "clusters": [
                {"refs": list(c.refs), "score": c.score, "reason": c.reason} for c in self.clusters
            ],
            "similar": {
                ref: [[other, score] for other, score in nearest]
                for ref, nearest in self.similar.items()
            },
        }


# -- tables -----------------------------------------------------------------------------
class ItemSource(SQLModel, table=True):
    """Provenance: a group item merged into a consolidated item (one link per source).

    ``source_version`` is the source's ``updated_seq`` when it was merged (or when the
    facilitator last acknowledged it): a later edit makes the link *stale*.
    """

    __tablename__ = "item_source"

    source_id: str = Field(foreign_key="item.id", primary_key=True, max_length=40)
    consolidated_id: str = Field(foreign_key="item.id", index=True, max_length=40)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    source_version: int = 0
    merged_seq: int = 0


class Agreement(SQLModel, table=True):
    """One member's agreement level on one consolidated item (the agreement round).

    The id is opaque (not derived from the member), so under the Chatham House rule an
    agreement cannot be tied to a person nor one person's agreements to each other.
    """

    __table_args__ = (UniqueConstraint("item_id", "member_id"),)

    id: str = Field(primary_key=True, max_length=40)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    checklist_id: int = Field(foreign_key="checklist.id")
    item_id: str = Field(foreign_key="item.id", index=True, max_length=40)
    member_id: int = Field(foreign_key="member.id", index=True)
    level: str = Field(max_length=16)
    reservation: str = ""
    updated_seq: int = 0


class ConsolidationStep(SQLModel, table=True):
    """What a merge, unmerge or split changed, so ``consolidation.undo`` can revert it.

    ``before`` and ``after`` map item ids to their rows (``None``: the item did not
    exist) and consolidated item ids to their links, as ``rows.py`` writes them.
    """

    __tablename__ = "consolidation_step"

    workshop_id: int = Field(foreign_key="workshop.id", primary_key=True, ondelete="CASCADE")
    seq: int = Field(primary_key=True, sa_type=BigInteger)
    kind: str = Field(max_length=40)
    before: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    after: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    undone_seq: int | None = Field(default=None, sa_type=BigInteger)


class SuggestionDismissal(SQLModel, table=True):
    """A facilitator's "these are not one point": a suggested merge that was dismissed.

    No two of ``item_ids`` are suggested together again in this workshop, and what tells
    them apart weighs on later suggestions (``learning.py``). ``key`` is the sorted ids'
    digest, so the same set is stored once however often it is dismissed.
    """

    __tablename__ = "suggestion_dismissal"
    __table_args__ = (UniqueConstraint("workshop_id", "key"),)

    id: str = Field(primary_key=True, max_length=40)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=64)
    item_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    created_seq: int = Field(default=0, sa_type=BigInteger)
