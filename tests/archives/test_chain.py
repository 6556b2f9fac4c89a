"""The hash chain: concurrent appends, healing, canonical form, tamper detection."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId

from api.runtime import Runtime
from portfolio.archives import chain
from portfolio.archives.documents import Archive, ArchiveEntry, Recorder
from portfolio.archives.entries import append_entry, list_entries, verify_archive, verify_chain
from portfolio.archives.kinds import EntryKind
from portfolio.errors import Forbidden, NotFound, ValidationFailed
from tests.archives.factories import agency, provider, register, worker

RECORDER = Recorder(principal="p-1", role="provider", organisation="org-1")


async def _append_awards(archive_id: str, count: int) -> list[ArchiveEntry]:
    return list(
        await asyncio.gather(
            *(
                append_entry(
                    archive_id=archive_id,
                    kind=EntryKind.AWARD,
                    payload={"title": f"award {i}"},
                    recorded_by=RECORDER,
                )
                for i in range(count)
            )
        )
    )


def _entries() -> Any:
    return ArchiveEntry.get_pymongo_collection()


def test_hash_is_sha256_of_prev_hash_and_rfc8785_json() -> None:
    import hashlib

    content = chain.hashed_content(
        archive_id="a1",
        seq=1,
        kind="award",
        recorded_at=datetime(2026, 3, 1, 8, 30, 15, 123999, tzinfo=UTC),
        recorded_by={"principal": "p", "role": "agency", "organisation": None, "region": "51"},
        payload={"title": "标兵", "points": 2.0, "n": 10},
        corrects=None,
    )
    expected_json = (
        '{"archive_id":"a1","corrects":null,"kind":"award","payload":{"n":10,"points":2,'
        '"title":"标兵"},"recorded_at":"2026-03-01T08:30:15.123Z","recorded_by":'
        '{"organisation":null,"principal":"p","region":"51","role":"agency"},"seq":1}'
    )
    assert chain.canonical(content) == expected_json.encode()
    assert (
        chain.entry_hash(chain.GENESIS_HASH, content)
        == hashlib.sha256(("0" * 64 + expected_json).encode()).hexdigest()
    )


def test_payload_must_be_plain_json() -> None:
    for bad in ({"at": datetime.now(UTC)}, {"x": float("nan")}, {"$set": 1}, {"a.b": 1}):
        with pytest.raises(TypeError):
            chain.plain_json(bad)
    assert chain.plain_json({"t": (1, 2)}) == {"t": [1, 2]}


async def test_20_concurrent_appends_give_1_to_20_and_a_verifying_chain(runtime: Runtime) -> None:
    archive_id = (await register(runtime)).worker.archive_id  # seq 1: registered
    appended = await _append_awards(archive_id, 20)
    assert sorted(e.seq for e in appended) == list(range(2, 22))
    stored = await _entries().find({"archive_id": archive_id}).sort("seq", 1).to_list()
    assert [e["seq"] for e in stored] == list(range(1, 22))
    assert sorted(e["payload"]["title"] for e in stored[1:]) == sorted(
        f"award {i}" for i in range(20)
    )
    archive = await Archive.get(archive_id)
    assert archive is not None
    assert (archive.head.seq, archive.head.hash) == (21, stored[-1]["hash"])
    assert archive.counters == {"registered": 1, "award": 20}
    report = await verify_chain(archive_id)
    assert (report.ok, report.first_broken_seq, report.entries_checked) == (True, None, 21)


async def test_twenty_appends_on_a_fresh_archive_number_1_to_20(runtime: Runtime) -> None:
    # An archive inserted directly (head 0) so the appends themselves are seq 1..20.
    archive_id = (await register(runtime)).worker.archive_id
    await _entries().delete_many({})
    await Archive.get_pymongo_collection().update_one(
        {"_id": ObjectId(archive_id)},
        {"$set": {"head": {"seq": 0, "hash": chain.GENESIS_HASH}, "counters": {}}},
    )
    appended = await _append_awards(archive_id, 20)
    assert sorted(e.seq for e in appended) == list(range(1, 21))
    assert (await verify_chain(archive_id)).ok


async def test_a_crashed_appender_is_healed_by_the_next_append(runtime: Runtime) -> None:
    archive_id = (await register(runtime)).worker.archive_id
    first = await append_entry(
        archive_id=archive_id, kind=EntryKind.AWARD, payload={"title": "a"}, recorded_by=RECORDER
    )
    # Simulate a crash between the two writes: the entry is stored, the head stays behind.
    await Archive.get_pymongo_collection().update_one(
        {"head.seq": first.seq},
        {
            "$set": {"head": {"seq": first.seq - 1, "hash": first.prev_hash}},
            "$inc": {"counters.award": -1},
        },
    )
    assert (await verify_chain(archive_id)).ok  # an un-headed tail that chains is fine
    second = await append_entry(
        archive_id=archive_id, kind=EntryKind.AWARD, payload={"title": "b"}, recorded_by=RECORDER
    )
    assert second.seq == first.seq + 1
    assert second.prev_hash == first.hash
    archive = await Archive.get(archive_id)
    assert archive is not None
    assert archive.head.seq == second.seq
    assert archive.counters["award"] == 2
    assert (await verify_chain(archive_id)).ok


async def _chain_of(runtime: Runtime, count: int) -> str:
    archive_id = (await register(runtime)).worker.archive_id
    for i in range(count - 1):
        await append_entry(
            archive_id=archive_id,
            kind=EntryKind.AWARD,
            payload={"title": f"t{i}"},
            recorded_by=RECORDER,
        )
    return archive_id


async def test_editing_an_entry_is_detected_at_its_seq(runtime: Runtime) -> None:
    archive_id = await _chain_of(runtime, 10)
    await _entries().update_one(
        {"archive_id": archive_id, "seq": 6}, {"$set": {"payload.title": "forged"}}
    )
    assert (await verify_chain(archive_id)).first_broken_seq == 6


async def test_editing_and_rehashing_one_entry_breaks_the_next_link(runtime: Runtime) -> None:
    archive_id = await _chain_of(runtime, 10)
    raw = await _entries().find_one({"archive_id": archive_id, "seq": 4})
    raw["payload"]["title"] = "forged"
    forged = chain.StoredEntry.from_raw(raw).recompute(raw["prev_hash"])
    await _entries().update_one(
        {"_id": raw["_id"]}, {"$set": {"payload": raw["payload"], "hash": forged}}
    )
    assert (await verify_chain(archive_id)).first_broken_seq == 5


async def test_deleting_an_entry_is_detected_at_its_seq(runtime: Runtime) -> None:
    archive_id = await _chain_of(runtime, 10)
    await _entries().delete_one({"archive_id": archive_id, "seq": 7})
    assert (await verify_chain(archive_id)).first_broken_seq == 7


async def test_deleting_the_last_entry_is_detected(runtime: Runtime) -> None:
    archive_id = await _chain_of(runtime, 10)
    await _entries().delete_one({"archive_id": archive_id, "seq": 10})
    assert (await verify_chain(archive_id)).first_broken_seq == 10


async def test_reordering_entries_is_detected_at_the_first_moved_seq(runtime: Runtime) -> None:
    archive_id = await _chain_of(runtime, 10)
    three = await _entries().find_one({"archive_id": archive_id, "seq": 3})
    five = await _entries().find_one({"archive_id": archive_id, "seq": 5})
    # Swap their positions (three steps around the unique index).
    await _entries().update_one({"_id": three["_id"]}, {"$set": {"seq": -3}})
    await _entries().update_one({"_id": five["_id"]}, {"$set": {"seq": 3}})
    await _entries().update_one({"_id": three["_id"]}, {"$set": {"seq": 5}})
    assert (await verify_chain(archive_id)).first_broken_seq == 3


async def test_moving_the_head_is_detected(runtime: Runtime) -> None:
    archive_id = await _chain_of(runtime, 5)
    await Archive.get_pymongo_collection().update_one(
        {"head.seq": 5}, {"$set": {"head.hash": "f" * 64}}
    )
    assert (await verify_chain(archive_id)).first_broken_seq == 5


async def test_corrections_must_point_at_a_correctable_entry(runtime: Runtime) -> None:
    archive_id = (await register(runtime)).worker.archive_id
    issued = await append_entry(
        archive_id=archive_id,
        kind=EntryKind.CERTIFICATE_ISSUED,
        payload={
            "certificate_number": "C1",
            "certificate_type": "skill_level",
            "occupation_code": "4-03-02-01",
            "level": "junior",
        },
        recorded_by=RECORDER,
    )
    with pytest.raises(ValidationFailed) as caught:
        await append_entry(
            archive_id=archive_id,
            kind=EntryKind.CERTIFICATE_VOIDED,
            payload={"reason": "wrong person"},
            recorded_by=RECORDER,
            corrects=1,  # the registration
        )
    assert caught.value.errors[0].field == "corrects"
    with pytest.raises(ValidationFailed):
        await append_entry(
            archive_id=archive_id,
            kind=EntryKind.CERTIFICATE_VOIDED,
            payload={"reason": "wrong person"},
            recorded_by=RECORDER,
        )
    with pytest.raises(ValidationFailed) as caught:
        await append_entry(
            archive_id=archive_id, kind=EntryKind.AWARD, payload={}, recorded_by=RECORDER
        )
    assert caught.value.errors[0].field == "payload.title"
    voided = await append_entry(
        archive_id=archive_id,
        kind=EntryKind.CERTIFICATE_VOIDED,
        payload={"reason": "wrong person"},
        recorded_by=RECORDER,
        corrects=issued.seq,
    )
    assert voided.corrects == issued.seq


async def test_append_to_an_unknown_archive_is_not_found() -> None:
    with pytest.raises(NotFound):
        await append_entry(
            archive_id="0" * 24, kind=EntryKind.AWARD, payload={"title": "x"}, recorded_by=RECORDER
        )


async def test_entries_newest_first_with_keyset_pages_and_reach(runtime: Runtime) -> None:
    archive_id = await _chain_of(runtime, 12)
    me = worker(archive_id)
    seen: list[int] = []
    cursor: str | None = None
    while True:
        page = await list_entries(actor=me, cursor=cursor, limit=5)
        seen.extend(e.seq for e in page.entries)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(range(12, 0, -1))
    assert len((await list_entries(actor=agency("5101"), archive_id=archive_id)).entries) == 12
    other = (await register(runtime)).worker.archive_id
    with pytest.raises(NotFound):
        await list_entries(actor=worker(other), archive_id=archive_id)
    with pytest.raises(NotFound):
        await list_entries(actor=agency("5107"), archive_id=archive_id)
    with pytest.raises(NotFound):
        await verify_archive(actor=agency("5107"), archive_id=archive_id)
    assert (await verify_archive(actor=me)).ok
    with pytest.raises(ValidationFailed):
        await list_entries(actor=me, cursor="abc")
    with pytest.raises(ValidationFailed):
        await list_entries(actor=me, limit=0)
    with pytest.raises(Forbidden):
        await list_entries(actor=provider(), archive_id=archive_id)
