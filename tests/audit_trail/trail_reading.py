"""Reading one object's change records (newest first); losing some and restoring them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import audit, clock
from portfolio.accounts.principal import Role, StaffRole
from portfolio.audit import ChangeRecord
from portfolio.repair import repair
from tests.helpers import LoggedIn, log_in_as


async def auditor_of(client: AsyncClient, runtime: Runtime, prefix: str = "51") -> LoggedIn:
    """An agency auditor of ``prefix``."""
    return await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix=prefix, staff_role=StaffRole.AUDITOR
    )


async def records_of(
    client: AsyncClient, reader: LoggedIn, kind: str, object_id: str
) -> list[dict[str, Any]]:
    """The object's change records as ``reader`` reads them, newest first; its chain intact."""
    answer = await client.get(
        "/audit/changes",
        params={"object_kind": kind, "object_id": object_id},
        headers=reader.headers,
    )
    assert answer.status_code == 200, answer.text
    assert await audit.check_chain(f"{kind}:{object_id}") == []
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def lose_and_restore(record_ids: list[str]) -> list[ChangeRecord]:
    """Delete the records (a process that died after its update, before its record), run the
    repair routine, and return them as it restored them (each marked ``restored``)."""
    collection = ChangeRecord.get_pymongo_collection()
    for record_id in record_ids:
        assert (await collection.delete_one({"_id": record_id})).deleted_count == 1, record_id
    # A few seconds on: the store compares dates to the second.
    report = await repair(grace=timedelta(0), now=clock.now() + timedelta(seconds=5))
    assert report.trail_records_restored == len(record_ids)
    restored = [await ChangeRecord.get(record_id) for record_id in record_ids]
    assert all(r is not None and r.restored for r in restored)
    return [r for r in restored if r is not None]
