"""Invalid requests: whatever bytes arrive, the answer is a 4xx with a reason, never a 500
and never a traceback in the log; a 422 holds each error's location, message and type and
never the input (no submitted password comes back); the OpenAPI document says exactly that."""

from __future__ import annotations

import json

import httpx
import jsonschema
import pytest

from tests.conftest import Backend, new_email

REG = REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
TODOS = "/api/v1/todos"
SECRET = "my-secret-password-42"
JSON = {"Content-Type": "application/json"}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


P = SECRET.encode()


def probe(path: str, raw: bytes, status: int, name: str):  # a pytest.param
    return pytest.param(path, raw, status, id=name)


# Raw bytes: a JSON serialiser would refuse to write some of them (a lone surrogate), which is
# exactly what the server must survive.
PROBES = [
    probe(REG, b'{"email": "\\ud800@example.com", "password": "' + P + b'"}', 422, "surrogate"),
    probe(LOGIN, b'{"email": "a@example.com", "password": "\\udfff' + P + b'"}', 422, "surrogate2"),
    probe(REG, b'{"email": ' + nested(1000) + b', "password": "' + P + b'"}', 422, "nested-1000"),
    probe(LOGIN, b'{"email": ' + nested(25000) + b', "password": "x"}', 400, "nested-25000"),
    probe(REG, b'{"email": 1e999, "password": "' + P + b'"}', 422, "infinite-number"),
    probe(REG, b'{"email": ' + b"9" * 5000 + b', "password": "x"}', 400, "5000-digits"),
    probe(REG, b'{"email": "a@example.com", "password": "' + b"p" * 129 + b'"}', 422, "long-pw"),
    probe(REG, b'{"email": "a@example.com", "password": "short"}', 422, "short-pw"),
    probe(REG, b'["a@example.com", "' + P + b'"]', 422, "array-body"),
    probe(LOGIN, b'{"email": "a@example.com", "password": "' + P + b'"', 422, "truncated-json"),
    probe(LOGIN, b'{"email": "a@example.com", "password": "\\u0000"}', 422, "nul"),
    probe(LOGIN, b"\xff\xfe not utf-8", 422, "not-utf-8"),
]


def assert_reasoned_4xx(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    if status == 422:
        assert body["detail"], body
        for error in body["detail"]:
            assert set(error) == {"loc", "msg", "type"}, error
            assert error["msg"]
            assert error["type"]
    else:
        assert isinstance(body["detail"], str)
        assert body["detail"]


def assert_no_error_logged(api: httpx.Client, backend: Backend, since: int) -> None:
    # A traceback is logged just after the 500 went out: one more request and its answer
    # let the server finish with the probe before its log is read.
    assert api.get("/healthz").status_code == 200
    written = backend.log_since(since)
    assert "Traceback" not in written, written
    levels = {json.loads(line).get("level") for line in written.splitlines() if line.strip()}
    assert not levels & {"ERROR", "CRITICAL"}, written


@pytest.mark.parametrize(("path", "raw", "status"), PROBES)
def test_any_invalid_body_is_a_4xx_with_a_reason_and_no_echo(
    api: httpx.Client, backend: Backend, path: str, raw: bytes, status: int
) -> None:
    since = backend.log_size()
    response = api.post(path, content=raw, headers=JSON)
    assert_reasoned_4xx(response, status)
    assert SECRET not in response.text
    assert "ppppppppp" not in response.text
    assert_no_error_logged(api, backend, since)


def test_invalid_todo_fields_are_422_without_the_input(
    api: httpx.Client, backend: Backend, auth: dict[str, str]
) -> None:
    since = backend.log_size()
    for raw in (
        b'{"title": "milk", "priority": "\\ud800"}',
        b'{"title": "milk", "due_date": 1e999}',
        b'{"title": "milk", "description": ' + nested(900) + b"}",
        b'{"title": "' + b"t" * 300 + b'"}',
    ):
        created = api.post(TODOS, content=raw, headers={**auth, **JSON})
        assert_reasoned_4xx(created, 422)
        assert "ttttttttt" not in created.text
    for query in ("limit=1e999", "priority=%ED%A0%80", "sort=" + "x" * 5000):
        listed = api.get(f"{TODOS}?{query}", headers=auth)
        assert_reasoned_4xx(listed, 422)
        assert "xxxxxxxxx" not in listed.text
    assert_no_error_logged(api, backend, since)


def test_the_openapi_error_schema_is_what_a_422_holds(api: httpx.Client) -> None:
    spec = api.get("/api/v1/openapi.json").json()
    schema = spec["components"]["schemas"]["ValidationError"]
    assert set(schema["properties"]) == {"loc", "msg", "type"}
    assert schema["additionalProperties"] is False
    validator = jsonschema.Draft202012Validator(
        {"components": spec["components"], "$ref": "#/components/schemas/HTTPValidationError"}
    )
    for raw in (b'{"email": "\\ud800@example.com", "password": "x"}', b'{"email": 1e999}'):
        response = api.post(REGISTER, content=raw, headers=JSON)
        assert response.status_code == 422
        validator.validate(response.json())  # raises on any extra key, e.g. "input"
    # Every operation that takes a body documents the 400 of a body that is not JSON.
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)


def test_a_valid_registration_still_works_after_the_probes(api: httpx.Client) -> None:
    email = new_email()
    response = api.post(REGISTER, json={"email": email, "password": SECRET})
    assert response.status_code == 201
    assert response.json()["email"] == email
