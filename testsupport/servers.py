"""Start real HTTP services as subprocesses on free loopback ports, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on right now (bound once for a free number, then
    closed): for a server to start on, or as a closed port for a refused connection."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback only
                if resp.status == 200:
                    return
                last_error = f"HTTP {resp.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = str(exc)
        time.sleep(0.1)
    raise TimeoutError(f"{url} not healthy after {timeout:.0f}s: {last_error}")


@contextlib.contextmanager
def run_server(
    args: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    health_path: str = "/healthz",
    port: int | None = None,
    log_path: Path | None = None,
) -> Iterator[str]:
    """Runs `args` (with `{port}` substituted) and yields its base URL once health answers 200.

    The server's output goes to `log_path` (or is discarded); it is terminated on exit.
    """
    port = port or free_port()
    argv = [a.replace("{port}", str(port)) for a in args]
    full_env = {**os.environ, **env}
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(argv, cwd=cwd, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base + health_path, proc=proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log_path:
            out.close()


def uvicorn_args(app: str) -> list[str]:
    """argv to serve an ASGI app with the current interpreter on `{port}`."""
    return [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", "{port}"]
