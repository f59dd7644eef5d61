"""The app factory: settings, catalogue, model and index loaded once; one router per resource."""

from __future__ import annotations

import logging
import re
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry, Counter, Histogram, make_asgi_app, multiprocess
from starlette.exceptions import HTTPException as StarletteHTTPException

from policyqa import __version__
from policyqa.conversation.store import ConversationStore
from policyqa.index.embedder import Embedder
from policyqa.retrieve.filters import QueryError
from policyqa.settings import Settings, SettingsError, metrics_folder
from policyqa.storage.database import StorageUnavailable

from . import vendor
from .bodylimit import MAX_BODY_BYTES, BodyLimit
from .errors import ApiError, error_name, message, reply, request_lang
from .ratelimit import RateLimit
from .routers import ask, compare, conversations, documents, health, index, passages, reading, render, search, training
from .schemas import ERRORS, LIMITED
from .service import NotReady, Service

# uvicorn's own access log prints each request's path, and paths carry conversation ids; this
# one prints the route's template instead (/v1/conversations/{conversation_id}).
ACCESS = logging.getLogger("policyqa.access")


def route_template(scope) -> str:
    """The matched route as written, with its prefix ("/v1/conversations/{conversation_id}"):
    included routers keep their own path on the route, without the prefix they were given."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template is None:
        # The page's and the documentation's files carry no id worth hiding; anything else
        # unmatched (a 404) may carry whatever a client typed.
        path = scope.get("path", "")
        return path if path.startswith(("/static/", "/static-offline-docs/", "/metrics")) else "unmatched"
    params = scope.get("path_params") or {}
    concrete = re.sub(r"{(\w+)(?::[^}]*)?}", lambda m: str(params.get(m[1], m[0])), template)
    path = scope.get("path", "")
    return path[: len(path) - len(concrete)] + template if path.endswith(concrete) else template


def _access_log() -> None:
    # Also when uvicorn is run directly rather than through `policyqa serve`.
    logging.getLogger("uvicorn.access").disabled = True
    if not ACCESS.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        ACCESS.addHandler(handler)
        ACCESS.setLevel(logging.INFO)
        ACCESS.propagate = False


STATIC = Path(__file__).parent / "static"
# The chat page loads nothing from elsewhere: the service must work offline, and a strict
# policy makes any stray external asset fail loudly in the browser test.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def settings_or_exit() -> Settings:
    """The settings, read once here; the service keeps them for its whole life.

    uvicorn prints a traceback for anything its app factory raises: a malformed variable gets
    its one line and exit code 2 instead, as on the command line.
    """
    try:
        return Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def exposed(registry: CollectorRegistry) -> CollectorRegistry:
    """What /metrics shows: this process's registry, or, with several workers, the sum over all
    of them (prometheus_client's multiprocess mode: each worker writes its values to files in
    the shared folder), so a counter does not depend on which worker the scrape reached."""
    if metrics_folder() is None:
        return registry
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined)
    return combined


def create_app(settings: Settings | None = None, embedder: Embedder | None = None, store: ConversationStore | None = None) -> FastAPI:
    settings = settings or settings_or_exit()
    _access_log()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.service = Service.start(settings, embedder, store)
        yield
        app.state.service.stop()

    # FastAPIOffline serves /docs and /redoc with their scripts from the package, never a CDN.
    app: FastAPI = FastAPIOffline(
        title="policyqa",
        version=__version__,
        lifespan=lifespan,
        description="Bilingual (French/English) search and question answering over migration policy texts.",
    )
    registry = CollectorRegistry()
    requests = Counter("policyqa_requests", "HTTP requests", ["route", "status"], registry=registry)
    latency = Histogram("policyqa_request_seconds", "HTTP request latency", ["route"], registry=registry)

    # Added before the metrics and access log below, so they run inside them and their
    # refusals (413, 429) are counted and logged like any other reply.
    if settings.rate_limit != "off":
        app.add_middleware(RateLimit, limits=settings.rate_limit)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.middleware("http")
    async def metrics_and_access_log(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        name = route_template(request.scope)
        requests.labels(name, str(response.status_code)).inc()
        latency.labels(name).observe(time.perf_counter() - started)
        client = request.client.host if request.client else "-"
        ACCESS.info('%s - "%s %s HTTP/%s" %d', client, request.method, name, request.scope.get("http_version", "1.1"), response.status_code)
        return response

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return reply(exc.status, error_name(exc.status), message(exc.key, request_lang(request), **exc.values), exc.key)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError):
        return reply(400, "bad query", message("bad_query", request_lang(request), detail=str(exc)), "bad_query")

    @app.exception_handler(NotReady)
    async def not_ready(request: Request, exc: NotReady):
        return reply(503, "not ready", message("not_ready", request_lang(request), detail=str(exc)), "not_ready")

    @app.exception_handler(StorageUnavailable)
    async def storage_down(request: Request, exc: StorageUnavailable):
        # Search keeps working without the database; what needs it waits until it is back.
        response = reply(503, "database unavailable", message("storage_down", request_lang(request), detail=str(exc)), "storage_down")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        lang = request_lang(request)
        if any(e.get("type") == "json_invalid" for e in errors):
            detail = "; ".join(str(e.get("ctx", {}).get("error", e.get("msg"))) for e in errors)
            return reply(400, "bad request", message("bad_json", lang, detail=detail), "bad_json")
        parts = [f"{'.'.join(str(x) for x in e.get('loc', ()) if x not in ('query', 'body')) or 'body'}: {e.get('msg')}" for e in errors]
        return reply(422, "invalid request", message("invalid", lang, detail="; ".join(parts)), "invalid")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        too_large = exc.status_code == 413
        detail = message("too_large", request_lang(request), limit=str(MAX_BODY_BYTES)) if too_large else str(exc.detail)
        response = reply(exc.status_code, error_name(exc.status_code), detail, "too_large" if too_large else "")
        for name, value in (exc.headers or {}).items():  # e.g. Allow on a 405
            response.headers[name] = value
        return response

    if settings.cors_origins:
        # Off by default: the chat page is same-origin; a partner's portal is allowed by name.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key", "X-Conversation-Token", "Accept-Language"],
        )

    for router in (health.router, conversations.router, documents.router, passages.router, reading.router, index.router, compare.router):
        app.include_router(router, prefix="/v1", responses=ERRORS)
    for router in (search.router, ask.router, render.router, training.router):
        app.include_router(router, prefix="/v1", responses=ERRORS | LIMITED)
    app.mount("/metrics", make_asgi_app(registry=exposed(registry)))
    pdfjs = vendor.ready()
    if pdfjs is not None:
        # Mounted before /static, which would otherwise answer for it. Without it (set-up not
        # run) the chat page shows the extracted text and says the page view is missing.
        app.mount("/static/vendor/pdfjs", StaticFiles(directory=pdfjs), name="pdfjs")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def chat_page():
        return FileResponse(
            STATIC / "index.html",
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-cache"},
        )

    return app
