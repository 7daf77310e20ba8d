"""Fixtures: the real backend (its own code, migrated on a real PostgreSQL, served by uvicorn)
and the agent served by uvicorn as a subprocess, offline or against the fake OpenAI server.

The backend's code is taken from `../backend` (the merged repository's layout); set
TODO_BACKEND_DIR to use another checkout of services/backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import API_KEY, FakeOpenAI
from tests.users import User, register
from testsupport.postgres import running_postgres
from testsupport.servers import run_server, uvicorn_args

SERVICE_DIR = Path(__file__).resolve().parents[1]
BACKEND_DIR = Path(os.environ.get("TODO_BACKEND_DIR") or SERVICE_DIR.parent / "backend").resolve()
JWT_SECRET = "agent-tests-jwt-secret-0123456789abcdef"
# This checkout's shared package (todo_common) for every process a test starts, whatever the
# venv's editable install of it points at: the backend and the agent import it.
SHARED_DIR = SERVICE_DIR.parent / "python-common"

# The model path's bounds, small so the failure tests are quick.
MODEL_TIMEOUT_SECONDS = 1.0
MODEL_MAX_RETRIES = 1
MAX_STEPS = 4


def backend_env(database_url: str) -> dict[str, str]:
    return {
        "APP_ENV": "production",
        "DATABASE_URL": database_url,
        "JWT_SECRET": JWT_SECRET,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(BACKEND_DIR), str(SHARED_DIR)]),
    }


def serve_backend(database_url: str, log_path: Path):  # a context manager yielding the URL
    return run_server(
        uvicorn_args("todo_backend.main:app"),
        cwd=BACKEND_DIR,
        env=backend_env(database_url),
        log_path=log_path,
    )


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A real PostgreSQL, schema from the backend's own migration command."""
    if not (BACKEND_DIR / "todo_backend").is_dir():
        pytest.fail(f"backend code not found at {BACKEND_DIR} (set TODO_BACKEND_DIR)")
    with running_postgres() as url:
        migrate = subprocess.run(
            [sys.executable, "-m", "todo_backend.migrate"],
            cwd=BACKEND_DIR, env={**os.environ, **backend_env(url)}, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert migrate.returncode == 0, migrate.stderr
        yield url


@pytest.fixture(scope="session")
def backend_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real backend, served by uvicorn like the image serves it."""
    with serve_backend(database_url, tmp_path_factory.mktemp("backend") / "backend.log") as url:
        yield url


def agent_env(backend: str, **extra: str) -> dict[str, str]:
    env = {
        "BACKEND_URL": backend,
        "OPENAI_API_KEY": "",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": os.pathsep.join([str(SERVICE_DIR), str(SHARED_DIR)]),
    }
    env.update(extra)
    return env


def serve_agent(env: dict[str, str], log_path: Path):  # a context manager yielding the URL
    return run_server(
        uvicorn_args("todo_agent.main:app"), cwd=SERVICE_DIR, env=env, log_path=log_path
    )


@pytest.fixture(scope="session")
def offline_agent(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("agent-offline") / "agent.log"
    with serve_agent(agent_env(backend_url), log) as url:
        yield url


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> FakeOpenAI:
    fake_openai_server.script()  # each test scripts its own turns
    return fake_openai_server


def model_agent_env(backend: str, fake: FakeOpenAI) -> dict[str, str]:
    return agent_env(
        backend,
        OPENAI_API_KEY=API_KEY,
        OPENAI_BASE_URL=fake.base_url,
        OPENAI_MODEL="fake-model",
        OPENAI_TIMEOUT_SECONDS=str(MODEL_TIMEOUT_SECONDS),
        OPENAI_MAX_RETRIES=str(MODEL_MAX_RETRIES),
        AGENT_MAX_STEPS=str(MAX_STEPS),
    )


@pytest.fixture(scope="session")
def model_agent(
    backend_url: str, fake_openai_server: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log = tmp_path_factory.mktemp("agent-model") / "agent.log"
    with serve_agent(model_agent_env(backend_url, fake_openai_server), log) as url:
        yield url


@pytest.fixture
def alice(backend_url: str) -> User:
    return register(backend_url)


@pytest.fixture
def bob(backend_url: str) -> User:
    return register(backend_url)
