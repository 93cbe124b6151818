"""Reading groups outside an op."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import col

from roundtable.db import read_session
from roundtable.groups.models import Group
from roundtable.workshops.models import Workshop


def find_joinable_group(engine: Engine, code: str) -> Group | None:
    """The live group with this (normalised) join code, unless its workshop is published."""
    with read_session(engine) as db:
        row = db.execute(
            select(Group, col(Workshop.phase))
            .join(Workshop, col(Workshop.id) == col(Group.workshop_id))
            .where(col(Group.join_code) == code, col(Group.deleted).is_(False))
        ).first()
        if row is None or row[1] == "published":
            return None
        group: Group = row[0]
        return group
