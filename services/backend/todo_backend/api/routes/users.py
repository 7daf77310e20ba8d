"""The signed-in user's own account: read it, close it. Both read the account from the
database on every request (CurrentAccount), never from the token cache."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from todo_backend import crud
from todo_backend.api.deps import (
    INVALID_CREDENTIALS,
    UNAUTHORIZED,
    CurrentAccount,
    SessionDep,
    forget_account,
    unauthorized,
)
from todo_backend.models import UserPublic

router = APIRouter(prefix="/users", tags=["users"], responses=UNAUTHORIZED)


@router.get("/me", response_model=UserPublic)
async def read_me(current_user: CurrentAccount) -> UserPublic:
    return current_user


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={204: {"description": "The account and all its todos are deleted"}},
)
async def delete_me(
    request: Request, session: SessionDep, current_user: CurrentAccount
) -> Response:
    """Closes the caller's account: the user and all their todos. Every token issued for it
    answers 401 from then on, and its id is never given to another account."""
    closed = await crud.delete_user(session=session, user_id=current_user.id)
    forget_account(request.app.state.token_users, current_user.id)
    if not closed:  # a concurrent request closed it first
        raise unauthorized(INVALID_CREDENTIALS)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
