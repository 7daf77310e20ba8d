"""Login and registration throttling, counted in the database.

Why the database: the counts must hold across every backend replica and every restart, and the
database is the one store they all share (PostgreSQL in the cluster, SQLite in development).
The rate-limit libraries (`limits`, slowapi on top of it) count in memory (per process), Redis,
Memcached, MongoDB or etcd; this app runs none of those.

Each counter allows a burst of `free` attempts. The attempt that reaches `free` and every one
after it is followed by a wait, 1 s, then 2 s, 4 s, ... doubling up to 15 minutes, during
which the counter answers 429 with Retry-After. One attempt is forgiven per `regain` seconds
without attempts, so in the long run a counter lets one attempt through per `regain`.

An attempt is counted before the password is checked, so that a burst of parallel guesses
cannot all pass before the first failure is written; a right password gives it back.

The counters of a login (or of a password change: the current password is a login) by account
E from client address A:
- pair (E, A): 5 free, one regained per 5 minutes. A success clears it, and makes A a *known
  address* of E for 30 days (so does registering E from A).
- account E, from addresses not known for E: 20 free, one per 3 minutes. Against a guess at
  one account spread over many addresses.
- address A, over every account for which A is not known: 50 free (many users may share one
  NAT address), one per minute. Against one address trying many accounts.
A login from a known address meets its pair's counter only: the owner of an account, logging in
from where they have logged in before, is never held back by an attacker at other addresses
(account) nor by one trying other accounts from their address (address). An attacker at the
owner's own address meets the pair's counter, and holds the owner back for at most the current
wait (never more than 15 minutes), which runs out whatever the attacker does.
Registration: per address A, 50 free, one per minute; every attempt counts (201 and 409).

Keys are HMAC-SHA256 of the kind, the email and the address under a key derived from
JWT_SECRET, so the table holds no email and no address (a new secret starts every count anew).
Rows are deleted once they mean nothing any more (`expires_at`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from todo_backend.models import AuthThrottle, utcnow

log = logging.getLogger("todo_backend.throttle")

_TABLE = AuthThrottle.__table__  # type: ignore[attr-defined]
_COLUMNS = _TABLE.c

FIRST_WAIT_SECONDS = 1
MAX_WAIT_SECONDS = 15 * 60
KNOWN_FOR = timedelta(days=30)
# A counter written by two requests at once is read again and retried; past this many rounds
# the attempt is refused as throttled (only a flood of parallel attempts gets there).
WRITE_ROUNDS = 8


@dataclass(frozen=True)
class Rule:
    kind: str
    free: int
    regain_seconds: int


PAIR = Rule("login-pair", free=5, regain_seconds=300)
ACCOUNT = Rule("login-account", free=20, regain_seconds=180)
ADDRESS = Rule("login-address", free=50, regain_seconds=60)
REGISTRATION = Rule("register-address", free=50, regain_seconds=60)


class Throttled(Exception):
    """Answered 429 with Retry-After."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def wait_after(rule: Rule, attempts: int) -> timedelta:
    """How long the counter refuses after its `attempts`-th attempt."""
    if attempts < rule.free:
        return timedelta(0)
    exponent = min(attempts - rule.free, 20)
    return timedelta(seconds=min(FIRST_WAIT_SECONDS * 2**exponent, MAX_WAIT_SECONDS))


def _retry_after(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


@dataclass
class _Row:
    key: str
    attempts: int
    counted_at: datetime
    blocked_until: datetime | None
    known_until: datetime | None
    expires_at: datetime
    version: int


@dataclass(frozen=True)
class LoginAttempt:
    """What begin_login counted, for login_succeeded to give back."""

    pair: str
    others: tuple[tuple[Rule, str], ...]


class Throttle:
    """The counters, on the app's engine. Each step takes one connection of its own for a
    few short statements (never across password hashing), outside the request's session."""

    def __init__(self, secret: str, engine: AsyncEngine) -> None:
        self._secret = hmac.new(
            secret.encode("utf-8"), b"todo-backend auth throttle", hashlib.sha256
        ).digest()
        self._engine = engine

    def key(self, rule: Rule, *parts: str) -> str:
        message = "\x00".join((rule.kind, *parts)).encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    # ---- logins -----------------------------------------------------------------------

    async def begin_login(self, *, email: str, address: str) -> LoginAttempt:
        """Counts a login attempt of `email` from `address`; raises Throttled instead when
        one of its counters is refusing."""
        pair = self.key(PAIR, email, address)
        others = ((ACCOUNT, self.key(ACCOUNT, email)), (ADDRESS, self.key(ADDRESS, address)))
        async with self._engine.connect() as conn:
            now = utcnow()
            rows = await _rows(conn, [pair, *(key for _, key in others)])
            known = pair in rows and _after(rows[pair].known_until, now)
            counted = ((PAIR, pair),) if known else ((PAIR, pair), *others)
            waits = [
                row.blocked_until
                for _, key in counted
                if (row := rows.get(key)) is not None and _after(row.blocked_until, now)
            ]
            if waits:
                raise Throttled(_retry_after(max(waits), now))  # type: ignore[type-var]
            for rule, key in counted:
                await _count(conn, rule, key, rows.get(key))
        return LoginAttempt(pair=pair, others=() if known else others)

    async def login_succeeded(self, attempt: LoginAttempt) -> None:
        """The password was right: the pair starts over and its address is known; the account
        and address counters get this attempt back."""
        async with self._engine.connect() as conn:
            now = utcnow()
            await _mark_known(conn, attempt.pair, now)
            for rule, key in attempt.others:
                await _give_back(conn, rule, key)
            # Forget what no longer means anything (an indexed range; usually nothing).
            await conn.execute(delete(_TABLE).where(_COLUMNS.expires_at < now))
            await conn.commit()

    # ---- registrations ----------------------------------------------------------------

    async def count_registration(self, *, address: str) -> None:
        key = self.key(REGISTRATION, address)
        async with self._engine.connect() as conn:
            await _count(conn, REGISTRATION, key, (await _rows(conn, [key])).get(key))

    async def registered(self, *, email: str, address: str) -> None:
        """The new account's address is known for it: its owner's logins from there only
        meet their own pair's counter."""
        async with self._engine.connect() as conn:
            await _mark_known(conn, self.key(PAIR, email, address), utcnow())
            await conn.commit()


# ---- the counters -------------------------------------------------------------------------


async def _rows(conn: AsyncConnection, keys: list[str]) -> dict[str, _Row]:
    result = await conn.execute(select(_TABLE).where(_COLUMNS.key.in_(keys)))
    return {row.key: _Row(**row._mapping) for row in result}


async def _write(conn: AsyncConnection, old: _Row | None, new: _Row) -> bool:
    """Compare and swap: writes `new` only if the row is still `old` (by its version)."""
    values = dataclasses.asdict(new)
    try:
        if old is None:
            await conn.execute(insert(_TABLE).values(**values))
            written = True
        else:
            result = await conn.execute(
                update(_TABLE)
                .where(_COLUMNS.key == old.key, _COLUMNS.version == old.version)
                .values(**values)
            )
            written = result.rowcount == 1
        await conn.commit()
    except IntegrityError:  # another request inserted the row first
        await conn.rollback()
        return False
    return written


async def _count(conn: AsyncConnection, rule: Rule, key: str, old: _Row | None) -> None:
    """Counts one attempt on the counter whose row was read as `old`; raises Throttled if it
    is refusing. A row another request changed meanwhile is read again."""
    for _ in range(WRITE_ROUNDS):
        now = utcnow()
        if old is not None and _after(old.blocked_until, now):
            raise Throttled(_retry_after(old.blocked_until, now))  # type: ignore[arg-type]
        attempts = _remaining(rule, old, now) + 1
        wait = wait_after(rule, attempts)
        blocked_until = now + wait if wait else None
        known_until = old.known_until if old is not None else None
        new = _Row(
            key=key,
            attempts=attempts,
            counted_at=now,
            blocked_until=blocked_until,
            known_until=known_until,
            expires_at=_expiry(rule, attempts, now, blocked_until, known_until),
            version=old.version + 1 if old is not None else 1,
        )
        if await _write(conn, old, new):
            if wait:
                log.warning(
                    "attempts throttled",
                    extra={"limit": rule.kind, "retry_after": int(wait.total_seconds())},
                )
            return
        old = (await _rows(conn, [key])).get(key)
    raise Throttled(FIRST_WAIT_SECONDS)


async def _give_back(conn: AsyncConnection, rule: Rule, key: str) -> None:
    """One attempt fewer; below the burst again, the wait it started is lifted. One
    statement, so no read is needed (the version changes for any compare-and-swap under way)."""
    attempts = _COLUMNS.attempts
    await conn.execute(
        update(_TABLE)
        .where(_COLUMNS.key == key, attempts > 0)
        .values(
            attempts=attempts - 1,
            blocked_until=case((attempts - 1 < rule.free, None), else_=_COLUMNS.blocked_until),
            version=_COLUMNS.version + 1,
        )
    )


async def _mark_known(conn: AsyncConnection, key: str, now: datetime) -> None:
    """The pair starts over, and its address is known for KNOWN_FOR."""
    known_until = now + KNOWN_FOR
    values = {
        "attempts": 0,
        "counted_at": now,
        "blocked_until": None,
        "known_until": known_until,
        "expires_at": known_until,
    }
    for _ in range(WRITE_ROUNDS):
        result = await conn.execute(
            update(_TABLE).where(_COLUMNS.key == key).values(**values, version=_COLUMNS.version + 1)
        )
        if result.rowcount == 1:
            return
        if await _write(conn, None, _Row(key=key, version=1, **values)):
            return


def _after(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment > now


def _remaining(rule: Rule, row: _Row | None, now: datetime) -> int:
    """The row's attempts less those regained since its last counted one."""
    if row is None:
        return 0
    regained = int((now - row.counted_at).total_seconds() // rule.regain_seconds)
    return max(0, row.attempts - regained)


def _expiry(
    rule: Rule,
    attempts: int,
    counted_at: datetime,
    blocked_until: datetime | None,
    known_until: datetime | None,
) -> datetime:
    """When the row stops meaning anything: every attempt regained, no wait, not known."""
    moments = [counted_at + timedelta(seconds=attempts * rule.regain_seconds)]
    moments += [moment for moment in (blocked_until, known_until) if moment is not None]
    return max(moments)
