"""The worker's timeline: every entry newest first, filtered by kind and year, and one entry's
place in the hash chain.

Paging is keyset on ``seq`` in both directions: ``before`` (older entries, the next page) and
``after`` (newer entries, the previous page), so a person can go back a page without the
browser's history. A year is a calendar year in China time, applied to ``recorded_at`` (an
equality on the archive and a range on a date the insert wrote: tests/storage/
test_record_patterns.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING

from portfolio import clock
from portfolio.accounts.principal import Actor
from portfolio.archives.documents import Archive, ArchiveEntry
from portfolio.archives.entries import entry_view
from portfolio.archives.kinds import EntryKind
from portfolio.archives.scope import archive_for_reader, check_limit, require_worker
from portfolio.errors import NotFound, ValidationFailed
from portfolio.paging import seq_cursor
from portfolio.record import names
from portfolio.record.views import EntryDetail, Recorded, TimelinePage

DEFAULT_LIMIT = 20
FIRST_YEAR = 1949
LAST_YEAR = 2200
_KIND_ORDER = [kind.value for kind in EntryKind]


def _entries() -> Any:
    return ArchiveEntry.get_pymongo_collection()


def check_kind(kind: str | None) -> str | None:
    """A kind filter: an entry kind's value, or None for every kind."""
    if not kind:
        return None
    if kind not in _KIND_ORDER:
        raise ValidationFailed.single("kind", "unknown", "not a kind of entry")
    return kind


def check_year(year: int | None) -> int | None:
    """A year filter within the years an archive can hold, or None for every year."""
    if year is None:
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed.single("year", "range", "not a year the archive can hold")
    return year


def year_range(year: int) -> dict[str, datetime]:
    """The ``recorded_at`` condition of a calendar year in China time."""
    start = datetime(year, 1, 1, tzinfo=clock.CHINA_TIME).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=clock.CHINA_TIME).astimezone(UTC)
    return {"$gte": start, "$lt": end}


async def _own_archive(actor: Actor) -> dict[str, Any]:
    """The worker's archive, only what the timeline needs (its head and counters): the
    timeline is the worker's most visited page, and the whole document (sealed identity,
    links) is not needed to list entries. Four reads at most: this one, the page, and when
    paging a look either way for more."""
    found: dict[str, Any] | None = await Archive.get_pymongo_collection().find_one(
        {"_id": require_worker(actor)}, {"head": 1, "counters": 1, "created_at": 1}
    )
    if found is None:
        raise NotFound("no such worker")
    return found


def _years(created_at: datetime) -> list[int]:
    """The years an archive's entries can fall in, newest first: from its registration's to
    this one (an entry is recorded after the archive exists, and never ahead of the clock)."""
    first, last = clock.china_today(created_at).year, clock.china_today().year
    return list(range(last, min(first, last) - 1, -1))


async def _exists(query: dict[str, Any]) -> bool:
    return await _entries().find_one(query, {"_id": 1}) is not None


async def timeline(
    *,
    actor: Actor,
    kind: str | None = None,
    year: int | None = None,
    before: str | None = None,
    after: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> TimelinePage:
    """One page of the worker's own entries under the filters, newest first.

    ``before`` (a seq) pages to older entries, ``after`` to newer ones; a cursor this list did
    not give out, an unknown kind or an impossible year is ``ValidationFailed``.
    """
    limit = check_limit(limit)
    kind, year = check_kind(kind), check_year(year)
    older_than, newer_than = seq_cursor(before), seq_cursor(after)
    archive = await _own_archive(actor)
    archive_id, head_seq = str(archive["_id"]), int(archive["head"]["seq"])
    counters: dict[str, int] = archive.get("counters") or {}
    query: dict[str, Any] = {"archive_id": archive_id}
    if kind is not None:
        query["kind"] = kind
    if year is not None:
        query["recorded_at"] = year_range(year)
    if newer_than is not None and older_than is None:
        rows = (
            await _entries()
            .find({**query, "seq": {"$gt": newer_than}})
            .sort("seq", ASCENDING)
            .limit(limit + 1)
            .to_list()
        )
        newer = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        older = bool(rows) and await _exists({**query, "seq": {"$lt": rows[-1]["seq"]}})
    else:
        paged = query if older_than is None else {**query, "seq": {"$lt": older_than}}
        rows = await _entries().find(paged).sort("seq", DESCENDING).limit(limit + 1).to_list()
        older = len(rows) > limit
        rows = rows[:limit]
        newer = (
            older_than is not None
            and bool(rows)
            and await _exists({**query, "seq": {"$gt": rows[0]["seq"]}})
        )
    held = [k for k in _KIND_ORDER if counters.get(k, 0) > 0]
    return TimelinePage(
        entries=[entry_view(row) for row in rows],
        next_cursor=str(rows[-1]["seq"]) if older and rows else None,
        previous_cursor=str(rows[0]["seq"]) if newer and rows else None,
        kind=kind,
        year=year,
        kinds=held,
        years=_years(archive["created_at"]),
        total=head_seq,
    )


async def entry_detail(*, actor: Actor, seq: int) -> EntryDetail:
    """One of the worker's own entries with who recorded it and its place in the chain."""
    archive = await archive_for_reader(actor, None)
    raw = await _entries().find_one({"archive_id": str(archive.id), "seq": seq})
    if raw is None:
        raise NotFound("no such entry")
    corrections = (
        await _entries()
        .find({"archive_id": str(archive.id), "corrects": seq}, {"seq": 1})
        .sort("seq", ASCENDING)
        .to_list()
    )
    return EntryDetail(
        entry=entry_view(raw),
        prev_hash=raw["prev_hash"],
        recorded=await recorded(raw["recorded_by"]),
        previous_seq=seq - 1 if seq > 1 else None,
        next_seq=seq + 1 if seq < archive.head.seq else None,
        corrected_by=[c["seq"] for c in corrections],
        head_seq=archive.head.seq,
    )


async def recorded(recorder: dict[str, Any]) -> Recorded:
    """The names of a stored recorder (``{principal, role, organisation, region}``)."""
    principal = str(recorder.get("principal") or "")
    organisation = recorder.get("organisation")
    region = recorder.get("region")
    found_users = await names.usernames([principal]) if principal else {}
    found_orgs = await names.organisation_names([organisation]) if organisation else {}
    return Recorded(
        role=str(recorder.get("role") or ""),
        username=found_users.get(principal),
        organisation_name=found_orgs.get(organisation) if organisation else None,
        region=region,
        region_name=names.region_name(region),
    )
