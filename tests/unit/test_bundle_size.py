"""The participant's screen stays light: what a phone on hotel Wi-Fi downloads before the
checklist appears (issue 3: under 120 KB of gzipped JavaScript). Facilitator and public screens
are separate chunks loaded on demand, so they do not count."""

from __future__ import annotations

import gzip
import re

import pytest

from tests.conftest import IN_CI
from tests.support import ROOT

STATIC = ROOT / "backend" / "roundtable" / "static"
LIMIT_BYTES = 120 * 1024


def _entry_scripts() -> list[str]:
    index = STATIC / "index.html"
    if not index.is_file():
        if IN_CI:
            pytest.fail("the browser app is not built (make frontend)")
        pytest.skip("the browser app is not built (make frontend)")
    html = index.read_text(encoding="utf-8")
    return re.findall(r'(?:src|href)="/(assets/[^"]+\.js)"', html)


def test_the_participant_screen_loads_under_120_kb_of_gzipped_javascript() -> None:
    scripts = _entry_scripts()
    assert scripts, "index.html names no script"
    sizes = {s: len(gzip.compress((STATIC / s).read_bytes(), 9)) for s in scripts}
    assert sum(sizes.values()) < LIMIT_BYTES, f"gzipped entry scripts: {sizes}"


def test_facilitator_and_public_screens_are_not_in_the_entry_script() -> None:
    entry = "".join((STATIC / s).read_text(encoding="utf-8") for s in _entry_scripts())
    # Their components' file names appear only as the chunks the entry loads on demand.
    for screen in ("ConsolidationPage", "EditionPage", "AssessmentPage", "PublishPanel"):
        assert re.search(rf"assets/{screen}-[\w-]+\.js", entry), f"{screen} is not a separate chunk"


def test_translations_are_fetched_only_for_the_language_shown() -> None:
    entry = "".join((STATIC / s).read_text(encoding="utf-8") for s in _entry_scripts())
    # English is in the entry; a Thai or Indonesian message is in a chunk of its own.
    assert "Join your group" in entry
    for message in ("เข้าร่วมกลุ่มของคุณ", "Bergabung dengan kelompok Anda"):
        assert message not in entry, f"{message!r} is in the entry script"
        chunks = [p for p in (STATIC / "assets").glob("*.js") if message in p.read_text("utf-8")]
        assert len(chunks) == 1, f"{message!r} should be in one chunk, found {chunks}"
