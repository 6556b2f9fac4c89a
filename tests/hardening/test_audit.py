"""The audit trail: what is recorded, who may read it, and that nothing can change it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts import sessions
from portfolio.accounts.principal import Role
from portfolio.audit.service import AuditKind
from portfolio.settings import Settings
from tests.helpers import DEFAULT_PASSWORD, assert_problem, create_principal, log_in_as

URL = "/admin/audit-events"
WORKER = {
    "name": "张三",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "phone": "13800000000",
    "region_code": "510104",
}


async def _events(client: AsyncClient, headers: dict[str, str], **query: str) -> list[Any]:
    response = await client.get(URL, params=query, headers=headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def test_logins_failures_and_throttling_are_recorded_without_secrets(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    target = await create_principal(settings, Role.PROVIDER)
    for _ in range(settings.login_free_failures + 1):
        await client.post(
            "/auth/token",
            data={"grant_type": "password", "username": target.username, "password": "nope-x"},
        )
    await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "who-is-this", "password": "s3cret-typed"},
    )
    events = await _events(client, admin.headers)
    kinds = [e["kind"] for e in events]
    assert AuditKind.LOGIN_SUCCEEDED in kinds  # the admin's own login
    assert AuditKind.LOGIN_LOCKED_OUT not in kinds  # accounts are never locked
    [limited] = await _events(client, admin.headers, kind="login.rate_limited")
    assert (limited["outcome"], limited["details"]["limit"]) == ("denied", "username")
    assert limited["details"]["retry_after"] >= 1
    failures = await _events(client, admin.headers, kind="login.failed")
    reasons = {e["details"]["reason"] for e in failures}
    assert {"wrong-password", "unknown-username"} <= reasons
    assert all(e["request_id"] for e in failures)
    mine = await _events(client, admin.headers, principal_id=str(target.id))
    assert mine
    assert all(e["principal_id"] == str(target.id) for e in mine)
    text = str(events)
    assert "nope-x" not in text
    assert "s3cret-typed" not in text
    assert "who-is-this" not in text
    assert target.username not in str(limited)


async def test_admin_account_changes_and_key_rotation_are_recorded(
    client: AsyncClient, settings: Settings, app: FastAPI
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    created = await client.post(
        "/admin/principals",
        json={
            "username": "agency-new",
            "password": DEFAULT_PASSWORD,
            "role": "agency",
            "region_prefix": "5101",
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    disabled = await client.post(f"/admin/principals/{new_id}/disable", headers=admin.headers)
    assert disabled.status_code == 200, disabled.text
    runtime: Runtime = app.state.runtime
    key = await sessions.rotate_signing_key(keyring=runtime.keyring)
    events = await _events(client, admin.headers)
    by_kind = {e["kind"]: e for e in events}
    assert by_kind["principal.created"]["target"] == new_id
    assert by_kind["principal.created"]["principal_id"] == admin.id
    assert by_kind["principal.disabled"]["target"] == new_id
    assert by_kind["key.rotated"]["target"] == key.kid


async def test_denied_requests_are_recorded_with_the_route_template(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    worker = await log_in_as(client, settings, Role.WORKER)
    assert_problem(await client.get(URL, headers=worker.headers), 403)
    assert_problem(await client.get("/admin/principals/000000000000000000000000"), 401)
    denied = await _events(client, admin.headers, kind="request.denied")
    assert {(e["details"]["status"], e["details"]["route"]) for e in denied} >= {
        (403, URL),
        (401, "/admin/principals/{principal_id}"),
    }
    forbidden = next(e for e in denied if e["details"]["status"] == 403)
    assert forbidden["principal_id"] == worker.id
    assert forbidden["role"] == "worker"


async def test_only_admins_read_and_paging_walks_newest_first(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    for _ in range(3):
        await log_in_as(client, settings, Role.PROVIDER)
    first = await client.get(URL, params={"limit": 2}, headers=admin.headers)
    page = first.json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    second = await client.get(
        URL, params={"limit": 2, "cursor": page["next_cursor"]}, headers=admin.headers
    )
    later = second.json()["items"]
    assert later
    assert later[0]["at"] <= page["items"][-1]["at"]
    assert not {e["id"] for e in later} & {e["id"] for e in page["items"]}
    assert_problem(await client.get(URL, params={"kind": "nonsense"}, headers=admin.headers), 422)
    assert_problem(await client.get(URL, params={"cursor": "zz"}, headers=admin.headers), 422)


async def test_nobody_can_edit_or_delete_the_trail_through_the_api(
    client: AsyncClient, settings: Settings, app: FastAPI
) -> None:
    served = {
        (method, route.path)
        for route in iter_route_contexts(app.routes)
        if route.path and route.path.startswith(URL)
        for method in route.methods or set()
    }
    assert served <= {("GET", URL), ("HEAD", URL)}
    admin = await log_in_as(client, settings, Role.ADMIN)
    event_id = (await _events(client, admin.headers))[0]["id"]
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in (URL, f"{URL}/{event_id}"):
            response = await client.request(method, path, json={}, headers=admin.headers)
            assert response.status_code in (404, 405), (method, path, response.status_code)
    still = {e["id"] for e in await _events(client, admin.headers, limit="200")}
    assert event_id in still


async def test_full_identity_reads_and_searches_are_recorded(
    client: AsyncClient, settings: Settings
) -> None:
    admin = await log_in_as(client, settings, Role.ADMIN)
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="51")
    registered = await client.post("/workers", json=WORKER, headers=agency.headers)
    assert registered.status_code == 201, registered.text
    archive_id = registered.json()["worker"]["id"]
    search = {"purpose": "benefit check", "id_number": WORKER["id_number"], "reveal": True}
    found = await client.post("/workers/search", json=search, headers=agency.headers)
    assert found.status_code == 200, found.text
    miss = {"purpose": "benefit check", "id_number": "110105198001010016"}
    missed = await client.post("/workers/search", json=miss, headers=agency.headers)
    assert_problem(missed, 404)
    revealed = await client.post(
        f"/workers/{archive_id}/reveal", json={"purpose": "benefit check"}, headers=agency.headers
    )
    assert revealed.status_code == 200, revealed.text
    searches = await _events(client, admin.headers, kind="identity.search")
    assert {(e["outcome"], e["target"]) for e in searches} == {
        ("success", archive_id),
        ("failure", None),
    }
    reads = await _events(client, admin.headers, kind="identity.read")
    assert [(e["target"], e["principal_id"]) for e in reads] == [(archive_id, agency.id)]
    assert WORKER["id_number"] not in str(searches + reads)
