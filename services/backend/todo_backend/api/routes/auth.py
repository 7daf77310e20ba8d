"""Accounts: register, log in, log out. Registration and login are throttled per client
address and account (todo_backend.throttle): 429 with Retry-After."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Response, status

from todo_backend import crud
from todo_backend.api.deps import (
    BODY_ERRORS,
    INVALID_CREDENTIALS,
    THROTTLED,
    UNAUTHORIZED,
    AccountSessionDep,
    CallerDep,
    ClientAddress,
    SessionDep,
    SettingsDep,
    ThrottleDep,
    unauthorized,
)
from todo_backend.core.security import create_access_token
from todo_backend.models import ErrorDetail, Token, UserCreate, UserLogin, UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])

LOGIN_FAILED = "Incorrect email or password"
EMAIL_TAKEN = "An account with this email already exists"


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    responses={
        **BODY_ERRORS,
        409: {"description": EMAIL_TAKEN, "model": ErrorDetail},
        **THROTTLED,
    },
)
async def register(
    session: AccountSessionDep, throttle: ThrottleDep, address: ClientAddress, user_in: UserCreate
) -> UserPublic:
    """Creates an account. A taken email is a clear 409: without email verification there
    is no way to answer both alike and still let a new user in, so the answer says it, and
    the per-address limit (every attempt counts) keeps that from being a fast lookup."""
    await throttle.count_registration(address=address)
    try:
        user = await crud.create_user(session=session, user_in=user_in)
    except crud.EmailTaken:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=EMAIL_TAKEN) from None
    await throttle.registered(email=user.email, address=address)
    return UserPublic.model_validate(user)


@router.post(
    "/login",
    response_model=Token,
    responses={
        **BODY_ERRORS,
        401: {"description": LOGIN_FAILED, "model": ErrorDetail},
        **THROTTLED,
    },
)
async def login(
    session: AccountSessionDep,
    settings: SettingsDep,
    throttle: ThrottleDep,
    address: ClientAddress,
    credentials: UserLogin,
) -> Token:
    # Counted before the password is checked (unknown emails alike, so a 429 says nothing
    # about which emails have accounts).
    attempt = await throttle.begin_login(email=credentials.email, address=address)
    user = await crud.authenticate(
        session=session, email=credentials.email, password=credentials.password
    )
    if user is None or user.id is None:
        raise unauthorized(LOGIN_FAILED)
    await throttle.login_succeeded(attempt)
    lifetime = timedelta(minutes=settings.ACCESS_TOKEN_EXPIRE_MINUTES)
    session_id = await crud.start_session(session=session, user_id=user.id, lifetime=lifetime)
    token = create_access_token(
        subject=user.id, session_id=session_id, secret=settings.jwt_secret, expires=lifetime
    )
    return Token(access_token=token, expires_in=int(lifetime.total_seconds()))


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={204: {"description": "The token's session has ended"}, **UNAUTHORIZED},
)
async def logout(session: SessionDep, caller: CallerDep) -> Response:
    """Ends the token's session: from now on it gets 401 in every replica. The account's
    other sessions (other devices) go on."""
    ended = await crud.end_session(
        session=session, user_id=caller.user.id, session_id=caller.session_id
    )
    if not ended:  # a concurrent logout ended it first
        raise unauthorized(INVALID_CREDENTIALS)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
