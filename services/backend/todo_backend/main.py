"""The served app: `uvicorn todo_backend.main:app`. A bad configuration exits with one line
naming the variable (never its value) instead of starting."""

from fastapi import FastAPI

from todo_backend.application import create_app
from todo_backend.core.config import ConfigError


def _app_or_exit() -> FastAPI:
    try:
        return create_app()
    except ConfigError as exc:
        raise SystemExit(f"todo-backend: configuration error: {exc}") from None


app = _app_or_exit()
