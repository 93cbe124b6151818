from __future__ import annotations

from roundtable.consolidation.concepts import load_lexicon
from roundtable.consolidation.features import detect_language, read_item
from roundtable.consolidation.text import (
    char_ngrams,
    edit_distance,
    normalise,
    segment_thai,
    split_runs,
    stem_english,
)


def test_normalise_folds_case_width_and_latin_accents() -> None:
    assert normalise("\uff32éfugiés ÀND Victims")  # a full-width R == "refugies and victims"
    assert normalise("STRASSE straße") == "strasse strasse"


def test_normalise_keeps_thai_marks() -> None:
    # Thai vowel and tone marks are combining characters: they must survive accent stripping.
    assert normalise("ผู้เสียหาย") == "ผู้เสียหาย"


def test_split_runs_separates_thai_from_latin_and_splits_hyphens() -> None:
    assert split_runs(normalise("anak-anak ที่พัก 24-hour")) == ["anak", "anak", "ที่พัก", "24", "hour"]


def test_segment_thai_by_longest_dictionary_match() -> None:
    lexicon = load_lexicon()
    pieces = list(segment_thai(normalise("การคัดแยกผู้เสียหายจากการค้ามนุษย์"), lexicon.thai))
    known = [piece for piece, is_known in pieces if is_known]
    assert "การค้ามนุษย์" in known  # the longest entry wins over the stop word การ
    assert "ผู้เสียหาย" in known
    assert "คัดแยก" in known


def test_thai_item_gets_concepts_and_character_ngrams() -> None:
    text = read_item("บ้านพักสำหรับเด็กต้องแยกจากผู้ใหญ่", "", load_lexicon())
    assert text.language == "th"
    assert {"shelter", "child", "adult"} <= set(text.concepts)
    assert all(len(gram) <= 3 for gram in text.grams)
    assert text.grams


def test_detect_language() -> None:
    assert detect_language(normalise("Rumah aman bagi korban yang tidak aman untuk pulang")) == "id"
    assert detect_language(normalise("Shelters for the victims of trafficking")) == "en"
    assert detect_language(normalise("ล่ามสำหรับผู้เสียหาย")) == "th"


def test_stem_english() -> None:
    assert stem_english("countries") == "country"
    assert stem_english("screening") == stem_english("screened") == "screen"
    assert stem_english("process") == "process"
    assert stem_english("bus") == "bus"


def test_char_ngrams_are_padded() -> None:
    assert char_ngrams("aid") == ["#ai", "aid", "id#"]


def test_edit_distance_counts_swaps_once_and_can_price_substitutions() -> None:
    assert edit_distance("vicitm", "victim", limit=1) == 1
    assert edit_distance("compar", "compan", limit=1) == 1
    assert edit_distance("compar", "compan", limit=1, substitution=2) == 2  # over the limit
