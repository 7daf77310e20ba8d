"""The record of what one chat turn did, shared by both paths, and how todos read in a reply."""

from __future__ import annotations

from todo_agent.backend import BackendError, BackendSession, Todo
from todo_agent.schemas import Action, ActionType

_PAST = {
    "created": "added",
    "updated": "updated",
    "completed": "completed",
    "reopened": "reopened",
    "deleted": "deleted",
}


def describe_todo(todo: Todo, *, with_id: bool = False) -> str:
    """One line per todo: `[x] "title" (high priority, due 2026-12-04)`, optionally `#12 `
    first (to tell apart todos with the same title)."""
    box = "[x]" if todo.get("completed") else "[ ]"
    if with_id:
        box = f"#{todo.get('id')} {box}"
    extras = []
    if todo.get("priority") and todo["priority"] != "medium":
        extras.append(f"{todo['priority']} priority")
    if todo.get("due_date"):
        extras.append(f"due {todo['due_date']}")
    suffix = f" ({', '.join(extras)})" if extras else ""
    return f'{box} "{todo.get("title", "")}"{suffix}'


def describe_list(todos: list[Todo], *, with_ids: bool = False) -> str:
    return "\n".join(f"- {describe_todo(todo, with_id=with_ids)}" for todo in todos)


class ActionLog:
    """Appends every backend change as it happens, so a failure later in the turn can say
    exactly what was already done (never a silent half-applied action)."""

    def __init__(self) -> None:
        self.actions: list[Action] = []

    def record(self, type_: ActionType, todo: Todo | None = None) -> None:
        self.actions.append(Action(type=type_, todo=todo))

    @property
    def changes(self) -> list[Action]:
        return [a for a in self.actions if a.type != "listed"]

    def summary(self) -> str:
        """`added "a"; completed "b"` or an empty string when nothing changed."""
        parts = [f'{_PAST[a.type]} "{(a.todo or {}).get("title", "?")}"' for a in self.changes]
        return "; ".join(parts)

    def done_so_far(self) -> str:
        summary = self.summary()
        if not summary:
            return "Nothing was changed."
        return f"Already done before that: {summary}."


# A page is at most 100 todos; bounded so a misbehaving backend cannot keep the loop going.
_MAX_DELETE_PAGES = 50


async def delete_all(session: BackendSession, completed: bool | None, log: ActionLog) -> int:
    """Deletes every todo (or every completed / open one), recording each; returns the count.

    Callers ask the user to confirm first (see safety.py)."""
    count = 0
    for _ in range(_MAX_DELETE_PAGES):
        todos = await session.list_todos(completed=completed, limit=100)
        if not todos:
            break
        for todo in todos:
            try:
                await session.delete_todo(todo["id"])
            except BackendError as exc:
                if exc.status != 404:
                    raise
                continue  # deleted meanwhile (another tab): the goal is reached anyway
            log.record("deleted", todo)
            count += 1
    return count
