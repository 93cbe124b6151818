"""Self-assessments over the public API: the secret in the path is the only key.

Creating one is rate limited per address (``app.state.assessment_limiter``). Every
state-changing request must come from the app's own origin (``Origin`` header), as no
session or CSRF token protects these routes. Responses are not cached.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from roundtable.assessments.report import build_gap_report
from roundtable.assessments.schemas import (
    AssessmentCreate,
    AssessmentCreated,
    AssessmentUpdate,
    AssessmentView,
    CarryOver,
    EntryPublic,
    EntryUpdate,
)
from roundtable.assessments.service import (
    assessment_url,
    assessment_view,
    carry_over,
    create_assessment,
    entry_values,
    find_assessment,
    set_entry,
    update_assessment,
)
from roundtable.db import read_session, write_session
from roundtable.deps import ServicesDep, client_address
from roundtable.errors import OpRejected, RateLimited
from roundtable.exports.gap_report import render_gap_report
from roundtable.exports.routes import render_pool
from roundtable.exports.worker import ExportFailed, ExportTimeout
from roundtable.publishing.files import download_name
from roundtable.publishing.service import edition_by_slug
from roundtable.security import RateLimiter, origin_allowed
from roundtable.services import Services

router = APIRouter(prefix="/api/public", tags=["assessments"])

SecretPath = Annotated[str, Path(min_length=1, max_length=100)]
SlugPath = Annotated[str, Path(min_length=1, max_length=100)]
CodePath = Annotated[str, Path(min_length=1, max_length=16)]
CREATIONS_PER_HOUR = 30
REPORT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NO_STORE = {"Cache-Control": "no-store"}


def assessment_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter | None = getattr(request.app.state, "assessment_limiter", None)
    if limiter is None:
        limiter = request.app.state.assessment_limiter = RateLimiter(CREATIONS_PER_HOUR, 3600)
    return limiter


def require_same_origin(request: Request, services: Services) -> None:
    origin = request.headers.get("origin")
    if not origin_allowed(origin, services.settings.allowed_origins, request.headers.get("host")):
        raise OpRejected(
            "forbidden", "Origin: changes to assessments must come from this site's pages"
        )


def _count_creation(request: Request, services: Services) -> None:
    limiter = assessment_limiter(request)
    address = client_address(request, services)
    wait = limiter.retry_after(address)
    if wait is not None:
        raise RateLimited(f"too many new assessments from this address; retry in {wait} s", wait)
    limiter.record_failure(address)  # every creation counts


@router.post(
    "/editions/{slug}/assessments",
    operation_id="createAssessment",
    response_model=AssessmentCreated,
    status_code=201,
)
def create(slug: SlugPath, body: AssessmentCreate, request: Request, services: ServicesDep) -> Any:
    """Starts a private self-assessment against this edition. Keep the returned link:
    it is the only way back in."""
    require_same_origin(request, services)
    with write_session(services.engine) as db:
        edition = edition_by_slug(db, slug)
        _count_creation(request, services)
        _, secret = create_assessment(db, edition, title=body.title, country=body.country)
        db.commit()
    return {"secret": secret, "url": assessment_url(secret)}


@router.get("/assessments/{secret}", operation_id="getAssessment", response_model=AssessmentView)
def get(secret: SecretPath, services: ServicesDep, response: Response) -> Any:
    response.headers.update(NO_STORE)
    with read_session(services.engine) as db:
        assessment, edition = find_assessment(db, secret)
        return assessment_view(db, assessment, edition)


@router.patch(
    "/assessments/{secret}", operation_id="updateAssessment", response_model=AssessmentView
)
def update(
    secret: SecretPath, body: AssessmentUpdate, request: Request, services: ServicesDep
) -> Any:
    require_same_origin(request, services)
    with write_session(services.engine) as db:
        assessment, edition = find_assessment(db, secret)
        update_assessment(assessment, body.model_dump(exclude_unset=True))
        db.commit()
        return assessment_view(db, assessment, edition)


@router.put(
    "/assessments/{secret}/entries/{code}",
    operation_id="setAssessmentEntry",
    response_model=EntryPublic,
)
def put_entry(
    secret: SecretPath,
    code: CodePath,
    body: EntryUpdate,
    request: Request,
    services: ServicesDep,
) -> Any:
    """Records the status, evidence, agency and target date for one item."""
    require_same_origin(request, services)
    with write_session(services.engine) as db:
        assessment, edition = find_assessment(db, secret)
        entry = set_entry(db, assessment, edition, code, body)
        db.commit()
        return entry_values(entry)


@router.post(
    "/assessments/{secret}/carry-over",
    operation_id="carryOverAssessment",
    response_model=AssessmentCreated,
    status_code=201,
)
def carry(secret: SecretPath, body: CarryOver, request: Request, services: ServicesDep) -> Any:
    """A new assessment on a newer edition: unchanged items keep their answers, changed
    and new ones are marked for review. The old assessment stays as it was."""
    require_same_origin(request, services)
    with write_session(services.engine) as db:
        assessment, edition = find_assessment(db, secret)
        try:
            newer = edition_by_slug(db, body.edition_slug)
        except OpRejected:
            raise OpRejected(
                "not_found", "edition_slug: no edition has this link", field="edition_slug"
            ) from None
        _count_creation(request, services)
        _, new_secret = carry_over(db, assessment, edition, newer)
        db.commit()
    return {"secret": new_secret, "url": assessment_url(new_secret)}


@router.get(
    "/assessments/{secret}/report/{fmt}",
    operation_id="downloadGapReport",
    response_class=Response,
    responses={200: {"content": {t: {} for t in REPORT_TYPES.values()}}},
)
async def report(
    secret: SecretPath, fmt: Literal["pdf", "xlsx"], request: Request, services: ServicesDep
) -> Response:
    """The gap report: progress by theme and every item not yet in place."""
    gap_report, number = await run_in_threadpool(_gap_report, services, secret)
    try:
        content = await render_pool(request).run(render_gap_report, fmt, gap_report, label=fmt)
    except (ExportTimeout, ExportFailed) as exc:
        raise OpRejected("unavailable", f"{exc}; try again later") from None
    filename = download_name(gap_report.workshop, number, fmt).replace(
        f"-edition-{number}.", f"-edition-{number}-gap-report."
    )
    return Response(
        content,
        media_type=REPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )


def _gap_report(services: Services, secret: str) -> tuple[Any, int]:
    with read_session(services.engine) as db:
        assessment, edition = find_assessment(db, secret)
        view = assessment_view(db, assessment, edition)
        return build_gap_report(view, edition.document["workshop"]["title"]), edition.number
