"""The chat API's request and response bodies, and the backend's Todo as the agent sees it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

MAX_MESSAGE_CHARS = 2000
MAX_HISTORY_ITEMS = 20
# Earlier replies come back in the history and a listing can be long; the model path sends
# only the start of each (model.HISTORY_ITEM_CHARS), the offline path only reads the last one.
MAX_HISTORY_CONTENT_CHARS = 20_000

ActionType = Literal["created", "updated", "completed", "reopened", "deleted", "listed"]


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
    todo: dict[str, Any] | None = None


class ErrorDetail(BaseModel):
    """Every error but 422: `{"detail": "readable reason"}`."""

    detail: str


class ChatResponse(BaseModel):
    reply: str
    actions: list[Action]
    mode: Literal["openai", "offline"]
