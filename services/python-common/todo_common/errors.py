"""One answer for invalid requests in every service: 422 with each error's location, message
and type, never the input that failed.

FastAPI's default handler echoes each error's `input` and `ctx`. That returns a submitted
password in the body of a 422, and rendering the echo can itself fail: a lone surrogate cannot
be encoded as UTF-8, a value nested a thousand deep exhausts `jsonable_encoder`'s recursion,
and `1e999` parses to infinity, which JSON cannot carry. Each turned a client's mistake into a
500 with a traceback. Here every part of the answer is short text or an integer, so rendering
it cannot fail, whatever was sent.

`install_validation_errors(app)` registers the handler and makes the OpenAPI document's
`ValidationError` schema say exactly what the answer holds.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

# Bounds on what one answer carries: a body with thousands of bad items does not get a
# thousand-entry answer, and a location never repeats a 60 KiB key back.
MAX_ERRORS = 20
MAX_LOCATION_PARTS = 8
MAX_TEXT = 200

VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ValidationError",
    "type": "object",
    "properties": {
        "loc": {
            "title": "Location",
            "type": "array",
            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "description": "Where the error is: 'body', 'query', 'path' or 'header', then names",
        },
        "msg": {"title": "Message", "type": "string"},
        "type": {"title": "Error Type", "type": "string"},
    },
    "required": ["loc", "msg", "type"],
    "additionalProperties": False,
}


def _text(value: object) -> str:
    """Short text that always encodes: lone surrogates become '?'."""
    text = value if isinstance(value, str) else repr(value)
    return text[:MAX_TEXT].encode("utf-8", "replace").decode("utf-8")


def _location_part(part: object) -> str | int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    return _text(part)


def describe(errors: list[Any]) -> list[dict[str, Any]]:
    """Location, message and type of each error (at most MAX_ERRORS), nothing else."""
    described = []
    for error in errors[:MAX_ERRORS]:
        if not isinstance(error, dict):
            continue
        location = error.get("loc", ())
        if not isinstance(location, (tuple, list)):
            location = (location,)
        described.append(
            {
                "loc": [_location_part(part) for part in location[:MAX_LOCATION_PARTS]],
                "msg": _text(error.get("msg", "")),
                "type": _text(error.get("type", "")),
            }
        )
    return described


async def request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse({"detail": describe(list(errors))}, status_code=422)


def install_validation_errors(app: FastAPI) -> None:
    """Answers every request validation error through `request_validation_error`, and
    documents that shape (no `input`, no `ctx`) in the app's OpenAPI document."""
    app.add_exception_handler(RequestValidationError, request_validation_error)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()  # FastAPI keeps it in app.openapi_schema
            schemas = schema.get("components", {}).get("schemas", {})
            if "ValidationError" in schemas:
                schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
