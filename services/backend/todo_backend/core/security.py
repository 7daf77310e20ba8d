"""Password hashing (pwdlib, Argon2) and access tokens (PyJWT, HS256)."""

from __future__ import annotations

import threading
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
