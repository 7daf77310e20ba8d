"""`python -m todo_backend.migrate`: brings the database schema to the latest revision.

Idempotent (alembic upgrade head): run it before each release starts; a second run changes
nothing. It reads the same settings as the app (DATABASE_URL, POSTGRES_*).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from todo_backend.core.config import ConfigError, get_settings
from todo_backend.core.db import make_engine
from todo_backend.core.logging import setup_logging

SCRIPT_LOCATION = Path(__file__).parent / "alembic"

log = logging.getLogger("todo_backend.migrate")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrades the database behind `engine` (env.py uses this connection, not a URL)."""
    upgrade_or_downgrade(engine, revision, up=True)


def upgrade_or_downgrade(engine: Engine, revision: str, *, up: bool = False) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.upgrade if up else command.downgrade)(config, revision)


def main() -> int:
    try:
        settings = get_settings()
        setup_logging(settings.LOG_LEVEL)
        settings.check_startup(need_jwt=False)
    except ConfigError as exc:
        print(f"todo-backend migrate: configuration error: {exc}", file=sys.stderr)
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
