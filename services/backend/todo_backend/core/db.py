"""Engines, one pool per process, sized for one uvicorn process per container.

The app serves requests with an async engine (psycopg 3's async mode, or aiosqlite in
development); migrations and tests use a sync engine built from the same settings.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import create_engine

from todo_backend.core.config import Settings

# How long a request may wait for a connection (or a connection for the server) before it gets
# a clear 503 instead of hanging.
CONNECT_TIMEOUT_SECONDS = 5


def _postgres_options(settings: Settings) -> dict[str, Any]:
    return {
        # Drops connections the server (or Neon's idle suspend) closed, instead of a 500.
        "pool_pre_ping": True,
        "pool_size": settings.DB_POOL_SIZE,
        "max_overflow": settings.DB_MAX_OVERFLOW,
        "pool_timeout": CONNECT_TIMEOUT_SECONDS,
        "pool_recycle": 1800,
        "connect_args": {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": "todo-backend",
        },
    }


def _sqlite_foreign_keys(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def make_engine(settings: Settings) -> Engine:
    """A sync engine: migrations, tests, tools."""
    url = settings.database_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
        _sqlite_foreign_keys(engine)
        return engine
    return create_engine(url, **_postgres_options(settings))


def make_async_engine(settings: Settings) -> AsyncEngine:
    """The app's engine."""
    url = settings.database_url
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url.replace("sqlite://", "sqlite+aiosqlite://", 1), connect_args={"timeout": 5}
        )
        _sqlite_foreign_keys(engine.sync_engine)
        return engine
    return create_async_engine(
        url,
        # Every request's writes are single statements (INSERT/UPDATE/DELETE; a duplicate
        # email is caught by the unique index), so autocommit loses no atomicity and saves a
        # BEGIN and a COMMIT round trip per request.
        isolation_level="AUTOCOMMIT",
        **_postgres_options(settings),
    )
