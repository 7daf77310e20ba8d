"""The agent's HTTP API (docs/contracts.md): POST /api/v1/chat, /healthz, /readyz."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from todo_common.errors import install_validation_errors
from todo_common.limits import BodySizeLimitMiddleware
from todo_common.logs import (
    AccessLogMiddleware,
    configure_logging,
    current_request_id,
    valid_request_id,
)

from todo_agent import backend, model
from todo_agent.actions import ActionLog
from todo_agent.backend import BackendSession, BackendUnauthorized, BackendUnavailable
from todo_agent.config import Settings, get_settings
from todo_agent.offline import run_offline
from todo_agent.ratelimit import ChatLimits, RateLimited
from todo_agent.schemas import MAX_BODY_BYTES, ChatRequest, ChatResponse, ErrorDetail

logger = logging.getLogger(__name__)

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}
_bearer = HTTPBearer(auto_error=False)


async def chat_session(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> BackendSession:
    """The caller's backend session, decided before the message is read: the address's limit
    for requests without a valid token (429), the token itself (the backend's GET
    /users/me: 401), the user's limit (429). The agent passes the token through and holds
    none itself."""
    limits: ChatLimits = request.app.state.limits
    address = request.client.host if request.client else "unknown"
    token = credentials.credentials if credentials else None
    try:
        limits.check_client(address, token)
        if not token:
            limits.rejected(address, token)
            raise HTTPException(401, "missing bearer token", headers=_UNAUTHORIZED)
        session = BackendSession(request.app.state.backend, token, current_request_id())
        try:
            user = await session.me()
        except BackendUnauthorized:
            limits.rejected(address, token)
            raise
        limits.accepted(str(user["id"]), token)
    except RateLimited as exc:
        raise HTTPException(
            429, exc.detail, headers={"Retry-After": str(exc.retry_after)}
        ) from None
    return session


ChatSession = Annotated[BackendSession, Depends(chat_session)]

_RETRY_AFTER = {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}
CHAT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorDetail, "description": "missing, invalid or expired bearer token"},
    429: {
        "model": ErrorDetail,
        "description": "too many chat turns for this user, or too many requests without a "
        "valid token from this address",
        "headers": {"Retry-After": _RETRY_AFTER},
    },
    502: {"model": ErrorDetail, "description": "the todo service is unreachable or failing"},
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    app.state.backend = backend.make_client(settings.backend_url, settings.backend_timeout_seconds)
    app.state.limits = ChatLimits(
        settings.agent_chat_rate_limit_per_user, settings.agent_chat_rate_limit_unauthenticated
    )
    app.state.model = model.make_client(settings) if settings.model_enabled else None
    logger.info(
        "agent started",
        extra={"mode": "openai" if settings.model_enabled else "offline",
               "backend_url": settings.backend_url, "model": settings.openai_model},
    )  # fmt: skip
    try:
        yield
    finally:
        await app.state.backend.aclose()
        if app.state.model is not None:
            await app.state.model.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # The HTTP clients log every request at INFO; the access line and warnings are enough.
    configure_logging(settings.log_level, quiet=("httpx", "httpx2", "openai"))
    production = settings.app_env == "production"
    app = FastAPI(
        title="todo-ai-agent",
        lifespan=lifespan,
        docs_url=None if production else "/docs",
        redoc_url=None,
        openapi_url=None if production else "/openapi.json",
    )
    app.state.settings = settings
    install_validation_errors(app)  # 422 without the input echoed; never a 500
    # Outermost last: the request id exists before anything logs; the size limit applies
    # before any body is read.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    # Probes are logged only when they fail.
    app.add_middleware(
        AccessLogMiddleware, logger="todo_agent.access", quiet_paths=("/healthz", "/readyz")
    )
    app.add_middleware(
        CorrelationIdMiddleware, header_name="X-Request-ID", validator=valid_request_id
    )

    @app.exception_handler(BackendUnauthorized)
    async def _unauthorized(_: Request, __: BackendUnauthorized) -> JSONResponse:
        return JSONResponse(
            {"detail": "invalid or expired token"}, status_code=401, headers=_UNAUTHORIZED
        )

    @app.exception_handler(BackendUnavailable)
    async def _unavailable(_: Request, exc: BackendUnavailable) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=502)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        problem = await backend.backend_reachable(request.app.state.backend)
        if problem:
            return JSONResponse({"status": "unavailable", "detail": problem}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.post("/api/v1/chat", responses=CHAT_ERRORS)
    async def chat(body: ChatRequest, request: Request, session: ChatSession) -> ChatResponse:
        log = ActionLog()
        today = dt.date.today()
        client = request.app.state.model
        try:
            if client is not None:
                reply = await model.run_model(
                    client, settings, session, body.message, body.history, log, today
                )
            else:
                reply = await run_offline(session, body.message, body.history, log, today)
        except BackendUnavailable as exc:
            if not log.changes:
                raise  # nothing happened: 502 with the reason
            # Some changes went through before the backend failed: say exactly which.
            reply = f"The todo service failed midway ({exc.detail}). {log.done_so_far()}"
        except BackendUnauthorized:
            raise
        except Exception:
            if not log.changes:
                raise
            # Even a bug must not hide changes already made: report them, log the rest.
            logger.exception("chat turn failed after changes")
            reply = f"Something went wrong on my side. {log.done_so_far()}"
        mode = "openai" if client is not None else "offline"
        return ChatResponse(reply=reply, actions=log.actions, mode=mode)

    return app


def _app_or_exit() -> FastAPI:
    try:
        return create_app()
    except ValidationError as exc:
        # Names the variables and the rule, never the values (one may be the API key).
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise SystemExit(f"todo-agent: configuration error: {problems}") from None


def __getattr__(name: str) -> FastAPI:
    # `uvicorn todo_agent.main:app` builds the app on first access, so importing this module
    # (tests, tools) does not read the environment or configure logging.
    if name == "app":
        globals()["app"] = application = _app_or_exit()
        return application
    raise AttributeError(name)
