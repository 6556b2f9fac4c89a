"""Appending to, reading and verifying a worker's chain of entries.

Appending (DESIGN.md, "The archive") is two single-document writes and no transaction:

1. insert the entry with ``seq = head.seq + 1`` and ``prev_hash = head.hash``; the unique
   index ``(archive_id, seq)`` lets exactly one appender have each sequence number;
2. move the head from ``seq - 1`` to ``seq`` with a conditional update.

An appender that loses step 1 (duplicate key) reads the highest stored entry and builds its
next attempt on that one (two round trips a lost race, not five: it does not wait for the
winner to move the head). Its own head move then names the seq it built on; if that does not
match (a winner ahead of it has not moved the head yet), it moves the head forward to the
highest stored entry itself (``advance_head``), so the head never stays behind. That also heals
an appender that died between its two writes: its entry is stored and chained correctly (it
was built on the highest entry of its time), only the head lags, and the next append moves the
head over it. The head therefore only ever points at a stored entry, and each entry is built on
the one before it: no fork, no gap. Contention that outlasts every attempt is ``ArchiveBusy``
(409 with Retry-After): nothing of that request's entry was stored.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives.chain import (
    StoredEntry,
    entry_hash,
    first_break,
    hashed_content,
    plain_json,
)
from portfolio.archives.documents import Archive, ArchiveEntry, Recorder
from portfolio.archives.kinds import CORRECTION_TARGETS, EntryKind, check_payload
from portfolio.archives.scope import archive_for_reader, check_limit
from portfolio.archives.views import ChainReport, EntryPage, EntryView, RecorderView
from portfolio.errors import ArchiveBusy, NotFound, ValidationFailed
from portfolio.paging import page_of, seq_cursor

# Each lost race costs one round trip; 20 concurrent appenders need at most 20 rounds.
MAX_APPEND_ATTEMPTS = 64


def _archives() -> Any:
    return Archive.get_pymongo_collection()


def _entries() -> Any:
    return ArchiveEntry.get_pymongo_collection()


async def _read_head(archive_id: ObjectId) -> tuple[int, str]:
    raw = await _archives().find_one({"_id": archive_id}, {"head": 1})
    if raw is None:
        raise NotFound("no such worker")
    head = raw.get("head") or {}
    return int(head["seq"]), str(head["hash"])


async def highest_entry(archive_id: ObjectId) -> dict[str, Any] | None:
    """The stored entry with the highest ``seq`` (sort descending, limit 1), if any."""
    found: list[dict[str, Any]] = (
        await _entries()
        .find({"archive_id": str(archive_id)}, {"seq": 1, "hash": 1})
        .sort("seq", DESCENDING)
        .limit(1)
        .to_list()
    )
    return found[0] if found else None


async def advance_head(archive_id: ObjectId) -> int:
    """Move the head to the highest stored entry (heals an interrupted append, and an append
    whose own move found the head behind the entry it was built on). Returns the head seq.

    Each move is one conditional update from the head we read, so two healers cannot both
    count the skipped entries; one that loses reads again (the head may still be behind a
    newer entry), so the head is at the highest entry when this returns.
    """
    for _ in range(MAX_APPEND_ATTEMPTS):
        head_seq, _ = await _read_head(archive_id)
        top = await highest_entry(archive_id)
        if top is None or top["seq"] <= head_seq:
            return head_seq
        skipped = (
            await _entries()
            .find(
                {"archive_id": str(archive_id), "seq": {"$gt": head_seq, "$lte": top["seq"]}},
                {"kind": 1},
            )
            .to_list()
        )
        increments: dict[str, int] = {}
        for entry in skipped:
            name = f"counters.{entry['kind']}"
            increments[name] = increments.get(name, 0) + 1
        update: dict[str, Any] = {"$set": {"head": {"seq": top["seq"], "hash": top["hash"]}}}
        if increments:
            update["$inc"] = increments
        moved = await _archives().update_one({"_id": archive_id, "head.seq": head_seq}, update)
        if moved.modified_count == 1:
            return int(top["seq"])
    raise ArchiveBusy(
        "the archive is busy with other writers; retry the request", retry_after_seconds=1
    )


async def _check_correction(archive_id: ObjectId, kind: EntryKind, corrects: int) -> None:
    target = await _entries().find_one(
        {"archive_id": str(archive_id), "seq": corrects}, {"kind": 1}
    )
    if target is None or target["kind"] not in CORRECTION_TARGETS[kind]:
        raise ValidationFailed.single(
            "corrects", "target", f"{kind.value} must point at an entry it can correct"
        )


async def append_entry(
    *,
    archive_id: str | ObjectId,
    kind: EntryKind,
    payload: Mapping[str, Any],
    recorded_by: Recorder,
    corrects: int | None = None,
    now: datetime | None = None,
) -> ArchiveEntry:
    """Append one entry to the archive's chain and return it (with its seq and hash).

    The caller has already checked that ``recorded_by`` may write to this archive. The payload
    must be plain JSON with the keys ``kinds.REQUIRED_PAYLOAD`` names for ``kind`` and never a
    full identity number. Raises NotFound for an unknown archive, ValidationFailed for a bad
    payload or correction target, ArchiveBusy if contention outlasts every retry.
    """
    oid = ids.parse(archive_id, "worker")
    body = plain_json(dict(payload))
    check_payload(kind, body, corrects)
    if corrects is not None:
        await _check_correction(oid, kind, corrects)
    recorder = recorded_by.model_dump()
    head_seq, head_hash = await _read_head(oid)
    for attempt in range(MAX_APPEND_ATTEMPTS):
        seq = head_seq + 1
        recorded_at = clock.truncate_to_millis(now or clock.now())
        content = hashed_content(
            archive_id=str(oid),
            seq=seq,
            kind=kind.value,
            recorded_at=recorded_at,
            recorded_by=recorder,
            payload=body,
            corrects=corrects,
        )
        entry = ArchiveEntry(
            archive_id=str(oid),
            seq=seq,
            kind=kind.value,
            recorded_at=recorded_at,
            recorded_by=recorded_by,
            payload=body,
            corrects=corrects,
            prev_hash=head_hash,
            hash=entry_hash(head_hash, content),
        )
        try:
            await entry.insert()
        except DuplicateKeyError:
            # Someone took this seq: build the next attempt on the highest stored entry.
            top = await highest_entry(oid)
            assert top is not None  # the entry that beat us is stored
            head_seq, head_hash = int(top["seq"]), str(top["hash"])
            # Spread the retries of many losers a little so they do not collide in step.
            await asyncio.sleep(random.uniform(0, 0.002 * min(attempt + 1, 10)))  # noqa: S311
            continue
        moved = await _archives().update_one(
            {"_id": oid, "head.seq": head_seq},
            {
                "$set": {"head": {"seq": seq, "hash": entry.hash}},
                "$inc": {f"counters.{kind.value}": 1},
            },
        )
        if moved.modified_count != 1:
            # The head is not at the entry this one was built on: a healer moved it over this
            # entry already (and counted it), or a winner before us has not moved it yet.
            # Move it to the highest stored entry (counting what it skips) so it never lags.
            await advance_head(oid)
        return entry
    raise ArchiveBusy(
        "the archive is busy with other writers; retry the request", retry_after_seconds=1
    )


@dataclass(frozen=True)
class NewEntry:
    """One entry to append with ``append_many``."""

    archive_id: str
    kind: EntryKind
    payload: Mapping[str, Any]
    recorded_by: Recorder


@dataclass(frozen=True)
class PlannedEntry:
    """An entry built on the head as it was read; ``commit_entries`` stores it."""

    item: NewEntry
    document: dict[str, Any]

    @property
    def seq(self) -> int:
        """The seq this entry takes unless another appender takes it first."""
        seq: int = self.document["seq"]
        return seq


async def plan_entries(
    items: Sequence[NewEntry], *, now: datetime | None = None
) -> list[PlannedEntry]:
    """Build one entry for each of many *different* archives on their current heads."""
    if len({item.archive_id for item in items}) != len(items):
        raise ValueError("one entry per archive")
    if not items:
        return []
    moment = clock.truncate_to_millis(now or clock.now())
    oids = [ids.parse(item.archive_id, "worker") for item in items]
    heads = {
        str(raw["_id"]): (raw["head"]["seq"], raw["head"]["hash"])
        async for raw in _archives().find({"_id": {"$in": oids}}, {"head": 1})
    }
    planned: list[PlannedEntry] = []
    for item in items:
        if item.archive_id not in heads:
            raise NotFound("no such worker")
        body = plain_json(dict(item.payload))
        check_payload(item.kind, body, None)
        head_seq, head_hash = heads[item.archive_id]
        recorder = item.recorded_by.model_dump()
        content = hashed_content(
            archive_id=item.archive_id,
            seq=head_seq + 1,
            kind=item.kind.value,
            recorded_at=moment,
            recorded_by=recorder,
            payload=body,
            corrects=None,
        )
        document = {
            "archive_id": item.archive_id,
            "seq": head_seq + 1,
            "kind": item.kind.value,
            "recorded_at": moment,
            "recorded_by": recorder,
            "payload": body,
            "corrects": None,
            "prev_hash": head_hash,
            "hash": entry_hash(head_hash, content),
        }
        planned.append(PlannedEntry(item, document))
    return planned


async def commit_entries(planned: Sequence[PlannedEntry]) -> list[int]:
    """Store planned entries and move their heads; the seqs they finally took, in order.

    The same two steps as ``append_entry``, batched: one unordered insert, one bulk write of
    conditional head moves. An entry whose seq another appender took first (duplicate key) is
    appended again on its own by ``append_entry``, which retries until it wins.
    """
    if not planned:
        return []
    lost: set[int] = set()
    try:
        await _entries().insert_many([dict(p.document) for p in planned], ordered=False)
    except BulkWriteError as failure:
        refused = failure.details.get("writeErrors", [])
        if any(error.get("code") != 11000 for error in refused):
            raise
        lost = {error["index"] for error in refused}
    moves = [
        UpdateOne(
            {"_id": ids.parse(p.item.archive_id, "worker"), "head.seq": p.seq - 1},
            {
                "$set": {"head": {"seq": p.seq, "hash": p.document["hash"]}},
                "$inc": {f"counters.{p.document['kind']}": 1},
            },
        )
        for position, p in enumerate(planned)
        if position not in lost
    ]
    if moves:
        # A move that matches nothing was done by a healer already: the entry stands.
        await _archives().bulk_write(moves, ordered=False)
    seqs = [p.seq for p in planned]
    for position in sorted(lost):
        item = planned[position].item
        entry = await append_entry(
            archive_id=item.archive_id,
            kind=item.kind,
            payload=item.payload,
            recorded_by=item.recorded_by,
            now=planned[position].document["recorded_at"],
        )
        seqs[position] = entry.seq
    return seqs


async def append_many(items: Sequence[NewEntry], *, now: datetime | None = None) -> list[int]:
    """Append one entry to each of many *different* archives; their seqs, in order.

    A class of a thousand takes a handful of round trips instead of thousands.
    """
    return await commit_entries(await plan_entries(items, now=now))


def entry_view(raw: Mapping[str, Any]) -> EntryView:
    """A raw stored entry as shown."""
    by = raw["recorded_by"]
    return EntryView(
        seq=raw["seq"],
        kind=raw["kind"],
        recorded_at=raw["recorded_at"],
        recorded_by=RecorderView(
            principal=by["principal"],
            role=by["role"],
            organisation=by.get("organisation"),
            region=by.get("region"),
        ),
        payload=dict(raw["payload"]),
        corrects=raw.get("corrects"),
        hash=raw["hash"],
    )


async def entry_page(archive_id: ObjectId, *, cursor: str | None, limit: int) -> EntryPage:
    """Entries newest first, keyset-paged on ``seq`` (the cursor is the last seq shown)."""
    limit = check_limit(limit)
    before = seq_cursor(cursor)
    query: dict[str, Any] = {"archive_id": str(archive_id)}
    if before is not None:
        query["seq"] = {"$lt": before}
    raw = await _entries().find(query).sort("seq", DESCENDING).limit(limit + 1).to_list()
    page = page_of(raw, limit, key=lambda r: r["seq"], view=entry_view)
    return EntryPage(items=page.items, next_cursor=page.next_cursor)


async def list_entries(
    *, actor: Actor, archive_id: str | None = None, cursor: str | None = None, limit: int = 20
) -> EntryPage:
    """A page of a worker's entries, newest first: the worker's own, or an agency's in region."""
    archive = await archive_for_reader(actor, archive_id)
    assert archive.id is not None
    return await entry_page(archive.id, cursor=cursor, limit=limit)


async def verify_chain(archive_id: str | ObjectId) -> ChainReport:
    """Recompute an archive's chain from the raw stored entries; report the first break."""
    oid = ids.parse(archive_id, "worker")
    raw_archive = await _archives().find_one({"_id": oid}, {"head": 1})
    if raw_archive is None:
        raise NotFound("no such worker")
    head = raw_archive["head"]
    raw_entries = await _entries().find({"archive_id": str(oid)}).sort("seq", ASCENDING).to_list()
    entries = [StoredEntry.from_raw(raw) for raw in raw_entries]
    broken = first_break(str(oid), entries, int(head["seq"]), str(head["hash"]))
    return ChainReport(
        archive_id=str(oid),
        ok=broken is None,
        first_broken_seq=broken,
        entries_checked=len(entries),
        head_seq=int(head["seq"]),
    )


async def verify_archive(*, actor: Actor, archive_id: str | None = None) -> ChainReport:
    """``verify_chain`` for the worker's own archive, or an agency's in its region."""
    archive = await archive_for_reader(actor, archive_id)
    assert archive.id is not None
    return await verify_chain(archive.id)


async def verify_all(batch: int = 500) -> AsyncIterator[ChainReport]:
    """Every archive's chain report, in ``_id`` order (for ``portfolio archive verify --all``)."""
    after: PydanticObjectId | None = None
    while True:
        query: dict[str, Any] = {"_id": {"$gt": after}} if after is not None else {}
        ids = (
            await _archives().find(query, {"_id": 1}).sort("_id", ASCENDING).limit(batch).to_list()
        )
        if not ids:
            return
        for raw in ids:
            yield await verify_chain(raw["_id"])
        after = ids[-1]["_id"]
