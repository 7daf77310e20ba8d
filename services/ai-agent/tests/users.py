"""A registered backend user, for tests: talks to the backend directly and to an agent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery"


@dataclass
class User:
    """A registered backend user: talks to the backend directly and to an agent."""

    email: str
    token: str
    backend: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def todos(self, **params: Any) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.backend}/api/v1/todos", params={"limit": 100, **params}, headers=self.auth
        )
        response.raise_for_status()
        return response.json()["items"]

    def create(self, title: str, **fields: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.backend}/api/v1/todos", json={"title": title, **fields}, headers=self.auth
        )
        assert response.status_code == 201, response.text
        return response.json()

    def complete(self, todo_id: int) -> None:
        url = f"{self.backend}/api/v1/todos/{todo_id}/complete"
        httpx.post(url, headers=self.auth).raise_for_status()

    def chat(
        self, agent: str, message: str, history: list[dict[str, str]] | None = None
    ) -> httpx.Response:
        body: dict[str, Any] = {"message": message}
        if history is not None:
            body["history"] = history
        return httpx.post(f"{agent}/api/v1/chat", json=body, headers=self.auth, timeout=30)

    def say(self, agent: str, message: str, history: list[dict[str, str]] | None = None) -> dict:
        """A chat turn that must succeed; returns the agent's answer."""
        response = self.chat(agent, message, history)
        assert response.status_code == 200, response.text
        return response.json()


def register(backend: str) -> User:
    email = f"user-{uuid.uuid4().hex[:12]}@example.com"
    credentials = {"email": email, "password": PASSWORD}
    created = httpx.post(f"{backend}/api/v1/auth/register", json=credentials)
    assert created.status_code == 201, created.text
    login = httpx.post(f"{backend}/api/v1/auth/login", json=credentials)
    assert login.status_code == 200, login.text
    return User(email=email, token=login.json()["access_token"], backend=backend)
