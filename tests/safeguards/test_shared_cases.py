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


def _spans(text: str) -> list[list[object]]:
    from roundtable.safeguards.detect import find_spans

    return [[s.kind, s.start, s.end] for s in find_spans(text)]


def test_the_shared_cases_are_what_the_server_finds() -> None:
    cases = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    labelled = json.loads(LABELLED.read_text(encoding="utf-8"))
    texts = {c["text"] for c in cases}
    assert {c["text"] for c in labelled["planted"]} <= texts
    assert {o["text"] for o in labelled["ordinary"]} <= texts
    differ = [
        (c["text"], c["spans"], _spans(c["text"])) for c in cases if c["spans"] != _spans(c["text"])
    ]
    assert differ == [], (
        "rules changed: regenerate with python tests/safeguards/test_shared_cases.py"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "backend"))
    doc = json.loads(CASES.read_text(encoding="utf-8"))
    labelled = json.loads(LABELLED.read_text(encoding="utf-8"))
    texts = [c["text"] for c in doc["cases"]]
    for text in [c["text"] for c in labelled["planted"]] + [
        o["text"] for o in labelled["ordinary"]
    ]:
        if text not in texts:
            texts.append(text)
    doc["cases"] = [{"text": t, "spans": _spans(t)} for t in texts]
    CASES.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(texts)} cases written to {CASES.relative_to(ROOT)}")
