"""Measuring suggestions against a facilitator's gold merges (used by the bench and the tests).

Gold is ``{"merges": [[ref, …], …], "must_not_merge": [[ref, ref], …]}``. Clusters are scored
pairwise: every pair of refs inside one cluster is a predicted merge, every pair inside one gold
merge a true one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Quality:
    recall_at_k: float  # items with a gold partner that have one among their k nearest
    partner_recall_at_k: float  # gold (item, partner) pairs found among the item's k nearest
    precision: float | None  # None when nothing was suggested
    recall: float
    f1: float
    violations: int  # must-not-merge pairs that ended up in one cluster
    items_with_partner: int
    gold_pairs: int
    predicted_pairs: int


def restrict_gold(
    merges: Sequence[Sequence[str]], must_not: Sequence[Sequence[str]], refs: Collection[str]
) -> tuple[list[list[str]], list[list[str]]]:
    """The gold for a subset of the items: merges cut to the subset, pairs fully inside it."""
    kept = [[r for r in merge if r in refs] for merge in merges]
    return (
        [merge for merge in kept if len(merge) > 1],
        [list(pair) for pair in must_not if all(r in refs for r in pair)],
    )


def measure(
    clusters: Sequence[Sequence[str]],
    similar: Mapping[str, Sequence[Sequence[object]]],
    merges: Sequence[Sequence[str]],
    must_not: Sequence[Sequence[str]],
    k: int = 5,
) -> Quality:
    gold = _pairs(merges)
    predicted = _pairs(clusters)
    true_positives = len(gold & predicted)
    precision = true_positives / len(predicted) if predicted else None
    recall = true_positives / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    partners: dict[str, set[str]] = {}
    for a, b in gold:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    hits = found = total = 0
    for ref, wanted in partners.items():
        top = {str(entry[0]) for entry in similar.get(ref, [])[:k]}
        hits += bool(top & wanted)
        found += len(top & wanted)
        total += len(wanted)
    violations = sum(_pair(a, b) in predicted for a, b in must_not)
    return Quality(
        recall_at_k=hits / len(partners) if partners else 1.0,
        partner_recall_at_k=found / total if total else 1.0,
        precision=precision,
        recall=recall,
        f1=f1,
        violations=violations,
        items_with_partner=len(partners),
        gold_pairs=len(gold),
        predicted_pairs=len(predicted),
    )


def _pairs(groups: Sequence[Sequence[str]]) -> set[Pair]:
    return {_pair(a, b) for group in groups for a, b in combinations(group, 2)}


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)
