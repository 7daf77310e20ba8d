"""Due-date words in a message: an explicit, table-tested grammar (no date library needed).

Understood: today, tonight, tomorrow, the day after tomorrow, weekday names (full, or short
where the short form is not an English word: not "wed", "sat", "sun"; optionally with "this"
or "next"), "next week", "in N days", ISO dates (YYYY-MM-DD), each
optionally after "due", "on", "by", "for" or "before". A bare weekday is its next occurrence,
today included; "next <weekday>" skips today.
"""

from __future__ import annotations

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

_WEEKDAY_ALT = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
# The parser hands over normalised text (single spaces), so each space here is one literal
# space ("[ ]": the pattern is verbose): every repetition is bounded and the search is linear.
DUE_PATTERN = re.compile(
    rf"""(?:\b(?:due|on|by|for|before)[ ])?
    (?:
        (?P<iso>\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b)
      | \b(?P<after>(?:the[ ])?day[ ]after[ ]tomorrow)\b
      | \b(?P<rel>today|tonight|tomorrow|tmrw)\b
      | \b(?P<nextweek>next[ ]week)\b
      | \bin[ ](?P<days>\d{{1,3}})[ ]days?\b
      | \b(?:(?P<mod>this|next)[ ])?(?P<wd>{_WEEKDAY_ALT})\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_SPACE_RUNS = re.compile(r"\s{2,}")


class DateError(ValueError):
    """A date-looking phrase that is not a real date (2026-02-30)."""


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
    if match["nextweek"]:
        return today + dt.timedelta(days=7)
    if match["days"]:
        return today + dt.timedelta(days=int(match["days"]))
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
