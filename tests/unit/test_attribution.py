from __future__ import annotations

from roundtable.attribution import mentions, render_actor, render_member, render_values

ANA = {
    "id": 7,
    "display_name": "Ana Reyes",
    "affiliation": "Shelter NGO",
    "role": "participant",
    "number": 3,
}


def test_named_shows_names() -> None:
    assert render_member(ANA, "named", viewer_id=1)["display_name"] == "Ana Reyes"


def test_withheld_names_become_pseudonyms_except_for_oneself() -> None:
    for policy in ("groups_only", "chatham_house"):
        seen = render_member(ANA, policy, viewer_id=1)
        assert seen["display_name"] == "Participant 3" and "affiliation" not in seen
        assert render_member(ANA, policy, viewer_id=7)["display_name"] == "Ana Reyes"


def test_chatham_house_blanks_authorship_but_not_for_the_author() -> None:
    item = {"id": "x", "title": "Shelters", "created_by": 7}
    assert render_values("item", item, "chatham_house", viewer_id=1)["created_by"] is None
    assert render_values("item", item, "chatham_house", viewer_id=7)["created_by"] == 7
    assert render_values("item", item, "groups_only", viewer_id=1)["created_by"] == 7
    assert render_actor(7, "chatham_house", 1) is None and render_actor(7, "chatham_house", 7) == 7
    assert item["created_by"] == 7  # the input is never mutated


def test_mentions_lists_everyone_whose_view_differs() -> None:
    changes = [
        {"entity": "comment", "id": "c", "values": {"author_id": 4}},
        {"entity": "member", "id": 9, "values": {"display_name": "Ben"}},
    ]
    assert mentions(changes, actor_id=2) == {2, 4, 9}
