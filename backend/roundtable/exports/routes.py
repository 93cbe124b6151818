"""Downloading the consolidated checklist as Markdown, CSV, Excel, Word or PDF."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from roundtable.deps import DbDep, FacilitatorDep, ServicesDep
from roundtable.errors import OpRejected
from roundtable.exports.formats import FORMATS
from roundtable.exports.model import SnapshotSource, checked_filter, read_snapshot_rows
from roundtable.exports.reader import ChecklistQuery, for_worker, worker_can_read
from roundtable.exports.worker import ExportFailed, ExportTimeout, RenderPool

router = APIRouter(tags=["exports"])

FormatName = Literal["md", "csv", "xlsx", "docx", "pdf"]
FilterValue = Annotated[str | None, Query(max_length=64)]


def render_pool(request: Request) -> RenderPool:
    """The app's pool (``app.state.render_pool``, made in the lifespan), made here if
    the app has none yet."""
    pool: RenderPool | None = getattr(request.app.state, "render_pool", None)
    if pool is None:
        pool = request.app.state.render_pool = RenderPool()
    return pool


@router.get(
    "/api/workshops/{workshop_id}/export/{fmt}",
    operation_id="downloadChecklist",
    response_class=Response,
    responses={200: {"content": {f.media_type: {} for f in FORMATS.values()}}},
)
async def download_checklist(
    fmt: FormatName,
    request: Request,
    viewer: FacilitatorDep,
    db: DbDep,
    services: ServicesDep,
    theme: FilterValue = None,
    kind: FilterValue = None,
    actor: FilterValue = None,
) -> Response:
    """The consolidated checklist in one format, optionally filtered (facilitators).

    Items flagged as possibly holding personal data are left out; no member names appear.
    """
    # The viewer is authorised (a facilitator of this workshop) and the filter checked
    # here; the worker reads the rows itself (``ChecklistQuery``): reading and handing
    # over 2,000 rows in the server held the GIL and stalled live editing.
    source = await run_in_threadpool(
        checklist_source,
        db,
        services.settings.database_url,
        viewer.workshop_id,
        theme=theme,
        kind=kind,
        actor=actor,
    )
    try:
        content = await render_pool(request).render(fmt, source)
    except (ExportTimeout, ExportFailed) as exc:
        raise OpRejected("unavailable", f"{exc}; try again later") from None
    export = FORMATS[fmt]
    filename = f"roundtable-workshop-{viewer.workshop_id}-checklist.{export.extension}"
    return Response(
        content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def checklist_source(
    session: Session, database_url: str, workshop_id: int, **wanted: str | None
) -> SnapshotSource:
    """What the worker gets for a checklist download: the query it runs itself, or the
    rows read here when the database is one only this process can open."""
    if not worker_can_read(database_url):
        return read_snapshot_rows(session, workshop_id, **wanted)
    return ChecklistQuery(
        for_worker(database_url), workshop_id, checked_filter(session, workshop_id, **wanted)
    )
