"""The model's tools: their argument models, the definitions the model is sent (generated
from those models by the openai SDK), and their execution against the backend.

Every tool acts through the BackendSession, i.e. with the calling user's own token. The model
never sees or chooses credentials, so no prompt can make a tool reach another user's todos.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

import openai
from openai.types.chat import ChatCompletionFunctionToolParam
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from todo_agent.actions import ActionLog, delete_all
from todo_agent.backend import BackendError, BackendSession
from todo_agent.safety import CLEAR_COMPLETED_QUESTION, DELETE_SEVERAL_QUESTION, Bulk
from todo_agent.schemas import Priority, Todo

# The definitions are strict function tools (openai.pydantic_function_tool): every field is
# required and no other is allowed, so a model that honours them sends every field, null for
# the ones it leaves alone. A null therefore never means "clear": UpdateArgs names what to
# clear. Arguments are still validated here, and a field left out counts as null, for servers
# that do not enforce the schema.


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListArgs(_Args):
    completed: bool | None = Field(None, description="true: only done, false: only open")
    priority: Priority | None = None
    sort: (
        Literal["created_at", "-created_at", "due_date", "-due_date", "priority", "-priority"]
        | None
    ) = Field(None, description="null: newest first")


class SearchArgs(_Args):
    query: str = Field(
        min_length=1, max_length=200, description="text in title or description, 1-200 characters"
    )
    completed: bool | None = None


class AddArgs(_Args):
    title: str = Field(min_length=1, max_length=200, description="1-200 characters")
    description: str | None = Field(None, max_length=2000, description="up to 2000 characters")
    priority: Priority | None = Field(None, description="null: medium")
    due_date: dt.date | None = Field(None, description="YYYY-MM-DD")


class IdArgs(_Args):
    id: int = Field(description="the todo's id from list_todos or search_todos")


class UpdateArgs(IdArgs):
    title: str | None = Field(
        None, min_length=1, max_length=200, description="1-200 characters; null keeps it"
    )
    description: str | None = Field(
        None, max_length=2000, description="up to 2000 characters; null keeps it"
    )
    priority: Priority | None = Field(None, description="null keeps it")
    due_date: dt.date | None = Field(None, description="YYYY-MM-DD; null keeps it")
    clear: list[Literal["description", "due_date"]] = Field(
        default_factory=list, description='fields to empty, e.g. ["due_date"] for no date'
    )


class NoArgs(_Args):
    pass


_SPECS: dict[str, tuple[type[_Args], str]] = {
    "list_todos": (ListArgs, "List the user's todos, optionally only open or done ones."),
    "search_todos": (SearchArgs, "Find the user's todos whose title or description has a text."),
    "add_todo": (AddArgs, "Create a todo."),
    "update_todo": (UpdateArgs, "Change a todo's title, description, priority or due date."),
    "complete_todo": (IdArgs, "Mark a todo as done."),
    "reopen_todo": (IdArgs, "Mark a done todo as open again."),
    "delete_todo": (IdArgs, "Delete one todo for good."),
    "clear_completed_todos": (
        NoArgs,
        "Delete all done todos for good. The user is asked to confirm first.",
    ),
}

# Keywords OpenAI's strict mode refuses with a 400 for the whole request ("Supported schemas"
# in the Structured Outputs guide lists pattern and format for strings, not lengths); the
# argument models still enforce them when a call is validated (ToolRunner), and the model is
# told the reason when one is too long.
_NOT_IN_STRICT_MODE = frozenset({"minLength", "maxLength"})


def _strict_subset(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {
            key: _strict_subset(value)
            for key, value in schema.items()
            if key not in _NOT_IN_STRICT_MODE
        }
    if isinstance(schema, list):
        return [_strict_subset(item) for item in schema]
    return schema


def _tool(model: type[_Args], name: str, description: str) -> ChatCompletionFunctionToolParam:
    tool = openai.pydantic_function_tool(model, name=name, description=description)
    tool["function"]["parameters"] = _strict_subset(tool["function"]["parameters"])
    return tool


# Chat Completions `tools`, as sent with every model call.
TOOLS: list[ChatCompletionFunctionToolParam] = [
    _tool(model, name, description) for name, (model, description) in _SPECS.items()
]


class NeedsConfirmation(Exception):
    """A destructive bulk action was requested without the user's confirmation."""

    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.question = question


_BRIEF = {"id", "title", "description", "completed", "priority", "due_date"}


def _brief(todo: Todo) -> dict[str, Any]:
    """What the model needs of a todo; long descriptions cut, to bound tokens per call."""
    brief = todo.model_dump(mode="json", include=_BRIEF)
    if brief["description"] and len(brief["description"]) > 300:
        brief["description"] = brief["description"][:300] + " [...]"
    return brief


class ToolRunner:
    """Executes the model's tool calls for one chat turn, recording every change."""

    def __init__(self, session: BackendSession, log: ActionLog, *, confirmed: Bulk | None) -> None:
        """`confirmed`: the bulk deletion the user said yes to in this turn, if any."""
        self._session = session
        self._log = log
        self._confirmed = confirmed
        self._deletes = 0

    async def run(self, name: str, arguments: str) -> str:
        """The tool's result as JSON for the model; mistakes go back to the model as errors.

        BackendUnauthorized, BackendUnavailable and NeedsConfirmation end the turn."""
        spec = _SPECS.get(name)
        if spec is None:
            return json.dumps({"error": f"unknown tool {name!r}"})
        try:
            args = spec[0].model_validate_json(arguments or "{}")
        except ValidationError as exc:
            errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            return json.dumps({"error": "invalid arguments", "details": errors})
        try:
            result = await getattr(self, "_" + name)(args)
        except BackendError as exc:
            return json.dumps({"error": exc.detail, "status": exc.status})
        return json.dumps(result, default=str)

    async def _list_todos(self, args: ListArgs) -> dict[str, Any]:
        todos = await self._session.list_todos(
            completed=args.completed, priority=args.priority, sort=args.sort
        )
        self._log.record("listed")
        return {"todos": [_brief(t) for t in todos]}

    async def _search_todos(self, args: SearchArgs) -> dict[str, Any]:
        todos = await self._session.list_todos(q=args.query, completed=args.completed)
        self._log.record("listed")
        return {"todos": [_brief(t) for t in todos]}

    async def _add_todo(self, args: AddArgs) -> dict[str, Any]:
        todo = await self._session.create_todo(args.model_dump(mode="json", exclude_none=True))
        self._log.record("created", todo)
        return {"created": _brief(todo)}

    async def _update_todo(self, args: UpdateArgs) -> dict[str, Any]:
        fields = args.model_dump(mode="json", exclude_none=True, exclude={"id", "clear"})
        if both := fields.keys() & set(args.clear):
            return {"error": f"{', '.join(sorted(both))}: both given and cleared"}
        fields |= dict.fromkeys(args.clear)
        if not fields:
            return {"error": "nothing to change"}
        todo = await self._session.update_todo(args.id, fields)
        self._log.record("updated", todo)
        return {"updated": _brief(todo)}

    async def _complete_todo(self, args: IdArgs) -> dict[str, Any]:
        todo = await self._session.complete_todo(args.id)
        self._log.record("completed", todo)
        return {"completed": _brief(todo)}

    async def _reopen_todo(self, args: IdArgs) -> dict[str, Any]:
        todo = await self._session.reopen_todo(args.id)
        self._log.record("reopened", todo)
        return {"reopened": _brief(todo)}

    async def _delete_todo(self, args: IdArgs) -> dict[str, Any]:
        # One deletion per turn is an ordinary request; a second one in the same turn is a
        # bulk deletion and needs the user's "yes" to that question first.
        if self._deletes >= 1 and self._confirmed not in ("delete_several", "delete_all"):
            raise NeedsConfirmation(DELETE_SEVERAL_QUESTION)
        todo = await self._session.get_todo(args.id)  # the record the UI shows as deleted
        await self._session.delete_todo(args.id)
        self._deletes += 1
        self._log.record("deleted", todo)
        return {"deleted": _brief(todo)}

    async def _clear_completed_todos(self, args: NoArgs) -> dict[str, Any]:
        if self._confirmed != "clear_completed":
            count = len(await self._session.list_todos(completed=True))
            if not count:
                return {"deleted": 0, "note": "there are no completed todos"}
            raise NeedsConfirmation(CLEAR_COMPLETED_QUESTION.format(count=count))
        return {"deleted": await delete_all(self._session, True, self._log)}
