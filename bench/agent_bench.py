"""How much latency the AI agent adds per chat turn on the offline path.

Starts a throwaway PostgreSQL, the real backend (migrated) and the agent without a model key,
all on 127.0.0.1, then times the same work two ways, sequentially over keep-alive
connections: a chat turn through the agent, and the backend call(s) that turn makes, issued
directly. The difference of the medians is what the agent adds (parsing, its own HTTP hop,
JSON, formatting the reply).

    python3 bench/agent_bench.py [--turns 200]

Needs the backend's and the agent's requirements installed in this interpreter. The backend's
code is taken from services/backend (TODO_BACKEND_DIR overrides). Every loop is bounded in
count and in time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from testsupport.postgres import running_postgres
from testsupport.servers import run_server, uvicorn_args

ROOT = Path(__file__).resolve().parents[1]

AGENT_DIR = ROOT / "services" / "ai-agent"
BACKEND_DIR = Path(os.environ.get("TODO_BACKEND_DIR") or ROOT / "services" / "backend")
TIME_CAP_SECONDS = 60.0  # per measured loop
WARMUP = 20


def timed(call: Callable[[], httpx.Response], turns: int, warmup: int) -> list[float]:
    """Milliseconds per call; stops early at the time cap."""
    for _ in range(warmup):
        call().raise_for_status()
    samples: list[float] = []
    deadline = time.monotonic() + TIME_CAP_SECONDS
    while len(samples) < turns and time.monotonic() < deadline:
        start = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return samples


def agent_rss_mib(agent_url: str) -> float | None:
    """Resident memory of the agent's uvicorn process (Linux /proc), found by its port."""
    port = agent_url.rsplit(":", 1)[1]
    if not shutil.which("pgrep"):
        return None
    found = subprocess.run(
        ["pgrep", "-f", f"todo_agent.main:app --host 127.0.0.1 --port {port}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    for pid in found.stdout.split():
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    return None


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


Case = tuple[str, Callable[[], httpx.Response], Callable[[], httpx.Response]]


def _cases(client: httpx.Client, agent_url: str, backend_url: str) -> list[Case]:
    """(label, the chat turn, the same backend work issued directly)."""

    def chat(message: str) -> Callable[[], httpx.Response]:
        return lambda: client.post(f"{agent_url}/api/v1/chat", json={"message": message})

    todo = {"title": "buy milk", "priority": "high", "due_date": "2026-12-01"}
    open_todos = {"limit": 100, "completed": "false"}
    return [
        (
            '"what\'s left" (1 backend GET)',
            chat("what's left"),
            lambda: client.get(f"{backend_url}/api/v1/todos", params=open_todos),
        ),
        (
            '"add buy milk tomorrow with high priority" (1 backend POST)',
            chat("add buy milk tomorrow with high priority"),
            lambda: client.post(f"{backend_url}/api/v1/todos", json=todo),
        ),
        (
            '"help" (no data: 1 backend GET /users/me to check the token)',
            chat("help"),
            lambda: client.get(f"{backend_url}/api/v1/users/me"),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200, help="measured turns per case")
    turns = max(10, min(parser.parse_args().turns, 2000))

    with tempfile.TemporaryDirectory() as tmp, running_postgres() as database_url:
        backend_env = {
            "APP_ENV": "production", "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
            "JWT_SECRET": "bench-jwt-secret-0123456789abcdef-0123", "PYTHONPATH": str(BACKEND_DIR),
        }  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "todo_backend.migrate"], cwd=BACKEND_DIR,
            env={**os.environ, **backend_env}, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        with run_server(
            uvicorn_args("todo_backend.main:app"), cwd=BACKEND_DIR, env=backend_env,
            log_path=Path(tmp) / "backend.log",
        ) as backend_url, run_server(
            uvicorn_args("todo_agent.main:app"), cwd=AGENT_DIR,
            # One user sends every turn: the per-user chat limit would measure the limiter.
            env={"BACKEND_URL": backend_url, "OPENAI_API_KEY": "", "LOG_LEVEL": "WARNING",
                 "PYTHONPATH": str(AGENT_DIR), "AGENT_CHAT_RATE_LIMIT_PER_USER": "100000/minute"},
            log_path=Path(tmp) / "agent.log",
        ) as agent_url:  # fmt: skip
            credentials = {"email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
                           "password": "bench password 123"}  # fmt: skip
            with httpx.Client(timeout=10) as client:
                client.post(f"{backend_url}/api/v1/auth/register", json=credentials)
                login = client.post(f"{backend_url}/api/v1/auth/login", json=credentials)
                client.headers["Authorization"] = "Bearer " + login.json()["access_token"]
                for i in range(20):  # a realistic list to read back
                    client.post(f"{backend_url}/api/v1/todos", json={"title": f"chore {i}"})

                cases = _cases(client, agent_url, backend_url)
                idle_rss = agent_rss_mib(agent_url)
                machine = f"{platform.machine()}, {os.cpu_count()} CPUs"
                python = f"Python {platform.python_version()}"
                print(f"machine: {machine}, {python}, {turns} sequential turns per case")
                print(f"{'case':<62} {'agent p50/p95 ms':>17} {'direct p50/p95 ms':>18}", end="")
                print(f" {'added p50 ms':>12}")
                for label, via_agent, direct in cases:
                    # Interleave the two so drift (database growth, CPU) hits both alike.
                    agent_ms, direct_ms = [], []
                    for round_ in range(4):
                        warmup = WARMUP if round_ == 0 else 0
                        agent_ms += timed(via_agent, turns // 4, warmup)
                        direct_ms += timed(direct, turns // 4, warmup)
                    a50, a95 = summary(agent_ms)
                    d50, d95 = summary(direct_ms)
                    print(f"{label:<62} {a50:>8.2f}/{a95:<8.2f} {d50:>9.2f}/{d95:<8.2f} "
                          f"{a50 - d50:>12.2f}")  # fmt: skip
                loaded_rss = agent_rss_mib(agent_url)
                if idle_rss and loaded_rss:
                    print(f"agent RSS: {idle_rss:.1f} MiB idle, {loaded_rss:.1f} MiB after the run")


if __name__ == "__main__":
    main()
