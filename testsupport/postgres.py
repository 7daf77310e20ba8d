"""A throwaway PostgreSQL server for tests: the real database, started per test session.

`TEST_DATABASE_URL` (a server you already run) wins; otherwise the PostgreSQL binaries
(`initdb`, `pg_ctl`) are looked up on PATH and under /usr/lib/postgresql/*/bin, a cluster is
created in a temp dir, listening on a free loopback port only, and removed afterwards. As root
(CI containers) the server runs as the `postgres` user, because initdb refuses root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text

from testsupport.servers import free_port

DB_USER = "todo_test"
DB_PASSWORD = "todo-test-password"  # noqa: S105 - throwaway loopback-only test server


class PostgresUnavailable(RuntimeError):
    """Raised when neither TEST_DATABASE_URL nor PostgreSQL binaries are available."""


def _find_bin_dir() -> Path:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    candidates += sorted(glob.glob("/opt/homebrew/opt/postgresql@*/bin/pg_ctl"), reverse=True)
    if not candidates:
        raise PostgresUnavailable(
            "PostgreSQL binaries (initdb, pg_ctl) not found: install PostgreSQL "
            "(Debian: apt-get install postgresql) or set TEST_DATABASE_URL"
        )
    return Path(candidates[0]).parent


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """Yields a SQLAlchemy URL (postgresql+psycopg://) of a fresh, empty database."""
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return

    bin_dir = _find_bin_dir()
    as_root = os.geteuid() == 0
    run_as: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    workdir = Path(tempfile.mkdtemp(prefix="todo-pg-"))
    data = workdir / "data"
    pwfile = workdir / "pw"
    pwfile.write_text(DB_PASSWORD)
    if as_root:
        pg = pwd.getpwnam("postgres")
        for path in (workdir, pwfile):
            os.chown(path, pg.pw_uid, pg.pw_gid)
    port = free_port()
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", DB_USER,
         f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
         "-l", str(workdir / "log"), "-w", "-t", "30", "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://{DB_USER}:{DB_PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(workdir, ignore_errors=True)


def fresh_database(server_url: str, name: str) -> str:
    """Drops and creates database `name` on the server; returns its URL (same credentials)."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name
