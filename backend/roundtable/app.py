"""``create_app``: the ASGI application. Resources live in the lifespan, never at import."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from roundtable import __version__
from roundtable.accounts.routes import router as auth_router
from roundtable.checklists.routes import router as checklists_router
from roundtable.config import Settings
from roundtable.consolidation.routes import router as suggestions_router
from roundtable.db import make_engine
from roundtable.errors import OpRejected, RateLimited
from roundtable.exports.routes import router as exports_router
from roundtable.exports.worker import RenderPool
from roundtable.groups.routes import router as groups_router
from roundtable.interchange.routes import router as interchange_router
from roundtable.logs import RequestId, current_request_id
from roundtable.metrics import CONTENT_TYPE, Metrics
from roundtable.ops import build_registry
from roundtable.publishing.routes import router as editions_router
from roundtable.realtime.hub import Hub
from roundtable.realtime.notifier import LocalNotifier, Notifier, PostgresNotifier
from roundtable.realtime.routes import router as live_router
from roundtable.schemas import Health, Ready
from roundtable.security import RateLimiter
from roundtable.services import Services
from roundtable.workshops.routes import router as workshops_router

log = logging.getLogger("roundtable")
STATIC_DIR = Path(__file__).parent / "static"
READY_TIMEOUT_S = 2.0

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}
# API answers carry what people wrote and who they are: no cache keeps them.
API_HEADERS = {"cache-control": "no-store"}
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "object-src 'none'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (the API docs get a looser CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope["path"] in ("/docs", "/redoc")
        extra = API_HEADERS if scope["path"].startswith("/api/") else {}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.decode().lower() for k, _ in headers}
                for name, value in {**SECURITY_HEADERS, **extra}.items():
                    if name == "content-security-policy" and is_docs:
                        value = DOCS_CSP
                    if name not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def build_notifier(settings: Settings, node_id: str) -> Notifier:
    if settings.is_sqlite:
        return LocalNotifier()
    return PostgresNotifier(settings.database_url, node_id=node_id)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
        node_id = secrets.token_hex(4)
        notifier = build_notifier(settings, node_id)
        metrics = app.state.metrics = Metrics()
        hub = Hub(
            engine,
            notifier,
            node_id=node_id,
            buffer_size=settings.hub_buffer_events,
            poll_interval_s=settings.poll_interval_s,
        )
        app.state.services = Services(
            settings=settings,
            engine=engine,
            registry=build_registry(),
            notifier=notifier,
            hub=hub,
            join_limiter=RateLimiter(settings.join_failures_per_minute),
            login_limiter=RateLimiter(settings.login_failures_per_minute),
            metrics=metrics,
        )
        # Processes start on the first export.
        pool = app.state.render_pool = RenderPool(on_rendered=metrics.export_duration.observe)
        metrics.bind("connections", lambda: hub.stats["connections"])
        metrics.bind("notifier_reconnects", lambda: notifier.reconnects)
        metrics.bind("export_queue", lambda: pool.pending)
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()
            app.state.render_pool.shutdown()
            engine.dispose()

    app = FastAPI(
        title="Roundtable",
        version=__version__,
        summary="Live, collaborative checklists for policy workshops",
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestId)  # outermost: the id is known to everything inside
    _install_error_handlers(app)

    @app.get("/api/health", operation_id="health", response_model=Health, tags=["ops"])
    def health() -> Health:
        """Liveness: the process answers. It checks nothing else."""
        return Health(status="ok", version=__version__)

    @app.get(
        "/api/ready",
        operation_id="ready",
        response_model=Ready,
        responses={503: {"model": Ready, "description": "The database or notifier is down"}},
        tags=["ops"],
    )
    async def ready(request: Request) -> JSONResponse:
        """Readiness: the database answers ``SELECT 1`` and the notifier is listening."""
        services: Services = request.app.state.services
        database = await _check_database(services.engine)
        notifier = "ok" if services.notifier.healthy() else "unavailable: not listening"
        good = database == "ok" and notifier == "ok"
        body = Ready(
            status="ready" if good else "unavailable", database=database, notifier=notifier
        )
        return JSONResponse(body.model_dump(), status_code=200 if good else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(app.state.metrics.render(), media_type=CONTENT_TYPE)

    for router in (
        auth_router,
        workshops_router,
        groups_router,
        checklists_router,
        interchange_router,
        suggestions_router,
        exports_router,
        editions_router,
        live_router,
    ):
        app.include_router(router)
    _mount_spa(app)
    return app


def _error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    body: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    return JSONResponse({"error": body}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(OpRejected)
    async def op_rejected(_request: Request, exc: OpRejected) -> JSONResponse:
        response = _error(exc.status, exc.code, exc.message, exc.field)
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        return _error(422, "invalid", f"{loc}: {first.get('msg', 'invalid')}", loc or None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        codes = {
            400: "bad_request",
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthenticated",
            403: "forbidden",
        }
        return _error(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))

    @app.exception_handler(DataError)
    async def unstorable(_request: Request, exc: DataError) -> JSONResponse:
        # A backstop: input validation should refuse such values first, naming the field.
        log.warning("the database refused a value: %s", type(exc.orig).__name__)
        return _error(422, "invalid", "a value cannot be stored (out of range or malformed)")

    @app.exception_handler(OperationalError)
    async def database_unavailable(_request: Request, exc: OperationalError) -> JSONResponse:
        # Down, restarting, locked past the busy timeout or out of disk: nothing of this
        # request was committed (one transaction each), so it may be sent again.
        reason = str(exc.orig or exc).strip().splitlines()
        log.warning("database unavailable: %s", (reason[0] if reason else "")[:200])
        return _error(503, "unavailable", "the database is unavailable; try again shortly")

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(exc).__name__)
        response = _error(500, "internal", "something went wrong on our side")
        # This answer is sent from outside the middleware that adds the headers.
        response.headers.update({**SECURITY_HEADERS, **API_HEADERS})
        rid = current_request_id()
        if rid is not None:
            response.headers["X-Request-ID"] = rid
        return response


def _select_one(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


async def _check_database(engine: Engine) -> str:
    """``ok``, or ``unavailable: <why>``. Off the event loop, bounded by a short timeout
    (a thread still stuck in a connect is abandoned, not waited for)."""
    try:
        with anyio.fail_after(READY_TIMEOUT_S):
            await anyio.to_thread.run_sync(_select_one, engine, abandon_on_cancel=True)
    except TimeoutError:
        return f"unavailable: no answer within {READY_TIMEOUT_S:g} s"
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return f"unavailable: {(reason[0] if reason else type(exc).__name__)[:200]}"
    return "ok"


PLACEHOLDER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Roundtable</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Roundtable</h1>
<p>The browser app has not been built. Run <code>make run</code>, or read the
<a href="/docs">API documentation</a>.</p></main></body></html>"""


def _mount_spa(app: FastAPI) -> None:
    index = STATIC_DIR / "index.html"
    if (STATIC_DIR / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC_DIR / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> Response:
        if path.startswith("api/"):
            return _error(404, "not_found", f"no API route /{path}")
        candidate = (STATIC_DIR / path).resolve()
        if path and candidate.is_file() and STATIC_DIR.resolve() in candidate.parents:
            from fastapi.responses import FileResponse

            return FileResponse(candidate)
        if index.is_file():
            return HTMLResponse(index.read_text(encoding="utf-8"))
        return HTMLResponse(PLACEHOLDER_PAGE)
