"""The write transaction without a Session (``sync.service._Tx``): ops of a batch that use
the ORM only part of the time, or only after their fixed statements ran, must still roll
back completely when refused (rows, seq, the session's own state) and leave the other
ops of the batch applied, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from roundtable.checklists.models import Item
from roundtable.errors import OpRejected
from roundtable.ops import build_registry
from roundtable.safeguards.models import PersonalDataFlag
from roundtable.sync.models import Event
from roundtable.sync.registry import OpContext, OpOutcome, OpRegistry, OpSpec
from roundtable.sync.service import HeldConnection, OpRequest, Submitted, submit, submit_batch
from roundtable.sync.statements import Runner
from roundtable.workshops.models import Theme, Workshop
from tests.support import Api, AppFactory, writer_workshop


class ThemeArgs(BaseModel):
    key: str
    refuse: bool = False


def _theme(ctx: OpContext, args: ThemeArgs) -> OpOutcome:
    """A values-only op that writes through the session (flushed), then may refuse."""
    ctx.session.add(
        Theme(workshop_id=ctx.workshop_state.id, key=args.key, label=args.key, position="a0")
    )
    ctx.session.flush()
    if args.refuse:
        raise OpRejected("invalid", "refused after writing")
    return OpOutcome([{"entity": "theme", "id": args.key, "values": {}}])


def _operators(ctx: OpContext, args: ThemeArgs) -> OpOutcome:
    """The session's stand-in answers ``in`` and iteration as the session does."""
    theme = Theme(workshop_id=ctx.workshop_state.id, key=args.key, label=args.key, position="a0")
    assert theme not in ctx.session
    ctx.session.add(theme)
    assert theme in ctx.session and theme in list(ctx.session)
    return OpOutcome([{"entity": "theme", "id": args.key, "values": {}}])


def _pending_theme(ctx: OpContext, args: ThemeArgs) -> OpOutcome:
    """Adds a row left to the unit of work (flushed at the op's end): a duplicate key then
    fails only there."""
    ctx.session.add(
        Theme(workshop_id=ctx.workshop_state.id, key=args.key, label=args.key, position="a0")
    )
    return OpOutcome([{"entity": "theme", "id": args.key, "values": {}}])


@dataclass
class Scene:
    engine: Engine
    registry: OpRegistry
    workshop_id: int
    member_id: int
    item_id: str
    op_id: int = 0

    def op(self, op_kind: str, **args: Any) -> OpRequest:
        self.op_id += 1
        return OpRequest(self.workshop_id, self.member_id, op_kind, args, "c1", self.op_id)

    def head(self) -> int:
        with Session(self.engine) as s:
            workshop = s.get(Workshop, self.workshop_id)
            assert workshop is not None
            return workshop.head_seq

    def themes(self) -> list[str]:
        with Session(self.engine) as s:
            rows = s.execute(
                select(col(Theme.key)).where(col(Theme.workshop_id) == self.workshop_id)
            ).scalars()
            return sorted(str(k) for k in rows if str(k).startswith("t-"))

    def seqs(self) -> list[int]:
        with Session(self.engine) as s:
            rows = s.execute(
                select(col(Event.seq))
                .where(col(Event.workshop_id) == self.workshop_id)
                .order_by(col(Event.seq))
            ).scalars()
            return [int(n) for n in rows]


@pytest.fixture
def scene(apps: AppFactory, fac: Api) -> Any:
    engine, workshop_id, member_id, item_id = writer_workshop(apps, fac)
    registry = build_registry()
    registry.register(OpSpec("test.theme", ThemeArgs, _theme, values_only=True))
    registry.register(OpSpec("test.pending_theme", ThemeArgs, _pending_theme, values_only=True))
    registry.register(OpSpec("test.operators", ThemeArgs, _operators, values_only=True))
    yield Scene(engine, registry, workshop_id, member_id, item_id)
    engine.dispose()


def test_ops_that_use_the_session_now_and_then_roll_back_alone(scene: Scene) -> None:
    head = scene.head()
    results = submit_batch(
        scene.engine,
        scene.registry,
        None,
        [
            scene.op("item.update", id=scene.item_id, title="No session"),
            scene.op("test.theme", key="t-one"),
            scene.op("test.theme", key="t-refused", refuse=True),  # flushed, then refused
            scene.op("test.pending_theme", key="t-one"),  # the duplicate fails at its flush
            scene.op("item.update", id=scene.item_id, title="After"),
            scene.op("test.theme", key="t-two"),
            scene.op("item.update", id="no-such-item", title="Refused, no session"),
            scene.op("item.create", checklist_id=_checklist(scene), kind="need", title="ORM"),
        ],
    )
    kinds = [type(r).__name__ for r in results]
    assert kinds == [
        "Submitted",
        "Submitted",
        "OpRejected",
        "OpRejected",
        "Submitted",
        "Submitted",
        "OpRejected",
        "Submitted",
    ]
    refused, conflict, missing = results[2], results[3], results[6]
    assert isinstance(refused, OpRejected) and refused.code == "invalid"
    assert isinstance(conflict, OpRejected) and conflict.code == "conflict"
    assert isinstance(missing, OpRejected) and missing.code == "not_found"
    seqs = [r.seq for r in results if isinstance(r, Submitted)]
    assert seqs == list(range(head + 1, head + 6))  # gapless: refusals gave theirs back
    assert scene.head() == head + 5
    assert scene.seqs()[-5:] == seqs
    assert scene.themes() == ["t-one", "t-two"]
    with Session(scene.engine) as s:
        item = s.get(Item, scene.item_id)
        assert item is not None and item.title == "After"
        created = s.execute(select(func.count()).where(col(Item.title) == "ORM")).scalar_one()
        assert created == 1


def test_a_refusal_after_screening_leaves_no_flag(scene: Scene) -> None:
    """Screening opens a flag through the session, in the op's own session savepoint: a
    refused op after it in the batch rolls back only its own changes, and the next
    op's screening finds the flag (open: the details stay in the history)."""
    personal = "Call Somchai Jaidee on +66 81 234 5678"
    results = submit_batch(
        scene.engine,
        scene.registry,
        None,
        [
            scene.op("item.update", id=scene.item_id, title=personal),
            scene.op("test.theme", key="t-x", refuse=True),
            scene.op("item.update", id=scene.item_id, title="Clean again"),
        ],
    )
    assert [type(r).__name__ for r in results] == ["Submitted", "OpRejected", "Submitted"]
    with Session(scene.engine) as s:
        flags = s.execute(
            select(PersonalDataFlag).where(col(PersonalDataFlag.entity_id) == scene.item_id)
        ).scalars()
        [flag] = list(flags)
        assert flag.status == "open"  # stays open: the details are in the history
        item = s.get(Item, scene.item_id)
        assert item is not None and item.flags == ["personal_data"]


def test_one_op_refused_after_writing_through_the_session_changes_nothing(
    scene: Scene,
) -> None:
    head = scene.head()
    with pytest.raises(OpRejected):
        submit(
            scene.engine,
            scene.registry,
            None,
            workshop_id=scene.workshop_id,
            member_id=scene.member_id,
            kind="test.theme",
            args={"key": "t-alone", "refuse": True},
            client_id="c1",
            op_id=99,
        )
    assert scene.head() == head
    assert scene.themes() == []
    # Recorded: a resend is a duplicate.
    again = submit(
        scene.engine,
        scene.registry,
        None,
        workshop_id=scene.workshop_id,
        member_id=scene.member_id,
        kind="test.theme",
        args={"key": "t-alone"},
        client_id="c1",
        op_id=99,
    )
    assert again.duplicate and again.seq is None
    assert scene.themes() == []


def _checklist(scene: Scene) -> int:
    with Session(scene.engine) as s:
        item = s.get(Item, scene.item_id)
        assert item is not None
        return item.checklist_id


def test_a_batch_of_ops_refused_before_any_statement(scene: Scene) -> None:
    """Nothing ran in the transaction (on PostgreSQL nothing was even begun): the batch
    still commits cleanly and answers each op."""
    head = scene.head()
    results = submit_batch(
        scene.engine,
        scene.registry,
        None,
        [
            OpRequest(scene.workshop_id, scene.member_id, "no.such.kind", {}),
            OpRequest(scene.workshop_id, scene.member_id, "item.update", {"id": 5}),
        ],
    )
    assert [getattr(r, "code", None) for r in results] == ["unknown_op", "invalid"]
    assert scene.head() == head


def test_the_session_stand_in_answers_the_sessions_operators(scene: Scene) -> None:
    [result] = submit_batch(
        scene.engine, scene.registry, None, [scene.op("test.operators", key="t-ops")]
    )
    assert isinstance(result, Submitted), result
    assert scene.themes() == ["t-ops"]


@pytest.mark.parametrize("path", ["orm", "driver"])
def test_a_held_connection_outlives_a_failed_commit(
    scene: Scene, path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer keeps its connection between transactions. A commit the database
    refuses (a full disk) leaves that connection mid-transaction, or with SQLAlchemy's
    transaction inactive but not cleared; the next op on it must start clean and apply."""
    held = HeldConnection(scene.engine)
    head = scene.head()
    dbapi_error = scene.engine.dialect.loaded_dbapi.OperationalError
    failures = {"left": 1}
    real_do_commit, real_commit_driver = scene.engine.dialect.do_commit, Runner.commit_driver

    def do_commit(dbapi_connection: Any) -> None:  # the dialect's, as SQLAlchemy calls it
        if failures["left"]:
            failures["left"] -= 1
            raise dbapi_error("database or disk is full")
        real_do_commit(dbapi_connection)

    def commit_driver(runner: Runner) -> None:  # on the driver, translated as it would be
        if failures["left"]:
            failures["left"] -= 1
            raise runner._translated("COMMIT", dbapi_error("database or disk is full"))
        real_commit_driver(runner)

    if path == "orm":  # through SQLAlchemy's transaction
        monkeypatch.setattr(scene.engine.dialect, "do_commit", do_commit)
        doomed = scene.op("test.theme", key="t-lost")
    else:  # begun and committed on the driver (SQLite; PostgreSQL goes through the dialect)
        if scene.engine.dialect.name != "sqlite":
            pytest.skip("only SQLite commits on the driver")
        monkeypatch.setattr(Runner, "commit_driver", commit_driver)
        doomed = scene.op("item.update", id=scene.item_id, title="Lost")
    [lost] = submit_batch(scene.engine, scene.registry, None, [doomed], held=held)
    assert isinstance(lost, OpRejected) and lost.code == "unavailable", lost
    assert failures["left"] == 0
    results = submit_batch(
        scene.engine,
        scene.registry,
        None,
        [
            scene.op("test.theme", key="t-kept"),
            scene.op("item.update", id=scene.item_id, title="Kept"),
        ],
        held=held,
    )
    assert [type(r).__name__ for r in results] == ["Submitted", "Submitted"], results
    [alone] = submit_batch(
        scene.engine, scene.registry, None, [scene.op("test.theme", key="t-alone")], held=held
    )
    assert isinstance(alone, Submitted), alone
    held.close()
    assert scene.head() == head + 3
    assert scene.themes() == ["t-alone", "t-kept"]
    with Session(scene.engine) as s:
        item = s.get(Item, scene.item_id)
        assert item is not None and item.title == "Kept"


def test_an_item_created_and_updated_in_one_batch_answers_its_creator(scene: Scene) -> None:
    """``item.create`` answers its REST caller with the created row; an ``item.update`` of
    the same item later in the batch must not leave that answer unreadable once the batch's
    session has closed, nor change what the create answers."""
    results = submit_batch(
        scene.engine,
        scene.registry,
        None,
        [
            scene.op(
                "item.create",
                id="same-batch-item",
                checklist_id=_checklist(scene),
                kind="need",
                title="Created",
            ),
            scene.op("item.update", id="same-batch-item", title="Updated"),
            scene.op("item.update", id="same-batch-item", detail="Then a detail"),
        ],
    )
    assert [type(r).__name__ for r in results] == ["Submitted"] * 3, results
    created = results[0]
    assert isinstance(created, Submitted) and created.outcome is not None
    item = created.outcome.result
    assert (item.id, item.title, item.detail) == ("same-batch-item", "Created", "")
    assert item.updated_seq == created.seq
    with Session(scene.engine) as s:
        stored = s.get(Item, "same-batch-item")
        assert stored is not None
        assert (stored.title, stored.detail) == ("Updated", "Then a detail")
