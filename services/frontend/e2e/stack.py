"""Runs the real backend and agent on loopback for the frontend's browser test.

PostgreSQL (a throwaway cluster, or TEST_DATABASE_URL) -> backend migrations -> backend and
agent as uvicorn subprocesses, using the repository's shared testsupport helpers. Prints one
JSON line {"backend": url, "agent": url, "database": "postgresql"} on stdout once both answer
/healthz, then keeps everything running until stdin closes (the Node test owns our lifetime),
and cleans up. Run it with an interpreter that has both services' requirements (TODO_PYTHON).

Service directories: TODO_BACKEND_DIR / TODO_AGENT_DIR, default ../backend and ../ai-agent.
Service logs go to E2E_LOG_DIR (default: a temp dir), so a failure can be read afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from testsupport.postgres import running_postgres
from testsupport.servers import run_server, uvicorn_args

FRONTEND = Path(__file__).resolve().parents[1]


def service_dir(env_var: str, default: Path) -> Path:
    path = Path(os.environ.get(env_var) or default).resolve()
    if not path.is_dir():
        sys.exit(f"{env_var}: {path} is not a directory")
    return path


def main() -> None:
    backend_dir = service_dir("TODO_BACKEND_DIR", FRONTEND.parent / "backend")
    agent_dir = service_dir("TODO_AGENT_DIR", FRONTEND.parent / "ai-agent")
    logs = Path(os.environ.get("E2E_LOG_DIR") or tempfile.mkdtemp(prefix="todo-e2e-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    # Never let a developer's real key turn the test into a paid, non-deterministic run.
    base_env = {"APP_ENV": "development", "LOG_LEVEL": "WARNING", "OPENAI_API_KEY": ""}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        os.environ.pop(name, None)

    with ExitStack() as stack:
        database_url = stack.enter_context(running_postgres())
        backend_env = {
            **base_env,
            "DATABASE_URL": database_url,
            "JWT_SECRET": "e2e-only-jwt-secret-" + os.urandom(16).hex(),
            "PYTHONPATH": str(backend_dir),
        }
        subprocess.run(
            [sys.executable, "-m", "todo_backend.migrate"],
            cwd=backend_dir,
            env={**os.environ, **backend_env},
            check=True,
            stdout=sys.stderr,
            stderr=sys.stderr,
        )
        backend = stack.enter_context(
            run_server(
                uvicorn_args("todo_backend.main:app"),
                cwd=backend_dir,
                env=backend_env,
                log_path=logs / "backend.log",
            )
        )
        agent = stack.enter_context(
            run_server(
                uvicorn_args("todo_agent.main:app"),
                cwd=agent_dir,
                env={**base_env, "BACKEND_URL": backend, "PYTHONPATH": str(agent_dir)},
                log_path=logs / "agent.log",
            )
        )
        ready = {"backend": backend, "agent": agent, "database": "postgresql", "logs": str(logs)}
        print(json.dumps(ready), flush=True)
        sys.stdin.read()  # until the test closes our stdin (or dies)


if __name__ == "__main__":
    main()
