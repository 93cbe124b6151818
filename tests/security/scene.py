"""A workshop on a real server with a person in every role, for the attack tests.

``victim`` names the workshop under attack and one resource of every kind in it (theme,
group, member, checklist, item, comment); its people are a facilitator (``fac``), a
participant and an observer of group A. ``outsider`` and ``xfac`` belong to another
workshop; ``anon`` has no session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import requests

from tests.support import (
    Api,
    LiveServer,
    create_facilitator_account,
    ok,
    setup_workshop,
)

OTHER_FACILITATOR = ("xfac@example.org", "another long passphrase")


@dataclass
class Scene:
    server: LiveServer
    api: dict[str, Api]
    victim: dict[str, Any]  # path parameter name -> an id in the victim workshop

    def session(self, role: str) -> requests.Session:
        """A ``requests`` session carrying ``role``'s cookies, CSRF token and Origin."""
        api = self.api[role]
        session = requests.Session()
        session.cookies.update(dict(api.client.cookies))
        session.headers["Origin"] = self.server.base_url
        if api.csrf:
            session.headers["X-CSRF-Token"] = api.csrf
        return session


def build_scene(server: LiveServer, database_url: str) -> Scene:
    fac = server.api()
    ok(fac.login())
    made = setup_workshop(fac, groups=2)
    wid, group_a = made["id"], made["groups"][0]
    api = {"fac": fac, "anon": server.api()}
    for role, observer in (("participant", False), ("observer", True)):
        api[role] = server.api()
        api[role].join(group_a["join_code"], role.title(), observer=observer)
    victim = resources(fac, api["participant"], wid, group_a)

    email, password = OTHER_FACILITATOR
    create_facilitator_account(database_url, email, password)
    api["xfac"] = server.api()
    ok(api["xfac"].login(email, password))
    other = setup_workshop(api["xfac"], groups=1)
    api["outsider"] = server.api()
    api["outsider"].join(other["groups"][0]["join_code"], "Outsider")
    return Scene(server, api, victim)


def resources(fac: Api, participant: Api, wid: int, group: dict[str, Any]) -> dict[str, Any]:
    """One of everything in workshop ``wid``, keyed by the path parameter naming it."""
    base = f"/api/workshops/{wid}"
    checklist = group["checklist_id"]
    theme = ok(
        fac.post(f"{base}/themes", json={"key": f"t{secrets.token_hex(3)}", "label": "T"}), 201
    )
    item = ok(
        participant.post(
            f"{base}/checklists/{checklist}/items", json={"kind": "need", "title": "Shelter"}
        ),
        201,
    )
    comment = ok(participant.post(f"{base}/items/{item['id']}/comments", json={"body": "Yes"}), 201)
    member = ok(participant.get(f"{base}/me"))["id"]
    return {
        "workshop_id": wid,
        "group_id": group["id"],
        "checklist_id": checklist,
        "theme_id": theme["id"],
        "item_id": item["id"],
        "comment_id": comment["id"],
        "member_id": member,
    }
