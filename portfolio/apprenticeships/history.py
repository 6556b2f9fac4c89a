"""The history of an agreement: events, and the one conditional update that moves it.

Every change of an agreement goes through ``move``: one update filtered on the expected
status and version that also writes the event as ``last_event``; the event document is
inserted right after, then the domain event ``apprenticeships.agreement_changed`` is published
(the agencies' report counters take it). Before each move the previous ``last_event`` and its
domain event are written too (duplicates when they are there already), so what a crash between
the writes lost is restored by the next change, and reads merge ``last_event`` in meanwhile.
The move's change record (``trail.moved``) is written after the event; the repair routine
writes one a crash lost (``trail``'s source).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from portfolio.accounts import Actor
from portfolio.apprenticeships import trail
from portfolio.apprenticeships.documents import Apprenticeship, ApprenticeshipEvent, EventNote
from portfolio.apprenticeships.enums import EventAction, Party
from portfolio.apprenticeships.events import publish_change, publish_if_missing
from portfolio.apprenticeships.rules import Milestone
from portfolio.archives import to_bson
from portfolio.errors import Conflict
from portfolio.once import insert_once

MILESTONES = frozenset(
    {
        EventAction.STARTED,
        EventAction.PAUSED,
        EventAction.RESUMED,
        EventAction.STOPPED,
        EventAction.COMPLETED,
    }
)


def note(
    apprenticeship: Apprenticeship,
    *,
    action: EventAction,
    party: Party,
    actor: Actor,
    now: datetime,
    on: date | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> EventNote:
    """The event the next change of ``apprenticeship`` writes (version + 1)."""
    return EventNote(
        version=apprenticeship.version + 1,
        action=action,
        party=party,
        on=on.isoformat() if on else "",
        reason=reason,
        details=details or {},
        by=actor.principal_id,
        at=now,
    )


def event_id(apprenticeship_id: str, version: int) -> str:
    """The deterministic ``_id`` of the event that produced ``version``."""
    return f"{apprenticeship_id}:{version}"


def _event(apprenticeship_id: str, noted: EventNote) -> ApprenticeshipEvent:
    return ApprenticeshipEvent(
        id=event_id(apprenticeship_id, noted.version),
        apprenticeship_id=apprenticeship_id,
        version=noted.version,
        action=noted.action,
        party=noted.party,
        on=noted.on,
        reason=noted.reason,
        details=noted.details,
        by=noted.by,
        at=noted.at,
    )


async def record(apprenticeship_id: str, noted: EventNote) -> None:
    """Insert the event of ``noted`` (a duplicate means it is stored already)."""
    await insert_once(_event(apprenticeship_id, noted))


async def move(
    apprenticeship: Apprenticeship,
    noted: EventNote,
    changes: dict[str, Any],
    *,
    also_expect: dict[str, Any] | None = None,
) -> Apprenticeship:
    """Apply ``changes`` (a ``$set``) if the agreement is still as read; record the event.

    A lost race is a Conflict naming the state the agreement is in now.
    """
    assert apprenticeship.id is not None
    key = str(apprenticeship.id)
    await record(key, apprenticeship.last_event)
    await publish_if_missing(apprenticeship)
    result = await Apprenticeship.get_pymongo_collection().update_one(
        {
            "_id": apprenticeship.id,
            "status": apprenticeship.status.value,
            "version": apprenticeship.version,
            **(also_expect or {}),
        },
        {
            "$set": {**changes, "last_event": to_bson(noted)},
            # $currentDate, not $set: nx-27017 stores a $set datetime as a naive string.
            # Rules and views read the moment of the change from last_event.at (the domain
            # clock's, in a sub-document the store keeps as a datetime), not from this.
            "$currentDate": {"updated_at": True},
            "$inc": {"version": 1},
        },
    )
    fresh = await Apprenticeship.get(apprenticeship.id)
    assert fresh is not None  # agreements are never deleted
    if result.modified_count != 1:
        raise Conflict(
            f"the apprenticeship changed meanwhile; it is now {fresh.status.value}",
            current_state=fresh.status.value,
        )
    await record(key, noted)
    # Moved again meanwhile: that move published this one's event before its own update.
    if fresh.last_event.version == noted.version:
        await publish_change(fresh, before_status=apprenticeship.status.value)
    await trail.moved(apprenticeship, _as_moved(apprenticeship, fresh, noted, changes), noted)
    return fresh


def _as_moved(
    before: Apprenticeship, fresh: Apprenticeship, noted: EventNote, changes: dict[str, Any]
) -> Apprenticeship:
    # The agreement as this move left it: what was read back, unless a racing move came first.
    if fresh.version == noted.version:
        return fresh
    merged = {**before.model_dump(), **changes, "last_event": noted, "version": noted.version}
    moved: Apprenticeship = Apprenticeship.model_validate(merged)
    return moved


async def events_of(apprenticeship: Apprenticeship) -> list[ApprenticeshipEvent]:
    """The agreement's events in order, ``last_event`` merged in if its insert was lost."""
    key = str(apprenticeship.id)
    stored = await ApprenticeshipEvent.find({"apprenticeship_id": key}).to_list()
    by_version = {event.version: event for event in stored}
    by_version.setdefault(apprenticeship.last_event.version, _event(key, apprenticeship.last_event))
    return [by_version[v] for v in sorted(by_version)]


def milestones(events: list[ApprenticeshipEvent]) -> list[Milestone]:
    """The dated steps that start and end active stretches, in order."""
    return [
        Milestone(event.action, date.fromisoformat(event.on))
        for event in events
        if event.action in MILESTONES and event.on
    ]
