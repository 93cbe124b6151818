"""What one item says, as weighted features: concepts, leftover words, character n-grams.

Words the lexicon knows become concepts, shared across languages (``korban`` and ``victims`` are
both ``victim``); other content words are kept (lightly stemmed) so that proper nouns and
unlisted terms still count; character trigrams of every content word give tolerance to typos
the lexicon does not catch. The title weighs more than the detail, which is often a rider.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from roundtable.consolidation.concepts import Lexicon
from roundtable.consolidation.lexicon import STOP_WORDS
from roundtable.consolidation.text import (
    char_ngrams,
    is_thai,
    normalise,
    script_balance,
    segment_thai,
    split_runs,
    stem_english,
)

TITLE_WEIGHT = 1.0
DETAIL_WEIGHT = 0.5
_LATIN_STOP = STOP_WORDS["en"] | STOP_WORDS["id"]


@dataclass
class ItemText:
    """The features of one item. Dicts keep insertion order, so iteration is deterministic."""

    language: str = "en"
    concepts: dict[str, float] = field(default_factory=dict)
    title_concepts: dict[str, None] = field(default_factory=dict)
    words: dict[str, float] = field(default_factory=dict)
    grams: dict[str, float] = field(default_factory=dict)
    surfaces: dict[str, str] = field(default_factory=dict)


def read_item(title: str, detail: str, lexicon: Lexicon) -> ItemText:
    text = ItemText()
    title_norm, detail_norm = normalise(title), normalise(detail)
    text.language = detect_language(title_norm + " " + detail_norm)
    _read_field(text, title_norm, TITLE_WEIGHT, lexicon, in_title=True)
    _read_field(text, detail_norm, DETAIL_WEIGHT, lexicon, in_title=False)
    return text


def detect_language(normalised: str) -> str:
    """``th``, ``id`` or ``en``: Thai by script, else whose stop words are more frequent."""
    thai, latin = script_balance(normalised)
    if thai and thai >= latin:
        return "th"
    words = [w for w in split_runs(normalised) if not is_thai(w)]
    indonesian = sum(w in STOP_WORDS["id"] for w in words)
    english = sum(w in STOP_WORDS["en"] for w in words)
    return "id" if indonesian > english else "en"


def _read_field(
    text: ItemText, normalised: str, weight: float, lexicon: Lexicon, *, in_title: bool
) -> None:
    latin: list[str] = []
    for run in [*split_runs(normalised), ""]:
        if run and not is_thai(run):
            if not latin or latin[-1] != run:  # "anak-anak", "tanda-tanda": one word, said twice
                latin.append(run)
            continue
        _read_latin(text, latin, weight, lexicon, in_title=in_title)
        latin = []
        if run:
            _read_thai(text, run, weight, lexicon, in_title=in_title)


def _read_latin(
    text: ItemText, tokens: list[str], weight: float, lexicon: Lexicon, *, in_title: bool
) -> None:
    covered = [False] * len(tokens)
    for start, end, concepts in lexicon.match_tokens(tokens):
        _add_concepts(text, concepts, weight, in_title=in_title)
        for k in range(start, end):
            covered[k] = True
    for k, token in enumerate(tokens):
        if token in _LATIN_STOP or (len(token) < 2 and not token.isdigit()):
            continue
        _add(text.grams, char_ngrams(token), weight)
        if token.isdigit():  # "24", "30" read the same in every language
            _add_concepts(text, [f"#{token}"], weight, in_title=in_title)
        elif not covered[k]:
            word = stem_english(token)
            _add(text.words, [word], weight)
            text.surfaces.setdefault(word, token)


def _read_thai(
    text: ItemText, run: str, weight: float, lexicon: Lexicon, *, in_title: bool
) -> None:
    for piece, known in segment_thai(run, lexicon.thai):
        concepts = lexicon.thai.get(piece, ()) if known else ()
        if known and not concepts:
            continue  # a stop word
        _add(text.grams, char_ngrams(piece), weight)
        if concepts:
            _add_concepts(text, concepts, weight, in_title=in_title)
        elif len(piece) >= 2:
            _add(text.words, [piece], weight)
            text.surfaces.setdefault(piece, piece)


def _add_concepts(
    text: ItemText, concepts: Iterable[str], weight: float, *, in_title: bool
) -> None:
    for concept in concepts:
        text.concepts[concept] = text.concepts.get(concept, 0.0) + weight
        if in_title:
            text.title_concepts[concept] = None


def _add(bag: dict[str, float], keys: Iterable[str], weight: float) -> None:
    for key in keys:
        bag[key] = bag.get(key, 0.0) + weight
