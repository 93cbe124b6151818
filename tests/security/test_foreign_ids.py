"""No resource of another workshop is reachable by guessing its id, over any route.

The routes come from the OpenAPI document, so a route added later is attacked too. A
facilitator and a participant of another workshop try every operation:

- naming the victim workshop and its resources: 404, as for a workshop that does not
  exist (ids reveal nothing);
- naming their own workshop with the victim's resource ids in the path or in the body
  (``group_id``, ``source_ids``, ``parent_id``, …): never a success;
- under ``/api/public``: guessed slugs and secrets are 404.

Bodies are valid ones from schemathesis, so the refusal comes from the id, not from a
malformed request. Afterwards the victim workshop is exactly as it was.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core import NotSet

from tests.api.world import World, build_world
from tests.support import Api, AppFactory, ok

# Path and body fields that name a resource, and which of the victim's resources to name.
VICTIM_FIELD = {
    "workshop_id": "w",
    "group_id": "group",
    "checklist_id": "checklist_a",
    "theme_id": "theme",
    "parent_id": "theme",
    "item_id": "item",
    "source_id": "item",
    "source_ids": "item",
    "target_id": "consolidated_item",
    "member_id": "member",
    "comment_id": "comment",
    "entity_id": "item",
}
# Body fields that are not references: ids a client mints for what it creates.
NOT_REFERENCES = {"id"}
SECRET_PARAMS = {"slug", "secret", "code"}
EXAMPLES = 2


def attack_values(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    """(victim ids by field, the attacker's own ids by field)."""
    victim = {field: world.targets()[target] for field, target in VICTIM_FIELD.items()}
    xfac = world.api["xfac"]
    base = f"/api/workshops/{world.other_wid}"
    group = ok(xfac.get(f"{base}/groups"))[0]
    theme = ok(xfac.post(f"{base}/themes", json={"key": "mine", "label": "Mine"}), 201)
    item = ok(
        xfac.post(
            f"{base}/checklists/{group['checklist_id']}/items", json={"kind": "need", "title": "M"}
        ),
        201,
    )
    own = {
        "workshop_id": world.other_wid,
        "group_id": group["id"],
        "checklist_id": group["checklist_id"],
        "theme_id": theme["id"],
        "item_id": item["id"],
        "member_id": world.member["xpart"],
        "entity_id": item["id"],
    }
    return victim, own


def with_references(body: Any, victim: dict[str, Any], where: str) -> Any:
    """``body`` with every field that names a resource pointing into the victim workshop."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    for name in body:
        if name in NOT_REFERENCES or not re.search(r"(^|_)ids?$", name):
            continue
        assert name in VICTIM_FIELD, f"{where}: add body field {name!r} to VICTIM_FIELD"
        value = victim[name]
        out[name] = [value] if name.endswith("_ids") else value
    return out


def send(api: Api, case: Any, body: Any) -> int:
    kwargs: dict[str, Any] = {"params": case.query or None}
    if not isinstance(body, NotSet):
        kwargs["json"] = body
    return api.request(case.method, case.formatted_path, **kwargs).status_code


def attack(operation: Any, api: Api, fixed: dict[str, Any], victim: dict[str, Any]) -> list[str]:
    """Sends valid requests for ``operation`` with path parameters ``fixed``; returns the
    answers that were not a refusal (or, naming the victim workshop, not a 404)."""
    where = f"{operation.method.upper()} {operation.path}"
    names = {p.name for p in operation.path_parameters}
    wrong: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters={k: fixed[k] for k in names if k in fixed}))
    def run(case: Any) -> None:
        body = with_references(case.body, victim, where)
        in_victim = case.path_parameters.get("workshop_id") == victim["workshop_id"]
        aimed = (
            in_victim
            or body != case.body
            or any(
                name != "workshop_id" and value == victim.get(name)
                for name, value in case.path_parameters.items()
            )
        )
        if not aimed:  # nothing of the victim's in this request
            return
        status = send(api, case, body)
        if status < 400 or (in_victim and status != 404):
            wrong.append(f"{where} {case.path_parameters} {body!r:.200} -> {status}")

    run()
    return wrong


def test_no_route_reaches_another_workshop(apps: AppFactory, fac: Api) -> None:
    world = build_world(apps, fac)
    world.set_phase("breakout", reveal=True)  # the victim at its most open
    victim, own = attack_values(world)
    schema = schemathesis.openapi.from_asgi("/openapi.json", apps.app)
    watched = {name: world.targets()[name] for name in ("item", "comment", "theme", "group")}
    before = world.fingerprint(watched)
    wrong: list[str] = []
    attacked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        if not names:  # names no resource (sign-in, listing one's own workshops, health)
            continue
        enums = {
            p.name: p.definition["schema"]["enum"][0]
            for p in operation.path_parameters
            if "enum" in p.definition.get("schema", {})
        }
        if names & SECRET_PARAMS:
            guessed = {name: secrets.token_urlsafe(22) for name in names & SECRET_PARAMS}
            for role in ("xfac", "xpart", "anon"):
                wrong += [
                    w
                    for w in attack(operation, world.api[role], {**enums, **guessed}, victim)
                    if operation.method.upper() == "GET" or " -> 2" in w
                ]
            attacked += 1
            continue
        unknown = names - set(VICTIM_FIELD) - set(enums)
        assert not unknown, f"{operation.path}: add {unknown} to VICTIM_FIELD"
        for role in ("xfac", "xpart"):
            api = world.api[role]
            if "workshop_id" in names:
                wrong += attack(operation, api, {**victim, **enums}, victim)
                wrong += attack(
                    operation, api, {**victim, **enums, "workshop_id": own["workshop_id"]}, victim
                )
            # Own resources in the path, the victim's in the body.
            wrong += attack(operation, api, {**own, **enums}, victim)
        attacked += 1
    assert attacked > 40
    assert not wrong, f"{len(wrong)} requests reached another workshop:\n" + "\n".join(wrong)
    assert world.fingerprint(watched) == before
