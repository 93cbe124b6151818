"""Applying a validated document to a new workshop, one op at a time through ``submit``.

The workshop row, its consolidated checklist and its facilitator exist already (made by
``create_workshop``); everything else is an op, so the import leaves the same event log a
facilitator typing it all in would, and live clients can replay it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from roundtable.errors import OpRejected
from roundtable.interchange.document import GroupItem, ItemEntry, RoundtableDocument, ThemeEntry
from roundtable.interchange.validation import InterchangeError
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import submit


@dataclass
class OpWriter:
    """Submits ops as the importing facilitator; a refusal names the document path."""

    engine: Engine
    registry: OpRegistry
    workshop_id: int
    member_id: int

    def run(self, path: str, kind: str, args: dict[str, Any], *, system: bool = False) -> Any:
        try:
            submitted = submit(
                self.engine,
                self.registry,
                None,
                workshop_id=self.workshop_id,
                member_id=self.member_id,
                kind=kind,
                args=args,
                system=system,
            )
        except OpRejected as exc:
            raise InterchangeError(f"{path}: {exc.message}", field=path, code=exc.code) from exc
        assert submitted.outcome is not None  # no client op id, so never a duplicate
        return submitted.outcome.result


def apply_document(writer: OpWriter, document: RoundtableDocument, consolidated_id: int) -> None:
    _create_themes(writer, document.themes)
    item_ids: dict[str, str] = {}  # document ref → item id
    for g, group in enumerate(document.groups):
        path = f"groups[{g}]"
        _, checklist = writer.run(
            path,
            "group.create",
            {"name": group.name, "colour": group.colour, "focus_themes": group.focus_themes},
        )
        for i, item in enumerate(group.items):
            item_ids[item.ref] = _create_item(writer, f"{path}.items[{i}]", checklist.id, item)
    for c, entry in enumerate(document.consolidated):
        path = f"consolidated[{c}]"
        target = _create_item(writer, path, consolidated_id, entry)
        for s, ref in enumerate(entry.sources):
            writer.run(
                f"{path}.sources[{s}]",
                "interchange.link_merged",
                {"id": item_ids[ref], "merged_into": target},
                system=True,
            )
        agreement = entry.agreement
        if agreement is not None and (agreement.level is not None or agreement.note):
            # Members' own levels do not travel (nobody of theirs is imported); the outcome does.
            writer.run(
                f"{path}.agreement",
                "interchange.set_agreement",
                {"id": target, "level": agreement.level, "note": agreement.note},
                system=True,
            )
    for d, refs in enumerate(document.dismissed):
        writer.run(
            f"dismissed[{d}]",
            "interchange.dismiss",
            {"item_ids": [item_ids[ref] for ref in refs]},
            system=True,
        )
    phase = document.workshop.phase
    if phase is not None and phase != "setup":
        # Last, so the rules of a later phase never stand in the way of the import.
        writer.run("workshop.phase", "workshop.update", {"phase": phase})


def _create_themes(writer: OpWriter, themes: list[ThemeEntry]) -> None:
    # Parents first: a sub-theme needs its parent's id. Positions are kept per parent,
    # so the order among siblings is the document's order either way.
    ids: dict[str, int] = {}
    ordered = sorted(enumerate(themes), key=lambda pair: pair[1].parent is not None)
    for t, theme in ordered:
        created = writer.run(
            f"themes[{t}]",
            "theme.create",
            {
                "key": theme.key,
                "label": theme.label,
                "description": theme.description,
                "parent_id": None if theme.parent is None else ids[theme.parent],
            },
        )
        ids[theme.key] = created.id


def _create_item(writer: OpWriter, path: str, checklist_id: int, item: ItemEntry) -> str:
    args: dict[str, Any] = {
        "checklist_id": checklist_id,
        "kind": item.kind,
        "title": item.title,
        "detail": item.detail,
        "themes": item.themes,
        "actors": item.actors,
        "references": item.references,
        "status": item.status,
    }
    if isinstance(item, GroupItem) and item.position is not None:
        args["position"] = item.position
    created = writer.run(path, "item.create", args)
    if item.flags:
        writer.run(
            f"{path}.flags",
            "interchange.set_flags",
            {"id": created.id, "flags": item.flags},
            system=True,
        )
    return str(created.id)
