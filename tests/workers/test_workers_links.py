"""Social-security and employment links, and transfers between regions, through HTTP."""

from __future__ import annotations

from httpx import AsyncClient

from portfolio.accounts.principal import Role
from portfolio.settings import Settings
from tests.archives.factories import fresh_resident_id
from tests.helpers import assert_problem, log_in_as
from tests.workers.factories import CREDIT_CODE, employment, registered_worker, social_security


async def test_social_security_link_is_checked_masked_and_recorded(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    number = worker.registered.id_number
    path = f"/workers/{worker.archive_id}/social-security"

    other = await client.put(
        path, json=social_security(fresh_resident_id()), headers=agency.headers
    )
    assert [e["rule"] for e in assert_problem(other, 422)["errors"]] == ["mismatch"]
    future = await client.put(
        path,
        json=social_security(number, schemes=[{"scheme": "pension", "since": "2999-01"}]),
        headers=agency.headers,
    )
    assert assert_problem(future, 422)["errors"][0]["field"] == "schemes.0.since"

    first = await client.put(path, json=social_security(number), headers=agency.headers)
    assert first.status_code == 200, first.text
    link = first.json()["social_security"]
    assert link == {
        "number_masked": f"{number[:6]}**********{number[-2:]}",
        "card_number_masked": "*****5678",
        "issuing_region": "510100",
        "schemes": [
            {"scheme": "medical", "since": "2015-07"},
            {"scheme": "pension", "since": "2015-07"},
        ],
    }
    assert number not in first.text
    second = await client.put(
        path, json=social_security(number, card_number="B87654321"), headers=agency.headers
    )
    assert second.status_code == 200, second.text
    assert second.json()["version"] == first.json()["version"] + 1

    entries = (await client.get("/me/entries", headers=worker.headers)).json()["items"]
    assert [(e["seq"], e["kind"]) for e in entries] == [
        (3, "link_changed"),
        (2, "link_added"),
        (1, "registered"),
    ]
    assert entries[0]["payload"]["card_number_masked"] == "*****4321"
    assert number not in str(entries)


async def test_employment_registrations_open_and_close(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    worker = await registered_worker(client, agency)
    path = f"/workers/{worker.archive_id}/employment"

    bad = await client.post(
        path,
        json=employment(employer_credit_code=CREDIT_CODE[:-1] + "0", occupation_code="4-3-2-1"),
        headers=agency.headers,
    )
    assert {e["field"] for e in assert_problem(bad, 422)["errors"]} == {
        "employer_credit_code",
        "occupation_code",
    }
    added = await client.post(path, json=employment(), headers=agency.headers)
    assert added.status_code == 201, added.text
    job = added.json()["employment"]
    assert job["certificate_number_masked"] == "************0017"
    [registration] = job["registrations"]
    assert registration["employer_credit_code"] == CREDIT_CODE
    assert registration["end"] is None
    assert (registration["digital"], registration["green"]) == (False, False)
    again = await client.post(path, json=employment(), headers=agency.headers)
    assert_problem(again, 409)  # one open registration per employer

    close = f"{path}/{registration['id']}/close"
    before_start = await client.post(close, json={"end": "2019-01-01"}, headers=agency.headers)
    assert_problem(before_start, 422)
    closed = await client.post(close, json={"end": "2024-06-30"}, headers=agency.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["employment"]["registrations"][0]["end"] == "2024-06-30"
    assert_problem(
        await client.post(close, json={"end": "2024-06-30"}, headers=agency.headers), 409
    )
    unknown = await client.post(
        f"{path}/0000000000000000/close", json={"end": "2024-06-30"}, headers=agency.headers
    )
    assert_problem(unknown, 404)

    unemployed = await client.post(
        path, json={"kind": "unemployment", "start": "2024-07-01"}, headers=agency.headers
    )
    assert unemployed.status_code == 201, unemployed.text
    kinds = [
        e["kind"] for e in (await client.get("/me/entries", headers=worker.headers)).json()["items"]
    ]
    assert kinds == ["link_added", "link_changed", "link_added", "registered"]


async def test_transfer_needs_an_agency_covering_both_regions_through_http(
    client: AsyncClient, settings: Settings
) -> None:
    chengdu = await log_in_as(client, settings, Role.AGENCY, region_prefix="5101")
    mianyang = await log_in_as(client, settings, Role.AGENCY, region_prefix="5107")
    sichuan = await log_in_as(client, settings, Role.AGENCY, region_prefix="51")
    worker = await registered_worker(client, chengdu)
    path = f"/workers/{worker.archive_id}/transfer"

    outside = await client.post(path, json={"to_region_code": "510703"}, headers=chengdu.headers)
    errors = assert_problem(outside, 422)["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [("to_region_code", "outside_scope")]
    assert_problem(
        await client.post(path, json={"to_region_code": "510703"}, headers=mianyang.headers), 404
    )
    same = await client.post(path, json={"to_region_code": "510104"}, headers=sichuan.headers)
    assert_problem(same, 422)

    moved = await client.post(
        path,
        json={"to_region_code": "510703", "reason": "moved to Mianyang"},
        headers=sichuan.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["identity"]["region_code"] == "510703"
    assert_problem(await client.get(f"/workers/{worker.archive_id}", headers=chengdu.headers), 404)
    seen = await client.get(f"/workers/{worker.archive_id}", headers=mianyang.headers)
    assert seen.status_code == 200, seen.text

    [latest] = (await client.get("/me/entries?limit=1", headers=worker.headers)).json()["items"]
    assert latest["kind"] == "transferred"
    assert latest["payload"] == {
        "from_region": "510104",
        "to_region": "510703",
        "reason": "moved to Mianyang",
    }
    assert latest["recorded_by"]["region"] == "51"
