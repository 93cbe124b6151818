from __future__ import annotations

from fastapi import APIRouter, WebSocket

from roundtable.realtime.connection import Connection

router = APIRouter()


@router.websocket("/api/ws")
async def live(websocket: WebSocket) -> None:
    await Connection(websocket, websocket.app.state.services).run()
