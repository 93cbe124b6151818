"""The sample document and the broken variants every entry point must refuse."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support import ROOT

SAMPLE_PATH = ROOT / "tests" / "fixtures" / "interchange-sample.json"


def load_sample() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    return document


@dataclass(frozen=True)
class Broken:
    """A change that breaks the sample, the path the error must name, and a word of the rule."""

    name: str
    breaks: Callable[[dict[str, Any]], None]
    path: str
    rule: str

    def document(self) -> dict[str, Any]:
        document = copy.deepcopy(load_sample())
        self.breaks(document)
        return document


def _set(path: list[str | int], value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(document: dict[str, Any]) -> None:
        target: Any = document
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return apply


def _duplicate_ref(document: dict[str, Any]) -> None:
    document["groups"][2]["items"][1]["ref"] = "A2"


def _late_duplicate(document: dict[str, Any]) -> None:
    # The last item: everything before it would import fine.
    document["consolidated"][2]["ref"] = "B3"


BROKEN = [
    Broken("wrong format", _set(["format"], "roundtable/v2"), "format", "roundtable/v1"),
    Broken(
        "unknown theme in an item",
        _set(["groups", 1, "items", 2, "themes"], ["identification", "fishing"]),
        "groups[1].items[2].themes[1]",
        "unknown theme 'fishing'",
    ),
    Broken("duplicate ref", _duplicate_ref, "groups[2].items[1].ref", "'A2' is used twice"),
    Broken("duplicate ref, last item", _late_duplicate, "consolidated[2].ref", "used twice"),
    Broken(
        "source names a missing ref",
        _set(["consolidated", 0, "sources"], ["B2", "Z9"]),
        "consolidated[0].sources[1]",
        "no group item has ref 'Z9'",
    ),
    Broken(
        "source names a consolidated item",
        _set(["consolidated", 1, "sources"], ["K1"]),
        "consolidated[1].sources[0]",
        "no group item has ref 'K1'",
    ),
    Broken(
        "source merged twice",
        _set(["consolidated", 2, "sources"], ["A1"]),
        "consolidated[2].sources[0]",
        "already a source of consolidated[1]",
    ),
    Broken(
        "wrong kind",
        _set(["groups", 1, "items", 2, "kind"], "wish"),
        "groups[1].items[2].kind",
        "Input should be 'need', 'response' or 'practice'",
    ),
    Broken(
        "title is a number",
        _set(["groups", 0, "items", 0, "title"], 42),
        "groups[0].items[0].title",
        "valid string",
    ),
    Broken(
        "items is an object",
        _set(["groups", 3, "items"], {"ref": "D1"}),
        "groups[3].items",
        "valid list",
    ),
    Broken("bad date", _set(["workshop", "starts_on"], "26 June"), "workshop.starts_on", "date"),
    Broken(
        "ends before it starts",
        _set(["workshop", "ends_on"], "2014-06-01"),
        "workshop.ends_on",
        "before starts_on",
    ),
    Broken(
        "unknown actor",
        _set(["consolidated", 0, "actors"], ["police"]),
        "consolidated[0].actors[0]",
        "unknown actor 'police'",
    ),
    Broken(
        "unknown field",
        _set(["groups", 0, "items", 1, "author"], "Ana"),
        "groups[0].items[1].author",
        "Extra inputs are not permitted",
    ),
    Broken(
        "sub-sub-theme",
        _set(["themes", 2, "parent"], "bali_process"),
        "themes[2].parent",
        "one level of sub-themes",
    ),
    Broken(
        "positions for some items only",
        _set(["groups", 0, "items", 1, "position"], "V"),
        "groups[0].items[0].position",
        "every item of the group or for none",
    ),
    Broken("empty object", lambda d: d.clear(), "format", "Field required"),
]
