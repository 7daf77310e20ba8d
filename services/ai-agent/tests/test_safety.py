"""Which "yes" confirms which bulk deletion (both paths use this rule)."""

from __future__ import annotations

import pytest
from todo_agent.safety import (
    CLEAR_COMPLETED_QUESTION,
    DELETE_ALL_QUESTION,
    DELETE_SEVERAL_QUESTION,
    confirmed_bulk,
)
from todo_agent.schemas import HistoryItem


def _asked(*replies: str) -> list[HistoryItem]:
    history = []
    for reply in replies:
        history += [
            HistoryItem(role="user", content="..."),
            HistoryItem(role="assistant", content=reply),
        ]
    return history


@pytest.mark.parametrize(
    ("message", "history", "expected"),
    [
        ("yes", _asked(CLEAR_COMPLETED_QUESTION.format(count=3)), "clear_completed"),
        ("Yes please!", _asked(DELETE_ALL_QUESTION.format(count=9)), "delete_all"),
        ("go ahead", _asked('Done so far: deleted "a". ' + DELETE_SEVERAL_QUESTION),
         "delete_several"),
        # not a yes, no question, or the question is no longer the last thing said
        ("no", _asked(CLEAR_COMPLETED_QUESTION.format(count=3)), None),
        ("yes, and also add milk", _asked(CLEAR_COMPLETED_QUESTION.format(count=3)), None),
        ("yes", [], None),
        ("yes", _asked(CLEAR_COMPLETED_QUESTION.format(count=3), "Added milk."), None),
        ("yes", _asked("Shall I delete everything?"), None),
    ],
)  # fmt: skip
def test_a_yes_confirms_only_the_question_just_asked(
    message: str, history: list[HistoryItem], expected: str | None
) -> None:
    assert confirmed_bulk(message, history) == expected
