"""Todos: CRUD, complete/reopen, ownership isolation, filters, sorting, pagination."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import signup

TODOS = "/api/v1/todos"


def create(api: httpx.Client, auth: dict[str, str], **fields) -> dict:
    response = api.post(TODOS, json={"title": "a todo", **fields}, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_fills_defaults_and_timestamps(api: httpx.Client, auth) -> None:
    todo = create(api, auth, title="  Buy milk  ")
    assert todo["title"] == "Buy milk"
    assert todo["description"] is None
    assert todo["completed"] is False
    assert todo["priority"] == "medium"
    assert todo["due_date"] is None
    created = datetime.fromisoformat(todo["created_at"])
    assert created.tzinfo is not None
    assert created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
    assert todo["updated_at"] == todo["created_at"] or todo["updated_at"] >= todo["created_at"]


def test_create_read_update_delete_round_trip(api: httpx.Client, auth) -> None:
    todo = create(
        api, auth, title="Write report", description="Q3", priority="high", due_date="2030-01-31"
    )
    path = f"{TODOS}/{todo['id']}"
    assert api.get(path, headers=auth).json() == todo

    patched = api.patch(path, json={"title": "Write Q3 report", "due_date": None}, headers=auth)
    assert patched.status_code == 200
    body = patched.json()
    assert body["title"] == "Write Q3 report"
    assert body["due_date"] is None
    assert body["description"] == "Q3"  # absent fields stay unchanged
    assert body["priority"] == "high"
    assert body["updated_at"] > todo["updated_at"]

    assert api.patch(path, json={"completed": True}, headers=auth).json()["completed"] is True
    assert api.patch(path, json={"description": None}, headers=auth).json()["description"] is None

    deleted = api.delete(path, headers=auth)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.get(path, headers=auth).status_code == 404
    assert api.delete(path, headers=auth).status_code == 404


def test_complete_and_reopen(api: httpx.Client, auth) -> None:
    todo = create(api, auth)
    done = api.post(f"{TODOS}/{todo['id']}/complete", headers=auth)
    assert done.status_code == 200
    assert done.json()["completed"] is True
    again = api.post(f"{TODOS}/{todo['id']}/complete", headers=auth)
    assert again.status_code == 200
    assert again.json()["completed"] is True
    reopened = api.post(f"{TODOS}/{todo['id']}/reopen", headers=auth)
    assert reopened.status_code == 200
    assert reopened.json()["completed"] is False


def test_another_users_todo_is_404_for_every_operation_and_stays_unchanged(
    api: httpx.Client,
) -> None:
    alice, mallory = signup(api), signup(api)
    todo = create(api, alice, title="Alice's secret")
    path = f"{TODOS}/{todo['id']}"
    attempts = [
        api.get(path, headers=mallory),
        api.patch(path, json={"title": "pwned"}, headers=mallory),
        api.post(f"{path}/complete", headers=mallory),
        api.post(f"{path}/reopen", headers=mallory),
        api.delete(path, headers=mallory),
    ]
    for response in attempts:
        assert response.status_code == 404
        assert response.json() == {"detail": "Todo not found"}
    # Same answer as an id that does not exist at all, so ids do not leak.
    assert api.get(f"{TODOS}/2147483647", headers=mallory).json() == {"detail": "Todo not found"}
    assert api.get(TODOS, headers=mallory).json()["total"] == 0
    assert api.get(path, headers=alice).json() == todo


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 201},
        {"title": "ok", "description": "x" * 2001},
        {"title": "ok", "priority": "urgent"},
        {"title": "ok", "due_date": "31/01/2030"},
        {"title": "ok", "due_date": "2030-02-30"},
        {"title": "nul\x00byte"},
        {"title": None},
    ],
)
def test_invalid_todo_bodies_are_422(api: httpx.Client, auth, body) -> None:
    response = api.post(TODOS, json=body, headers=auth)
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], list)


@pytest.mark.parametrize(
    "body",
    [
        {"title": None},
        {"priority": None},
        {"completed": None},
        {"title": ""},
        {"completed": "maybe"},
    ],
)
def test_invalid_patches_are_422_and_change_nothing(api: httpx.Client, auth, body) -> None:
    todo = create(api, auth)
    response = api.patch(f"{TODOS}/{todo['id']}", json=body, headers=auth)
    assert response.status_code == 422
    assert api.get(f"{TODOS}/{todo['id']}", headers=auth).json() == todo


@pytest.mark.parametrize("todo_id", ["0", "-1", "abc", "2147483648", "99999999999999999999999"])
def test_impossible_ids_are_422(api: httpx.Client, auth, todo_id: str) -> None:
    assert api.get(f"{TODOS}/{todo_id}", headers=auth).status_code == 422


def test_list_filters(api: httpx.Client, auth) -> None:
    create(api, auth, title="Buy milk", priority="low")
    create(api, auth, title="Call mum", description="about the MILKman", priority="high")
    done = create(api, auth, title="Pay rent", priority="high")
    api.post(f"{TODOS}/{done['id']}/complete", headers=auth)

    def titles(**params) -> list[str]:
        response = api.get(TODOS, params=params, headers=auth)
        assert response.status_code == 200, response.text
        return sorted(t["title"] for t in response.json()["items"])

    assert titles(completed="true") == ["Pay rent"]
    assert titles(completed="false") == ["Buy milk", "Call mum"]
    assert titles(priority="high") == ["Call mum", "Pay rent"]
    assert titles(q="milk") == ["Buy milk", "Call mum"]  # title or description, any case
    assert titles(q="MILK", priority="low") == ["Buy milk"]
    assert titles(q="%") == []  # LIKE wildcards are literal text
    assert titles(q="_") == []


def test_list_sorting(api: httpx.Client, auth) -> None:
    a = create(api, auth, title="a", priority="low", due_date="2030-03-01")
    b = create(api, auth, title="b", priority="high")
    c = create(api, auth, title="c", priority="medium", due_date="2030-01-01")

    def order(sort: str | None) -> list[str]:
        params = {"sort": sort} if sort else {}
        return [t["title"] for t in api.get(TODOS, params=params, headers=auth).json()["items"]]

    assert order(None) == ["c", "b", "a"]  # newest first by default
    assert order("-created_at") == ["c", "b", "a"]
    assert order("created_at") == ["a", "b", "c"]
    assert order("due_date") == ["c", "a", "b"]  # no due date last
    assert order("-due_date") == ["a", "c", "b"]
    assert order("priority") == ["a", "c", "b"]  # low, medium, high: by rank, not alphabet
    assert order("-priority") == ["b", "c", "a"]
    assert {a["id"], b["id"], c["id"]} == {
        t["id"] for t in api.get(TODOS, headers=auth).json()["items"]
    }


def test_list_pagination_with_total(api: httpx.Client, auth) -> None:
    ids = [create(api, auth, title=f"t{i}")["id"] for i in range(7)]
    seen = []
    for offset in (0, 3, 6):
        page = api.get(
            TODOS, params={"limit": 3, "offset": offset, "sort": "created_at"}, headers=auth
        ).json()
        assert page["total"] == 7
        assert page["limit"] == 3
        assert page["offset"] == offset
        seen += [t["id"] for t in page["items"]]
    assert seen == ids
    past_the_end = api.get(TODOS, params={"offset": 50}, headers=auth).json()
    assert past_the_end == {"items": [], "total": 7, "limit": 50, "offset": 50}
    assert api.get(TODOS, headers=auth).json()["limit"] == 50


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": 10**12},
        {"offset": -1},
        {"offset": 10**12},
        {"sort": "title"},
        {"priority": "urgent"},
        {"completed": "maybe"},
        {"q": "x" * 201},
        {"q": "nul\x00"},
    ],
)
def test_invalid_list_parameters_are_422(api: httpx.Client, auth, params) -> None:
    response = api.get(TODOS, params=params, headers=auth)
    assert response.status_code == 422, response.text
