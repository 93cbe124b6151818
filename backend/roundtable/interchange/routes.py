"""The interchange format over HTTP: its JSON Schema, import and export."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from roundtable.deps import DbDep, FacilitatorDep, RequiredLogin, ServicesDep
from roundtable.errors import OpRejected
from roundtable.interchange.document import RoundtableDocument, document_schema
from roundtable.interchange.exporter import export_document
from roundtable.interchange.service import import_workshop

router = APIRouter(tags=["interchange"])

SCHEMA_PATH = "/api/schema/roundtable-v1.json"
DOCUMENT_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": f"A roundtable/v1 document; its JSON Schema is at {SCHEMA_PATH}",
            }
        }
    },
}


class ImportedWorkshop(BaseModel):
    id: int


@router.get(SCHEMA_PATH, operation_id="getInterchangeSchema", response_model=dict[str, Any])
def get_schema() -> JSONResponse:
    """The JSON Schema of the ``roundtable/v1`` interchange format (public)."""
    return JSONResponse(document_schema(), headers={"Cache-Control": "public, max-age=3600"})


@router.post(
    "/api/workshops/import",
    operation_id="importWorkshop",
    response_model=ImportedWorkshop,
    status_code=201,
    openapi_extra={"requestBody": DOCUMENT_BODY},
)
async def import_document(
    request: Request, login: RequiredLogin, services: ServicesDep
) -> ImportedWorkshop:
    """Creates a workshop owned by the signed-in facilitator from a roundtable/v1 document."""
    if login.account_id is None:
        raise OpRejected("forbidden", "only facilitators with an account can import workshops")
    # The body is read raw, not as a typed parameter, so errors name document paths
    # (``groups[1].items[3].kind``) rather than FastAPI's ``body.groups.1.items.3.kind``.
    try:
        document = json.loads(await request.body())
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
        raise OpRejected("invalid", f"body: is not valid JSON ({exc})", field="body") from None
    workshop_id = await services.hub.run_write(
        partial(
            import_workshop,
            services.engine,
            services.registry,
            document,
            owner_account_id=login.account_id,
        )
    )
    return ImportedWorkshop(id=workshop_id)


@router.get(
    "/api/workshops/{workshop_id}/export.json",
    operation_id="exportWorkshop",
    response_model=RoundtableDocument,
)
def export_json(viewer: FacilitatorDep, db: DbDep) -> JSONResponse:
    """The workshop as a roundtable/v1 document (facilitators; carries no member data)."""
    document = export_document(db, viewer.workshop_id)
    filename = f"roundtable-workshop-{viewer.workshop_id}.json"
    return JSONResponse(
        document, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
