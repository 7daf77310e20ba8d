"""How todos read in the agent's replies, against a fixed "today" (Tuesday 2026-12-01)."""

from __future__ import annotations

import datetime as dt

import pytest
from todo_agent.actions import describe_line, describe_list, describe_todo, format_day
from todo_agent.schemas import Todo

TODAY = dt.date(2026, 12, 1)  # a Tuesday


def _todo(title: str, **fields: object) -> Todo:
    return Todo.model_validate(
        {"id": 7, "title": title, "description": None, "priority": "medium", "due_date": None,
         "completed": False, "created_at": "2026-11-30T09:00:00Z",
         "updated_at": "2026-11-30T09:00:00Z"} | fields
    )  # fmt: skip


@pytest.mark.parametrize(
    ("day", "spoken"),
    [
        ("2026-12-01", "today"),
        ("2026-12-02", "tomorrow"),
        ("2026-12-04", "Fri 4 Dec"),
        ("2026-11-30", "Mon 30 Nov"),
        ("2027-01-05", "Tue 5 Jan 2027"),  # another year says which
        ("2025-12-04", "Thu 4 Dec 2025"),
    ],
)
def test_a_day_reads_as_a_person_writes_it(day: str, spoken: str) -> None:
    assert format_day(dt.date.fromisoformat(day), TODAY) == spoken


@pytest.mark.parametrize(
    ("todo", "sentence", "line"),
    [
        (_todo("call the dentist"), '"call the dentist"', "\u2022 call the dentist"),
        (_todo("pay rent", priority="high", due_date="2026-12-04"),
         '"pay rent" (high priority, due Fri 4 Dec)',
         "\u2022 pay rent \u2014 high priority, due Fri 4 Dec"),
        (_todo("water plants", priority="low", due_date="2026-12-02"),
         '"water plants" (low priority, due tomorrow)',
         "\u2022 water plants \u2014 low priority, due tomorrow"),
        (_todo("buy milk", completed=True), '"buy milk"', "\u2713 buy milk (done)"),
        (_todo("file taxes", due_date="2026-11-30", completed=True),
         '"file taxes" (due Mon 30 Nov)', "\u2713 file taxes \u2014 due Mon 30 Nov (done)"),
        # an open todo whose day has passed says so
        (_todo("file taxes", due_date="2026-11-30"),
         '"file taxes" (due Mon 30 Nov, overdue)',
         "\u2022 file taxes \u2014 due Mon 30 Nov, overdue"),
        # a comma in the title stays apart from the details
        (_todo("eggs, milk, bread", due_date="2026-12-01"),
         '"eggs, milk, bread" (due today)', "\u2022 eggs, milk, bread \u2014 due today"),
    ],
)  # fmt: skip
def test_a_todo_reads_without_raw_markers(todo: Todo, sentence: str, line: str) -> None:
    assert describe_todo(todo, TODAY) == sentence
    assert describe_line(todo, TODAY) == line
    for raw in ("[ ]", "[x]", "2026-"):
        assert raw not in sentence + line


def test_a_list_is_one_line_per_todo_numbered_when_asked() -> None:
    todos = [_todo("buy oat milk", id=3), _todo("buy milk chocolate", id=4, completed=True)]
    assert describe_list(todos, TODAY) == "\u2022 buy oat milk\n\u2713 buy milk chocolate (done)"
    assert describe_list(todos, TODAY, with_ids=True) == (
        "\u2022 #3 buy oat milk\n\u2713 #4 buy milk chocolate (done)"
    )
