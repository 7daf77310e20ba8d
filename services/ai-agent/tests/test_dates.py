"""The due-date grammar, table-tested against a fixed "today" (Saturday 2026-11-28)."""

from __future__ import annotations

import datetime as dt

import pytest
from todo_agent.dates import DateError, extract_due

TODAY = dt.date(2026, 11, 28)  # a Saturday


@pytest.mark.parametrize(
    ("text", "due", "rest"),
    [
        ("buy milk today", "2026-11-28", "buy milk"),
        ("buy milk tonight", "2026-11-28", "buy milk"),
        ("buy milk tomorrow", "2026-11-29", "buy milk"),
        ("buy milk tmrw", "2026-11-29", "buy milk"),
        ("buy milk the day after tomorrow", "2026-11-30", "buy milk"),
        ("pay rent friday", "2026-12-04", "pay rent"),
        ("pay rent on Friday", "2026-12-04", "pay rent"),
        ("pay rent by fri", "2026-12-04", "pay rent"),
        ("pay rent this friday", "2026-12-04", "pay rent"),
        ("mow the lawn saturday", "2026-11-28", "mow the lawn"),  # today is Saturday
        ("mow the lawn next saturday", "2026-12-05", "mow the lawn"),
        ("call mom monday", "2026-11-30", "call mom"),
        ("call mom next monday", "2026-11-30", "call mom"),
        ("call mom due sunday", "2026-11-29", "call mom"),
        ("file taxes 2026-12-24", "2026-12-24", "file taxes"),
        ("file taxes on 2027-1-5", "2027-01-05", "file taxes"),
        ("review plan next week", "2026-12-05", "review plan"),
        ("renew passport in 10 days", "2026-12-08", "renew passport"),
        ("renew passport in 1 day", "2026-11-29", "renew passport"),
        ("tomorrow water the plants", "2026-11-29", "water the plants"),
        # The last date phrase wins; an earlier one stays part of the title.
        ("move monday meeting to friday", "2026-12-04", "move monday meeting to"),
    ],
)
def test_due_words_resolve_to_dates(text: str, due: str, rest: str) -> None:
    date, remaining = extract_due(text, TODAY)
    assert date == dt.date.fromisoformat(due)
    assert remaining == rest


@pytest.mark.parametrize(
    "text",
    [
        "buy milk",
        "sit in the sun",  # "sun", "sat" and "wed" are words, not weekdays
        "sat exam prep",
        "wed anniversary gift",
        "friday_notes cleanup",
    ],
)
def test_text_without_a_date_phrase_is_left_alone(text: str) -> None:
    assert extract_due(text, TODAY) == (None, text)


def test_an_impossible_iso_date_is_an_error_not_a_guess() -> None:
    with pytest.raises(DateError, match="2026-02-30 is not a valid date"):
        extract_due("pay rent 2026-02-30", TODAY)
