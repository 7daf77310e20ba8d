"""Login sessions: logout and a password change end tokens at once, in this process and in
another one on the same database; a token that names no session (issued before sessions
existed, or forged around a real one) is refused; API answers are never cached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from tests.conftest import (
    JWT_SECRET,
    PASSWORD,
    new_email,
    signup,
)

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/users/me"
PASSWORD_CHANGE = "/api/v1/users/me/password"
TODOS = "/api/v1/todos"
NEW_PASSWORD = "a brand new passphrase"


def login(api: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = api.post(LOGIN, json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def assert_refused(client: httpx.Client, headers: dict[str, str]) -> None:
    for method, path, body in (
        ("GET", ME, None),
        ("GET", TODOS, None),
        ("POST", TODOS, {"title": "after the end"}),
        ("POST", LOGOUT, None),
        ("POST", PASSWORD_CHANGE, {"current_password": PASSWORD, "new_password": "x" * 12}),
        ("DELETE", ME, None),
    ):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


def test_logout_ends_that_session_at_once_and_no_other(
    api: httpx.Client, other_replica: str
) -> None:
    email = new_email()
    laptop = signup(api, email)
    phone = login(api, email)
    with httpx.Client(base_url=other_replica, timeout=30) as replica:
        assert replica.get(TODOS, headers=laptop).status_code == 200
        ended = api.post(LOGOUT, headers=laptop)
        assert ended.status_code == 204
        assert ended.content == b""
        assert_refused(api, laptop)
        assert_refused(replica, laptop)
        assert replica.get(ME, headers=phone).status_code == 200  # the other device goes on
    assert login(api, email)  # and the account can log in again


def test_logout_without_a_live_session_is_401(api: httpx.Client) -> None:
    assert api.post(LOGOUT).status_code == 401
    assert api.post(LOGOUT, headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401


def test_a_password_change_ends_every_other_session(api: httpx.Client, other_replica: str) -> None:
    email = new_email()
    here = signup(api, email)
    elsewhere = login(api, email)
    with httpx.Client(base_url=other_replica, timeout=30) as replica:
        assert replica.get(ME, headers=elsewhere).status_code == 200
        changed = api.post(
            PASSWORD_CHANGE,
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=here,
        )
        assert changed.status_code == 204, changed.text
        assert changed.content == b""
        assert_refused(replica, elsewhere)
        assert replica.get(ME, headers=here).status_code == 200  # the changing session goes on
    wrong = api.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert wrong.status_code == 401
    assert login(api, email, NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failed_login(
    api: httpx.Client,
) -> None:
    email = new_email()
    headers = signup(api, email)
    other = login(api, email)
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    for _ in range(5):
        refused = api.post(PASSWORD_CHANGE, json=body, headers=headers)
        assert refused.status_code == 400
        assert refused.json() == {"detail": "The current password is incorrect"}
    throttled = api.post(PASSWORD_CHANGE, json=body, headers=headers)
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) >= 1
    assert api.get(ME, headers=other).status_code == 200  # no session ended
    assert api.get(ME, headers=headers).status_code == 200  # nor the caller's own


def test_a_new_password_that_breaks_the_rules_is_422_without_the_passwords(
    api: httpx.Client, auth: dict[str, str]
) -> None:
    response = api.post(
        PASSWORD_CHANGE, json={"current_password": PASSWORD, "new_password": "tiny"}, headers=auth
    )
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "new_password"]]
    assert PASSWORD not in response.text
    assert "tiny" not in response.text


def _claims(headers: dict[str, str]) -> dict:
    token = headers["Authorization"].removeprefix("Bearer ")
    return jwt.decode(token, options={"verify_signature": False})


def _signed(claims: dict) -> dict[str, str]:
    return {"Authorization": "Bearer " + jwt.encode(claims, JWT_SECRET, algorithm="HS256")}


def test_a_validly_signed_token_without_a_live_session_is_refused(
    api: httpx.Client, auth: dict[str, str]
) -> None:
    claims = _claims(auth)
    expires = datetime.now(UTC) + timedelta(minutes=5)
    # As tokens were issued before login sessions existed: no `jti`.
    assert_refused(api, _signed({"sub": claims["sub"], "exp": expires}))
    # A session id nobody was given.
    assert_refused(api, _signed({**claims, "jti": "A" * 22}))
    # A real session, claimed for another account.
    other = _claims(signup(api))
    assert_refused(api, _signed({**claims, "sub": other["sub"]}))
    assert api.get(ME, headers=auth).status_code == 200


# "²" and ARABIC-INDIC DIGIT ONE are digits to str.isdigit; the rest are near misses.
BAD_SUBJECTS = ["²", "\u0661", "0", "01", "-1", " 1", "1\n", "1e3", "4294967296"]


@pytest.mark.parametrize("subject", BAD_SUBJECTS)
def test_a_subject_not_exactly_a_decimal_id_is_401(
    api: httpx.Client, auth: dict[str, str], subject: str
) -> None:
    """A valid signature around a `sub` such as "²" (a digit to str.isdigit, not to int())
    answered 500."""
    assert_refused(api, _signed({**_claims(auth), "sub": subject}))


def test_api_answers_are_never_cached(api: httpx.Client) -> None:
    email = new_email()
    registered = api.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    logged_in = api.post(LOGIN, json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {logged_in.json()['access_token']}"}
    answers = [
        registered,
        logged_in,
        api.get(ME, headers=headers),
        api.get(TODOS, headers=headers),
        api.post(TODOS, json={"title": "milk"}, headers=headers),
        api.get(ME),  # 401
        api.post(LOGIN, json={"email": email, "password": "wrong password"}),  # 401
    ]
    for response in answers:
        assert response.headers["cache-control"] == "no-store", response.request.url
    assert "no-store" not in api.get("/api/v1/openapi.json").headers.get("cache-control", "")


def test_the_openapi_documents_logout_and_the_password_change(api: httpx.Client) -> None:
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    logout = paths[LOGOUT]["post"]
    assert {"204", "401"} <= set(logout["responses"])
    assert "requestBody" not in logout
    change = paths[PASSWORD_CHANGE]["post"]
    assert {"204", "400", "401", "422", "429"} <= set(change["responses"])
    assert change["security"] == [{"HTTPBearer": []}]
