"""Import and export through the service functions, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import col

from roundtable.checklists import ops as checklist_ops
from roundtable.checklists.models import Item
from roundtable.db import make_engine, read_session
from roundtable.groups import ops as group_ops
from roundtable.groups.models import Group, Member
from roundtable.interchange.service import InterchangeError, export_workshop, import_workshop
from roundtable.ops import build_registry
from roundtable.sync.models import Event
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import submit
from roundtable.workshops import ops as workshop_ops
from roundtable.workshops.models import Theme, Workshop
from tests.interchange.samples import BROKEN, Broken, load_sample


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def registry() -> OpRegistry:
    return build_registry()


def count(engine: Engine, table: type[Any]) -> int:
    with read_session(engine) as db:
        return int(db.execute(select(func.count()).select_from(table)).scalar_one())


def facilitator_of(engine: Engine, workshop_id: int) -> int:
    with read_session(engine) as db:
        member_id = db.execute(
            select(col(Member.id)).where(col(Member.workshop_id) == workshop_id)
        ).scalar_one()
    return int(member_id)


def test_import_then_export_gives_the_document_back(engine: Engine, registry: OpRegistry) -> None:
    sample = load_sample()
    first = import_workshop(engine, registry, sample, owner_account_id=None)
    exported = export_workshop(engine, first)
    assert exported == sample
    second = import_workshop(engine, registry, exported, owner_account_id=None)
    assert second != first
    again = export_workshop(engine, second)
    assert again == exported
    # Byte for byte too, as the CLI writes it: key order and text survive the database.
    as_text = json.dumps(exported, ensure_ascii=False, indent=2)
    assert json.dumps(again, ensure_ascii=False, indent=2) == as_text
    assert "ตรวจคัดกรอง" in as_text and "Penunjukan wali" in as_text and "🤝" in as_text


def test_import_writes_through_the_log(engine: Engine, registry: OpRegistry) -> None:
    workshop_id = import_workshop(engine, registry, load_sample(), owner_account_id=None)
    with read_session(engine) as db:
        workshop = db.get(Workshop, workshop_id)
        assert workshop is not None and workshop.phase == "consolidation"
        kinds = list(
            db.execute(
                select(col(Event.kind))
                .where(col(Event.workshop_id) == workshop_id)
                .order_by(col(Event.seq))
            ).scalars()
        )
    assert workshop.head_seq == len(kinds) > 0
    assert kinds.count("theme.create") == 9
    assert kinds.count("group.create") == 4
    assert kinds.count("item.create") == 12
    assert kinds.count("interchange.set_flags") == 2
    assert kinds.count("interchange.link_merged") == 3
    assert kinds[-1] == "workshop.update"


def test_provenance_and_flags_reach_the_rows(engine: Engine, registry: OpRegistry) -> None:
    workshop_id = import_workshop(engine, registry, load_sample(), owner_account_id=None)
    with read_session(engine) as db:
        items = {
            i.title: i
            for i in db.execute(select(Item).where(col(Item.workshop_id) == workshop_id)).scalars()
        }
        sub_themes = {
            t.key: t.parent_id
            for t in db.execute(select(Theme).where(col(Theme.workshop_id) == workshop_id))
            .scalars()
            .all()
        }
    screening = items["Screen every person rescued from a raid with a standard indicator list"]
    merged = items[
        "Standard screening with indicators and an interpreter / Penyaringan standar dengan "
        "penerjemah"
    ]
    assert screening.merged_into == merged.id
    assert screening.flags == ["personal_data"]
    assert items["Regular joint reviews ✅"].flags == ["personal_data"]
    assert items["Mixed screening teams of police and social workers 👮‍♀️🤝👩‍⚕️"].merged_into is None
    assert sub_themes["children"] is not None and sub_themes["protection"] is None


def test_export_follows_positions_and_leaves_out_deleted_things(
    engine: Engine, registry: OpRegistry
) -> None:
    sample = load_sample()
    for item, position in zip(sample["groups"][0]["items"], ["c", "a", "b"], strict=True):
        item["position"] = position
    workshop_id = import_workshop(engine, registry, sample, owner_account_id=None)
    facilitator = facilitator_of(engine, workshop_id)
    exported = export_workshop(engine, workshop_id)
    titles = [i["title"] for i in exported["groups"][0]["items"]]
    assert titles == [sample["groups"][0]["items"][n]["title"] for n in (1, 2, 0)]
    assert [i["ref"] for i in exported["groups"][0]["items"]] == ["A1", "A2", "A3"]
    assert exported["consolidated"][1]["sources"] == ["A3"]

    with read_session(engine) as db:
        group_b = db.execute(
            select(col(Group.id)).where(
                col(Group.workshop_id) == workshop_id, col(Group.name).startswith("กลุ่ม B")
            )
        ).scalar_one()
        k1 = db.execute(
            select(col(Item.id)).where(
                col(Item.workshop_id) == workshop_id,
                col(Item.title).startswith("Standard screening"),
            )
        ).scalar_one()

    def run(kind: str, args: dict[str, Any]) -> None:
        submit(
            engine,
            registry,
            None,
            workshop_id=workshop_id,
            member_id=facilitator,
            kind=kind,
            args=args,
        )

    run("group.delete", {"id": group_b})
    run("item.delete", {"id": k1})
    run("theme.delete", {"id": _theme_id(engine, workshop_id, "asean")})
    after = export_workshop(engine, workshop_id)
    assert [g["name"] for g in after["groups"]] == [
        "Group A: Regional frameworks",
        "Kelompok C: Kebutuhan perlindungan",
        "Group D: Way forward",
    ]
    # The third group now gets the second letter; consolidated items keep their display
    # numbers (the board's K2 is the file's K2), so K1 is a gap.
    assert [i["ref"] for i in after["groups"][1]["items"]] == ["B1", "B2", "B3"]
    assert [i["ref"] for i in after["consolidated"]] == ["K2", "K3"]
    assert "asean" not in json.dumps(after)
    import_workshop(engine, registry, after, owner_account_id=None)  # still importable


def _theme_id(engine: Engine, workshop_id: int, key: str) -> int:
    with read_session(engine) as db:
        theme_id = db.execute(
            select(col(Theme.id)).where(
                col(Theme.workshop_id) == workshop_id, col(Theme.key) == key
            )
        ).scalar_one()
    return int(theme_id)


def test_exports_carry_no_member_data(engine: Engine, registry: OpRegistry) -> None:
    workshop_id = import_workshop(engine, registry, load_sample(), owner_account_id=None)
    for policy in ("named", "groups_only"):
        submit(
            engine,
            registry,
            None,
            workshop_id=workshop_id,
            member_id=facilitator_of(engine, workshop_id),
            kind="workshop.update",
            args={"attribution": policy},
        )
    submit(
        engine,
        registry,
        None,
        workshop_id=workshop_id,
        member_id=None,
        system=True,
        kind="member.join",
        args={"group_id": None, "display_name": "Siti Rahayu", "affiliation": "Yayasan Contoh"},
    )
    text = json.dumps(export_workshop(engine, workshop_id), ensure_ascii=False)
    for secret in ("Siti", "Yayasan", "Facilitator", "created_by", "member", "author"):
        assert secret not in text


def test_a_failure_midway_leaves_no_workshop(engine: Engine) -> None:
    # Without the interchange ops the first flags op is refused, after themes, groups and
    # items were already committed.
    partial = OpRegistry()
    for ops in (workshop_ops, group_ops, checklist_ops):
        ops.register(partial)
    with pytest.raises(InterchangeError) as caught:
        import_workshop(engine, partial, load_sample(), owner_account_id=None)
    assert caught.value.field == "groups[1].items[1].flags"
    assert "unknown op kind" in caught.value.message
    for table in (Workshop, Theme, Group, Item, Member, Event):
        assert count(engine, table) == 0, table.__name__


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_a_broken_document_writes_nothing(
    engine: Engine, registry: OpRegistry, broken: Broken
) -> None:
    with pytest.raises(InterchangeError) as caught:
        import_workshop(engine, registry, broken.document(), owner_account_id=None)
    assert caught.value.message.startswith(f"{broken.path}: ")
    assert count(engine, Workshop) == 0


def test_exporting_a_missing_workshop_says_so(engine: Engine) -> None:
    with pytest.raises(InterchangeError) as caught:
        export_workshop(engine, 999)
    assert caught.value.code == "not_found"
    assert "workshop 999 does not exist" in str(caught.value)
