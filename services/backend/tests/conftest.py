"""Fixtures: the backend served by a real uvicorn process over real HTTP, once on SQLite and
once on a real PostgreSQL started for this test run (testsupport.postgres), schema created by
the real migration command."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from testsupport.postgres import fresh_database, running_postgres
from testsupport.servers import run_server, uvicorn_args

SERVICE_DIR = Path(__file__).resolve().parents[1]
# This checkout's shared package for every process a test starts, whatever the venv's editable
# install of it points at.
PYTHONPATH = os.pathsep.join([str(SERVICE_DIR), str(SERVICE_DIR.parent / "python-common")])
# As the image serves it: uvicorn itself never rewrites the client address from proxy
# headers; the backend decides whom it believes (TRUSTED_PROXIES).
BACKEND_ARGS = [*uvicorn_args("todo_backend.main:app"), "--no-proxy-headers"]
JWT_SECRET = "test-jwt-secret-0123456789abcdef-0123456789"
PASSWORD = "correct horse battery"


@dataclass
class Backend:
    kind: str
    url: str  # base URL of the running server
    database_url: str
    engine: Engine
    log_path: Path  # the server's output: JSON lines at LOG_LEVEL=WARNING

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        """What the server has written from `offset` on (see log_size)."""
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with running_postgres() as url:
        yield url


def run_migrate(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The documented migration command, as the chart runs it."""
    return subprocess.run(
        [sys.executable, "-m", "todo_backend.migrate"],
        cwd=SERVICE_DIR, env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def server_env(database_url: str, *, app_env: str) -> dict[str, str]:
    return {
        "APP_ENV": app_env,
        "DATABASE_URL": database_url,
        "JWT_SECRET": JWT_SECRET,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": PYTHONPATH,
    }


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    logs = tmp_path_factory.mktemp(f"backend-{request.param}")
    if request.param == "sqlite":
        database_url = f"sqlite:///{logs / 'todo.db'}"
        app_env = "development"
    else:
        database_url = fresh_database(request.getfixturevalue("postgres_server"), "todo_api")
        app_env = "production"  # the image's mode: no automatic migration, strict settings
    env = server_env(database_url, app_env=app_env)
    migrated = run_migrate(env)
    assert migrated.returncode == 0, migrated.stderr + migrated.stdout
    engine = create_engine(database_url)
    try:
        with run_server(
            BACKEND_ARGS, cwd=SERVICE_DIR, env=env, log_path=logs / "server.log"
        ) as url:
            yield Backend(request.param, url, database_url, engine, logs / "server.log")
    finally:
        engine.dispose()


def empty_database(backend: Backend) -> None:
    """No accounts, todos, sessions or throttle counts (the engine here is a plain one: on
    SQLite without foreign keys, so children go first)."""
    with backend.engine.begin() as conn:
        for table in ("todos", "login_sessions", "users", "auth_throttle"):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed names


@pytest.fixture(scope="module")
def other_replica(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server process on the same database: another replica of the backend."""
    app_env = "development" if backend.kind == "sqlite" else "production"
    with run_server(
        BACKEND_ARGS,
        cwd=SERVICE_DIR,
        env=server_env(backend.database_url, app_env=app_env),
        log_path=tmp_path_factory.mktemp("replica") / "server.log",
    ) as url:
        yield url


@pytest.fixture
def api(backend: Backend) -> Iterator[httpx.Client]:
    """An HTTP client of the running backend, whose database starts empty for each test."""
    empty_database(backend)
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        yield client


_emails = itertools.count()


def new_email() -> str:
    return f"user{next(_emails)}@example.com"


def signup(
    api: httpx.Client, email: str | None = None, headers: dict[str, str] | None = None
) -> dict[str, str]:
    """Registers and logs in a new user; returns the Authorization header. `headers` go with
    both requests (X-Forwarded-For: a client address)."""
    email = email or new_email()
    credentials = {"email": email, "password": PASSWORD}
    registered = api.post("/api/v1/auth/register", json=credentials, headers=headers)
    assert registered.status_code == 201, registered.text
    response = api.post("/api/v1/auth/login", json=credentials, headers=headers)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def auth(api: httpx.Client) -> dict[str, str]:
    return signup(api)
