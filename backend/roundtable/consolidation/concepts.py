"""Mapping words to concepts with the lexicon: phrases, stems, Thai terms, and typos.

A Latin token sequence is read left to right; at each position the longest phrase wins, then an
exact word, then the longest stem (``victim*``), then, for words of five letters or more, a term
one slip away (a dropped, doubled or swapped letter; two slips for terms of ten letters or more),
so "vicitms" and "traficking" still count. Typo matching only looks at terms that share the
word's first two letters: cheap, and those are rarely the misspelt ones ("treat" is no "threat").
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from roundtable.consolidation.lexicon import CONCEPTS, STOP_WORDS
from roundtable.consolidation.text import edit_distance, is_thai, normalise, split_runs

Concepts = tuple[str, ...]
_FUZZY_MIN_WORD = 5
_FUZZY_MIN_TERM = 6
_FUZZY_TWO_EDITS = 10


@dataclass
class Lexicon:
    """The lexicon compiled for matching. Build it with :func:`load_lexicon`."""

    labels: dict[str, str] = field(default_factory=dict)
    exact: dict[str, Concepts] = field(default_factory=dict)
    # first letter -> (stem, concepts), longest stem first
    stems: dict[str, list[tuple[str, Concepts]]] = field(default_factory=dict)
    # first word -> (pattern words, concepts), longest phrase first; a pattern word may end in *
    phrases: dict[str, list[tuple[tuple[str, ...], Concepts]]] = field(default_factory=dict)
    # Thai term -> concepts; Thai stop words map to ()
    thai: dict[str, Concepts] = field(default_factory=dict)

    def match_tokens(self, tokens: Sequence[str]) -> Iterator[tuple[int, int, Concepts]]:
        """(start, end, concepts) for each lexicon match in a Latin token sequence."""
        i = 0
        while i < len(tokens):
            end, concepts = self._match_at(tokens, i)
            if concepts:
                yield i, end, concepts
            i = end

    def _match_at(self, tokens: Sequence[str], i: int) -> tuple[int, Concepts]:
        for pattern, concepts in self.phrases.get(tokens[i], ()):
            end = i + len(pattern)
            if end <= len(tokens) and all(
                _word_matches(tokens[i + k], word) for k, word in enumerate(pattern)
            ):
                return end, concepts
        return i + 1, self.match_word(tokens[i])

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - the lexicon lives as long as the process
    def match_word(self, word: str) -> Concepts:
        if word in self.exact:
            return self.exact[word]
        stems = self.stems.get(word[:1], [])
        for stem, concepts in stems:
            if word.startswith(stem):
                return concepts
        if len(word) < _FUZZY_MIN_WORD or not word.isalpha():
            return ()
        return self._match_typo(word)

    def _match_typo(self, word: str) -> Concepts:
        for term, concepts in self._typo_candidates(word[:2]):
            limit = 2 if len(term) >= _FUZZY_TWO_EDITS else 1
            stem = term.rstrip("*")
            # A typo keeps the last letter of the term, or of the stem, where the word may go
            # on: "compar-" is not "compan-", "separate" is not "separated".
            lengths = (len(stem) - 1, len(stem), len(stem) + 1) if term != stem else (len(word),)
            if any(
                n <= len(word)
                and word[n - 1] == stem[-1]
                and edit_distance(word[:n], stem, limit, substitution=2) <= limit
                for n in lengths
            ):
                return concepts
        return ()

    @functools.cache  # noqa: B019 - the lexicon lives as long as the process
    def _typo_candidates(self, start: str) -> tuple[tuple[str, Concepts], ...]:
        exact = [(w, c) for w, c in self.exact.items() if w[:2] == start]
        stems = [(s + "*", c) for s, c in self.stems.get(start[:1], []) if s[:2] == start]
        candidates = [(t, c) for t, c in exact + stems if len(t.rstrip("*")) >= _FUZZY_MIN_TERM]
        return tuple(sorted(candidates, key=lambda tc: (-len(tc[0]), tc[0])))

    def __hash__(self) -> int:
        return id(self)


def _word_matches(token: str, pattern: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


@functools.cache
def load_lexicon() -> Lexicon:
    """The lexicon of :mod:`lexicon`, compiled once per process."""
    lexicon = Lexicon()
    exact: dict[str, list[str]] = {}
    stems: dict[str, list[str]] = {}
    phrases: dict[tuple[str, ...], list[str]] = {}
    thai: dict[str, list[str]] = {}
    for cid, label, terms in CONCEPTS:
        if cid in lexicon.labels:
            raise ValueError(f"lexicon: concept {cid!r} is defined twice")
        lexicon.labels[cid] = label
        for term in terms:
            text = normalise(term)
            if is_thai(text):
                thai.setdefault(text, []).append(cid)
                continue
            words = tuple(
                w + "*" if text.endswith("*") and k == len(split_runs(text)) - 1 else w
                for k, w in enumerate(split_runs(text))
            )
            if not words or (words[0].endswith("*") and len(words) > 1):
                raise ValueError(f"lexicon: term {term!r} of {cid!r} must start with a whole word")
            if len(words) > 1:
                phrases.setdefault(words, []).append(cid)
            elif words[0].endswith("*"):
                stems.setdefault(words[0][:-1], []).append(cid)
            else:
                exact.setdefault(words[0], []).append(cid)
    lexicon.exact = {w: _unique(c) for w, c in exact.items()}
    for stem, cids in sorted(stems.items(), key=lambda sc: (-len(sc[0]), sc[0])):
        lexicon.stems.setdefault(stem[:1], []).append((stem, _unique(cids)))
    for words, cids in sorted(phrases.items(), key=lambda wc: (-len(wc[0]), wc[0])):
        lexicon.phrases.setdefault(words[0], []).append((words, _unique(cids)))
    lexicon.thai = {t: _unique(c) for t, c in thai.items()}
    for word in STOP_WORDS["th"]:
        lexicon.thai.setdefault(normalise(word), ())
    return lexicon


def _unique(cids: list[str]) -> Concepts:
    return tuple(dict.fromkeys(cids))
