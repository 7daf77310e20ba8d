"""The due-date grammar, table-tested against a fixed "today" (Saturday 2026-11-28)."""

from __future__ import annotations

import datetime as dt

import pytest
from todo_agent.dates import DateError, extract_due, find_time

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
        ("renew passport in 2 weeks", "2026-12-12", "renew passport"),
        ("renew passport in 1 week", "2026-12-05", "renew passport"),
        ("renew passport in a week", "2026-12-05", "renew passport"),
        ("renew passport in three days", "2026-12-01", "renew passport"),
        ("renew passport in 3 days", "2026-12-01", "renew passport"),
        ("renew passport in an hour", None, "renew passport in an hour"),
        ("pay rent next month", "2026-12-28", "pay rent"),
        ("pay rent in a month", "2026-12-28", "pay rent"),
        ("pay rent in 2 months", "2027-01-28", "pay rent"),
        ("send report end of the week", "2026-11-29", "send report"),  # Saturday -> Sunday
        ("send report by the end of the week", "2026-11-29", "send report"),
        ("send report by end of week", "2026-11-29", "send report"),
        ("send report end of this week", "2026-11-29", "send report"),
        ("send report end of next week", "2026-12-06", "send report"),
        ("send invoice end of the month", "2026-11-30", "send invoice"),
        ("send invoice by end of month", "2026-11-30", "send invoice"),
        ("send invoice end of next month", "2026-12-31", "send invoice"),
        ("plan the weekend trip", None, "plan the weekend trip"),  # "weekend" is not "week"
        ("tomorrow water the plants", "2026-11-29", "water the plants"),
        # The last date phrase wins; an earlier one stays part of the title.
        ("move monday meeting to friday", "2026-12-04", "move monday meeting to"),
    ],
)
def test_due_words_resolve_to_dates(text: str, due: str | None, rest: str) -> None:
    date, remaining = extract_due(text, TODAY)
    assert date == (dt.date.fromisoformat(due) if due else None)
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


@pytest.mark.parametrize(
    ("today", "text", "due"),
    [
        # A month later is the same day, or the last day of a shorter month.
        ("2027-01-31", "next month", "2027-02-28"),
        ("2028-01-31", "next month", "2028-02-29"),  # a leap year
        ("2026-03-31", "in a month", "2026-04-30"),
        ("2026-12-15", "next month", "2027-01-15"),  # over the year's end
        ("2026-11-30", "in 3 months", "2027-02-28"),
        ("2026-01-31", "in 13 months", "2027-02-28"),
        # The end of the month is its last day, whatever its length.
        ("2027-02-10", "end of the month", "2027-02-28"),
        ("2028-02-10", "end of the month", "2028-02-29"),
        ("2026-01-31", "end of the month", "2026-01-31"),  # on the last day: today
        ("2026-01-31", "end of next month", "2026-02-28"),
        ("2026-12-31", "end of next month", "2027-01-31"),
        # The week ends on Sunday; on a Sunday that is today.
        ("2026-11-23", "end of the week", "2026-11-29"),  # a Monday
        ("2026-11-29", "end of the week", "2026-11-29"),  # a Sunday
        ("2026-11-29", "end of next week", "2026-12-06"),
        ("2026-12-28", "in 2 weeks", "2027-01-11"),
    ],
)
def test_month_and_week_arithmetic_at_the_edges(today: str, text: str, due: str) -> None:
    date, remaining = extract_due(f"pay rent {text}", dt.date.fromisoformat(today))
    assert date == dt.date.fromisoformat(due)
    assert remaining == "pay rent"


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("call mom at 5pm", "17:00"),
        ("call mom at 5 pm", "17:00"),
        ("call mom at 5 p.m.", "17:00"),
        ("call mom at 10:30am", "10:30"),
        ("call mom at 12am", "00:00"),
        ("call mom at 12pm", "12:00"),
        ("call mom at 17:30", "17:30"),
        ("call mom at 0:05", "00:05"),
        ("lunch with Sam at noon", "12:00"),
        ("lunch with Sam at midday", "12:00"),
        ("backup at midnight", "00:00"),
        ("call mom at 9am, not at 5pm", "17:00"),  # the last one, as for dates
        # not times of day
        ("call mom", None),
        ("call mom this afternoon", None),
        ("call mom at 13pm", None),
        ("call mom at 25:00", None),
        ("call mom at 9:75", None),
        ("buy 5 amps fuse", None),
        ("read chapter 5", None),
    ],
)
def test_a_time_of_day_is_recognised(text: str, time: str | None) -> None:
    assert find_time(text) == (dt.time.fromisoformat(time) if time else None)


def test_a_count_too_far_ahead_is_an_error_not_a_crash() -> None:
    with pytest.raises(DateError, match="in 999 months is too far ahead"):
        extract_due("pay rent in 999 months", dt.date(9990, 1, 1))
