"""The offline path: runs a parsed Intent against the backend and writes the reply."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from todo_agent.actions import ActionLog, Turn, delete_all, describe_list, describe_todo
from todo_agent.backend import BackendError, BackendSession
from todo_agent.intents import Intent, parse
from todo_agent.safety import CLEAR_COMPLETED_QUESTION, DELETE_ALL_QUESTION, confirmed_bulk
from todo_agent.schemas import HistoryItem, Todo

EXAMPLES = (
    'Try for example: "add buy milk tomorrow with high priority", "what\'s left", '
    '"list my todos", "mark buy milk done", "reopen buy milk", "delete the milk one", '
    '"clear completed".'
)
HELP = "I manage your todos (offline mode, no AI model). " + EXAMPLES
NOT_UNDERSTOOD = "Sorry, I did not understand that. " + EXAMPLES
# Said when an added todo's title names a time of day: the backend stores a date, no time.
TIME_NOTE = " The time stays in the title: todos have dates only."
# A reply lists at most this many todos, so it stays short enough to come back as history.
LIST_SHOWN = 50


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _rank(todo: Todo, target: str) -> int:
    """3 exact title, 2 title contains the phrase, 1 title has every word, 0 no match."""
    title = todo.title.casefold()
    phrase = target.casefold()
    if title == phrase:
        return 3
    if phrase in title:
        return 2
    title_words = set(_words(title))
    return 1 if all(w in title_words for w in _words(phrase)) else 0


class Ambiguous(Exception):
    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


async def _resolve(
    session: BackendSession, intent: Intent, prefer_completed: bool | None, today: dt.date
) -> Todo:
    """The one todo the user named, or Ambiguous with a reply that asks which one."""
    if intent.target_id is not None:
        try:
            return await session.get_todo(intent.target_id)
        except BackendError as exc:
            if exc.status == 404:
                raise Ambiguous(f"You have no todo number {intent.target_id}.") from exc
            raise
    target = intent.target or ""
    candidates = await session.list_todos(q=target)
    if not any(_rank(t, target) for t in candidates):
        # The backend's text search wants the phrase as typed; word order may differ.
        candidates = await session.list_todos()
    ranked = [(rank, t) for t in candidates if (rank := _rank(t, target))]
    if not ranked:
        raise Ambiguous(f'I could not find a todo matching "{target}".')
    best = max(rank for rank, _ in ranked)
    matches = [t for rank, t in ranked if rank == best]
    if len(matches) > 1 and prefer_completed is not None:
        preferred = [t for t in matches if t.completed == prefer_completed]
        matches = preferred or matches
    if len(matches) > 1:
        raise Ambiguous(
            f'More than one todo matches "{target}"; which one do you mean? '
            f"Name it by its number, e.g. #{matches[0].id}.\n"
            + describe_list(matches[:10], today, with_ids=True)
        )
    return matches[0]


async def _list(session: BackendSession, intent: Intent, log: ActionLog, today: dt.date) -> str:
    todos, total = await session.list_page(
        completed=intent.completed, priority=intent.priority, q=intent.query
    )
    log.record("listed")
    if intent.completed is False:
        what = "open todos"
    elif intent.completed is True:
        what = "completed todos"
    elif intent.priority:
        what = f"{intent.priority} priority todos"
    elif intent.query:
        what = f'todos matching "{intent.query}"'
    else:
        what = "todos"
    if not todos:
        return "Nothing left to do." if intent.completed is False else f"You have no {what}."
    shown = todos[:LIST_SHOWN]
    more = f"\n... and {total - len(shown)} more." if total > len(shown) else ""
    return f"Your {what} ({total}):\n{describe_list(shown, today)}{more}"


async def _delete_many(session: BackendSession, completed: bool | None, log: ActionLog) -> str:
    count = await delete_all(session, completed, log)
    if not count:
        return "There was nothing to delete."
    return f"Deleted {count} todo{'s' if count != 1 else ''}."


async def _confirm(
    session: BackendSession, message: str, history: list[HistoryItem], log: ActionLog
) -> str:
    match confirmed_bulk(message, history):
        case "clear_completed":
            return await _delete_many(session, True, log)
        case "delete_all":
            return await _delete_many(session, None, log)
        case _:
            return "There is nothing waiting for your confirmation."


async def _change(session: BackendSession, intent: Intent, log: ActionLog, today: dt.date) -> str:
    prefer = {"complete": False, "reopen": True, "delete": None}[intent.kind]
    todo = await _resolve(session, intent, prefer, today)
    if intent.kind == "complete":
        if todo.completed:
            return f'"{todo.title}" was already done.'
        todo = await session.complete_todo(todo.id)
        log.record("completed", todo)
        return f'Marked "{todo.title}" as done.'
    if intent.kind == "reopen":
        if not todo.completed:
            return f'"{todo.title}" is already open.'
        todo = await session.reopen_todo(todo.id)
        log.record("reopened", todo)
        return f"Reopened {describe_todo(todo, today)}."
    await session.delete_todo(todo.id)
    log.record("deleted", todo)
    return f'Deleted "{todo.title}".'


async def run_offline(turn: Turn) -> str:
    session, message, log, today = turn.session, turn.message, turn.log, turn.today
    # Off the event loop: a long message never holds up other requests (each pattern is
    # linear, so no single regex call holds the interpreter for long either).
    intent = await asyncio.to_thread(parse, message, today)
    if intent.error:
        return intent.error
    try:
        match intent.kind:
            case "confirm":
                return await _confirm(session, message, turn.history, log)
            case "help":
                return HELP
            case "thanks":
                return "You're welcome."
            case "add":
                fields: dict[str, object] = {"title": intent.title}
                if intent.priority:
                    fields["priority"] = intent.priority
                if intent.due_date:
                    fields["due_date"] = intent.due_date.isoformat()
                todo = await session.create_todo(fields)
                log.record("created", todo)
                return f"Added {describe_todo(todo, today)}.{TIME_NOTE if intent.time else ''}"
            case "list":
                return await _list(session, intent, log, today)
            case "complete" | "reopen" | "delete":
                return await _change(session, intent, log, today)
            case "clear_completed":
                count = len(await session.list_todos(completed=True))
                if not count:
                    return "You have no completed todos to clear."
                return CLEAR_COMPLETED_QUESTION.format(count=count)
            case "delete_all":
                count = len(await session.list_todos())
                if not count:
                    return "You have no todos to delete."
                return DELETE_ALL_QUESTION.format(count=count)
            case _:
                return NOT_UNDERSTOOD
    except Ambiguous as exc:
        return exc.reply
    except BackendError as exc:
        refused = f"The todo service refused that: {exc.detail}"
        return f"{refused} {log.done_so_far()}" if log.changes else refused
