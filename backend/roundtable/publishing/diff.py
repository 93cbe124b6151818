"""What changed from one edition to the next, item by item.

Items are matched by code. An item kept its code:
- ``reworded`` when its title or detail changed,
- ``retagged`` when its kind, themes, actors or references changed (both may apply).
A code only in the newer edition is
- ``split`` when it shares a source (a group item merged into it) with an item that is
  still there: part of that item was split off into this one;
- ``merged`` when it shares sources only with items that are gone: they were merged
  into this one;
- ``added`` otherwise.
A code only in the older edition is ``merged`` when its sources went into an item of
the newer edition, else ``removed``.
"""

from __future__ import annotations

from typing import Any

from roundtable.publishing.snapshot import TAGS, WORDING

CHANGE_KINDS = ("added", "removed", "reworded", "retagged", "merged", "split")


def public_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item as it leaves the server: without the ids of its sources."""
    return {k: v for k, v in item.items() if k != "sources"}


def diff_editions(
    before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    old = {item["code"]: item for item in before}
    new = {item["code"]: item for item in after}
    changes: list[dict[str, Any]] = []
    for item in after:
        code = item["code"]
        if code in old:
            changes.extend(_kept(old[code], item))
            continue
        overlapping = _sharing(item, before)
        surviving = [c for c in overlapping if c in new]
        if surviving:
            changes.append(
                _change(code, "split", item, None, item, f"split from {', '.join(surviving)}")
            )
        elif overlapping:
            changes.append(
                _change(code, "merged", item, None, item, f"merged from {', '.join(overlapping)}")
            )
        else:
            changes.append(_change(code, "added", item, None, item, "new in this edition"))
    for item in before:
        code = item["code"]
        if code in new:
            continue
        targets = _sharing(item, after)
        if targets:
            changes.append(
                _change(code, "merged", item, item, None, f"merged into {', '.join(targets)}")
            )
        else:
            changes.append(_change(code, "removed", item, item, None, "left out of this edition"))
    return changes


def _kept(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    reworded = [f for f in WORDING if before.get(f) != after.get(f)]
    if reworded:
        out.append(
            _change(
                after["code"],
                "reworded",
                after,
                _pick(before, reworded),
                _pick(after, reworded),
                f"{' and '.join(reworded)} changed",
            )
        )
    retagged = [f for f in TAGS if before.get(f) != after.get(f)]
    if retagged:
        out.append(
            _change(
                after["code"],
                "retagged",
                after,
                _pick(before, retagged),
                _pick(after, retagged),
                f"{', '.join(retagged)} changed",
            )
        )
    return out


def changed_codes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> set[str]:
    """Codes of the newer edition whose wording or tags differ from the older one's, or
    that the older one lacks: an assessment carried over asks to review these."""
    old = {item["code"]: item for item in before}
    return {
        item["code"]
        for item in after
        if item["code"] not in old
        or any(old[item["code"]].get(f) != item.get(f) for f in (*WORDING, *TAGS))
    }


def _sharing(item: dict[str, Any], others: list[dict[str, Any]]) -> list[str]:
    mine = set(item.get("sources") or ())
    if not mine:
        return []
    return [o["code"] for o in others if mine.intersection(o.get("sources") or ())]


def _pick(item: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {f: item.get(f) for f in fields}


def _change(
    code: str,
    change: str,
    item: dict[str, Any],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    detail: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "change": change, "title": item["title"], "detail": detail}
    if before is not None:
        out["before"] = public_item(before)
    if after is not None:
        out["after"] = public_item(after)
    return out
