"""Text normalisation and tokenisation for English, Bahasa Indonesia and Thai.

Latin-script text is split into words on anything that is not a letter or digit (so ``anak-anak``
and ``re-trafficked`` become two words each); Thai has no spaces between words, so a Thai run is
segmented by longest match against a dictionary (the lexicon's Thai terms and the Thai stop words)
and whatever the dictionary does not know is kept as raw text for character n-grams.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping

_RUN = re.compile(r"[\u0e00-\u0e7f]+|[^\W\u0e00-\u0e7f_]+")
_THAI_CHAR = re.compile(r"[\u0e00-\u0e7f]")
_LATIN_LETTER = re.compile(r"[a-z]")
# Thai signs that attach to the consonant before them: a word cannot end just before one.
_THAI_ATTACHED = frozenset("ะัาำิีึืฺุู็่้๊๋์ํๅ")


def normalise(text: str) -> str:
    """NFKC, case folding, and accents stripped from Latin letters (Thai marks are kept)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(_strip_accent(ch) for ch in folded)


def _strip_accent(ch: str) -> str:
    if "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff":
        return "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return ch


def is_thai(run: str) -> bool:
    return bool(_THAI_CHAR.match(run))


def split_runs(text: str) -> list[str]:
    """The runs of a normalised text: Latin words and digit groups, and unspaced Thai runs."""
    return _RUN.findall(text)


def script_balance(text: str) -> tuple[int, int]:
    """(Thai characters, Latin letters) in a normalised text."""
    return len(_THAI_CHAR.findall(text)), len(_LATIN_LETTER.findall(text))


def segment_thai(run: str, dictionary: Mapping[str, object]) -> Iterator[tuple[str, bool]]:
    """Split a Thai run into (piece, known) by longest dictionary match, left to right.

    Unknown characters between matches are gathered into one piece with ``known=False``.
    """
    longest = max((len(key) for key in dictionary), default=0)
    unknown_start = -1
    i = 0
    while i < len(run):
        end = _longest_match(run, i, dictionary, longest)
        if end:
            if unknown_start >= 0:
                yield run[unknown_start:i], False
                unknown_start = -1
            yield run[i:end], True
            i = end
        else:
            if unknown_start < 0:
                unknown_start = i
            i += 1
    if unknown_start >= 0:
        yield run[unknown_start:], False


def _longest_match(run: str, start: int, dictionary: Mapping[str, object], longest: int) -> int:
    for end in range(min(len(run), start + longest), start, -1):
        if run[start:end] in dictionary and (end == len(run) or run[end] not in _THAI_ATTACHED):
            return end
    return 0


def stem_english(word: str) -> str:
    """A light suffix stripper: plurals, -ing and -ed (enough to join 'screened'/'screening')."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    return word


def char_ngrams(piece: str, n: int = 3) -> list[str]:
    """Character n-grams of one word (padded with ``#`` so short words still give grams)."""
    padded = piece if is_thai(piece) else f"#{piece}#"
    if len(padded) <= n:
        return [padded]
    return [padded[i : i + n] for i in range(len(padded) - n + 1)]


def edit_distance(a: str, b: str, limit: int, substitution: int = 1) -> int:
    """Optimal-string-alignment distance, or ``limit + 1`` as soon as it must exceed limit.

    ``substitution`` is the cost of replacing one letter: at 2, only dropped, doubled and
    swapped letters count as cheap, which is what typing slips mostly are.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else substitution
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
