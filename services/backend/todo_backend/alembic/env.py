"""Alembic environment: the app's own settings and models decide the URL and the schema.

Programmatic runs (`todo_backend.migrate.upgrade`) pass a live connection in
`config.attributes["connection"]`; the `alembic` command line builds an engine from the
environment (DATABASE_URL, POSTGRES_*), exactly as the app does.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel
from todo_backend import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from todo_backend.core.config import get_settings
from todo_backend.core.db import make_engine
from todo_backend.migrate import migration_transaction

target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = make_engine(get_settings())
    try:
        with migration_transaction(engine) as conn:
            run_migrations(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=get_settings().database_url, target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
