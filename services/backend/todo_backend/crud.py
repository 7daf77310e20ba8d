"""Database operations, keyword-only, one place for every query the routes need."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import case, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from todo_backend.core.security import DUMMY_HASH, hash_password, verify_password
from todo_backend.models import (
    Priority,
    Todo,
    TodoCreate,
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


def release(session: Session) -> None:
    """Ends the session's transaction so its connection returns to the pool right away.

    Every function here ends this way (reads included): FastAPI runs each sync dependency and
    route in its own worker-thread hop, and a connection kept across hops lets requests that
    hold connections wait for threads while threads wait for connections (a deadlock that
    lasts until the pool times out). Objects stay usable: sessions do not expire on commit.
    """
    session.commit()


class EmailTaken(Exception):
    """Another account already uses this email address."""


# ---- users -------------------------------------------------------------------------------


def get_user_by_email(*, session: Session, email: str) -> User | None:
    user = session.exec(select(User).where(User.email == email.lower())).first()
    release(session)  # before any password hashing, which takes tens of milliseconds
    return user


def get_user(*, session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    release(session)
    return user


def create_user(*, session: Session, user_in: UserCreate) -> User:
    if get_user_by_email(session=session, email=user_in.email) is not None:
        raise EmailTaken
    user = User(email=user_in.email, hashed_password=hash_password(user_in.password))
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent registration won the race
        session.rollback()
        raise EmailTaken from exc
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    user = get_user_by_email(session=session, email=email)
    if user is None:
        verify_password(password, DUMMY_HASH)  # same cost as a wrong password
        return None
    if not verify_password(password, user.hashed_password):
        return None
    return user


# ---- todos -------------------------------------------------------------------------------


def create_todo(*, session: Session, owner_id: int, todo_in: TodoCreate) -> Todo:
    todo = Todo.model_validate(
        todo_in, update={"owner_id": owner_id, "priority": todo_in.priority.value}
    )
    session.add(todo)
    session.commit()
    return todo


def get_todo(*, session: Session, owner_id: int, todo_id: int) -> Todo | None:
    """The todo if it exists and belongs to `owner_id` (another user's todo looks absent)."""
    todo = session.get(Todo, todo_id)
    release(session)
    if todo is None or todo.owner_id != owner_id:
        return None
    return todo


def list_todos(
    *,
    session: Session,
    owner_id: int,
    completed: bool | None = None,
    priority: Priority | None = None,
    q: str | None = None,
    sort: SortKey = "-created_at",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Todo], int]:
    """One page of the owner's todos and the total matching count."""
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
    # only a page past the end needs a separate count.
    statement = (
        select(Todo, func.count().over().label("total"))
        .where(*conditions)
        .order_by(order, tiebreak)
        .limit(limit)
        .offset(offset)
    )
    rows = session.exec(statement).all()
    if rows:
        total = rows[0][1]
    else:
        total = session.exec(select(func.count()).select_from(Todo).where(*conditions)).one()
    release(session)
    return [row[0] for row in rows], total


def update_todo(*, session: Session, todo: Todo, todo_in: TodoUpdate) -> Todo:
    changes = todo_in.model_dump(exclude_unset=True)
    if "priority" in changes:
        changes["priority"] = Priority(changes["priority"]).value
    return _save(session=session, todo=todo, changes=changes)


def set_completed(*, session: Session, todo: Todo, completed: bool) -> Todo:
    return _save(session=session, todo=todo, changes={"completed": completed})


def _save(*, session: Session, todo: Todo, changes: dict) -> Todo:
    todo.sqlmodel_update(changes)
    todo.updated_at = utcnow()
    session.add(todo)
    session.commit()
    return todo


def delete_todo(*, session: Session, todo: Todo) -> None:
    session.delete(todo)
    session.commit()
