"""The Docker image, built on the real engine and run the way the chart runs it: read-only
root filesystem, writable /tmp only, its own numeric user, migrations as a separate command,
against a real PostgreSQL (started by this test run on 127.0.0.1, reached via host networking).

Select with `-m image`; it needs a Docker engine. The base image is TODO_PYTHON_IMAGE (the
Makefile passes the local CI stand-in when present, scripts/ci/build-base-images.sh; default the
official python:3.13-slim).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SERVICE_DIR
from testsupport.postgres import fresh_database
from testsupport.servers import free_port, wait_healthy

pytestmark = pytest.mark.image

PYTHON_IMAGE = os.environ.get("TODO_PYTHON_IMAGE", "python:3.13-slim")


def docker(
    *args: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args[:2])} failed: {result.stderr[-2000:]}")
    return result


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    if shutil.which("docker") is None or docker("info", check=False).returncode != 0:
        pytest.fail("a Docker engine is required for -m image (scripts/ci/install-docker.sh)")
    tag = f"todo-backend-test:{uuid.uuid4().hex[:8]}"
    docker(
        "build",
        "--build-arg",
        f"PYTHON_IMAGE={PYTHON_IMAGE}",
        "-t",
        tag,
        # The context is services/, for the shared package (see Dockerfile.dockerignore).
        "-f",
        str(SERVICE_DIR / "Dockerfile"),
        str(SERVICE_DIR.parent),
        timeout=900,
    )
    try:
        yield tag
    finally:
        docker("rmi", "-f", tag, check=False)


@pytest.fixture
def runtime_env(postgres_server: str) -> dict[str, str]:
    database_url = fresh_database(postgres_server, "todo_image")
    # Neon-style scheme, to prove the image's own normalisation.
    return {
        "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgres://"),
        "JWT_SECRET": secrets.token_urlsafe(48),
    }


def hardened_run_args(env: dict[str, str]) -> list[str]:
    args = ["--network", "host", "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges"]  # fmt: skip
    for key, value in env.items():
        args += ["-e", f"{key}={value}"]
    return args


def test_image_migrates_serves_and_stays_hardened(image: str, runtime_env: dict[str, str]) -> None:
    migrate = docker("run", "--rm", *hardened_run_args(runtime_env), image,
                     "python3", "-m", "todo_backend.migrate")  # fmt: skip
    assert "database schema is at the latest revision" in migrate.stdout

    port = free_port()
    name = f"todo-backend-test-{uuid.uuid4().hex[:8]}"
    # Host networking: listen on loopback only, on a free port (the image defaults to 0.0.0.0:8000).
    env = {**runtime_env, "UVICORN_HOST": "127.0.0.1", "UVICORN_PORT": str(port)}
    docker("run", "-d", "--name", name, *hardened_run_args(env), image)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base + "/healthz", timeout=60)
        ready = httpx.get(base + "/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready"}

        with httpx.Client(base_url=base, timeout=30) as client:
            creds = {"email": "image@example.com", "password": "a long enough password"}
            assert client.post("/api/v1/auth/register", json=creds).status_code == 201
            token = client.post("/api/v1/auth/login", json=creds).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            created = client.post("/api/v1/todos", json={"title": "from the image"}, headers=auth)
            assert created.status_code == 201
            assert "server" not in created.headers  # --no-server-header

        assert docker("exec", name, "id", "-u").stdout.strip() == "10001"
        assert docker("exec", name, "id", "-g").stdout.strip() == "10001"
        cannot_write = docker("exec", name, "python3", "-c", "open('/app/x', 'w')", check=False)
        assert cannot_write.returncode != 0
        assert "Read-only file system" in cannot_write.stderr
        assert (
            docker("exec", name, "python3", "-c", "open('/tmp/x', 'w')", check=False).returncode
            == 0
        )
        no_compiler = docker("exec", name, "sh", "-c", "command -v gcc cc make", check=False)
        assert no_compiler.stdout.strip() == ""

        deadline = time.monotonic() + 60  # the image's own HEALTHCHECK (urllib, no curl)
        health = ""
        while time.monotonic() < deadline and health != "healthy":
            health = docker("inspect", "-f", "{{.State.Health.Status}}", name).stdout.strip()
            time.sleep(1)
        assert health == "healthy"

        docker("stop", "-t", "25", name, timeout=60)
        logs = docker("logs", name)
        records = [json.loads(line) for line in (logs.stdout + logs.stderr).splitlines() if line]
        assert any(r.get("message") == "stopped" for r in records)  # graceful, lifespan ran out
        assert any(r.get("path") == "/api/v1/todos" and r.get("status") == 201 for r in records)
    finally:
        docker("rm", "-f", name, check=False)

    layers = (
        docker("history", "--no-trunc", image).stdout + docker("image", "inspect", image).stdout
    )
    for value in runtime_env.values():
        assert value not in layers
    assert "todo-test-password" not in layers


def test_image_refuses_production_without_jwt_secret(image: str) -> None:
    result = docker("run", "--rm", "--network", "none", "-e", "DATABASE_URL=postgres://u:p@db/todo",
                    image, check=False)  # fmt: skip
    assert result.returncode != 0
    assert "JWT_SECRET is required when APP_ENV=production" in result.stderr
