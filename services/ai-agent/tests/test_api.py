"""The agent's HTTP contract: probes, authentication, input bounds, request ids, and what the
user sees when the backend is down (a clear 502, never a 500)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SERVICE_DIR, agent_env, serve_agent
from tests.users import User
from testsupport.servers import free_port


@pytest.fixture(scope="module")
def orphan_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An agent whose backend address has nothing listening."""
    env = agent_env(f"http://127.0.0.1:{free_port()}")
    with serve_agent(env, tmp_path_factory.mktemp("orphan") / "agent.log") as url:
        yield url


def _chat(agent: str, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(f"{agent}/api/v1/chat", json=body, headers=headers or {}, timeout=30)


def test_health_never_touches_the_backend(orphan_agent: str) -> None:
    response = httpx.get(f"{orphan_agent}/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_only_when_the_backend_answers(orphan_agent: str, offline_agent: str) -> None:
    down = httpx.get(f"{orphan_agent}/readyz")
    assert down.status_code == 503
    assert down.json()["status"] == "unavailable"
    assert down.json()["detail"].startswith("the todo service is unreachable")
    up = httpx.get(f"{offline_agent}/readyz")
    assert (up.status_code, up.json()) == (200, {"status": "ready"})


def test_an_unreachable_backend_is_a_502_with_a_reason(orphan_agent: str) -> None:
    response = _chat(orphan_agent, {"message": "what's left"}, {"Authorization": "Bearer x"})
    assert response.status_code == 502
    assert response.json() == {"detail": "the todo service is unreachable"}


@pytest.mark.integration
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer not-a-jwt"}],
    ids=["no token", "not bearer", "bad token"],
)
@pytest.mark.parametrize("message", ["what's left", "help", "blah"])
def test_chat_needs_a_valid_token(offline_agent: str, headers: dict, message: str) -> None:
    # "help" and "blah" need no data, yet a bad token still gets 401, not an answer.
    response = _chat(offline_agent, {"message": message}, headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert isinstance(response.json()["detail"], str)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": ""}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({}, "message"),
        ({"message": "hi", "history": [{"role": "user", "content": "x"}] * 21}, "history"),
        ({"message": "hi", "history": [{"role": "tool", "content": "x"}]}, "history"),
        ("just text", "body"),
    ],
    ids=["empty", "too long", "missing", "long history", "tool role", "not an object"],
)
def test_out_of_bounds_input_is_a_422_with_the_field(
    offline_agent: str, alice: User, body: object, field: str
) -> None:
    response = _chat(offline_agent, body, alice.auth)
    assert response.status_code == 422
    assert any(field in map(str, error["loc"]) for error in response.json()["detail"])


@pytest.mark.integration
def test_the_longest_allowed_message_is_answered(offline_agent: str, alice: User) -> None:
    response = _chat(offline_agent, {"message": "add " + "x" * 1996}, alice.auth)
    assert response.status_code == 200
    # Too long for a todo title (200): a readable refusal, not an error page.
    assert response.json()["reply"] == "A todo title can have at most 200 characters."
    assert alice.todos() == []


@pytest.mark.integration
def test_the_request_id_is_echoed(offline_agent: str, alice: User) -> None:
    headers = {**alice.auth, "X-Request-ID": "chat-test-123"}
    response = _chat(offline_agent, {"message": "list"}, headers)
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "chat-test-123"
    generated = _chat(offline_agent, {"message": "list"}, alice.auth)
    assert len(generated.headers["X-Request-ID"]) >= 16


@pytest.mark.integration
def test_an_oversized_body_is_refused_before_it_is_read(offline_agent: str, alice: User) -> None:
    history = [{"role": "assistant", "content": "x" * 20_000}] * 60
    response = _chat(offline_agent, {"message": "hi", "history": history}, alice.auth)
    assert response.status_code == 413
    assert response.json()["detail"] == "request body larger than 1048576 bytes"


@pytest.mark.integration
def test_a_long_listing_reply_fits_back_into_the_history(offline_agent: str, alice: User) -> None:
    for i in range(60):
        alice.create(f"chore number {i} " + "x" * 150)
    listing = alice.say(offline_agent, "list my todos")
    assert listing["reply"].startswith("Your todos (60):")
    assert listing["reply"].endswith("... and 10 more.")
    history = [
        {"role": "user", "content": "list my todos"},
        {"role": "assistant", "content": listing["reply"]},
    ]
    assert alice.say(offline_agent, "what's left", history)["actions"][0]["type"] == "listed"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AGENT_MAX_STEPS", "0"),
        ("OPENAI_MAX_RETRIES", "many"),
        ("APP_ENV", "staging"),
        ("AGENT_CHAT_RATE_LIMIT_PER_USER", "lots"),
        ("AGENT_CHAT_RATE_LIMIT_UNAUTHENTICATED", "0/minute"),
    ],
)
def test_a_bad_setting_stops_the_agent_with_its_name(variable: str, value: str) -> None:
    env = {**os.environ, **agent_env("http://127.0.0.1:9"), variable: value}
    env["OPENAI_API_KEY"] = "sk-secret-value-never-printed"
    done = subprocess.run(
        [sys.executable, "-c", "import todo_agent.main as m; m.app"],
        cwd=SERVICE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(f"todo-agent: configuration error: {variable}:")
    )
    assert "sk-secret-value-never-printed" not in done.stderr + done.stdout
