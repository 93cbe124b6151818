"""The OpenAPI document tells the truth about errors.

FastAPI documents a ``422`` shaped like its own ``HTTPValidationError`` and nothing else,
while every error this API sends is ``{"error": {code, message, field?}}`` (see
``app._error``). ``document_errors`` rewrites the generated document once: each ``/api``
operation lists the error statuses the app can answer with, all with that one shape.
Clients generated from the document, and schemathesis, then see what is really sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

# Status -> when it is sent. The same for every operation: the checks that produce them
# (session, CSRF, Origin, membership, body size, validation, rate limits, the database)
# sit in front of every route rather than in some of them.
ERROR_STATUSES = {
    400: "The request could not be read",
    401: "No session: sign in or join a group first",
    403: "Not allowed for this role, or a missing CSRF token or a foreign Origin",
    404: "No such resource, or it belongs to a workshop you are not in",
    409: "Conflicts with the current state (e.g. over the vote budget)",
    412: "If-Match names a version that is no longer current",
    413: "The request body is larger than the server accepts",
    422: "A value is invalid; the message and `field` name it",
    429: "Too many attempts; see Retry-After",
    503: "The database is unavailable; try again",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "examples": ["not_found"]},
                "message": {"type": "string"},
                "field": {"type": "string", "examples": ["body.title"]},
            },
        }
    },
}
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds the error responses to every ``/api`` operation of ``schema`` (in place)."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                declared = responses.get(str(status))
                if declared is None or _is_fastapi_422(declared):
                    responses[str(status)] = {"description": description, "content": error_content}
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in schemas and f"#/components/schemas/{unused}" not in str(schema["paths"]):
            del schemas[unused]
    return schema


def _is_fastapi_422(response: dict[str, Any]) -> bool:
    content = response.get("content", {}).get("application/json", {})
    return bool(content.get("schema", {}).get("$ref") == _FASTAPI_422)


def install(app: FastAPI) -> None:
    """Makes ``app.openapi()`` return the document with the errors added."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
