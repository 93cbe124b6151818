"""The resources one app instance owns, built in the lifespan and shared by routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Engine

from roundtable.config import Settings
from roundtable.errors import OpRejected
from roundtable.metrics import Metrics
from roundtable.realtime.hub import Hub
from roundtable.realtime.notifier import Notifier
from roundtable.security import RateLimiter
from roundtable.sync.registry import OpRegistry
from roundtable.sync.service import Submitted, submit


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
        """Runs ``sync.service.submit`` off the event loop (one writer at a time on SQLite),
        and counts the op as applied or refused (by code)."""
        try:
            result = await self.hub.run_write(
                partial(
                    submit,
                    self.engine,
                    self.registry,
                    self.notifier,
                    on_commit=self.hub.committed,
                    workshop_id=workshop_id,
                    member_id=member_id,
                    kind=kind,
                    args=args,
                    client_id=client_id,
                    op_id=op_id,
                    system=system,
                )
            )
        except OpRejected as exc:
            self.metrics.ops_rejected.inc(code=exc.code)
            raise
        if not result.duplicate:
            self.metrics.ops_applied.inc()
        return result
