"""The summary kept on the archive: used while the head stays, recomputed once it moves, never
kept for a head that has moved on, and blind to an entry whose append has not moved the head."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from api.runtime import Runtime
from portfolio.accounts.principal import Role
from portfolio.archives.chain import entry_hash, hashed_content
from portfolio.archives.documents import Archive, ArchiveEntry, Recorder
from portfolio.archives.entries import advance_head, append_entry
from portfolio.archives.kept_summary import SUMMARY_FORM, summary_of
from portfolio.archives.kinds import EntryKind
from portfolio.clock import now
from portfolio.ids import parse
from tests.archives.factories import register
from tests.helpers import DEFAULT_PASSWORD, auth_headers, create_principal, request_tokens

PROVIDER = Recorder(principal="p-1", role="provider", organisation="org-1")


async def _training(archive_id: str, hours: float) -> int:
    entry = await append_entry(
        archive_id=archive_id,
        kind=EntryKind.TRAINING_COMPLETED,
        payload={"hours": hours, "occupation_code": None},
        recorded_by=PROVIDER,
    )
    return entry.seq


async def _kept(archive_id: str) -> dict[str, Any] | None:
    raw = await Archive.get_pymongo_collection().find_one({"_id": parse(archive_id, "worker")})
    assert raw is not None
    kept: dict[str, Any] | None = raw.get("summary")
    return kept


async def _my_archive(client: AsyncClient, runtime: Runtime, archive_id: str) -> Any:
    principal = await create_principal(runtime.settings, Role.WORKER, archive_id=archive_id)
    tokens = await request_tokens(client, principal.username, DEFAULT_PASSWORD)
    headers = auth_headers(tokens["access_token"])

    async def read() -> dict[str, Any]:
        answer = await client.get("/me/archive", headers=headers)
        assert answer.status_code == 200, answer.text
        summary: dict[str, Any] = answer.json()["summary"]
        return summary

    return read


async def test_the_kept_summary_answers_until_the_head_moves(
    client: AsyncClient, runtime: Runtime
) -> None:
    archive_id = (await register(runtime)).worker.archive_id
    await _training(archive_id, 10)
    read = await _my_archive(client, runtime, archive_id)

    assert (await read())["training_hours"] == 10
    kept = await _kept(archive_id)
    assert kept is not None
    assert (kept["seq"], kept["form"]) == (2, SUMMARY_FORM)

    # While the head stays at 2 the read answers what is kept, without recomputing it.
    await Archive.get_pymongo_collection().update_one(
        {"_id": parse(archive_id, "worker")}, {"$set": {"summary.value.training_hours": 99.0}}
    )
    assert (await read())["training_hours"] == 99

    # An append moves the head: the next read recomputes from the entries and keeps that.
    await _training(archive_id, 2.5)
    assert (await read())["training_hours"] == 12.5
    kept = await _kept(archive_id)
    assert kept is not None
    assert kept["seq"] == 3
    assert kept["value"]["trainings_completed"] == 2

    # A summary kept in an older form is stale too.
    await Archive.get_pymongo_collection().update_one(
        {"_id": parse(archive_id, "worker")},
        {"$set": {"summary.form": SUMMARY_FORM - 1, "summary.value.training_hours": 99.0}},
    )
    assert (await read())["training_hours"] == 12.5
    kept = await _kept(archive_id)
    assert kept is not None
    assert kept["form"] == SUMMARY_FORM


async def test_a_summary_is_not_kept_for_a_head_that_moved_on(runtime: Runtime) -> None:
    archive_id = (await register(runtime)).worker.archive_id
    await _training(archive_id, 4)
    read_before = await Archive.get(parse(archive_id, "worker"))
    assert read_before is not None
    await _training(archive_id, 6)  # lands between that read and its summary

    summary = await summary_of(read_before)
    assert summary.training_hours == 4  # the fold of the entries up to the head it read
    assert await _kept(archive_id) is None  # ...but not kept: the head is at 3 now

    current = await Archive.get(parse(archive_id, "worker"))
    assert current is not None
    assert (await summary_of(current)).training_hours == 10
    kept = await _kept(archive_id)
    assert kept is not None
    assert kept["seq"] == 3


async def test_an_entry_the_head_lags_behind_counts_once_the_head_is_healed(
    runtime: Runtime,
) -> None:
    archive_id = (await register(runtime)).worker.archive_id
    await _training(archive_id, 4)
    oid = parse(archive_id, "worker")
    archive = await Archive.get(oid)
    assert archive is not None
    assert (await summary_of(archive)).training_hours == 4

    # An appender that died between its two writes: the entry is stored, the head is not moved.
    seq, prev = archive.head.seq + 1, archive.head.hash
    recorded_at = now()
    payload = {"hours": 8, "occupation_code": None}
    content = hashed_content(
        archive_id=archive_id,
        seq=seq,
        kind=EntryKind.TRAINING_COMPLETED.value,
        recorded_at=recorded_at,
        recorded_by=PROVIDER.model_dump(),
        payload=payload,
        corrects=None,
    )
    await ArchiveEntry(
        archive_id=archive_id,
        seq=seq,
        kind=EntryKind.TRAINING_COMPLETED.value,
        recorded_at=recorded_at,
        recorded_by=PROVIDER,
        payload=payload,
        corrects=None,
        prev_hash=prev,
        hash=entry_hash(prev, content),
    ).insert()
    lagging = await Archive.get(oid)
    assert lagging is not None
    assert (await summary_of(lagging)).training_hours == 4

    await advance_head(oid)  # what the next append or the repair routine does
    healed = await Archive.get(oid)
    assert healed is not None
    assert healed.head.seq == seq
    assert (await summary_of(healed)).training_hours == 12
