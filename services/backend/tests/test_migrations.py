"""Migrations on a real, empty PostgreSQL: up from nothing, idempotent, down and up again, and
the migrated schema is exactly what the models describe."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel
from todo_backend import migrate, models  # noqa: F401  (models registers the tables)

from tests.conftest import SERVICE_DIR, run_migrate, server_env
from testsupport.postgres import fresh_database


@pytest.fixture
def empty_database(postgres_server: str) -> str:
    return fresh_database(postgres_server, "todo_migrations")


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


def test_migrated_schema_matches_the_models_and_downgrades_cleanly(empty_database: str) -> None:
    engine = create_engine(empty_database)
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
