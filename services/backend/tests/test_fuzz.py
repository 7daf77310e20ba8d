"""Schema-driven fuzzing (schemathesis) of the running backend over real HTTP, authenticated as
a real user who owns a few todos: whatever is generated, valid or not, the answer is no 5xx,
its status is one the OpenAPI document lists for the operation, and its body and headers match
what the document says of that status (422's shape, 429's Retry-After, ...).

schemathesis' pytest plugin does not run under pytest 9 yet (it reads a removed pytest
internal), so each operation's Hypothesis strategy is driven with `@given` directly.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from todo_backend.application import create_app
from todo_backend.core.config import Settings

from tests.conftest import Backend, empty_database, signup

MAX_EXAMPLES = 25  # per operation and mode: the whole fuzz takes well under a minute

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
_SPEC = create_app(Settings(DATABASE_URL="sqlite://")).openapi()
# Invalid input can only be generated where there is input: parameters or a body.
CASES = [
    pytest.param(method.upper(), path, mode, id=f"{method.upper()} {path} {mode.value}")
    for path, item in _SPEC["paths"].items()
    for method, operation in item.items()
    for mode in GenerationMode
    if mode is GenerationMode.POSITIVE
    or operation.get("parameters")
    or operation.get("requestBody")
]


@pytest.fixture
def fuzz_auth(backend: Backend) -> dict[str, str]:
    empty_database(backend)  # no earlier test's throttle counts
    with httpx.Client(base_url=backend.url, timeout=30) as client:
        headers = signup(client)
        for title in ("first", "second", "third"):
            client.post("/api/v1/todos", json={"title": title}, headers=headers)
    return headers


@pytest.fixture
def api_schema(backend: Backend):
    return schemathesis.openapi.from_url(f"{backend.url}/api/v1/openapi.json")


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_request_gives_a_server_error(
    api_schema, fuzz_auth: dict[str, str], method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,  # the same cases every run, so a failure reproduces
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        # The user's token unless the case brings its own Authorization header to test.
        headers = None if "authorization" in {k.lower() for k in case.headers or {}} else fuzz_auth
        response = case.call(headers=headers, timeout=30)
        assert response.status_code < 500, (case.method, case.formatted_path, response.text)
        case.validate_response(response, checks=CHECKS)

    check()
