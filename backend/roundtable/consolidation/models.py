"""The engine's inputs and outputs: items to compare, and the suggestions made about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    similar: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

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
