"""The resources one app instance owns, built in the lifespan and shared by routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from roundtable.config import Settings
from roundtable.errors import OpRejected
from roundtable.metrics import Metrics
from roundtable.realtime.hub import Hub
from roundtable.realtime.notifier import Notifier
from roundtable.security import RateLimiter
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import OpRequest, Submitted


@dataclass
class Services:
    settings: Settings
    engine: Engine
    registry: OpRegistry
    notifier: Notifier
    hub: Hub
    join_limiter: RateLimiter
    login_limiter: RateLimiter
    metrics: Metrics = field(default_factory=Metrics)

    async def submit(
        self,
        *,
        workshop_id: int,
        member_id: int | None,
        kind: str,
        args: Any,
        client_id: str | None = None,
        op_id: int | None = None,
        system: bool = False,
    ) -> Submitted:
        """Runs ``sync.service.submit`` off the event loop (on SQLite in the hub's one
        writer thread, sharing a commit with the ops waiting with it), and counts the op
        as applied or refused (by code)."""
        request = OpRequest(workshop_id, member_id, kind, args, client_id, op_id, system)
        try:
            result = await self.hub.submit(self.registry, request)
        except OpRejected as exc:
            self.metrics.ops_rejected.inc(code=exc.code)
            raise
        if not result.duplicate:
            self.metrics.ops_applied.inc()
        return result
