"""What other areas ask of the archives: find a worker's archive, find an entry about something.

These are the archives area's answers to the questions the training, voucher and
apprenticeship areas used to put to its documents themselves (exported from
``portfolio.archives``):

* a provider names a worker by the identity document it was shown: the number and the name
  must both match the archive (``find_worker``, ``match_workers``: the blind index of the
  number). A provider never sees an archive id or a full number; every mismatch answers alike,
  so the question cannot be used to learn who has an archive;
* the archive of an id (``archive_by_id``), the archives of some ids within a region
  (``archives_in_region``);
* "has this archive an entry of kind K about object X?" (``entry_about``): the step a use case
  (or the repair routine) takes before appending an entry it may have appended already;
* one entry by its seq (``entry_at``);
* the certificate an entry states, as later corrections and voids leave it
  (``certificate_standing``: what a completed apprenticeship's evidence is checked against).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bson import ObjectId

from portfolio import ids
from portfolio.accounts import region_range
from portfolio.archives.documents import Archive, ArchiveEntry
from portfolio.archives.kinds import EntryKind
from portfolio.archives.registration import check_name
from portfolio.errors import ValidationFailed
from portfolio.identity import FieldProtection, IdType, parse_identity
from portfolio.keyring import Keyring
from portfolio.lookups import find_each

NO_MATCH = "no registered worker has this ID number and name"


@dataclass(frozen=True)
class WorkerRef:
    """How a provider names a worker: document type, number and name, all three."""

    id_type: IdType
    id_number: str
    name: str
    nationality: str | None = None


async def find_worker(keyring: Keyring, ref: WorkerRef) -> Archive:
    """The archive matching number *and* name; one and the same error for any mismatch.

    An unknown number and a known number with another name answer alike, so the enrolment
    form cannot be used to learn who has an archive.
    """
    outcome = (await match_workers(keyring, [ref]))[0]
    if isinstance(outcome, ValidationFailed):
        raise outcome
    return outcome


async def match_workers(
    keyring: Keyring, workers: Sequence[WorkerRef]
) -> dict[int, Archive | ValidationFailed]:
    """Each row's archive (number and name both matching), or why not; one query for all.

    In row order: callers pair the answers with their rows.
    """
    protection = FieldProtection(keyring)
    outcome: dict[int, Archive | ValidationFailed] = {}
    wanted: dict[int, tuple[str, str]] = {}
    for row, ref in enumerate(workers):
        try:
            identity = parse_identity(ref.id_type, ref.id_number, nationality=ref.nationality)
            wanted[row] = (protection.blind_index(identity.lookup_key), check_name(ref.name))
        except ValidationFailed as failed:
            outcome[row] = failed
    indexes = list({index for index, _ in wanted.values()})
    archives = {a.id_index: a for a in await find_each(Archive, "id_index", indexes)}
    for row, (index, name) in wanted.items():
        archive = archives.get(index)
        if archive is None or archive.name != name:
            outcome[row] = ValidationFailed.single("worker", "no_match", NO_MATCH)
        else:
            outcome[row] = archive
    return {row: outcome[row] for row in range(len(workers))}


async def archive_by_id(archive_id: str | ObjectId) -> Archive | None:
    """The archive of ``archive_id`` (None for an unknown or malformed id)."""
    oid = ids.parse_or_none(archive_id)
    return await Archive.get(oid) if oid is not None else None


async def archives_in_region(
    archive_ids: Sequence[ObjectId], region_prefix: str
) -> dict[str, Archive]:
    """The archives of ``archive_ids`` whose region lies in ``region_prefix``, by id."""
    found = Archive.find(
        {"_id": {"$in": list(set(archive_ids))}, "region_code": region_range(region_prefix)}
    )
    return {str(archive.id): archive async for archive in found}


async def archive_ids_in_region(region_prefix: str, *, after: str | None, limit: int) -> list[str]:
    """The ids of the archives registered in ``region_prefix``, in ``_id`` order after
    ``after`` (keyset paging: a long job walks a region a page at a time)."""
    query: dict[str, Any] = {"region_code": region_range(region_prefix)}
    if after:
        query["_id"] = {"$gt": ObjectId(after)}
    found = Archive.get_pymongo_collection().find(query, {"_id": 1}).sort("_id", 1).limit(limit)
    return [str(raw["_id"]) async for raw in found]


async def count_in_region(region_prefix: str) -> int:
    """How many archives are registered in ``region_prefix``."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"region_code": region_range(region_prefix)}},
        {"$count": "n"},
    ]
    rows = await (await Archive.get_pymongo_collection().aggregate(pipeline)).to_list()
    return int(rows[0]["n"]) if rows else 0


async def entry_about(
    archive_id: str, kind: EntryKind, key: str, value: str, *, corrects: int | None = None
) -> int | None:
    """The seq of an entry of ``kind`` in the archive whose payload says ``key == value``
    (and which corrects the entry ``corrects``, when given), if one exists."""
    query: dict[str, Any] = {"archive_id": archive_id, "kind": kind.value}
    if corrects is not None:
        query["corrects"] = corrects
    async for raw in ArchiveEntry.get_pymongo_collection().find(query, {"seq": 1, "payload": 1}):
        if raw["payload"].get(key) == value:
            seq: int = raw["seq"]
            return seq
    return None


@dataclass(frozen=True)
class EntryFacts:
    """An entry as another area may read it: its seq, kind and payload."""

    seq: int
    kind: str
    payload: dict[str, Any]
    # Who wrote it (``Recorder`` fields: principal, role, organisation, region).
    recorded_by: dict[str, Any] = field(default_factory=dict)


async def entry_at(archive_id: str, seq: int) -> EntryFacts | None:
    """The entry at ``seq`` of the archive, if there is one."""
    raw = await ArchiveEntry.get_pymongo_collection().find_one(
        {"archive_id": archive_id, "seq": seq},
        {"seq": 1, "kind": 1, "payload": 1, "recorded_by": 1},
    )
    if raw is None:
        return None
    return EntryFacts(
        seq=int(raw["seq"]),
        kind=str(raw["kind"]),
        payload=dict(raw["payload"]),
        recorded_by=dict(raw.get("recorded_by") or {}),
    )


async def entries_of(archive_id: str) -> list[EntryFacts]:
    """Every entry of the archive, oldest first (the credentials are built from them)."""
    found = ArchiveEntry.get_pymongo_collection().find(
        {"archive_id": archive_id}, {"seq": 1, "kind": 1, "payload": 1}
    )
    rows = [
        EntryFacts(seq=int(raw["seq"]), kind=str(raw["kind"]), payload=dict(raw["payload"]))
        async for raw in found
    ]
    return sorted(rows, key=lambda row: row.seq)


@dataclass(frozen=True)
class CertificateStanding:
    """A certificate as the archive's entries leave it: its latest statement, voided or not."""

    first_seq: int  # the issued entry
    seq: int  # its latest statement (the issued entry or the last correction)
    payload: dict[str, Any]
    voided: bool


_STATEMENTS = (EntryKind.CERTIFICATE_ISSUED.value, EntryKind.CERTIFICATE_CORRECTED.value)


async def certificate_standing(archive_id: str, seq: int) -> CertificateStanding | None:
    """The certificate the entry ``seq`` states (issued or a correction of it), with every
    later correction and void applied; None when ``seq`` states no certificate."""
    found = ArchiveEntry.get_pymongo_collection().find(
        {
            "archive_id": archive_id,
            "kind": {"$in": [*_STATEMENTS, EntryKind.CERTIFICATE_VOIDED.value]},
        },
        {"seq": 1, "kind": 1, "payload": 1, "corrects": 1},
    )
    rows = sorted([raw async for raw in found], key=lambda raw: int(raw["seq"]))
    root: dict[int, int] = {}
    standing: dict[int, CertificateStanding] = {}
    for raw in rows:
        at, kind, corrects = int(raw["seq"]), raw["kind"], raw.get("corrects")
        if kind == EntryKind.CERTIFICATE_ISSUED.value:
            root[at] = at
            standing[at] = CertificateStanding(at, at, dict(raw["payload"]), voided=False)
            continue
        first = root.get(corrects, corrects) if corrects is not None else None
        if first is None or first not in standing:
            continue
        if kind == EntryKind.CERTIFICATE_CORRECTED.value:
            root[at] = first
            standing[first] = replace(standing[first], seq=at, payload=dict(raw["payload"]))
        else:
            standing[first] = replace(standing[first], voided=True)
    first = root.get(seq)
    return standing[first] if first is not None else None
