"""A decision whose archive entry a crash kept from being written (what the state after
``border:before_entry`` leaves: the record decided, its ``entry_seq`` 0) is finished once: by
the repair routine, or by the officer's retry of the decision; the chain stays whole."""

from __future__ import annotations

from datetime import timedelta

from bson import ObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.archives.documents import ArchiveEntry
from portfolio.crossborder import BorderRecognition
from portfolio.repair import repair
from tests.crossborder.factories import chongqing, foreign, key, officer, record
from tests.workers.factories import registered_worker


async def _crashed(border_id: str, officer_id: str) -> None:
    past = clock.now() - timedelta(minutes=10)
    moved = await BorderRecognition.get_pymongo_collection().update_one(
        {"_id": ObjectId(border_id)},
        {
            "$set": {
                "status": "recognised",
                "recognised_level": "intermediate",
                "check_reference": "CQ-9",
                "entry_seq": 0,
                "decided_by": officer_id,
                "decided_at_ms": clock.epoch_ms(past),
                "changed_by": officer_id,
                "changed_at_ms": clock.epoch_ms(past),
            },
            "$inc": {"version": 1},
        },
    )
    assert moved.modified_count == 1


async def test_repair_or_a_retry_states_a_crashed_decision_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await officer(client, runtime.settings)
    worker = await registered_worker(client, agency)
    first = await record(client, agency, worker.registered, chongqing())
    second = await record(client, agency, worker.registered, foreign(level="intermediate"))
    await _crashed(first["id"], agency.id)
    await _crashed(second["id"], agency.id)

    done = await repair(grace=timedelta(minutes=1))
    assert done.border_entries_finished == 2
    again = await repair(grace=timedelta(minutes=1))
    assert again.border_entries_finished == 0
    # A late retry of the decision answers with the record as stated, writing nothing more.
    retried = await client.post(
        f"/border-recognitions/{first['id']}/decide",
        json={"recognised": True, "check_reference": "CQ-9"},
        headers={**agency.headers, **key()},
    )
    assert retried.status_code == 409, retried.text
    kinds = [
        raw["kind"]
        async for raw in ArchiveEntry.get_pymongo_collection().find(
            {"archive_id": worker.archive_id}
        )
    ]
    assert kinds.count("cross_border_recognition") == 2
    stated = await BorderRecognition.get(first["id"])
    assert stated is not None
    assert stated.entry_seq > 0
    verified = await client.get("/me/archive/verify", headers=worker.headers)
    assert verified.json()["ok"] is True


async def test_the_retry_of_the_decision_finishes_it_before_the_repair(
    client: AsyncClient, runtime: Runtime
) -> None:
    agency = await officer(client, runtime.settings)
    worker = await registered_worker(client, agency)
    made = await record(client, agency, worker.registered, chongqing())
    await _crashed(made["id"], agency.id)
    retried = await client.post(
        f"/border-recognitions/{made['id']}/decide",
        json={"recognised": True, "check_reference": "CQ-9"},
        headers={**agency.headers, **key()},
    )
    assert retried.status_code == 200, retried.text
    assert retried.json()["entry_seq"] is not None
    assert (await repair(grace=timedelta(minutes=1))).border_entries_finished == 0
    levels = (await client.get("/me/archive", headers=worker.headers)).json()["summary"]
    assert levels["highest_levels"] == [{"occupation_code": "6-18-02-04", "level": "intermediate"}]
