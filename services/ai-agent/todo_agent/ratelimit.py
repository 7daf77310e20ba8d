"""Chat rate limits, held in memory by each agent replica (the agent has no shared store).

- Per user: `AGENT_CHAT_RATE_LIMIT_PER_USER` (default 20 per minute) chat turns per account,
  counted once the backend has accepted the token, before the message is read.
- Per client address, for requests without a valid token: `AGENT_CHAT_RATE_LIMIT_UNAUTHENTICATED`
  (default 30 per minute) answers of 401 (missing, malformed, expired or revoked token).
  Past it, the address gets 429 before its token is sent to the backend, except with a token
  this replica has seen valid within the last hour: users who were already chatting keep
  chatting while an anonymous flood from the same address (behind the frontend, every
  request comes from the frontend's address) is refused.

Each limit is a moving window (the `limits` library): at most N requests in any T seconds,
and Retry-After is when the oldest counted request leaves the window. Several limits can be
combined with ";" ("5/second;100/hour"); a request must fit into all of them.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

DEFAULT_PER_USER = "20/minute"
DEFAULT_UNAUTHENTICATED = "30/minute"
# Tokens seen valid are remembered (as SHA-256 digests) this long, at most this many.
KNOWN_TOKEN_SECONDS = 3600.0
KNOWN_TOKENS_MAX = 10_000


def parse_rates(value: str) -> list[RateLimitItem]:
    """`value` in the `limits` notation ("20/minute", "5/second;100/hour"), each at least 1."""
    try:
        rates = parse_many(value)
    except ValueError:
        rates = []
    if not rates or any(rate.amount < 1 for rate in rates):
        raise ValueError('must be a rate such as "20/minute" or "5/second;100/hour"')
    return rates


class RateLimited(Exception):
    """The caller must wait `retry_after` seconds before the next chat request."""

    def __init__(self, what: str, retry_after: int) -> None:
        self.detail = f"{what}; try again in {retry_after} seconds"
        super().__init__(self.detail)
        self.retry_after = retry_after


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class ChatLimits:
    """Every method is synchronous and quick (no I/O), so one chat request's check and count
    happen together: no other request runs in between on the event loop."""

    def __init__(self, per_user: str, unauthenticated: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._per_user = parse_rates(per_user)
        self._per_client = parse_rates(unauthenticated)
        self._known: OrderedDict[bytes, float] = OrderedDict()

    def _wait(self, rates: list[RateLimitItem], *key: str) -> int | None:
        """Seconds until every rate has room for one more request; None when all have now."""
        waits = [
            self._limiter.get_window_stats(rate, *key).reset_time - time.time()
            for rate in rates
            if not self._limiter.test(rate, *key)
        ]
        return max(1, math.ceil(max(waits))) if waits else None

    def _is_known(self, token: str) -> bool:
        seen = self._known.get(_digest(token))
        return seen is not None and time.monotonic() - seen < KNOWN_TOKEN_SECONDS

    def check_client(self, address: str, token: str | None) -> None:
        """Before the token goes to the backend: RateLimited if this address has had too many
        requests without a valid token and `token` is not one seen valid recently."""
        if token and self._is_known(token):
            return
        wait = self._wait(self._per_client, "client", address)
        if wait is not None:
            raise RateLimited("too many chat requests without a valid token", wait)

    def rejected(self, address: str, token: str | None) -> None:
        """The request is answered 401: it counts against its address."""
        if token:
            self._known.pop(_digest(token), None)
        for rate in self._per_client:
            self._limiter.hit(rate, "client", address)

    def accepted(self, user_id: str, token: str) -> None:
        """The backend accepted `token` for `user_id`: count the turn, or RateLimited."""
        digest = _digest(token)
        self._known[digest] = time.monotonic()
        self._known.move_to_end(digest)
        while len(self._known) > KNOWN_TOKENS_MAX:
            self._known.popitem(last=False)
        wait = self._wait(self._per_user, "user", user_id)
        if wait is not None:
            raise RateLimited("too many chat messages", wait)
        for rate in self._per_user:
            self._limiter.hit(rate, "user", user_id)
