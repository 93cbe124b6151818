"""One workshop with a person in every role, for tables of who may do what.

``World`` holds a browser (``Api``) and a member id per role, a second workshop whose
people are the outsiders, direct access to the write path (``op``) to set up targets
without going through the API under test, and ``fingerprint`` to prove that a refused
request changed nothing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, cast

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from roundtable.checklists.models import Checklist, Comment, Item, Vote
from roundtable.groups.models import Group, Member
from roundtable.sync.models import Event
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import submit
from roundtable.workshops.models import Theme, Workshop
from tests.support import Api, AppFactory, create_facilitator_account, ok, setup_workshop

# anon: no session; own: participant of group A (whose checklist the targets are in);
# other: participant of group B; obs: observer in group A; xfac/xpart: facilitator and
# participant of another workshop.
ROLES = ("anon", "fac", "own", "other", "obs", "xfac", "xpart")
INSIDERS = ("fac", "own", "other", "obs")
OTHER_FACILITATOR = ("other-fac@example.org", "another long passphrase")

# Tables whose rows belong to one workshop: counted before and after a refused request.
WORKSHOP_TABLES: tuple[Any, ...] = (Theme, Group, Member, Checklist, Item, Comment, Vote, Event)
TARGET_MODELS: dict[str, Any] = {
    "item": Item,
    "deleted_item": Item,
    "consolidated_item": Item,
    "comment": Comment,
    "theme": Theme,
    "group": Group,
    "member": Member,
    "own_member": Member,
}


def fingerprint(engine: Engine, wid: int, targets: dict[str, Any] | None = None) -> dict[str, Any]:
    """The workshop row (head_seq included), row counts per table, and the rows of
    ``targets`` (name → id, for the names in ``TARGET_MODELS``)."""
    counts = (
        select(func.count()).select_from(model).where(model.workshop_id == wid).scalar_subquery()
        for model in WORKSHOP_TABLES
    )
    workshop = Workshop.__table__  # type: ignore[attr-defined]
    with engine.connect() as db:
        state = db.execute(select(workshop, *counts).where(workshop.c.id == wid)).one()
        rows: dict[str, Any] = {}
        for name, value in (targets or {}).items():
            model = TARGET_MODELS.get(name)
            if model is not None:
                table = model.__table__
                found = db.execute(select(table).where(table.c.id == value)).first()
                rows[name] = None if found is None else tuple(found)
        db.rollback()
    return {"state": tuple(state), "rows": rows}


def person(apps: AppFactory, base: Api, *, raise_server_exceptions: bool = True) -> Api:
    """Another browser on the app ``base`` runs: same event loop, same lifespan resources.

    (Entering a second TestClient would run the lifespan again and replace the app's
    services, rate limiters included.)
    """
    client = TestClient(
        apps.app, base_url="http://testserver", raise_server_exceptions=raise_server_exceptions
    )
    client.portal = cast(TestClient, base.client).portal
    return Api(client)


@dataclass
class World:
    apps: AppFactory
    engine: Engine
    registry: OpRegistry
    wid: int
    other_wid: int
    api: dict[str, Api]
    member: dict[str, int | None]
    group_a: int
    group_b: int
    checklist_a: int
    consolidated: int
    shared: dict[str, Any] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=itertools.count)

    # -- the write path, bypassing the API under test ----------------------------------
    def op(self, role: str, kind: str, args: dict[str, Any], *, system: bool = False) -> Any:
        """Submits an op to this workshop as ``role`` (``anon``: no member)."""
        result = submit(
            self.engine,
            self.registry,
            None,
            workshop_id=self.wid,
            member_id=self.member[role],
            kind=kind,
            args=args,
            system=system,
        )
        assert result.outcome is not None
        return result.outcome.result

    def set_phase(self, phase: str, reveal: bool = False) -> None:
        self.op("fac", "workshop.update", {"phase": phase, "reveal": reveal})

    def unique(self, prefix: str) -> str:
        return f"{prefix}_{next(self._serial)}"

    # -- fresh targets ----------------------------------------------------------------
    def new_item(self, checklist: int | None = None, **values: Any) -> str:
        args = {"checklist_id": checklist or self.checklist_a, "kind": "need", "title": "Target"}
        item: Item = self.op("fac", "item.create", {**args, **values})
        return item.id

    def new_target(self, name: str) -> Any:
        if name == "item":
            return self.new_item()
        if name == "consolidated_item":
            return self.new_item(self.consolidated)
        if name == "deleted_item":
            item_id = self.new_item()
            self.op("fac", "item.delete", {"id": item_id})
            return item_id
        if name == "comment":
            comment: Comment = self.op(
                "own", "comment.create", {"item_id": self.shared["item"], "body": "Mine"}
            )
            return comment.id
        if name == "theme":
            theme: Theme = self.op("fac", "theme.create", {"key": self.unique("t"), "label": "T"})
            return theme.id
        if name == "key":
            return self.unique("k")
        if name == "group":
            group, _ = self.op("fac", "group.create", {"name": self.unique("Spare")})
            return group.id
        if name == "member":
            member: Member = self.op(
                "anon",
                "member.join",
                {"group_id": self.group_a, "display_name": self.unique("Spare")},
                system=True,
            )
            return member.id
        raise KeyError(name)

    def renew_shared(self) -> None:
        """New targets for attempts expected to be refused (which must leave them alone)."""
        self.shared = {"key": "shared_key"}
        for name in ("item", "consolidated_item", "deleted_item", "comment", "theme", "group"):
            self.shared[name] = self.new_target(name)
        self.shared["member"] = self.new_target("member")

    def targets(self) -> dict[str, Any]:
        return {
            "w": self.wid,
            "checklist_a": self.checklist_a,
            "consolidated": self.consolidated,
            "group_b": self.group_b,
            "own_member": self.member["own"],
            **self.shared,
        }

    # -- proving nothing changed ------------------------------------------------------
    def fingerprint(self, targets: dict[str, Any] | None = None) -> dict[str, Any]:
        return fingerprint(self.engine, self.wid, targets)


def build_world(apps: AppFactory, fac: Api, *, attribution: str = "named") -> World:
    """``fac`` (signed in) sets up the workshop; everyone else joins it or another one."""
    ws = setup_workshop(fac, groups=3, phase="breakout", attribution=attribution)
    wid = ws["id"]
    group_a, group_b, _spare = ws["groups"]
    api = {role: person(apps, fac) for role in ROLES if role != "fac"}
    api["fac"] = fac
    member: dict[str, int | None] = {"anon": None}
    member["fac"] = ok(fac.get(f"/api/workshops/{wid}/me"))["id"]
    joins = {
        "own": (group_a["join_code"], "Ana Own", {"affiliation": "Shelter A"}),
        "other": (group_b["join_code"], "Ben Other", {"affiliation": "Police B"}),
        "obs": (group_a["join_code"], "Olga Observer", {"observer": True}),
    }
    for role, (code, name, extra) in joins.items():
        member[role] = api[role].join(code, name, **extra)["member"]["id"]

    email, password = OTHER_FACILITATOR
    create_facilitator_account(apps.settings.database_url, email, password)
    ok(api["xfac"].login(email, password))
    elsewhere = setup_workshop(api["xfac"], groups=1)
    member["xfac"] = ok(api["xfac"].get(f"/api/workshops/{elsewhere['id']}/me"))["id"]
    xcode = elsewhere["groups"][0]["join_code"]
    member["xpart"] = api["xpart"].join(xcode, "Xavier Elsewhere")["member"]["id"]

    services = apps.app.state.services
    world = World(
        apps=apps,
        engine=services.engine,
        registry=services.registry,
        wid=wid,
        other_wid=elsewhere["id"],
        api=api,
        member=member,
        group_a=group_a["id"],
        group_b=group_b["id"],
        checklist_a=group_a["checklist_id"],
        consolidated=ws["consolidated"],
    )
    world.op("fac", "workshop.update", {"vote_budget": 100})
    world.renew_shared()
    return world


def fill(template: Any, values: dict[str, Any]) -> Any:
    """``template`` with ``"{name}"`` placeholders filled in; a whole-string placeholder
    takes the value's own type (so ids stay integers)."""
    if isinstance(template, str):
        if template.startswith("{") and template.endswith("}") and template[1:-1] in values:
            return values[template[1:-1]]
        return template.format(**values)
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template
