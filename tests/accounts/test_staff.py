"""An organisation's admin adds, lists and removes its own staff; every change is audited."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.helpers import (
    DEFAULT_PASSWORD,
    LoggedIn,
    assert_problem,
    auth_headers,
    jwt_part,
    log_in_as,
    request_tokens,
)


async def _add(
    client: AsyncClient,
    admin: LoggedIn | dict[str, str],
    username: str,
    staff_role: str,
    **more: Any,
) -> Any:
    """``POST /staff`` as ``admin`` (a session, or its headers)."""
    headers = admin if isinstance(admin, dict) else admin.headers
    body = {"username": username, "password": DEFAULT_PASSWORD, "staff_role": staff_role, **more}
    return await client.post("/staff", json=body, headers=headers)


async def _staff(client: AsyncClient, admin: LoggedIn, **params: Any) -> dict[str, Any]:
    response = await client.get("/staff", params=params, headers=admin.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def _audit(client: AsyncClient, settings: Settings, **params: str) -> list[dict[str, Any]]:
    root = await log_in_as(client, settings, Role.ADMIN)
    response = await client.get("/admin/audit-events", params=params, headers=root.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_provider_admin_adds_a_clerk_who_logs_in_as_a_clerk(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.PROVIDER, organisation_id="org-staff")
    created = await _add(client, admin, "Clerk.One", "clerk")
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {
        "id", "username", "role", "staff_role", "organisation_id", "region_prefix",
        "disabled", "removed", "created_at",
    }  # fmt: skip
    assert (body["username"], body["role"], body["staff_role"]) == (
        "clerk.one",
        "provider",
        "clerk",
    )
    assert (body["organisation_id"], body["region_prefix"]) == ("org-staff", None)
    assert (body["disabled"], body["removed"]) == (False, False)
    assert "hash" not in created.text

    tokens = await request_tokens(client, "clerk.one", DEFAULT_PASSWORD)
    claims = jwt_part(tokens["access_token"], 1)
    assert (claims["role"], claims["org"], claims["staff"]) == ("provider", "org-staff", "clerk")
    me = (await client.get("/me", headers=auth_headers(tokens["access_token"]))).json()
    assert (me["role"], me["staff_role"], me["organisation_id"]) == (
        "provider",
        "clerk",
        "org-staff",
    )
    # Every existing route stays open to every sub-role of its role (later issues narrow them).
    courses = await client.get("/courses", headers=auth_headers(tokens["access_token"]))
    assert courses.status_code == 200, courses.text

    listed = await _staff(client, admin)
    assert [(m["username"], m["staff_role"]) for m in listed["items"]] == [
        (admin.principal.username, "admin"),
        ("clerk.one", "clerk"),
    ]
    assert listed["next_cursor"] is None

    events = await _audit(client, settings, kind="staff.created")
    assert len(events) == 1
    event = events[0]
    assert (event["principal_id"], event["role"], event["staff_role"]) == (
        admin.id,
        "provider",
        "admin",
    )
    assert event["target"] == body["id"]
    assert event["details"]["target_staff_role"] == "clerk"
    assert event["details"]["organisation_id"] == "org-staff"
    assert DEFAULT_PASSWORD not in str(events)


async def test_an_agency_admin_adds_staff_in_its_region_and_below_only(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    for name, staff_role in (("officer-1", "officer"), ("reviewer-1", "reviewer")):
        created = await _add(client, admin, name, staff_role)
        assert created.status_code == 201, created.text
        assert created.json()["region_prefix"] == "5101"
    county = await _add(client, admin, "auditor-1", "auditor", region_prefix="510104")
    assert county.status_code == 201, county.text
    assert (county.json()["region_prefix"], county.json()["organisation_id"]) == ("510104", None)

    elsewhere = assert_problem(
        await _add(client, admin, "x-5107", "officer", region_prefix="5107"), 422
    )
    assert [(e["field"], e["rule"]) for e in elsewhere["errors"]] == [
        ("region_prefix", "outside_scope")
    ]
    wider = assert_problem(await _add(client, admin, "x-51", "officer", region_prefix="51"), 422)
    assert wider["errors"][0]["rule"] == "outside_scope"
    clerk = assert_problem(await _add(client, admin, "x-clerk", "clerk"), 422)
    assert [e["field"] for e in clerk["errors"]] == ["staff_role"]

    listed = await _staff(client, admin)
    assert {m["username"]: m["staff_role"] for m in listed["items"]} == {
        admin.principal.username: "admin",
        "officer-1": "officer",
        "reviewer-1": "reviewer",
        "auditor-1": "auditor",
    }
    # A province admin reaches the city's staff; the city's admin does not reach the province's.
    province = await log_in_as(client, settings, Role.AGENCY, region_prefix="51")
    seen = {m["username"] for m in (await _staff(client, province))["items"]}
    assert {"officer-1", "auditor-1", admin.principal.username} <= seen
    assert province.principal.username not in {
        m["username"] for m in (await _staff(client, admin))["items"]
    }


async def test_a_provider_admin_cannot_place_staff_in_a_region_or_make_agency_roles(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.PROVIDER)
    region = assert_problem(
        await _add(client, admin, "p-region", "clerk", region_prefix="5101"), 422
    )
    assert [e["field"] for e in region["errors"]] == ["region_prefix"]
    officer = assert_problem(await _add(client, admin, "p-officer", "officer"), 422)
    assert [e["field"] for e in officer["errors"]] == ["staff_role"]
    unknown = assert_problem(await _add(client, admin, "p-boss", "boss"), 422)
    assert [e["field"] for e in unknown["errors"]] == ["body.staff_role"]
    extra = assert_problem(await _add(client, admin, "p-extra", "clerk", role="admin"), 422)
    assert [e["rule"] for e in extra["errors"]] == ["extra_forbidden"]
    taken = await _add(client, admin, admin.principal.username, "clerk")
    assert_problem(taken, 409)
    assert len((await _staff(client, admin))["items"]) == 1


@pytest.mark.parametrize(
    ("role", "staff_role"),
    [
        (Role.PROVIDER, StaffRole.CLERK),
        (Role.AGENCY, StaffRole.OFFICER),
        (Role.AGENCY, StaffRole.REVIEWER),
        (Role.AGENCY, StaffRole.AUDITOR),
    ],
)
async def test_staff_who_are_not_admins_cannot_manage_staff(
    client: AsyncClient, settings: Settings, role: Role, staff_role: StaffRole
) -> None:
    member = await log_in_as(client, settings, role, staff_role=staff_role)
    assert_problem(await _add(client, member, "not-allowed", "clerk"), 403)
    assert_problem(await client.get("/staff", headers=member.headers), 403)
    removal = await client.post(f"/staff/{member.id}/remove", headers=member.headers)
    problem = assert_problem(removal, 403)
    assert "admin" in problem["detail"]

    denied = await _audit(client, settings, kind="request.denied", principal_id=member.id)
    assert {(e["details"]["route"], e["details"]["status"]) for e in denied} == {
        ("/staff", 403),
        ("/staff/{principal_id}/remove", 403),
    }
    assert {(e["role"], e["staff_role"]) for e in denied} == {(role.value, staff_role.value)}


async def test_workers_and_service_admins_have_no_staff(
    client: AsyncClient, settings: Settings
) -> None:
    for role in (Role.WORKER, Role.ADMIN):
        session = await log_in_as(client, settings, role)
        assert_problem(await client.get("/staff", headers=session.headers), 403)
    assert_problem(await client.get("/staff"), 401)


async def test_removing_a_member_ends_their_sessions_for_good_and_is_audited(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.PROVIDER)
    created = (await _add(client, admin, "leaving-clerk", "clerk")).json()
    clerk_tokens = await request_tokens(client, "leaving-clerk", DEFAULT_PASSWORD)
    clerk_headers = auth_headers(clerk_tokens["access_token"])
    assert (await client.get("/me", headers=clerk_headers)).status_code == 200

    removed = await client.post(f"/staff/{created['id']}/remove", headers=admin.headers)
    assert removed.status_code == 200, removed.text
    assert (removed.json()["removed"], removed.json()["disabled"]) == (True, True)
    assert_problem(await client.get("/me", headers=clerk_headers), 401)
    refreshed = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": clerk_tokens["refresh_token"]},
    )
    assert_problem(refreshed, 401)
    login = await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "leaving-clerk", "password": DEFAULT_PASSWORD},
    )
    assert_problem(login, 401)

    # Removing again changes nothing and records nothing more.
    again = await client.post(f"/staff/{created['id']}/remove", headers=admin.headers)
    assert again.status_code == 200
    assert again.json() == removed.json()
    listed = {m["username"]: m["removed"] for m in (await _staff(client, admin))["items"]}
    assert listed == {admin.principal.username: False, "leaving-clerk": True}

    events = await _audit(client, settings, kind="staff.removed")
    assert [(e["principal_id"], e["target"]) for e in events] == [(admin.id, created["id"])]
    assert events[0]["details"]["target_staff_role"] == "clerk"

    # The service admin cannot bring a removed member back: the organisation let them go.
    root = await log_in_as(client, settings, Role.ADMIN)
    enable = await client.post(f"/admin/principals/{created['id']}/enable", headers=root.headers)
    assert_problem(enable, 409)


async def test_an_admin_cannot_remove_themself_and_removal_takes_an_idempotency_key(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.AGENCY)
    assert_problem(await client.post(f"/staff/{admin.id}/remove", headers=admin.headers), 409)
    assert (await client.get("/me", headers=admin.headers)).status_code == 200

    second_admin = (await _add(client, admin, "second-admin", "admin")).json()
    headers = {**admin.headers, "Idempotency-Key": "remove-second-admin"}
    first = await client.post(f"/staff/{second_admin['id']}/remove", headers=headers)
    replay = await client.post(f"/staff/{second_admin['id']}/remove", headers=headers)
    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.headers["idempotent-replayed"] == "true"
    assert first.content == replay.content


async def test_staff_of_another_organisation_do_not_exist(
    client: AsyncClient, settings: Settings
) -> None:
    mine = await log_in_as(client, settings, Role.PROVIDER, organisation_id="org-mine")
    theirs = await log_in_as(client, settings, Role.PROVIDER, organisation_id="org-theirs")
    their_clerk = (await _add(client, theirs, "their-clerk", "clerk")).json()
    for principal_id in (their_clerk["id"], theirs.id, "000000000000000000000000", "nope"):
        response = await client.post(f"/staff/{principal_id}/remove", headers=mine.headers)
        assert_problem(response, 404)
    assert "their-clerk" not in {m["username"] for m in (await _staff(client, mine))["items"]}
    # Nor an agency account, for a provider admin; nor a provider account, for an agency admin.
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="51")
    assert_problem(await client.post(f"/staff/{mine.id}/remove", headers=agency.headers), 404)
    assert_problem(await client.post(f"/staff/{agency.id}/remove", headers=mine.headers), 404)
    still = await request_tokens(client, "their-clerk", DEFAULT_PASSWORD)
    assert still["access_token"]


async def test_staff_list_pages_through_the_organisation(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.PROVIDER)
    for n in range(4):
        assert (await _add(client, admin, f"page-clerk-{n}", "clerk")).status_code == 201
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await _staff(client, admin, **params)
        seen.extend(m["username"] for m in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [admin.principal.username] + [f"page-clerk-{n}" for n in range(4)]
    bad = await client.get("/staff", params={"cursor": "zzz"}, headers=admin.headers)
    assert_problem(bad, 422)


async def test_the_service_admin_creates_an_organisations_first_admin_or_other_staff(
    client: AsyncClient, settings: Settings
) -> None:
    root = await log_in_as(client, settings, Role.ADMIN)
    created = await client.post(
        "/admin/principals",
        json={
            "username": "first-clerk",
            "password": DEFAULT_PASSWORD,
            "role": "provider",
            "organisation_id": "org-first",
            "staff_role": "clerk",
        },
        headers=root.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["staff_role"] == "clerk"
    events = await _audit(client, settings, kind="principal.created")
    assert events[0]["details"]["target_staff_role"] == "clerk"


async def test_an_account_stored_without_a_sub_role_is_its_organisations_admin(
    client: AsyncClient, runtime: Runtime, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    """Accounts stored before sub-roles (or by the synthetic seed) keep what they could do."""
    hashed = (await log_in_as(client, runtime.settings, Role.WORKER)).principal.password_hash
    now = datetime.now(UTC)
    await db_client[runtime.settings.database]["principals"].insert_one(
        {
            "_id": ObjectId(),
            "username": "legacy-provider",
            "password_hash": hashed,
            "role": "provider",
            "archive_id": None,
            "organisation_id": "org-legacy",
            "region_prefix": None,
            "binding_key": "user:legacy-provider",
            "disabled": False,
            "token_version": 0,
            "version": 0,
            "failed_logins": 0,
            "locked_at": None,
            "created_at": now,
            "created_by": "seed",
            "password_changed_at": now,
        }
    )
    tokens = await request_tokens(client, "legacy-provider", DEFAULT_PASSWORD)
    headers = auth_headers(tokens["access_token"])
    assert jwt_part(tokens["access_token"], 1)["staff"] == "admin"
    assert (await client.get("/me", headers=headers)).json()["staff_role"] == "admin"
    created = await _add(client, headers, "legacy-clerk", "clerk")
    assert created.status_code == 201, created.text
    assert created.json()["organisation_id"] == "org-legacy"


async def test_a_changed_sub_role_ends_the_tokens_that_carry_the_old_one(
    client: AsyncClient,
    settings: Settings,
    db_client: AsyncMongoClient[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Changed behind the service's back (as another process would): this app notices once
    # what it remembers of the account runs out (session_cache_seconds, lowered here).
    monkeypatch.setattr(settings, "session_cache_seconds", 1)
    clerk = await log_in_as(client, settings, Role.PROVIDER, staff_role=StaffRole.CLERK)
    assert (await client.get("/me", headers=clerk.headers)).status_code == 200
    await db_client[settings.database]["principals"].update_one(
        {"_id": clerk.principal.id}, {"$set": {"staff_role": "admin"}}
    )
    deadline = time.monotonic() + 10
    while (answer := await client.get("/me", headers=clerk.headers)).status_code == 200:
        assert time.monotonic() < deadline, "the old sub-role's token still works"
        await asyncio.sleep(0.2)
    assert_problem(answer, 401)
