"""Finishing the trail after a crash: the repair routine's step for change records.

A use case writes its change record right after its conditional update; a process that dies in
between leaves the object at a version the trail has no record of. Each area that records
changes registers a *source* here: the objects of one kind changed since a moment, with their
current version and their state as the trail shows it. ``finish_trail`` writes the missing
record of each (``restored``: who acted and why are unknown; ``before`` is left None, the chain
still links it to the last record kept), under the same deterministic ``_id``, so running it
twice, or alongside the late request itself, writes it once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from beanie import Document

from portfolio.audit.trail import ChangeRecord, changed, record_id

D = TypeVar("D", bound=Document)

RESTORED_REASON = "restored by the repair routine: the request stopped before recording it"


@dataclass(frozen=True)
class Snapshot:
    """One object as a source sees it now: its id, version and shown state."""

    object_id: str
    version: int
    after: dict[str, Any]
    region: str | None = None
    personal: tuple[str, ...] = field(default_factory=tuple)


Source = Callable[[datetime, datetime], AsyncIterator[Snapshot]]
_SOURCES: dict[str, Source] = {}


def register_source(kind: str, source: Source) -> None:
    """Let the repair routine restore missing records of ``kind`` from ``source``."""
    _SOURCES[kind] = source


def register_documents(
    kind: str,
    model: type[D],
    windows: Callable[[datetime, datetime], Sequence[Mapping[str, Any]]],
    snapshot: Callable[[D], Snapshot],
) -> None:
    """The common source: the documents of ``model`` matching any of the filters
    ``windows(since, until)`` gives (each on an indexed changed-at field), each seen through
    ``snapshot``. A document that matches two filters is yielded twice: harmless, the second
    finds its record written."""

    async def source(since: datetime, until: datetime) -> AsyncIterator[Snapshot]:
        for query in windows(since, until):
            async for found in model.find(dict(query)):
                yield snapshot(found)

    register_source(kind, source)


async def finish_trail(*, since: datetime, until: datetime) -> int:
    """Write the record of every registered object changed since ``since`` that has none for
    its current version and changed before ``until`` (younger work may still be in its
    request); the number written."""
    written = 0
    for kind, source in sorted(_SOURCES.items()):
        async for snap in source(since, until):
            if snap.version < 0:
                continue
            if await ChangeRecord.get(record_id(kind, snap.object_id, snap.version)) is not None:
                continue
            written += await changed(
                kind,
                snap.object_id,
                snap.version,
                None,
                snap.after,
                reason=RESTORED_REASON,
                region=snap.region,
                personal=snap.personal,
                restored=True,
            )
    return written
