"""Login and registration throttling (todo_backend.throttle): an attacker guessing passwords
meets a growing wait (429 with Retry-After), the account's owner still logs in from where
they did before, the counts hold across replicas and restarts (they are the database's), and
the client address comes from X-Forwarded-For only when a trusted peer sends it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from todo_backend.throttle import MAX_WAIT_SECONDS, PAIR, REGISTRATION, wait_after

from tests.conftest import (
    BACKEND_ARGS,
    PASSWORD,
    SERVICE_DIR,
    Backend,
    new_email,
    server_env,
)
from testsupport.servers import run_server

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
WRONG = "not the password"


def client(address: str) -> dict[str, str]:
    """Headers of a request the frontend forwards for a browser at `address`."""
    return {"X-Forwarded-For": address}


OWNER = client("198.51.100.7")
ATTACKER = client("203.0.113.66")


def register(api: httpx.Client, email: str, headers: dict[str, str]) -> None:
    response = api.post(REGISTER, json={"email": email, "password": PASSWORD}, headers=headers)
    assert response.status_code == 201, response.text


def login(api: httpx.Client, email: str, password: str, headers: dict[str, str]) -> httpx.Response:
    return api.post(LOGIN, json={"email": email, "password": password}, headers=headers)


def assert_throttled(response: httpx.Response, retry_after: int | None = None) -> None:
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    assert 1 <= seconds <= MAX_WAIT_SECONDS
    if retry_after is not None:
        assert seconds == retry_after
    unit = "second" if seconds == 1 else "seconds"
    assert response.json() == {"detail": f"Too many attempts; try again in {seconds} {unit}"}


def test_wrong_passwords_meet_a_growing_wait_while_the_owner_logs_in(api: httpx.Client) -> None:
    email = new_email()
    register(api, email, OWNER)
    for _ in range(PAIR.free):
        assert login(api, email, WRONG, ATTACKER).status_code == 401
    assert_throttled(login(api, email, WRONG, ATTACKER), retry_after=1)
    # The wait holds whatever the password: the right one is not even checked meanwhile.
    assert_throttled(login(api, email, PASSWORD, ATTACKER))
    # The owner, from the address they registered from, is not held back at all.
    assert login(api, email, PASSWORD, OWNER).status_code == 200

    for wait in (1, 2):  # each further failure doubles the wait
        time.sleep(wait + 0.2)
        assert login(api, email, WRONG, ATTACKER).status_code == 401
        assert_throttled(login(api, email, WRONG, ATTACKER), retry_after=wait * 2)


def test_guesses_from_many_addresses_hold_back_only_addresses_unknown_to_the_account(
    api: httpx.Client,
) -> None:
    email = new_email()
    register(api, email, OWNER)
    for n in range(20):  # the account's limit over unknown addresses
        assert login(api, email, WRONG, client(f"203.0.113.{n + 1}")).status_code == 401
    assert_throttled(login(api, email, PASSWORD, client("192.0.2.200")))
    assert login(api, email, PASSWORD, OWNER).status_code == 200
    # Logging in from an address makes it known: a second device of the owner there, too.
    assert login(api, email, PASSWORD, OWNER).status_code == 200


def test_one_address_trying_many_accounts_is_held_back_but_not_its_own_users(
    api: httpx.Client,
) -> None:
    shared = client("203.0.113.200")  # e.g. one NAT address for a whole office
    email = new_email()
    register(api, email, shared)
    for _ in range(50):  # the address's limit over all accounts
        assert login(api, new_email(), WRONG, shared).status_code == 401
    assert_throttled(login(api, new_email(), WRONG, shared))
    assert login(api, email, PASSWORD, shared).status_code == 200
    assert login(api, new_email(), WRONG, client("192.0.2.9")).status_code == 401  # others go on


def test_a_burst_of_parallel_guesses_gets_no_more_than_the_free_attempts(
    api: httpx.Client, backend: Backend
) -> None:
    """Attempts are counted before the password is checked: 20 guesses sent at once cannot
    all be checked before the first failure is written."""
    email = new_email()
    register(api, email, OWNER)

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=backend.url, timeout=30) as aclient:
            body = {"email": email, "password": WRONG}
            calls = [aclient.post(LOGIN, json=body, headers=ATTACKER) for _ in range(20)]
            return [response.status_code for response in await asyncio.gather(*calls)]

    statuses = asyncio.run(burst())
    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= PAIR.free, statuses
    assert login(api, email, PASSWORD, OWNER).status_code == 200


@pytest.fixture
def restarted(backend: Backend, tmp_path: Path) -> Iterator[str]:
    """A server process started during the test, on the same database (another replica, or
    the same one after a restart)."""
    app_env = "development" if backend.kind == "sqlite" else "production"
    with run_server(
        BACKEND_ARGS,
        cwd=SERVICE_DIR,
        env=server_env(backend.database_url, app_env=app_env),
        log_path=tmp_path / "server.log",
    ) as url:
        yield url


def test_the_counts_hold_across_replicas_and_restarts(api: httpx.Client, restarted: str) -> None:
    email = new_email()
    register(api, email, OWNER)
    with httpx.Client(base_url=restarted, timeout=30) as replica:
        for server in (api, replica, api, replica, api):  # five failures over two processes
            assert login(server, email, WRONG, ATTACKER).status_code == 401
        assert_throttled(login(replica, email, WRONG, ATTACKER))
        assert_throttled(login(api, email, WRONG, ATTACKER))
        assert login(replica, email, PASSWORD, OWNER).status_code == 200


def test_registration_is_limited_per_address(api: httpx.Client) -> None:
    """Every attempt counts, a taken email's 409 too: finding out which emails have
    accounts costs one attempt each, at the limit's pace."""
    email = new_email()
    here = client("203.0.113.9")
    register(api, email, here)
    for _ in range(REGISTRATION.free - 1):
        again = api.post(REGISTER, json={"email": email, "password": PASSWORD}, headers=here)
        assert again.status_code == 409
    refused = api.post(REGISTER, json={"email": new_email(), "password": PASSWORD}, headers=here)
    assert_throttled(refused, retry_after=1)
    register(api, new_email(), client("192.0.2.33"))  # another address is not affected


def test_a_throttled_answer_is_documented(api: httpx.Client) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in (LOGIN, REGISTER, "/api/v1/users/me/password"):
        answer = paths[path]["post"]["responses"]["429"]
        assert "Retry-After" in answer["headers"], path


@pytest.fixture
def untrusting(backend: Backend, tmp_path: Path) -> Iterator[str]:
    """A server that believes no proxy (TRUSTED_PROXIES empty): X-Forwarded-For is ignored."""
    app_env = "development" if backend.kind == "sqlite" else "production"
    env = {**server_env(backend.database_url, app_env=app_env), "TRUSTED_PROXIES": ""}
    with run_server(
        BACKEND_ARGS, cwd=SERVICE_DIR, env=env, log_path=tmp_path / "server.log"
    ) as url:
        yield url


def test_x_forwarded_for_counts_only_from_a_trusted_peer(
    api: httpx.Client, untrusting: str
) -> None:
    """The tests' peer is 127.0.0.1: trusted by default, so each forwarded address is its
    own client; with no trusted proxy, an attacker writing a new X-Forwarded-For on every
    guess is still one client."""
    trusted_email, untrusted_email = new_email(), new_email()
    register(api, trusted_email, OWNER)
    register(api, untrusted_email, OWNER)
    forged = [client(f"192.0.2.{n}") for n in range(1, PAIR.free + 2)]
    for headers in forged:
        assert login(api, trusted_email, WRONG, headers).status_code == 401
    with httpx.Client(base_url=untrusting, timeout=30) as server:
        for headers in forged[:-1]:
            assert login(server, untrusted_email, WRONG, headers).status_code == 401
        assert_throttled(login(server, untrusted_email, WRONG, forged[-1]))


def test_the_wait_doubles_up_to_fifteen_minutes() -> None:
    waits = [wait_after(PAIR, attempts).total_seconds() for attempts in range(1, 30)]
    assert waits[: PAIR.free - 1] == [0] * (PAIR.free - 1)
    assert waits[PAIR.free - 1 : PAIR.free + 4] == [1, 2, 4, 8, 16]
    assert max(waits) == MAX_WAIT_SECONDS == 900
    assert wait_after(PAIR, 10**6).total_seconds() == 900
