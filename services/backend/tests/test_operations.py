"""Operational behaviour: probes, JSON logs with request ids, body limits, database outages,
refusing a bad production configuration, and shutting down on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    BACKEND_ARGS,
    JWT_SECRET,
    PYTHONPATH,
    SERVICE_DIR,
    Backend,
    server_env,
    signup,
)
from testsupport.servers import free_port, run_server, wait_healthy


def test_healthz_and_readyz_answer_ok(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_openapi_is_served(api: httpx.Client) -> None:
    spec = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/todos/{todo_id}/complete" in spec["paths"]


def test_request_id_is_echoed_or_generated(api: httpx.Client) -> None:
    echoed = api.get("/healthz", headers={"X-Request-ID": "agent-42"})
    assert echoed.headers["x-request-id"] == "agent-42"
    generated = api.get("/healthz").headers["x-request-id"]
    assert len(generated) >= 16
    assert generated != api.get("/healthz").headers["x-request-id"]
    refused = api.get("/healthz", headers={"X-Request-ID": "x" * 500})
    assert refused.headers["x-request-id"] != "x" * 500  # replaced, never logged as given


def test_oversized_bodies_are_413(api: httpx.Client, auth) -> None:
    big = {"title": "big", "description": "x" * (70 * 1024)}
    announced = api.post("/api/v1/todos", json=big, headers=auth)
    assert announced.status_code == 413
    assert "larger than 65536 bytes" in announced.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"title": "big", "description": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    streamed = api.post(
        "/api/v1/todos", content=chunks(), headers={**auth, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert api.get("/api/v1/todos", headers=auth).json()["total"] == 0


def test_malformed_json_is_422(api: httpx.Client, auth) -> None:
    response = api.post(
        "/api/v1/todos", content=b'{"title": ', headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 422


# ---- JSON logs -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def logged_server(backend: Backend, tmp_path_factory: pytest.TempPathFactory):
    """A second server on the same database with INFO logs captured to a file."""
    log_path = tmp_path_factory.mktemp("logs") / "server.log"
    env = {**server_env(backend.database_url, app_env="production"), "LOG_LEVEL": "INFO"}
    if backend.kind == "sqlite":
        env["APP_ENV"] = "development"
    with run_server(BACKEND_ARGS, cwd=SERVICE_DIR, env=env, log_path=log_path) as url:
        yield url, log_path


def test_logs_are_json_lines_with_the_request_id(logged_server, backend: Backend) -> None:
    url, log_path = logged_server
    with httpx.Client(base_url=url) as client:
        headers = signup(client)
        client.get("/api/v1/todos", headers={**headers, "X-Request-ID": "trace-abc-1"})
    deadline = time.monotonic() + 5  # the access line is written just after the response
    while True:
        lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
        access = [r for r in lines if r.get("path") == "/api/v1/todos"]
        if access or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert access, lines
    entry = access[-1]
    assert entry["request_id"] == "trace-abc-1"
    assert entry["status"] == 200
    assert entry["method"] == "GET"
    assert entry["level"] == "INFO"
    assert isinstance(entry["duration_ms"], float)
    assert all("request_id" in r for r in lines)
    assert "correct horse" not in log_path.read_text()  # passwords never logged


# ---- database outages ----------------------------------------------------------------------


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never answers (a hung database)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


def _logged(log_path: Path, message: str) -> list[dict]:
    deadline = time.monotonic() + 5  # the server writes its line just after answering
    while True:
        lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
        found = [entry for entry in lines if entry.get("message") == message]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.mark.parametrize("database", ["refused", "hung"])
def test_database_down_gives_503_never_500(database: str, silent_port: int, tmp_path: Path) -> None:
    """/readyz is public: it answers a generic reason, and the log says what failed (the
    driver's text names the host, the port and the user)."""
    port = free_port() if database == "refused" else silent_port
    url = f"postgresql://readiness_user:pw@127.0.0.1:{port}/todo"
    log_path = tmp_path / "server.log"
    with run_server(
        BACKEND_ARGS, cwd=SERVICE_DIR, env=server_env(url, app_env="production"),
        log_path=log_path,
    ) as base, httpx.Client(base_url=base, timeout=30) as client:  # fmt: skip
        assert client.get("/healthz").status_code == 200  # liveness never touches the database
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "detail": "the database is not available"}
        for secret in (str(port), "127.0.0.1", "readiness_user", "pw", "psycopg", "refused"):
            assert secret not in ready.text
        if database == "refused":
            login = client.post("/api/v1/auth/login", json={"email": "a@b.co", "password": "x"})
            assert login.status_code == 503
            assert login.json() == {"detail": "the database is unavailable, retry later"}
    [logged] = _logged(log_path, "not ready")
    assert logged["level"] == "WARNING"
    if database == "hung":
        assert logged["reason"] == "database did not answer within 2s"
    else:
        assert logged["reason"].startswith("database unavailable: ")
        assert f"port {port}" in logged["reason"]  # what the operator needs to see
    assert "pw@" not in log_path.read_text()


# ---- refusing a bad production configuration -----------------------------------------------


def start_app(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"JWT_SECRET", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import todo_backend.main"],
        cwd=SERVICE_DIR, env={**clean, "PYTHONPATH": PYTHONPATH, **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


DB = {"DATABASE_URL": "postgresql://todo:pw@127.0.0.1:1/todo"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({**DB}, "JWT_SECRET is required when APP_ENV=production"),
        ({**DB, "JWT_SECRET": ""}, "JWT_SECRET is required when APP_ENV=production"),
        ({**DB, "JWT_SECRET": "changethis"}, "JWT_SECRET is a well-known placeholder"),
        ({**DB, "JWT_SECRET": "s3cr3t-but-short"}, "JWT_SECRET must be at least 32 characters"),
        ({"JWT_SECRET": JWT_SECRET}, "DATABASE_URL (or POSTGRES_HOST) is required"),
        ({**DB, "JWT_SECRET": JWT_SECRET, "LOG_LEVEL": "chatty"}, "LOG_LEVEL: Input should be"),
        (
            {"JWT_SECRET": JWT_SECRET, "POSTGRES_HOST": "db", "POSTGRES_PORT": "notaport"},
            "POSTGRES_PORT",
        ),
        ({**DB, "JWT_SECRET": JWT_SECRET, "TRUSTED_PROXIES": "10.0.0.0/8,nope"}, "TRUSTED_PROXIES"),
    ],
)
def test_production_refuses_to_start_naming_the_variable(env: dict, message: str) -> None:
    result = start_app({"APP_ENV": "production", **env})
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    for value in env.values():
        if value and "postgresql" not in value and value != "db":
            assert value not in result.stderr  # the secret itself is never printed


def test_development_starts_without_settings() -> None:
    assert start_app({"APP_ENV": "development"}).returncode == 0


def test_migrate_refuses_sqlite_in_production() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "todo_backend.migrate"],
        cwd=SERVICE_DIR, capture_output=True, text=True, timeout=60,
        env={**os.environ, "APP_ENV": "production", "DATABASE_URL": "sqlite:////tmp/x.db"},
    )  # fmt: skip
    assert result.returncode == 2
    assert "DATABASE_URL (or POSTGRES_HOST) is required" in result.stderr


# ---- graceful shutdown ---------------------------------------------------------------------


def test_sigterm_drains_and_exits_cleanly(backend: Backend, tmp_path: Path) -> None:
    port = free_port()
    env = {**server_env(backend.database_url, app_env="development"), "LOG_LEVEL": "INFO"}
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [a.replace("{port}", str(port)) for a in BACKEND_ARGS],
            cwd=SERVICE_DIR, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_healthy(f"http://127.0.0.1:{port}/healthz", proc=proc)
            proc.send_signal(signal.SIGTERM)
            # uvicorn finishes its shutdown, then re-raises the signal it caught (exit -15).
            assert proc.wait(timeout=15) in (0, -signal.SIGTERM)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    messages = [json.loads(line).get("message") for line in log_path.read_text().splitlines()]
    assert "stopped" in messages  # the lifespan ran to the end and disposed of the pool


# ---- concurrency ---------------------------------------------------------------------------


def test_many_concurrent_requests_with_a_tiny_pool_all_succeed(
    backend: Backend, tmp_path: Path
) -> None:
    """Far more requests in flight than pooled connections: each one must still finish, in
    order, well within the pool timeout (sync routes holding connections across FastAPI's
    worker-thread hops once deadlocked here until the pool timed out, answering 503)."""
    env = {**server_env(backend.database_url, app_env="development"), "DB_POOL_SIZE": "2",
           "DB_MAX_OVERFLOW": "0"}  # fmt: skip

    async def burst(url: str, headers: dict[str, str]) -> list[int]:
        async with httpx.AsyncClient(
            base_url=url, headers=headers, timeout=20,
            limits=httpx.Limits(max_connections=60),
        ) as aclient:  # fmt: skip
            calls = [aclient.get("/api/v1/todos") for _ in range(30)]
            calls += [aclient.post("/api/v1/todos", json={"title": f"t{i}"}) for i in range(30)]
            started = time.monotonic()
            responses = await asyncio.gather(*calls)
            assert time.monotonic() - started < 4  # well under the 5 s pool timeout
            return [r.status_code for r in responses]

    with run_server(
        BACKEND_ARGS, cwd=SERVICE_DIR, env=env,
        log_path=tmp_path / "server.log",
    ) as url:  # fmt: skip
        with httpx.Client(base_url=url, timeout=30) as client:
            headers = signup(client)
        statuses = asyncio.run(burst(url, headers))
    assert sorted(set(statuses)) == [200, 201]
    assert statuses.count(201) == 30
