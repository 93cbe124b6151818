"""Merge suggestions for the groups' items: who is close to whom, and which items to merge.

``suggest`` is pure and deterministic: items are first put in a canonical order (by ref, in
natural order: A2 before A10), and everything after works on that order, so shuffling the input,
or changing ``PYTHONHASHSEED``, changes nothing in the output. Suggestions never apply themselves;
a facilitator reads them and decides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from roundtable.consolidation.cluster import cluster_indices, mean_similarity
from roundtable.consolidation.concepts import Lexicon, load_lexicon
from roundtable.consolidation.features import ItemText, read_item
from roundtable.consolidation.learning import (
    Calibration,
    Decision,
    adjust,
    calibrate,
    decided_pairs,
    explain_influence,
    learn,
)
from roundtable.consolidation.models import Cluster, Suggestions, SuggestItem
from roundtable.consolidation.similarity import Weights, score_matrix

MERGE_THRESHOLD = 0.48
NEAREST = 5
MIN_SIMILAR = 0.05
_LANGUAGES = {"en": "English", "id": "Bahasa Indonesia", "th": "Thai"}
# Concepts that help the score but tell a facilitator nothing about why items go together.
_NOT_A_REASON = frozenset({"before", "after"})


def suggest(
    items: Sequence[SuggestItem],
    *,
    threshold: float = MERGE_THRESHOLD,
    nearest: int = NEAREST,
    weights: Weights = Weights(),
    decisions: Sequence[Decision] = (),
    learning: bool = True,
) -> Suggestions:
    """Nearest neighbours of every item and suggested merges (clusters above ``threshold``).

    ``decisions`` are the facilitators' merges and dismissals in this workshop (their items
    need not be among ``items``, and are compared with them): two items of one dismissal are
    never in one cluster, and what the decisions teach (``learning.py``) sets the threshold
    and adjusts the scores, said in the reason (``learning=False``: the dismissals still
    keep their items apart, nothing else is learnt).
    """
    ordered = canonical_order(items)
    n = len(ordered)
    known = {item.ref for item in ordered}
    decided = canonical_order(
        list(
            {
                i.ref: i for d in decisions for i in (d.first, d.second) if i.ref not in known
            }.values()
        )
    )
    pool = ordered + decided  # the decided items weigh in the IDF and are scored for calibration
    lexicon = load_lexicon()
    texts = [read_item(item.title, item.detail, lexicon) for item in pool]
    full = score_matrix(pool, texts, weights)
    index = {item.ref: k for k, item in enumerate(pool)}
    same, different = decided_pairs(decisions, index)
    if learning:
        calibration = calibrate(
            [full[i][j] for i, j in same], [full[i][j] for i, j in different], threshold
        )
        influences = adjust(full, texts, learn(decisions, lexicon))
    else:
        calibration, influences = Calibration(threshold, 0, 0), {}
    matrix = [row[:n] for row in full[:n]]
    dismissed = (
        d for d in decisions if not d.same and d.first.ref in known and d.second.ref in known
    )
    apart = {
        (min(index[d.first.ref], index[d.second.ref]), max(index[d.first.ref], index[d.second.ref]))
        for d in dismissed
    }
    clusters = []
    for members in cluster_indices(matrix, calibration.threshold, apart):
        score = mean_similarity(matrix, members)
        notes = [
            explain([ordered[i] for i in members], [texts[i] for i in members], texts, lexicon)
        ]
        notes.append(explain_influence(members, influences))
        if score < threshold:
            decided_count = calibration.same + calibration.different
            notes.append(
                f"under the usual {threshold:.2f}, above this workshop's"
                f" {calibration.threshold:.2f} (set from {decided_count} decided pairs)"
            )
        clusters.append(
            Cluster(
                refs=tuple(ordered[i].ref for i in members),
                score=round(score, 2),
                reason="; ".join(note for note in notes if note),
            )
        )
    position = {item.ref: k for k, item in enumerate(ordered)}
    clusters.sort(key=lambda c: (-c.score, position[c.refs[0]]))
    return Suggestions(
        clusters=tuple(clusters),
        similar=nearest_items(ordered, matrix, nearest),
        threshold=calibration.threshold,
    )


def canonical_order(items: Sequence[SuggestItem]) -> list[SuggestItem]:
    """Items sorted by natural ref order; a ref used twice is an error."""
    seen: set[str] = set()
    for item in items:
        if item.ref in seen:
            raise ValueError(f"ref {item.ref!r} is used by more than one item")
        seen.add(item.ref)
    return sorted(items, key=lambda item: (natural_key(item.ref), item.ref))


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that puts 'A2' before 'A10'."""
    return tuple(
        (1, int(part), "") if part.isdigit() else (0, 0, part.casefold())
        for part in re.findall(r"\d+|\D+", text)
    )


def nearest_items(
    ordered: Sequence[SuggestItem], matrix: Sequence[Sequence[float]], limit: int
) -> dict[str, list[tuple[str, float]]]:
    similar: dict[str, list[tuple[str, float]]] = {}
    for i, item in enumerate(ordered):
        ranked = sorted(
            (j for j in range(len(ordered)) if j != i and matrix[i][j] >= MIN_SIMILAR),
            key=lambda j: (-matrix[i][j], j),
        )
        similar[item.ref] = [(ordered[j].ref, round(matrix[i][j], 2)) for j in ranked[:limit]]
    return similar


def explain(
    members: Sequence[SuggestItem],
    texts: Sequence[ItemText],
    everyone: Sequence[ItemText],
    lexicon: Lexicon,
) -> str:
    """A short reason: the terms the items share, rarest first, and where they come from."""
    terms = _shared_terms(texts, everyone, lexicon)
    if not terms:
        what = "similar wording"
    elif len(members) == 2:
        what = "both mention: " + ", ".join(terms)
    else:
        what = f"all {len(members)} mention: " + ", ".join(terms)
    groups = sorted({_group_label(m.group) for m in members}, key=natural_key)
    where = ("group " if len(groups) == 1 else "groups ") + _and_list(groups)
    languages = [_LANGUAGES[code] for code in _LANGUAGES if any(t.language == code for t in texts)]
    if len(languages) > 1:
        where += "; in " + _and_list(languages)
    return f"{what}; {where}"


def _shared_terms(
    texts: Sequence[ItemText], everyone: Sequence[ItemText], lexicon: Lexicon, limit: int = 3
) -> list[str]:
    def frequency(key: str, concept: bool) -> int:
        return sum(key in (t.concepts if concept else t.words) for t in everyone)

    first = texts[0]
    shared_concepts = [
        c
        for c in first.concepts
        if c not in _NOT_A_REASON and all(c in t.concepts for t in texts[1:])
    ]
    shared_words = [w for w in first.words if all(w in t.words for t in texts[1:])]
    ranked = sorted(
        [(frequency(c, True), 0, lexicon.labels.get(c, c.lstrip("#"))) for c in shared_concepts]
        + [(frequency(w, False), 1, first.surfaces[w]) for w in shared_words]
    )
    labels = list(dict.fromkeys(label for _, _, label in ranked))
    return labels[:limit]


def _group_label(name: str) -> str:
    short = re.sub(r"^group\s+", "", name.strip(), flags=re.IGNORECASE)
    return short or name


def _and_list(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
