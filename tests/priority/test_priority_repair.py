"""A membership whose change-trail record was lost to a crash (after its write, before its
record) gets the record back from the repair routine, once, and the restored record names no
sensitive group."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from portfolio import audit, clock
from portfolio.audit.trail import ChangeRecord, record_id
from portfolio.repair import repair
from portfolio.settings import Settings
from tests.priority.factories import key, officer, record
from tests.workers.factories import register


async def test_a_lost_trail_record_of_an_ended_membership_is_restored(
    client: AsyncClient, settings: Settings
) -> None:
    agency = await officer(client, settings)
    worker = await register(client, agency)
    recorded = await record(client, agency, worker.archive_id, "disabled")
    ended = await client.post(
        f"/priority-groups/{recorded['id']}/end",
        json={"until": "2025-12-31", "reason": "复核后注销"},
        headers={**agency.headers, **key()},
    )
    assert ended.status_code == 200, ended.text
    lost = record_id("priority_membership", recorded["id"], 1)
    await ChangeRecord.get_pymongo_collection().delete_one({"_id": lost})

    report = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=5))
    assert report.trail_records_restored == 1
    restored = await ChangeRecord.get(lost)
    assert restored is not None
    assert restored.restored
    assert restored.after["status"] == "ended"
    assert restored.after["group"] == "sensitive"
    assert restored.after["source"] == ""
    again = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=6))
    assert again.trail_records_restored == 0
    assert await audit.check_chain(f"priority_membership:{recorded['id']}") == []
