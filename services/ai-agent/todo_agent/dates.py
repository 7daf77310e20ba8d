"""Due-date words in a message: an explicit, table-tested grammar (no date library needed).

Understood: today, tonight, tomorrow, the day after tomorrow, weekday names (full, or short
where the short form is not an English word: not "wed", "sat", "sun"; optionally with "this"
or "next"), "next week", "next month", "in N days / weeks / months" (N a number up to 999 or
"a", "an", "one" ... "ten"), "end of the week / month" (also "end of this / next week / month"),
ISO dates (YYYY-MM-DD), each optionally after "due", "on", "by", "for" or "before". A bare
weekday is its next occurrence, today included; "next <weekday>" skips today. A month later
is the same day of the month, or the month's last day when it has no such day (Jan 31 + one
month = Feb 28). The week ends on Sunday (weeks start on Monday, as `date.weekday()` counts).

A time of day ("at 5pm", "at 17:30", "at noon") is recognised too (`find_time`), but todos have
dates only: the caller keeps the time in the title and says so.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5,
    "sunday": 6,
}  # fmt: skip
COUNT_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip

_WEEKDAY_ALT = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_COUNT_ALT = "|".join(sorted(COUNT_WORDS, key=len, reverse=True))
# The parser hands over normalised text (single spaces), so each space here is one literal
# space ("[ ]": the pattern is verbose): every repetition is bounded and the search is linear.
DUE_PATTERN = re.compile(
    rf"""(?:\b(?:due|on|by|for|before)[ ])?
    (?:
        (?P<iso>\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b)
      | \b(?P<after>(?:the[ ])?day[ ]after[ ]tomorrow)\b
      | \b(?P<rel>today|tonight|tomorrow|tmrw)\b
      | \bnext[ ](?P<next>week|month)\b
      | \b(?:the[ ])?end[ ]of[ ](?:(?P<endmod>the|this|next)[ ])?(?P<end>week|month)\b
      | \bin[ ](?P<count>\d{{1,3}}|{_COUNT_ALT})[ ](?P<unit>day|week|month)s?\b
      | \b(?:(?P<mod>this|next)[ ])?(?P<wd>{_WEEKDAY_ALT})\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# "at 5pm", "5 pm", "5:30 p.m.", "at 17:30", "at noon": each part bounded, no nested repeats.
TIME_PATTERN = re.compile(
    r"""\b(?:
        (?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?[ ]?(?P<ampm>[ap])\.?m\b\.?
      | (?P<h24>\d{1,2}):(?P<m24>\d{2})\b
      | (?P<word>noon|midday|midnight)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SPACE_RUNS = re.compile(r"\s{2,}")


class DateError(ValueError):
    """A date-looking phrase that is not a real date (2026-02-30)."""


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _resolve(match: re.Match[str], today: dt.date) -> dt.date:
    if match["iso"]:
        try:
            year, month, day = (int(part) for part in match["iso"].split("-"))
            return dt.date(year, month, day)
        except ValueError as exc:
            raise DateError(f"{match['iso']} is not a valid date") from exc
    if match["after"]:
        return today + dt.timedelta(days=2)
    if match["rel"]:
        rel = match["rel"].lower()
        return today + dt.timedelta(days=0 if rel in ("today", "tonight") else 1)
    if match["next"]:
        if match["next"].lower() == "week":
            return today + dt.timedelta(days=7)
        return add_months(today, 1)
    if match["end"]:
        later = (match["endmod"] or "").lower() == "next"
        if match["end"].lower() == "week":
            sunday = today + dt.timedelta(days=6 - today.weekday())
            return sunday + dt.timedelta(days=7 if later else 0)
        return _end_of_month(add_months(today.replace(day=1), 1 if later else 0))
    if match["count"]:
        count_text = match["count"].lower()
        count = COUNT_WORDS[count_text] if count_text in COUNT_WORDS else int(count_text)
        unit = match["unit"].lower()
        try:
            if unit == "month":
                return add_months(today, count)
            return today + dt.timedelta(days=count * (7 if unit == "week" else 1))
        except (ValueError, OverflowError) as exc:
            raise DateError(f"in {count} {unit}s is too far ahead") from exc
    ahead = (WEEKDAYS[match["wd"].lower()] - today.weekday()) % 7
    if ahead == 0 and (match["mod"] or "").lower() == "next":
        ahead = 7
    return today + dt.timedelta(days=ahead)


def extract_due(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    """The due date named in `text` (its last date phrase) and the text without that phrase.

    `text` is normalised: words separated by single spaces, as the intent parser passes it.
    """
    matches = list(DUE_PATTERN.finditer(text))
    if not matches:
        return None, text
    last = matches[-1]
    rest = (text[: last.start()] + " " + text[last.end() :]).strip()
    return _resolve(last, today), _SPACE_RUNS.sub(" ", rest)


def find_time(text: str) -> dt.time | None:
    """The time of day named in `text` (its last valid one), or None. The text is not changed:
    a todo has a date and no time, so the time stays where the user wrote it."""
    found = None
    for match in TIME_PATTERN.finditer(text):
        if match["word"]:
            found = dt.time(0) if match["word"].lower() == "midnight" else dt.time(12)
            continue
        if match["ampm"]:
            hour, minute = int(match["h12"]), int(match["m12"] or 0)
            if not 1 <= hour <= 12 or minute > 59:
                continue
            hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
        else:
            hour, minute = int(match["h24"]), int(match["m24"])
            if hour > 23 or minute > 59:
                continue
        found = dt.time(hour, minute)
    return found
