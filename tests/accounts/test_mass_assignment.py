"""Unknown fields in a request are refused (422) and change nothing.

A self-service request must not be able to name its own role, scope or account state.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, assert_problem, jwt_part, log_in_as, request_tokens

SMUGGLED: list[dict[str, Any]] = [
    {"role": "admin"},
    {"scope": "admin"},
    {"disabled": False},
    {"token_version": 0},
    {"region_prefix": "51"},
    {"organisation_id": "someone-else"},
]


@pytest.mark.parametrize("extra", SMUGGLED)
async def test_password_change_refuses_extra_fields(
    client: AsyncClient, settings: Settings, extra: dict[str, Any]
) -> None:
    session = await log_in_as(client, settings, Role.WORKER)
    response = await client.post(
        "/auth/password",
        json={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a much better passphrase",
            **extra,
        },
        headers=session.headers,
    )
    problem = assert_problem(response, 422)
    assert {e["rule"] for e in problem["errors"]} == {"extra_forbidden"}
    # Nothing changed: the same session still works, with the same role and the old password.
    me = await client.get("/me", headers=session.headers)
    assert me.json()["role"] == "worker"
    await request_tokens(client, session.principal.username, DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    "extra",
    [{"role": "admin"}, {"scope": "admin"}, {"disabled": "false"}, {"region": "51"}],
)
async def test_token_request_refuses_extra_fields(
    client: AsyncClient, settings: Settings, extra: dict[str, str]
) -> None:
    session = await log_in_as(client, settings, Role.AGENCY, region_prefix="5107")
    response = await client.post(
        "/auth/token",
        data={
            "grant_type": "password",
            "username": session.principal.username,
            "password": DEFAULT_PASSWORD,
            **extra,
        },
    )
    assert_problem(response, 422)
    # An ordinary login still gets the stored role and scope, nothing smuggled.
    tokens = await request_tokens(client, session.principal.username, DEFAULT_PASSWORD)
    claims = jwt_part(tokens["access_token"], 1)
    assert (claims["role"], claims["region"]) == ("agency", "5107")


@pytest.mark.parametrize(
    "extra",
    [
        {"disabled": True},
        {"token_version": 5},
        {"password_hash": "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"},
        {"archive_id": "64d0000000000000000000a1"},
        {"failed_logins": 0},
    ],
)
async def test_admin_create_refuses_storage_fields(
    client: AsyncClient, settings: Settings, extra: dict[str, Any]
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    response = await client.post(
        "/admin/principals",
        json={"username": "smuggler", "password": "first login passphrase", "role": "admin"}
        | extra,
        headers=admin.headers,
    )
    assert_problem(response, 422)
    listed = (await client.get("/admin/principals", headers=admin.headers)).json()
    assert "smuggler" not in {p["username"] for p in listed["items"]}


async def test_revoke_refuses_extra_fields(client: AsyncClient, settings: Settings) -> None:
    session = await log_in_as(client, settings, Role.PROVIDER)
    response = await client.post(
        "/auth/revoke", data={"token": session.refresh_token, "principal_id": session.id}
    )
    assert_problem(response, 422)
    # The session was not ended by the refused request.
    refreshed = await client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": session.refresh_token}
    )
    assert refreshed.status_code == 200
