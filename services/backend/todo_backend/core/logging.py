"""JSON logs, one object per line on stdout, each carrying the request's id.

python-json-logger formats; asgi-correlation-id's filter supplies the id (as `request_id`).
uvicorn's own loggers are routed through the same handler; its access log is replaced by
`AccessLogMiddleware`, which adds the duration and the request id.
"""

from __future__ import annotations

import logging
import sys
import time

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def setup_logging(level: str) -> None:
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
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Replaced by AccessLogMiddleware (which knows the request id and the duration).
    logging.getLogger("uvicorn.access").disabled = True


access_log = logging.getLogger("todo_backend.access")


class AccessLogMiddleware:
    """One log line per HTTP request: method, path, status, duration in milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                },
            )
