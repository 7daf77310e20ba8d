"""The backend's todo API, called with the user's own bearer token.

The agent holds no credentials: every call carries the token the user sent, so the backend
scopes every read and write to that user. Another user's todos are unreachable by
construction, whatever a message or a model asks for.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from todo_agent.schemas import Todo, TodoPage, User

UNREACHABLE = "the todo service is unreachable"
UNEXPECTED = "the todo service sent an answer the agent does not understand"


class BackendError(Exception):
    """The backend answered with a client error (404, 409, 422): the request was wrong."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class BackendUnauthorized(Exception):
    """The backend refused the user's token: the agent answers 401 too."""


class BackendUnavailable(Exception):
    """The backend could not be reached, timed out or failed (5xx)."""

    def __init__(self, detail: str = UNREACHABLE) -> None:
        super().__init__(detail)
        self.detail = detail


def make_client(base_url: str, timeout: float) -> httpx.AsyncClient:
    """One pooled client per process; connect fails fast, a slow backend is bounded."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        # The backend is an in-cluster service: no proxy from the environment applies.
        trust_env=False,
    )


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):  # FastAPI 422: a list of {loc, msg}
        return "; ".join(str(item.get("msg", item)) for item in detail if isinstance(item, dict))
    return response.reason_phrase or f"HTTP {response.status_code}"


def _parse[M: BaseModel](model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError:
        # Another version of the backend, or not the backend at all: a failure of the service
        # (502), and the answer's content is not repeated (it is the user's data).
        raise BackendUnavailable(UNEXPECTED) from None


class BackendSession:
    """The backend as seen by one chat turn: one user's token, one request id."""

    def __init__(self, client: httpx.AsyncClient, token: str, request_id: str | None) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {token}"}
        if request_id:
            self._headers["X-Request-ID"] = request_id

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._client.request(
                method, "/api/v1" + path, headers=self._headers, **kwargs
            )
        except httpx.TimeoutException as exc:
            raise BackendUnavailable("the todo service did not answer in time") from exc
        except httpx.TransportError as exc:
            raise BackendUnavailable() from exc
        if response.status_code == 401:
            raise BackendUnauthorized()
        if response.status_code >= 500:
            raise BackendUnavailable(f"the todo service failed (HTTP {response.status_code})")
        if response.status_code >= 400:
            raise BackendError(response.status_code, _detail(response))
        return response

    async def me(self) -> User:
        return _parse(User, await self._call("GET", "/users/me"))

    async def list_page(
        self,
        *,
        completed: bool | None = None,
        priority: str | None = None,
        q: str | None = None,
        sort: str | None = None,
        limit: int = 100,
    ) -> tuple[list[Todo], int]:
        """One page of the user's todos (the backend's maximum, 100) and the total count."""
        params: dict[str, Any] = {"limit": limit}
        if completed is not None:
            params["completed"] = "true" if completed else "false"
        if priority:
            params["priority"] = priority
        if q:
            params["q"] = q
        if sort:
            params["sort"] = sort
        page = _parse(TodoPage, await self._call("GET", "/todos", params=params))
        return page.items, page.total

    async def list_todos(self, **filters: Any) -> list[Todo]:
        return (await self.list_page(**filters))[0]

    async def get_todo(self, todo_id: int) -> Todo:
        return _parse(Todo, await self._call("GET", f"/todos/{todo_id}"))

    async def create_todo(self, fields: dict[str, Any]) -> Todo:
        return _parse(Todo, await self._call("POST", "/todos", json=fields))

    async def update_todo(self, todo_id: int, fields: dict[str, Any]) -> Todo:
        return _parse(Todo, await self._call("PATCH", f"/todos/{todo_id}", json=fields))

    async def complete_todo(self, todo_id: int) -> Todo:
        return _parse(Todo, await self._call("POST", f"/todos/{todo_id}/complete"))

    async def reopen_todo(self, todo_id: int) -> Todo:
        return _parse(Todo, await self._call("POST", f"/todos/{todo_id}/reopen"))

    async def delete_todo(self, todo_id: int) -> None:
        await self._call("DELETE", f"/todos/{todo_id}")


async def backend_reachable(client: httpx.AsyncClient) -> str | None:
    """None when the backend's process answers its health check, else the reason."""
    try:
        response = await client.get("/healthz", timeout=2.0)
    except httpx.HTTPError as exc:
        return f"{UNREACHABLE}: {type(exc).__name__}"
    if response.status_code != 200:
        return f"the todo service answered HTTP {response.status_code}"
    return None
