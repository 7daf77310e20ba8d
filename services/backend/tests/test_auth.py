"""Accounts: register, log in, current user, and every way a token can be wrong."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from sqlalchemy import text
from todo_backend.core.security import create_access_token, new_session_id

from tests.conftest import JWT_SECRET, PASSWORD, Backend, new_email

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/users/me"


def test_register_returns_the_public_user_without_password(api: httpx.Client) -> None:
    response = api.post(REGISTER, json={"email": "Alice@Example.COM", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "created_at"}
    assert body["email"] == "alice@example.com"
    created = datetime.fromisoformat(body["created_at"])
    assert created.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)


def test_register_twice_with_the_same_email_is_409(api: httpx.Client) -> None:
    email = new_email()
    assert api.post(REGISTER, json={"email": email, "password": PASSWORD}).status_code == 201
    again = api.post(REGISTER, json={"email": email.upper(), "password": "another password"})
    assert again.status_code == 409
    assert again.json() == {"detail": "An account with this email already exists"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"email": "a@example.com", "password": "short"}, "password"),
        ({"email": "a@example.com", "password": "x" * 129}, "password"),
        ({"email": "a@example.com"}, "password"),
        ({"password": PASSWORD}, "email"),
    ],
)
def test_register_rejects_invalid_input_with_422_naming_the_field(
    api: httpx.Client, body: dict, field: str
) -> None:
    response = api.post(REGISTER, json=body)
    assert response.status_code == 422
    assert field in {err["loc"][-1] for err in response.json()["detail"]}


def test_login_returns_a_bearer_token_that_identifies_the_user(api: httpx.Client) -> None:
    email = new_email()
    api.post(REGISTER, json={"email": email, "password": PASSWORD})
    response = api.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    assert token["expires_in"] == 3600
    me = api.get(ME, headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == email


def test_login_gives_the_same_401_for_unknown_email_and_wrong_password(api: httpx.Client) -> None:
    email = new_email()
    api.post(REGISTER, json={"email": email, "password": PASSWORD})
    wrong_password = api.post(LOGIN, json={"email": email, "password": "wrong password!"})
    unknown_email = api.post(LOGIN, json={"email": new_email(), "password": PASSWORD})
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.json() == {"detail": "Incorrect email or password"}
        assert response.headers["www-authenticate"] == "Bearer"


def test_login_email_is_case_insensitive(api: httpx.Client) -> None:
    api.post(REGISTER, json={"email": "bob@example.com", "password": PASSWORD})
    assert (
        api.post(LOGIN, json={"email": "BOB@example.com", "password": PASSWORD}).status_code == 200
    )


def _token(user_id: int, *, secret: str = JWT_SECRET, minutes: int = 5) -> str:
    return create_access_token(
        subject=user_id,
        session_id=new_session_id(),
        secret=secret,
        expires=timedelta(minutes=minutes),
    )


def _user_id(api: httpx.Client, headers: dict[str, str]) -> int:
    return api.get(ME, headers=headers).json()["id"]


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda uid: None, id="missing"),
        pytest.param(lambda uid: "Bearer", id="empty-bearer"),
        pytest.param(lambda uid: "Basic dXNlcjpwYXNz", id="wrong-scheme"),
        pytest.param(lambda uid: "Bearer not.a.jwt", id="malformed"),
        pytest.param(lambda uid: f"Bearer {_token(uid, minutes=-1)}", id="expired"),
        pytest.param(lambda uid: f"Bearer {_token(uid, secret='x' * 40)}", id="foreign-signature"),
        pytest.param(lambda uid: f"Bearer {_token(uid + 1000)}", id="unknown-user"),
        pytest.param(
            lambda uid: "Bearer " + jwt.encode({"sub": str(uid)}, JWT_SECRET, algorithm="HS256"),
            id="no-expiry",
        ),
        pytest.param(
            lambda uid: "Bearer " + jwt.encode({"sub": str(uid)}, "", algorithm="none"),
            id="alg-none",
        ),
    ],
)
def test_bad_tokens_are_401_with_www_authenticate(api: httpx.Client, auth, make_header) -> None:
    uid = _user_id(api, auth)
    header = make_header(uid)
    headers = {"Authorization": header} if header else {}
    for method, path in (
        ("GET", ME),
        ("GET", "/api/v1/todos"),
        ("POST", "/api/v1/todos/1/complete"),
    ):
        response = api.request(method, path, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert isinstance(response.json()["detail"], str)


def test_a_token_of_an_account_deleted_by_an_operator_is_refused_at_once(
    api: httpx.Client, backend: Backend
) -> None:
    """An account deleted behind the API's back (an operator's SQL, which on SQLite leaves
    its sessions behind) is refused on the next request, reads and writes alike: 401, never
    500, never an empty list."""
    email = new_email()
    api.post(REGISTER, json={"email": email, "password": PASSWORD})
    token = api.post(LOGIN, json={"email": email, "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/todos", headers=headers).status_code == 200
    with backend.engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE email = :email"), {"email": email})
    for method, path, body in (
        ("POST", "/api/v1/todos", {"title": "orphan"}),
        ("GET", "/api/v1/todos", None),
        ("GET", ME, None),
    ):
        response = api.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_email_takes_as_long_as_a_wrong_password(api: httpx.Client) -> None:
    """No timing oracle for which emails have accounts: an unknown email still pays for one
    Argon2 verification (without it, it answered in about 1 ms against about 60 ms)."""
    email = new_email()
    api.post(REGISTER, json={"email": email, "password": PASSWORD})

    addresses = (f"198.51.100.{n}" for n in range(1, 100))

    def median_seconds(body: dict[str, str]) -> float:
        times = []
        for _ in range(7):
            started = time.perf_counter()
            # Each from its own client address: the throttle must not answer these instead.
            forwarded = {"X-Forwarded-For": next(addresses)}
            assert api.post(LOGIN, json=body, headers=forwarded).status_code == 401
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    wrong_password = median_seconds({"email": email, "password": "not the password"})
    unknown_email = median_seconds({"email": new_email(), "password": "not the password"})
    assert unknown_email > 0.4 * wrong_password, (unknown_email, wrong_password)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("  ada@example.com \t", "ada@example.com", id="surrounding-spaces"),
        pytest.param("\u00a0Ada@Example.COM", "ada@example.com", id="no-break-space-and-case"),
        pytest.param("jose\u0301@example.com", "jos\u00e9@example.com", id="nfd-accent"),
        pytest.param(
            "\uff4a\uff4f\uff48\uff4e@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com",
            "john@example.com",
            id="fullwidth",
        ),
        pytest.param("x@B\u00dcCHER.de", "x@b\u00fccher.de", id="unicode-domain"),
    ],
)
def test_an_email_logs_in_exactly_as_it_was_registered(
    api: httpx.Client, typed: str, stored: str
) -> None:
    """Registration and login share one normalisation (models.canonical_email), so the
    string a user registered with logs them in, and so does its plain form."""
    registered = api.post(REGISTER, json={"email": typed, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    assert registered.json()["email"] == stored
    for variant in (typed, stored, stored.upper()):
        response = api.post(LOGIN, json={"email": variant, "password": PASSWORD})
        assert response.status_code == 200, (variant, response.text)
    again = api.post(REGISTER, json={"email": stored, "password": PASSWORD})
    assert again.status_code == 409  # one account, whichever way it is typed
