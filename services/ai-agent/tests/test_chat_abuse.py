"""Abuse of the chat endpoint, against the real backend and the agent served by uvicorn: a
message built to make the parser backtrack (with a bad token, and with a good one while the
health probe is timed), floods of requests without a valid token, and one user sending too
many turns."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager

import httpx
import pytest
from todo_agent.application import create_app
from todo_agent.core.config import Settings

from tests.conftest import agent_env, serve_agent
from tests.test_redos import LONG_PROBE, PROBE
from tests.users import User

BAD_TOKEN = {"Authorization": "Bearer not-a-token"}
# A bad token costs one backend call; 7.5 s was the time the probe took before.
REFUSAL_SECONDS = 1.0
# Measured here: /healthz answers in under 60 ms while four clients send worst-case
# messages back to back; before, it waited 6.9 s behind one 55-character message.
HEALTH_SECONDS = 0.5
# The slowest messages of tests/test_redos.py, each 2000 characters.
WORST = [LONG_PROBE, ("please add " + "the one " * 300)[:1995] + " done"]
ATTACKERS, ROUNDS = 4, 15
FLOODER = "127.0.0.2"  # another loopback address: Linux routes all of 127/8 to lo


def _chat(agent: str, message: str, headers: dict[str, str], timeout: float = 10) -> httpx.Response:
    return httpx.post(
        f"{agent}/api/v1/chat", json={"message": message}, headers=headers, timeout=timeout
    )


def _agent_limited_to(
    backend_url: str, logs: pytest.TempPathFactory, per_user: str, unauthenticated: str
) -> AbstractContextManager[str]:
    """The agent served with these chat rate limits (a context manager yielding its URL)."""
    env = agent_env(
        backend_url,
        AGENT_CHAT_RATE_LIMIT_PER_USER=per_user,
        AGENT_CHAT_RATE_LIMIT_UNAUTHENTICATED=unauthenticated,
    )
    return serve_agent(env, logs.mktemp("agent") / "agent.log")


@pytest.fixture(scope="module")
def attacked_agent(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Limits far above what these tests send: they meet the parser, not the limiter."""
    with _agent_limited_to(backend_url, tmp_path_factory, "1000/minute", "1000/minute") as url:
        yield url


@pytest.mark.integration
@pytest.mark.parametrize("message", [PROBE, LONG_PROBE], ids=["probe", "2000 characters"])
def test_a_backtracking_message_with_a_bad_token_is_refused_at_once(
    attacked_agent: str, message: str
) -> None:
    start = time.perf_counter()
    try:
        response = _chat(attacked_agent, message, BAD_TOKEN, timeout=10)
    except httpx.TimeoutException:
        pytest.fail("no answer within 10 s: the message was parsed before the token was checked")
    took = time.perf_counter() - start
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid or expired token"}
    assert took < REFUSAL_SECONDS, f"the refusal took {took:.2f} s"


@pytest.mark.integration
def test_health_answers_while_worst_case_chats_are_parsed(attacked_agent: str, alice: User) -> None:
    statuses: list[int] = []

    def attack() -> None:
        with httpx.Client(headers=alice.auth, timeout=10) as client:
            for i in range(ROUNDS):
                try:
                    response = client.post(
                        f"{attacked_agent}/api/v1/chat", json={"message": WORST[i % len(WORST)]}
                    )
                except httpx.TimeoutException:
                    statuses.append(0)
                    return
                statuses.append(response.status_code)

    attackers = [threading.Thread(target=attack, daemon=True) for _ in range(ATTACKERS)]
    for thread in attackers:
        thread.start()
    latencies: list[float] = []
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=5) as probe:
        while any(t.is_alive() for t in attackers) and time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                health = probe.get(f"{attacked_agent}/healthz")
            except httpx.TimeoutException:
                pytest.fail("/healthz did not answer within 5 s during the chats")
            latencies.append(time.perf_counter() - start)
            assert health.status_code == 200
            time.sleep(0.01)
    for thread in attackers:
        thread.join(timeout=30)
    # Both messages ask for a todo title over 200 characters: refused in words, not created.
    assert statuses == [200] * (ATTACKERS * ROUNDS)
    assert alice.todos() == []
    assert len(latencies) >= 5, "the chats ended before /healthz could be timed"
    assert max(latencies) < HEALTH_SECONDS, f"/healthz took up to {max(latencies):.2f} s"


@pytest.fixture(scope="module")
def limited_agent(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _agent_limited_to(backend_url, tmp_path_factory, "3/minute", "4/minute") as url:
        yield url


@pytest.mark.integration
def test_one_user_over_the_chat_limit_gets_429_with_retry_after(
    limited_agent: str, alice: User, bob: User
) -> None:
    for _ in range(3):
        assert alice.chat(limited_agent, "help").status_code == 200
    refused = alice.chat(limited_agent, "add buy milk")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("too many chat messages; try again in ")
    assert alice.todos() == []  # refused before the message was acted on
    assert bob.chat(limited_agent, "help").status_code == 200  # a limit per user, not for all


@pytest.mark.integration
def test_a_flood_without_a_valid_token_is_refused_but_known_users_chat_on(
    limited_agent: str, alice: User, bob: User
) -> None:
    # The flood comes from a second loopback address, as a second client would.
    flooder = httpx.Client(
        base_url=limited_agent, timeout=10, transport=httpx.HTTPTransport(local_address=FLOODER)
    )

    def chat(message: str, headers: dict[str, str]) -> httpx.Response:
        return flooder.post("/api/v1/chat", json={"message": message}, headers=headers)

    with flooder:
        assert chat("help", alice.auth).status_code == 200  # the agent now knows her token
        assert [chat("help", BAD_TOKEN).status_code for _ in range(4)] == [401] * 4
        for headers in (BAD_TOKEN, {}):
            refused = chat("help", headers)
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
            assert refused.json()["detail"].startswith(
                "too many chat requests without a valid token; try again in "
            )
        assert chat("list my todos", alice.auth).status_code == 200
        # A token the agent has not seen valid yet waits like the flood, from that address.
        assert chat("help", bob.auth).status_code == 429
    # Other addresses are not held up.
    assert bob.chat(limited_agent, "help").status_code == 200


def test_the_chat_errors_are_in_the_openapi_schema() -> None:
    app = create_app(Settings(APP_ENV="development", OPENAI_API_KEY=None))
    responses = app.openapi()["paths"]["/api/v1/chat"]["post"]["responses"]
    assert {"200", "401", "422", "429", "502"} <= responses.keys()
    assert responses["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    for status in ("401", "429", "502"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorDetail"}
