"""Database operations, keyword-only, one place for every query the routes need."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import anyio
from sqlalchemy import case, delete, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from todo_backend.core.security import (
    DUMMY_HASH,
    hash_password,
    new_session_id,
    verify_password,
)
from todo_backend.models import (
    LoginSession,
    Priority,
    Todo,
    TodoCreate,
    TodoList,
    TodoPublic,
    TodoUpdate,
    User,
    UserCreate,
    utcnow,
)

SortKey = Literal["created_at", "-created_at", "due_date", "-due_date", "priority", "-priority"]

_PRIORITY_RANK = case(
    {Priority.low.value: 0, Priority.medium.value: 1, Priority.high.value: 2},
    value=col(Todo.priority),
    else_=1,
)


_PUBLIC_COLUMNS = [Todo.__table__.c[name] for name in TodoPublic.model_fields]  # type: ignore[attr-defined]


class EmailTaken(Exception):
    """Another account already uses this email address."""


class OwnerGone(Exception):
    """The account a request acts for no longer exists (closed by its owner or removed by an
    operator). The app answers 401, as for any token that names no account."""


# ---- users -------------------------------------------------------------------------------


async def get_user_by_email(*, session: AsyncSession, email: str) -> User | None:
    """`email` in its canonical form (models.canonical_email: the validators give it so)."""
    user = (await session.exec(select(User).where(User.email == email))).first()
    # End the transaction: its connection goes back to the pool before any password hashing,
    # which takes tens of milliseconds. (Sessions do not expire objects on commit.)
    await session.commit()
    return user


async def get_user(*, session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def _require_account(*, session: AsyncSession, user_id: int) -> None:
    """Raises OwnerGone unless the account exists. The token's account is checked when the
    request starts (api.deps.get_caller), but it may be closed, in any replica, while the
    request runs: an answer that no todo row backs (an empty page, a missing todo) checks the
    account again."""
    found = (await session.exec(select(User.id).where(User.id == user_id))).first()
    if found is None:
        raise OwnerGone


async def delete_user(*, session: AsyncSession, user_id: int) -> bool:
    """Closes the account: the user and, through the foreign key's ON DELETE CASCADE, all of
    their todos, in one statement and so in one transaction. False if it was already gone."""
    result = await session.exec(delete(User).where(col(User.id) == user_id))
    await session.commit()
    return result.rowcount == 1


async def create_user(*, session: AsyncSession, user_in: UserCreate) -> User:
    if await get_user_by_email(session=session, email=user_in.email) is not None:
        raise EmailTaken
    # Argon2 is CPU work: a worker thread, so the event loop keeps serving other requests.
    hashed = await anyio.to_thread.run_sync(hash_password, user_in.password)
    user = User(email=user_in.email, hashed_password=hashed)
    session.add(user)
    try:
        await session.commit()
    except IntegrityError as exc:  # a concurrent registration won the race
        await session.rollback()
        raise EmailTaken from exc
    return user


async def authenticate(*, session: AsyncSession, email: str, password: str) -> User | None:
    user = await get_user_by_email(session=session, email=email)
    # Unknown email: verify against a dummy hash anyway, so both failures take as long.
    hashed = user.hashed_password if user is not None else DUMMY_HASH
    matches = await anyio.to_thread.run_sync(verify_password, password, hashed)
    return user if user is not None and matches else None


async def check_password(*, session: AsyncSession, user_id: int, password: str) -> bool:
    user = await session.get(User, user_id)
    await session.commit()  # the connection goes back before hashing
    if user is None:
        raise OwnerGone
    return await anyio.to_thread.run_sync(verify_password, password, user.hashed_password)


async def change_password(
    *, session: AsyncSession, user_id: int, password: str, keep_session: str
) -> None:
    """Sets the account's password and ends every other session of it, in one transaction
    (so no moment exists where the new password is set and the old sessions still work)."""
    hashed = await anyio.to_thread.run_sync(hash_password, password)
    await session.commit()  # a fresh connection below, which takes the isolation level
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # The engine runs in autocommit (single-statement writes); this write is two.
        await session.connection(execution_options={"isolation_level": "READ COMMITTED"})
    changed = await session.exec(
        update(User).where(col(User.id) == user_id).values(hashed_password=hashed)
    )
    await session.exec(
        delete(LoginSession).where(
            col(LoginSession.user_id) == user_id, col(LoginSession.id) != keep_session
        )
    )
    await session.commit()
    if changed.rowcount != 1:
        raise OwnerGone


# ---- login sessions ----------------------------------------------------------------------


async def start_session(*, session: AsyncSession, user_id: int, lifetime: timedelta) -> str:
    """A new login session of the account; returns its id (the token's `jti`). Sessions past
    their expiry, anyone's, are deleted on the way (an indexed range, usually tiny)."""
    now = utcnow()
    await session.exec(delete(LoginSession).where(col(LoginSession.expires_at) < now))
    session_id = new_session_id()
    session.add(
        LoginSession(id=session_id, user_id=user_id, created_at=now, expires_at=now + lifetime)
    )
    try:
        await session.commit()
    except IntegrityError as exc:  # the account was closed meanwhile
        await session.rollback()
        raise OwnerGone from exc
    return session_id


async def session_user(*, session: AsyncSession, user_id: int, session_id: str) -> User | None:
    """The account of a live session (one query): None once the session has been ended, has
    expired, or its account is gone."""
    statement = (
        select(User)
        .join(LoginSession, col(LoginSession.user_id) == col(User.id))
        .where(
            col(LoginSession.id) == session_id,
            col(User.id) == user_id,
            col(LoginSession.expires_at) > utcnow(),
        )
    )
    return (await session.exec(statement)).first()


async def end_session(*, session: AsyncSession, user_id: int, session_id: str) -> bool:
    """Logs the session out; False if it had already ended."""
    result = await session.exec(
        delete(LoginSession).where(
            col(LoginSession.id) == session_id, col(LoginSession.user_id) == user_id
        )
    )
    await session.commit()
    return result.rowcount == 1


# ---- todos -------------------------------------------------------------------------------


async def create_todo(*, session: AsyncSession, owner_id: int, todo_in: TodoCreate) -> Todo:
    todo = Todo.model_validate(
        todo_in, update={"owner_id": owner_id, "priority": todo_in.priority.value}
    )
    session.add(todo)
    try:
        await session.commit()
    except IntegrityError as exc:  # the only foreign key is the owner
        await session.rollback()
        raise OwnerGone from exc
    return todo


async def get_todo(*, session: AsyncSession, owner_id: int, todo_id: int) -> Todo | None:
    """The todo if it exists and belongs to `owner_id` (another user's todo looks absent).
    Raises OwnerGone instead of answering None when the owner's account is gone."""
    todo = await session.get(Todo, todo_id)
    if todo is None or todo.owner_id != owner_id:
        await _require_account(session=session, user_id=owner_id)
        return None
    return todo


async def list_todos(
    *,
    session: AsyncSession,
    owner_id: int,
    completed: bool | None = None,
    priority: Priority | None = None,
    q: str | None = None,
    sort: SortKey = "-created_at",
    limit: int = 50,
    offset: int = 0,
) -> TodoList:
    """One page of the owner's todos, with the total matching count. Raises OwnerGone when
    the page is empty because the owner's account is gone (a todo exists only with its owner,
    so a non-empty page proves the account)."""
    conditions = [Todo.owner_id == owner_id]
    if completed is not None:
        conditions.append(Todo.completed == completed)
    if priority is not None:
        conditions.append(Todo.priority == priority.value)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                col(Todo.title).ilike(pattern, escape="\\"),
                col(Todo.description).ilike(pattern, escape="\\"),
            )
        )

    descending = sort.startswith("-")
    key = sort.lstrip("-")
    column = {"created_at": col(Todo.created_at), "due_date": col(Todo.due_date)}.get(
        key, _PRIORITY_RANK
    )
    order = column.desc() if descending else column.asc()
    if key == "due_date":
        order = order.nulls_last()  # todos without a due date come last either way
    tiebreak = col(Todo.id).desc() if descending else col(Todo.id).asc()

    # The total comes with the page in one round trip (a window count over the filtered rows);
    # only a page past the end needs a separate count. Plain rows, not ORM objects: a page is
    # only read, and building 50 tracked objects cost more than the query.
    statement = (
        select(*_PUBLIC_COLUMNS, func.count().over().label("total"))
        .where(*conditions)
        .order_by(order, tiebreak)
        .limit(limit)
        .offset(offset)
    )
    rows = (await session.exec(statement)).mappings().all()
    if rows:
        total = rows[0]["total"]
    else:
        count = select(func.count()).select_from(Todo).where(*conditions).scalar_subquery()
        account = select(User.id).where(User.id == owner_id).exists()
        total, exists = (await session.exec(select(count, account))).one()
        if not exists:
            raise OwnerGone
    # One validation for the whole page (pydantic-core walks the rows), not one per todo.
    return TodoList.model_validate(
        {"items": rows, "total": total, "limit": limit, "offset": offset}
    )


async def update_todo(*, session: AsyncSession, todo: Todo, todo_in: TodoUpdate) -> Todo:
    changes = todo_in.model_dump(exclude_unset=True)
    if "priority" in changes:
        changes["priority"] = Priority(changes["priority"]).value
    return await _save(session=session, todo=todo, changes=changes)


async def set_completed(*, session: AsyncSession, todo: Todo, completed: bool) -> Todo:
    return await _save(session=session, todo=todo, changes={"completed": completed})


async def _save(*, session: AsyncSession, todo: Todo, changes: dict) -> Todo:
    todo.sqlmodel_update(changes)
    todo.updated_at = utcnow()
    session.add(todo)
    await session.commit()
    return todo


async def delete_todo(*, session: AsyncSession, todo: Todo) -> None:
    await session.delete(todo)
    await session.commit()
