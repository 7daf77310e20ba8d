"""JSON logs, one object per line on stdout, each carrying the request's id.

python-json-logger formats; asgi-correlation-id takes X-Request-ID (or makes one), echoes it and
supplies it to every log line as `request_id`. The agent forwards the same id to the backend, so
one chat turn can be followed across both services' logs. uvicorn's own loggers are routed
through the same handler; its access log is replaced by `AccessLogMiddleware`, which adds the
duration and the request id.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Collection, Iterable

from asgi_correlation_id import CorrelationIdFilter, correlation_id
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def current_request_id() -> str | None:
    return correlation_id.get()


def valid_request_id(value: str) -> bool:
    # Any short printable token from another service; never input that could break a log line.
    return 0 < len(value) <= 128 and value.isascii() and value.isprintable()


def configure_logging(level: str, *, quiet: Iterable[str] = ()) -> None:
    """Route every log line through one JSON handler; `quiet` loggers only log warnings up."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(CorrelationIdFilter(default_value="-"))
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{correlation_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "correlation_id": "request_id"},
            datefmt="%Y-%m-%dT%H:%M:%S%z",
            # uvicorn adds an ANSI-coloured copy of its messages; the plain one is enough.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Replaced by AccessLogMiddleware (which knows the request id and the duration).
    logging.getLogger("uvicorn.access").disabled = True
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)


class AccessLogMiddleware:
    """One log line per HTTP request: method, path, status, duration in milliseconds.

    `logger` names the service's access logger; requests to `quiet_paths` (probes) are logged
    only when they do not answer 200.
    """

    def __init__(self, app: ASGIApp, *, logger: str, quiet_paths: Collection[str] = ()) -> None:
        self.app = app
        self.log = logging.getLogger(logger)
        self.quiet_paths = frozenset(quiet_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if status != 200 or scope["path"] not in self.quiet_paths:
                self.log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                    },
                )
