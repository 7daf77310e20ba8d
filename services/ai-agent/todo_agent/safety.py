"""Confirmation of destructive bulk actions, the same rule for the model and offline paths.

A bulk deletion runs only when the user's message is an explicit "yes" answering the agent's
own confirmation question (the previous assistant turn ends with CONFIRM_PROMPT). The history
comes from the client, so this is a guard against mistakes, not an authorization boundary:
whatever runs, runs with the user's own token on the user's own todos.
"""

from __future__ import annotations

import re

from todo_agent.schemas import HistoryItem

CONFIRM_PROMPT = 'Reply "yes" to go ahead, or anything else to cancel.'
CLEAR_COMPLETED_QUESTION = (
    "Clear completed: this deletes all {count} completed todos for good. " + CONFIRM_PROMPT
)
DELETE_ALL_QUESTION = (
    "Delete everything: this deletes all {count} of your todos for good. " + CONFIRM_PROMPT
)
BULK_DELETE_QUESTION = "Deleting several todos at once needs your confirmation. " + CONFIRM_PROMPT

_AFFIRMATIVE = re.compile(
    r"^\s*(yes|y|yep|yeah|yes please|sure|ok|okay|confirm|confirmed|do it|go ahead)\s*[.!]*\s*$",
    re.IGNORECASE,
)


def last_assistant(history: list[HistoryItem]) -> str | None:
    for item in reversed(history):
        if item.role == "assistant":
            return item.content
    return None


def is_confirmation(message: str, history: list[HistoryItem]) -> bool:
    """True when `message` says yes to a confirmation question the agent just asked."""
    previous = last_assistant(history)
    return (
        bool(_AFFIRMATIVE.match(message))
        and previous is not None
        and (previous.rstrip().endswith(CONFIRM_PROMPT))
    )
