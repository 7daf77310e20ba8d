"""Backend latency and throughput under 50 concurrent clients on loopback, against PostgreSQL.

    python bench/backend_bench.py [--clients 50] [--seconds 10] [--todos 200]

Starts a throwaway PostgreSQL (testsupport.postgres), migrates it with the real command, then
serves two apps one after the other with identical uvicorn settings (one process, as in the
image): the backend (`todo_backend.main:app`, production mode, INFO logs to a file) and a bare
FastAPI endpoint (bench/bare_app.py), the baseline. Load comes from wrk (C, one thread, in its
own process) so the generator does not starve the server of the machine's 2 cores. Every run
is bounded in time; it prints a table of p50/p90/p99 latency and throughput.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
from wrk_tools import machine, parse, wrk_argv

from testsupport.postgres import fresh_database, running_postgres
from testsupport.servers import run_server, uvicorn_args

REPO = Path(__file__).resolve().parents[1]
BACKEND_DIR = REPO / "services" / "backend"

JWT_SECRET = "bench-only-jwt-secret-0123456789abcdef0123"  # noqa: S105 - throwaway server
PASSWORD = "bench password 123"  # noqa: S105 - a user of the throwaway database


def wrk(url: str, *, clients: int, seconds: int, env: dict[str, str]) -> dict:
    out = subprocess.run(
        wrk_argv(url, clients=clients, seconds=seconds), env={**os.environ, **env},
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout  # fmt: skip
    return parse(out)


def measure(base: str, name: str, env: dict[str, str], args: argparse.Namespace) -> dict:
    wrk(base, clients=args.clients, seconds=2, env=env)  # warm-up: pool, caches, JIT-free paths
    result = wrk(base, clients=args.clients, seconds=args.seconds, env=env)
    result["name"] = name
    return result


@contextlib.contextmanager
def serve(app: str, cwd: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    argv = [*uvicorn_args(app), "--no-access-log"]
    with run_server(argv, cwd=cwd, env=env, log_path=log) as base:
        yield base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10, choices=range(1, 61), metavar="1..60")
    parser.add_argument("--todos", type=int, default=200, help="todos owned by the bench user")
    parser.add_argument("--limit", type=int, default=50, help="page size of the list request")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is required (Debian: apt-get install wrk)", file=sys.stderr)
        return 2

    results = []
    with running_postgres() as server_url, tempfile.TemporaryDirectory() as tmp:
        database_url = fresh_database(server_url, "todo_bench")
        env = {
            "APP_ENV": "production",
            "DATABASE_URL": database_url,
            "JWT_SECRET": JWT_SECRET,
            "LOG_LEVEL": "INFO",
            "PYTHONPATH": str(BACKEND_DIR),
        }
        subprocess.run(
            [sys.executable, "-m", "todo_backend.migrate"],
            cwd=BACKEND_DIR, env={**os.environ, **env}, check=True, capture_output=True,
        )  # fmt: skip

        with serve("todo_backend.main:app", BACKEND_DIR, env, Path(tmp) / "backend.log") as base:
            with httpx.Client(base_url=base, timeout=30) as client:
                creds = {"email": "bench@example.com", "password": PASSWORD}
                client.post("/api/v1/auth/register", json=creds).raise_for_status()
                token = client.post("/api/v1/auth/login", json=creds).json()["access_token"]
                auth = {"Authorization": f"Bearer {token}"}
                for i in range(args.todos):
                    client.post(
                        "/api/v1/todos",
                        json={"title": f"todo {i}", "description": "seeded for the benchmark",
                              "priority": ("low", "medium", "high")[i % 3]},
                        headers=auth,
                    ).raise_for_status()  # fmt: skip
            list_env = {"BENCH_PATH": f"/api/v1/todos?limit={args.limit}", "BENCH_TOKEN": token}
            list_name = f"list (GET /api/v1/todos?limit={args.limit})"
            results.append(measure(base, list_name, list_env, args))
            # One client: the service time itself, without queueing behind 49 others.
            single = wrk(base, clients=1, seconds=min(args.seconds, 5), env=list_env)
            results.append({**single, "name": f"{list_name}, 1 client"})
            create_env = {
                "BENCH_METHOD": "POST",
                "BENCH_PATH": "/api/v1/todos",
                "BENCH_TOKEN": token,
                "BENCH_BODY": json.dumps({"title": "bench", "priority": "high"}),
            }
            results.append(measure(base, "create (POST /api/v1/todos)", create_env, args))

        bare_env = {"PYTHONPATH": str(Path(__file__).parent), "BENCH_PATH": "/bare"}
        with serve("bare_app:app", Path(__file__).parent, bare_env, Path(tmp) / "bare.log") as base:
            results.append(measure(base, "bare FastAPI (GET /bare)", bare_env, args))

    print_table(results, args)
    return 0


def print_table(results: list[dict], args: argparse.Namespace) -> None:
    bare_p99 = results[-1]["p99_us"]
    print(f"\nMachine: {machine(f'Python {platform.python_version()}')}")
    print(
        f"{args.clients} concurrent clients unless noted, {args.seconds} s per run after a 2 s "
        "warm-up, wrk -t1, one uvicorn process (uvloop, httptools), PostgreSQL 15 on loopback\n"
    )
    columns = [
        "endpoint".ljust(50),
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "  req/s",
        "p99 / bare",
        "errors",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("-" * (len(c) + 2) for c in columns) + "|")
    for r in results:
        cells = [
            r["name"].ljust(50),
            f"{r['p50_us'] / 1000:6.2f}",
            f"{r['p90_us'] / 1000:6.2f}",
            f"{r['p99_us'] / 1000:6.2f}",
            f"{r['rps']:7.0f}",
            f"{r['p99_us'] / bare_p99:9.1f}x",
            f"{r['non_2xx'] + r['socket_errors']:6d}",
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
