"""Checking a ``roundtable/v1`` document completely before anything is written.

Every refusal is an :class:`InterchangeError` whose message starts with the JSON path of
the offending value (``groups[1].items[3].kind: Input should be …``) and whose ``field``
is that path, so the REST error body, the CLI and a person reading either can find it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from roundtable.errors import OpRejected
from roundtable.interchange.document import (
    ConsolidatedItem,
    GroupEntry,
    ItemEntry,
    RoundtableDocument,
    ThemeEntry,
)
from roundtable.ordering import is_valid_key


class InterchangeError(OpRejected):
    """A document (or workshop) the interchange refuses. Nothing it asked for was kept."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(code, message, field=field)


def invalid_at(path: str, rule: str) -> InterchangeError:
    return InterchangeError(f"{path}: {rule}", field=path)


def json_path(loc: Sequence[str | int]) -> str:
    """``("groups", 1, "items", 3, "kind")`` → ``groups[1].items[3].kind``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "document"


def parse_document(raw: object) -> RoundtableDocument:
    """The validated document, or the first problem found, named by its path."""
    if isinstance(raw, RoundtableDocument):
        document = raw
    else:
        try:
            document = RoundtableDocument.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise invalid_at(json_path(first["loc"]), first["msg"]) from None
    check_document(document)
    return document


def check_document(document: RoundtableDocument) -> None:
    """The rules that span the document, which the models alone cannot see."""
    workshop = document.workshop
    if workshop.starts_on and workshop.ends_on and workshop.ends_on < workshop.starts_on:
        raise invalid_at("workshop.ends_on", "must not be before starts_on")
    themes = _check_themes(document.themes)
    refs: dict[str, str] = {}  # ref → path of the item that has it
    for g, group in enumerate(document.groups):
        _check_group(f"groups[{g}]", group, themes, refs)
    group_refs = set(refs)
    merged: dict[str, str] = {}  # group ref → path of the consolidated item it went into
    for c, item in enumerate(document.consolidated):
        path = f"consolidated[{c}]"
        _check_item(path, item, themes, refs)
        _check_sources(path, item, group_refs, merged)
    for d, entry in enumerate(document.dismissed):
        for r, ref in enumerate(entry):
            where = f"dismissed[{d}][{r}]"
            if ref not in group_refs:
                raise invalid_at(where, f"no group item has ref {ref!r}")
            if ref in entry[:r]:
                raise invalid_at(where, f"{ref!r} is named twice")


def _check_themes(themes: list[ThemeEntry]) -> set[str]:
    seen: dict[str, int] = {}
    for t, theme in enumerate(themes):
        if theme.key in seen:
            raise invalid_at(
                f"themes[{t}].key",
                f"theme {theme.key!r} appears twice (first at themes[{seen[theme.key]}])",
            )
        seen[theme.key] = t
    for t, theme in enumerate(themes):
        if theme.parent is None:
            continue
        path = f"themes[{t}].parent"
        if theme.parent == theme.key:
            raise invalid_at(path, "a theme cannot be its own parent")
        if theme.parent not in seen:
            raise invalid_at(path, f"unknown theme {theme.parent!r}")
        if themes[seen[theme.parent]].parent is not None:
            raise invalid_at(
                path, f"{theme.parent!r} is a sub-theme itself; themes have one level of sub-themes"
            )
    return set(seen)


def _check_group(path: str, group: GroupEntry, themes: set[str], refs: dict[str, str]) -> None:
    _check_theme_keys(f"{path}.focus_themes", group.focus_themes, themes)
    for i, item in enumerate(group.items):
        _check_item(f"{path}.items[{i}]", item, themes, refs)
    _check_positions(path, group)


def _check_item(path: str, item: ItemEntry, themes: set[str], refs: dict[str, str]) -> None:
    if item.ref in refs:
        raise invalid_at(
            f"{path}.ref", f"ref {item.ref!r} is used twice (first at {refs[item.ref]})"
        )
    refs[item.ref] = path
    _check_theme_keys(f"{path}.themes", item.themes, themes)


def _check_theme_keys(path: str, keys: list[str], themes: set[str]) -> None:
    for k, key in enumerate(keys):
        if key not in themes:
            raise invalid_at(f"{path}[{k}]", f"unknown theme {key!r}; list it under themes")


def _check_positions(path: str, group: GroupEntry) -> None:
    given = [item.position is not None for item in group.items]
    if any(given) and not all(given):
        i = given.index(False)
        raise invalid_at(
            f"{path}.items[{i}].position",
            "give a position for every item of the group or for none",
        )
    seen: dict[str, int] = {}
    for i, item in enumerate(group.items):
        if item.position is None:
            continue
        if not is_valid_key(item.position):
            raise invalid_at(f"{path}.items[{i}].position", "is not a valid ordering key")
        if item.position in seen:
            raise invalid_at(
                f"{path}.items[{i}].position",
                f"position {item.position!r} is taken by {path}.items[{seen[item.position]}]",
            )
        seen[item.position] = i


def _check_sources(
    path: str, item: ConsolidatedItem, group_refs: set[str], merged: dict[str, str]
) -> None:
    for s, ref in enumerate(item.sources):
        where = f"{path}.sources[{s}]"
        if ref not in group_refs:
            raise invalid_at(where, f"no group item has ref {ref!r}")
        if ref in merged:
            raise invalid_at(where, f"{ref!r} is already a source of {merged[ref]}")
        merged[ref] = path
