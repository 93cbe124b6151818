"""Presence to clients as changes: a join costs one entry per other connection, and what
each connection holds adds up to the room's list as it may see it."""

from __future__ import annotations

import json
from typing import Any

from roundtable.realtime.presence import KEPT_TICKS, Roster, tick_interval, visible


class Viewer:
    """A connection's side: the version it was sent and the list it holds."""

    def __init__(self, view: set[int]) -> None:
        self.view = frozenset(view)
        self.version = 0
        self.here: dict[str, dict[str, Any]] = {}
        self.texts: list[str] = []

    def catch_up(self, roster: Roster) -> None:
        text = roster.text_since(self.version, self.view)
        self.version = roster.version
        if text is None:
            return
        self.texts.append(text)
        message = json.loads(text)
        if not message.get("delta"):
            self.here = {}
        for session in message.get("gone", []):
            self.here.pop(session, None)
        self.here.update((e["session"], e) for e in message["entries"])


def expected(roster: Roster, view: frozenset[int]) -> dict[str, dict[str, Any]]:
    return {e["session"]: e for e in roster.entries() if visible(e, view)}


def entry(member: int, checklist: int | None = None) -> dict[str, Any]:
    return {"member_id": member, "checklist_id": checklist, "editing_item_id": None}


def test_joins_are_sent_as_changes_shared_by_view() -> None:
    roster = Roster()
    viewers = [Viewer({1}) for _ in range(50)] + [Viewer({2}) for _ in range(50)]
    for n in range(len(viewers)):  # one join per tick, everyone catches up each time
        roster.set_local(f"s{n:03d}", entry(n))
        assert roster.tick()
        for other in viewers[: n + 1]:
            other.catch_up(roster)
    for viewer in viewers:
        assert viewer.here == expected(roster, viewer.view)
    # Encoded once per view: the same text object went to every viewer of a view.
    assert viewers[0].texts[-1] is viewers[1].texts[-1]
    assert viewers[50].texts[-1] is viewers[51].texts[-1]
    # The late joiners got one whole list each; after that, one entry per message.
    last = viewers[-1]
    assert len(json.loads(last.texts[0])["entries"]) == len(viewers)
    first = viewers[0]
    assert all(len(json.loads(t)["entries"]) == 1 for t in first.texts[1:])
    # Entries sent in all: linear per join, not the whole room's list each time.
    sent = sum(len(json.loads(t)["entries"]) for v in viewers for t in v.texts)
    n = len(viewers)
    assert sent <= n * (n + 1), sent  # each join reaches each present viewer once, plus lists


def test_hidden_moves_are_not_sent_and_leaving_sight_is_gone() -> None:
    roster = Roster()
    mine, theirs = Viewer({1}), Viewer({2})
    roster.set_local("a", entry(1, 1))
    roster.set_local("b", entry(2, 2))
    roster.tick()
    for viewer in (mine, theirs):
        viewer.catch_up(roster)
    assert set(mine.here) == {"a"} and set(theirs.here) == {"b"}

    roster.set_local("b", {**entry(2, 2), "editing_item_id": "x"})  # within checklist 2
    roster.tick()
    sent = len(mine.texts)
    mine.catch_up(roster)
    assert len(mine.texts) == sent, "a move mine may not see is not sent to mine"

    roster.set_local("a", entry(1, 2))  # leaves checklist 1 for 2: gone for mine
    roster.tick()
    mine.catch_up(roster)
    theirs.catch_up(roster)
    assert json.loads(mine.texts[-1])["gone"] == ["a"]
    assert mine.here == {} and set(theirs.here) == {"a", "b"}

    roster.set_local("a", None)
    roster.set_local("c", entry(3))  # no checklist: seen by everyone
    roster.tick()
    for viewer in (mine, theirs):
        viewer.catch_up(roster)
        assert viewer.here == expected(roster, viewer.view)


def test_a_change_undone_within_a_tick_is_no_tick() -> None:
    roster = Roster()
    roster.set_local("a", entry(1))
    roster.tick()
    roster.set_local("a", entry(1, 1))
    roster.set_local("a", entry(1))
    assert not roster.tick()


def test_far_behind_gets_the_whole_list() -> None:
    roster = Roster()
    viewer = Viewer(set())
    roster.set_local("a", entry(1))
    roster.tick()
    viewer.catch_up(roster)
    for n in range(KEPT_TICKS + 5):
        roster.set_local(f"k{n}", entry(n + 2))
        roster.tick()
    viewer.catch_up(roster)
    message = json.loads(viewer.texts[-1])
    assert "delta" not in message and len(message["entries"]) == KEPT_TICKS + 6
    assert viewer.here == expected(roster, viewer.view)


def test_remote_entries_and_expiry_are_changes_too() -> None:
    roster = Roster()
    viewer = Viewer(set())
    roster.set_remote("r", entry(9), expires_at=10.0)
    roster.tick()
    viewer.catch_up(roster)
    assert set(viewer.here) == {"r"}
    assert not roster.set_remote("r", entry(9), expires_at=20.0)  # a refresh, no change
    assert roster.expire(now=25.0)
    roster.tick()
    viewer.catch_up(roster)
    assert viewer.here == {}


def test_big_rooms_tick_less_often() -> None:
    # About MESSAGES_PER_S presence messages a second in all, whatever the room's size.
    assert tick_interval(10) == 0.05
    assert tick_interval(300) == 0.3
    assert tick_interval(5000) == 1.0
