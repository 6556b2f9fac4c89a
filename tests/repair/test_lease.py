"""One repair run at a time across processes: a lease, taken by one conditional write.

Two runs at once could both miss the entry the other is appending and write it twice; the
second run now finds the lease taken and returns at once. A lease whose holder died lapses.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role
from portfolio.repair import LEASE_ID, RepairLease, repair
from tests.helpers import LoggedIn, log_in_as
from tests.training.factories import leave_completion_half_done, trained_class

NO_GRACE = timedelta(0)


async def _half_done_completion(client: AsyncClient, runtime: Runtime) -> LoggedIn:
    """A passed completion whose archive entry a killed process never wrote; its worker."""
    _, _, [enrolment], [person] = await trained_class(client, runtime)
    await leave_completion_half_done(enrolment["id"])
    return await log_in_as(client, runtime.settings, Role.WORKER, archive_id=person.archive_id)


async def _completed_entries(client: AsyncClient, worker: LoggedIn) -> list[dict[str, Any]]:
    page = await client.get("/me/entries", params={"limit": 100}, headers=worker.headers)
    return [e for e in page.json()["items"] if e["kind"] == "training_completed"]


async def test_two_runs_at_once_finish_the_work_once(client: AsyncClient, runtime: Runtime) -> None:
    worker = await _half_done_completion(client, runtime)

    reports = await asyncio.gather(repair(grace=NO_GRACE), repair(grace=NO_GRACE))

    assert sorted(r.ran for r in reports) == [False, True]
    assert sum(r.completions_finished for r in reports) == 1
    assert len(await _completed_entries(client, worker)) == 1
    # Released: the next run runs (and finds nothing left).
    after = await repair(grace=NO_GRACE)
    assert (after.ran, after.completions_finished) == (True, 0)


async def test_a_run_holding_the_lease_keeps_others_out_until_it_lapses(
    client: AsyncClient, runtime: Runtime
) -> None:
    worker = await _half_done_completion(client, runtime)
    now = clock.real_now()  # the lease runs on the real clock
    held = RepairLease(
        id=LEASE_ID, holder="another-replica", until_ms=clock.epoch_ms(now + timedelta(minutes=1))
    )
    await held.insert()

    skipped = await repair(grace=NO_GRACE)

    assert (skipped.ran, skipped.completions_finished) == (False, 0)
    assert await _completed_entries(client, worker) == []
    # Its holder died: the lease lapses and the next run takes it over.
    await RepairLease.get_pymongo_collection().update_one(
        {"_id": LEASE_ID}, {"$set": {"until_ms": clock.epoch_ms(now - timedelta(seconds=1))}}
    )
    taken = await repair(grace=NO_GRACE)
    assert (taken.ran, taken.completions_finished) == (True, 1)
    assert len(await _completed_entries(client, worker)) == 1
