"""Learning from a facilitator's decisions within one workshop: term pairs, said in words.

A facilitator's decisions are pairs of items: *the same point* (two sources of one
consolidated item, whether merged from a suggestion or by hand) or *different points* (two
items of a dismissed suggestion). What the engine takes from a pair is what its titles do
not share, the words or concepts only one side uses:

- the same point: each such term of one side is a **synonym** of each of the other's, so a
  later pair where one item has the first and the other the second scores ``+SYNONYM_BONUS``
  (at most ``MAX_BONUS`` in all). "pelatihan kerja" merged with "vocational re-skilling"
  makes the next "pelatihan" item meet the next "vocational" one.
- different points: each such pair of terms is a **contrast**, like the lexicon's
  trafficking / smuggling: a later pair taking its two sides is multiplied by ``CONTRAST_FACTOR``.

The decisions also set the workshop's **threshold**. Two sources of one consolidated item are
a pair that should be suggested; two items of a dismissal, or two sources of *different*
consolidated items, a pair that should not. Among thresholds from 0.44 to 0.52 (the default
0.48, give or take 0.04: a few dozen decisions should not move it further) the one that gets
the most of those pairs right is taken, when it gets more right than the default (the
nearest to the default on a tie; nothing moves with fewer than ``MIN_EVIDENCE`` pairs).

A term used by more than a fifth of the items being compared (and by more than three) says
nothing about any pair in this workshop and is not applied; nor are words of three letters or
fewer. Every adjustment is kept with its origin, so a suggestion's reason can say which
decision raised or lowered it. Nothing is stored: the pairs are derived again from the
decisions on each call, so undoing a merge or a dismissal undoes what was learned from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from roundtable.consolidation.concepts import Lexicon
from roundtable.consolidation.features import ItemText, read_item
from roundtable.consolidation.models import SuggestItem

SYNONYM_BONUS = 0.15
MAX_BONUS = 0.3
CONTRAST_FACTOR = 0.5
MAX_TERMS = 3  # per side of a decision, in title order
MIN_LENGTH = 4
COMMON_SHARE = 0.2
COMMON_FLOOR = 3
LOWEST_THRESHOLD = 0.44
HIGHEST_THRESHOLD = 0.52
THRESHOLD_STEP = 0.02
MIN_EVIDENCE = 5


@dataclass(frozen=True, slots=True)
class Decision:
    """Two items a facilitator judged: ``same`` (merged) or not (dismissed); ``origin``
    names the decision for people ("K3", "a dismissed suggestion")."""

    first: SuggestItem
    second: SuggestItem
    same: bool
    origin: str


@dataclass(frozen=True, slots=True)
class TermPair:
    first: str  # feature keys: "c:<concept>" or "w:<word>"
    second: str
    label: str  # "pelatihan / vocational"
    origin: str


@dataclass(frozen=True, slots=True)
class Learned:
    synonyms: tuple[TermPair, ...] = ()
    contrasts: tuple[TermPair, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.synonyms or self.contrasts)


@dataclass
class Influence:
    """What decisions did to one pair's score."""

    raised_by: list[TermPair] = field(default_factory=list)
    lowered_by: list[TermPair] = field(default_factory=list)


def learn(decisions: Sequence[Decision], lexicon: Lexicon) -> Learned:
    synonyms: dict[tuple[str, str], TermPair] = {}
    contrasts: dict[tuple[str, str], TermPair] = {}
    for decision in decisions:
        one = _own_terms(decision.first, decision.second, lexicon)
        other = _own_terms(decision.second, decision.first, lexicon)
        found = synonyms if decision.same else contrasts
        for a, label_a in one:
            for b, label_b in other:
                key = (a, b) if a <= b else (b, a)
                if key not in found:
                    label = f"{label_a} / {label_b}"
                    found[key] = TermPair(key[0], key[1], label, decision.origin)
    # A pair of terms both merged and kept apart is a contradiction: neither applies.
    for key in set(synonyms) & set(contrasts):
        del synonyms[key], contrasts[key]
    return Learned(tuple(synonyms.values()), tuple(contrasts.values()))


@dataclass(frozen=True, slots=True)
class Calibration:
    threshold: float
    same: int  # pairs the facilitators merged
    different: int  # pairs they dismissed or put into different consolidated items


def calibrate(same: Sequence[float], different: Sequence[float], default: float) -> Calibration:
    """The threshold that gets the most decided pairs right (scores before learning)."""

    def errors(t: float) -> int:
        return sum(s < t for s in same) + sum(s >= t for s in different)

    threshold = default
    if len(same) + len(different) >= MIN_EVIDENCE:
        steps = round((HIGHEST_THRESHOLD - LOWEST_THRESHOLD) / THRESHOLD_STEP)
        candidates = [round(LOWEST_THRESHOLD + k * THRESHOLD_STEP, 2) for k in range(steps + 1)]
        best = min(candidates, key=lambda t: (errors(t), abs(t - default), t))
        if errors(best) < errors(default):
            threshold = best
    return Calibration(threshold, len(same), len(different))


def decided_pairs(
    decisions: Sequence[Decision], index: dict[str, int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Index pairs judged the same and judged different: dismissed pairs, and sources of
    different consolidated items (decisions whose items are not in ``index`` are skipped)."""
    same: list[tuple[int, int]] = []
    different: list[tuple[int, int]] = []
    merged: dict[str, list[int]] = {}
    for d in decisions:
        if d.first.ref not in index or d.second.ref not in index:
            continue
        i, j = sorted((index[d.first.ref], index[d.second.ref]))
        (same if d.same else different).append((i, j))
        if d.same:
            members = merged.setdefault(d.origin, [])
            members.extend(k for k in (i, j) if k not in members)
    groups = list(merged.values())
    for n, one in enumerate(groups):
        for other in groups[n + 1 :]:
            different.extend((min(i, j), max(i, j)) for i in one for j in other if i != j)
    return same, different


def pairs_of(items: Sequence[SuggestItem]) -> list[tuple[SuggestItem, SuggestItem]]:
    """Every pair of a merge's sources, or of a dismissed suggestion's items."""
    return list(combinations(items, 2))


def adjust(
    matrix: list[list[float]], texts: Sequence[ItemText], learned: Learned
) -> dict[tuple[int, int], Influence]:
    """Applies ``learned`` to ``matrix`` in place; returns the influence on each changed
    pair ``(i, j)``, ``i < j``."""
    influences: dict[tuple[int, int], Influence] = {}
    if not learned:
        return influences
    keys = [_keys(t) for t in texts]
    common = max(COMMON_FLOOR, len(texts) * COMMON_SHARE)
    frequency: dict[str, int] = {}
    for ks in keys:
        for k in ks:
            frequency[k] = frequency.get(k, 0) + 1

    def sides(pair: TermPair) -> tuple[list[int], list[int]] | None:
        if frequency.get(pair.first, 0) > common or frequency.get(pair.second, 0) > common:
            return None
        ones = [i for i, ks in enumerate(keys) if pair.first in ks and pair.second not in ks]
        others = [i for i, ks in enumerate(keys) if pair.second in ks and pair.first not in ks]
        return ones, others

    for pair in learned.synonyms:
        found = sides(pair)
        for i, j in _across(found):
            influences.setdefault((i, j), Influence()).raised_by.append(pair)
    for pair in learned.contrasts:
        found = sides(pair)
        for i, j in _across(found):
            influences.setdefault((i, j), Influence()).lowered_by.append(pair)
    for (i, j), influence in influences.items():
        score = matrix[i][j]
        if influence.raised_by:
            score += min(MAX_BONUS, SYNONYM_BONUS * len(influence.raised_by))
        if influence.lowered_by:
            score *= CONTRAST_FACTOR
        matrix[i][j] = matrix[j][i] = min(1.0, score)
    return influences


def explain_influence(members: Sequence[int], influences: dict[tuple[int, int], Influence]) -> str:
    """``raised by earlier merges (K3: pelatihan / vocational)``, or ``""``."""
    raised: list[TermPair] = []
    lowered: list[TermPair] = []
    for n, i in enumerate(members):
        for j in members[n + 1 :]:
            influence = influences.get((min(i, j), max(i, j)))
            if influence is not None:
                raised.extend(p for p in influence.raised_by if p not in raised)
                lowered.extend(p for p in influence.lowered_by if p not in lowered)
    parts = []
    if raised:
        parts.append("raised by earlier merges (" + _cite(raised) + ")")
    if lowered:
        parts.append("lowered by dismissed suggestions (" + _cite(lowered) + ")")
    return "; ".join(parts)


def _cite(pairs: list[TermPair], limit: int = 2) -> str:
    return ", ".join(f"{p.origin}: {p.label}" for p in pairs[:limit])


def _own_terms(item: SuggestItem, other: SuggestItem, lexicon: Lexicon) -> list[tuple[str, str]]:
    """Terms of ``item``'s title that ``other`` does not use anywhere, in title order."""
    title = read_item(item.title, "", lexicon)
    theirs = _keys(read_item(other.title, other.detail, lexicon))
    found: list[tuple[str, str]] = []
    for concept in title.concepts:
        if not concept.startswith("#") and f"c:{concept}" not in theirs:
            found.append((f"c:{concept}", lexicon.labels.get(concept, concept)))
    for word in title.words:
        if len(word) >= MIN_LENGTH and f"w:{word}" not in theirs:
            found.append((f"w:{word}", title.surfaces.get(word, word)))
    return found[:MAX_TERMS]


def _keys(text: ItemText) -> set[str]:
    return {f"c:{c}" for c in text.concepts} | {f"w:{w}" for w in text.words}


def _across(found: tuple[list[int], list[int]] | None) -> list[tuple[int, int]]:
    if found is None:
        return []
    ones, others = found
    return [(min(i, j), max(i, j)) for i in ones for j in others if i != j]
