"""Password hashing (pwdlib, Argon2) and access tokens (PyJWT, HS256)."""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

ALGORITHM = "HS256"

# Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 40 ms here, and
# small enough for a pod with a 256 MiB limit. pwdlib's default (64 MiB, 3 passes, 4 lanes)
# costs ~300 ms and 64 MiB per login on a 2-core node.
password_hash = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19456, parallelism=1),))

# Bound how many hashes run at once so a burst of logins cannot exhaust memory or starve
# every other request of CPU.
_HASH_SLOTS = threading.BoundedSemaphore(4)

# Verified against when the email is unknown, so that answer takes as long as a wrong password.
DUMMY_HASH = password_hash.hash("timing-equaliser-password")


def hash_password(password: str) -> str:
    with _HASH_SLOTS:
        return password_hash.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    with _HASH_SLOTS:
        return password_hash.verify(password, hashed)


@dataclass(frozen=True)
class TokenClaims:
    user_id: int  # the account the token was issued for
    session_id: str  # its login session (login_sessions.id): logout ends it


# Strict forms, ASCII only: `str.isdigit` also accepts "²" or "٣", which int() then refuses.
_SUBJECT = re.compile(r"[1-9][0-9]{0,9}")
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_USER_ID = 2**31 - 1  # PostgreSQL integer


def new_session_id() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits, 22 characters


def create_access_token(*, subject: int, session_id: str, secret: str, expires: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(subject), "jti": session_id, "iat": now, "exp": now + expires}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> TokenClaims | None:
    """The account and session the token names, or None when it is invalid or expired, or
    when either claim is not exactly in the form this service issues."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "jti"]}
        )
    except jwt.InvalidTokenError:
        return None
    sub, jti = claims.get("sub"), claims.get("jti")
    if not isinstance(sub, str) or _SUBJECT.fullmatch(sub) is None:
        return None
    if not isinstance(jti, str) or _SESSION_ID.fullmatch(jti) is None:
        return None
    user_id = int(sub)
    return TokenClaims(user_id, jti) if user_id <= MAX_USER_ID else None
