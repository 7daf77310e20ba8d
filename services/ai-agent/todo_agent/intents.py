"""The offline path's deterministic intent parser: a message in, one Intent out, no I/O.

Each intent has a short list of regular expressions tried in order (the more specific ones
first, e.g. "mark X as not done" before "mark X done"). Anything else is `unknown`, and the
agent says so honestly with examples instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from todo_agent.dates import DateError, extract_due

Kind = Literal[
    "add", "list", "complete", "reopen", "delete",
    "clear_completed", "delete_all", "confirm", "help", "thanks", "unknown",
]  # fmt: skip


MAX_TITLE_CHARS = 200  # the backend's limit, said up front in words the user understands


@dataclass(frozen=True)
class Intent:
    kind: Kind
    title: str | None = None  # add
    priority: str | None = None  # add; list filter
    due_date: dt.date | None = None  # add
    target: str | None = None  # complete / reopen / delete: words naming one todo
    target_id: int | None = None  # ... or its number ("todo 12", "#12")
    completed: bool | None = None  # list filter: None = all
    query: str | None = None  # list filter: text search
    error: str | None = None  # a reason to show instead of acting (a bad date)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_TODO = r"(?:todos?|tasks?|items?|things|to-?dos?|list)"
_CONFIRM = _rx(r"^(?:yes|y|yep|yeah|yes please|sure|ok|okay|confirm|confirmed|do it|go ahead)$")
_HELP = _rx(r"^(?:help|hi|hello|hey|what can you do|how does this work|\?)$")
_THANKS = _rx(r"^(?:thanks|thank you|thx|cheers|great|perfect|nice)(?:\s+\w+)?$")
_ALL_WORDS = {"all", "everything", "all of them", "them all", "every todo", "all todos"}

_CLEAR_COMPLETED = [
    _rx(rf"^(?:clear|delete|remove|purge|clean up|get rid of)\s+(?:all\s+)?(?:of\s+)?"
        rf"(?:the\s+|my\s+)?(?:completed|done|finished|checked)(?:\s+(?:ones|{_TODO}))?$"),
    _rx(rf"^(?:clear|clean up)\s+(?:my\s+)?(?:{_TODO}\s+)?(?:of\s+)?(?:completed|done)"
        rf"(?:\s+ones)?$"),
]  # fmt: skip
_DELETE_ALL = [
    _rx(rf"^(?:clear|delete|remove|purge|wipe)\s+(?:all|everything|every\s+todo)(?:\s+(?:of\s+)?"
        rf"(?:my\s+|the\s+)?{_TODO})?$"),
    _rx(rf"^(?:clear|wipe)\s+(?:my\s+|the\s+)?{_TODO}$"),
]  # fmt: skip

_LIST_OPEN = [
    _rx(r"^(?:(?:show|tell)\s+me\s+)?what(?:'s| is|s)\s+(?:still\s+)?(?:left|open|pending|"
        r"remaining|due|to do|todo)(?:\s+to do)?(?:\s+(?:for\s+)?(?:today|now))?$"),
    _rx(r"^what\s+(?:do|should)\s+i\s+(?:still\s+)?(?:have|need|got)\s+to\s+do"
        r"(?:\s+(?:today|now))?$"),
    _rx(rf"^any\s+(?:open\s+)?{_TODO}(?:\s+left)?$"),
    _rx(rf"^(?:list|show|display|give)\s+(?:me\s+)?(?:all\s+)?(?:my\s+|the\s+)?(?:open|pending|remaining|"
        rf"incomplete|unfinished|outstanding|current)(?:\s+{_TODO})?$"),
    _rx(r"^(?:anything|what)\s+(?:else\s+)?(?:left|remaining|open)$"),
]  # fmt: skip
_LIST_DONE = [
    _rx(rf"^(?:list|show|display|give)\s+(?:me\s+)?(?:all\s+)?(?:my\s+|the\s+)?(?:completed|done|finished)"
        rf"(?:\s+{_TODO})?$"),
    _rx(r"^what\s+(?:have\s+i|did\s+i)\s+(?:done|finished|completed|do|finish|complete)$"),
]  # fmt: skip
_LIST_PRIORITY = _rx(
    rf"^(?:list|show|display|give)\s+(?:me\s+)?(?:all\s+)?(?:my\s+|the\s+)?(high|medium|low)[\s-]+"
    rf"priority(?:\s+{_TODO})?$"
)
_LIST_ALL = [
    _rx(rf"^(?:list|show|display|give|see|view)\s*(?:me\s+)?(?:all\s+)?(?:of\s+)?(?:my\s+|the\s+)?"
        rf"(?:{_TODO})?$"),
    _rx(rf"^(?:my\s+)?{_TODO}$"),
    _rx(r"^(?:list|show|display|give)\s+(?:me\s+)?everything$"),
    _rx(r"^(?:my\s+|the\s+)?to-?do\s+list$"),
    _rx(rf"^what(?:'s| is|s)\s+on\s+my\s+{_TODO}$"),
    _rx(rf"^what\s+(?:are\s+)?my\s+{_TODO}$"),
]  # fmt: skip
_SEARCH = [
    _rx(r"^(?:find|search(?:\s+for)?|look\s+for|look\s+up)\s+(?:my\s+)?(?:todos?\s+)?(?:about\s+)?(.+)$"),
    _rx(rf"^(?:list|show)\s+(?:me\s+)?(?:my\s+|the\s+)?{_TODO}\s+(?:about|with|matching|containing|"
        rf"mentioning)\s+(.+)$"),
]  # fmt: skip

_REOPEN = [
    _rx(r"^(?:mark|set)\s+(.+?)\s+(?:as\s+)?(?:not\s+done|undone|open|incomplete|not\s+finished|"
        r"not\s+complete|to\s*do)$"),
    _rx(r"^(?:reopen|re-open|uncomplete|unmark|uncheck|undo)\s+(.+)$"),
    _rx(r"^(.+?)\s+is\s+not\s+(?:done|finished|complete)(?:\s+yet)?$"),
]  # fmt: skip
_COMPLETE = [
    _rx(r"^(?:mark|set)\s+(.+?)\s+(?:as\s+)?(?:done|complete|completed|finished)$"),
    _rx(r"^(?:complete|finish|finished|check\s+off|tick\s+off|cross\s+off|done\s+with|done:?|"
        r"i\s+finished|"
        r"i\s+did|i've\s+done|i\s+have\s+done|i\s+completed)\s+(.+)$"),
    _rx(r"^(.+?)\s+is\s+(?:done|finished|complete|completed)$"),
]  # fmt: skip
_DELETE = [_rx(r"^(?:delete|remove|drop|erase|trash|get\s+rid\s+of|cancel)\s+(.+)$")]
_ADD = [
    _rx(r"^(?:please\s+)?(?:add|create|new|put|remember\s+to|remind\s+me\s+to|i\s+need\s+to|"
        r"i\s+have\s+to|i\s+must|to-?do:?)\s*(.+)$"),
]  # fmt: skip

_PRIORITY = [
    _rx(r"[,;]?\s*\b(?:with\s+|at\s+|as\s+)?(?:an?\s+)?(high|top|urgent|medium|normal|low)[\s-]+"
        r"priority\b"),
    _rx(r"[,;]?\s*\bpriority\s*[:=]?\s*(high|medium|normal|low)\b"),
    _rx(r"[,;]?\s*\b(urgent|important|asap)\b!?"),
]  # fmt: skip
_PRIORITY_WORDS = {
    "high": "high", "top": "high", "urgent": "high", "important": "high", "asap": "high",
    "medium": "medium", "normal": "medium", "low": "low",
}  # fmt: skip

_ADD_PREFIX = _rx(r"^(?:(?:a|an|new|the)\s+)?(?:todo|task|item|reminder)\s*(?::|to|for|that)?\s+")
_ADD_SUFFIX = _rx(rf"\s+(?:to|on|in)\s+(?:my|the)\s+(?:todo\s+)?{_TODO}$")
_TARGET_ID = _rx(r"^(?:todo|task|item|number|no\.?)?\s*#?\s*(\d{1,9})$")
_TARGET_NOISE = _rx(
    rf"^(?:the|my|that|this)\s+|\s+(?:one|{_TODO})$|^(?:{_TODO})\s+(?:about|called|named)\s+"
    rf"|^(?:one|it|{_TODO})$"
)


_QUOTES = " \"'`\u201c\u201d\u2018\u2019"  # straight and typographic quotes


def _clean(text: str) -> str:
    """Collapse spaces and trim quotes, list markers and trailing punctuation."""
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(_QUOTES)
    return re.sub(r"[\s,;:.!?]+$", "", text).strip(_QUOTES)


def _strip_trailing_joiners(text: str) -> str:
    return re.sub(r"(?:[\s,;]+(?:and|with|at|,))+$", "", text).strip(" ,;")


def _extract_priority(text: str) -> tuple[str | None, str]:
    for pattern in _PRIORITY:
        match = pattern.search(text)
        if match:
            rest = (text[: match.start()] + " " + text[match.end() :]).strip()
            return _PRIORITY_WORDS[match.group(1).lower()], re.sub(r"\s{2,}", " ", rest)
    return None, text


def _parse_add(body: str, today: dt.date) -> Intent:
    priority, rest = _extract_priority(body)
    try:
        due, rest = extract_due(rest, today)
    except DateError as exc:
        return Intent("add", error=str(exc))
    rest = _ADD_SUFFIX.sub("", _ADD_PREFIX.sub("", _clean(rest)))
    title = _clean(_strip_trailing_joiners(_clean(rest)))
    if not title:
        return Intent("add", error="What should the todo say? For example: add buy milk tomorrow")
    if len(title) > MAX_TITLE_CHARS:
        return Intent("add", error=f"A todo title can have at most {MAX_TITLE_CHARS} characters.")
    return Intent("add", title=title, priority=priority, due_date=due)


def _target(kind: Kind, words: str) -> Intent:
    words = _clean(words)
    if words.lower() in _ALL_WORDS:
        return Intent(kind, error="I change one todo at a time; name the one you mean.")
    by_id = _TARGET_ID.match(words)
    if by_id:
        return Intent(kind, target_id=int(by_id.group(1)))
    previous = None
    while previous != words:  # "the milk one" -> "milk"; "my todo about rent" -> "rent"
        previous, words = words, _TARGET_NOISE.sub("", words).strip()
    if not words:
        return Intent(kind, error="Which todo do you mean? Name a word from its title.")
    return Intent(kind, target=words)


def parse(message: str, today: dt.date) -> Intent:
    text = _clean(message.replace("\u2019", "'").replace("\u2018", "'"))
    text = re.sub(r"^(?:please|pls|can you|could you|would you)\s+", "", text, flags=re.I)
    text = _clean(re.sub(r"\s+please$", "", text, flags=re.I))

    if _CONFIRM.match(text):
        return Intent("confirm")
    if _HELP.match(text):
        return Intent("help")
    if _THANKS.match(text):
        return Intent("thanks")
    if any(p.match(text) for p in _CLEAR_COMPLETED):
        return Intent("clear_completed")
    if any(p.match(text) for p in _DELETE_ALL):
        return Intent("delete_all")
    if any(p.match(text) for p in _LIST_OPEN):
        return Intent("list", completed=False)
    if any(p.match(text) for p in _LIST_DONE):
        return Intent("list", completed=True)
    if match := _LIST_PRIORITY.match(text):
        return Intent("list", priority=match.group(1).lower())
    if any(p.match(text) for p in _LIST_ALL):
        return Intent("list")
    for pattern in _SEARCH:
        if match := pattern.match(text):
            return Intent("list", query=_clean(match.group(1)))
    for kind, patterns in (("reopen", _REOPEN), ("complete", _COMPLETE), ("delete", _DELETE)):
        for pattern in patterns:
            if match := pattern.match(text):
                return _target(kind, match.group(1))  # type: ignore[arg-type]
    for pattern in _ADD:
        if match := pattern.match(text):
            return _parse_add(match.group(1), today)
    return Intent("unknown")
