"""Priority groups through the API: recorded by an officer of the worker's region, the
sensitive ones shown only to the worker and to an officer stating a purpose (logged), ended
with a reason; sealed at rest."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from portfolio.accounts.principal import Role, StaffRole
from portfolio.settings import Settings
from tests.helpers import assert_problem, log_in_as
from tests.priority.factories import DISABILITY_SOURCE, REVEAL, key, membership, officer, record
from tests.workers.factories import registered_worker


async def test_sensitive_groups_need_a_purpose_and_the_read_is_logged(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    archive_id = worker.registered.archive_id
    veteran = await record(client, agency, archive_id, "veteran")
    disabled = await record(client, agency, archive_id, "disabled")
    assert veteran["sensitive"] is False
    assert veteran["group_label"] == "退役军人"
    assert disabled["sensitive"] is True
    assert disabled["source"] == DISABILITY_SOURCE

    path = f"/workers/{archive_id}/priority-groups"
    plain = (await client.get(path, headers=agency.headers)).json()
    assert [m["group"] for m in plain["memberships"]] == ["veteran"]
    assert plain["sensitive_shown"] is False
    revealed = await client.post(f"{path}/reveal", json=REVEAL, headers=agency.headers)
    assert revealed.status_code == 200, revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    assert {m["group"] for m in revealed.json()["memberships"]} == {"veteran", "disabled"}
    no_purpose = await client.post(f"{path}/reveal", json={}, headers=agency.headers)
    assert_problem(no_purpose, 422)

    mine = (await client.get("/me/priority-groups", headers=worker.headers)).json()
    assert {m["group"] for m in mine["memberships"]} == {"veteran", "disabled"}
    log = await client.get("/me/access-log", params={"limit": 100}, headers=worker.headers)
    purposes = [line["purpose"] for line in log.json()["items"]]
    assert "核对职业技能提升补贴申领" in purposes  # the reveal, with its purpose
    assert "重点群体" in purposes  # the plain look


async def test_who_may_record_and_read(client: AsyncClient, settings: Settings) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    path = f"/workers/{worker.registered.archive_id}/priority-groups"
    reviewer = await log_in_as(
        client, settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.REVIEWER
    )
    provider = await log_in_as(client, settings, Role.PROVIDER)
    elsewhere = await officer(client, settings, "5107")
    assert_problem(
        await client.post(path, json=membership("veteran"), headers=reviewer.headers), 403
    )
    assert_problem(await client.post(f"{path}/reveal", json=REVEAL, headers=reviewer.headers), 403)
    assert (await client.get(path, headers=reviewer.headers)).status_code == 200
    assert_problem(await client.get(path, headers=provider.headers), 403)
    assert_problem(await client.get(path, headers=elsewhere.headers), 404)
    assert_problem(
        await client.post(path, json=membership("veteran"), headers=elsewhere.headers), 404
    )
    assert_problem(await client.get("/me/priority-groups", headers=agency.headers), 403)


async def test_bad_input_names_the_field(client: AsyncClient, settings: Settings) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    path = f"/workers/{worker.registered.archive_id}/priority-groups"
    future = await client.post(
        path, json=membership("veteran", since="2999-01-01"), headers=agency.headers
    )
    assert "since" in str(assert_problem(future, 422))
    backwards = await client.post(
        path, json=membership("veteran", until="2020-01-01"), headers=agency.headers
    )
    assert "until" in str(assert_problem(backwards, 422))
    unknown = await client.post(path, json=membership("astronaut"), headers=agency.headers)
    assert "group" in str(assert_problem(unknown, 422))


async def test_one_open_membership_per_group_and_ending_it(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    archive_id = worker.registered.archive_id
    first = await record(client, agency, archive_id, "disabled")
    twice = await client.post(
        f"/workers/{archive_id}/priority-groups",
        json=membership("disabled"),
        headers=agency.headers,
    )
    assert_problem(twice, 409)
    end = f"/priority-groups/{first['id']}/end"
    early = await client.post(
        end, json={"until": "2020-01-01", "reason": "x"}, headers=agency.headers
    )
    assert "until" in str(assert_problem(early, 422))
    ended = await client.post(
        end,
        json={"until": "2025-06-30", "reason": "残疾评定复核后注销"},
        headers={**agency.headers, **key()},
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended"
    again = await client.post(
        end, json={"until": "2025-06-30", "reason": "x"}, headers=agency.headers
    )
    assert_problem(again, 409)
    await record(client, agency, archive_id, "disabled", since="2025-07-01")


async def test_a_sensitive_membership_is_sealed_at_rest(
    client: AsyncClient, settings: Settings, db_client: AsyncMongoClient[dict[str, Any]]
) -> None:
    agency = await officer(client, settings)
    worker = await registered_worker(client, agency)
    recorded = await record(client, agency, worker.registered.archive_id, "disabled")
    db = db_client[settings.database]
    stored = await db["priority_memberships"].find_one({"_id": ObjectId(recorded["id"])})
    assert stored is not None
    text = repr(stored)
    for word in ("disabled", "残疾", DISABILITY_SOURCE, "5101040042"):
        assert word not in text
    assert stored["group"] is None
    assert stored["sensitive"] is True
    assert stored["sealed"]["ciphertext"]
    trail = [d async for d in db["change_records"].find({"object_kind": "priority_membership"})]
    leaks = [d for d in trail if "残疾" in repr(d) or "disabled" in repr(d)]
    assert trail
    assert not leaks, leaks
    # A ciphertext moved to another membership does not open there.
    other = await record(client, agency, worker.registered.archive_id, "veteran")
    await db["priority_memberships"].update_one(
        {"_id": ObjectId(other["id"])},
        {"$set": {"sealed": stored["sealed"], "sensitive": True, "group": None}},
    )
    # (the middleware logs the unhandled Tampered and answers 500; nothing is shown)
    moved = await client.get("/me/priority-groups", headers=worker.headers)
    assert moved.status_code == 500
    assert "残疾" not in moved.text
