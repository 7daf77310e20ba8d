"""The served app: `uvicorn todo_backend.main:app`. A bad configuration exits with one line
naming the variable (never its value) instead of starting."""

from fastapi import FastAPI
from todo_common.logs import configure_logging

from todo_backend.application import create_app
from todo_backend.core.config import ConfigError, get_settings


def _app_or_exit() -> FastAPI:
    try:
        settings = get_settings()
        # At import, so even uvicorn's first lines ("Started server process") come out as JSON;
        # only the served app does this, building an app elsewhere has no global effect.
        configure_logging(settings.LOG_LEVEL)
        return create_app(settings)
    except ConfigError as exc:
        raise SystemExit(f"todo-backend: configuration error: {exc}") from None


app = _app_or_exit()
