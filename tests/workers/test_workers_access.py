"""Who reaches which worker: workers only their own archive, agencies only their region."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import assert_problem, log_in_as
from tests.workers.factories import employment, registered_worker, social_security


async def test_a_worker_reaches_only_their_own_archive(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    one = await registered_worker(client, agency)
    two = await registered_worker(client, agency)
    # Something in worker 2's log and entries that worker 1 must not see.
    await client.put(
        f"/workers/{two.archive_id}/social-security",
        json=social_security(two.registered.id_number),
        headers=agency.headers,
    )
    await client.post(
        f"/workers/{two.archive_id}/reveal", json={"purpose": "a check"}, headers=agency.headers
    )

    # The agency routes that take an id are closed to workers altogether.
    for method, path in [
        ("GET", f"/workers/{two.archive_id}"),
        ("POST", f"/workers/{two.archive_id}/reveal"),
    ]:
        response = await client.request(
            method, path, json={"purpose": "curious"}, headers=one.headers
        )
        assert_problem(response, 403)

    archive = (await client.get("/me/archive", headers=one.headers)).json()
    assert archive["worker"]["id"] == one.archive_id
    assert archive["worker"]["social_security"] is None
    assert [e["kind"] for e in archive["entries"]["items"]] == ["registered"]
    entries = (await client.get("/me/entries", headers=one.headers)).json()["items"]
    assert [e["seq"] for e in entries] == [1]
    assert (await client.get("/me/access-log", headers=one.headers)).json()["items"] == []
    report = (await client.get("/me/archive/verify", headers=one.headers)).json()
    assert (report["archive_id"], report["entries_checked"]) == (one.archive_id, 1)
    # ... while worker 2 sees their own.
    log_two = (await client.get("/me/access-log", headers=two.headers)).json()["items"]
    assert [i["purpose"] for i in log_two] == ["a check"]


async def test_an_agency_of_another_region_neither_sees_nor_changes_a_worker(
    client: AsyncClient, settings: Settings
) -> None:
    chengdu = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    mianyang = await log_in_as(client, settings, Role.AGENCY, region_prefix="5107")
    worker = await registered_worker(client, chengdu)
    added = await client.post(
        f"/workers/{worker.archive_id}/employment", json=employment(), headers=chengdu.headers
    )
    registration_id = added.json()["employment"]["registrations"][0]["id"]
    base = f"/workers/{worker.archive_id}"
    attempts = [
        ("GET", base, None),
        ("POST", f"{base}/reveal", {"purpose": "a check"}),
        ("POST", f"{base}/activation-code", None),
        ("POST", f"{base}/transfer", {"to_region_code": "510703"}),
        ("PUT", f"{base}/social-security", social_security(worker.registered.id_number)),
        ("POST", f"{base}/employment", employment(employer_name="another")),
        ("POST", f"{base}/employment/{registration_id}/close", {"end": "2024-01-01"}),
    ]
    for method, path, body in attempts:
        response = await client.request(method, path, json=body, headers=mianyang.headers)
        assert_problem(response, 404)
    search = await client.post(
        "/workers/search",
        json={"id_number": worker.registered.id_number, "purpose": "a check"},
        headers=mianyang.headers,
    )
    assert_problem(search, 404)

    # Nothing changed and nothing was logged.
    after = (await client.get(base, headers=chengdu.headers)).json()
    assert after["version"] == added.json()["version"]
    assert after["identity"]["region_code"] == "510104"
    # Only the home agency's own masked read above is logged (reads are logged since issue 25).
    log = (await client.get("/me/access-log", headers=worker.headers)).json()["items"]
    assert [(i["action"], i["username"]) for i in log] == [("read", chengdu.principal.username)]
    # The worker's first login still works: no new activation code superseded anything.
    assert after["account_state"] == "active"


async def test_providers_get_403_on_every_workers_route(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    provider = await log_in_as(client, settings, Role.PROVIDER)
    worker = await registered_worker(client, agency)
    base = f"/workers/{worker.archive_id}"
    for method, path, body in [
        ("POST", "/workers", {"name": "x"}),
        ("POST", "/workers/search", {"id_number": worker.registered.id_number, "purpose": "x1"}),
        ("GET", base, None),
        ("POST", f"{base}/reveal", {"purpose": "a check"}),
        ("POST", f"{base}/activation-code", None),
        ("PUT", f"{base}/social-security", social_security(worker.registered.id_number)),
        ("POST", f"{base}/employment", employment()),
    ]:
        response = await client.request(method, path, json=body, headers=provider.headers)
        assert_problem(response, 403)
        assert worker.registered.id_number not in response.text
