"""Who may do what: every endpoint and every op kind, for every role, across phases.

Each row names a REST request and, for writes, the op it becomes; the expected statuses
of the four people inside the workshop come from one of the tables below (``ok`` is the
row's success status). Everyone else is fixed by rule: no session is 401; a member of
another workshop is 404 over REST (ids reveal nothing) and 403 from the write path
itself. A refused attempt must leave the workshop as it was: same head_seq, same row
counts, same target rows. An allowed write must add exactly one event.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any

import pytest

from roundtable.errors import OpRejected
from roundtable.ops import build_registry
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import submit
from roundtable.workshops.models import Workshop
from tests.api.world import INSIDERS, ROLES, World, build_world, fill
from tests.support import Api, AppFactory

WORKSHOP_COLUMNS = [c.name for c in Workshop.__table__.columns]  # type: ignore[attr-defined]
CONFIGS: dict[str, tuple[str, bool]] = {
    "setup": ("setup", False),
    "breakout": ("breakout", False),
    "breakout+reveal": ("breakout", True),
    "consolidation": ("consolidation", False),
    "review": ("review", False),
    "review+reveal": ("review", True),
    "published": ("published", False),
}
# Anonymous people and outsiders are turned away before any phase rule is asked; they
# are tried where the workshop is most open.
STRANGER_CONFIGS = ("breakout+reveal", "review+reveal")
STATUS_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}


def table(text: str) -> dict[str, tuple[str, ...]]:
    """``config  fac own other obs`` lines → {config: statuses}."""
    rows = {}
    for line in textwrap.dedent(text).strip().splitlines():
        config, *statuses = line.split()
        assert config in CONFIGS and len(statuses) == len(INSIDERS), line
        rows[config] = tuple(statuses)
    return rows


#                   fac own other obs
FACILITATORS_ONLY = table("breakout ok 403 403 403")
EVERY_MEMBER = table("\n".join(f"{c} ok ok ok ok" for c in CONFIGS))
MEMBERS_OF_WORKSHOP = table("breakout ok ok ok ok")
OWN_NAME = table("breakout ok ok 403 403")
# Group A's checklist: its own people read it; group B only once groups are revealed.
READ_GROUP = table("""
    setup            ok  ok  404 ok
    breakout         ok  ok  404 ok
    breakout+reveal  ok  ok  ok  ok
    consolidation    ok  ok  404 ok
    review           ok  ok  404 ok
    review+reveal    ok  ok  ok  ok
    published        ok  ok  404 ok
""")
# Participants edit their own group's checklist in the breakout phase only.
EDIT_GROUP = table("""
    setup            ok  403 404 403
    breakout         ok  ok  404 403
    breakout+reveal  ok  ok  403 403
    consolidation    ok  403 404 403
    review           ok  403 404 403
    review+reveal    ok  403 403 403
    published        ok  403 404 403
""")
# Comments: breakout, consolidation and review; revealed groups may comment on each other.
COMMENT_GROUP = table("""
    setup            ok  403 404 403
    breakout         ok  ok  404 403
    breakout+reveal  ok  ok  ok  403
    consolidation    ok  ok  404 403
    review           ok  ok  404 403
    review+reveal    ok  ok  ok  403
    published        ok  403 404 403
""")
# A comment written by ``own``: its author (in commenting phases) and facilitators.
OWN_COMMENT = table("""
    setup            ok  403 404 403
    breakout         ok  ok  404 403
    breakout+reveal  ok  ok  403 403
    consolidation    ok  ok  404 403
    review           ok  ok  404 403
    review+reveal    ok  ok  403 403
    published        ok  403 404 403
""")
# Votes: breakout and review; never observers.
VOTE_GROUP = table("""
    setup            403 403 404 403
    breakout         ok  ok  404 403
    breakout+reveal  ok  ok  ok  403
    consolidation    403 403 404 403
    review           ok  ok  404 403
    review+reveal    ok  ok  ok  403
    published        403 403 404 403
""")
# The consolidated checklist: participants see it from the review phase on, never edit it.
READ_CONSOLIDATED = table("""
    setup            ok  404 404 404
    breakout         ok  404 404 404
    breakout+reveal  ok  404 404 404
    consolidation    ok  404 404 404
    review           ok  ok  ok  ok
    review+reveal    ok  ok  ok  ok
    published        ok  ok  ok  ok
""")
EDIT_CONSOLIDATED = table("""
    setup            ok  404 404 404
    breakout         ok  404 404 404
    breakout+reveal  ok  404 404 404
    consolidation    ok  404 404 404
    review           ok  403 403 403
    review+reveal    ok  403 403 403
    published        ok  403 403 403
""")
COMMENT_CONSOLIDATED = table("""
    setup            ok  404 404 404
    breakout         ok  404 404 404
    breakout+reveal  ok  404 404 404
    consolidation    ok  404 404 404
    review           ok  ok  ok  403
    review+reveal    ok  ok  ok  403
    published        ok  403 403 403
""")
MERGE = table("""
    breakout         403 403 403 403
    consolidation    ok  403 403 403
    review           ok  403 403 403
    published        403 403 403 403
""")
VOTE_CONSOLIDATED = table("""
    setup            403 404 404 404
    breakout         ok  404 404 404
    breakout+reveal  ok  404 404 404
    consolidation    403 404 404 404
    review           ok  ok  ok  403
    review+reveal    ok  ok  ok  403
    published        403 403 403 403
""")


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # under /api/workshops/{w}
    expect: dict[str, tuple[str, ...]]
    ok: int = 200
    body: dict[str, Any] | None = None
    op: tuple[str, dict[str, Any]] | None = None
    fresh: tuple[str, ...] = ()  # targets each allowed attempt needs a new one of

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def names(self) -> set[str]:
        """The targets this row names (whose rows a refusal must leave alone)."""
        return set(re.findall(r"{(\w+)}", f"{self.path} {self.body} {self.op}"))


ITEM = {"kind": "need", "title": "New point"}
ROWS = [
    # the workshop
    Row("GET", "", MEMBERS_OF_WORKSHOP),
    Row("PATCH", "", FACILITATORS_ONLY, body={"venue": "Bangkok"},
        op=("workshop.update", {"venue": "Bangkok"})),
    Row("PUT", "/announcement", FACILITATORS_ONLY, body={"text": "Back at 3"},
        op=("workshop.announce", {"text": "Back at 3"})),
    Row("GET", "/events", EVERY_MEMBER),
    # themes
    Row("GET", "/themes", MEMBERS_OF_WORKSHOP),
    Row("POST", "/themes", FACILITATORS_ONLY, 201, {"key": "{key}", "label": "New"},
        ("theme.create", {"key": "{key}", "label": "New"}), fresh=("key",)),
    Row("PATCH", "/themes/{theme}", FACILITATORS_ONLY, body={"label": "Renamed"},
        op=("theme.update", {"id": "{theme}", "label": "Renamed"})),
    Row("DELETE", "/themes/{theme}", FACILITATORS_ONLY, 204,
        op=("theme.delete", {"id": "{theme}"}), fresh=("theme",)),
    # groups and join codes
    Row("GET", "/groups", MEMBERS_OF_WORKSHOP),
    Row("POST", "/groups", FACILITATORS_ONLY, 201, {"name": "New group"},
        ("group.create", {"name": "New group"})),
    Row("PATCH", "/groups/{group}", FACILITATORS_ONLY, body={"name": "Renamed"},
        op=("group.update", {"id": "{group}", "name": "Renamed"})),
    Row("POST", "/groups/{group}/rotate-code", FACILITATORS_ONLY,
        op=("group.rotate_code", {"id": "{group}"})),
    Row("DELETE", "/groups/{group}", FACILITATORS_ONLY, 204,
        op=("group.delete", {"id": "{group}"}), fresh=("group",)),
    # members
    Row("GET", "/members", MEMBERS_OF_WORKSHOP),
    Row("GET", "/me", MEMBERS_OF_WORKSHOP),
    Row("PATCH", "/members/{own_member}", OWN_NAME, body={"display_name": "Ana Renamed"},
        op=("member.update", {"id": "{own_member}", "display_name": "Ana Renamed"})),
    Row("PATCH", "/members/{member}", FACILITATORS_ONLY, body={"group_id": "{group_b}"},
        op=("member.update", {"id": "{member}", "group_id": "{group_b}"})),
    Row("DELETE", "/members/{member}", FACILITATORS_ONLY, 204,
        op=("member.remove", {"id": "{member}"}), fresh=("member",)),
    # checklists and items
    Row("GET", "/checklists", EVERY_MEMBER),
    Row("GET", "/checklists/{checklist_a}/items", READ_GROUP),
    Row("POST", "/checklists/{checklist_a}/items", EDIT_GROUP, 201, ITEM,
        ("item.create", {"checklist_id": "{checklist_a}", **ITEM})),
    Row("GET", "/items/{item}", READ_GROUP),
    Row("PATCH", "/items/{item}", EDIT_GROUP, body={"title": "Edited"},
        op=("item.update", {"id": "{item}", "title": "Edited"})),
    Row("POST", "/items/{item}/move", EDIT_GROUP, body={"position": "a"},
        op=("item.move", {"id": "{item}", "position": "a"})),
    Row("DELETE", "/items/{item}", EDIT_GROUP, 204,
        op=("item.delete", {"id": "{item}"}), fresh=("item",)),
    Row("POST", "/items/{deleted_item}/restore", EDIT_GROUP,
        op=("item.restore", {"id": "{deleted_item}"}), fresh=("deleted_item",)),
    Row("GET", "/items/{item}/history", READ_GROUP),
    Row("GET", "/checklists/{consolidated}/items", READ_CONSOLIDATED),
    Row("POST", "/checklists/{consolidated}/items", EDIT_CONSOLIDATED, 201, ITEM,
        ("item.create", {"checklist_id": "{consolidated}", **ITEM})),
    Row("PATCH", "/items/{consolidated_item}", EDIT_CONSOLIDATED, body={"title": "Edited"},
        op=("item.update", {"id": "{consolidated_item}", "title": "Edited"})),
    # comments
    Row("GET", "/items/{item}/comments", READ_GROUP),
    Row("POST", "/items/{item}/comments", COMMENT_GROUP, 201, {"body": "Agreed"},
        ("comment.create", {"item_id": "{item}", "body": "Agreed"})),
    Row("PATCH", "/comments/{comment}", OWN_COMMENT, body={"body": "Edited"},
        op=("comment.update", {"id": "{comment}", "body": "Edited"})),
    Row("DELETE", "/comments/{comment}", OWN_COMMENT, 204,
        op=("comment.delete", {"id": "{comment}"}), fresh=("comment",)),
    Row("POST", "/items/{consolidated_item}/comments", COMMENT_CONSOLIDATED, 201,
        {"body": "Agreed"}, ("comment.create", {"item_id": "{consolidated_item}", "body": "x"})),
    # votes
    Row("PUT", "/items/{item}/vote", VOTE_GROUP, body={"count": 1},
        op=("vote.set", {"item_id": "{item}", "count": 1})),
    Row("GET", "/checklists/{checklist_a}/votes", READ_GROUP),
    Row("PUT", "/items/{consolidated_item}/vote", VOTE_CONSOLIDATED, body={"count": 1},
        op=("vote.set", {"item_id": "{consolidated_item}", "count": 1})),
    # merge suggestions, coverage, merging (facilitators, consolidation and review only)
    Row("GET", "/suggestions", FACILITATORS_ONLY),
    Row("GET", "/coverage", FACILITATORS_ONLY),
    Row("POST", "/consolidation/merge", MERGE, body={"source_ids": ["{item}"]},
        op=("consolidation.merge", {"source_ids": ["{item}"]}), fresh=("item",)),
]  # fmt: skip


def expected(row: Row, config: str, role: str, *, rest: bool) -> int:
    if role == "anon":
        return 401
    if role in ("xfac", "xpart"):
        # Over REST the workshop is "not found"; the write path itself names the rule.
        return 404 if rest else 403
    status = row.expect[config][INSIDERS.index(role)]
    return row.ok if status == "ok" else int(status)


def prepare(world: World, config: str, rest: bool) -> dict[tuple[int, str], dict[str, Any]]:
    """Targets per (row, role): a fresh one where the attempt should succeed."""
    world.renew_shared()
    base = world.targets()
    prepared = {}
    for index, row in enumerate(ROWS):
        if config not in row.expect or (not rest and row.op is None):
            continue
        for role in ROLES:
            if role not in INSIDERS and config not in STRANGER_CONFIGS:
                continue
            values = dict(base)
            if expected(row, config, role, rest=rest) < 300:
                values.update({name: world.new_target(name) for name in row.fresh})
            prepared[(index, role)] = values
    return prepared


def attempt_rest(world: World, row: Row, role: str, values: dict[str, Any]) -> int:
    api: Api = world.api[role]
    path = "/api/workshops/{w}" + row.path
    kwargs: dict[str, Any] = {}
    if row.body is not None:
        kwargs["json"] = fill(row.body, values)
    response = api.request(row.method, fill(path, values), **kwargs)
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) <= {"code", "message", "field"}, error
        assert error["code"] == STATUS_CODES.get(response.status_code), error
        assert error["message"] not in ("", "forbidden", "not allowed"), error
    return response.status_code


def attempt_op(world: World, row: Row, role: str, values: dict[str, Any]) -> int:
    assert row.op is not None
    kind, args = row.op
    try:
        world.op(role, kind, fill(args, values))
    except OpRejected as exc:
        assert exc.message not in ("", "forbidden", "not allowed"), exc
        return exc.status
    return row.ok


def run_matrix(world: World, *, rest: bool) -> list[str]:
    """Runs every row for every role in every config; returns the mismatches."""
    failures: list[str] = []
    for config, (phase, reveal) in CONFIGS.items():
        world.set_phase("breakout")  # targets are made while everyone may still write
        prepared = prepare(world, config, rest)
        world.set_phase(phase, reveal)
        for (index, role), values in prepared.items():
            row = ROWS[index]
            want = expected(row, config, role, rest=rest)
            watched = {name: values[name] for name in row.names if name in values}
            before = world.fingerprint(watched)
            got = (
                attempt_rest(world, row, role, values)
                if rest
                else attempt_op(world, row, role, values)
            )
            after = world.fingerprint(watched)
            where = f"[{config}] {role}: {row} ({row.op[0] if row.op else 'read'})"
            if got != want:
                failures.append(f"{where} -> {got}, expected {want}")
            elif got >= 300 and after != before:
                failures.append(f"{where} was refused ({got}) but changed {diff(before, after)}")
            elif got < 300:
                grew = head_seq(after) - head_seq(before)
                writes = row.method != "GET"
                if grew != (1 if writes else 0):
                    failures.append(f"{where} added {grew} events")
    return failures


def head_seq(fingerprint: dict[str, Any]) -> int:
    return int(fingerprint["state"][WORKSHOP_COLUMNS.index("head_seq")])


def diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {before[k]!r} -> {after[k]!r}" for k in before if before[k] != after[k])


@pytest.mark.parametrize("path", ["rest", "op"])
def test_every_role_in_every_phase(apps: AppFactory, fac: Api, path: str) -> None:
    world = build_world(apps, fac)
    failures = run_matrix(world, rest=path == "rest")
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures)


def is_system_only(registry: OpRegistry, kind: str) -> bool:
    spec = registry.get(kind)
    assert spec is not None
    return spec.system_only


def test_rows_cover_every_op_kind_of_these_domains() -> None:
    from roundtable.checklists import ops as checklist_ops
    from roundtable.groups import ops as group_ops
    from roundtable.workshops import ops as workshop_ops

    registry = OpRegistry()
    for module in (workshop_ops, group_ops, checklist_ops):
        module.register(registry)
    client_kinds = {k for k in registry.kinds() if not is_system_only(registry, k)}
    covered = {row.op[0] for row in ROWS if row.op is not None}
    assert client_kinds - covered == set()
    assert covered <= set(build_registry().kinds())


def test_rows_cover_every_endpoint_of_these_domains() -> None:
    from fastapi.routing import APIRoute

    from roundtable.accounts.routes import router as auth
    from roundtable.checklists.routes import router as checklists
    from roundtable.consolidation.routes import router as suggestions
    from roundtable.groups.routes import router as groups
    from roundtable.workshops.routes import router as workshops

    def shape(method: str, path: str) -> str:
        return f"{method} {re.sub(r'{[^}]+}', '{}', path)}"

    endpoints = {
        shape(method, route.path)
        for router in (auth, workshops, groups, checklists, suggestions)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    covered = {shape(row.method, f"/api/workshops/{{w}}{row.path}") for row in ROWS}
    covered |= {shape(method, path) for method, path, _, _ in NOT_IN_A_WORKSHOP}
    # Signing in and out and joining are tried by everyone in test_security.
    covered |= {"POST /api/auth/login", "POST /api/auth/logout", "POST /api/join"}
    assert endpoints - covered == set()


def test_system_ops_and_unknown_kinds_are_refused_to_everyone(apps: AppFactory, fac: Api) -> None:
    world = build_world(apps, fac)
    registry = build_registry()
    system_kinds = [k for k in registry.kinds() if is_system_only(registry, k)]
    assert "member.join" in system_kinds
    before = world.fingerprint()
    for kind in [*system_kinds, "no.such_kind"]:
        for role in ROLES:
            member = world.member[role]
            with pytest.raises(OpRejected) as refused:
                submit(
                    world.engine,
                    world.registry,
                    None,
                    workshop_id=world.wid,
                    member_id=member,
                    kind=kind,
                    args={"group_id": world.group_a, "display_name": "Mallory"},
                )
            want = 422 if kind == "no.such_kind" else 403
            assert refused.value.status == want, (kind, role, refused.value.message)
            assert refused.value.message.startswith("kind: "), refused.value.message
    assert world.fingerprint() == before


NOT_IN_A_WORKSHOP = [
    # method, path, body, statuses for: anon fac own other obs xfac xpart
    ("GET", "/api/health", None, "200 200 200 200 200 200 200"),
    ("GET", "/api/auth/me", None, "401 200 200 200 200 200 200"),
    ("GET", "/api/workshops", None, "401 200 200 200 200 200 200"),
    ("POST", "/api/workshops", {"title": "Mine"}, "401 201 403 403 403 201 403"),
]


def test_endpoints_outside_a_workshop(apps: AppFactory, fac: Api) -> None:
    world = build_world(apps, fac)
    for method, path, body, statuses in NOT_IN_A_WORKSHOP:
        for role, want in zip(ROLES, statuses.split(), strict=True):
            response = world.api[role].request(method, path, json=body)
            assert response.status_code == int(want), (method, path, role, response.text)
    listed = {
        role: [w["id"] for w in world.api[role].get("/api/workshops").json()] for role in ROLES[1:]
    }
    assert listed["own"] == listed["other"] == listed["obs"] == [world.wid]
    assert world.wid in listed["fac"] and world.other_wid not in listed["fac"]
    assert listed["xpart"] == [world.other_wid]
    # To an outsider, a workshop that exists and one that does not look the same.
    outsider = world.api["xpart"]
    item = world.shared["item"]
    real = outsider.get(f"/api/workshops/{world.wid}/items/{item}").json()
    made_up = outsider.get(f"/api/workshops/999999/items/{item}").json()
    assert real["error"]["message"].replace(str(world.wid), "N") == made_up["error"][
        "message"
    ].replace("999999", "N")
    for role in ROLES:  # signing out works for everyone, signed in or not
        assert world.api[role].post("/api/auth/logout").status_code == 204
        assert world.api[role].get("/api/auth/me").status_code == 401
