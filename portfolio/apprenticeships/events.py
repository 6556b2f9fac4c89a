"""The apprenticeship area's domain event: ``apprenticeships.agreement_changed``.

One event per version of an agreement (its creation is version 0), ``_id``
``apprenticeship:<id>:v<version>``, published by ``history.move`` right after the agreement's
conditional update and its event row. It states the agreement's facts as that change left them,
the status before it, and, when the change stopped or completed the agreement, the subsidy owed
for the whole of it (fixed at its end: the reports add it up).

Derivable again after a crash: the agreement at a version gives the facts, and the event of the
version before gives the status before (an agreement's first change has none). So the next move
of an agreement first publishes the event of the version it found if the outbox lacks it, as it
does for the event row, and the repair routine does the same for the agreements changed since
its last run (``publish_missing``). An agreement whose previous event was never published (a
seeded one, or one changed before events) cannot be derived so: its counters stay short until
``portfolio reports rebuild``. ``agreements_to_count`` gives the reports' recount every
agreement as if just created, from the stored documents.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from beanie import PydanticObjectId
from pydantic import BaseModel

from portfolio import events
from portfolio.apprenticeships.documents import Apprenticeship, ApprenticeshipEvent
from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction
from portfolio.apprenticeships.rules import Milestone, subsidy

log = logging.getLogger(__name__)
S = ApprenticeshipStatus
ENDED = frozenset({S.STOPPED.value, S.COMPLETED.value})
MILESTONES = frozenset(
    {
        EventAction.STARTED,
        EventAction.PAUSED,
        EventAction.RESUMED,
        EventAction.STOPPED,
        EventAction.COMPLETED,
    }
)
# The recount reads the agreements a thousand at a time.
CHUNK = 1000


class AgreementChanged(BaseModel):
    """An agreement created (``before_status`` None) or changed, as the change left it."""

    NAME: ClassVar[str] = "apprenticeships.agreement_changed"

    apprenticeship_id: str
    version: int
    before_status: str | None
    status: str
    # The employer's region; the occupation and level the apprenticeship aims at.
    region_code: str
    occupation_code: str
    target_level: str
    level_reached: str | None
    # Completed at a level below the target (with a certificate of the level reached).
    below_plan: bool = False
    created_at: datetime
    ended_on: str
    # Set when this change stopped or completed the agreement: owed for all of it.
    subsidy_owed_fen: int = 0


def agreement_event_id(apprenticeship_id: str, version: int) -> str:
    """The ``_id`` of the event of an agreement's change to ``version``."""
    return f"apprenticeship:{apprenticeship_id}:v{version}"


def owed_from_stored(agreement: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> int:
    """The subsidy owed for an ended agreement, from its stored document and event rows.

    The same figure as the service's ``subsidy_of`` as of the end date: the agreement's
    ``last_event`` stands in for its row when that insert was lost.
    """
    by_version = {int(e["version"]): e for e in rows}
    last = agreement.get("last_event")
    if isinstance(last, Mapping):
        by_version.setdefault(int(last["version"]), last)
    milestones = [
        Milestone(EventAction(e["action"]), date.fromisoformat(e["on"]))
        for _, e in sorted(by_version.items())
        if e.get("action") in MILESTONES and e.get("on")
    ]
    return subsidy(
        milestones,
        per_year_fen=int(agreement["subsidy_fen_per_year"]),
        as_of=date.fromisoformat(agreement["ended_on"]),
        planned_end=date.fromisoformat(agreement["plan"]["planned_end"]),
    ).owed_fen


async def owed_for(apprenticeship_id: str) -> int:
    """The subsidy owed for the ended agreement as stored (0 when it has not ended)."""
    stored = await Apprenticeship.get_pymongo_collection().find_one(
        {"_id": PydanticObjectId(apprenticeship_id)}
    )
    if stored is None or not stored.get("ended_on"):
        return 0
    rows = (
        await ApprenticeshipEvent.get_pymongo_collection()
        .find({"apprenticeship_id": apprenticeship_id})
        .to_list()
    )
    return owed_from_stored(stored, rows)


def _facts(raw: Mapping[str, Any], before: str | None, owed: int) -> AgreementChanged:
    last = raw.get("last_event")
    version = int(last["version"]) if isinstance(last, Mapping) else int(raw.get("version", 0))
    return AgreementChanged(
        apprenticeship_id=str(raw["_id"]),
        version=version,
        before_status=before,
        status=str(raw["status"]),
        region_code=raw["region_code"],
        occupation_code=raw["occupation_code"],
        target_level=str(raw["target_level"]),
        level_reached=raw.get("level_reached"),
        below_plan=bool(raw.get("below_plan", False)),
        created_at=raw["created_at"],
        ended_on=raw.get("ended_on", ""),
        subsidy_owed_fen=owed,
    )


async def changed_of(apprenticeship: Apprenticeship, before_status: str | None) -> AgreementChanged:
    """The event of the agreement's last change (``last_event``), as stored now."""
    raw = apprenticeship.model_dump(by_alias=True, mode="json")
    raw["_id"] = str(apprenticeship.id)
    owed = 0
    if raw["status"] in ENDED and before_status != raw["status"]:
        owed = await owed_for(str(apprenticeship.id))
    return _facts(raw, before_status, owed)


async def publish_change(apprenticeship: Apprenticeship, *, before_status: str | None) -> None:
    """Publish the agreement's last change, which moved it from ``before_status`` (None: its
    creation)."""
    facts = await changed_of(apprenticeship, before_status)
    await events.publish(
        agreement_event_id(facts.apprenticeship_id, facts.version), facts.NAME, facts
    )


async def _status_before(apprenticeship: Apprenticeship) -> str | None:
    """The status before the agreement's last change: the one the previous change's event
    left (raises LookupError when that event was never published: a seeded agreement, or
    one from before events)."""
    version = apprenticeship.last_event.version
    if version == 0:
        return None
    previous = agreement_event_id(str(apprenticeship.id), version - 1)
    found = await events.DomainEvent.get(previous)
    if found is None:
        raise LookupError(previous)
    return str(found.payload["status"])


async def publish_if_missing(apprenticeship: Apprenticeship) -> bool:
    """Publish the event of the agreement's last change unless the outbox has it (a crash
    kept it from being published); True when it published it."""
    key = agreement_event_id(str(apprenticeship.id), apprenticeship.last_event.version)
    if await events.recorded([key]):
        return False
    try:
        before = await _status_before(apprenticeship)
    except LookupError:
        log.warning("event not derivable", extra={"event": key})
        return False
    await publish_change(apprenticeship, before_status=before)
    return True


async def publish_missing(*, since: datetime) -> int:
    """Publish the events the outbox lacks of the agreements changed since ``since`` (their
    last change; the repair routine's step); how many it published."""
    published = 0
    async for apprenticeship in Apprenticeship.find({"updated_at": {"$gte": since}}):
        published += await publish_if_missing(apprenticeship)
    return published


async def agreements_to_count() -> AsyncIterator[AgreementChanged]:
    """Every stored agreement as if just created in the state it is in now, with the subsidy
    owed once it ended, for the reports' recount (``portfolio reports rebuild``)."""
    rows = ApprenticeshipEvent.get_pymongo_collection()
    async for raw in Apprenticeship.get_pymongo_collection().find({}):
        owed = 0
        if str(raw["status"]) in ENDED and raw.get("ended_on"):
            found = await rows.find({"apprenticeship_id": str(raw["_id"])}).to_list()
            owed = owed_from_stored(raw, found)
        yield _facts(raw, None, owed)
