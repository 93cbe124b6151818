"""Learning from decisions: term pairs, the workshop's threshold, dismissed pairs kept apart."""

from __future__ import annotations

from roundtable.consolidation import SuggestItem, suggest
from roundtable.consolidation.cluster import cluster_indices
from roundtable.consolidation.concepts import load_lexicon
from roundtable.consolidation.learning import (
    Decision,
    calibrate,
    decided_pairs,
    learn,
)


def item(ref: str, title: str, detail: str = "", kind: str = "need") -> SuggestItem:
    return SuggestItem(ref=ref, group=f"Group {ref[0]}", kind=kind, title=title, detail=detail)


def test_a_dismissed_pair_is_never_in_one_cluster_however_close() -> None:
    matrix = [[0.0, 0.9, 0.8], [0.9, 0.0, 0.85], [0.8, 0.85, 0.0]]
    assert cluster_indices(matrix, 0.5) == [[0, 1, 2]]
    # 0 and 1 kept apart: 1 and 2 go together, 0 cannot join them.
    assert cluster_indices(matrix, 0.5, {(0, 1)}) == [[1, 2]]


BACKGROUND = [
    item("Z1", "Shelters for children"),
    item("Z2", "Training for police on identification"),
    item("Z3", "Repatriation with escort"),
    item("Z4", "Legal aid for victims"),
]
EMBASSY_VS_MINISTRY = Decision(
    item("A2", "A hotline in every embassy"),
    item("B2", "A hotline at the ministry"),
    False,
    "dismissed A2 + B2",
)


def test_a_merge_teaches_synonyms_and_a_dismissal_contrasts() -> None:
    lexicon = load_lexicon()
    merged = Decision(
        item("A1", "Pelatihan kerja"), item("B1", "Vocational reskilling"), True, "K1"
    )
    learned = learn([merged], lexicon)
    assert "kerja / reskilling" in {p.label for p in learned.synonyms}
    assert {p.origin for p in learned.synonyms} == {"K1"}
    assert learned.contrasts == ()
    learned = learn([EMBASSY_VS_MINISTRY], lexicon)
    assert learned.synonyms == ()
    assert learned.contrasts
    assert {p.origin for p in learned.contrasts} == {"dismissed A2 + B2"}
    # The same two items both merged and kept apart: nothing is applied.
    merged_too = Decision(EMBASSY_VS_MINISTRY.first, EMBASSY_VS_MINISTRY.second, True, "K2")
    assert not learn([EMBASSY_VS_MINISTRY, merged_too], lexicon)


def test_a_learnt_contrast_parts_a_later_look_alike() -> None:
    later = [
        *BACKGROUND,
        item("C1", "Emergency hotline for victims run by embassies"),
        item("D1", "Emergency hotline for victims run by the labour ministry"),
    ]
    plain = suggest(later, decisions=[EMBASSY_VS_MINISTRY], learning=False)
    assert [c.refs for c in plain.clusters] == [("C1", "D1")]
    learnt = suggest(later, decisions=[EMBASSY_VS_MINISTRY])
    assert learnt.clusters == ()
    assert dict(learnt.similar["C1"]).get("D1", 0.0) < plain.similar["C1"][0][1] / 1.5


def test_the_threshold_moves_only_when_decisions_say_so() -> None:
    # Merges the engine scored 0.45-0.47 (missed at 0.48), nothing above dismissed.
    assert calibrate([0.45, 0.46, 0.47, 0.9, 0.8], [0.1, 0.2], 0.48).threshold == 0.44
    # A dismissed pair at 0.45 keeps it from going below 0.46.
    assert calibrate([0.47, 0.47, 0.9, 0.8], [0.45, 0.1], 0.48).threshold == 0.46
    # Suggested pairs dismissed at 0.49 and 0.50: raised, no further than needed.
    assert calibrate([0.9, 0.8, 0.7], [0.49, 0.5, 0.1], 0.48).threshold == 0.52
    # Too little evidence, or nothing to gain: the default.
    assert calibrate([0.45, 0.46], [0.1], 0.48).threshold == 0.48
    assert calibrate([0.9, 0.8, 0.7, 0.6], [0.1, 0.2], 0.48).threshold == 0.48


def test_sources_of_different_consolidated_items_are_different_points() -> None:
    a, b, c, d = (item(r, t) for r, t in [("A1", "a"), ("B1", "b"), ("A2", "c"), ("B2", "d")])
    index = {"A1": 0, "B1": 1, "A2": 2, "B2": 3}
    same, different = decided_pairs(
        [Decision(a, b, True, "K1"), Decision(c, d, True, "K2"), Decision(a, c, False, "x")], index
    )
    assert same == [(0, 1), (2, 3)]
    assert sorted(different) == [(0, 2), (0, 2), (0, 3), (1, 2), (1, 3)]


def test_a_threshold_set_from_decisions_is_said_in_the_reason() -> None:
    def pair(n: int, first: str, second: str) -> tuple[SuggestItem, SuggestItem]:
        return item(f"C{n}", first), item(f"D{n}", second)

    target = pair(
        0, "A hotline for victims in every embassy", "A hotline for victims at the labour ministry"
    )
    merged = [
        Decision(*pair(n, first, second), True, f"K{n}")
        for n, (first, second) in enumerate(
            [
                (
                    "A help desk for victims in every consulate",
                    "A help desk for victims at the social ministry",
                ),
                (
                    "A shelter for victims in every province",
                    "A shelter for victims at the women's ministry",
                ),
                (
                    "A counsellor for victims in every embassy",
                    "A counsellor for victims at the health ministry",
                ),
                (
                    "An interpreter for victims in every court",
                    "An interpreter for victims at the justice ministry",
                ),
            ],
            start=1,
        )
    ]
    items = [*BACKGROUND, *target]
    # As if the usual threshold were 0.56: the merges made by hand scored under it.
    plain = suggest(items, threshold=0.56, decisions=merged, learning=False)
    assert plain.clusters == () and plain.threshold == 0.56
    learnt = suggest(items, threshold=0.56, decisions=merged)
    assert learnt.threshold is not None and learnt.threshold < 0.56
    [cluster] = learnt.clusters
    assert cluster.refs == ("C0", "D0")
    assert "under the usual 0.56, above this workshop's" in cluster.reason
