"""Accounts: register and log in."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, status

from todo_backend import crud
from todo_backend.api.deps import AccountSessionDep, SettingsDep, unauthorized
from todo_backend.core.security import create_access_token
from todo_backend.models import Token, UserCreate, UserLogin, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])

LOGIN_FAILED = "Incorrect email or password"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses={409: {"description": "An account with this email already exists"}},
)
async def register(session: AccountSessionDep, user_in: UserCreate) -> UserPublic:
    try:
        user = await crud.create_user(session=session, user_in=user_in)
    except crud.EmailTaken:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail="An account with this email already exists",
        ) from None
    return UserPublic.model_validate(user)


@router.post(
    "/login",
    response_model=Token,
    responses={401: {"description": LOGIN_FAILED}},
)
async def login(session: AccountSessionDep, settings: SettingsDep, credentials: UserLogin) -> Token:
    user = await crud.authenticate(
        session=session, email=credentials.email, password=credentials.password
    )
    if user is None or user.id is None:
        raise unauthorized(LOGIN_FAILED)
    expires = timedelta(minutes=settings.ACCESS_TOKEN_EXPIRE_MINUTES)
    token = create_access_token(subject=user.id, secret=settings.jwt_secret, expires=expires)
    return Token(access_token=token, expires_in=int(expires.total_seconds()))
