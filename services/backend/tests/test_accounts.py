"""Closing an account (DELETE /api/v1/users/me): the user and their todos go, nobody else's
data changes, every token of the account is refused at once (in this process and in another
one on the same database), and the email can register again as a new, empty account."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import (
    PASSWORD,
    Backend,
    new_email,
    signup,
)

ME = "/api/v1/users/me"
TODOS = "/api/v1/todos"


def add_todos(api: httpx.Client, headers: dict[str, str], *titles: str) -> list[int]:
    ids = []
    for title in titles:
        response = api.post(TODOS, json={"title": title}, headers=headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def login(api: httpx.Client, email: str) -> dict[str, str]:
    response = api.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def rows(backend: Backend, sql: str, **params: object) -> list[tuple]:
    with backend.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def every_route(todo_id: int) -> list[tuple[str, str, dict | None]]:
    """One request per authenticated operation, aimed at the account's own (former) todo."""
    return [
        ("GET", ME, None),
        ("GET", TODOS, None),
        ("POST", TODOS, {"title": "after closing"}),
        ("GET", f"{TODOS}/{todo_id}", None),
        ("PATCH", f"{TODOS}/{todo_id}", {"title": "renamed"}),
        ("POST", f"{TODOS}/{todo_id}/complete", None),
        ("POST", f"{TODOS}/{todo_id}/reopen", None),
        ("DELETE", f"{TODOS}/{todo_id}", None),
        ("DELETE", ME, None),
    ]


def assert_refused(client: httpx.Client, headers: dict[str, str], todo_id: int) -> None:
    for method, path, body in every_route(todo_id):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path, response.status_code, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json() == {"detail": "Could not validate credentials"}


def test_closing_removes_the_account_and_its_todos_and_nothing_else(
    api: httpx.Client, backend: Backend
) -> None:
    ada_email = new_email()
    ada, bob = signup(api, ada_email), signup(api)
    add_todos(api, ada, "ada's first", "ada's second", "ada's third")
    add_todos(api, bob, "bob's first", "bob's second")
    ada_id = api.get(ME, headers=ada).json()["id"]
    bob_me = api.get(ME, headers=bob).json()
    bob_todos = api.get(TODOS, headers=bob).json()

    closed = api.delete(ME, headers=ada)
    assert closed.status_code == 204
    assert closed.content == b""

    assert rows(backend, "SELECT id FROM users WHERE email = :e", e=ada_email) == []
    assert rows(backend, "SELECT id FROM todos WHERE owner_id = :o", o=ada_id) == []
    assert api.get(ME, headers=bob).json() == bob_me
    assert api.get(TODOS, headers=bob).json() == bob_todos
    assert len(rows(backend, "SELECT id FROM todos")) == 2


def test_every_token_of_a_closed_account_is_refused_at_once(api: httpx.Client) -> None:
    email = new_email()
    first = signup(api, email)
    second = login(api, email)  # another session of the same account
    [todo_id] = add_todos(api, first, "milk")
    for headers in (first, second):  # two live sessions
        assert api.get(f"{TODOS}/{todo_id}", headers=headers).status_code == 200

    assert api.delete(ME, headers=first).status_code == 204
    assert_refused(api, first, todo_id)
    assert_refused(api, second, todo_id)
    assert (
        api.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code
        == 401
    )


def test_the_email_registers_again_as_a_new_empty_account_the_old_token_cannot_reach(
    api: httpx.Client,
) -> None:
    email = new_email()
    old = signup(api, email)  # the newest account: SQLite would hand its id out again
    old_id = api.get(ME, headers=old).json()["id"]
    add_todos(api, old, "from the closed account")
    assert api.delete(ME, headers=old).status_code == 204

    new = signup(api, email)
    me = api.get(ME, headers=new).json()
    assert me["email"] == email
    assert me["id"] > old_id  # never the closed account's id
    assert api.get(TODOS, headers=new).json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    [todo_id] = add_todos(api, new, "from the new account")

    assert_refused(api, old, todo_id)
    assert [t["title"] for t in api.get(TODOS, headers=new).json()["items"]] == [
        "from the new account"
    ]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer not.a.jwt"}, id="malformed"),
    ],
)
def test_closing_without_a_valid_token_is_401_and_closes_nothing(
    api: httpx.Client, backend: Backend, headers: dict[str, str]
) -> None:
    signup(api)
    response = api.delete(ME, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert len(rows(backend, "SELECT id FROM users")) == 1


def test_another_replica_refuses_a_closed_accounts_token_at_once(
    api: httpx.Client, other_replica: str
) -> None:
    """The replica that did not close the account refuses its token on the very next
    request (a per-process cache of tokens once let it through for 30 s)."""
    headers = signup(api)
    [todo_id] = add_todos(api, headers, "milk")
    with httpx.Client(base_url=other_replica, timeout=30) as replica:
        assert replica.get(ME, headers=headers).status_code == 200
        assert replica.get(TODOS, headers=headers).json()["total"] == 1
        assert api.delete(ME, headers=headers).status_code == 204
        assert_refused(replica, headers, todo_id)


def test_the_openapi_documents_closing_an_account(api: httpx.Client) -> None:
    operation = api.get("/api/v1/openapi.json").json()["paths"][ME]["delete"]
    assert {"204", "401"} <= set(operation["responses"])
    assert "requestBody" not in operation
    assert operation["security"] == [{"HTTPBearer": []}]
