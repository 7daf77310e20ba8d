"""Data models in layers, as in the FastAPI full-stack template: Base -> Create / Update ->
table model -> Public. Table models never leave the API; Public models are what clients see.
"""

from __future__ import annotations

import contextlib
import enum
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, StringConstraints, WithJsonSchema
from sqlalchemy import DateTime, Index, TypeDecorator
from sqlmodel import Column, Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL, and lone surrogates cannot be encoded: refuse both here
    # (422) rather than letting the driver fail with a 500.
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from exc
    return text


StorableText = Annotated[str, AfterValidator(_storable)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_storable),
]
Description = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_storable)]
Password = Annotated[
    str, StringConstraints(min_length=8, max_length=128), AfterValidator(_storable)
]

MAX_EMAIL_LENGTH = 254


def canonical_email(raw: str) -> str:
    """The one form in which an email address is stored and looked up, at registration and
    at login alike: surrounding whitespace stripped, Unicode NFKC (composed accents; fullwidth
    and other compatibility forms become their plain characters), then email-validator's
    normalisation when the result is a valid address (the domain mapped as IDNA/UTS-46 does),
    then the whole address lower-cased (str.lower, as stored addresses always were)."""
    text = unicodedata.normalize("NFKC", raw.strip())
    with contextlib.suppress(EmailNotValidError):  # then no account has it
        text = validate_email(text, check_deliverability=False).normalized
    return text.lower()


def _registrable_email(raw: str) -> str:
    email = canonical_email(raw)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid email address: {exc}") from None
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValueError(f"an email address has at most {MAX_EMAIL_LENGTH} characters")
    return email


Email = Annotated[
    str,
    StringConstraints(max_length=320),
    AfterValidator(_storable),
    AfterValidator(_registrable_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": MAX_EMAIL_LENGTH}),
]
LoginEmail = Annotated[
    str,
    StringConstraints(min_length=1, max_length=320),
    AfterValidator(_storable),
    AfterValidator(canonical_email),
]


class Priority(enum.StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


# ---- users -------------------------------------------------------------------------------


class UserBase(SQLModel):
    email: Email


class UserCreate(UserBase):
    password: Password


AnyPassword = Annotated[
    str, StringConstraints(min_length=1, max_length=128), AfterValidator(_storable)
]


class UserLogin(SQLModel):
    # Any string: a malformed address simply matches no account (same 401 as a wrong password).
    email: LoginEmail
    password: AnyPassword


class PasswordChange(SQLModel):
    current_password: AnyPassword
    new_password: Password


class User(SQLModel, table=True):
    __tablename__ = "users"
    # A closed account's id is never handed out again (a token names its account by id):
    # PostgreSQL's sequence never repeats a value; SQLite needs AUTOINCREMENT for the same.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    hashed_password: str = Field(max_length=255)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class LoginSession(SQLModel, table=True):
    """One logged-in session: a token is accepted only while its session row exists (logout,
    a password change and closing the account delete rows, in every replica at once)."""

    __tablename__ = "login_sessions"

    id: str = Field(primary_key=True, max_length=64)  # the token's `jti`
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class AuthThrottle(SQLModel, table=True):
    """One counter of login or registration attempts (todo_backend.throttle)."""

    __tablename__ = "auth_throttle"

    key: str = Field(primary_key=True, max_length=64)  # HMAC of the kind, email, address
    attempts: int
    counted_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    blocked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    known_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    version: int


class ErrorDetail(SQLModel):
    """Every error but 422: a readable reason."""

    detail: str


class UserPublic(SQLModel):
    id: int
    email: str
    created_at: datetime


class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the token kind, not a secret
    expires_in: int


# ---- todos -------------------------------------------------------------------------------


class TodoBase(SQLModel):
    title: Title
    description: Description | None = None
    priority: Priority = Priority.medium
    due_date: date | None = None


class TodoCreate(TodoBase):
    pass


class TodoUpdate(SQLModel):
    # Absent means unchanged. title, priority and completed cannot be null; description and
    # due_date can (null clears them).
    title: Title = None  # type: ignore[assignment]
    description: Description | None = None
    priority: Priority = None  # type: ignore[assignment]
    due_date: date | None = None
    completed: bool = None  # type: ignore[assignment]


class Todo(SQLModel, table=True):
    __tablename__ = "todos"
    # Every query filters by owner; the default list order is newest first.
    __table_args__ = (Index("ix_todos_owner_id_created_at", "owner_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    completed: bool = Field(default=False)
    priority: str = Field(default=Priority.medium.value, max_length=6)
    due_date: date | None = Field(default=None)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class TodoPublic(SQLModel):
    id: int
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: date | None
    created_at: datetime
    updated_at: datetime


class TodoList(SQLModel):
    items: list[TodoPublic]
    total: int
    limit: int
    offset: int
