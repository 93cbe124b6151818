"""Quality floors on the labelled fixtures: they catch regressions, not noise.

The floors sit a little below what the engine reaches (see docs/suggestions.md for the figures).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from roundtable.consolidation import items_from_document, suggest
from roundtable.consolidation.quality import Quality, measure, restrict_gold

FIXTURES = Path(__file__).parents[1] / "fixtures" / "suggest"


def quality(name: str, groups: slice = slice(None)) -> Quality:
    document: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    names = [g["name"] for g in document["groups"]][groups]
    items = [i for i in items_from_document(document) if i.group in names]
    merges, must_not = restrict_gold(
        document["gold"]["merges"], document["gold"]["must_not_merge"], {i.ref for i in items}
    )
    result = suggest(items)
    return measure([list(c.refs) for c in result.clusters], result.similar, merges, must_not)


def test_gold_fixture_is_big_and_labelled() -> None:
    document = json.loads((FIXTURES / "roundtable-gold.json").read_text(encoding="utf-8"))
    items = items_from_document(document)
    assert len(items) >= 110 and len(document["groups"]) == 6
    assert len(document["gold"]["must_not_merge"]) >= 15
    refs = {i.ref for i in items}
    gold = document["gold"]
    assert all(r in refs for merge in gold["merges"] for r in merge)
    assert all(r in refs for pair in gold["must_not_merge"] for r in pair)


@pytest.mark.parametrize(
    ("name", "groups", "recall_at_5", "f1", "violations"),
    [
        ("roundtable-gold.json", slice(None), 0.95, 0.78, 0),
        ("roundtable-gold.json", slice(0, 4), 0.95, 0.70, 0),  # the part tuned on
        ("heldout.json", slice(None), 0.90, 0.70, 1),  # never tuned on
    ],
)
def test_quality_floor(
    name: str, groups: slice, recall_at_5: float, f1: float, violations: int
) -> None:
    q = quality(name, groups)
    assert q.recall_at_k >= recall_at_5
    assert q.f1 >= f1
    assert q.violations <= violations
