"""The SQLAlchemy engine: one per process, sized for one uvicorn process per container."""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlmodel import create_engine

from todo_backend.core.config import Settings

# How long a probe or a request may wait for the database before giving up with a clear error.
CONNECT_TIMEOUT_SECONDS = 5


def make_engine(settings: Settings) -> Engine:
    url = settings.database_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(
        url,
        # Every request's writes are single statements (INSERT/UPDATE/DELETE; a duplicate
        # email is caught by the unique index), so autocommit loses no atomicity and saves a
        # BEGIN and a COMMIT round trip per request.
        isolation_level="AUTOCOMMIT",
        # Drops connections the server (or Neon's idle suspend) closed, instead of a 500.
        pool_pre_ping=True,
        pool_size=settings.DB_POOL_SIZE,
        max_overflow=settings.DB_MAX_OVERFLOW,
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": "todo-backend",
        },
    )
