"""A registration cut off after its archive insert (a crash, the store going away) is finished
by the agency's repeated registration, once the archive is older than the repair grace period.

What the outage leaves is made directly: an archive without entries (head 0), as
``seed_people`` writes it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bson import ObjectId
from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.archives import entries
from portfolio.archives.chain import GENESIS_HASH
from portfolio.archives.documents import Archive, ArchiveEntry
from portfolio.archives.kinds import EntryKind
from tests.helpers import assert_problem, log_in_as
from tests.training.factories import Person, seed_people
from tests.workers.factories import fresh_phone


async def _registered(person: Person) -> list[int]:
    found = ArchiveEntry.find({"archive_id": person.archive_id})
    return [e.seq async for e in found if e.kind == EntryKind.REGISTERED.value]


async def _register_again(client: AsyncClient, runtime: Runtime, person: Person) -> None:
    agency = await log_in_as(client, runtime.settings, Role.AGENCY, region_prefix="5101")
    response = await client.post(
        "/workers",
        json={
            "name": person.name,
            "id_number": person.id_number,
            "phone": fresh_phone(),
            "region_code": "510104",
        },
        headers=agency.headers,
    )
    body = assert_problem(response, 409)
    assert body["region_code"] == "510104"


@pytest.fixture
def no_grace(runtime: Runtime) -> Iterator[None]:
    """The running settings' repair grace period at 0 for one test."""
    before = runtime.settings.repair_grace_seconds
    runtime.settings.repair_grace_seconds = 0
    try:
        yield
    finally:
        runtime.settings.repair_grace_seconds = before


@pytest.mark.usefixtures("no_grace")
async def test_registering_again_finishes_a_half_registration_once(
    client: AsyncClient, runtime: Runtime
) -> None:
    [person] = await seed_people(runtime, 1)
    assert await _registered(person) == []

    await _register_again(client, runtime, person)
    assert await _registered(person) == [1]
    await _register_again(client, runtime, person)
    assert await _registered(person) == [1]
    report = await entries.verify_chain(person.archive_id)
    assert report.ok
    assert report.head_seq == 1


@pytest.mark.usefixtures("no_grace")
async def test_an_entry_stored_without_its_head_move_is_healed_not_repeated(
    client: AsyncClient, runtime: Runtime
) -> None:
    [person] = await seed_people(runtime, 1)
    await _register_again(client, runtime, person)
    # What an outage between the entry insert and the head move leaves: the entry, head 0
    # (the head's move and its counter are one update, so neither happened).
    await Archive.get_pymongo_collection().update_one(
        {"_id": ObjectId(person.archive_id)},
        {
            "$set": {"head": {"seq": 0, "hash": GENESIS_HASH}},
            "$inc": {f"counters.{EntryKind.REGISTERED.value}": -1},
        },
    )
    await _register_again(client, runtime, person)
    assert await _registered(person) == [1]
    report = await entries.verify_chain(person.archive_id)
    assert report.ok
    assert report.head_seq == 1
    healed = await Archive.get(ObjectId(person.archive_id))
    assert healed is not None
    assert healed.counters[EntryKind.REGISTERED.value] == 1


async def test_a_young_half_registration_is_left_to_its_own_request(
    client: AsyncClient, runtime: Runtime
) -> None:
    assert runtime.settings.repair_grace_seconds > 0
    [person] = await seed_people(runtime, 1)
    await _register_again(client, runtime, person)
    assert await _registered(person) == []
