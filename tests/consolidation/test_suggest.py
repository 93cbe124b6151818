from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from roundtable.consolidation import SuggestItem, items_from_document, suggest
from roundtable.consolidation.suggest import MERGE_THRESHOLD, natural_key

GOLD = Path(__file__).parents[1] / "fixtures" / "suggest" / "roundtable-gold.json"


def item(ref: str, title: str, kind: str = "response", detail: str = "") -> SuggestItem:
    return SuggestItem(ref=ref, group=f"Group {ref[0]}", kind=kind, title=title, detail=detail)


LOOK_ALIKES = [
    item("A1", "Screen for trafficking indicators at border crossings"),
    item("B1", "Screen for smuggling indicators at border crossings"),
    item("C1", "Check people crossing the border for signs of human trafficking"),
    item("D1", "Interpreters for victims staying in shelters"),
    item("E1", "Shelters for adult victims of trafficking"),
    item("F1", "Separate shelters for children who were trafficked"),
]


def score(result_similar: dict[str, list[tuple[str, float]]], a: str, b: str) -> float:
    return dict(result_similar[a]).get(b, 0.0)


def test_contrast_keeps_trafficking_and_smuggling_apart_but_merges_a_paraphrase() -> None:
    result = suggest(LOOK_ALIKES)
    assert score(result.similar, "A1", "B1") < MERGE_THRESHOLD
    assert score(result.similar, "A1", "C1") >= MERGE_THRESHOLD
    assert ("A1", "C1") in [c.refs for c in result.clusters]
    assert not any({"A1", "B1"} <= set(c.refs) for c in result.clusters)


def test_child_and_adult_shelters_are_not_merged() -> None:
    result = suggest(LOOK_ALIKES)
    assert score(result.similar, "E1", "F1") < MERGE_THRESHOLD


def test_paraphrases_across_languages_are_merged() -> None:
    items = [
        item("A1", "Shelters for child victims of trafficking", kind="need"),
        item("B1", "Rumah aman khusus untuk anak korban perdagangan orang", kind="need"),
        item("C1", "บ้านพักสำหรับเด็กที่เป็นผู้เสียหายจากการค้ามนุษย์", kind="need"),
        item("D1", "Qualified interpreters during screening interviews"),
    ]
    result = suggest(items)
    assert [c.refs for c in result.clusters] == [("A1", "B1", "C1")]
    reason = result.clusters[0].reason
    assert "children" in reason and "shelters" in reason
    assert "groups A, B and C" in reason
    assert "English, Bahasa Indonesia and Thai" in reason


def test_typos_do_not_hide_a_duplicate() -> None:
    items = [
        item("A1", "Qualified interpreters for victims during screening"),
        item("B1", "Qualifed intepreters for vicitms durng screning"),
        item("C1", "Return travel costs covered"),
    ]
    assert [c.refs for c in suggest(items).clusters] == [("A1", "B1")]


def test_kind_mismatch_lowers_the_score() -> None:
    same = suggest([item("A1", "Legal aid for victims"), item("B1", "Free lawyers for victims")])
    mixed = suggest(
        [item("A1", "Legal aid for victims"), item("B1", "Free lawyers for victims", kind="need")]
    )
    assert score(mixed.similar, "A1", "B1") < score(same.similar, "A1", "B1")


def gold_items() -> list[SuggestItem]:
    return items_from_document(json.loads(GOLD.read_text(encoding="utf-8")))


def test_shuffled_input_gives_identical_output() -> None:
    items = gold_items()
    expected = json.dumps(suggest(items).to_json())
    for seed in range(3):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        assert json.dumps(suggest(shuffled).to_json()) == expected


def test_each_item_is_in_at_most_one_cluster_and_clusters_are_ordered() -> None:
    result = suggest(gold_items())
    refs = [ref for cluster in result.clusters for ref in cluster.refs]
    assert len(refs) == len(set(refs))
    assert all(len(c.refs) >= 2 and c.score >= MERGE_THRESHOLD - 0.005 for c in result.clusters)
    scores = [c.score for c in result.clusters]
    assert scores == sorted(scores, reverse=True)
    for cluster in result.clusters:
        assert list(cluster.refs) == sorted(cluster.refs, key=natural_key)


def test_json_shape_matches_the_design() -> None:
    result = suggest(gold_items()).to_json()
    assert set(result) == {"clusters", "similar"}
    cluster = result["clusters"][0]
    assert set(cluster) == {"refs", "score", "reason"}
    assert isinstance(cluster["refs"], list) and isinstance(cluster["reason"], str)
    assert len(result["similar"]) == len(gold_items())
    for nearest in result["similar"].values():
        assert len(nearest) <= 5
        assert [s for _, s in nearest] == sorted((s for _, s in nearest), reverse=True)
        assert all(round(s, 2) == s for _, s in nearest)


def test_every_item_is_listed_in_similar_even_when_alone() -> None:
    result = suggest([item("A1", "Hotline"), item("B1", "ล่าม")])
    assert result.similar == {"A1": [], "B1": []}
    assert result.clusters == ()


def test_empty_and_single_inputs() -> None:
    assert suggest([]).to_json() == {"clusters": [], "similar": {}}
    assert suggest([item("A1", "Hotline")]).to_json() == {"clusters": [], "similar": {"A1": []}}


def test_duplicate_refs_are_refused() -> None:
    with pytest.raises(ValueError, match="'A1' is used by more than one item"):
        suggest([item("A1", "Hotline"), item("A1", "Shelters")])


def test_natural_ref_order() -> None:
    assert sorted(["A10", "B1", "A2"], key=natural_key) == ["A2", "A10", "B1"]
