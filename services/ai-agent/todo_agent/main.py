"""The served app: `uvicorn todo_agent.main:app`. A bad configuration exits with one line
naming the variable (never its value) instead of starting."""

from fastapi import FastAPI
from todo_common.config import build_or_exit
from todo_common.logs import configure_logging

from todo_agent.application import create_app
from todo_agent.core.config import get_settings


def _served_app() -> FastAPI:
    settings = get_settings()
    # At import, so even uvicorn's first lines ("Started server process") come out as JSON;
    # only the served app does this, building an app elsewhere has no global effect. The
    # HTTP clients log every request at INFO; the access line and warnings are enough.
    configure_logging(settings.LOG_LEVEL, quiet=("httpx", "httpx2", "openai"))
    return create_app(settings)


app = build_or_exit("todo-agent", _served_app)
