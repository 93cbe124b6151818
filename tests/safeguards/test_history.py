"""An item's history after a redaction: the redaction is an entry (when, by whom as the
attribution policy allows, which kinds of detail), and no entry, earlier or later, gives
back the redacted text, not even the beginnings that saving mid-typing left in the log."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.world import person
from tests.support import Api, AppFactory, ok, setup_workshop

PHONE = "+66 81 234 5678"
NAME = "Wilaiwan Chaiyaporn"


def _redacted_item(apps: AppFactory, fac: Api, attribution: str) -> tuple[str, Api, str, str]:
    """A participant's item that held a name and a phone number, typed in pieces, then
    edited once more after the details were gone; the facilitator redacts it. Also a
    clean item of the same checklist, made before."""
    ws = setup_workshop(fac, groups=1, attribution=attribution)
    base = f"/api/workshops/{ws['id']}"
    ana = person(apps, fac)
    ana.join(ws["groups"][0]["join_code"], "Ana")
    items = f"{base}/checklists/{ws['groups'][0]['checklist_id']}/items"
    clean = ok(ana.post(items, json={"kind": "need", "title": "Interpreters"}), 201)
    item = ok(ana.post(items, json={"kind": "need", "title": "Follow up the survivor"}), 201)
    one = f"{base}/items/{item['id']}"
    # Saves as she pauses: the number arrives in pieces, the name with its cue.
    ok(ana.patch(one, json={"detail": "Call her on +66 81 2"}))
    ok(ana.patch(one, json={"detail": f"Call her on {PHONE}"}))
    ok(ana.patch(one, json={"detail": f"Call her on {PHONE}, the victim {NAME}"}))
    # A later save without the cue: the name alone is not found by the detector.
    ok(ana.patch(one, json={"detail": f"Ask {NAME} first"}))
    ok(fac.post(f"{base}/safeguards/flags/item/{item['id']}/redact"))
    return base, ana, item["id"], clean["id"]


def _fragments_left(history: list[dict[str, Any]]) -> list[str]:
    text = json.dumps(history, ensure_ascii=False)
    pieces = ["+66 81 2", "234 5678", "Wilaiwan", "Chaiyaporn"]
    return [p for p in pieces if p in text]


def _redaction(history: list[dict[str, Any]], item_id: str) -> dict[str, Any]:
    entries = [e for e in history if e["kind"] == "safeguards.redact"]
    assert len(entries) == 1, [e["kind"] for e in history]
    marker = next(c for c in entries[0]["changes"] if c["entity"] == "redaction")
    assert marker["id"] == item_id and marker["values"]["of"] == "item"
    return entries[0] | {"kinds": marker["values"]["kinds"]}


def test_history_shows_the_redaction_and_never_the_text(apps: AppFactory, fac: Api) -> None:
    base, ana, item_id, _ = _redacted_item(apps, fac, "named")
    for viewer in (fac, ana):
        history = ok(viewer.get(f"{base}/items/{item_id}/history"))
        assert _fragments_left(history) == []
        redaction = _redaction(history, item_id)
        assert redaction["kinds"] == ["name", "phone"]
        assert redaction["at"] and redaction["seq"] == history[-1]["seq"]
        # Under the "named" policy everyone sees who redacted: the facilitator, who is not
        # the author of any other entry.
        assert redaction["actor"] is not None
        assert redaction["actor"] not in {e["actor"] for e in history[:-1]}
    details = [
        c["values"]["detail"]
        for e in ok(ana.get(f"{base}/items/{item_id}/history"))
        for c in e["changes"]
        if c["entity"] == "item" and "detail" in (c.get("values") or {})
    ]
    assert details == [
        "",
        "Call her on [redacted]",
        "Call her on [redacted]",
        "Call her on [redacted], the victim [redacted]",
        "Ask [redacted] first",
        "Ask [redacted] first",
    ]


@pytest.mark.parametrize("attribution", ["chatham_house"])
def test_who_redacted_follows_the_attribution_policy(
    apps: AppFactory, fac: Api, attribution: str
) -> None:
    base, ana, item_id, _ = _redacted_item(apps, fac, attribution)
    seen_by_participant = _redaction(ok(ana.get(f"{base}/items/{item_id}/history")), item_id)
    assert seen_by_participant["actor"] is None
    seen_by_facilitator = _redaction(ok(fac.get(f"{base}/items/{item_id}/history")), item_id)
    assert seen_by_facilitator["actor"] is not None  # their own action


def test_other_items_histories_do_not_list_it(apps: AppFactory, fac: Api) -> None:
    base, ana, _, clean_id = _redacted_item(apps, fac, "named")
    history = ok(ana.get(f"{base}/items/{clean_id}/history"))
    assert [e["kind"] for e in history] == ["item.create"]
