"""Quality bench for merge suggestions: Roundtable's engine against a word-overlap baseline.

For each split of the labelled fixtures, both engines run in this process on the same items and
are scored against the facilitator's gold (``tests/fixtures/suggest/``):

- recall@5: of the items that have a gold partner, the share with one among their 5 nearest;
- pairwise precision, recall and F1 of the suggested clusters against the gold merges;
- violations: must-not-merge look-alike pairs that ended up in one cluster;
- runtime of one ``suggest`` call.

The baseline is plain word-overlap Jaccard (casefolded words; a Thai run counts as one word)
with the same average-linkage clustering at the same threshold. Two more rows are upper bounds
for simple methods: Jaccard, and TF-IDF cosine over the same words, each at the threshold that
is best for it on that very split (an oracle choice no real run could make).

Splits: ``tune`` is groups A-D of the gold fixture (the only data the weights and threshold
were tuned on); ``heldout-groups`` is groups E-F alone; ``all`` is the whole gold fixture;
``heldout-fixture`` is a second fixture written in another style and never tuned on.

Replay (learning from decisions): each fixture's gold merges are dealt alternately into two
halves. A facilitator who knows the gold works through the suggestions for the first half's
items: accepts a suggestion that is one gold merge, dismisses any other, and merges every
gold merge of that half by hand. The suggestions for the *other* items are then scored
without and with those decisions (``suggest(..., decisions=...)``); the halves swap for a
second fold. The replay also counts suggestions that would hold a dismissed pair again.

    .venv/bin/python bench/suggest_quality.py            # table
    .venv/bin/python bench/suggest_quality.py --json     # machine-readable
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))

from roundtable.consolidation import SuggestItem, items_from_document, suggest  # noqa: E402
from roundtable.consolidation.cluster import cluster_indices  # noqa: E402
from roundtable.consolidation.concepts import load_lexicon  # noqa: E402
from roundtable.consolidation.learning import Decision, learn, pairs_of  # noqa: E402
from roundtable.consolidation.quality import Quality, measure, restrict_gold  # noqa: E402
from roundtable.consolidation.similarity import cosine, tfidf_vectors  # noqa: E402
from roundtable.consolidation.suggest import (  # noqa: E402
    MERGE_THRESHOLD,
    canonical_order,
    nearest_items,
)

FIXTURES = ROOT / "tests" / "fixtures" / "suggest"
TUNE_GROUPS = 4


def _words(item: SuggestItem) -> list[str]:
    return re.findall(
        r"\w+", unicodedata.normalize("NFKC", f"{item.title} {item.detail}").casefold()
    )


def baseline_matrix(items: Sequence[SuggestItem]) -> list[list[float]]:
    words = [set(_words(i)) for i in items]
    n = len(items)
    matrix = [[0.0] * n for _ in range(n)]
    for a in range(n):
        for b in range(a + 1, n):
            union = words[a] | words[b]
            score = len(words[a] & words[b]) / len(union) if union else 0.0
            matrix[a][b] = matrix[b][a] = score
    return matrix


def tfidf_matrix(items: Sequence[SuggestItem]) -> list[list[float]]:
    bags = []
    for item in items:
        bag: dict[str, float] = {}
        for word in _words(item):
            bag[word] = bag.get(word, 0.0) + 1.0
        bags.append(bag)
    vectors = tfidf_vectors(bags)
    n = len(items)
    matrix = [[0.0] * n for _ in range(n)]
    for a in range(n):
        for b in range(a + 1, n):
            matrix[a][b] = matrix[b][a] = cosine(vectors[a], vectors[b])
    return matrix


def run_baseline(
    items: Sequence[SuggestItem],
    threshold: float,
    similarity: Callable[[Sequence[SuggestItem]], list[list[float]]] = baseline_matrix,
) -> tuple[list[list[str]], dict[str, list[tuple[str, float]]]]:
    ordered = canonical_order(items)
    matrix = similarity(ordered)
    clusters = [[ordered[i].ref for i in c] for c in cluster_indices(matrix, threshold)]
    return clusters, nearest_items(ordered, matrix, 5)


def run_ours(
    items: Sequence[SuggestItem], threshold: float
) -> tuple[list[list[str]], dict[str, list[tuple[str, float]]]]:
    result = suggest(items, threshold=threshold)
    return [list(c.refs) for c in result.clusters], result.similar


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time in milliseconds (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def load(name: str) -> tuple[dict[str, Any], list[SuggestItem]]:
    document = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return document, items_from_document(document)


def splits() -> dict[str, tuple[list[SuggestItem], list[list[str]], list[list[str]]]]:
    gold_doc, gold_items = load("roundtable-gold.json")
    names = [g["name"] for g in gold_doc["groups"]]
    held_doc, held_items = load("heldout.json")
    subsets = {
        "tune": [i for i in gold_items if i.group in names[:TUNE_GROUPS]],
        "heldout-groups": [i for i in gold_items if i.group in names[TUNE_GROUPS:]],
        "all": gold_items,
    }
    out = {}
    for split, items in subsets.items():
        merges, must_not = restrict_gold(
            gold_doc["gold"]["merges"], gold_doc["gold"]["must_not_merge"], {i.ref for i in items}
        )
        out[split] = (items, merges, must_not)
    out["heldout-fixture"] = (
        held_items,
        held_doc["gold"]["merges"],
        held_doc["gold"]["must_not_merge"],
    )
    return out


def evaluate(threshold: float) -> dict[str, Any]:
    all_items = load("roundtable-gold.json")[1]
    start = time.perf_counter()
    suggest(all_items)  # the first call in this process also compiles the lexicon
    report: dict[str, Any] = {
        "threshold": threshold,
        "cold_first_call_ms": round((time.perf_counter() - start) * 1000, 1),
        "splits": {},
    }
    for split, (items, merges, must_not) in splits().items():
        ours = measure(*run_ours(items, threshold), merges, must_not)
        base = measure(*run_baseline(items, threshold), merges, must_not)
        oracle_threshold, oracle = _best_threshold(items, merges, must_not, baseline_matrix)
        tfidf_threshold, tfidf = _best_threshold(items, merges, must_not, tfidf_matrix)
        report["splits"][split] = {
            "items": len(items),
            "gold_merges": len(merges),
            "must_not_pairs": len(must_not),
            "ours": asdict(ours) | {"ms": round(timed(partial(suggest, items)), 1)},
            "baseline": asdict(base)
            | {"ms": round(timed(partial(run_baseline, items, threshold)), 1)},
            "baseline_best_threshold": asdict(oracle) | {"threshold": oracle_threshold},
            "tfidf_best_threshold": asdict(tfidf) | {"threshold": tfidf_threshold},
            "ratios": {
                "recall_at_5": _ratio(ours.recall_at_k, base.recall_at_k),
                "f1": _ratio(ours.f1, base.f1),
                "f1_vs_best_threshold": _ratio(ours.f1, oracle.f1),
                "f1_vs_tfidf_best_threshold": _ratio(ours.f1, tfidf.f1),
            },
        }
    report["runtime_242_items_ms"] = _scaling()
    report["replay"] = replay(threshold)
    return report


def replay(threshold: float) -> dict[str, Any]:
    """Quality on one half of a fixture's gold before and after decisions on the other."""
    out: dict[str, Any] = {}
    for name in ("roundtable-gold.json", "heldout.json"):
        document, items = load(name)
        merges, must_not = document["gold"]["merges"], document["gold"]["must_not_merge"]
        for fold in (0, 1):
            out[f"{name.removesuffix('.json')} fold {fold}"] = _replay_fold(
                items, merges, must_not, fold, threshold
            )
    return out


def _replay_fold(
    items: list[SuggestItem],
    merges: list[list[str]],
    must_not: list[list[str]],
    fold: int,
    threshold: float,
) -> dict[str, Any]:
    by_ref = {i.ref: i for i in items}
    rest_merges = merges[1 - fold :: 2]
    held = {r for m in rest_merges for r in m}
    decided = {r for m in merges[fold::2] for r in m} | {r for p in must_not[fold::2] for r in p}
    decided -= held
    gold_sets = [set(m) for m in merges]
    # The facilitator, on the decided items' suggestions.
    decisions: list[Decision] = []
    dismissed: list[list[str]] = []
    for cluster in suggest(items, threshold=threshold).clusters:
        refs = set(cluster.refs)
        if not refs <= decided:
            continue
        if not any(refs <= g for g in gold_sets):
            dismissed.append(list(cluster.refs))
            origin = "dismissed " + " + ".join(cluster.refs)
            for a, b in pairs_of([by_ref[r] for r in cluster.refs]):
                decisions.append(Decision(a, b, False, origin))
    hand = [m for m in merges[fold::2] if set(m) <= decided]
    for n, merge in enumerate(hand, start=1):
        for a, b in pairs_of([by_ref[r] for r in merge]):
            decisions.append(Decision(a, b, True, f"K{n}"))
    learned = learn(decisions, load_lexicon())
    rest = [i for i in items if i.ref not in decided]
    rest_gold = restrict_gold(merges, must_not, {i.ref for i in rest})
    alone = suggest(rest, threshold=threshold)
    # The same items compared with the decided ones (IDF over both), nothing learnt: the
    # fair "before" for what learning adds.
    before = suggest(rest, threshold=threshold, decisions=decisions, learning=False)
    after = suggest(rest, threshold=threshold, decisions=decisions)
    # Back on the decided half: the hand-merged items are gone; what is left is suggested again.
    merged_refs = {r for m in hand for r in m}
    left = [i for i in items if i.ref not in merged_refs]
    apart = {frozenset(p) for d in dismissed for p in pairs_of(d)}

    def again(clusters: Sequence[Any]) -> int:
        return sum(
            1 for c in clusters if any(frozenset(p) in apart for p in pairs_of(list(c.refs)))
        )

    def quality(result: Any) -> dict[str, Any]:
        clusters = [list(c.refs) for c in result.clusters]
        return asdict(measure(clusters, result.similar, *rest_gold))

    learned_reasons = sum(1 for c in after.clusters if "raised by" in c.reason)
    return {
        "decided_items": len(decided),
        "rest_items": len(rest),
        "rest_gold_merges": len(rest_gold[0]),
        "accepted_or_merged": len(hand),
        "dismissed": len(dismissed),
        "synonyms_learned": len(learned.synonyms),
        "contrasts_learned": len(learned.contrasts),
        "threshold": after.threshold,
        "alone": quality(alone),
        "before": quality(before),
        "after": quality(after),
        "reasons_citing_a_decision": learned_reasons,
        "reasons_citing_the_threshold": sum(1 for c in after.clusters if "usual" in c.reason),
        "dismissed_suggested_again_without": again(suggest(left, threshold=threshold).clusters),
        "dismissed_suggested_again_with": again(
            suggest(left, threshold=threshold, decisions=decisions).clusters
        ),
    }


def _best_threshold(
    items: Sequence[SuggestItem],
    merges: list[list[str]],
    must_not: list[list[str]],
    similarity: Callable[[Sequence[SuggestItem]], list[list[float]]],
) -> tuple[float, Quality]:
    """The threshold (0.05 to 0.90) at which a baseline's F1 on this split is highest."""
    ordered = canonical_order(items)
    matrix = similarity(ordered)
    nearest = nearest_items(ordered, matrix, 5)
    scored = []
    for t in range(5, 95, 5):
        clusters = [[ordered[i].ref for i in c] for c in cluster_indices(matrix, t / 100)]
        scored.append((t / 100, measure(clusters, nearest, merges, must_not)))
    return max(scored, key=lambda tq: (tq[1].f1, -tq[0]))


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def _scaling() -> dict[str, float]:
    """Runtime on 242 items: the gold fixture twice, the copy under other refs."""
    _, items = load("roundtable-gold.json")
    doubled = items + [replace(i, ref=i.ref + "x", group=i.group + "'") for i in items]
    return {
        "ours": round(timed(lambda: suggest(doubled), repeat=3), 1),
        "baseline": round(timed(lambda: run_baseline(doubled, MERGE_THRESHOLD), repeat=3), 1),
    }


def print_table(report: dict[str, Any]) -> None:
    print(f"merge threshold {report['threshold']}; first call {report['cold_first_call_ms']} ms")
    header = (
        f"{'split (items)':<22}{'engine':<16}"
        f"{'R@5':>6}{'P':>6}{'R':>6}{'F1':>6}{'viol':>6}{'ms':>8}"
    )
    print(header)
    print("-" * len(header))
    names = {
        "ours": "roundtable",
        "baseline": "jaccard",
        "baseline_best_threshold": "jaccard best-t",
        "tfidf_best_threshold": "tf-idf best-t",
    }
    for split, row in report["splits"].items():
        label = f"{split} ({row['items']})"
        for engine, name in names.items():
            q = row[engine]
            ms = f"{q['ms']:.1f}" if "ms" in q else f"t={q['threshold']:.2f}"
            print(
                f"{label:<22}{name:<16}{q['recall_at_k']:>6.2f}{_fmt(q['precision']):>6}"
                f"{q['recall']:>6.2f}{q['f1']:>6.2f}{q['violations']:>6}{ms:>8}"
            )
            label = ""
        r = row["ratios"]
        print(
            f"{'':<22}{'ours / jaccard':<16}{_fmt(r['recall_at_5']):>6}{'':>12}{_fmt(r['f1']):>6}"
            f"   (F1 / best-t jaccard {_fmt(r['f1_vs_best_threshold'])})"
        )
    scaling = report["runtime_242_items_ms"]
    print(f"242 items: roundtable {scaling['ours']} ms, jaccard {scaling['baseline']} ms")
    print()
    print("replay: quality on the other half, before -> after learning from the decisions")
    header = (
        f"{'fixture fold':<24}{'items':>6}{'acc':>5}{'dis':>5}{'syn':>5}{'con':>5}{'t':>6}"
        f"{'R@5':>12}{'P':>12}{'R':>12}{'F1':>12}{'viol':>8}{'again':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, row in report["replay"].items():
        b, a = row["before"], row["after"]

        def pair(key: str, b: dict[str, Any] = b, a: dict[str, Any] = a) -> str:
            return f"{_fmt(b[key])}>{_fmt(a[key])}"

        print(
            f"{name:<24}{row['rest_items']:>6}{row['accepted_or_merged']:>5}{row['dismissed']:>5}"
            f"{row['synonyms_learned']:>5}{row['contrasts_learned']:>5}{row['threshold']:>6.2f}"
            f"{pair('recall_at_k'):>12}{pair('precision'):>12}{pair('recall'):>12}"
            f"{pair('f1'):>12}{b['violations']:>4}>{a['violations']:<3}"
            f"{row['dismissed_suggested_again_without']:>4}>{row['dismissed_suggested_again_with']}"
        )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--threshold", type=float, default=MERGE_THRESHOLD)
    args = parser.parse_args(argv)
    report = evaluate(args.threshold)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
