"""The document models and the whole-document checks, without a database."""

from __future__ import annotations

from itertools import islice

import pytest

from roundtable.interchange.document import RoundtableDocument, document_schema
from roundtable.interchange.exporter import group_labels
from roundtable.interchange.validation import InterchangeError, json_path, parse_document
from roundtable.vocab import ACTORS
from tests.interchange.samples import BROKEN, Broken, load_sample


def test_the_sample_is_valid() -> None:
    document = parse_document(load_sample())
    assert len(document.groups) == 4
    assert document.consolidated[0].sources == ["B2", "C3"]


@pytest.mark.parametrize("broken", BROKEN, ids=lambda b: b.name)
def test_a_broken_document_is_refused_naming_the_path(broken: Broken) -> None:
    with pytest.raises(InterchangeError) as caught:
        parse_document(broken.document())
    error = caught.value
    assert error.code == "invalid"
    assert error.field == broken.path
    assert error.message.startswith(f"{broken.path}: ")
    assert broken.rule in error.message


@pytest.mark.parametrize("value", [[], "roundtable/v1", None, 3])
def test_a_document_that_is_not_an_object_is_refused(value: object) -> None:
    with pytest.raises(InterchangeError) as caught:
        parse_document(value)
    assert caught.value.field == "document"
    assert "valid dictionary" in caught.value.message


def test_positions_must_be_valid_and_distinct() -> None:
    document = load_sample()
    items = document["groups"][0]["items"]
    for item, position in zip(items, ["a", "b", "a"], strict=True):
        item["position"] = position
    with pytest.raises(InterchangeError, match=r"groups\[0\]\.items\[2\]\.position: .*taken"):
        parse_document(document)
    items[2]["position"] = "c0"
    with pytest.raises(InterchangeError, match="not a valid ordering key"):
        parse_document(document)


def test_text_is_trimmed_and_defaults_fill_in() -> None:
    document = parse_document(
        {
            "format": "roundtable/v1",
            "workshop": {"title": "  Minimal  "},
            "groups": [{"name": "G", "items": [{"ref": "x", "kind": "need", "title": " T "}]}],
        }
    )
    assert document.workshop.title == "Minimal"
    assert document.workshop.attribution == "chatham_house"
    item = document.groups[0].items[0]
    assert (item.title, item.status, item.flags, item.position) == ("T", "open", [], None)


def test_json_path_reads_like_the_document() -> None:
    assert json_path(("groups", 1, "items", 3, "kind")) == "groups[1].items[3].kind"
    assert json_path(("format",)) == "format"
    assert json_path(()) == "document"


def test_group_labels_skip_the_consolidated_letter() -> None:
    labels = list(islice(group_labels(), 30))
    assert labels[:3] == ["A", "B", "C"]
    assert "K" not in labels
    assert labels[9:11] == ["J", "L"]
    assert labels[24:27] == ["Z", "AA", "AB"]
    assert len(set(labels)) == len(labels)


def test_the_schema_comes_from_the_models() -> None:
    schema = document_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "roundtable/v1"
    assert schema["properties"]["format"]["const"] == "roundtable/v1"
    assert set(schema["required"]) == {"format", "workshop"}
    assert {k: v for k, v in schema.items() if k != "$schema"} == (
        RoundtableDocument.model_json_schema()
    )
    defs = schema["$defs"]
    assert defs["GroupItem"]["properties"]["kind"]["enum"] == ["need", "response", "practice"]
    assert defs["ConsolidatedItem"]["properties"]["sources"]["type"] == "array"
    assert "position" not in defs["ConsolidatedItem"]["properties"]
    actors = defs["GroupItem"]["properties"]["actors"]["items"]["enum"]
    assert actors == list(ACTORS)
    assert defs["GroupItem"]["additionalProperties"] is False


def test_the_schema_is_a_fresh_copy() -> None:
    document_schema()["title"] = "changed"
    assert document_schema()["title"] == "roundtable/v1"
