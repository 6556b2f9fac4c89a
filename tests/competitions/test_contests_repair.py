"""The repair routine finishes a result or an honour whose archive entry a crash kept from
being written (the states ``competition:after_pending`` and ``honour:after_insert`` leave),
once; the worker's chain stays whole."""

from __future__ import annotations

from datetime import date, timedelta

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio import clock
from portfolio.accounts.principal import Role, StaffRole
from portfolio.archives.documents import ArchiveEntry
from portfolio.competitions.documents import Competition, Entrant
from portfolio.honours.documents import Honour, HonourTitle
from portfolio.repair import repair
from tests.competitions.factories import create_event, enter
from tests.helpers import log_in_as
from tests.workers.factories import registered_worker


async def test_repair_states_pending_results_and_honours_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    officer = await log_in_as(
        client, runtime.settings, Role.AGENCY, region_prefix="5101", staff_role=StaffRole.OFFICER
    )
    worker = await registered_worker(client, officer)
    created = await create_event(client, officer)
    entrant = await enter(client, officer, created["id"], worker.registered)
    past = clock.now() - timedelta(minutes=10)
    # What a crash after the publication's first write leaves: the event published, the
    # entrant's level fixed and its entry pending.
    await Competition.get_pymongo_collection().update_one(
        {"key": {"$gte": ""}}, {"$set": {"status": "published"}}
    )
    await Entrant.get_pymongo_collection().update_one(
        {"key": {"$gte": ""}},
        {
            "$set": {
                "entry_seq": 0,
                "rank": 1,
                "level_granted": "technician",
                "changed_by": officer.id,
                "changed_at_ms": clock.epoch_ms(past),
            }
        },
    )
    # ... and a crash after an honour's insert: stored, its entry pending.
    await Honour(
        key=f"{worker.archive_id}|city|成都工匠|2025",
        archive_id=worker.archive_id,
        worker_name="张三",
        worker_masked_id="5101**********0019",
        worker_region_code="510104",
        title=HonourTitle.CITY,
        city_title="成都工匠",
        year=2025,
        nominated_by="锦江区人社局",
        decision_number="成人社发〔2025〕8号",
        decision_date=date(2025, 12, 1),
        region_code="510100",
        changed_by=officer.id,
        changed_at_ms=clock.epoch_ms(past),
        recorded_at=clock.truncate_to_millis(past),
        recorded_by=officer.id,
    ).insert()

    first = await repair(grace=timedelta(minutes=1))
    assert first.distinction_entries_finished == 2
    again = await repair(grace=timedelta(minutes=1))
    assert again.distinction_entries_finished == 0
    kinds = [
        raw["kind"]
        async for raw in ArchiveEntry.get_pymongo_collection().find(
            {"archive_id": worker.archive_id}
        )
    ]
    assert (kinds.count("competition_result"), kinds.count("honour")) == (1, 1)
    stated = await Entrant.get(entrant["id"])
    assert stated is not None
    assert stated.entry_seq > 0
    verified = await client.get("/me/archive/verify", headers=worker.headers)
    assert verified.json()["ok"] is True
    levels = (await client.get("/me/archive", headers=worker.headers)).json()["summary"]
    assert levels["highest_levels"] == [{"occupation_code": "6-18-02-04", "level": "technician"}]
