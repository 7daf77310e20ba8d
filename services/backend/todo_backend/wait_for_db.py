"""`python -m todo_backend.wait_for_db [--timeout SECONDS]`: waits until the database answers.

The chart runs it before the migration (init container wait-for-database), so a first install
does not send the migration into crash-loop back-off while PostgreSQL initialises. It reads the
app's settings (DATABASE_URL, else POSTGRES_*), connects with the app's engine and runs
`SELECT 1`, every RETRY_SECONDS until the timeout. Exit status: 0 once the database answers, 1
when it did not within the timeout (plus at most one connection attempt's own timeout), 2 on a
configuration error. Messages name the database by host, port and name, never the password.
"""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from todo_common.config import error_line

from todo_backend.core.config import ConfigError, Settings, get_settings
from todo_backend.core.db import make_engine

RETRY_SECONDS = 2.0
DEFAULT_TIMEOUT_SECONDS = 60.0
PROG = "todo-backend wait_for_db"


def describe(settings: Settings) -> str:
    """host:port/database of the configured database: no user, no password."""
    url = make_url(settings.database_url)
    return f"{url.host}:{url.port or 5432}/{url.database}"


def reason(exc: BaseException, settings: Settings) -> str:
    """The driver's own words (first line), with the password blanked should it ever appear."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    words = lines[0] if lines else type(cause).__name__
    password = make_url(settings.database_url).password
    return words.replace(password, "***") if password else words


def wait(settings: Settings, timeout: float) -> int:
    where = describe(settings)
    deadline = time.monotonic() + timeout
    engine = make_engine(settings)
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except SQLAlchemyError as exc:
                last = reason(exc, settings)
                print(f"waiting for the database at {where}: {last}", flush=True)
            else:
                print(f"the database at {where} answers", flush=True)
                return 0
            if time.monotonic() + RETRY_SECONDS > deadline:
                break
            time.sleep(RETRY_SECONDS)
    finally:
        engine.dispose()
    print(
        f"{PROG}: the database at {where} did not answer within {timeout:g} s: {last}",
        file=sys.stderr,
    )
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"seconds to keep trying (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be greater than 0")
    try:
        settings = get_settings()
    except ConfigError as exc:
        print(error_line(PROG, exc), file=sys.stderr)
        return 2
    if settings.is_sqlite:
        print("SQLite database: nothing to wait for", flush=True)
        return 0
    return wait(settings, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
