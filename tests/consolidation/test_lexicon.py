from __future__ import annotations

import pytest

from roundtable.consolidation.concepts import load_lexicon
from roundtable.consolidation.features import read_item
from roundtable.consolidation.lexicon import CONCEPTS, CONTRASTS, parse_table
from roundtable.consolidation.text import normalise, split_runs


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("victims", "victim"),
        ("korban", "victim"),
        ("ผู้เสียหาย", "victim"),
        ("perdagangan orang", "trafficking"),
        ("การค้ามนุษย์", "trafficking"),
        ("rumah aman", "shelter"),
        ("ที่พักพิง", "shelter"),
        ("safe houses", "shelter"),
        ("anak", "child"),
        ("เด็ก", "child"),
        ("penerjemah", "interpreter"),
        ("ล่าม", "interpreter"),
        ("penyelundupan", "smuggling"),
    ],
)
def test_words_in_three_languages_map_to_one_concept(text: str, concept: str) -> None:
    assert concept in read_item(text, "", load_lexicon()).concepts


@pytest.mark.parametrize(
    ("typo", "concept"),
    [
        ("vicitms", "victim"),
        ("traficking", "trafficking"),
        ("intepreters", "interpreter"),
        ("goverment", "government"),
        ("smugling", "smuggling"),
    ],
)
def test_typos_still_find_their_concept(typo: str, concept: str) -> None:
    assert load_lexicon().match_word(typo) == (concept,)


@pytest.mark.parametrize("word", ["compared", "treat", "during", "fellow", "convention"])
def test_real_words_are_not_taken_for_typos(word: str) -> None:
    assert load_lexicon().match_word(word) == ()


def test_stems_and_longest_stem_wins() -> None:
    lexicon = load_lexicon()
    assert lexicon.match_word("trafficking") == ("trafficking",)
    assert lexicon.match_word("traffickers") == ("perpetrator",)


def test_phrases_win_over_their_words() -> None:
    tokens = split_runs(normalise("debt bondage and legal aid, free to leave"))
    found = [concepts for _, _, concepts in load_lexicon().match_tokens(tokens)]
    assert ("forced_labour", "debt") in found
    assert ("legal_aid",) in found
    assert ("movement",) in found
    assert ("free_of_charge",) not in found


def test_reduplicated_indonesian_words_count_once() -> None:
    text = read_item("tanda-tanda", "", load_lexicon())
    assert text.concepts["indicator"] == 1.0


def test_lexicon_is_consistent() -> None:
    ids = [cid for cid, _, _ in CONCEPTS]
    assert len(ids) == len(set(ids))
    for x, y in CONTRASTS:
        assert x in ids and y in ids


def test_parse_table_rejects_malformed_lines() -> None:
    assert parse_table("a = A: x | y\n    | z") == (("a", "A", ("x", "y", "z")),)
    with pytest.raises(ValueError, match="expected 'id = label: terms'"):
        parse_table("no separator here")
    with pytest.raises(ValueError, match="continuation before any concept"):
        parse_table("| z")
