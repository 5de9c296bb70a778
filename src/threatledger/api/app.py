"""The app factory: the HTTP API under /api, the web UI at /, static files at /static."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from threatledger import __version__
from threatledger.api import errors, routes_graph, routes_read, routes_write
from threatledger.api.context import AppState, Extractor, StorePool, default_extractor
from threatledger.api.headers import SecurityHeadersMiddleware
from threatledger.api.limits import BodyLimitMiddleware
from threatledger.api.schemas import ErrorBody
from threatledger.errors import ThreatledgerError
from threatledger.settings import get_settings

WORKER_THREADS = 8
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": "The error shape of every route."}
    for status in (401, 403, 404, 413, 422, 500)
}


def create_app(
    store_url: str, *, token: str | None = None, extractor: Extractor | None = None, create: bool = False
) -> FastAPI:
    """The API and web UI over the store at ``store_url``; ingest and review need ``token``.

    The store is opened once here, so a wrong URL fails now and not on the first request.
    ``extractor`` replaces the spaCy extractor for ingest (tests hand in a stub).
    """
    from threatledger.web import STATIC_DIR
    from threatledger.web.pages import router as pages_router

    settings = get_settings()
    pool = StorePool(store_url, create=create)
    pool.get()
    state = AppState(pool, token or None, extractor or default_extractor)
    state.max_document_bytes = settings.max_document_bytes

    app = FastAPI(
        title="threatledger",
        version=__version__,
        description="A sourced ledger of state-sponsored and political violence and its legal aftermath.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        responses=ERROR_RESPONSES,
        lifespan=_lifespan,
    )
    app.state.threatledger = state
    _add_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_document_bytes * 2 + 64_000)
    app.add_middleware(SecurityHeadersMiddleware)
    for router in (routes_read.router, routes_graph.router, routes_write.router, pages_router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """A few worker threads (SQLite releases the GIL while it reads, but 40 threads on 2 cores only
    queue); every store closed at the end."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield
    state: AppState = app.state.threatledger
    state.cache.close()
    state.pool.close_all()


def _add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ThreatledgerError, errors.handle_threatledger_error)
    app.add_exception_handler(StarletteHTTPException, errors.handle_http_error)
    app.add_exception_handler(RequestValidationError, errors.handle_validation_error)
