"""The offline path's deterministic intent parser: a message in, one Intent out, no I/O.

Each intent has a short list of regular expressions tried in order (the more specific ones
first, e.g. "mark X as not done" before "mark X done"). Anything else is `unknown`, and the
agent says so honestly with examples instead of guessing.

Every pattern runs in time linear in the message, whatever the message: the text is first
normalised (each run of whitespace becomes one space), so a space in a pattern is a literal
" " or " ?", never a `\\s+` next to another repetition that could share its characters; no group
repeats around another repetition; and the suffixes that a backtracking engine would look for
from every position ("trailing punctuation", "a dangling 'and'") are trimmed by scanning
backwards in code instead. tests/test_redos.py runs each pattern against adversarial
messages of the maximum length.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from todo_agent.dates import DateError, extract_due, find_time

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
    time: dt.time | None = None  # add: a time of day named in the title (which keeps it)
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
_THANKS = _rx(r"^(?:thanks|thank you|thx|cheers|great|perfect|nice)(?: \w+)?$")
_ALL_WORDS = {"all", "everything", "all of them", "them all", "every todo", "all todos"}

_CLEAR_COMPLETED = [
    _rx(rf"^(?:clear|delete|remove|purge|clean up|get rid of) (?:all )?(?:of )?"
        rf"(?:the |my )?(?:completed|done|finished|checked)(?: (?:ones|{_TODO}))?$"),
    _rx(rf"^(?:clear|clean up) (?:my )?(?:{_TODO} )?(?:of )?(?:completed|done)"
        rf"(?: ones)?$"),
]  # fmt: skip
_DELETE_ALL = [
    _rx(rf"^(?:clear|delete|remove|purge|wipe) (?:all|everything|every todo)(?: (?:of )?"
        rf"(?:my |the )?{_TODO})?$"),
    _rx(rf"^(?:clear|wipe) (?:my |the )?{_TODO}$"),
]  # fmt: skip

_LIST_OPEN = [
    _rx(r"^(?:(?:show|tell) me )?what(?:'s| is|s) (?:still )?(?:left|open|pending|"
        r"remaining|due|to do|todo)(?: to do)?(?: (?:for )?(?:today|now))?$"),
    _rx(r"^what (?:do|should) i (?:still )?(?:have|need|got) to do"
        r"(?: (?:today|now))?$"),
    _rx(rf"^any (?:open )?{_TODO}(?: left)?$"),
    _rx(rf"^(?:list|show|display|give) (?:me )?(?:all )?(?:my |the )?(?:open|pending|remaining|"
        rf"incomplete|unfinished|outstanding|current)(?: {_TODO})?$"),
    _rx(r"^(?:anything|what) (?:else )?(?:left|remaining|open)$"),
]  # fmt: skip
_LIST_DONE = [
    _rx(rf"^(?:list|show|display|give) (?:me )?(?:all )?(?:my |the )?(?:completed|done|finished)"
        rf"(?: {_TODO})?$"),
    _rx(r"^what (?:have i|did i) (?:done|finished|completed|do|finish|complete)$"),
]  # fmt: skip
_LIST_PRIORITY = _rx(
    rf"^(?:list|show|display|give) (?:me )?(?:all )?(?:my |the )?(high|medium|low)[ -]+"
    rf"priority(?: {_TODO})?$"
)
_LIST_ALL = [
    _rx(rf"^(?:list|show|display|give|see|view) ?(?:me )?(?:all )?(?:of )?(?:my |the )?"
        rf"(?:{_TODO})?$"),
    _rx(rf"^(?:my )?{_TODO}$"),
    _rx(r"^(?:list|show|display|give) (?:me )?everything$"),
    _rx(r"^(?:my |the )?to-?do list$"),
    _rx(rf"^what(?:'s| is|s) on my {_TODO}$"),
    _rx(rf"^what (?:are )?my {_TODO}$"),
]  # fmt: skip
_SEARCH = [
    _rx(r"^(?:find|search(?: for)?|look for|look up) (?:my )?(?:todos? )?(?:about )?(.+)$"),
    _rx(rf"^(?:list|show) (?:me )?(?:my |the )?{_TODO} (?:about|with|matching|containing|"
        rf"mentioning) (.+)$"),
]  # fmt: skip

_REOPEN = [
    _rx(r"^(?:mark|set) (.+?) (?:as )?(?:not done|undone|open|incomplete|not finished|"
        r"not complete|to ?do)$"),
    _rx(r"^(?:reopen|re-open|uncomplete|unmark|uncheck|undo) (.+)$"),
    _rx(r"^(.+?) is not (?:done|finished|complete)(?: yet)?$"),
]  # fmt: skip
_COMPLETE = [
    _rx(r"^(?:mark|set) (.+?) (?:as )?(?:done|complete|completed|finished)$"),
    _rx(r"^(?:complete|finish|finished|check off|tick off|cross off|done with|done:?|"
        r"i finished|"
        r"i did|i've done|i have done|i completed) (.+)$"),
    _rx(r"^(.+?) is (?:done|finished|complete|completed)$"),
]  # fmt: skip
_DELETE = [_rx(r"^(?:delete|remove|drop|erase|trash|get rid of|cancel) (.+)$")]
_ADD = [
    _rx(r"^(?:please )?(?:add|create|new|put|remember to|remind me to|i need to|"
        r"i have to|i must|to-?do:?) ?(.+)$"),
]  # fmt: skip

_PRIORITY = [
    _rx(r"[,;]? ?\b(?:with |at |as )?(?:an? )?(high|top|urgent|medium|normal|low)[ -]+"
        r"priority\b"),
    _rx(r"[,;]? ?\bpriority ?[:=]? ?(high|medium|normal|low)\b"),
    _rx(r"[,;]? ?\b(urgent|important|asap)\b!?"),
]  # fmt: skip
_PRIORITY_WORDS = {
    "high": "high", "top": "high", "urgent": "high", "important": "high", "asap": "high",
    "medium": "medium", "normal": "medium", "low": "low",
}  # fmt: skip

_ADD_PREFIX = _rx(r"^(?:(?:a|an|new|the) )?(?:todo|task|item|reminder) ?(?::|to|for|that)? ")
_ADD_SUFFIX = _rx(rf" (?:to|on|in) (?:my|the) (?:todo )?{_TODO}$")
_TARGET_ID = _rx(r"^(?:todo|task|item|number|no\.?)? ?#? ?(\d{1,9})$")
# Filler around the words that name a todo: "the milk one", "my todo about rent", "it".
_NOISE_PREFIX = _rx(rf"(?:the|my|that|this) |{_TODO} (?:about|called|named) ")
_NOISE_SUFFIX = _rx(rf" (?:one|{_TODO})")
_NOISE_ALONE = _rx(rf"(?:one|it|{_TODO})")
_POLITE_PREFIX = _rx(r"(?:please|pls|can you|could you|would you) ")
_POLITE_SUFFIX = _rx(r" please")
_SPACES = _rx(r"\s+")


_QUOTES = " \"'`\u201c\u201d\u2018\u2019"  # straight and typographic quotes


def _normalise(text: str) -> str:
    """Each run of whitespace as one space, none at either end: what every pattern expects."""
    return _SPACES.sub(" ", text).strip()


def _clean(text: str) -> str:
    """Collapse spaces and trim quotes, list markers and trailing punctuation."""
    text = _normalise(text).strip(_QUOTES)
    return text.rstrip(" ,;:.!?").strip(_QUOTES)


_JOINERS = ("and", "with", "at", ",")


def _is_separator(char: str) -> bool:
    return char.isspace() or char in ",;"


def _strip_trailing_joiners(text: str) -> str:
    """Drops what a removed date or priority left dangling at the end: "buy milk with",
    "call mom, and" -> "buy milk", "call mom". Each joiner counts only after a space, "," or
    ";" (not the "and" of "band"); matched case-sensitively. A backward scan: linear."""
    end = len(text)
    while True:
        joiner = next((word for word in _JOINERS if text.endswith(word, 0, end)), None)
        if joiner is None:
            break
        start = before = end - len(joiner)
        while before > 0 and _is_separator(text[before - 1]):
            before -= 1
        if before == start:  # glued to the word before it: part of the title
            break
        end = before
    return text[:end].strip(" ,;")


def _extract_priority(text: str) -> tuple[str | None, str]:
    for pattern in _PRIORITY:
        match = pattern.search(text)
        if match:
            rest = _normalise(text[: match.start()] + " " + text[match.end() :])
            return _PRIORITY_WORDS[match.group(1).lower()], rest
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
    return Intent("add", title=title, priority=priority, due_date=due, time=find_time(title))


def _strip_noise(words: str) -> str:
    """Filler words off both ends, one per end and round, until a round drops nothing:
    "the milk one" -> "milk", "my todo about rent" -> "rent", "the one" -> "". Works on
    indices into the normalised text, each character read a bounded number of times: linear."""
    start, end = 0, len(words)
    last_space = words.rfind(" ")  # before the last word of words[start:end], if any
    while True:
        prefix = _NOISE_PREFIX.match(words, start, end)
        if prefix is None and _NOISE_ALONE.fullmatch(words, start, end):
            return ""
        new_start = prefix.end() if prefix else start
        suffix = last_space >= new_start and _NOISE_SUFFIX.fullmatch(words, last_space, end)
        new_end = last_space if suffix else end
        if (new_start, new_end) == (start, end):
            return words[start:end]
        if new_end != end:
            last_space = words.rfind(" ", 0, new_end)
        start, end = new_start, new_end


def _target(kind: Kind, words: str) -> Intent:
    words = _clean(words)
    if words.lower() in _ALL_WORDS:
        return Intent(kind, error="I change one todo at a time; name the one you mean.")
    by_id = _TARGET_ID.match(words)
    if by_id:
        return Intent(kind, target_id=int(by_id.group(1)))
    words = _strip_noise(words)
    if not words:
        return Intent(kind, error="Which todo do you mean? Name a word from its title.")
    return Intent(kind, target=words)


def parse(message: str, today: dt.date) -> Intent:
    text = _clean(message.replace("\u2019", "'").replace("\u2018", "'"))
    if polite := _POLITE_PREFIX.match(text):
        text = text[polite.end() :]
    if _POLITE_SUFFIX.fullmatch(text[-len(" please") :]):
        text = text[: -len(" please")]
    text = _clean(text)

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
