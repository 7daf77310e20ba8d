"""Invalid chat requests (the shared handler, todo_common.errors): whatever bytes arrive, the
agent answers a 4xx with a reason, never a 500 and never a traceback in its log; a 422 holds
location, message and type only, never the input.

The agent runs with this checkout's shared package on its path, against a stand-in backend on
127.0.0.1 that accepts any token (only the body is under test here; nothing is looked up)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import agent_env, serve_agent

CHAT = "/api/v1/chat"
HEADERS = {"Authorization": "Bearer any-token", "Content-Type": "application/json"}


class _AnyTokenBackend(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/api/v1/users/me"):
            self._json(200, {"id": 1, "email": "a@example.com", "created_at": "2026-12-01T00:00Z"})
        elif self.path.startswith("/api/v1/todos") and "priority=high" in self.path:
            # Not the backend's Todo: another service, or another version of the backend.
            self._json(200, {"items": [{"id": 1, "name": "ODD-" + SECRET.decode()}], "total": 1})
        elif self.path.startswith("/api/v1/todos"):
            self._json(200, {"items": [], "total": 0, "limit": 50, "offset": 0})
        else:
            self._json(404, {"detail": "Not Found"})

    def _json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def stand_in_backend() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AnyTokenBackend)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def agent(stand_in_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    log_path = tmp_path_factory.mktemp("agent-validation") / "agent.log"
    env = agent_env(stand_in_backend, APP_ENV="development")  # serves the OpenAPI document
    with serve_agent(env, log_path) as url:
        yield url, log_path


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


SECRET = b"my secret message 42"
PROBES = [
    pytest.param(b'{"message": "\\ud800' + SECRET + b'"}', 422, id="lone-surrogate"),
    pytest.param(b'{"message": ' + nested(1000) + b"}", 422, id="nested-1000"),
    pytest.param(b'{"message": ' + nested(200_000) + b"}", 400, id="nested-beyond-the-parser"),
    pytest.param(b'{"message": 1e999}', 422, id="infinite-number"),
    pytest.param(b'{"message": ' + b"9" * 5000 + b"}", 400, id="5000-digit-number"),
    pytest.param(b'{"message": "hi", "history": [{"role": "\\udfff"}]}', 422, id="surrogate-role"),
    pytest.param(b'{"message": "' + b"m" * 2001 + b'"}', 422, id="message-too-long"),
    pytest.param(b'["' + SECRET + b'"]', 422, id="array-body"),
    pytest.param(b"\xff\xfe", 422, id="not-utf-8"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "status"), PROBES)
def test_any_invalid_chat_body_is_a_4xx_with_a_reason(
    agent: tuple, raw: bytes, status: int
) -> None:
    url, log_path = agent
    since = log_path.stat().st_size
    response = httpx.post(f"{url}{CHAT}", content=raw, headers=HEADERS, timeout=30)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    if status == 422:
        assert detail
        for error in detail:
            assert set(error) == {"loc", "msg", "type"}, error
    else:
        assert isinstance(detail, str)
        assert detail
    assert SECRET.decode() not in response.text
    assert "mmmmmmmmm" not in response.text
    # A traceback is logged just after the 500 went out: one more request and its answer
    # let the agent finish with the probe before its log is read.
    assert httpx.get(f"{url}/healthz", timeout=30).status_code == 200
    written = _since(log_path, since)
    assert "Traceback" not in written, written
    assert not {json.loads(line).get("level") for line in written.splitlines()} & {"ERROR"}


def test_a_backend_answer_of_another_shape_is_a_502_with_the_reason(agent: tuple) -> None:
    url, log_path = agent
    since = log_path.stat().st_size
    response = httpx.post(
        f"{url}{CHAT}", json={"message": "show high priority todos"}, headers=HEADERS, timeout=30
    )
    assert response.status_code == 502
    assert response.json() == {
        "detail": "the todo service sent an answer the agent does not understand"
    }
    assert httpx.get(f"{url}/healthz", timeout=30).status_code == 200
    written = _since(log_path, since)
    assert "Traceback" not in written, written
    assert "ODD-" not in written + response.text


def test_the_openapi_error_schema_is_what_a_422_holds(agent: tuple) -> None:
    url, _ = agent
    spec = httpx.get(f"{url}/openapi.json", timeout=30).json()
    assert set(spec["components"]["schemas"]["ValidationError"]["properties"]) == {
        "loc",
        "msg",
        "type",
    }


def _since(path: Path, offset: int) -> str:
    with path.open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace")
