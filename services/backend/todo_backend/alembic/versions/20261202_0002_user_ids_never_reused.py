"""user ids are never reused

Accounts can be closed, and a token names its account by id: a later account must never get
a closed account's id. PostgreSQL's SERIAL sequence never hands out a value twice, so nothing
changes there. SQLite without AUTOINCREMENT reuses the highest id once that row is gone, so
there both tables are rebuilt with `users.id` as AUTOINCREMENT.

The rebuild never drops a table that another one still references: with foreign keys on (the
app's engines turn them on for every connection), dropping `users` while `todos` references it
would delete every todo through ON DELETE CASCADE. So the new todos table references the new
users table, the old tables go (todos first), and the renames carry the reference along.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COPY_USERS = (
    "INSERT INTO _users_new (id, email, hashed_password, created_at) "
    "SELECT id, email, hashed_password, created_at FROM users"
)
COPY_TODOS = (
    "INSERT INTO _todos_new (id, owner_id, title, description, completed, priority, due_date, "
    "created_at, updated_at) SELECT id, owner_id, title, description, completed, priority, "
    "due_date, created_at, updated_at FROM todos"
)


def _rebuild_sqlite(*, autoincrement: bool) -> None:
    op.create_table(
        "_users_new",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=autoincrement,
    )
    op.create_table(
        "_todos_new",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.String(length=6), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["_users_new.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(COPY_USERS)
    op.execute(COPY_TODOS)
    op.drop_table("todos")  # its indexes go with it
    op.drop_table("users")  # nothing references it any more: no cascade
    # SQLite (3.26+) rewrites _todos_new's reference to the new name.
    op.rename_table("_users_new", "users")
    op.rename_table("_todos_new", "todos")
    op.create_index("ix_users_email", "users", ["email"], unique=True)
    op.create_index("ix_todos_owner_id_created_at", "todos", ["owner_id", "created_at"])


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(autoincrement=False)
