"""Logging: request ids, and one JSON object per line when ``LOG_FORMAT=json``.

:class:`RequestId` gives each HTTP request (and each live connection) an id: the
caller's ``X-Request-ID`` when it is a plausible one, else a new one. It is returned in
the ``X-Request-ID`` header and kept in a context variable that :class:`JsonFormatter`
writes on every line logged while the request is handled.

Logs name members by id only, never by name (see ``attribution``): nothing here adds
request bodies or headers other than the id.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
request_id: ContextVar[str | None] = ContextVar("roundtable_request_id", default=None)

# What every LogRecord has; anything else on a record came from ``extra=`` and is written.
_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName", "color_message"}
)


def current_request_id() -> str | None:
    return request_id.get()


def new_request_id() -> str:
    return secrets.token_hex(8)


class RequestId:
    """ASGI middleware: a request id per HTTP request / WebSocket, echoed in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                given = value.decode("latin-1")
                break
        rid = given if given is not None and _VALID_ID.match(given) else new_request_id()
        # Not reset afterwards: an error that escapes is logged (with this id) by the
        # handler outside this middleware, and each request runs in its own task.
        request_id.set(rid)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", rid.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in body:
                body[key] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            body["stack"] = self.formatStack(record.stack_info)
        return json.dumps(body, default=str, ensure_ascii=False)


def log_config(log_format: str, level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the app's and uvicorn's loggers, to standard
    error, as JSON (``json``) or plain text (anything else)."""
    level_name = level.upper()
    formatter: dict[str, Any] = (
        {"()": "roundtable.logs.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "": {"handlers": ["default"], "level": level_name},
            "uvicorn": {"handlers": ["default"], "level": level_name, "propagate": False},
            "uvicorn.error": {"level": level_name},
            "uvicorn.access": {"handlers": ["default"], "level": level_name, "propagate": False},
        },
    }
