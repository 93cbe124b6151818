"""The snapshot: what may leave, in what order, filtered how; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import os
import pickle
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from roundtable.db import make_engine, read_session
from roundtable.exports.model import (
    ITEM_FIELDS,
    ExportError,
    ExportFilter,
    Snapshot,
    SnapshotRows,
    assemble_snapshot,
    build_snapshot,
    checked_filter,
    read_snapshot_rows,
)
from roundtable.exports.reader import ChecklistQuery, for_worker, worker_can_read, worker_session
from roundtable.exports.routes import checklist_source
from tests.exports import world as w
from tests.support import create_schema, fresh_pg_database, pg_available


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One database per module and backend: the tests here only read."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('model') / 'roundtable.sqlite3'}"
        elif pg_available():
            url = stack.enter_context(fresh_pg_database())
        elif os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is required in CI (ROUNDTABLE_TEST_PG_URL)")
        else:
            pytest.skip("PostgreSQL is not reachable (set ROUNDTABLE_TEST_PG_URL)")
        create_schema(url)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        yield engine


@pytest.fixture(scope="module")
def built(engine: Engine) -> w.World:
    return w.build_world(engine)


def snapshot_of(engine: Engine, world: w.World, **filters: str) -> Snapshot:
    with read_session(engine) as session:
        return build_snapshot(session, world.workshop_id, **filters)


def test_holds_the_consolidated_items_in_order_and_holds_back_the_rest(
    engine: Engine, built: w.World
) -> None:
    snapshot = snapshot_of(engine, built)
    refs = built.refs
    expected = ["markup", "formula", "thai", "bahasa", "long", "unthemed"]
    assert [i.ref for i in snapshot.items] == [refs[label] for label in expected]
    titles = " ".join(i.title for i in snapshot.items)
    for held_back in (w.HELD_BACK, w.DELETED, w.GROUP_ONLY, "screening first"):
        assert held_back not in titles
    assert snapshot.workshop.title == w.WORKSHOP_TITLE
    assert snapshot.workshop.organisers == tuple(w.ORGANISERS)
    assert snapshot.edition is None  # editions are not published yet


def test_provenance_names_groups_never_people(engine: Engine, built: w.World) -> None:
    snapshot = snapshot_of(engine, built)
    by_ref = {i.ref: i for i in snapshot.items}
    assert by_ref[built.refs["markup"]].raised_by == ("Group B", "Group D")
    assert by_ref[built.refs["thai"]].raised_by == ("Group C",)
    assert by_ref[built.refs["formula"]].raised_by == ()
    text = repr(snapshot)
    for name in (*w.MEMBER_NAMES, w.FACILITATOR_NAME, w.AFFILIATION, w.COMMENT):
        assert name not in text


def test_items_carry_labels_for_actors_and_live_theme_keys(engine: Engine, built: w.World) -> None:
    bahasa = next(i for i in snapshot_of(engine, built).items if i.title == w.BAHASA)
    assert [(a.key, a.label) for a in bahasa.actors] == [
        ("civil_society", "Civil society"),
        ("law_enforcement", "Law enforcement"),
    ]
    assert bahasa.themes == ("protection", "identification")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        # A top-level theme takes in its sub-themes (Thai item: smuggling_vs_trafficking).
        ({"theme": "identification"}, ["markup", "formula", "thai", "bahasa"]),
        ({"theme": "smuggling_vs_trafficking"}, ["thai"]),
        ({"kind": "practice"}, ["bahasa", "long"]),
        ({"actor": "law_enforcement"}, ["formula", "bahasa"]),
        ({"theme": "identification", "kind": "need", "actor": "social_services"}, ["thai"]),
        ({"theme": "evaluation"}, []),
    ],
)
def test_filters_narrow_the_items(
    engine: Engine, built: w.World, filters: dict[str, str], expected: list[str]
) -> None:
    snapshot = snapshot_of(engine, built, **filters)
    assert [i.ref for i in snapshot.items] == [built.refs[label] for label in expected]
    assert snapshot.filter.theme == filters.get("theme")


@pytest.mark.parametrize(
    ("filters", "field", "words"),
    [
        ({"theme": "fishing"}, "theme", "no theme has the key 'fishing'"),
        ({"kind": "wish"}, "kind", "need, response, practice"),
        ({"actor": "aliens"}, "actor", "government"),
    ],
)
def test_a_bad_filter_is_refused_naming_the_field(
    engine: Engine, built: w.World, filters: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(ExportError) as caught:
        snapshot_of(engine, built, **filters)
    assert caught.value.code == "invalid"
    assert caught.value.field == field
    assert words in caught.value.message


def test_an_unknown_workshop_is_not_found(engine: Engine, built: w.World) -> None:
    with read_session(engine) as session, pytest.raises(ExportError) as caught:
        build_snapshot(session, 424242)
    assert caught.value.code == "not_found"


def test_the_rows_cross_to_the_worker_undecoded_and_assemble_to_the_snapshot(
    engine: Engine, built: w.World
) -> None:
    """The server reads plain rows (JSON columns as text, nothing held back yet) and the
    worker's assembly makes the same snapshot, held-back items and filters included."""
    for filters in ({}, {"theme": "identification", "kind": "need"}, {"actor": "government"}):
        with read_session(engine) as session:
            rows = read_snapshot_rows(session, built.workshop_id, **filters)
        assert all(type(row) is tuple for row in rows.items)
        json_columns = [ITEM_FIELDS.index(name) for name in ("themes", "actors", "flags")]
        # JSON text on SQLite; a driver that decodes JSON itself hands over lists.
        assert all(isinstance(row[n], str | list) for row in rows.items for n in json_columns)
        crossed = pickle.loads(pickle.dumps(rows))
        expected = snapshot_of(engine, built, **filters)
        assert (
            dataclasses.replace(assemble_snapshot(crossed), generated_at=expected.generated_at)
            == expected
        )


def test_a_bad_filter_is_refused_before_the_rows_leave(engine: Engine, built: w.World) -> None:
    with read_session(engine) as session, pytest.raises(ExportError) as caught:
        read_snapshot_rows(session, built.workshop_id, kind="wish")
    assert caught.value.field == "kind"


def test_the_worker_reads_the_same_snapshot_on_a_connection_that_cannot_write(
    engine: Engine, built: w.World
) -> None:
    """What the worker reads for a download (``ChecklistQuery``, on its own connection) is
    what the server would have read, filters and held-back items included; and nothing
    run on that connection can change the database."""
    url = engine.url.render_as_string(hide_password=False)
    for filters in ({}, {"theme": "identification", "kind": "need"}, {"actor": "government"}):
        expected = snapshot_of(engine, built, **filters)
        with read_session(engine) as session:
            wanted = checked_filter(session, built.workshop_id, **filters)
        query = ChecklistQuery(url, built.workshop_id, wanted, generated_at=expected.generated_at)
        assert url not in repr(query)  # the URL may hold a password
        assert query.assemble() == expected
    with worker_session(url) as session, pytest.raises(DBAPIError, match=r"read-?only"):
        session.execute(text("UPDATE item SET title = 'overwritten'"))
    assert not any(i.title == "overwritten" for i in snapshot_of(engine, built).items)


def test_the_server_checks_the_filter_without_reading_the_items(
    engine: Engine, built: w.World
) -> None:
    with read_session(engine) as session:
        with pytest.raises(ExportError) as caught:
            checked_filter(session, built.workshop_id, theme="fishing")
        assert caught.value.field == "theme"
        with pytest.raises(ExportError) as caught:
            checked_filter(session, built.workshop_id, actor="aliens")
        assert caught.value.field == "actor"
        with pytest.raises(ExportError) as caught:
            checked_filter(session, 424242)
        assert caught.value.code == "not_found"
        wanted = checked_filter(session, built.workshop_id, theme="smuggling_vs_trafficking")
    assert wanted == ExportFilter(theme="smuggling_vs_trafficking")
    # A refusal raised in the worker crosses back to the server whole.
    crossed = pickle.loads(pickle.dumps(caught.value))
    assert (type(crossed), crossed.code, crossed.field) == (ExportError, "not_found", None)
    refused = pickle.loads(pickle.dumps(ExportError("invalid", "kind: no", field="kind")))
    assert (refused.code, refused.message, refused.field) == ("invalid", "kind: no", "kind")


def test_only_a_database_another_process_can_open_is_read_by_the_worker(tmp_path: Path) -> None:
    assert worker_can_read(f"sqlite:///{tmp_path / 'roundtable.sqlite3'}")
    assert worker_can_read("postgresql://rt:secret@localhost/rt")
    assert not worker_can_read("sqlite:///:memory:")
    assert not worker_can_read("sqlite://")
    relative = for_worker("sqlite:///var/roundtable.sqlite3")
    assert relative == f"sqlite:///{Path('var/roundtable.sqlite3').resolve()}"
    assert for_worker("postgresql://rt:secret@db/rt") == "postgresql://rt:secret@db/rt"


def test_a_download_hands_the_worker_a_query_unless_only_the_server_can_open_the_database(
    engine: Engine, built: w.World
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with read_session(engine) as session:
        query = checklist_source(session, url, built.workshop_id, kind="need")
        rows = checklist_source(session, "sqlite:///:memory:", built.workshop_id, kind="need")
    assert isinstance(query, ChecklistQuery) and query.filter == ExportFilter(kind="need")
    assert isinstance(rows, SnapshotRows)  # read here, as before
    expected = snapshot_of(engine, built, kind="need")
    for source in (query, rows):
        assert dataclasses.replace(source.assemble(), generated_at=expected.generated_at) == (
            expected
        )
