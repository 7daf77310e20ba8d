"""Migrations on a real, empty PostgreSQL and on SQLite: up from nothing, idempotent, down and
up again, the migrated schema is exactly what the models describe, and upgrading a database
that holds accounts keeps them (and never reuses a closed account's id)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlmodel import SQLModel
from todo_backend import migrate, models  # noqa: F401  (models registers the tables)
from todo_backend.core.config import Settings
from todo_backend.core.db import make_engine

from tests.conftest import SERVICE_DIR, run_migrate, server_env
from testsupport.postgres import fresh_database


@pytest.fixture
def empty_database(postgres_server: str) -> str:
    return fresh_database(postgres_server, "todo_migrations")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'todo.db'}"
    return fresh_database(request.getfixturevalue("postgres_server"), "todo_migrations")


def app_engine(database_url: str) -> Engine:
    """A sync engine exactly as the app builds it (on SQLite: foreign keys on)."""
    return make_engine(Settings(DATABASE_URL=database_url))


def head_revision() -> str:
    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()


def test_migrate_command_builds_the_schema_from_empty_and_is_idempotent(
    empty_database: str,
) -> None:
    env = {**server_env(empty_database, app_env="production"), "LOG_LEVEL": "INFO"}
    first = run_migrate(env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Running upgrade  -> 0001" in first.stdout
    second = run_migrate(env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Running upgrade" not in second.stdout  # nothing left to do

    engine = create_engine(empty_database)
    try:
        assert {"users", "todos", "alembic_version"} <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == head_revision()
    finally:
        engine.dispose()


def test_replicas_migrating_at_the_same_time_both_succeed(empty_database: str) -> None:
    env = {**os.environ, **server_env(empty_database, app_env="production")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "todo_backend.migrate"],
            cwd=SERVICE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs


def test_postgres_scheme_urls_are_accepted_by_the_migrate_command(empty_database: str) -> None:
    # What Neon and Heroku hand out: postgres:// (the normaliser maps it to psycopg 3).
    url = empty_database.replace("postgresql+psycopg://", "postgres://") + "?sslmode=disable"
    result = run_migrate(server_env(url, app_env="production"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrated_schema_matches_the_models_and_downgrades_cleanly(
    any_empty_database: str,
) -> None:
    engine = app_engine(any_empty_database)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
            )
        assert diff == [], f"models and migrations disagree: {diff}"

        migrate.upgrade_or_downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert {"users", "todos"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _user_ids(conn) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict(conn.execute(text("SELECT email, id FROM users")).all())


def _add_user(conn, email: str) -> int:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO users (email, hashed_password, created_at) "
            "VALUES (:email, 'not-a-hash', CURRENT_TIMESTAMP)"
        ),
        {"email": email},
    )
    return _user_ids(conn)[email]


def _add_todo(conn, owner: int, title: str) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        text(
            "INSERT INTO todos (owner_id, title, completed, priority, created_at, updated_at) "
            "VALUES (:owner, :title, false, 'high', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"owner": owner, "title": title},
    )


def _todos(conn) -> list[tuple]:  # type: ignore[no-untyped-def]
    rows = conn.execute(text("SELECT owner_id, title, priority FROM todos ORDER BY title"))
    return [tuple(row) for row in rows]


def test_upgrading_a_database_with_accounts_keeps_them_and_never_reuses_an_id(
    any_empty_database: str,
) -> None:
    """0002 rebuilds SQLite's tables (AUTOINCREMENT ids); no row may be lost on the way, the
    todos must still go with their account, and a closed account's id is never handed out
    again (it would let the closed account's tokens reach the new account)."""
    engine = app_engine(any_empty_database)
    try:
        migrate.upgrade(engine, "0001")
        with engine.begin() as conn:
            ada, bob = _add_user(conn, "ada@example.com"), _add_user(conn, "bob@example.com")
            for owner, title in ((ada, "ada 1"), (ada, "ada 2"), (bob, "bob 1")):
                _add_todo(conn, owner, title)
            before_users, before_todos = _user_ids(conn), _todos(conn)

        migrate.upgrade(engine)
        with engine.begin() as conn:
            assert _user_ids(conn) == before_users
            assert _todos(conn) == before_todos
            # bob has the highest id: closing his account must not free it for the next one.
            conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": bob})
            assert _todos(conn) == [(ada, "ada 1", "high"), (ada, "ada 2", "high")]
            assert _add_user(conn, "carol@example.com") > bob

        migrate.upgrade_or_downgrade(engine, "0001")
        with engine.connect() as conn:
            assert set(_user_ids(conn)) == {"ada@example.com", "carol@example.com"}
            assert len(_todos(conn)) == 2
    finally:
        engine.dispose()


def test_upgrading_to_sessions_brings_stored_emails_to_the_login_form(
    any_empty_database: str,
) -> None:
    """0003 follows 0002 (the id fix stays in the chain) and rewrites stored emails to the
    one form login looks them up in; an email whose form another account already holds is
    left as it is, so no account is lost or merged."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_heads() == ["0003"]
    assert script.get_revision("0003").down_revision == "0002"

    fullwidth = "\uff4a\uff4f\uff48\uff4e@example.com"  # as registration stored it before 0003
    engine = app_engine(any_empty_database)
    try:
        migrate.upgrade(engine, "0002")
        with engine.begin() as conn:
            ids = {email: _add_user(conn, email) for email in (fullwidth, "ada@example.com")}
            clash = _add_user(conn, "\uff41\uff44\uff41@example.com")  # canonical: ada@...
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert _user_ids(conn) == {
                "john@example.com": ids[fullwidth],
                "ada@example.com": ids["ada@example.com"],
                "\uff41\uff44\uff41@example.com": clash,
            }
            assert {"login_sessions", "auth_throttle"} <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
