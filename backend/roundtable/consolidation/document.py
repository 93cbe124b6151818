"""Reading the groups' items out of a ``roundtable/v1`` document, leniently.

Only what suggestions need is read (groups[].items[] with ref, kind, title, detail, themes);
everything else in the document is ignored. Errors name the place in the document.
"""

from __future__ import annotations

from typing import Any

from roundtable.consolidation.models import KINDS, SuggestItem

FORMAT = "roundtable/v1"


class DocumentError(ValueError):
    """The document cannot be read as roundtable/v1 groups and items."""


def items_from_document(document: Any) -> list[SuggestItem]:
    if not isinstance(document, dict):
        raise DocumentError("document: expected a JSON object")
    fmt = document.get("format", FORMAT)
    if fmt != FORMAT:
        raise DocumentError(f"format: expected {FORMAT!r}, got {fmt!r}")
    groups = document.get("groups")
    if not isinstance(groups, list):
        raise DocumentError("groups: expected a list of groups")
    items: list[SuggestItem] = []
    refs: set[str] = set()
    for g, group in enumerate(groups):
        where = f"groups[{g}]"
        if not isinstance(group, dict):
            raise DocumentError(f"{where}: expected an object")
        name = _text(group, "name", where, required=False) or f"Group {g + 1}"
        group_items = group.get("items", [])
        if not isinstance(group_items, list):
            raise DocumentError(f"{where}.items: expected a list")
        for k, raw in enumerate(group_items):
            item = _item(raw, name, f"{where}.items[{k}]")
            if item.ref in refs:
                raise DocumentError(f"{where}.items[{k}].ref: {item.ref!r} is used twice")
            refs.add(item.ref)
            items.append(item)
    return items


def _item(raw: Any, group: str, where: str) -> SuggestItem:
    if not isinstance(raw, dict):
        raise DocumentError(f"{where}: expected an object")
    ref = raw.get("ref")
    if isinstance(ref, int) and not isinstance(ref, bool):
        ref = str(ref)
    if not isinstance(ref, str) or not ref.strip():
        raise DocumentError(f"{where}.ref: expected a non-empty string")
    kind = _text(raw, "kind", where, required=False)
    if kind and kind not in KINDS:
        raise DocumentError(f"{where}.kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    themes = raw.get("themes") or []
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        raise DocumentError(f"{where}.themes: expected a list of theme keys")
    return SuggestItem(
        ref=ref.strip(),
        group=group,
        kind=kind,
        title=_text(raw, "title", where, required=True),
        detail=_text(raw, "detail", where, required=False),
        themes=tuple(themes),
    )


def _text(obj: dict[str, Any], key: str, where: str, *, required: bool) -> str:
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DocumentError(f"{where}.{key}: expected a {'non-empty ' if required else ''}string")
    return value
