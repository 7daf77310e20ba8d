"""The Python snippets the chart runs inside pods (helm test, wait-for-database), executed for
real against servers on 127.0.0.1 that stand in for the cluster's Services (no cluster here):
the snippets' fixed Service addresses are rewritten to those local ports."""

import http.server
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from chart_manifests import by_kind, get

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


def wait_script(helm, port: int, timeout_seconds: int) -> str:
    docs = helm.render(None, f"postgresql.waitTimeoutSeconds={timeout_seconds}")
    spec = get(docs, "Deployment", "todo-backend")["spec"]["template"]["spec"]
    wait = next(c for c in spec["initContainers"] if c["name"] == "wait-for-database")
    script = wait["command"][-1]
    assert '("todo-postgresql", 5432)' in script
    return script.replace('("todo-postgresql", 5432)', f'("127.0.0.1", {port})')


def test_wait_for_database_returns_once_the_port_accepts(helm):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        result = run_script(wait_script(helm, listener.getsockname()[1], 10), timeout=30)
    assert result.returncode == 0, result.stderr


def test_wait_for_database_gives_up_with_a_clear_message(helm):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        closed_port = probe.getsockname()[1]  # closed again when the block ends
    result = run_script(wait_script(helm, closed_port, 2), timeout=30)
    assert result.returncode == 1
    assert "did not accept connections in time" in result.stderr
    assert "waiting for todo-postgresql:5432" in result.stdout
