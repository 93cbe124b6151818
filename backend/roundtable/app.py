"""``create_app``: the ASGI application. Resources live in the lifespan, never at import."""

from __future__ import annotations

import asyncio
import gc
import logging
import secrets
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from roundtable import __version__, apidoc
from roundtable.accounts.routes import router as auth_router
from roundtable.assessments.routes import router as assessments_router
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
from roundtable.metrics import CONTENT_TYPE, Metrics, scrape_refusal
from roundtable.ops import build_registry
from roundtable.publishing.routes import router as editions_router
from roundtable.realtime.direct import CaptureTransport
from roundtable.realtime.hub import Hub
from roundtable.realtime.notifier import LocalNotifier, Notifier, PostgresNotifier
from roundtable.realtime.routes import router as live_router
from roundtable.realtime.sessions import watch_sessions
from roundtable.safeguards.routes import router as safeguards_router
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


class BodyLimit:
    """Refuses a request body past its size limit with 413, before it is read whole.

    A declared ``Content-Length`` past the limit is refused without reading anything; a
    chunked body is read up to the limit and refused at the first byte past it. The body
    that fits is handed on as read (the app reads every JSON body whole anyway).
    """

    def __init__(self, app: ASGIApp, limit: int, large: dict[str, int]) -> None:
        self.app = app
        self.limit = limit
        self.large = large  # path -> its own limit (imports)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.large.get(scope["path"], self.limit)
        declared = dict(scope.get("headers", ())).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = _error(413, "too_large", f"body: larger than the limit of {limit} bytes", "body")
        response.headers["connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


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
        metrics.bind("direct_frames", lambda: hub.stats["direct_frames"])
        for stat in ("frames_built", "presence_frames", "presence_frames_built"):
            metrics.bind(stat, partial(hub.stats.__getitem__, stat))
        hub.observe_fanout = metrics.fanout_lag.observe
        metrics.bind("notifier_reconnects", lambda: notifier.reconnects)
        metrics.bind("export_queue", lambda: pool.pending)
        await hub.start()
        watch = asyncio.create_task(watch_sessions(hub, settings.session_check_s))
        # What start-up made (modules, routes, the schema) lives as long as the process:
        # out of the collector's sight, a full collection walks only what requests make
        # (110-120 ms pauses on the live path while an export's rows were read, 7 ms after).
        gc.collect()
        gc.freeze()
        # The writer thread gives the GIL up at every SQLite call (a dozen per op) and must
        # take it back each time. While the event loop is busy (a fan-out, ops arriving),
        # Python makes a waiting thread wait out the whole switch interval, 5 ms by default:
        # an op's trip through the writer was 0.9 ms at the median and 4 ms at p99. A short
        # interval bounds each wait (docs/performance.md, "The writer waits for the GIL").
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(settings.gil_switch_interval_us / 1e6)
        try:
            yield
        finally:
            sys.setswitchinterval(switch_interval)
            watch.cancel()
            await hub.stop()
            app.state.render_pool.shutdown()
            engine.dispose()

    app = FastAPI(
        title="Roundtable",
        version=__version__,
        summary="Live, collaborative checklists for policy workshops",
        lifespan=lifespan,
    )
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        large={"/api/workshops/import": settings.max_import_bytes},
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestId)  # the id is known to everything inside
    app.add_middleware(CaptureTransport)  # outermost: the server's own WebSocket send
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
    def metrics(request: Request) -> Response:
        peer = request.client.host if request.client else None
        refusal = scrape_refusal(settings.metrics_token, request.headers, peer)
        if refusal is not None:
            status, message = refusal
            response = _error(status, STATUS_CODES[status], message)
            if status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
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
        assessments_router,
        safeguards_router,
        live_router,
    ):
        app.include_router(router)
    _mount_spa(app)
    apidoc.install(app)
    return app


STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
}


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
        code = STATUS_CODES.get(exc.status_code, "error")
        response = _error(exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. Allow on a 405
        return response

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


ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _refuse_unknown_api(app: FastAPI) -> None:
    """Any method on a path under ``/api/`` that no route serves is 404 (the SPA's GET
    catch-all would otherwise make every other method 405); a known path asked with a
    method it does not take stays 405."""

    @app.api_route("/api/{path:path}", methods=ALL_METHODS, include_in_schema=False)
    def unknown_api(path: str, request: Request) -> Response:
        allowed = [
            method
            for method in ALL_METHODS
            if _served_before(app, {**request.scope, "method": method}, unknown_api)
        ]
        if allowed:
            response = _error(405, "method_not_allowed", f"/{path} does not take {request.method}")
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return _error(404, "not_found", f"no API route /{path}")


def _served_before(app: FastAPI, scope: Scope, stop: object) -> bool:
    """Whether a route registered before the one whose endpoint is ``stop`` takes ``scope``."""
    for route in app.router.routes:
        if getattr(route, "endpoint", None) is stop:
            return False
        if route.matches(scope)[0] is Match.FULL:
            return True
    return False


def _mount_spa(app: FastAPI) -> None:
    _refuse_unknown_api(app)
    index = STATIC_DIR / "index.html"
    if (STATIC_DIR / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC_DIR / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> Response:
        candidate = (STATIC_DIR / path).resolve()
        if path and candidate.is_file() and STATIC_DIR.resolve() in candidate.parents:
            from fastapi.responses import FileResponse

            return FileResponse(candidate)
        if index.is_file():
            return HTMLResponse(index.read_text(encoding="utf-8"))
        return HTMLResponse(PLACEHOLDER_PAGE)
