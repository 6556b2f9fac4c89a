"""Finish what a crash left half-done in an agreement's life (for ``portfolio.repair``).

Starting, stopping and completing are first one conditional update of the agreement, then an
archive entry whose seq is noted on the agreement. A process killed in between leaves the
agreement moved but its entry missing (``start_entry_seq`` / ``end_entry_seq`` still 0). This
appends each missing entry exactly once: it first looks for an entry already written for the
agreement (the request it finishes may have got that far), so running it twice, or alongside
that request, adds nothing twice. The worker's guard heals by itself (a claim of an ended or
never-started agreement is taken over); events by the next change (see ``history``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portfolio.apprenticeships.documents import Apprenticeship, ApprenticeshipEvent
from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction, Party
from portfolio.apprenticeships.history import events_of
from portfolio.apprenticeships.lifecycle import ended_payload, started_payload
from portfolio.archives import EntryKind, Recorder, append_entry, entry_about

S = ApprenticeshipStatus
_STARTED = [S.ACTIVE.value, S.PAUSED.value, S.STOPPED.value, S.COMPLETED.value]
_ENDED = [S.STOPPED.value, S.COMPLETED.value]


async def _written(apprenticeship: Apprenticeship, kind: EntryKind) -> int | None:
    """The seq of an entry of ``kind`` already written for this agreement, if any."""
    return await entry_about(
        apprenticeship.archive_id, kind, "apprenticeship_id", str(apprenticeship.id)
    )


def _recorder(apprenticeship: Apprenticeship, event: ApprenticeshipEvent | None) -> Recorder:
    """Who took the step, as the archive names a recorder (from the agreement's history)."""
    if event is None:
        return Recorder(principal="repair", role="provider")
    organisation = (
        apprenticeship.institution_id
        if event.party is Party.INSTITUTION
        else apprenticeship.employer_id
    )
    return Recorder(principal=event.by, role="provider", organisation=organisation)


async def _finish(
    apprenticeship: Apprenticeship,
    kind: EntryKind,
    payload: dict[str, object],
    actions: set[EventAction],
    seq_field: str,
) -> bool:
    seq = await _written(apprenticeship, kind)
    appended = seq is None
    if seq is None:
        events = await events_of(apprenticeship)
        step = next((e for e in reversed(events) if e.action in actions), None)
        entry = await append_entry(
            archive_id=apprenticeship.archive_id,
            kind=kind,
            payload={"apprenticeship_id": str(apprenticeship.id), **payload},
            recorded_by=_recorder(apprenticeship, step),
        )
        seq = entry.seq
    await Apprenticeship.get_pymongo_collection().update_one(
        {"_id": apprenticeship.id, seq_field: 0}, {"$set": {seq_field: seq}}
    )
    return appended


async def finish_entries(*, now: datetime, grace: timedelta) -> int:
    """Append every missing start, stop or completion entry; how many were appended.

    Agreements changed less than ``grace`` ago are left alone: their request may still be
    writing the entry. The age of a change is that of its ``last_event`` (written from the
    domain clock in the same update), so it compares with ``now`` however the clock is set.
    """
    settled = now - grace
    finished = 0
    # The age is checked here, not in the filter: few agreements match, and a range on a
    # sub-document's field beside $in is not a pattern tests/storage/ vouches for.
    async for apprenticeship in Apprenticeship.find(
        {"start_entry_seq": 0, "status": {"$in": _STARTED}}
    ):
        if apprenticeship.last_event.at > settled:
            continue
        finished += await _finish(
            apprenticeship,
            EntryKind.APPRENTICESHIP_STARTED,
            started_payload(apprenticeship),
            {EventAction.STARTED},
            "start_entry_seq",
        )
    async for apprenticeship in Apprenticeship.find(
        {"end_entry_seq": 0, "status": {"$in": _ENDED}}
    ):
        if apprenticeship.last_event.at > settled:
            continue
        kind, payload = ended_payload(apprenticeship)
        finished += await _finish(
            apprenticeship,
            kind,
            payload,
            {EventAction.STOPPED, EventAction.COMPLETED},
            "end_entry_seq",
        )
    return finished
