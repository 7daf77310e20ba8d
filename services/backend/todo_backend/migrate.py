"""`python -m todo_backend.migrate`: brings the database schema to the latest revision.

Idempotent (alembic upgrade head): run it before each release starts; a second run changes
nothing. It reads the same settings as the app (DATABASE_URL, POSTGRES_*).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text
from todo_common.config import error_line
from todo_common.logs import configure_logging

from todo_backend.core.config import ConfigError, get_settings
from todo_backend.core.db import make_engine

SCRIPT_LOCATION = Path(__file__).parent / "alembic"
LOCK_KEY = 7_402_118_301  # any fixed bigint; names this app's migration lock

log = logging.getLogger("todo_backend.migrate")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction for a whole migration run (PostgreSQL DDL is transactional, so a failed
    run leaves nothing half done), serialised by an advisory lock: the chart migrates in every
    pod's init container, and two replicas starting together must not both create tables.
    The app's engine runs in autocommit; this connection opts out of it."""
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execution_options(isolation_level="READ COMMITTED")
        with connection.begin():
            if postgres:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            yield connection


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrades the database behind `engine` (env.py uses this connection, not a URL)."""
    upgrade_or_downgrade(engine, revision, up=True)


def upgrade_or_downgrade(engine: Engine, revision: str, *, up: bool = False) -> None:
    config = alembic_config()
    with migration_transaction(engine) as connection:
        config.attributes["connection"] = connection
        (command.upgrade if up else command.downgrade)(config, revision)


def main() -> int:
    try:
        settings = get_settings()
        configure_logging(settings.LOG_LEVEL)
        settings.check_startup(need_jwt=False)
    except ConfigError as exc:
        print(error_line("todo-backend migrate", exc), file=sys.stderr)
        return 2
    engine = make_engine(settings)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    log.info("database schema is at the latest revision")
    return 0


if __name__ == "__main__":
    sys.exit(main())
