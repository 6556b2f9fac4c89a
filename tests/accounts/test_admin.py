"""Admins create, list, disable and enable accounts."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import LoggedIn, assert_problem, auth_headers, log_in_as, request_tokens

NEW_PASSWORD = "first login passphrase"


@pytest.fixture
async def admin(client: AsyncClient, settings: Settings) -> LoggedIn:
    return await log_in_as(client, settings, Role.ADMIN)


async def _create(client: AsyncClient, admin: LoggedIn, **body: Any) -> Any:
    return await client.post("/admin/principals", json=body, headers=admin.headers)


@pytest.mark.parametrize(
    ("role", "binding"),
    [
        ("provider", {"organisation_id": "org-77"}),
        ("agency", {"region_prefix": "510104"}),
        ("admin", {}),
    ],
)
async def test_admin_creates_accounts_that_can_log_in(
    client: AsyncClient,
    admin: LoggedIn,
    role: str,
    binding: dict[str, str],
) -> None:
    response = await _create(
        client, admin, username=f"New.{role}", password=NEW_PASSWORD, role=role, **binding
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {
        "id", "username", "role", "archive_id", "organisation_id", "region_prefix",
        "staff_role", "disabled", "removed", "created_at",
    }  # fmt: skip
    assert (body["username"], body["role"], body["disabled"]) == (f"new.{role}", role, False)
    assert body["removed"] is False
    # A provider or agency account made by the service admin is its organisation's admin.
    assert body["staff_role"] == (None if role == "admin" else "admin")
    assert "hash" not in response.text

    tokens = await request_tokens(client, f"new.{role}", NEW_PASSWORD)
    me = await client.get("/me", headers=auth_headers(tokens["access_token"]))
    assert me.json()["role"] == role
    assert me.json()["staff_role"] == body["staff_role"]
    assert {field: me.json()[field] for field in binding} == binding


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "worker", "archive_id": "64d0000000000000000000a1"}, "body.role"),
        ({"role": "provider"}, "organisation_id"),
        ({"role": "agency"}, "region_prefix"),
        ({"role": "agency", "region_prefix": "5"}, "region_prefix"),
        ({"role": "agency", "region_prefix": "51010"}, "region_prefix"),
        ({"role": "agency", "region_prefix": "51ab"}, "region_prefix"),
        ({"role": "agency", "region_prefix": "1234567"}, "region_prefix"),
        ({"role": "admin", "region_prefix": "51"}, "region_prefix"),
        ({"role": "provider", "organisation_id": "o", "region_prefix": "51"}, "region_prefix"),
        ({"role": "admin", "password": "short"}, "password"),
        ({"role": "admin", "username": "x y"}, "username"),
        ({"role": "admin", "staff_role": "admin"}, "staff_role"),
        ({"role": "provider", "organisation_id": "o", "staff_role": "officer"}, "staff_role"),
        ({"role": "agency", "region_prefix": "51", "staff_role": "clerk"}, "staff_role"),
        ({"role": "agency", "region_prefix": "51", "staff_role": "boss"}, "staff_role"),
    ],
)
async def test_create_refuses_bad_bindings_roles_and_passwords(
    client: AsyncClient, admin: LoggedIn, body: dict[str, Any], field: str
) -> None:
    request = {"username": "someone", "password": NEW_PASSWORD, **body}
    problem = assert_problem(await _create(client, admin, **request), 422)
    # The schema (length caps) names body.<field>; the domain's binding rules name <field>.
    named = {e["field"] for e in problem["errors"]}
    assert field in named | {n.removeprefix("body.") for n in named}
    listed = await client.get("/admin/principals", headers=admin.headers)
    assert [p["username"] for p in listed.json()["items"]] == [admin.principal.username]


async def test_duplicate_username_is_409(client: AsyncClient, admin: LoggedIn) -> None:
    first = await _create(client, admin, username="twin", password=NEW_PASSWORD, role="admin")
    assert first.status_code == 201
    again = await _create(client, admin, username="TWIN", password=NEW_PASSWORD, role="admin")
    assert_problem(again, 409)


async def test_create_with_idempotency_key_replays_the_first_answer(
    client: AsyncClient, admin: LoggedIn
) -> None:
    headers = {**admin.headers, "Idempotency-Key": "create-once"}
    body = {"username": "once", "password": NEW_PASSWORD, "role": "admin"}
    first = await client.post("/admin/principals", json=body, headers=headers)
    second = await client.post("/admin/principals", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"


async def test_list_pages_through_accounts_by_role(
    client: AsyncClient, settings: Settings, admin: LoggedIn
) -> None:
    for n in range(5):
        await _create(
            client, admin, username=f"agency-{n}", password=NEW_PASSWORD, role="agency",
            region_prefix="51",
        )  # fmt: skip
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"role": "agency", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/admin/principals", params=params, headers=admin.headers)).json()
        seen.extend(p["username"] for p in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"agency-{n}" for n in range(5)]
    bad = await client.get("/admin/principals", params={"cursor": "zzz"}, headers=admin.headers)
    assert_problem(bad, 422)


async def test_get_unknown_or_malformed_principal_is_404(
    client: AsyncClient, admin: LoggedIn
) -> None:
    for principal_id in ("000000000000000000000000", "not-an-id"):
        response = await client.get(f"/admin/principals/{principal_id}", headers=admin.headers)
        assert_problem(response, 404)
        disable = await client.post(
            f"/admin/principals/{principal_id}/disable", headers=admin.headers
        )
        assert_problem(disable, 404)


async def test_admin_cannot_disable_themselves(client: AsyncClient, admin: LoggedIn) -> None:
    response = await client.post(f"/admin/principals/{admin.id}/disable", headers=admin.headers)
    assert_problem(response, 409)
    assert (await client.get("/me", headers=admin.headers)).status_code == 200


async def test_disable_and_enable_are_idempotent(
    client: AsyncClient, settings: Settings, admin: LoggedIn
) -> None:
    target = await log_in_as(client, settings, Role.WORKER)
    for _ in range(2):
        response = await client.post(
            f"/admin/principals/{target.id}/disable", headers=admin.headers
        )
        assert response.json()["disabled"] is True
    for _ in range(2):
        response = await client.post(f"/admin/principals/{target.id}/enable", headers=admin.headers)
        assert response.json()["disabled"] is False
    # The old session stays ended: disabling revoked it for good.
    assert_problem(await client.get("/me", headers=target.headers), 401)


async def test_non_admins_cannot_administer(client: AsyncClient, settings: Settings) -> None:
    for role in (Role.WORKER, Role.PROVIDER, Role.AGENCY):
        session = await log_in_as(client, settings, role)
        response = await client.post(
            "/admin/principals",
            json={"username": "sneaky", "password": NEW_PASSWORD, "role": "admin"},
            headers=session.headers,
        )
        assert_problem(response, 403)
    assert_problem(
        await client.post(
            "/admin/principals",
            json={"username": "sneaky", "password": NEW_PASSWORD, "role": "admin"},
        ),
        401,
    )
