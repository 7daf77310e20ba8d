"""Password hashing (pwdlib, Argon2) and access tokens (PyJWT, HS256)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"

password_hash = PasswordHash((Argon2Hasher(),))

# Argon2 takes 64 MiB per hash by default: bound how many run at once so a burst of logins
# cannot push a small container over its memory limit.
_HASH_SLOTS = threading.BoundedSemaphore(2)

# Verified against when the email is unknown, so that answer takes as long as a wrong password.
DUMMY_HASH = password_hash.hash("timing-equaliser-password")


def hash_password(password: str) -> str:
    with _HASH_SLOTS:
        return password_hash.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    with _HASH_SLOTS:
        return password_hash.verify(password, hashed)


def create_access_token(*, subject: int, secret: str, expires: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(subject), "iat": now, "exp": now + expires}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> int | None:
    """The user id the token was issued for, or None when it is invalid or expired."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.InvalidTokenError:
        return None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.isdigit() or len(sub) > 10:
        return None
    user_id = int(sub)
    return user_id if 0 < user_id < 2**31 else None
