"""Logins, refresh rotation, revocation, password change and logout-all, through HTTP."""

from __future__ import annotations

import time
from typing import Any

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import (
    DEFAULT_PASSWORD,
    assert_problem,
    auth_headers,
    create_principal,
    jwt_part,
    log_in_as,
    refresh_tokens,
    request_tokens,
)


async def _login(client: AsyncClient, username: str, password: str) -> Any:
    return await client.post(
        "/auth/token", data={"grant_type": "password", "username": username, "password": password}
    )


async def test_password_grant_returns_es256_access_token_and_refresh_token(
    client: AsyncClient, settings: Settings
) -> None:
    principal = await create_principal(settings, Role.AGENCY, region_prefix="5107")
    response = await _login(client, principal.username.upper(), DEFAULT_PASSWORD)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_ttl_seconds

    header = jwt_part(body["access_token"], 0)
    assert header == {"alg": "ES256", "typ": "at+jwt", "kid": header["kid"]}
    assert header["kid"].startswith("jwt-")
    claims = jwt_part(body["access_token"], 1)
    assert set(claims) == {
        "iss", "aud", "sub", "role", "iat", "nbf", "exp", "jti", "tv", "sid", "region", "staff",
    }  # fmt: skip
    assert claims["iss"] == settings.jwt_issuer
    assert claims["aud"] == settings.jwt_audience
    assert claims["sub"] == str(principal.id)
    assert (claims["role"], claims["region"], claims["staff"]) == ("agency", "5107", "admin")
    assert claims["exp"] - claims["iat"] == settings.access_token_ttl_seconds
    assert abs(claims["iat"] - time.time()) < 60

    me = await client.get("/me", headers=auth_headers(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": str(principal.id),
        "username": principal.username,
        "role": "agency",
        "archive_id": None,
        "organisation_id": None,
        "region_prefix": "5107",
        "staff_role": "admin",
    }


async def test_each_role_carries_its_binding_claim(client: AsyncClient, settings: Settings) -> None:
    expected = {Role.WORKER: "archive", Role.PROVIDER: "org", Role.AGENCY: "region"}
    for role in Role:
        session = await log_in_as(client, settings, role)
        claims = jwt_part(session.access_token, 1)
        bound = {name for name in ("archive", "org", "region") if name in claims}
        assert bound == ({expected[role]} if role in expected else set())


async def test_unknown_user_and_wrong_password_answer_identically(
    client: AsyncClient, settings: Settings
) -> None:
    principal = await create_principal(settings, Role.PROVIDER)
    wrong = await _login(client, principal.username, "not the password")
    unknown = await _login(client, "nobody-here", "not the password")
    for response in (wrong, unknown):
        assert_problem(response, 401)
    strip = {"request_id"}
    assert {k: v for k, v in wrong.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(
    client: AsyncClient, settings: Settings
) -> None:
    session = await log_in_as(client, settings, Role.WORKER)
    first = await refresh_tokens(client, session.refresh_token)
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh_token"] != session.refresh_token
    assert jwt_part(rotated["access_token"], 1)["sid"] == jwt_part(session.access_token, 1)["sid"]
    second = await refresh_tokens(client, rotated["refresh_token"])
    assert second.status_code == 200
    newest = second.json()["refresh_token"]

    # The first token again: someone else holds a copy. The session ends for everyone.
    reuse = assert_problem(await refresh_tokens(client, session.refresh_token), 401)
    assert "already used" in reuse["detail"]
    assert_problem(await refresh_tokens(client, newest), 401)
    # Another session of the same principal is untouched.
    other = await request_tokens(client, session.principal.username, DEFAULT_PASSWORD)
    assert (await refresh_tokens(client, other["refresh_token"])).status_code == 200


async def test_revoke_ends_the_session_and_answers_the_same_for_garbage(
    client: AsyncClient, settings: Settings
) -> None:
    session = await log_in_as(client, settings, Role.PROVIDER)
    revoked = await client.post("/auth/revoke", data={"token": session.refresh_token})
    assert revoked.status_code == 200
    garbage = await client.post("/auth/revoke", data={"token": "not-a-token"})
    assert (garbage.status_code, garbage.content) == (200, revoked.content)
    assert_problem(await refresh_tokens(client, session.refresh_token), 401)


async def test_access_token_is_not_a_refresh_token(client: AsyncClient, settings: Settings) -> None:
    session = await log_in_as(client, settings, Role.PROVIDER)
    assert_problem(await refresh_tokens(client, session.access_token), 401)


async def test_password_change_ends_other_sessions_and_starts_a_new_one(
    client: AsyncClient, settings: Settings
) -> None:
    session = await log_in_as(client, settings, Role.AGENCY)
    other = await request_tokens(client, session.principal.username, DEFAULT_PASSWORD)
    new_password = "a much better passphrase"
    response = await client.post(
        "/auth/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": new_password},
        headers=session.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    fresh = response.json()

    for access in (session.access_token, other["access_token"]):
        assert_problem(await client.get("/me", headers=auth_headers(access)), 401)
    for refresh in (session.refresh_token, other["refresh_token"]):
        assert_problem(await refresh_tokens(client, refresh), 401)
    assert (await client.get("/me", headers=auth_headers(fresh["access_token"]))).status_code == 200
    assert (await refresh_tokens(client, fresh["refresh_token"])).status_code == 200

    assert_problem(await _login(client, session.principal.username, DEFAULT_PASSWORD), 401)
    assert (await _login(client, session.principal.username, new_password)).status_code == 200


async def test_password_change_needs_the_current_password_and_a_strong_new_one(
    client: AsyncClient, settings: Settings
) -> None:
    session = await log_in_as(client, settings, Role.WORKER)
    wrong = await client.post(
        "/auth/password",
        json={"current_password": "not my password", "new_password": "a much better passphrase"},
        headers=session.headers,
    )
    body = assert_problem(wrong, 422)
    assert body["errors"][0]["field"] == "current_password"
    weak = await client.post(
        "/auth/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "short"},
        headers=session.headers,
    )
    assert assert_problem(weak, 422)["errors"][0]["field"] == "new_password"
    same = await client.post(
        "/auth/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": DEFAULT_PASSWORD},
        headers=session.headers,
    )
    assert assert_problem(same, 422)["errors"][0]["rule"] == "unchanged"
    # Nothing changed: the session and the old password still work.
    assert (await client.get("/me", headers=session.headers)).status_code == 200
    assert (await _login(client, session.principal.username, DEFAULT_PASSWORD)).status_code == 200


async def test_logout_all_ends_every_session_at_once(
    client: AsyncClient, settings: Settings
) -> None:
    session = await log_in_as(client, settings, Role.PROVIDER)
    other = await request_tokens(client, session.principal.username, DEFAULT_PASSWORD)
    response = await client.post("/auth/logout-all", headers=session.headers)
    assert response.status_code == 204
    for access in (session.access_token, other["access_token"]):
        assert_problem(await client.get("/me", headers=auth_headers(access)), 401)
    for refresh in (session.refresh_token, other["refresh_token"]):
        assert_problem(await refresh_tokens(client, refresh), 401)
    # Logging in again works, and the ended sessions are gone from the list.
    again = await request_tokens(client, session.principal.username, DEFAULT_PASSWORD)
    listed = await client.get("/auth/sessions", headers=auth_headers(again["access_token"]))
    assert [s["id"] for s in listed.json()] == [jwt_part(again["access_token"], 1)["sid"]]


async def test_sessions_are_listed_and_one_can_be_ended(
    client: AsyncClient, settings: Settings
) -> None:
    session = await log_in_as(client, settings, Role.AGENCY)
    other = await request_tokens(client, session.principal.username, DEFAULT_PASSWORD)
    listed = (await client.get("/auth/sessions", headers=session.headers)).json()
    assert len(listed) == 2
    assert set(listed[0]) == {"id", "started_at", "last_refreshed_at", "expires_at"}
    other_sid = jwt_part(other["access_token"], 1)["sid"]
    assert other_sid in {s["id"] for s in listed}

    ended = await client.post(f"/auth/sessions/{other_sid}/revoke", headers=session.headers)
    assert ended.status_code == 204
    assert_problem(await refresh_tokens(client, other["refresh_token"]), 401)
    assert (await refresh_tokens(client, session.refresh_token)).status_code == 200
    remaining = (await client.get("/auth/sessions", headers=session.headers)).json()
    assert [s["id"] for s in remaining] == [jwt_part(session.access_token, 1)["sid"]]


async def test_disabled_account_cannot_log_in_and_says_so_only_with_the_right_password(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    target = await log_in_as(client, settings, Role.PROVIDER)
    disabled = await client.post(f"/admin/principals/{target.id}/disable", headers=admin.headers)
    assert disabled.status_code == 200
    assert disabled.json()["disabled"] is True

    right = assert_problem(await _login(client, target.principal.username, DEFAULT_PASSWORD), 401)
    assert "disabled" in right["detail"]
    wrong = assert_problem(await _login(client, target.principal.username, "not it at all"), 401)
    assert "disabled" not in wrong["detail"]
    assert_problem(await client.get("/me", headers=target.headers), 401)
    assert_problem(await refresh_tokens(client, target.refresh_token), 401)

    enabled = await client.post(f"/admin/principals/{target.id}/enable", headers=admin.headers)
    assert enabled.json()["disabled"] is False
    assert (await _login(client, target.principal.username, DEFAULT_PASSWORD)).status_code == 200
