"""A workshop ready for consolidation: two groups' items, written by their participants.

``Board.op`` submits through the one write path (``sync.service.submit``) as a role;
``rows`` reads the item and provenance rows straight from the database, so a test can
compare the whole state before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from roundtable.checklists.models import Item
from roundtable.consolidation.models import ItemSource
from roundtable.errors import OpRejected
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import submit
from tests.api.world import person
from tests.support import Api, AppFactory, ok, setup_workshop

# Two groups say the same things in different words; "smuggling" is a different point.
GROUP_A = [
    (
        "need",
        "Interpreters for victims during police interviews",
        "In their own language.",
        ["identification"],
        ["law_enforcement"],
        ["ACTIP Art. 14"],
    ),
    (
        "response",
        "Screen for trafficking indicators at border crossings",
        "",
        ["identification"],
        ["immigration"],
        [],
    ),
    (
        "practice",
        "Shelters run by civil society with state funding",
        "Long-term grants.",
        ["durable_solutions"],
        ["civil_society", "government"],
        [],
    ),
]
GROUP_B = [
    (
        "need",
        "Interpreter at interviews",
        "Victims often speak no Thai or Bahasa.",
        ["identification", "protection"],
        ["law_enforcement", "social_services"],
        ["Palermo Protocol Art. 6"],
    ),
    (
        "response",
        "Screen for smuggling indicators at border crossings",
        "",
        ["identification"],
        ["immigration"],
        [],
    ),
    ("need", "INTERPRETERS FOR VICTIMS", "", ["identification"], [], ["ACTIP Art. 14"]),
]


@dataclass
class Board:
    apps: AppFactory
    engine: Engine
    registry: OpRegistry
    wid: int
    fac: Api
    people: dict[str, Api]
    member: dict[str, int]
    checklists: dict[str, int]
    consolidated: int
    a: list[str] = field(default_factory=list)
    b: list[str] = field(default_factory=list)

    def op(self, role: str, kind: str, args: dict[str, Any]) -> Any:
        result = submit(
            self.engine,
            self.registry,
            None,
            workshop_id=self.wid,
            member_id=self.member[role],
            kind=kind,
            args=args,
        )
        assert result.outcome is not None
        return result

    def refused(self, role: str, kind: str, args: dict[str, Any]) -> OpRejected:
        before = self.state()
        try:
            self.op(role, kind, args)
        except OpRejected as exc:
            assert self.state() == before, "a refused op changed something"
            return exc
        raise AssertionError(f"{kind} {args} was not refused")

    def set_phase(self, phase: str, **extra: Any) -> None:
        self.op("fac", "workshop.update", {"phase": phase, **extra})

    def item(self, item_id: str) -> dict[str, Any]:
        with self.engine.connect() as db:
            row = db.execute(select(Item.__table__).where(Item.__table__.c.id == item_id)).one()  # type: ignore[attr-defined]
        return dict(row._mapping)

    def state(self) -> dict[str, Any]:
        """Every item and provenance row of the workshop, and its head seq."""
        items = Item.__table__  # type: ignore[attr-defined]
        links = ItemSource.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as db:
            return {
                "items": {
                    r.id: dict(r._mapping)
                    for r in db.execute(select(items).where(items.c.workshop_id == self.wid))
                },
                "links": {
                    r.source_id: dict(r._mapping)
                    for r in db.execute(select(links).where(links.c.workshop_id == self.wid))
                },
            }


def build_board(apps: AppFactory, fac: Api, *, attribution: str = "named") -> Board:
    ws = setup_workshop(fac, groups=2, phase="breakout", attribution=attribution)
    wid = ws["id"]
    group_a, group_b = ws["groups"]
    people = {"ana": person(apps, fac), "budi": person(apps, fac), "obs": person(apps, fac)}
    member = {"fac": ok(fac.get(f"/api/workshops/{wid}/me"))["id"]}
    member["ana"] = people["ana"].join(group_a["join_code"], "Ana")["member"]["id"]
    member["budi"] = people["budi"].join(group_b["join_code"], "Budi")["member"]["id"]
    member["obs"] = people["obs"].join(group_a["join_code"], "Olga", observer=True)["member"]["id"]
    services = apps.app.state.services
    board = Board(
        apps=apps,
        engine=services.engine,
        registry=services.registry,
        wid=wid,
        fac=fac,
        people=people,
        member=member,
        checklists={"a": group_a["checklist_id"], "b": group_b["checklist_id"]},
        consolidated=ws["consolidated"],
    )
    for role, key, rows, ids in (("ana", "a", GROUP_A, board.a), ("budi", "b", GROUP_B, board.b)):
        for kind, title, detail, themes, actors, references in rows:
            created = board.op(
                role,
                "item.create",
                {
                    "checklist_id": board.checklists[key],
                    "kind": kind,
                    "title": title,
                    "detail": detail,
                    "themes": themes,
                    "actors": actors,
                    "references": references,
                },
            )
            ids.append(created.outcome.result.id)
    board.set_phase("consolidation")
    return board
