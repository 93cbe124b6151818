"""Pairwise similarity: TF-IDF cosine over concepts and words, plus character n-grams, adjusted.

``s = cos(concepts+words)``, raised to ``0.75·s + 0.25·cos(char trigrams)`` when that is higher
and both items are in the same language, where shared spelling means something (typos); across
languages the concepts carry the comparison alone. Then: a different kind (need, response,
practice) lowers the score a little, shared themes raise it a little, and a *contrast* (one item
is about trafficking, the other about smuggling, and neither mentions the other) cuts it hard,
because look-alikes that differ on a discriminating term are the costliest wrong merges.

IDF comes from the items being compared, so the same words weigh less in a workshop where every
group used them. Sums run in a fixed order over insertion-ordered dicts: results do not depend on
hash seeds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from roundtable.consolidation.features import ItemText
from roundtable.consolidation.lexicon import CONTRASTS
from roundtable.consolidation.models import SuggestItem

Vector = dict[str, float]


@dataclass(frozen=True, slots=True)
class Weights:
    concept: float = 1.0
    word: float = 0.6
    char_share: float = 0.25
    kind_factor: float = 0.9
    theme_bonus: float = 0.03
    contrast_factor: float = 0.5


def score_matrix(
    items: Sequence[SuggestItem], texts: Sequence[ItemText], weights: Weights = Weights()
) -> list[list[float]]:
    """Symmetric matrix of similarities in [0, 1]; the diagonal is 0."""
    n = len(items)
    semantic = tfidf_vectors([_semantic_bag(t, weights) for t in texts])
    grams = tfidf_vectors([t.grams for t in texts])
    themes = [set(item.themes) for item in items]
    matrix = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            score = cosine(semantic[i], semantic[j])
            if texts[i].language == texts[j].language:
                # Shared spelling can only add: it rescues typos, it does not dilute paraphrases.
                char = cosine(grams[i], grams[j])
                score = max(score, (1 - weights.char_share) * score + weights.char_share * char)
            if score <= 0.0:
                continue
            if items[i].kind and items[j].kind and items[i].kind != items[j].kind:
                score *= weights.kind_factor
            union = themes[i] | themes[j]
            if union:
                score += weights.theme_bonus * len(themes[i] & themes[j]) / len(union)
            if find_contrast(texts[i], texts[j]) is not None:
                score *= weights.contrast_factor
            matrix[i][j] = matrix[j][i] = min(1.0, score)
    return matrix


def find_contrast(a: ItemText, b: ItemText) -> tuple[str, str] | None:
    """The first discriminating pair on which a and b take different sides, if any.

    Checked on the titles (what the item is about) and on the whole text: a side counts when one
    item has the concept and the other lacks it.
    """
    for x, y in CONTRASTS:
        for sa, sb in ((a.title_concepts, b.title_concepts), (a.concepts, b.concepts)):
            if _sides(sa, sb, x, y) or _sides(sa, sb, y, x):
                return x, y
    return None


def _sides(sa: Mapping[str, object], sb: Mapping[str, object], x: str, y: str) -> bool:
    return x in sa and y not in sa and y in sb and x not in sb


def _semantic_bag(text: ItemText, weights: Weights) -> Vector:
    bag = {f"c:{c}": weights.concept * math.sqrt(w) for c, w in text.concepts.items()}
    bag.update({f"w:{w}": weights.word * math.sqrt(v) for w, v in text.words.items()})
    return bag


def tfidf_vectors(bags: Sequence[Mapping[str, float]]) -> list[Vector]:
    """Unit-length TF-IDF vectors; IDF is smoothed and taken over these bags only."""
    df: dict[str, int] = {}
    for bag in bags:
        for key in bag:
            df[key] = df.get(key, 0) + 1
    n = len(bags)
    vectors = []
    for bag in bags:
        vector = {k: v * (math.log((1 + n) / (1 + df[k])) + 1) for k, v in bag.items()}
        norm = math.sqrt(math.fsum(v * v for v in vector.values()))
        vectors.append({k: v / norm for k, v in vector.items()} if norm else {})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return math.fsum(v * b[k] for k, v in a.items() if k in b)
