"""Editions: facilitators publish and list them; anyone with the link reads and downloads.

The public routes (``/api/public/editions/{slug}``) need no login: the slug is the key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from roundtable.deps import DbDep, FacilitatorDep, ServicesDep, submit_as
from roundtable.errors import OpRejected
from roundtable.exports.edition import EditionDocument
from roundtable.exports.formats import FORMATS
from roundtable.exports.model import Snapshot
from roundtable.exports.reader import for_worker, worker_can_read
from roundtable.exports.routes import render_pool
from roundtable.exports.worker import ExportFailed, ExportTimeout
from roundtable.publishing.files import (
    EditionQuery,
    download_name,
    edition_json_bytes,
    edition_query,
    edition_source,
    snapshot_of,
)
from roundtable.publishing.models import Edition
from roundtable.publishing.ops import EditionCreate, edition_values
from roundtable.publishing.schemas import EditionChanges, EditionPage, EditionPublic
from roundtable.publishing.service import (
    edition_by_slug,
    edition_changes,
    edition_page,
    editions_of,
)

router = APIRouter(tags=["editions"])

SlugPath = Annotated[str, Path(min_length=1, max_length=100)]
FilterValue = Annotated[str | None, Query(max_length=64)]
DownloadFormat = Literal["pdf", "docx", "xlsx", "csv", "md", "json", "html"]
JSON_MEDIA_TYPE = "application/json"


@router.post(
    "/api/workshops/{workshop_id}/editions",
    operation_id="publishEdition",
    response_model=EditionPublic,
    status_code=201,
)
async def publish(body: EditionCreate, viewer: FacilitatorDep, services: ServicesDep) -> Any:
    """Publishes the consolidated checklist as the next edition (facilitators).

    Refused (409, field ``items``) while a consolidated item is flagged as possible
    personal data."""
    edition: Edition = await submit_as(
        services, viewer, "edition.publish", body.model_dump(exclude_unset=True)
    )
    return edition_values(edition)


@router.get(
    "/api/workshops/{workshop_id}/editions",
    operation_id="listEditions",
    response_model=list[EditionPublic],
)
def list_editions(viewer: FacilitatorDep, db: DbDep) -> Any:
    return [edition_values(e) for e in editions_of(db, viewer.workshop_id)]


@router.get(
    "/api/public/editions/{slug}", operation_id="getPublicEdition", response_model=EditionPage
)
def get_edition(slug: SlugPath, db: DbDep) -> Any:
    """A published edition, readable without login by whoever has its link."""
    return edition_page(db, edition_by_slug(db, slug))


@router.get(
    "/api/public/editions/{slug}/changes",
    operation_id="getEditionChanges",
    response_model=EditionChanges,
)
def get_changes(slug: SlugPath, db: DbDep) -> Any:
    """What changed since the previous edition, item by item."""
    return edition_changes(db, edition_by_slug(db, slug))


@router.get(
    "/api/public/editions/{slug}/download/{fmt}",
    operation_id="downloadEdition",
    response_class=Response,
    responses={
        200: {
            "content": {
                **{f.media_type: {} for f in FORMATS.values()},
                JSON_MEDIA_TYPE: {},
            }
        }
    },
)
async def download_edition(
    slug: SlugPath,
    fmt: DownloadFormat,
    request: Request,
    db: DbDep,
    services: ServicesDep,
    theme: FilterValue = None,
    kind: FilterValue = None,
    actor: FilterValue = None,
) -> Response:
    """The edition, or the items passing the filter, as a file."""
    if fmt == "json":
        edition, snapshot = await run_in_threadpool(
            _by_slug, db, slug, theme=theme, kind=kind, actor=actor
        )
        content = edition_json_bytes(edition, snapshot)
        media_type, extension = JSON_MEDIA_TYPE, "json"
        title, number = snapshot.workshop.title, edition.number
    else:
        # The worker reads the edition's stored document itself (EditionQuery) and
        # assembles the snapshot: reading, decoding and handing over a 2,000-item document
        # here held the GIL that live editing's threads need.
        number, source = await run_in_threadpool(
            _source_by_slug,
            db,
            services.settings.database_url,
            slug,
            theme=theme,
            kind=kind,
            actor=actor,
        )
        try:
            content = await render_pool(request).render(fmt, source)
        except (ExportTimeout, ExportFailed) as exc:
            raise OpRejected("unavailable", f"{exc}; try again later") from None
        media_type, extension = FORMATS[fmt].media_type, FORMATS[fmt].extension
        title = source.title
    filename = download_name(title, number, extension)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _by_slug(db: Session, slug: str, **wanted: str | None) -> tuple[Edition, Snapshot]:
    edition = edition_by_slug(db, slug)
    return edition, snapshot_of(edition, **wanted)


def _source_by_slug(
    db: Session, database_url: str, slug: str, **wanted: str | None
) -> tuple[int, EditionQuery | EditionDocument]:
    """The edition for the worker: its id (the worker reads the stored document), or the
    document itself when the database is one only this process can open."""
    if worker_can_read(database_url):
        return edition_query(db, for_worker(database_url), slug, **wanted)
    edition = edition_by_slug(db, slug)
    return edition.number, edition_source(edition, **wanted)
