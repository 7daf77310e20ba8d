"""The signed-in user's own account."""

from __future__ import annotations

from fastapi import APIRouter

from todo_backend.api.deps import CurrentUser
from todo_backend.models import UserPublic

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserPublic)
async def read_me(current_user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(current_user)
