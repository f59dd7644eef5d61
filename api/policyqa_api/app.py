"""The app factory: settings, catalogue, model and index loaded once; one router per resource."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, make_asgi_app
from starlette.exceptions import HTTPException as StarletteHTTPException

from policyqa import __version__
from policyqa.embed import Embedder
from policyqa.retrieve import QueryError
from policyqa.settings import Settings

from .routers import ask, documents, health, passages, search
from .service import NotReady, Service

MAX_BODY_BYTES = 64 * 1024


def _error(status: int, error: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.service = Service.start(settings, embedder)
        yield

    app = FastAPI(title="policyqa", version=__version__, lifespan=lifespan,
                  description="Bilingual (French/English) search and question answering over migration policy texts.")
    registry = CollectorRegistry()
    requests = Counter("policyqa_requests", "HTTP requests", ["route", "status"], registry=registry)
    latency = Histogram("policyqa_request_seconds", "HTTP request latency", ["route"], registry=registry)

    @app.middleware("http")
    async def limits_and_metrics(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return _error(413, "request too large", f"at most {MAX_BODY_BYTES} bytes are accepted")
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        name = getattr(route, "path", "unmatched")
        requests.labels(name, str(response.status_code)).inc()
        latency.labels(name).observe(time.perf_counter() - started)
        return response

    @app.exception_handler(QueryError)
    async def query_error(_: Request, exc: QueryError):
        return _error(400, "bad query", str(exc))

    @app.exception_handler(NotReady)
    async def not_ready(_: Request, exc: NotReady):
        return _error(503, "not ready", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError):
        parts = [f"{'.'.join(str(x) for x in e.get('loc', ()) if x != 'query')}: {e.get('msg')}" for e in exc.errors()]
        return _error(422, "invalid request", "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException):
        return _error(exc.status_code, "not found" if exc.status_code == 404 else "error", str(exc.detail))

    for router in (health.router, search.router, ask.router, documents.router, passages.router):
        app.include_router(router, prefix="/v1")
    app.mount("/metrics", make_asgi_app(registry=registry))

    @app.get("/", include_in_schema=False)
    def root():
        # The chat page comes with the answers; until then the API's own documentation.
        return RedirectResponse("/docs")

    return app
