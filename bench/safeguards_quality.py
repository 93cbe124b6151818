"""Quality bench for the personal-data detector, against a naive baseline in the same run.

Fixture: ``tests/fixtures/safeguards_labelled.json`` (our own: planted details of every kind
in English, Bahasa Indonesia and Thai, and ordinary trafficking-checklist items that mention
ages, countries, hotlines, laws, article numbers and years).

- recall: the share of planted details whose every character is covered by a span the
  detector found (so redacting the spans removes the detail), per kind and per language;
  "kind right" counts those whose covering span also has the planted kind;
- false flags: the share of ordinary items with any span at all;
- time per item: the detector over every text of the fixture, best of 5 rounds;
- held-out false flags: items of the project's other fixtures, written by others for other
  purposes (merge suggestions, the interchange sample), never tuned on.

The baseline is the browser's earlier warning (four regular expressions: e-mail, 9+ digit
runs, letters+digits documents, "N years old"), run on the same texts.

    .venv/bin/python bench/safeguards_quality.py           # table
    .venv/bin/python bench/safeguards_quality.py --json    # machine-readable
    .venv/bin/python bench/safeguards_quality.py --heldout # the held-out set instead
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))

from roundtable.safeguards.detect import Span, find_spans  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "safeguards_labelled.json"
HELDOUT_FIXTURE = ROOT / "tests" / "fixtures" / "safeguards_heldout.json"
HELD_OUT = [
    ROOT / "tests" / "fixtures" / "suggest" / "roundtable-gold.json",
    ROOT / "tests" / "fixtures" / "suggest" / "heldout.json",
    ROOT / "tests" / "fixtures" / "interchange-sample.json",
]
Detector = Callable[[str], list[Span]]


def baseline(text: str) -> list[Span]:
    """The four patterns ``personalData.ts`` had before this detector."""
    spans = [
        Span("email", m.start(), m.end()) for m in re.finditer(r"[\w.+-]+@[\w-]+\.[\w.-]+", text)
    ]
    for m in re.finditer(r"\+?\d[\d\s().-]{7,}\d", text):
        if sum(c.isdigit() for c in m.group(0)) >= 9:
            spans.append(Span("phone", m.start(), m.end()))
    spans += [
        Span("id_number", m.start(), m.end()) for m in re.finditer(r"\b[A-Z]{1,2}\d{6,9}\b", text)
    ]
    spans += [
        Span("birth", m.start(), m.end())
        for m in re.finditer(r"\b(?:\d{1,2}[- ]years?[- ]old|aged \d{1,2})\b", text, re.I)
    ]
    return spans


def covered(text: str, value: str, spans: list[Span]) -> tuple[bool, bool, str]:
    """(caught, with the right kind, kind found) for one planted value."""
    start = text.index(value)
    needed = [i for i in range(start, start + len(value)) if text[i].isalnum()]
    hits = [s for s in spans if s.start < start + len(value) and s.end > start]
    caught = all(any(s.start <= i < s.end for s in hits) for i in needed)
    kinds = {s.kind for s in hits}
    return caught, caught, ",".join(sorted(kinds))


def score(detect: Detector, fixture: dict[str, Any]) -> dict[str, Any]:
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    per_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: list[dict[str, str]] = []
    for case in fixture["planted"]:
        spans = detect(case["text"])
        for detail in case["details"]:
            caught, _, found = covered(case["text"], detail["value"], spans)
            right_kind = caught and detail["kind"] in found.split(",")
            row = per_kind[detail["kind"]]
            row[0] += 1
            row[1] += caught
            row[2] += right_kind
            per_lang[case["lang"]][0] += 1
            per_lang[case["lang"]][1] += caught
            if not caught:
                missed.append(
                    {"kind": detail["kind"], "value": detail["value"], "text": case["text"]}
                )
    flagged = [o for o in fixture["ordinary"] if detect(o["text"])]
    flagged_by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in fixture["ordinary"]:
        flagged_by_lang[o["lang"]][0] += 1
    for o in flagged:
        flagged_by_lang[o["lang"]][1] += 1
    total = sum(r[0] for r in per_kind.values())
    return {
        "recall": sum(r[1] for r in per_kind.values()) / total,
        "kind_right": sum(r[2] for r in per_kind.values()) / total,
        "false_flag_rate": len(flagged) / len(fixture["ordinary"]),
        "per_kind": {
            k: {"n": r[0], "recall": r[1] / r[0], "kind_right": r[2] / r[0]}
            for k, r in sorted(per_kind.items())
        },
        "per_lang": {
            k: {
                "planted": r[0],
                "recall": r[1] / r[0],
                "ordinary": flagged_by_lang[k][0],
                "false_flags": flagged_by_lang[k][1],
            }
            for k, r in sorted(per_lang.items())
        },
        "missed": missed,
        "false_flags": [o["text"] for o in flagged],
        "us_per_item": time_per_item(detect, fixture),
    }


def time_per_item(detect: Detector, fixture: dict[str, Any]) -> float:
    texts = [c["text"] for c in fixture["planted"]] + [o["text"] for o in fixture["ordinary"]]
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for text in texts:
            detect(text)
        best = min(best, time.perf_counter() - started)
    return best / len(texts) * 1e6


def held_out_items() -> list[str]:
    """Titles and details (each a text, as the server checks them) of the other fixtures."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("title"), str) and "kind" in node:
                texts.extend([node["title"], *([node["detail"]] if node.get("detail") else [])])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in HELD_OUT:
        if path.is_file():
            walk(json.loads(path.read_text(encoding="utf-8")))
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    parser.add_argument(
        "--heldout",
        action="store_true",
        help=f"score {HELDOUT_FIXTURE.name} (written after the rules were tuned) instead",
    )
    args = parser.parse_args()
    path = HELDOUT_FIXTURE if args.heldout else args.fixture
    fixture = json.loads(path.read_text(encoding="utf-8"))
    results = {"detector": score(find_spans, fixture), "baseline": score(baseline, fixture)}
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    n_planted = sum(len(c["details"]) for c in fixture["planted"])
    print(
        f"fixture: {n_planted} planted details in {len(fixture['planted'])} texts, "
        f"{len(fixture['ordinary'])} ordinary items"
    )
    print(f"{'':12}{'recall':>8}{'kind ok':>9}{'false flags':>13}{'us/item':>9}")
    for name, r in results.items():
        print(
            f"{name:12}{r['recall']:8.3f}{r['kind_right']:9.3f}{r['false_flag_rate']:13.3f}{r['us_per_item']:9.1f}"
        )
    det = results["detector"]
    print("\ndetector per kind:      n  recall  kind ok   (baseline recall)")
    for kind, row in det["per_kind"].items():
        base = results["baseline"]["per_kind"].get(kind, {"recall": 0.0})
        print(
            f"  {kind:18}{row['n']:5}{row['recall']:8.3f}{row['kind_right']:9.3f}"
            f"   ({base['recall']:.3f})"
        )
    print("\ndetector per language: planted  recall  ordinary  flagged")
    for lang, row in det["per_lang"].items():
        print(
            f"  {lang:18}{row['planted']:7}{row['recall']:8.3f}"
            f"{row['ordinary']:10}{row['false_flags']:9}"
        )
    for m in det["missed"]:
        print(f"  missed {m['kind']}: {m['value']!r} in {m['text']!r}")
    for text in det["false_flags"]:
        found = [(s.kind, text[s.start : s.end]) for s in find_spans(text)]
        print(f"  false flag: {text!r} -> {found}")
    others = held_out_items()
    flagged = [t for t in others if find_spans(t)]
    print(
        "\nheld-out ordinary texts (titles and details of other fixtures): "
        f"{len(flagged)} of {len(others)} flagged"
    )
    for text in flagged:
        print(f"  held-out false flag: {text!r}")
    ok = det["recall"] >= 0.95 and det["false_flag_rate"] <= 0.02
    print(f"\ntargets (recall >= 0.95, false flags <= 0.02): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
