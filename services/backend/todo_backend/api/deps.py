"""Dependencies shared by the routes, as `Annotated` aliases (SessionDep, CurrentUser, ...)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel.ext.asyncio.session import AsyncSession
from todo_common.clients import client_address

from todo_backend import crud
from todo_backend.core.config import Settings
from todo_backend.core.security import decode_access_token
from todo_backend.models import ErrorDetail, UserPublic
from todo_backend.throttle import Throttle


async def get_settings_dep(request: Request) -> Settings:
    # async: FastAPI would run a plain function in a worker thread, a hop for nothing.
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Requests queue for a database slot first come, first served (an anyio limiter as large
    # as the connection pool): the pool's own waiting is not fair, and under load some
    # requests waited seconds while later ones went ahead.
    # expire_on_commit=False: every value a response shows is set in Python or returned by the
    # INSERT itself, so reloading objects after a commit would be a wasted round trip.
    async with (
        request.app.state.db_slots,
        AsyncSession(request.app.state.engine, expire_on_commit=False) as session,
    ):
        yield session


async def get_account_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Register and log in hold their connection only for a lookup and an insert, but their
    # request lasts through tens of milliseconds of password hashing: they do not take one of
    # the queue's slots (a burst of logins would otherwise stall every todo request).
    async with AsyncSession(request.app.state.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
AccountSessionDep = Annotated[AsyncSession, Depends(get_account_session)]

# auto_error=False: a missing header gets our own 401 (with WWW-Authenticate), not a 403.
bearer = HTTPBearer(auto_error=False, description="The access_token from /api/v1/auth/login")
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


INVALID_CREDENTIALS = "Could not validate credentials"
UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {
        "description": "No bearer token, or one that is invalid, expired, logged out, or names "
        "no account",
        "model": ErrorDetail,
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    }
}
# Any route with a JSON body: a body that is not JSON at all (or too deeply nested to parse) is
# 400, one over MAX_BODY_BYTES is 413.
BODY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body could not be parsed", "model": ErrorDetail},
    413: {"description": "The body is larger than the limit", "model": ErrorDetail},
}
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many attempts for this account or from this address: retry after "
        "the Retry-After seconds",
        "model": ErrorDetail,
        "headers": {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        },
    }
}


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the account, and the login session its token belongs to."""

    user: UserPublic
    session_id: str


async def get_caller(
    session: SessionDep, settings: SettingsDep, credentials: CredentialsDep
) -> Caller:
    """The token's account and session, checked in the database on every request (one
    query): a token works only while its session exists, so logout, a password change and
    closing the account take effect in every replica at once. (A per-process cache of tokens
    cannot know what another replica ended; it would only save this same lookup.)"""
    if credentials is None:
        raise unauthorized("Not authenticated")
    claims = decode_access_token(credentials.credentials, secret=settings.jwt_secret)
    if claims is None:
        raise unauthorized(INVALID_CREDENTIALS)  # expired, forged or malformed
    user = await crud.session_user(
        session=session, user_id=claims.user_id, session_id=claims.session_id
    )
    if user is None:  # logged out, or the account is gone (here or in another replica)
        raise unauthorized(INVALID_CREDENTIALS)
    return Caller(UserPublic.model_validate(user), claims.session_id)


async def get_current_user(caller: Annotated[Caller, Depends(get_caller)]) -> UserPublic:
    return caller.user


CallerDep = Annotated[Caller, Depends(get_caller)]
CurrentUser = Annotated[UserPublic, Depends(get_current_user)]


async def get_client_address(request: Request, settings: SettingsDep) -> str:
    """The client's address for the login and registration limits (todo_common.clients):
    the last X-Forwarded-For entry from a trusted peer (TRUSTED_PROXIES), else the peer."""
    return client_address(request.scope, settings.trusted_proxies)


ClientAddress = Annotated[str, Depends(get_client_address)]


async def get_throttle(request: Request) -> Throttle:
    return request.app.state.throttle


ThrottleDep = Annotated[Throttle, Depends(get_throttle)]


# Ids are PostgreSQL integers: anything outside that range cannot exist, so it is refused (422)
# before it reaches the database.
TodoId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The todo's id")]
