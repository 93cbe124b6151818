"""What one member may see of a workshop, at one seq."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from roundtable.access import MemberLike, can_read_checklist
from roundtable.attribution import MEMBER_REFERENCE_FIELDS, hides_authors, render_values
from roundtable.checklists.models import Checklist, Comment, Item, Vote
from roundtable.consolidation.agreement import agreement_values
from roundtable.consolidation.decisions import dismissal_values
from roundtable.consolidation.models import Agreement, SuggestionDismissal
from roundtable.consolidation.provenance import with_provenance
from roundtable.groups.models import Group, Member
from roundtable.realtime.deflated import Deflated
from roundtable.values import (
    checklist_values,
    comment_values,
    group_values,
    item_values,
    member_values,
    theme_values,
    vote_values,
    workshop_values,
)
from roundtable.workshops.models import Theme, Workshop


def readable_checklist_ids(session: Session, workshop: Workshop, member: Member) -> set[int]:
    checklists = session.execute(
        select(Checklist).where(Checklist.workshop_id == workshop.id)  # type: ignore[arg-type]
    ).scalars()
    return {
        c.id for c in checklists if c.id is not None and can_read_checklist(member, workshop, c)
    }


@dataclass(frozen=True)
class Rows:
    """A workshop's rows at one seq, read once: every member's snapshot at that seq is cut
    from them (what each may see, rendered for them), so a crowd joining at once costs
    one read of the workshop, not one each. Values are never changed once read."""

    seq: int
    workshop: Workshop  # detached; its columns were loaded
    checklists: list[Checklist]
    themes: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    members: list[dict[str, Any]]
    items: list[dict[str, Any]]  # with provenance, in order
    comments: list[tuple[str, dict[str, Any]]]  # (item id, values)
    votes: list[tuple[int, dict[str, Any]]]  # (checklist id, values)
    agreements: list[tuple[int, dict[str, Any]]]  # (checklist id, values)
    dismissals: list[dict[str, Any]]


def read_rows(session: Session, workshop: Workshop) -> Rows:
    """Everything of ``workshop`` at its ``head_seq``. Call inside one read transaction."""
    assert workshop.id is not None
    wid = workshop.id

    def rows(model: Any, *conds: Any) -> list[Any]:
        return list(
            session.execute(select(model).where(model.workshop_id == wid, *conds)).scalars()
        )

    def plain(model: Any, *conds: Any) -> list[Any]:
        """As ``rows``, as Core rows of the same columns (read by attribute, like the
        ORM's): for the many members, items, comments and votes, no ORM object each."""
        table = model.__table__
        query = select(*table.columns).where(table.c.workshop_id == wid, *conds)
        return list(session.execute(query).all())

    items = sorted(plain(Item, col(Item.deleted).is_(False)), key=lambda i: (i.position, i.id))
    themes = sorted(rows(Theme, col(Theme.deleted).is_(False)), key=lambda t: t.position)
    groups = sorted(rows(Group, col(Group.deleted).is_(False)), key=lambda g: g.position)
    dismissals = sorted(rows(SuggestionDismissal), key=lambda d: (d.created_seq, d.id))
    return Rows(
        seq=workshop.head_seq,
        workshop=workshop,
        checklists=rows(Checklist),
        themes=[theme_values(t) for t in themes],
        groups=[group_values(g) for g in groups],
        members=[member_values(m) for m in plain(Member, col(Member.removed).is_(False))],
        items=with_provenance(session, [item_values(i) for i in items]),
        comments=[
            (c.item_id, comment_values(c)) for c in plain(Comment, col(Comment.deleted).is_(False))
        ],
        votes=[(v.checklist_id, vote_values(v)) for v in plain(Vote)],
        agreements=[(a.checklist_id, agreement_values(a)) for a in rows(Agreement)],
        dismissals=[dismissal_values(d) for d in dismissals],
    )


def cut_snapshot(rows: Rows, member: Member) -> dict[str, Any]:
    """What ``member`` may see of ``rows``, rendered under the workshop's policy for them."""
    workshop = rows.workshop
    policy, viewer = workshop.attribution, member.id
    checklists = [c for c in rows.checklists if can_read_checklist(member, workshop, c)]
    visible = {c.id for c in checklists}
    items = [v for v in rows.items if v["checklist_id"] in visible]
    item_ids = {v["id"] for v in items}
    # Dismissed suggestions go to those who see the consolidated checklist (as their events).
    consolidated_visible = any(c.group_id is None for c in checklists)

    def render(entity: str, values: dict[str, Any]) -> dict[str, Any]:
        return render_values(entity, values, policy, viewer)

    return {
        "type": "snapshot",
        "seq": rows.seq,
        "workshop": workshop_values(workshop),
        "themes": rows.themes,
        "groups": rows.groups,
        "members": [render("member", values) for values in rows.members],
        "checklists": [checklist_values(c) for c in checklists],
        "items": [render("item", values) for values in items],
        "comments": [render("comment", v) for item, v in rows.comments if item in item_ids],
        "votes": [render("vote", v) for checklist, v in rows.votes if checklist in visible],
        "agreements": [
            render("agreement", v) for checklist, v in rows.agreements if checklist in visible
        ],
        "dismissals": rows.dismissals if consolidated_visible else [],
    }


def build_snapshot(session: Session, workshop: Workshop, member: Member) -> dict[str, Any]:
    """The whole visible state at ``workshop.head_seq``. Call inside one read transaction."""
    return cut_snapshot(read_rows(session, workshop), member)


# Ops whose events rewrite what earlier events and rows said (a redaction, names erased):
# a snapshot from before one of them must not stand in for one after it. (The hub drops
# its buffered copies of past events for the same kinds: ``hub.PURGING_KINDS``.)
RESETTING_KINDS = frozenset({"safeguards.redact", "workshop.erase_names"})


class SnapshotCache:
    """A room's latest :class:`Rows` and the :class:`SnapshotTexts` cut from them, shared
    by the read threads (a lost race only reads the rows twice). A new seq replaces both,
    so a text is never sent for a head other than its own."""

    def __init__(self) -> None:
        self._latest: Rows | None = None
        self._texts: SnapshotTexts | None = None
        self._lock = threading.Lock()

    def at(self, seq: int) -> Rows | None:
        latest = self._latest
        return latest if latest is not None and latest.seq == seq else None

    def latest(self) -> Rows | None:
        """The newest rows kept, whatever their seq."""
        return self._latest

    def keep(self, rows: Rows) -> None:
        latest = self._latest
        if latest is None or rows.seq >= latest.seq:
            self._latest = rows

    def texts(self, rows: Rows) -> SnapshotTexts:
        """The texts of ``rows``: shared while ``rows`` is the latest kept, else its own."""
        with self._lock:
            texts = self._texts
            if texts is not None and texts.rows is rows:
                return texts
            texts = SnapshotTexts(rows, previous=self._texts)
            if self._latest is rows:
                self._texts = texts
            return texts


# -- snapshot texts shared by everyone with the same view ----------------------------------
# A snapshot's JSON depends on the member in two ways only: the checklists they may read
# (their *view*: it picks the checklists, items, comments, votes, agreements and whether
# dismissals go) and, under a policy that hides names or authors, the rows that name them
# (their own member row; under Chatham House also what they created or authored), which
# render differently for them than for anyone else. So each row is encoded once per seq
# for "no particular viewer", each view's sections are joined once, and a member's text
# re-encodes only the rows that name them.

View = frozenset[int]  # ids of the checklists a member may read


class Viewer(MemberLike, Protocol):
    """What a snapshot text reads of its member: the row, or those of its columns."""

    @property
    def id(self) -> int | None: ...


_ENTITIES = {
    "members": "member",
    "items": "item",
    "comments": "comment",
    "votes": "vote",
    "agreements": "agreement",
}


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def named_in(entity: str, values: dict[str, Any], policy: str) -> tuple[int, ...]:
    """The members for whom ``values`` render differently than for anyone else (see
    ``attribution.render_values``): only they may be sent their own rendering."""
    if entity == "member":
        return () if policy == "named" else (int(values["id"]),)
    if not hides_authors(policy):
        return ()
    refs = (values.get(field) for field in MEMBER_REFERENCE_FIELDS)
    return tuple(ref for ref in refs if isinstance(ref, int))


@dataclass
class _Section:
    """One list of a view's snapshot: the rows for no particular viewer, joined, and
    where each member named in them is (index in this list, the row's values)."""

    entity: str
    texts: list[str]
    joined: str
    naming: dict[int, list[tuple[int, dict[str, Any]]]]

    def text_for(self, viewer: int, policy: str) -> str:
        mine = self.naming.get(viewer)
        if not mine:
            return self.joined
        texts = list(self.texts)
        for index, values in mine:
            texts[index] = _dumps(render_values(self.entity, values, policy, viewer))
        return "[" + ",".join(texts) + "]"


@dataclass
class _ViewText:
    """A view's snapshot as fixed text around the sections that may name the viewer."""

    visible: set[int]
    pieces: list[str | _Section]  # concatenated in order
    # For every member the view's rows do not name (a newcomer, say): the whole text,
    # and that text compressed once (see ``realtime.deflated``), each made when first asked.
    whole: str | None = None
    deflated: Deflated | None = None

    def names(self, viewer: int) -> bool:
        return any(isinstance(p, _Section) and viewer in p.naming for p in self.pieces)


class SnapshotTexts:
    """The JSON text of every member's snapshot at ``rows.seq``, built from pieces shared
    by the members of one view. Exactly ``_dumps(cut_snapshot(rows, member))`` for each
    member (``tests/realtime/test_join_shared_snapshot.py``). Thread-safe: the read
    threads take turns building a piece; once built, pieces are never changed."""

    def __init__(self, rows: Rows, previous: SnapshotTexts | None = None) -> None:
        self.rows = rows
        self.policy = rows.workshop.attribution
        self._lock = threading.Lock()
        self._rows: dict[str, list[tuple[str, tuple[int, ...]]]] | None = None
        self._views: dict[View, _ViewText] = {}
        self._sections: dict[tuple[str, tuple[int, ...]], _Section] = {}
        # An earlier seq's texts, whose rows' encodings are reused where the values are
        # the same (dropped once this one's rows are encoded: no chain of seqs is kept).
        self._previous = (
            previous if previous is not None and previous.policy == self.policy else None
        )

    def _row_values(self) -> dict[str, list[dict[str, Any]]]:
        rows = self.rows
        return {
            "members": rows.members,
            "items": rows.items,
            "comments": [v for _, v in rows.comments],
            "votes": [v for _, v in rows.votes],
            "agreements": [v for _, v in rows.agreements],
        }

    def _earlier(self) -> dict[tuple[str, Any], tuple[dict[str, Any], str]]:
        """(list, row id) -> (values, text) of the previous seq's encoded rows."""
        previous, self._previous = self._previous, None
        if previous is None:
            return {}
        encoded = previous._rows  # set once, never changed: safe to read without its lock
        if encoded is None:
            return {}
        values = previous._row_values()
        return {
            (name, row["id"]): (row, text)
            for name, texts in encoded.items()
            for row, (text, _) in zip(values[name], texts, strict=True)
        }

    def _encoded_rows(self) -> dict[str, list[tuple[str, tuple[int, ...]]]]:
        """Each row once, for no particular viewer, with who it names. Call under the lock."""
        if self._rows is None:
            policy = self.policy
            earlier = self._earlier()

            def encode(name: str, values: dict[str, Any]) -> tuple[str, tuple[int, ...]]:
                entity = _ENTITIES[name]
                same = earlier.get((name, values["id"]))
                if same is not None and same[0] == values:
                    text = same[1]
                else:
                    text = _dumps(render_values(entity, values, policy, None))
                return text, named_in(entity, values, policy)

            self._rows = {
                name: [encode(name, v) for v in values]
                for name, values in self._row_values().items()
            }
        return self._rows

    def _view(self, member: Viewer) -> _ViewText:
        rows = self.rows
        workshop = rows.workshop
        checklists = [c for c in rows.checklists if can_read_checklist(member, workshop, c)]
        visible = {c.id for c in checklists if c.id is not None}
        key: View = frozenset(visible)
        view = self._views.get(key)
        if view is not None:
            return view
        with self._lock:
            view = self._views.get(key)
            if view is None:
                view = self._build_view(checklists, visible)
                self._views[key] = view
        return view

    def _build_view(self, checklists: list[Checklist], visible: set[int]) -> _ViewText:
        rows = self.rows
        item_ids = {v["id"] for v in rows.items if v["checklist_id"] in visible}
        consolidated_visible = any(c.group_id is None for c in checklists)
        keep = {
            "members": [True] * len(rows.members),
            "items": [v["checklist_id"] in visible for v in rows.items],
            "comments": [item in item_ids for item, _ in rows.comments],
            "votes": [checklist in visible for checklist, _ in rows.votes],
            "agreements": [checklist in visible for checklist, _ in rows.agreements],
        }
        values = self._row_values()
        sections = {
            name: self._section(
                name, [n for n, kept in enumerate(keep[name]) if kept], values[name]
            )
            for name in _ENTITIES
        }
        head = {
            "type": "snapshot",
            "seq": rows.seq,
            "workshop": workshop_values(rows.workshop),
            "themes": rows.themes,
            "groups": rows.groups,
        }
        opening = _dumps(head)[:-1]  # without its closing brace
        pieces: list[str | _Section] = [
            opening + ',"members":',
            sections["members"],
            ',"checklists":' + _dumps([checklist_values(c) for c in checklists]) + ',"items":',
            sections["items"],
            ',"comments":',
            sections["comments"],
            ',"votes":',
            sections["votes"],
            ',"agreements":',
            sections["agreements"],
            ',"dismissals":' + _dumps(rows.dismissals if consolidated_visible else []) + "}",
        ]
        return _ViewText(visible, pieces)

    def _section(self, name: str, kept: list[int], values: list[dict[str, Any]]) -> _Section:
        """The rows ``kept`` of list ``name``; views that keep the same rows (every view
        keeps every member) share one. Call under the lock."""
        key = (name, tuple(kept))
        section = self._sections.get(key)
        if section is None:
            encoded = self._encoded_rows()[name]
            texts: list[str] = []
            naming: dict[int, list[tuple[int, dict[str, Any]]]] = {}
            for index in kept:
                text, named = encoded[index]
                for member_id in named:
                    naming.setdefault(member_id, []).append((len(texts), values[index]))
                texts.append(text)
            joined = "[" + ",".join(texts) + "]"
            section = self._sections[key] = _Section(_ENTITIES[name], texts, joined, naming)
        return section

    def text_for(self, member: Viewer) -> tuple[str, set[int]]:
        """``member``'s snapshot as JSON text, and the checklists it shows."""
        view = self._view(member)
        viewer = member.id
        assert viewer is not None
        if not view.names(viewer):
            return self._whole(view), set(view.visible)
        parts = [
            piece if isinstance(piece, str) else piece.text_for(viewer, self.policy)
            for piece in view.pieces
        ]
        return "".join(parts), set(view.visible)

    def deflated_for(self, member: Viewer) -> Deflated | None:
        """``member``'s text compressed once for everyone it is the same for, or None when
        it names them (then it is theirs alone)."""
        view = self._view(member)
        assert member.id is not None
        if view.names(member.id):
            return None
        deflated = view.deflated
        if deflated is None:
            with self._lock:
                deflated = view.deflated
                if deflated is None:
                    deflated = view.deflated = Deflated(self._whole(view))
        return deflated

    def _whole(self, view: _ViewText) -> str:
        whole = view.whole
        if whole is None:
            parts = [p if isinstance(p, str) else p.joined for p in view.pieces]
            whole = view.whole = "".join(parts)  # a race only joins it twice
        return whole
