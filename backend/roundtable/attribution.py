"""The attribution policy, applied by one serializer to everything that leaves the server.

- ``named``: names, affiliations and authors are shown.
- ``groups_only``: points are attributed to groups; names and affiliations are withheld
  (a member appears as "Participant 7").
- ``chatham_house``: as ``groups_only``, and authorship is withheld too: ``actor``,
  ``created_by`` and ``author_id`` are blanked, so nothing said can be tied to a person.

The viewer always sees their own name and authorship. Rendering depends only on the
policy and on whether the viewer is the person concerned, so each event is rendered at
most twice however many people receive it.
"""

from __future__ import annotations

from typing import Any

MEMBER_REFERENCE_FIELDS = ("created_by", "author_id", "member_id")


def pseudonym(number: int, role: str) -> str:
    if role == "facilitator":
        return f"Facilitator {number}"
    if role == "observer":
        return f"Observer {number}"
    return f"Participant {number}"


def render_member(values: dict[str, Any], policy: str, viewer_id: int | None) -> dict[str, Any]:
    """Member values (as in events and snapshots) with the policy applied."""
    out = dict(values)
    if policy != "named" and out.get("id") != viewer_id:
        if "display_name" in out or "number" in out:
            out["display_name"] = pseudonym(int(out.get("number") or 0), str(out.get("role", "")))
        out.pop("affiliation", None)
        out["anonymous"] = True
    return out


def hides_authors(policy: str) -> bool:
    return policy == "chatham_house"


def render_values(
    entity: str, values: dict[str, Any], policy: str, viewer_id: int | None
) -> dict[str, Any]:
    if entity == "member":
        return render_member(values, policy, viewer_id)
    if not hides_authors(policy):
        return values
    out = values
    for field in MEMBER_REFERENCE_FIELDS:
        if field in values and values[field] is not None and values[field] != viewer_id:
            if out is values:
                out = dict(values)
            out[field] = None
    return out


def render_actor(actor_id: int | None, policy: str, viewer_id: int | None) -> int | None:
    if hides_authors(policy) and actor_id != viewer_id:
        return None
    return actor_id


def mentions(changes: list[dict[str, Any]], actor_id: int | None) -> set[int]:
    """Member ids whose rendering differs from everyone else's for these changes."""
    found: set[int] = set() if actor_id is None else {actor_id}
    for change in changes:
        values = change.get("values") or {}
        if change.get("entity") == "member" and change.get("id") is not None:
            found.add(int(change["id"]))
        for field in MEMBER_REFERENCE_FIELDS:
            ref = values.get(field)
            if isinstance(ref, int):
                found.add(ref)
    return found


def render_raised_by(groups: list[tuple[int, str]], policy: str) -> list[str]:
    """Where a consolidated point came from, as published: ``(group number, group name)``
    pairs in group order. Under ``chatham_house`` a group is told by its number only
    ("Group 2"): a group's chosen name may say who sat in it (an agency, a country)."""
    if hides_authors(policy):
        return [f"Group {number}" for number, _ in groups]
    return [name for _, name in groups]


def render_reservation(text: str, member_name: str | None, policy: str) -> str:
    """A recorded reservation as published: the member's name only under ``named``."""
    if policy == "named" and member_name:
        return f"{text} ({member_name})"
    return text
