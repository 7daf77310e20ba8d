"""Dependencies of the routes, as `Annotated` aliases (SettingsDep, ChatSession), like the
backend's todo_backend/api/deps.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from todo_common.logs import current_request_id

from todo_agent.backend import BackendSession, BackendUnauthorized
from todo_agent.core.config import Settings
from todo_agent.ratelimit import ChatLimits, RateLimited
from todo_agent.schemas import ErrorDetail

UNAUTHORIZED_HEADERS = {"WWW-Authenticate": "Bearer"}
# auto_error=False: a missing header gets our own 401 (with WWW-Authenticate), not a 403.
bearer = HTTPBearer(auto_error=False)
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

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


async def get_settings_dep(request: Request) -> Settings:
    # async: FastAPI would run a plain function in a worker thread, a hop for nothing.
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def chat_session(request: Request, credentials: CredentialsDep) -> BackendSession:
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
            raise HTTPException(401, "missing bearer token", headers=UNAUTHORIZED_HEADERS)
        session = BackendSession(request.app.state.backend, token, current_request_id())
        try:
            user = await session.me()
        except BackendUnauthorized:
            limits.rejected(address, token)
            raise
        limits.accepted(str(user.id), token)
    except RateLimited as exc:
        raise HTTPException(
            429, exc.detail, headers={"Retry-After": str(exc.retry_after)}
        ) from None
    return session


ChatSession = Annotated[BackendSession, Depends(chat_session)]
