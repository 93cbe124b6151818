from __future__ import annotations

from typing import Any

import pytest

from roundtable.consolidation import DocumentError, SuggestItem, items_from_document


def test_reads_groups_items_leniently() -> None:
    document = {
        "format": "roundtable/v1",
        "workshop": {"title": "ignored"},
        "groups": [
            {
                "name": "Group A",
                "items": [
                    {"ref": "A1", "kind": "need", "title": "Shelters", "themes": ["protection"]},
                    {"ref": 2, "title": "Hotline", "detail": None, "actors": ["ngo"]},
                ],
            },
            {"items": [{"ref": "X", "title": "Interpreters", "kind": "practice"}]},
        ],
    }
    assert items_from_document(document) == [
        SuggestItem("A1", "Group A", "need", "Shelters", "", ("protection",)),
        SuggestItem("2", "Group A", "", "Hotline", "", ()),
        SuggestItem("X", "Group 2", "practice", "Interpreters", "", ()),
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "document: expected a JSON object"),
        ({"format": "other/v2", "groups": []}, "format: expected 'roundtable/v1'"),
        ({"groups": {}}, "groups: expected a list"),
        ({"groups": [{"items": [{"title": "x"}]}]}, r"groups\[0\].items\[0\].ref"),
        ({"groups": [{"items": [{"ref": "A", "title": " "}]}]}, r"items\[0\].title"),
        ({"groups": [{"items": [{"ref": "A", "title": "x", "kind": "idea"}]}]}, "kind"),
        ({"groups": [{"items": [{"ref": "A", "title": "x", "themes": "x"}]}]}, "themes"),
        (
            {"groups": [{"items": [{"ref": "A", "title": "x"}, {"ref": "A", "title": "y"}]}]},
            "'A' is used twice",
        ),
    ],
)
def test_errors_name_the_place(document: Any, message: str) -> None:
    with pytest.raises(DocumentError, match=message):
        items_from_document(document)
