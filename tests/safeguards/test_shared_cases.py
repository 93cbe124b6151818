"""The cases the browser's port of the detector is tested against
(``frontend/src/features/safeguards/detect.test.ts``) are what the server's detector finds:
so both sides follow one set of rules. Run this file to regenerate them after a rule change:

    .venv/bin/python tests/safeguards/test_shared_cases.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "fixtures" / "safeguards_cases.json"
LABELLED = ROOT / "tests" / "fixtures" / "safeguards_labelled.json"
HELDOUT = ROOT / "tests" / "fixtures" / "safeguards_heldout.json"


def _fixture_texts() -> list[str]:
    """Every text of the labelled and the held-out sets: both sides are held to them."""
    texts = []
    for path in (LABELLED, HELDOUT):
        doc = json.loads(path.read_text(encoding="utf-8"))
        texts += [c["text"] for c in doc["planted"]] + [o["text"] for o in doc["ordinary"]]
    return texts


def _spans(text: str) -> list[list[object]]:
    from roundtable.safeguards.detect import find_spans

    return [[s.kind, s.start, s.end] for s in find_spans(text)]


def test_the_shared_cases_are_what_the_server_finds() -> None:
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    texts = {c["text"] for c in cases}
    assert set(_fixture_texts()) <= texts
    differ = [
        (c["text"], c["spans"], _spans(c["text"])) for c in cases if c["spans"] != _spans(c["text"])
    ]
    assert differ == [], (
        "rules changed: regenerate with python tests/safeguards/test_shared_cases.py"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "backend"))
    doc = json.loads(CASES.read_text(encoding="utf-8"))
    texts = [c["text"] for c in doc["cases"]]
    for text in _fixture_texts():
        if text not in texts:
            texts.append(text)
    doc["cases"] = [{"text": t, "spans": _spans(t)} for t in texts]
    CASES.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(texts)} cases written to {CASES.relative_to(ROOT)}")
