"""`create_app(settings)`: the FastAPI application around its own engine (tests build several).

`todo_backend.main:app` is the one the image serves.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from todo_common.edges import install_edges
from todo_common.headers import NoStoreMiddleware

from todo_backend import crud, migrate
from todo_backend.api.deps import INVALID_CREDENTIALS
from todo_backend.api.main import api_router
from todo_backend.api.routes import health
from todo_backend.core.config import Settings, get_settings
from todo_backend.core.db import make_async_engine, make_engine
from todo_backend.throttle import Throttle, Throttled

log = logging.getLogger("todo_backend")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_startup()
    engine = make_async_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Development convenience only: production runs `python -m todo_backend.migrate`
        # once per release (the chart's job), never from every replica at start.
        if not settings.is_production and settings.is_sqlite:
            sync_engine = make_engine(settings)
            migrate.upgrade(sync_engine)
            sync_engine.dispose()
        log.info("started", extra={"app_env": settings.APP_ENV, "database": engine.dialect.name})
        try:
            yield
        finally:
            await engine.dispose()  # uvicorn calls this after draining requests on SIGTERM
            log.info("stopped")

    app = FastAPI(
        title="Todo backend",
        version="1.0.0",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.throttle = Throttle(settings.jwt_secret, engine)
    # As many requests at the database as the pool keeps open: the overflow connections are
    # closed on return, and opening one (TCP + SCRAM authentication) per request cost more
    # than the query. The overflow stays for the readiness probe.
    app.state.db_slots = anyio.CapacityLimiter(settings.DB_POOL_SIZE)
    app.include_router(health.router)
    app.include_router(api_router)

    @app.exception_handler(Throttled)
    async def throttled(request: Request, exc: Exception) -> JSONResponse:
        seconds = exc.retry_after if isinstance(exc, Throttled) else 1
        unit = "second" if seconds == 1 else "seconds"
        return JSONResponse(
            {"detail": f"Too many attempts; try again in {seconds} {unit}"},
            429,
            headers={"Retry-After": str(seconds)},
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeoutError)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable", extra={"error": type(exc).__name__})
        return JSONResponse({"detail": "the database is unavailable, retry later"}, 503)

    @app.exception_handler(crud.OwnerGone)
    async def account_gone(request: Request, exc: Exception) -> JSONResponse:
        # The token was valid, but its account has been closed (here or in another replica).
        return JSONResponse(
            {"detail": INVALID_CREDENTIALS}, 401, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(StaleDataError)
    async def vanished(request: Request, exc: Exception) -> JSONResponse:
        # The todo was deleted by a concurrent request between our read and our write.
        return JSONResponse({"detail": "Todo not found"}, 404)

    @app.exception_handler(SQLAlchemyError)
    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        # Never echo SQL or driver text to the client; the log has the class for operators.
        log.exception("database error", extra={"error": type(exc).__name__})
        return JSONResponse({"detail": "internal error"}, 500)

    # Every API answer carries a user's data, a token or an error about them; the public API
    # description is the exception. The shared layers go outside it.
    app.add_middleware(
        NoStoreMiddleware, prefix="/api/", exempt=(app.openapi_url or "", app.docs_url or "")
    )
    install_edges(app, access_logger="todo_backend.access", max_body_bytes=settings.MAX_BODY_BYTES)
    return app
