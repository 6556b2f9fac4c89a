"""Fraud flags through the API: stored with the claim, in the agency's queue (filtered and
sorted), hidden from the provider, acknowledged before paying, re-evaluated as a dry run."""

from __future__ import annotations

from datetime import date

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.training.documents import AttendanceRecord
from tests.helpers import assert_problem
from tests.training.factories import make_run
from tests.vouchers.claim_factories import claim, train
from tests.vouchers.factories import make_world


async def test_a_worker_claimed_too_often_is_flagged_for_the_agency_only(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(
        client,
        runtime,
        rules={"one_unused_voucher": False},
        claim_terms={"max_claims_per_year": 1},
    )
    first = await train(client, world, world.worker)
    assert (await claim(client, world, first.voucher_id, 80_000)).status_code == 200
    start = date.fromisoformat(world.run["start_date"])
    later = await make_run(client, world.provider, world.course["id"], start=start, at="19:00")
    second = await train(client, world, world.worker, run=later)
    assert (await claim(client, world, second.voucher_id, 70_000)).status_code == 200

    agency = world.agency.headers
    queue = (await client.get("/claims?sort=flags", headers=agency)).json()["items"]
    assert [i["voucher"]["id"] for i in queue] == [second.voucher_id, first.voucher_id]
    [flag] = queue[0]["review"]["flags"]
    assert (flag["code"], flag["evidence"]["claims"], flag["evidence"]["allowed"]) == (
        "claimed_too_often",
        "2",
        "1",
    )
    assert queue[1]["review"]["flags"] == []  # the first claim was within the policy
    only = (await client.get("/claims?flag=claimed_too_often", headers=agency)).json()["items"]
    assert [i["voucher"]["id"] for i in only] == [second.voucher_id]
    clean = (await client.get("/claims?flagged=false", headers=agency)).json()["items"]
    assert [i["voucher"]["id"] for i in clean] == [first.voucher_id]

    provider = world.provider.user.headers
    mine = {
        i["voucher"]["id"]: i["review"]
        for i in (await client.get("/claims", headers=provider)).json()["items"]
    }
    assert mine[second.voucher_id]["under_review"] is True
    assert (mine[second.voucher_id]["flags"], mine[second.voucher_id]["flag_score"]) == ([], 0)
    assert mine[first.voucher_id]["under_review"] is False
    assert_problem(await client.get("/claims?sort=flags", headers=provider), 403)

    path = f"/vouchers/{second.voucher_id}/redeem"
    unread = await client.post(path, json={"note": "ok"}, headers=agency)
    assert assert_problem(unread, 422)["errors"][0]["rule"] == "flags_not_acknowledged"
    paid = await client.post(
        path,
        json={"acknowledge_flags": True, "note": "第二期课程，经核实为不同工种"},
        headers=agency,
    )
    assert paid.status_code == 200, paid.text


async def test_the_dry_run_re_evaluates_with_the_evidence_as_it_stands(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    made = await train(client, world, world.worker)
    assert (await claim(client, world, made.voucher_id, 80_000)).status_code == 200
    path = f"/claims/{made.voucher_id}/screening"
    assert (await client.post(path, headers=world.agency.headers)).json() == []
    # Check-ins from one device for three workers of the class (as the QR check-in records
    # them: the time rules' device_hash), written after the claim.
    records = AttendanceRecord.get_pymongo_collection()
    await records.update_many({"run_id": world.run["id"]}, {"$set": {"device_hash": "abc123"}})
    for n in range(2):
        await records.insert_one(
            {
                "enrolment_id": f"e{n}",
                "run_id": world.run["id"],
                "organisation_id": world.provider.organisation_id,
                "archive_id": f"someone-{n}",
                "session_n": 1,
                "hours": 4,
                "status": "confirmed",
                "capture_method": "qr_code",
                "check_in_ref": "",
                "supersedes": None,
                "recorded_by": "x",
                "recorded_at": clock.now(),
                "entered_by": "worker",
                "device_hash": "abc123",
            }
        )
    [flag] = (await client.post(path, headers=world.agency.headers)).json()
    assert (flag["code"], flag["evidence"]["workers"]) == ("shared_device", "3")
    # A dry run: the claim keeps what it was written with.
    [item] = (await client.get("/claims", headers=world.agency.headers)).json()["items"]
    assert item["review"]["flags"] == []
    assert_problem(await client.post(path, headers=world.provider.user.headers), 403)
