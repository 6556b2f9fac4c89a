"""The repair routine finishes half-done work exactly once, in-process and after a real kill."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from bson import ObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.demo import DEMO_PASSWORD
from portfolio.accounts.principal import Role
from portfolio.faults import FAULT_ENV, FAULT_EXIT_CODE
from portfolio.repair import RepairCheckpoint, repair
from portfolio.training.documents import Enrolment
from portfolio.vouchers.documents import VoucherEvent
from portfolio.vouchers.transitions import restore_missing_events
from tests.faults.serving import on_embedded_store
from tests.faults.workload import login
from tests.helpers import log_in_as
from tests.training.factories import leave_completion_half_done, trained_class
from tests.vouchers.factories import issued, make_world

NO_GRACE = timedelta(0)


async def _training_entries(client: AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items = (await client.get("/me/entries", params={"limit": 100}, headers=headers)).json()
    return [e for e in items["items"] if e["kind"] == "training_completed"]


async def test_a_completion_without_its_entry_gets_exactly_one(
    client: AsyncClient, runtime: Runtime
) -> None:
    _, _, [enrolment], [person] = await trained_class(client, runtime)
    await leave_completion_half_done(enrolment["id"])
    worker = await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)
    assert await _training_entries(client, worker.headers) == []

    first = await repair(grace=NO_GRACE)
    second = await repair(grace=NO_GRACE)
    assert (first.completions_finished, second.completions_finished) == (1, 0)
    entries = await _training_entries(client, worker.headers)
    assert len(entries) == 1
    assert entries[0]["payload"]["enrolment_id"] == enrolment["id"]
    stored = await Enrolment.get(ObjectId(enrolment["id"]))
    assert stored is not None
    assert stored.entry_seq == entries[0]["seq"]
    assert (await client.get("/me/archive/verify", headers=worker.headers)).json()["ok"]


async def test_finished_work_and_young_work_are_left_alone(
    client: AsyncClient, runtime: Runtime
) -> None:
    provider, _, [enrolment], _ = await trained_class(client, runtime)
    done = await client.post(
        f"/enrolments/{enrolment['id']}/completion",
        json={"result": "passed"},
        headers=provider.user.headers,
    )
    assert done.status_code == 200
    assert (await repair(grace=NO_GRACE)).completions_finished == 0
    assert (await repair(grace=timedelta(hours=1))).completions_finished == 0


def test_a_process_killed_between_certificate_and_entry_is_repaired_at_restart(
    tmp_path: Path,
) -> None:
    served = on_embedded_store(tmp_path / "var")
    # The demo is loaded first (its own certificates would hit the fault point), then the
    # service is started again with the fault point armed.
    served.start()
    served.stop()
    served.env[FAULT_ENV] = "certificate:after_insert"
    try:
        served.start()
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            provider = login(http, "provider-a", DEMO_PASSWORD)
            completed = http.get(
                "/completions", params={"result": "passed"}, headers=provider
            ).json()["items"]
            enrolment_id = completed[0]["id"]
            with contextlib.suppress(httpx.HTTPError):  # it dies before answering: the point
                http.post(
                    "/certificates",
                    json={
                        "enrolment_id": enrolment_id,
                        "number": "CRASH-0001",
                        "certificate_type": "special_ability",
                        "occupation_code": "4-03-02-01",
                        "issuing_body": "测试",
                        "issue_date": "2026-04-01",
                    },
                    headers=provider,
                )
        assert served.process is not None
        assert served.process.wait(timeout=30) == FAULT_EXIT_CODE
    finally:
        served.stop()

    del served.env[FAULT_ENV]
    served.start()
    try:
        with httpx.Client(base_url=served.base_url, timeout=10) as http:
            provider = login(http, "provider-a", DEMO_PASSWORD)
            found = http.get("/certificates", headers=provider).json()["items"]
            crashed = next(c for c in found if c["number"] == "CRASH-0001")
            assert crashed["archive_entry_seq"] > 0
            worker = login(http, "worker-1", DEMO_PASSWORD)
            entries = http.get("/me/entries", params={"limit": 100}, headers=worker).json()
            issued = [
                e
                for e in entries["items"]
                if e["kind"] == "certificate_issued"
                and e["payload"]["certificate_id"] == crashed["id"]
            ]
            assert [e["seq"] for e in issued] == [crashed["archive_entry_seq"]]
            assert http.get("/me/archive/verify", headers=worker).json()["ok"] is True
    finally:
        served.stop()


async def test_repair_restores_a_lost_voucher_event_and_looks_only_at_recent_changes(
    client: AsyncClient, runtime: Runtime
) -> None:
    world = await make_world(client, runtime)
    voucher = await issued(client, world.agency, world.policy["id"], world.worker.archive_id)
    events = VoucherEvent.get_pymongo_collection()
    # The process died between the voucher's insert and its event row.
    await events.delete_one({"_id": f"{voucher['id']}:0"})
    first = await repair(grace=NO_GRACE)
    second = await repair(grace=NO_GRACE)
    assert (first.voucher_events_restored, second.voucher_events_restored) == (1, 0)
    assert await events.count_documents({"voucher_id": voucher["id"]}) == 1
    # A loss from before the checkpoint is not read again at each start (the full
    # `restore_missing_events()` with no checkpoint still finds it).
    await events.delete_one({"_id": f"{voucher['id']}:0"})
    later = clock.epoch_ms(clock.now() + timedelta(hours=1))
    await RepairCheckpoint.get_pymongo_collection().update_one(
        {"_id": "voucher_events"}, {"$set": {"checked_until_ms": later}}
    )
    assert (await repair(grace=NO_GRACE)).voucher_events_restored == 0
    assert await restore_missing_events() == 1
