"""The Python the chart runs inside pods, executed for real against 127.0.0.1 in place of the
cluster's Services (no cluster here): the helm test pod's snippet, its fixed Service addresses
rewritten to a local server; and the wait-for-database init container's command (the backend's
`todo_backend.wait_for_db`, whose own tests run it against real PostgreSQL) with the environment
the chart gives it, its database address pointed at a local port."""

import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from chart_helm import REPO_ROOT
from chart_manifests import by_kind, env_by_name, get

BACKEND_DIR = REPO_ROOT / "services" / "backend"
# The backend and this checkout's shared package, as the image lays them out side by side.
BACKEND_PATH = os.pathsep.join([str(BACKEND_DIR), str(REPO_ROOT / "services" / "python-common")])

SERVICES = ("http://todo-backend:8000", "http://todo-ai-agent:8001", "http://todo-frontend:3000")


class HealthHandler(http.server.BaseHTTPRequestHandler):
    """Answers like the services' health routes; paths listed in `failing` answer 503."""

    failing: frozenset[str] = frozenset()

    def do_GET(self) -> None:
        status = 503 if self.path in self.failing else 200
        body = b'{"status": "ok"}' if status == 200 else b'{"status": "unavailable"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[str, type[HealthHandler]]]:
    handler = type("Handler", (HealthHandler,), {"failing": frozenset()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def run_script(script: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, check=False
    )


def helm_test_script(helm, base_url: str) -> str:
    (pod,) = by_kind(helm.render(), "Pod")
    script = pod["spec"]["containers"][0]["command"][-1]
    for service in SERVICES:
        assert service in script
        script = script.replace(service, base_url)
    return script.replace("time.sleep(2)", "time.sleep(0.05)")  # keep the retries, not the wait


def test_helm_test_pod_passes_when_every_service_is_healthy(helm, health_server):
    url, _handler = health_server
    result = run_script(helm_test_script(helm, url), timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok   ") == 5


def test_helm_test_pod_fails_and_names_the_unready_service(helm, health_server):
    url, handler = health_server
    handler.failing = frozenset({"/readyz"})
    result = run_script(helm_test_script(helm, url), timeout=30)
    assert result.returncode == 1
    assert f"FAIL {url}/readyz" in result.stdout
    assert "503" in result.stdout


def wait_step(helm, timeout_seconds: int) -> tuple[list[str], dict[str, str]]:
    """The wait-for-database command and its environment, resolved as the kubelet would: from
    the rendered ConfigMap and a stand-in for the installer's Secret."""
    docs = helm.render(None, f"postgresql.waitTimeoutSeconds={timeout_seconds}")
    spec = get(docs, "Deployment", "todo-backend")["spec"]["template"]["spec"]
    wait = next(c for c in spec["initContainers"] if c["name"] == "wait-for-database")
    config = get(docs, "ConfigMap", "todo-app-config")["data"]
    secret = {"POSTGRES_PASSWORD": "stand-in-password-0815"}
    env = {}
    for name, entry in env_by_name(wait).items():
        source = entry["valueFrom"]
        if "configMapKeyRef" in source:
            env[name] = config[source["configMapKeyRef"]["key"]]
        elif source["secretKeyRef"]["key"] in secret:
            env[name] = secret[source["secretKeyRef"]["key"]]
        else:
            assert source["secretKeyRef"]["optional"], f"{name} is required and not stood in"
    return wait["command"], env


def run_wait(command: list[str], env: dict[str, str], timeout: float):
    assert command[:2] == ["python", "-m"]  # the image's Python, here the test's
    return subprocess.run(
        [sys.executable, *command[1:]],
        cwd=BACKEND_DIR, capture_output=True, text=True, timeout=timeout, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "DATABASE_"))}
        | env | {"PYTHONPATH": BACKEND_PATH},
    )  # fmt: skip


def test_wait_for_database_reads_the_in_cluster_database_settings(helm):
    _command, env = wait_step(helm, 180)
    assert env["POSTGRES_HOST"] == "todo-postgresql"
    assert env["POSTGRES_PORT"] == "5432"
    assert {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"} <= env.keys()


def test_wait_for_database_gives_up_within_its_timeout_with_a_clear_message(helm):
    command, env = wait_step(helm, 2)
    with socket.create_server(("127.0.0.1", 0)) as probe:
        closed_port = probe.getsockname()[1]  # closed again when the block ends
    env |= {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(closed_port)}
    started = time.monotonic()
    result = run_wait(command, env, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stdout + result.stderr
    where = f"127.0.0.1:{closed_port}/todo"
    assert f"waiting for the database at {where}" in result.stdout
    assert f"the database at {where} did not answer within 2 s" in result.stderr
    assert env["POSTGRES_PASSWORD"] not in result.stdout + result.stderr
    assert elapsed < 30  # 2 s of retries, one connection timeout, the interpreter's start
