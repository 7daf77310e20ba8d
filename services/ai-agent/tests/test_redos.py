"""Every regular expression of the offline path against adversarial messages of the maximum
length: each must finish quickly, so that no message can stall the agent by making a
pattern backtrack (a chat message once took seconds, then minutes, per ", " it repeated).

The patterns are found by walking the modules, and a second test makes sure none hides
inside a function, so a pattern added later is timed too.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import inspect
import re
import signal
import time
from collections.abc import Callable, Iterator

import pytest
from todo_agent import dates, intents, offline, safety
from todo_agent.schemas import MAX_MESSAGE_CHARS

MODULES = (intents, dates, safety, offline)
TODAY = dt.date(2026, 11, 28)
# Measured on a shared 2-core machine: the slowest single pattern call on these inputs takes
# about 1.5 ms, the slowest whole parse about 4 ms. A backtracking pattern takes seconds.
BOUND_SECONDS = 0.05
# A runaway pattern is interrupted here (the regex engine checks for signals) instead of
# hanging the test run.
GUARD_SECONDS = 2.0
# The probe that froze the agent: 24 times ", " took 7.5 s; each further one doubled it.
PROBE = "add a " + ", " * 24 + "b"
LONG_PROBE = ("add a " + ", " * MAX_MESSAGE_CHARS)[: MAX_MESSAGE_CHARS - 1] + "b"


def _patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found[f"{module.__name__}.{name}"] = value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, re.Pattern):
                        found[f"{module.__name__}.{name}[{i}]"] = item
    return found


PATTERNS = _patterns()


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _guard() -> Iterator[None]:
    def interrupt(*_: object) -> None:
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, GUARD_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _seconds(call: Callable[[], object]) -> float:
    """How long `call` takes: the best of three when the first is over the bound (a busy
    machine), the guard's time when it has to be interrupted."""
    best = GUARD_SECONDS
    for _ in range(3):
        start = time.perf_counter()
        try:
            with _guard():
                call()
        except _TooSlow:
            return GUARD_SECONDS
        best = min(best, time.perf_counter() - start)
        if best < BOUND_SECONDS:
            break
    return best


def _vocabulary(pattern: re.Pattern[str]) -> list[str]:
    """The words and punctuation a pattern is made of: what an attacker would repeat."""
    source = re.sub(r"\\[a-zA-Z]", " ", pattern.pattern)  # \s, \b, \d, \w: not literals
    words = set(re.findall(r"[a-z']+", source.lower()))
    marks = set(re.findall(r"[,;:.!?#'=\-\"`]", source))
    return sorted(words) + sorted(marks) + ["1", "\t", "\u00a0"]


def _adversarial(pattern: re.Pattern[str]) -> Iterator[str]:
    """Messages of the maximum length: a piece of the pattern repeated, then a character the
    pattern cannot match (which makes a backtracking engine try every split), or not."""
    for piece in _vocabulary(pattern):
        for separator in ("", " ", ", ", "-"):
            repeated = (piece + separator) * (MAX_MESSAGE_CHARS // len(piece + separator) + 1)
            yield repeated[:MAX_MESSAGE_CHARS]
            yield repeated[: MAX_MESSAGE_CHARS - 1] + "\x00"
    for char in " \t,;:.!?-'\"#":
        yield char * MAX_MESSAGE_CHARS
        yield ("a" + char) * (MAX_MESSAGE_CHARS // 2)
    yield LONG_PROBE


def test_the_walk_finds_the_parsers_patterns() -> None:
    assert len(PATTERNS) >= 45
    assert "todo_agent.dates.DUE_PATTERN" in PATTERNS
    assert "todo_agent.dates.TIME_PATTERN" in PATTERNS
    assert "todo_agent.safety._AFFIRMATIVE" in PATTERNS


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_no_pattern_hides_from_the_timing_test(module: object) -> None:
    """Every pattern is compiled at module level (re.compile or intents._rx), where the walk
    above finds it; an inline re.sub(r"...") or a pattern built inside a function would not
    be timed."""
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    inside_functions = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and function.name != "_rx"
        for node in ast.walk(function)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_re = isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "re"
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        where = f"{module.__name__} line {node.lineno}"  # type: ignore[attr-defined]
        assert not (is_re and name != "compile"), f"{where}: re.{name}; compile the pattern"
        if (is_re or name == "_rx") and id(node) in inside_functions:
            pytest.fail(f"{where}: a pattern compiled inside a function")


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_each_pattern_is_fast_on_adversarial_messages(name: str) -> None:
    pattern = PATTERNS[name]
    uses = (pattern.search, pattern.fullmatch, lambda m: list(pattern.finditer(m)))
    slowest, worst = 0.0, ""
    for message in _adversarial(pattern):
        for use in uses:
            took = _seconds(lambda use=use, message=message: use(message))
            if took > slowest:
                slowest, worst = took, message
        if slowest >= GUARD_SECONDS:
            break  # one runaway is enough
    assert slowest < BOUND_SECONDS, (
        f"{name} took {slowest * 1000:.0f} ms on {worst[:60]!r}... ({len(worst)} characters)"
    )


def _messages() -> Iterator[str]:
    heads = ["", "add ", "please add ", "i need to ", "mark ", "delete the ", "reopen ", "find "]
    pieces = ["the one ", "my todo about ", ", ", ", and ", " with", "high priority ",
              "priority: high ", "urgent ", "due friday ", "in 10 days ", "is not ", "as ",
              "x ", "  ", ",", "!", "-", "\t", "in 2 weeks ", "in a ", "next month ",
              "end of the ", "end of ", "at 5pm ", "at 17:30 ", "5:", "12 p.",
              "at noon "]  # fmt: skip
    for head in heads:
        for piece in pieces:
            for tail in ("", "b", " done"):
                body = (head + piece * MAX_MESSAGE_CHARS)[: MAX_MESSAGE_CHARS - len(tail)]
                yield body + tail


def test_the_probe_message_parses_at_once() -> None:
    for message in (PROBE, LONG_PROBE):
        took = _seconds(lambda message=message: intents.parse(message, TODAY))
        assert took < BOUND_SECONDS, f"parse took {took:.2f} s on {message[:40]!r}..."
    assert intents.parse(PROBE, TODAY) == intents.Intent("add", title=PROBE.removeprefix("add "))


def test_parse_is_fast_on_adversarial_messages() -> None:
    slowest, worst = 0.0, ""
    for message in _messages():
        took = _seconds(lambda message=message: intents.parse(message, TODAY))
        if took > slowest:
            slowest, worst = took, message
        if slowest >= GUARD_SECONDS:
            break
    assert slowest < BOUND_SECONDS, f"parse took {slowest * 1000:.0f} ms on {worst[:60]!r}..."
