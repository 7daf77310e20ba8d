"""login sessions, the login and registration throttle, canonical emails

- `login_sessions`: a token is accepted only while its session row exists, so logout, a
  password change and closing the account (ON DELETE CASCADE) end tokens at once in every
  replica. Tokens issued before this revision name no session: their holders log in again.
- `auth_throttle`: the counters of todo_backend.throttle, shared by every replica.
- Stored emails are rewritten to the canonical form login now looks them up in (NFKC, then
  email-validator's normalisation, lower-cased). Before, registration normalised through
  email-validator and lower-cased, so only addresses with compatibility characters (fullwidth
  letters, for one) change. An address whose canonical form another account already holds
  is left as it is (login finds the account holding the canonical form). The downgrade
  leaves emails canonical.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import contextlib
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from email_validator import EmailNotValidError, validate_email

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _canonical(raw: str) -> str:
    # Frozen copy of models.canonical_email as of this revision (a later change to the app's
    # rule must not change what this migration did).
    text = unicodedata.normalize("NFKC", raw.strip())
    with contextlib.suppress(EmailNotValidError):
        text = validate_email(text, check_deliverability=False).normalized
    return text.lower()


def _canonical_emails() -> None:
    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))
    rows = connection.execute(sa.select(users.c.id, users.c.email)).all()
    taken = {email for _, email in rows}
    for user_id, email in rows:
        canonical = _canonical(email)
        if canonical != email and canonical not in taken and len(canonical) <= 254:
            connection.execute(users.update().where(users.c.id == user_id).values(email=canonical))
            taken.add(canonical)


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])
    op.create_index("ix_login_sessions_expires_at", "login_sessions", ["expires_at"])
    op.create_table(
        "auth_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("known_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_auth_throttle_expires_at", "auth_throttle", ["expires_at"])
    _canonical_emails()


def downgrade() -> None:
    op.drop_index("ix_auth_throttle_expires_at", table_name="auth_throttle")
    op.drop_table("auth_throttle")
    op.drop_index("ix_login_sessions_expires_at", table_name="login_sessions")
    op.drop_index("ix_login_sessions_user_id", table_name="login_sessions")
    op.drop_table("login_sessions")
