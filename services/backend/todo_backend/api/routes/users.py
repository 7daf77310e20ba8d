"""The signed-in user's own account: read it, change its password, close it."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status

from todo_backend import crud
from todo_backend.api.deps import (
    BODY_ERRORS,
    INVALID_CREDENTIALS,
    THROTTLED,
    UNAUTHORIZED,
    CallerDep,
    ClientAddress,
    CurrentUser,
    SessionDep,
    ThrottleDep,
    unauthorized,
)
from todo_backend.models import ErrorDetail, PasswordChange, UserPublic

router = APIRouter(prefix="/users", tags=["users"], responses=UNAUTHORIZED)

WRONG_PASSWORD = "The current password is incorrect"  # noqa: S105 - a message


@router.get("/me", response_model=UserPublic)
async def read_me(current_user: CurrentUser) -> UserPublic:
    return current_user


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        204: {"description": "Changed; every other session of the account has ended"},
        **BODY_ERRORS,
        400: {
            "description": f"{WRONG_PASSWORD} (or the body could not be parsed)",
            "model": ErrorDetail,
        },
        **THROTTLED,
    },
)
async def change_password(
    session: SessionDep,
    caller: CallerDep,
    throttle: ThrottleDep,
    address: ClientAddress,
    change: PasswordChange,
) -> Response:
    """Sets a new password. The caller's own session goes on; every other session of the
    account (other devices, a stolen token) gets 401 from now on. A wrong current password
    counts as a failed login (so this is no way around the login limits)."""
    attempt = await throttle.begin_login(email=caller.user.email, address=address)
    if not await crud.check_password(
        session=session, user_id=caller.user.id, password=change.current_password
    ):
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail=WRONG_PASSWORD)
    await throttle.login_succeeded(attempt)
    await crud.change_password(
        session=session,
        user_id=caller.user.id,
        password=change.new_password,
        keep_session=caller.session_id,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={204: {"description": "The account and all its todos are deleted"}},
)
async def delete_me(session: SessionDep, current_user: CurrentUser) -> Response:
    """Closes the caller's account: the user, all their todos and all their sessions. Every
    token issued for it answers 401 from then on, and its id is never given to another
    account."""
    closed = await crud.delete_user(session=session, user_id=current_user.id)
    if not closed:  # a concurrent request closed it first
        raise unauthorized(INVALID_CREDENTIALS)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
