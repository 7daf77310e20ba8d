"""The record of what one chat turn did, shared by both paths, and how todos read in a reply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from todo_agent.backend import BackendError, BackendSession
from todo_agent.schemas import Action, ActionType, HistoryItem, Todo

_PAST = {
    "created": "added",
    "updated": "updated",
    "completed": "completed",
    "reopened": "reopened",
    "deleted": "deleted",
}
# English names, not strftime's %a / %b: those follow the process's locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip
OPEN_MARK = "\u2022"  # bullet
DONE_MARK = "\u2713"  # check mark
DASH = "\u2014"  # em dash: between a title (which may hold commas) and its details


def format_day(day: dt.date, today: dt.date) -> str:
    """A day as a person writes it: today, tomorrow, Fri 4 Dec, or Tue 5 Jan 2027 (the year
    only when it is not the current one)."""
    if day == today:
        return "today"
    if day == today + dt.timedelta(days=1):
        return "tomorrow"
    text = f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def _details(todo: Todo, today: dt.date) -> list[str]:
    """What a reply says about a todo besides its title: a priority other than the usual
    medium, and the due date (with "overdue" for an open todo whose day has passed)."""
    details = []
    if todo.priority != "medium":
        details.append(f"{todo.priority} priority")
    if todo.due_date:
        overdue = todo.due_date < today and not todo.completed
        details.append(f"due {format_day(todo.due_date, today)}{', overdue' if overdue else ''}")
    return details


def describe_todo(todo: Todo, today: dt.date) -> str:
    """A todo inside a sentence: `"pay rent" (high priority, due Fri 4 Dec)`."""
    details = _details(todo, today)
    suffix = f" ({', '.join(details)})" if details else ""
    return f'"{todo.title}"{suffix}'


def describe_line(todo: Todo, today: dt.date, *, with_id: bool = False) -> str:
    """A todo as a line of a list: `• pay rent — high priority, due Fri 4 Dec`,
    `✓ buy milk (done)`; optionally its number first, `• #12 buy milk` (to tell apart
    todos with the same title)."""
    done = todo.completed
    line = f"{DONE_MARK if done else OPEN_MARK} "
    if with_id:
        line += f"#{todo.id} "
    line += todo.title
    if details := _details(todo, today):
        line += f" {DASH} {', '.join(details)}"
    return f"{line} (done)" if done else line


def describe_list(todos: list[Todo], today: dt.date, *, with_ids: bool = False) -> str:
    return "\n".join(describe_line(todo, today, with_id=with_ids) for todo in todos)


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
        parts = [f'{_PAST[a.type]} "{a.todo.title if a.todo else "?"}"' for a in self.changes]
        return "; ".join(parts)

    def done_so_far(self) -> str:
        summary = self.summary()
        if not summary:
            return "Nothing was changed."
        return f"Already done before that: {summary}."


@dataclass(frozen=True)
class Turn:
    """One chat turn as both paths see it: whose todos, what was said, and what was done."""

    session: BackendSession
    message: str
    history: list[HistoryItem]
    log: ActionLog
    today: dt.date


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
                await session.delete_todo(todo.id)
            except BackendError as exc:
                if exc.status != 404:
                    raise
                continue  # deleted meanwhile (another tab): the goal is reached anyway
            log.record("deleted", todo)
            count += 1
    return count
