"""Confirmation of destructive bulk actions, the same rule for the model and offline paths.

A bulk deletion runs only when the user's message is an explicit "yes" answering the agent's
own confirmation question for that kind of deletion (the previous assistant turn names it and
ends with CONFIRM_PROMPT); a "yes" to one kind does not allow another. The history comes from
the client, so this is a guard against mistakes, not an authorization boundary: whatever
runs, runs with the user's own token on the user's own todos.
"""

from __future__ import annotations

import re
from typing import Literal

from todo_agent.schemas import HistoryItem

Bulk = Literal["clear_completed", "delete_all", "delete_several"]

CONFIRM_PROMPT = 'Reply "yes" to go ahead, or anything else to cancel.'
# Each question starts with its own lead, by which the "yes" that follows is matched to it.
_LEADS: dict[Bulk, str] = {
    "clear_completed": "Clear completed:",
    "delete_all": "Delete everything:",
    "delete_several": "Delete several:",
}
CLEAR_COMPLETED_QUESTION = (
    _LEADS["clear_completed"] + " this deletes all {count} completed todos for good. "
    + CONFIRM_PROMPT
)  # fmt: skip
DELETE_ALL_QUESTION = (
    _LEADS["delete_all"] + " this deletes all {count} of your todos for good. " + CONFIRM_PROMPT
)
DELETE_SEVERAL_QUESTION = (
    _LEADS["delete_several"] + " deleting more than one todo at once needs your confirmation. "
    + CONFIRM_PROMPT
)  # fmt: skip

# Matched against the stripped message: the spaces at both ends are gone before the pattern
# runs, so no two of its repetitions can trade the same characters back and forth.
_AFFIRMATIVE = re.compile(
    r"(?:yes|y|yep|yeah|yes please|sure|ok|okay|confirm|confirmed|do it|go ahead)\s*[.!]*",
    re.IGNORECASE,
)


def _last_assistant(history: list[HistoryItem]) -> str | None:
    for item in reversed(history):
        if item.role == "assistant":
            return item.content
    return None


def confirmed_bulk(message: str, history: list[HistoryItem]) -> Bulk | None:
    """The bulk deletion `message` says yes to, if it answers the agent's last question."""
    previous = _last_assistant(history)
    if not _AFFIRMATIVE.fullmatch(message.strip()) or previous is None:
        return None
    if not previous.rstrip().endswith(CONFIRM_PROMPT):
        return None
    for kind, lead in _LEADS.items():
        if lead in previous:
            return kind
    return None
