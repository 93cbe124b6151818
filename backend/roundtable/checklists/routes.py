"""Checklists, items, comments and votes."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Header, Response
from sqlalchemy import select
from sqlmodel import col

from roundtable.access import can_read_checklist
from roundtable.attribution import render_values
from roundtable.checklists import service
from roundtable.checklists.models import Checklist, Comment, Item
from roundtable.deps import (
    ClientIdPath,
    DbDep,
    RowIdPath,
    ServicesDep,
    Viewer,
    ViewerDep,
    submit_as,
)
from roundtable.errors import OpRejected, not_found
from roundtable.realtime.hub import render_event
from roundtable.schemas import (
    ChecklistPublic,
    CommentCreate,
    CommentPublic,
    CommentUpdate,
    EventPublic,
    ItemCreate,
    ItemMove,
    ItemPublic,
    ItemUpdate,
    VotePublic,
    VoteSet,
    VoteTally,
)
from roundtable.sync.models import Event
from roundtable.values import checklist_values, comment_values, item_values, vote_values

router = APIRouter(prefix="/api/workshops/{workshop_id}", tags=["checklists"])
_ETAG = re.compile(r'(?:W/)?"?([0-9]{1,16})"?')


def _item_public(viewer: Viewer, item: Item) -> ItemPublic:
    return ItemPublic(**render_values("item", item_values(item), viewer.policy, viewer.member_id))


def _comment_public(viewer: Viewer, comment: Comment) -> CommentPublic:
    values = render_values("comment", comment_values(comment), viewer.policy, viewer.member_id)
    return CommentPublic(**values)


def _readable_checklist(viewer: Viewer, db: DbDep, checklist_id: int) -> Checklist:
    checklist = db.get(Checklist, checklist_id)
    if checklist is None or not can_read_checklist(viewer.member, viewer.workshop, checklist):
        raise not_found("checklist", checklist_id)
    return checklist


def _readable_item(viewer: Viewer, db: DbDep, item_id: str) -> Item:
    item = db.get(Item, item_id)
    if item is None or item.deleted or item.workshop_id != viewer.workshop_id:
        raise not_found("item", item_id)
    _readable_checklist(viewer, db, item.checklist_id)
    return item


def _parse_if_match(value: str | None) -> int | None:
    """The item version an ``If-Match`` names (``"57"`` or ``W/"57"``); ``*`` matches any."""
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.fullmatch(value.strip())
    if match is None:
        raise OpRejected(
            "invalid", 'If-Match: expected an item version such as "57"', field="If-Match"
        )
    return int(match.group(1))


def _etag(response: Response, item: Item) -> None:
    response.headers["ETag"] = f'"{item.updated_seq}"'


@router.get("/checklists", operation_id="listChecklists", response_model=list[ChecklistPublic])
def list_checklists(viewer: ViewerDep, db: DbDep) -> list[ChecklistPublic]:
    rows = db.execute(
        select(Checklist).where(Checklist.workshop_id == viewer.workshop_id).order_by(Checklist.id)  # type: ignore[arg-type]
    ).scalars()
    return [
        ChecklistPublic(**checklist_values(c))
        for c in rows
        if can_read_checklist(viewer.member, viewer.workshop, c)
    ]


@router.get(
    "/checklists/{checklist_id}/items", operation_id="listItems", response_model=list[ItemPublic]
)
def list_items(checklist_id: RowIdPath, viewer: ViewerDep, db: DbDep) -> list[ItemPublic]:
    checklist = _readable_checklist(viewer, db, checklist_id)
    items = db.execute(
        select(Item)
        .where(col(Item.checklist_id) == checklist.id, col(Item.deleted).is_(False))
        .order_by(col(Item.position), col(Item.id))
    ).scalars()
    return [_item_public(viewer, i) for i in items]


@router.post(
    "/checklists/{checklist_id}/items",
    operation_id="createItem",
    response_model=ItemPublic,
    status_code=201,
)
async def create_item(
    checklist_id: RowIdPath,
    body: ItemCreate,
    viewer: ViewerDep,
    services: ServicesDep,
    response: Response,
) -> ItemPublic:
    args = {"checklist_id": checklist_id, **body.model_dump(exclude_unset=True)}
    item = await submit_as(services, viewer, "item.create", args)
    _etag(response, item)
    return _item_public(viewer, item)


@router.get("/items/{item_id}", operation_id="getItem", response_model=ItemPublic)
def get_item(item_id: ClientIdPath, viewer: ViewerDep, db: DbDep, response: Response) -> ItemPublic:
    item = _readable_item(viewer, db, item_id)
    _etag(response, item)
    return _item_public(viewer, item)


@router.patch("/items/{item_id}", operation_id="updateItem", response_model=ItemPublic)
async def update_item(
    item_id: ClientIdPath,
    body: ItemUpdate,
    viewer: ViewerDep,
    services: ServicesDep,
    response: Response,
    if_match: str | None = Header(default=None),
) -> ItemPublic:
    args = {
        "id": item_id,
        "if_version": _parse_if_match(if_match),
        **body.model_dump(exclude_unset=True),
    }
    item = await submit_as(services, viewer, "item.update", args)
    _etag(response, item)
    return _item_public(viewer, item)


@router.post("/items/{item_id}/move", operation_id="moveItem", response_model=ItemPublic)
async def move_item(
    item_id: ClientIdPath,
    body: ItemMove,
    viewer: ViewerDep,
    services: ServicesDep,
    response: Response,
) -> ItemPublic:
    item = await submit_as(
        services, viewer, "item.move", {"id": item_id, "position": body.position}
    )
    _etag(response, item)
    return _item_public(viewer, item)


@router.delete("/items/{item_id}", operation_id="deleteItem", status_code=204)
async def delete_item(
    item_id: ClientIdPath,
    viewer: ViewerDep,
    services: ServicesDep,
    if_match: str | None = Header(default=None),
) -> None:
    await submit_as(
        services, viewer, "item.delete", {"id": item_id, "if_version": _parse_if_match(if_match)}
    )


@router.post("/items/{item_id}/restore", operation_id="restoreItem", response_model=ItemPublic)
async def restore_item(
    item_id: ClientIdPath, viewer: ViewerDep, services: ServicesDep, response: Response
) -> ItemPublic:
    item = await submit_as(services, viewer, "item.restore", {"id": item_id})
    _etag(response, item)
    return _item_public(viewer, item)


@router.get(
    "/items/{item_id}/history", operation_id="getItemHistory", response_model=list[EventPublic]
)
def item_history(item_id: ClientIdPath, viewer: ViewerDep, db: DbDep) -> list[EventPublic]:
    """Every event that changed this item, oldest first: earlier values can be restored.

    A facilitator's redaction of the item is one of them (``safeguards.redact``, with its
    ``{"entity": "redaction", "values": {"of": "item", "kinds": [...]}}`` change): the
    history says that details were removed, when and by whom, never what they were."""
    item = db.get(Item, item_id)
    if item is None or item.workshop_id != viewer.workshop_id:
        raise not_found("item", item_id)
    _readable_checklist(viewer, db, item.checklist_id)
    events = db.execute(
        select(Event)
        .where(
            col(Event.workshop_id) == viewer.workshop_id,
            col(Event.scope) == item.checklist_id,
            col(Event.kind).startswith("item.") | (col(Event.kind) == "safeguards.redact"),
            col(Event.seq) >= item.created_seq,
        )
        .order_by(col(Event.seq))
    ).scalars()
    return [
        EventPublic.model_validate(render_event(e, viewer.policy, viewer.member_id))
        for e in events
        if any(_names_item(c, item_id) for c in e.changes)
    ]


def _names_item(change: dict[str, Any], item_id: str) -> bool:
    if change.get("id") != item_id:
        return False
    entity = change.get("entity")
    return entity == "item" or (
        entity == "redaction" and (change.get("values") or {}).get("of") == "item"
    )


@router.get(
    "/items/{item_id}/comments", operation_id="listComments", response_model=list[CommentPublic]
)
def list_comments(item_id: ClientIdPath, viewer: ViewerDep, db: DbDep) -> list[CommentPublic]:
    item = _readable_item(viewer, db, item_id)
    comments = db.execute(
        select(Comment)
        .where(Comment.item_id == item.id, Comment.deleted.is_(False))  # type: ignore[arg-type, attr-defined]
        .order_by(Comment.created_seq)  # type: ignore[arg-type]
    ).scalars()
    return [_comment_public(viewer, c) for c in comments]


@router.post(
    "/items/{item_id}/comments",
    operation_id="createComment",
    response_model=CommentPublic,
    status_code=201,
)
async def create_comment(
    item_id: ClientIdPath, body: CommentCreate, viewer: ViewerDep, services: ServicesDep
) -> CommentPublic:
    args = {"item_id": item_id, **body.model_dump(exclude_unset=True)}
    comment = await submit_as(services, viewer, "comment.create", args)
    return _comment_public(viewer, comment)


@router.patch("/comments/{comment_id}", operation_id="updateComment", response_model=CommentPublic)
async def update_comment(
    comment_id: ClientIdPath, body: CommentUpdate, viewer: ViewerDep, services: ServicesDep
) -> CommentPublic:
    comment = await submit_as(
        services, viewer, "comment.update", {"id": comment_id, "body": body.body}
    )
    return _comment_public(viewer, comment)


@router.delete("/comments/{comment_id}", operation_id="deleteComment", status_code=204)
async def delete_comment(
    comment_id: ClientIdPath, viewer: ViewerDep, services: ServicesDep
) -> None:
    await submit_as(services, viewer, "comment.delete", {"id": comment_id})


@router.put("/items/{item_id}/vote", operation_id="setVote", response_model=VotePublic | None)
async def set_vote(
    item_id: ClientIdPath, body: VoteSet, viewer: ViewerDep, services: ServicesDep
) -> VotePublic | None:
    """Sets how many of my votes this item has (0 takes them back)."""
    vote = await submit_as(services, viewer, "vote.set", {"item_id": item_id, "count": body.count})
    return None if vote is None else VotePublic(**vote_values(vote))


@router.get(
    "/checklists/{checklist_id}/votes",
    operation_id="listVoteTallies",
    response_model=list[VoteTally],
)
def vote_tallies(checklist_id: RowIdPath, viewer: ViewerDep, db: DbDep) -> list[VoteTally]:
    checklist = _readable_checklist(viewer, db, checklist_id)
    assert checklist.id is not None
    rows = service.vote_tallies(db, checklist.id, viewer.member_id)
    return [VoteTally(item_id=i, total=total, mine=mine) for i, total, mine in rows]
