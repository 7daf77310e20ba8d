"""Probes: /healthz (the process answers) and /readyz (the database answers, quickly)."""

from __future__ import annotations

import logging

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)

# Under the usual readiness-probe timeout, so the probe gets our 503 rather than a timeout.
READY_TIMEOUT_SECONDS = 2.0


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _ping(engine: AsyncEngine) -> None:
    # The time bound is the caller's (anyio.fail_after); a SET here would outlive the probe on
    # the pooled connection.
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


NOT_READY = "the database is not available"


@router.get(
    "/readyz",
    responses={503: {"description": "The database does not answer"}},
)
async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers. The reason it does not goes to the log only: the
    answer is public, and the driver's text names the host, port and user."""
    reason: str | None = None
    try:
        with anyio.fail_after(READY_TIMEOUT_SECONDS):
            await _ping(request.app.state.engine)
    except TimeoutError:
        reason = f"database did not answer within {READY_TIMEOUT_SECONDS:g}s"
    except SQLAlchemyError as exc:
        # The driver's first line says what failed (refused, auth, DNS) without the URL.
        lines = str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__]
        reason = "database unavailable: " + lines[0]
    if reason is not None:
        log.warning("not ready", extra={"reason": reason})
        return JSONResponse({"status": "unavailable", "detail": NOT_READY}, status_code=503)
    return JSONResponse({"status": "ready"})
