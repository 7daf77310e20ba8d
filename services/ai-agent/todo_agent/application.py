"""`create_app(settings)`: the agent's FastAPI application (docs/contracts.md: POST
/api/v1/chat, /healthz, /readyz); tests build their own.

`todo_agent.main:app` is the one the image serves.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from todo_common.edges import install_edges

from todo_agent import backend, model
from todo_agent.api.deps import UNAUTHORIZED_HEADERS
from todo_agent.api.main import api_router
from todo_agent.api.routes import health
from todo_agent.backend import BackendUnauthorized, BackendUnavailable
from todo_agent.core.config import Settings, get_settings
from todo_agent.ratelimit import ChatLimits

logger = logging.getLogger("todo_agent")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.backend = backend.make_client(
            settings.BACKEND_URL, settings.BACKEND_TIMEOUT_SECONDS
        )
        app.state.limits = ChatLimits(
            settings.AGENT_CHAT_RATE_LIMIT_PER_USER, settings.AGENT_CHAT_RATE_LIMIT_UNAUTHENTICATED
        )
        app.state.model = model.make_client(settings) if settings.model_enabled else None
        logger.info(
            "agent started",
            extra={"mode": "openai" if settings.model_enabled else "offline",
                   "backend_url": settings.BACKEND_URL, "model": settings.OPENAI_MODEL},
        )  # fmt: skip
        try:
            yield
        finally:
            await app.state.backend.aclose()
            if app.state.model is not None:
                await app.state.model.close()

    app = FastAPI(
        title="todo-ai-agent",
        lifespan=lifespan,
        docs_url=None if settings.is_production else "/docs",
        redoc_url=None,
        openapi_url=None if settings.is_production else "/openapi.json",
    )
    app.state.settings = settings
    app.include_router(health.router)
    app.include_router(api_router)

    @app.exception_handler(BackendUnauthorized)
    async def unauthorized(_: Request, __: BackendUnauthorized) -> JSONResponse:
        return JSONResponse(
            {"detail": "invalid or expired token"}, status_code=401, headers=UNAUTHORIZED_HEADERS
        )

    @app.exception_handler(BackendUnavailable)
    async def unavailable(_: Request, exc: BackendUnavailable) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=502)

    # Probes are logged only when they fail.
    install_edges(
        app,
        access_logger="todo_agent.access",
        max_body_bytes=settings.MAX_BODY_BYTES,
        quiet_paths=("/healthz", "/readyz"),
    )
    return app
