"""Todos of the signed-in user. Another user's todo answers 404, exactly like a missing one.

Every request's token is checked against its login session (api.deps.get_caller); an account
closed while a request runs is still caught by crud (crud.OwnerGone, answered 401)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status

from todo_backend import crud
from todo_backend.api.deps import BODY_ERRORS, UNAUTHORIZED, CurrentUser, SessionDep, TodoId
from todo_backend.models import (
    ErrorDetail,
    Priority,
    StorableText,
    Todo,
    TodoCreate,
    TodoList,
    TodoPublic,
    TodoUpdate,
)

router = APIRouter(prefix="/todos", tags=["todos"], responses=UNAUTHORIZED)

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such todo (or it belongs to someone else)", "model": ErrorDetail}
}
MAX_OFFSET = 1_000_000


async def _owned(session: SessionDep, user: CurrentUser, todo_id: int) -> Todo:
    todo = await crud.get_todo(session=session, owner_id=user.id, todo_id=todo_id)
    if todo is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Todo not found")
    return todo


@router.get("", response_model=TodoList)
async def list_todos(
    session: SessionDep,
    user: CurrentUser,
    completed: bool | None = None,
    priority: Priority | None = None,
    q: Annotated[
        StorableText | None,
        Query(max_length=200, description="Text to find in the title or description"),
    ] = None,
    sort: crud.SortKey = "-created_at",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> TodoList:
    return await crud.list_todos(
        session=session,
        owner_id=user.id,
        completed=completed,
        priority=priority,
        q=q,
        sort=sort,
        limit=limit,
        offset=offset,
    )


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=TodoPublic, responses=BODY_ERRORS
)
async def create_todo(session: SessionDep, user: CurrentUser, todo_in: TodoCreate) -> TodoPublic:
    todo = await crud.create_todo(session=session, owner_id=user.id, todo_in=todo_in)
    return TodoPublic.model_validate(todo)


@router.get("/{todo_id}", response_model=TodoPublic, responses=NOT_FOUND)
async def read_todo(session: SessionDep, user: CurrentUser, todo_id: TodoId) -> TodoPublic:
    return TodoPublic.model_validate(await _owned(session, user, todo_id))


@router.patch("/{todo_id}", response_model=TodoPublic, responses={**NOT_FOUND, **BODY_ERRORS})
async def update_todo(
    session: SessionDep, user: CurrentUser, todo_id: TodoId, todo_in: TodoUpdate
) -> TodoPublic:
    todo = await crud.update_todo(
        session=session, todo=await _owned(session, user, todo_id), todo_in=todo_in
    )
    return TodoPublic.model_validate(todo)


@router.post("/{todo_id}/complete", response_model=TodoPublic, responses=NOT_FOUND)
async def complete_todo(session: SessionDep, user: CurrentUser, todo_id: TodoId) -> TodoPublic:
    todo = await _owned(session, user, todo_id)
    return TodoPublic.model_validate(
        await crud.set_completed(session=session, todo=todo, completed=True)
    )


@router.post("/{todo_id}/reopen", response_model=TodoPublic, responses=NOT_FOUND)
async def reopen_todo(session: SessionDep, user: CurrentUser, todo_id: TodoId) -> TodoPublic:
    todo = await _owned(session, user, todo_id)
    return TodoPublic.model_validate(
        await crud.set_completed(session=session, todo=todo, completed=False)
    )


@router.delete("/{todo_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_todo(session: SessionDep, user: CurrentUser, todo_id: TodoId) -> Response:
    await crud.delete_todo(session=session, todo=await _owned(session, user, todo_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
