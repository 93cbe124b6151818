"""A workshop with groups, group items and a consolidated checklist, built over the API.

Group items are merged into consolidated items with the import's system op
(``interchange.link_merged``) through the one write path. Moving a source from one
consolidated item to another (a split or a merge after publishing) is written to the
rows directly: that is what the consolidation ops do to ``merged_into`` and to the
source's provenance link (``item_source``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roundtable.checklists.models import Item
from roundtable.consolidation.models import ItemSource
from roundtable.db import write_session
from roundtable.services import Services
from roundtable.sync.service import submit
from tests.support import Api, AppFactory, ok, setup_workshop

ORIGIN = {"Origin": "http://testserver"}


@dataclass
class World:
    apps: AppFactory
    fac: Api
    id: int
    consolidated: int
    groups: list[dict[str, Any]]
    group_items: dict[str, str] = field(default_factory=dict)  # label → id
    items: dict[str, str] = field(default_factory=dict)  # label → consolidated item id

    @property
    def services(self) -> Services:
        services: Services = self.apps.app.state.services
        return services

    def group_item(self, label: str, group: int, title: str, kind: str = "need") -> str:
        checklist = self.groups[group]["checklist_id"]
        made = ok(
            self.fac.post(
                f"/api/workshops/{self.id}/checklists/{checklist}/items",
                json={"kind": kind, "title": title},
            ),
            201,
        )
        self.group_items[label] = made["id"]
        return str(made["id"])

    def item(self, label: str, title: str, **values: Any) -> str:
        body = {"kind": "need", "title": title, **values}
        made = ok(
            self.fac.post(
                f"/api/workshops/{self.id}/checklists/{self.consolidated}/items", json=body
            ),
            201,
        )
        self.items[label] = made["id"]
        return str(made["id"])

    def update(self, label: str, **values: Any) -> None:
        ok(self.fac.patch(f"/api/workshops/{self.id}/items/{self.items[label]}", json=values))

    def delete(self, label: str) -> None:
        r = self.fac.delete(f"/api/workshops/{self.id}/items/{self.items[label]}")
        assert r.status_code == 204, r.text

    def system(self, kind: str, args: dict[str, Any]) -> None:
        submit(
            self.services.engine,
            self.services.registry,
            None,
            workshop_id=self.id,
            member_id=self.facilitator_id(),
            kind=kind,
            args=args,
            system=True,
        )

    def as_member(self, member_id: int, kind: str, args: dict[str, Any]) -> None:
        submit(
            self.services.engine,
            self.services.registry,
            None,
            workshop_id=self.id,
            member_id=member_id,
            kind=kind,
            args=args,
        )

    def facilitator_id(self) -> int:
        return int(ok(self.fac.get(f"/api/workshops/{self.id}/me"))["id"])

    def link(self, source: str, target: str) -> None:
        self.system(
            "interchange.link_merged",
            {"id": self.group_items[source], "merged_into": self.items[target]},
        )

    def move_source(self, source: str, target: str) -> None:
        with write_session(self.services.engine) as db:
            row = db.get(Item, self.group_items[source])
            assert row is not None
            row.merged_into = self.items[target]
            link = db.get(ItemSource, row.id)
            if link is not None:
                link.consolidated_id = row.merged_into
            db.commit()

    def flag(self, label: str, flags: list[str]) -> None:
        self.system("interchange.set_flags", {"id": self.items[label], "flags": flags})

    def publish(self, title: str = "", notes: str = "") -> dict[str, Any]:
        body = {"title": title, "notes": notes} if title else {"notes": notes}
        return dict(ok(self.fac.post(f"/api/workshops/{self.id}/editions", json=body), 201))


def build_world(apps: AppFactory, fac: Api, *, attribution: str = "named") -> World:
    made = setup_workshop(fac, groups=3, phase="breakout", attribution=attribution)
    checklists = ok(fac.get(f"/api/workshops/{made['id']}/checklists"))
    by_group = {c["group_id"]: c["id"] for c in checklists if c["group_id"] is not None}
    groups = [{**g, "checklist_id": by_group[g["id"]]} for g in made["groups"]]
    world = World(apps, fac, made["id"], made["consolidated"], groups)
    world.group_item("a1", 0, "Screen arrivals for signs of trafficking")
    world.group_item("b1", 1, "Screening at the border")
    world.group_item("b2", 1, "Shelters for adult men")
    world.group_item("c1", 2, "Interpreters during interviews")
    world.group_item("c2", 2, "Legal aid for victims")
    ok(fac.patch(f"/api/workshops/{world.id}", json={"phase": "consolidation"}))
    return world
