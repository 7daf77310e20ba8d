"""Configuration errors, said the same way by every service: one line naming each bad
variable and the rule it breaks, never its value (it may be a secret)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError
from pydantic_settings import BaseSettings


class ConfigError(RuntimeError):
    """The environment does not allow the service to start; the message names the variable."""


def load_settings[S: BaseSettings](settings_class: type[S]) -> S:
    """The settings from the environment; a bad variable is a ConfigError naming it."""
    try:
        return settings_class()
    except ValidationError as exc:
        # The field names are the variables' names (UPPERCASE, case-sensitive settings).
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(reasons) from None


def error_line(program: str, exc: ConfigError) -> str:
    return f"{program}: configuration error: {exc}"


def build_or_exit[T](program: str, build: Callable[[], T]) -> T:
    """`build()`, or the process exits with the one line of `error_line` on a ConfigError."""
    try:
        return build()
    except ConfigError as exc:
        raise SystemExit(error_line(program, exc)) from None
