"""Agency lookups by number, full reads with a purpose, and the worker's access log."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.helpers import assert_problem, log_in_as
from tests.workers.factories import registered_worker, social_security


async def test_search_by_id_number_or_ssn_is_logged_and_reveal_shows_full_numbers(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    number = worker.registered.id_number
    put = await client.put(
        f"/workers/{worker.archive_id}/social-security",
        json=social_security(number),
        headers=agency.headers,
    )
    assert put.status_code == 200, put.text

    masked = await client.post(
        "/workers/search",
        json={"id_number": number.lower(), "purpose": "voucher eligibility check"},
        headers=agency.headers,
    )
    assert masked.status_code == 200, masked.text
    assert masked.json()["id"] == worker.archive_id
    assert masked.json()["revealed"] is None
    assert number not in masked.text

    by_ssn = await client.post(
        "/workers/search",
        json={"social_security_number": number, "purpose": "claim review", "reveal": True},
        headers=agency.headers,
    )
    assert by_ssn.status_code == 200, by_ssn.text
    assert by_ssn.headers["cache-control"] == "no-store"
    assert by_ssn.json()["revealed"] == {
        "id_number": number,
        "phone": worker.registered.phone,
        "social_security_number": number,
        "employment_certificate_number": None,
    }

    log = await client.get("/me/access-log", headers=worker.headers)
    assert log.status_code == 200, log.text
    items = log.json()["items"]
    assert [(i["action"], i["purpose"]) for i in items] == [
        ("search", "claim review"),
        ("search", "voucher eligibility check"),
    ]
    assert items[0]["fields"] == ["id_number", "phone", "birth_date", "social_security.number"]
    assert items[1]["fields"] == []
    assert {(i["principal_id"], i["role"], i["region_prefix"]) for i in items} == {
        (agency.id, "agency", "5101")
    }


async def test_reveal_needs_a_purpose_and_writes_the_access_log(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="51")
    worker = await registered_worker(client, agency)
    number = worker.registered.id_number

    plain = await client.get(f"/workers/{worker.archive_id}", headers=agency.headers)
    assert plain.status_code == 200, plain.text
    assert plain.json()["revealed"] is None
    assert number not in plain.text

    missing = await client.post(
        f"/workers/{worker.archive_id}/reveal", json={}, headers=agency.headers
    )
    assert assert_problem(missing, 422)["errors"][0]["field"] == "body.purpose"
    # A purpose must not carry an identity number (it is stored in plaintext for the worker).
    smuggled = await client.post(
        f"/workers/{worker.archive_id}/reveal",
        json={"purpose": f"check {number}"},
        headers=agency.headers,
    )
    problem = assert_problem(smuggled, 422)
    assert problem["errors"][0]["rule"] == "personal_data"
    assert number not in smuggled.text

    revealed = await client.post(
        f"/workers/{worker.archive_id}/reveal",
        json={"purpose": "apprenticeship approval"},
        headers=agency.headers,
    )
    assert revealed.status_code == 200, revealed.text
    assert revealed.json()["revealed"]["id_number"] == number

    log = (await client.get("/me/access-log", headers=worker.headers)).json()
    assert [(i["action"], i["purpose"], i["username"]) for i in log["items"]] == [
        ("read_full", "apprenticeship approval", agency.principal.username),
        ("read", "read the worker's record (masked)", agency.principal.username),
    ]


async def test_search_needs_exactly_one_number_and_stays_in_the_region(
    client: AsyncClient, settings: Settings
) -> None:
    chengdu = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    mianyang = await log_in_as(client, settings, Role.AGENCY, region_prefix="5107")
    worker = await registered_worker(client, chengdu)
    number = worker.registered.id_number

    neither = await client.post(
        "/workers/search", json={"purpose": "x-check"}, headers=chengdu.headers
    )
    assert assert_problem(neither, 422)["errors"][0]["rule"] == "one_of"
    both = await client.post(
        "/workers/search",
        json={"purpose": "x-check", "id_number": number, "social_security_number": number},
        headers=chengdu.headers,
    )
    assert_problem(both, 422)
    no_purpose = await client.post(
        "/workers/search", json={"id_number": number}, headers=chengdu.headers
    )
    assert_problem(no_purpose, 422)

    elsewhere = await client.post(
        "/workers/search",
        json={"id_number": number, "purpose": "a check", "reveal": True},
        headers=mianyang.headers,
    )
    assert_problem(elsewhere, 404)
    assert number not in elsewhere.text
    # A miss is not a read of the worker's data: nothing logged.
    log = (await client.get("/me/access-log", headers=worker.headers)).json()
    assert log["items"] == []


async def test_access_log_pages_newest_first_through_http(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    for n in range(5):
        response = await client.post(
            f"/workers/{worker.archive_id}/reveal",
            json={"purpose": f"check number {n}"},
            headers=agency.headers,
        )
        assert response.status_code == 200
    first = (await client.get("/me/access-log?limit=3", headers=worker.headers)).json()
    assert [i["purpose"] for i in first["items"]] == [f"check number {n}" for n in (4, 3, 2)]
    cursor = first["next_cursor"]
    rest = (
        await client.get(f"/me/access-log?limit=3&cursor={cursor}", headers=worker.headers)
    ).json()
    assert [i["purpose"] for i in rest["items"]] == ["check number 1", "check number 0"]
    assert rest["next_cursor"] is None
    bad = await client.get("/me/access-log?cursor=not-a-cursor", headers=worker.headers)
    assert_problem(bad, 422)
    too_many = await client.get("/me/access-log?limit=1000", headers=worker.headers)
    assert_problem(too_many, 422)
