"""`python -m todo_backend.wait_for_db`, the chart's wait-for-database step, run as the chart runs
it (the POSTGRES_* settings, --timeout) against the real PostgreSQL of this test run: it returns
once the database answers, waits while it does not yet, and gives up within its bound with a
message that names the database and never the password."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from sqlalchemy.engine import make_url
from todo_backend.core.db import CONNECT_TIMEOUT_SECONDS

from tests.conftest import PYTHONPATH, SERVICE_DIR
from testsupport.postgres import free_port, fresh_database

# Slack for starting Python and importing SQLAlchemy on a busy shared machine.
STARTUP_SLACK_SECONDS = 15


def chart_env(database_url: str, **overrides: str) -> dict[str, str]:
    """The environment the chart gives the init container: POSTGRES_* only, no DATABASE_URL."""
    url = make_url(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "DATABASE_"))}
    env.update(
        POSTGRES_HOST=url.host,
        POSTGRES_PORT=str(url.port),
        POSTGRES_DB=url.database,
        POSTGRES_USER=url.username,
        POSTGRES_PASSWORD=url.password,
        PYTHONPATH=PYTHONPATH,  # this checkout's shared package too
    )
    env.update(overrides)
    return env


def run_wait(env: dict[str, str], timeout: float) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "todo_backend.wait_for_db", "--timeout", f"{timeout:g}"],
        cwd=SERVICE_DIR, env=env, capture_output=True, text=True,
        timeout=timeout + CONNECT_TIMEOUT_SECONDS + STARTUP_SLACK_SECONDS + 30,
    )  # fmt: skip
    return result, time.monotonic() - started


@pytest.fixture
def database(postgres_server: str) -> str:
    return fresh_database(postgres_server, "todo_wait")


@contextmanager
def late_proxy(target: tuple[str, int], delay: float) -> Iterator[int]:
    """A loopback port that refuses connections for `delay` seconds, then forwards each one to
    `target`: a database that is still starting, then answers."""
    port = free_port()
    stop = threading.Event()

    def pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def serve() -> None:
        if stop.wait(delay):
            return
        with socket.create_server(("127.0.0.1", port)) as listener:
            listener.settimeout(0.2)
            while not stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                upstream = socket.create_connection(target, timeout=5)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=pipe, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=5)


def test_returns_at_once_when_the_database_answers(database: str) -> None:
    url = make_url(database)
    result, elapsed = run_wait(chart_env(database), timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"the database at {url.host}:{url.port}/todo_wait answers" in result.stdout
    assert "waiting" not in result.stdout
    assert url.password not in result.stdout + result.stderr
    assert elapsed < 30


def test_waits_until_a_starting_database_answers(database: str) -> None:
    url = make_url(database)
    with late_proxy((url.host, url.port), delay=3) as port:
        result, _ = run_wait(chart_env(database, POSTGRES_PORT=str(port)), timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"waiting for the database at 127.0.0.1:{port}/todo_wait" in result.stdout
    assert f"the database at 127.0.0.1:{port}/todo_wait answers" in result.stdout


def test_unreachable_database_fails_within_the_bound(database: str) -> None:
    closed_port = free_port()  # bound and closed again: nothing listens there
    env = chart_env(database, POSTGRES_PORT=str(closed_port))
    result, elapsed = run_wait(env, timeout=3)
    assert result.returncode == 1, result.stdout + result.stderr
    assert elapsed < 3 + CONNECT_TIMEOUT_SECONDS + STARTUP_SLACK_SECONDS
    where = f"127.0.0.1:{closed_port}/todo_wait"
    assert f"waiting for the database at {where}" in result.stdout
    assert f"the database at {where} did not answer within 3 s" in result.stderr
    assert "refused" in result.stderr.lower()  # the driver's reason, not a bare "failed"
    assert env["POSTGRES_PASSWORD"] not in result.stdout + result.stderr


def test_wrong_password_fails_with_the_reason_and_without_the_password(database: str) -> None:
    wrong = "not-the-password-4711"
    result, elapsed = run_wait(chart_env(database, POSTGRES_PASSWORD=wrong), timeout=3)
    assert result.returncode == 1, result.stdout + result.stderr
    assert elapsed < 3 + CONNECT_TIMEOUT_SECONDS + STARTUP_SLACK_SECONDS
    assert "password authentication failed" in result.stderr
    assert wrong not in result.stdout + result.stderr


def test_a_bad_setting_is_named_and_exits_2(database: str) -> None:
    result, _ = run_wait(chart_env(database, POSTGRES_PORT="not-a-port"), timeout=3)
    assert result.returncode == 2
    assert "configuration error: POSTGRES_PORT" in result.stderr
