"""Dependencies shared by the routes, as `Annotated` aliases (SessionDep, CurrentUser, ...)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from todo_backend import crud
from todo_backend.core.config import Settings
from todo_backend.core.security import decode_access_token
from todo_backend.models import UserPublic


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
UNAUTHORIZED = {
    401: {"description": "No bearer token, or one that is invalid, expired or names no account"}
}


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


def _token(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> tuple[str, int]:
    """The bearer token and the account id it was issued for; 401 when there is none."""
    if credentials is None:
        raise unauthorized("Not authenticated")
    # Signature and expiry are checked on every request; only the account lookup is cached.
    user_id = decode_access_token(credentials.credentials, secret=settings.jwt_secret)
    if user_id is None:
        raise unauthorized(INVALID_CREDENTIALS)  # expired, forged or malformed
    return credentials.credentials, user_id


async def _account(session: AsyncSession, user_id: int) -> UserPublic:
    found = await crud.get_user(session=session, user_id=user_id)
    if found is None:  # a token for an account this database does not have (or no longer)
        raise unauthorized(INVALID_CREDENTIALS)
    return UserPublic.model_validate(found)


async def get_current_user(
    request: Request, session: SessionDep, settings: SettingsDep, credentials: CredentialsDep
) -> UserPublic:
    """The token's account, possibly remembered from an earlier request (token_user_cache).
    Only for routes whose queries prove the account still exists (the todo routes: see
    crud.OwnerGone); routes about the account itself use CurrentAccount."""
    token, user_id = _token(settings, credentials)
    known: TTLCache[str, UserPublic] = request.app.state.token_users
    user = known.get(token)
    if user is None:
        user = known[token] = await _account(session, user_id)
    return user


async def get_current_account(
    session: SessionDep, settings: SettingsDep, credentials: CredentialsDep
) -> UserPublic:
    """The token's account, read from the database on every request."""
    _, user_id = _token(settings, credentials)
    return await _account(session, user_id)


CurrentUser = Annotated[UserPublic, Depends(get_current_user)]
CurrentAccount = Annotated[UserPublic, Depends(get_current_account)]


def token_user_cache() -> TTLCache[str, UserPublic]:
    """Remembers which account a token belongs to, briefly (per process, keyed by the token).

    This saves the lookup that every todo request would repeat: one database round trip of
    the three a todo list costs. Accounts can be closed (DELETE /users/me) or removed by an
    operator, in any replica, so a remembered account is never taken as proof that it still
    exists: the todo queries prove it (a todo row exists only with its owner) or check it,
    and a closed account's tokens answer 401 at once everywhere (see crud.OwnerGone). The
    process that closes an account also forgets its tokens (forget_account).
    """
    return TTLCache(maxsize=4096, ttl=30)


def forget_account(known: TTLCache[str, UserPublic], user_id: int) -> None:
    """Drops every remembered token of the account from this process's cache."""
    for token in [token for token, user in known.items() if user.id == user_id]:
        known.pop(token, None)


# Ids are PostgreSQL integers: anything outside that range cannot exist, so it is refused (422)
# before it reaches the database.
TodoId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The todo's id")]
