"""The write path's prepared statements (``sync.statements``) store and read values exactly
as SQLAlchemy does: a row written on the driver is byte for byte the row the ORM (or a
Core statement) writes with the same values, reads back through the ORM the same, and
values read on the driver equal the ORM's attributes. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, insert, select, text, update
from sqlmodel import Session

from roundtable.checklists.models import Checklist, Item
from roundtable.db import make_engine
from roundtable.groups.models import Group, Member
from roundtable.sync.models import Event
from roundtable.sync.statements import Prepared, Runner
from roundtable.workshops.models import Workshop

_ITEMS = Item.__table__  # type: ignore[attr-defined]
_EVENTS = Event.__table__  # type: ignore[attr-defined]
_WORKSHOPS = Workshop.__table__  # type: ignore[attr-defined]
_MEMBERS = Member.__table__  # type: ignore[attr-defined]


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def world(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        workshop = Workshop(
            title="W",
            phase="breakout",
            reveal=True,
            archived_at=datetime(2026, 11, 29, 23, 1, 2, 345678, tzinfo=UTC),
        )
        s.add(workshop)
        s.flush()
        assert workshop.id is not None
        group = Group(workshop_id=workshop.id, name="G", join_code="STMT0001", position="a0")
        s.add(group)
        s.flush()
        checklist = Checklist(workshop_id=workshop.id, group_id=group.id, title="G")
        member = Member(workshop_id=workshop.id, group_id=group.id, display_name="M", removed=True)
        s.add_all([checklist, member])
        s.flush()
        assert checklist.id is not None and member.id is not None
        for item_id in ("item-orm-0001", "item-raw-0001"):
            s.add(
                Item(
                    id=item_id,
                    workshop_id=workshop.id,
                    checklist_id=checklist.id,
                    kind="need",
                    title="Start",
                    position="a0",
                )
            )
        s.commit()
        return {"workshop": workshop.id, "checklist": checklist.id, "member": member.id}


def _stored(engine: Engine, table: str, where: str, params: dict[str, Any]) -> tuple[Any, ...]:
    """A row as the database holds it (no type processing: JSON text, SQLite's datetime
    text, integers for booleans)."""
    with engine.connect() as db:
        cast = "::text" if engine.dialect.name == "postgresql" else ""
        columns = {
            "item": [
                "id",
                "title",
                "themes",
                '"references"',
                "flags",
                "field_seqs",
                "deleted",
                "status",
                "position",
                "updated_seq",
                "detail",
            ],
            "event": [
                "workshop_id",
                "seq",
                "client_id",
                "op_id",
                "actor_id",
                "kind",
                "scope",
                "changes",
                "resync",
                "created_at",
            ],
        }[table]
        if cast:
            columns = [f"{c}{cast}" if c != "id" else c for c in columns]
        row = db.execute(text(f"SELECT {', '.join(columns)} FROM {table} WHERE {where}"), params)
        found = row.first()
        assert found is not None
        return tuple(found)


def _runner_run(engine: Engine, prepared: Prepared, params: dict[str, Any]) -> list[Any]:
    with engine.connect() as db:
        runner = Runner(db)
        if runner.direct:
            runner.plain("BEGIN IMMEDIATE")
        rows = runner.rows(prepared, params)
        if db.in_transaction():
            db.commit()
        else:
            runner.commit_driver()
        return rows


WRITTEN: dict[str, Any] = {
    "title": 'Élan — "quoted" ✓',
    "themes": ["protection", "naïve"],
    "references": [],
    "flags": ["personal_data"],
    "field_seqs": {"title": [57, "client-1"], "themes": [58, None]},
    "deleted": True,
    "status": "parked",
    "position": "a0V",
    "updated_seq": 58,
    "detail": "",
}


def test_an_item_written_on_the_driver_is_the_row_the_orm_writes(
    engine: Engine, world: dict[str, int]
) -> None:
    with Session(engine) as s:
        item = s.get(Item, "item-orm-0001")
        assert item is not None
        for name, value in WRITTEN.items():
            setattr(item, name, value)
        s.commit()
    keys = tuple(WRITTEN)
    prepared = Prepared(update(_ITEMS).where(_ITEMS.c.id == bindparam("item_key")), keys)
    _runner_run(engine, prepared, {"item_key": "item-raw-0001", **WRITTEN})

    orm = _stored(engine, "item", "id = :id", {"id": "item-orm-0001"})
    raw = _stored(engine, "item", "id = :id", {"id": "item-raw-0001"})
    assert raw[1:] == orm[1:]
    with Session(engine) as s:
        a, b = s.get(Item, "item-orm-0001"), s.get(Item, "item-raw-0001")
        assert a is not None and b is not None
        left, right = a.model_dump(), b.model_dump()
        assert left.pop("id") != right.pop("id")
        assert left == right
        assert {name: getattr(b, name) for name in WRITTEN} == WRITTEN


def test_an_item_read_on_the_driver_equals_the_orms(engine: Engine, world: dict[str, int]) -> None:
    keys = tuple(WRITTEN)
    prepared = Prepared(update(_ITEMS).where(_ITEMS.c.id == bindparam("item_key")), keys)
    _runner_run(engine, prepared, {"item_key": "item-raw-0001", **WRITTEN})
    read = Prepared(select(*_ITEMS.c).where(_ITEMS.c.id == bindparam("item_key")))
    [row] = _runner_run(engine, read, {"item_key": "item-raw-0001"})
    with Session(engine) as s:
        item = s.get(Item, "item-raw-0001")
        assert item is not None
        expected = item.model_dump()
    got = dict(zip([c.key for c in _ITEMS.c], row, strict=True))
    assert got == expected
    assert type(got["deleted"]) is bool


def test_an_event_written_on_the_driver_is_the_row_the_orm_writes(
    engine: Engine, world: dict[str, int]
) -> None:
    values: dict[str, Any] = {
        "workshop_id": world["workshop"],
        "client_id": "client-1",
        "op_id": 2**40,
        "actor_id": world["member"],
        "kind": "item.update",
        "scope": world["checklist"],
        "changes": [{"entity": "item", "id": "x", "values": {"title": "Ünïcode", "n": 1.5}}],
        "resync": True,
        "created_at": datetime(2026, 11, 29, 23, 59, 58, 123456, tzinfo=UTC),
    }
    with Session(engine) as s:
        s.add(Event(seq=1, **values))
        s.commit()
    keys = ("seq", *values)
    _runner_run(engine, Prepared(insert(_EVENTS), keys), {"seq": 2, **values})
    # The Core statement the write path used before, for a third row.
    with engine.begin() as db:
        db.execute(insert(_EVENTS), {"seq": 3, **values})
    where = "workshop_id = :w AND seq = :seq"
    rows = [_stored(engine, "event", where, {"w": world["workshop"], "seq": n}) for n in (1, 2, 3)]
    assert rows[1][2:] == rows[0][2:] == rows[2][2:]
    with Session(engine) as s:
        events = [s.get(Event, (world["workshop"], n)) for n in (1, 2, 3)]
        dumps = [e.model_dump(exclude={"seq"}) for e in events if e is not None]
    assert len(dumps) == 3 and dumps[0] == dumps[1] == dumps[2]


def test_returned_and_selected_values_are_typed_as_the_orm_types_them(
    engine: Engine, world: dict[str, int]
) -> None:
    bump = Prepared(
        update(_WORKSHOPS)
        .where(_WORKSHOPS.c.id == bindparam("workshop_id"))
        .values(head_seq=_WORKSHOPS.c.head_seq + 1)
        .returning(_WORKSHOPS.c.head_seq, _WORKSHOPS.c.reveal, _WORKSHOPS.c.archived_at)
    )
    [(seq, reveal, archived_at)] = _runner_run(engine, bump, {"workshop_id": world["workshop"]})
    member = Prepared(
        select(_MEMBERS.c.removed, _MEMBERS.c.group_id).where(
            _MEMBERS.c.id == bindparam("member_id")
        )
    )
    [(removed, group_id)] = _runner_run(engine, member, {"member_id": world["member"]})
    with Session(engine) as s:
        workshop = s.get(Workshop, world["workshop"])
        m = s.get(Member, world["member"])
        assert workshop is not None and m is not None
        assert (seq, reveal, archived_at) == (
            workshop.head_seq,
            workshop.reveal,
            workshop.archived_at,
        )
        assert seq == 1
        assert (removed, group_id) == (m.removed, m.group_id)
    assert reveal is True and removed is True
    assert isinstance(archived_at, datetime)


def test_driver_errors_are_sqlalchemys(engine: Engine, world: dict[str, int]) -> None:
    """A refusal by the database reaches ``submit`` as the same exception as before."""
    from sqlalchemy.exc import IntegrityError

    values = {
        "workshop_id": world["workshop"],
        "seq": 1,
        "client_id": None,
        "op_id": None,
        "actor_id": None,
        "kind": "x",
        "scope": None,
        "changes": [],
        "resync": False,
        "created_at": datetime.now(UTC),
    }
    prepared = Prepared(insert(_EVENTS), tuple(values))
    _runner_run(engine, prepared, values)
    with pytest.raises(IntegrityError):
        _runner_run(engine, prepared, values)
