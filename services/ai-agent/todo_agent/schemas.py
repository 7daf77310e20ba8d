"""The chat API's request and response bodies, and the backend's Todo as the agent sees it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

MAX_MESSAGE_CHARS = 2000
MAX_HISTORY_ITEMS = 20
# Earlier replies come back in the history and a listing can be long; the model path sends
# only the start of each (model.HISTORY_ITEM_CHARS), the offline path only reads the last one.
MAX_HISTORY_CONTENT_CHARS = 20_000

Priority = Literal["low", "medium", "high"]
ActionType = Literal["created", "updated", "completed", "reopened", "deleted", "listed"]


class User(BaseModel):
    """The backend's UserPublic, as far as the agent reads it."""

    id: int
    email: str


class Todo(BaseModel):
    """A todo as the backend answers it: its TodoPublic (docs/contracts.md `Todo`)."""

    id: int
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TodoPage(BaseModel):
    """The backend's TodoList: one page of todos and how many there are in all."""

    items: list[Todo]
    total: int
    limit: int
    offset: int


class HistoryItem(BaseModel):
    # Only user and assistant turns: a client cannot smuggle in a "system" or "tool" message.
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_HISTORY_CONTENT_CHARS)


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    history: list[HistoryItem] = Field(default_factory=list, max_length=MAX_HISTORY_ITEMS)


class Action(BaseModel):
    """One thing the agent did, for the UI to refresh: the todo as the backend returned it."""

    type: ActionType
    todo: Todo | None = None


class ErrorDetail(BaseModel):
    """Every error but 422: `{"detail": "readable reason"}`."""

    detail: str


class ChatResponse(BaseModel):
    reply: str
    actions: list[Action]
    mode: Literal["openai", "offline"]
