"""Dismissed suggestions travel in the roundtable/v1 document: exported as refs, imported
through the write path, and an import then export gives the document back."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from roundtable.consolidation.decisions import dismissals_of
from roundtable.consolidation.routes import merge_suggestions
from roundtable.db import make_engine
from roundtable.interchange.service import InterchangeError, export_workshop, import_workshop
from roundtable.ops import build_registry
from tests.interchange.samples import load_sample


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_dismissals_round_trip_and_keep_items_apart(engine: Engine) -> None:
    document = load_sample()
    document["dismissed"] = [["A2", "C1"], ["A3", "B1", "B3"]]
    workshop_id = import_workshop(engine, build_registry(), document, owner_account_id=None)
    assert export_workshop(engine, workshop_id) == document
    with Session(engine) as db:
        rows = dismissals_of(db, workshop_id)
        assert len(rows) == 2 and all(r.created_seq > 0 for r in rows)
        suggested = merge_suggestions(db, workshop_id).clusters
    for refs in document["dismissed"]:
        assert not any(len(set(refs) & set(c.refs)) > 1 for c in suggested)


def test_a_document_without_dismissals_exports_without_the_key(engine: Engine) -> None:
    document = load_sample()
    assert "dismissed" not in document
    workshop_id = import_workshop(engine, build_registry(), document, owner_account_id=None)
    assert export_workshop(engine, workshop_id) == document


@pytest.mark.parametrize(
    ("dismissed", "field", "rule"),
    [
        ([["A1", "Z9"]], "dismissed[0][1]", "no group item has ref 'Z9'"),
        ([["A1", "K1"]], "dismissed[0][1]", "no group item has ref 'K1'"),
        ([["A1", "B1", "A1"]], "dismissed[0][2]", "'A1' is named twice"),
    ],
)
def test_bad_dismissals_are_refused_naming_the_place(
    engine: Engine, dismissed: list[list[str]], field: str, rule: str
) -> None:
    document = copy.deepcopy(load_sample())
    document["dismissed"] = dismissed
    with pytest.raises(InterchangeError) as caught:
        import_workshop(engine, build_registry(), document, owner_account_id=None)
    assert caught.value.field == field
    assert rule in str(caught.value)


def test_a_dismissal_of_one_item_is_refused(engine: Engine) -> None:
    document = load_sample()
    document["dismissed"] = [["A1"]]
    with pytest.raises(InterchangeError) as caught:
        import_workshop(engine, build_registry(), document, owner_account_id=None)
    assert caught.value.field == "dismissed[0]"
