"""What every service puts around its routes, in one order: the request id, the access log,
the body size limit, and the validation-error answer."""

from __future__ import annotations

from collections.abc import Iterable

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI

from todo_common.errors import install_validation_errors
from todo_common.limits import BodySizeLimitMiddleware
from todo_common.logs import AccessLogMiddleware, valid_request_id


def install_edges(
    app: FastAPI, *, access_logger: str, max_body_bytes: int, quiet_paths: Iterable[str] = ()
) -> None:
    """Call after the service's own middleware: these become the outermost layers."""
    install_validation_errors(app)  # 422 with location, message and type only; never a 500
    # Outermost last: the request id exists before anything logs; the size limit applies
    # before any body is read.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(AccessLogMiddleware, logger=access_logger, quiet_paths=tuple(quiet_paths))
    app.add_middleware(
        CorrelationIdMiddleware, header_name="X-Request-ID", validator=valid_request_id
    )
