"""The agent's image: built from this directory's Dockerfile on the real Docker engine, run
the way the chart runs it (read-only root filesystem, writable /tmp only, uid 10001)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fake_openai import API_KEY, FakeOpenAI, calls, text
from tests.users import User
from testsupport.servers import free_port, wait_healthy

pytestmark = pytest.mark.image

SERVICE_DIR = Path(__file__).resolve().parents[1]
# The Makefile passes the local CI stand-in when present (scripts/ci/build-base-images.sh;
# no registry is reachable on CI machines), else the official image is pulled.
PYTHON_IMAGE = os.environ.get("TODO_PYTHON_IMAGE", "python:3.13-slim")
# As the chart runs it; the user is the image's own (USER 10001:10001), checked below.
HARDENED = ["--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt",
            "no-new-privileges"]  # fmt: skip


def docker(*args: str, timeout: float = 60) -> str:
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"docker {args[0]} failed: {done.stderr[-2000:]}"
    return done.stdout.strip()


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    tag = f"todo-ai-agent:test-{uuid.uuid4().hex[:8]}"
    # The context is services/, for the shared package (see Dockerfile.dockerignore).
    docker("build", "-q", "-t", tag, "--build-arg", f"PYTHON_IMAGE={PYTHON_IMAGE}",
           "-f", str(SERVICE_DIR / "Dockerfile"), str(SERVICE_DIR.parent), timeout=900)  # fmt: skip
    try:
        yield tag
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, check=False)


@pytest.fixture
def container() -> Iterator[list[str]]:
    """Names of containers a test starts; all removed afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


def test_image_runs_read_only_as_10001_and_reports_healthy(
    image: str, container: list[str]
) -> None:
    name = f"agent-test-{uuid.uuid4().hex[:8]}"
    container.append(name)
    # The image's own command and HEALTHCHECK; only the check interval is shortened.
    docker("run", "-d", "--name", name, *HARDENED, "-p", "127.0.0.1::8001",
           "--health-interval", "1s", "--health-start-period", "0s",
           "-e", "BACKEND_URL=http://127.0.0.1:9", image)  # fmt: skip
    port = docker("port", name, "8001/tcp").splitlines()[0].rsplit(":", 1)[1]
    base = f"http://127.0.0.1:{port}"
    wait_healthy(f"{base}/healthz", timeout=30)
    # Ready means the backend answers; here it cannot, and readyz says so.
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 503
    assert docker("exec", name, "id", "-u") == "10001"
    assert docker("exec", name, "id", "-g") == "10001"
    denied = subprocess.run(["docker", "exec", name, "touch", "/app/x"], capture_output=True)
    assert denied.returncode != 0  # the root filesystem is read-only

    deadline = time.monotonic() + 30
    status = ""
    while time.monotonic() < deadline and status != "healthy":
        status = docker("inspect", "-f", "{{.State.Health.Status}}", name)
        time.sleep(0.5)
    assert status == "healthy"
    config = json.loads(docker("image", "inspect", image))[0]["Config"]
    assert config["User"] == "10001:10001"
    assert config["Env"].count("APP_ENV=production") == 1


def test_image_chats_through_the_model_path_to_the_real_backend(
    image: str, container: list[str], backend_url: str, alice: User
) -> None:
    """The SDK inside the image reaches a model server and the tools reach the backend.

    Host networking lets the container reach the loopback-only backend and fake model server;
    the agent then listens on a free loopback port instead of 8001."""
    with FakeOpenAI() as fake:
        fake.script(calls(("add_todo", {"title": "from the image"})), text("Added."))
        port = free_port()
        name = f"agent-test-{uuid.uuid4().hex[:8]}"
        container.append(name)
        serve = ["uvicorn", "todo_agent.main:app", "--host", "127.0.0.1", "--port", str(port)]
        docker("run", "-d", "--name", name, *HARDENED, "--network", "host",
               "-e", f"BACKEND_URL={backend_url}", "-e", f"OPENAI_API_KEY={API_KEY}",
               "-e", f"OPENAI_BASE_URL={fake.base_url}", image, *serve)  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_healthy(f"{base}/readyz", timeout=30)
        answer = alice.say(base, "add from the image")
    assert answer["mode"] == "openai"
    assert answer["reply"] == "Added."
    assert [t["title"] for t in alice.todos()] == ["from the image"]
    logs = docker("logs", name)
    assert API_KEY not in logs
    assert alice.token not in logs
