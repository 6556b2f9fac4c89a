"""Competitions in the change trail: events recorded and published, entrants entered, their
results entered, corrected and voided, each with who and why (``portfolio.audit``).

An entrant is a person: their name is kept masked and marked personal (the service admin
sees none of it).
"""

from __future__ import annotations

from typing import Any

from portfolio import audit, clock
from portfolio.competitions.documents import Competition, Entrant

COMPETITION = "competition"
ENTRANT = "competition_entrant"
PERSONAL = ("worker_name",)


def shown_competition(found: Competition) -> dict[str, Any]:
    """An event as the trail keeps it."""
    return {
        "tier": found.tier.value,
        "name": found.name,
        "occupation_code": found.occupation_code,
        "organiser": found.organiser,
        "start_date": found.start_date.isoformat(),
        "end_date": found.end_date.isoformat(),
        "region_code": found.region_code,
        "level_rule": [step.model_dump() for step in found.level_rule],
        "status": found.status.value,
    }


def shown_entrant(found: Entrant) -> dict[str, Any]:
    """An entrant as the trail keeps it (the name masked)."""
    return {
        "competition_id": found.competition_id,
        "archive_id": found.archive_id,
        "worker_name": audit.mask_name(found.worker_name),
        "rank": found.rank,
        "award": found.award,
        "held_level": found.held_level.value if found.held_level else None,
        "level_granted": found.level_granted.value if found.level_granted else None,
        "result_status": found.result_status.value,
        "void_reason": found.void_reason,
    }


async def competition_changed(
    before: Competition | None, after: Competition, *, reason: str
) -> None:
    """Record an event created (``before`` None) or published."""
    await audit.changed(
        COMPETITION,
        str(after.id),
        after.version,
        None if before is None else shown_competition(before),
        shown_competition(after),
        reason=reason,
        region=after.region_code,
    )


async def entrant_changed(before: Entrant | None, after: Entrant, *, reason: str) -> None:
    """Record an entrant entered (``before`` None), their result entered, corrected or
    voided."""
    await audit.changed(
        ENTRANT,
        str(after.id),
        after.version,
        None if before is None else shown_entrant(before),
        shown_entrant(after),
        reason=reason,
        region=after.worker_region_code,
        personal=PERSONAL,
    )


def _windows(field: str) -> Any:
    def windows(since: Any, until: Any) -> list[dict[str, Any]]:
        return [
            {field: {"$gte": since, "$lt": until}, "version": 0},
            {"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}},
        ]

    return windows


audit.register_documents(
    COMPETITION,
    Competition,
    _windows("created_at"),
    lambda found: audit.Snapshot(
        str(found.id), found.version, shown_competition(found), found.region_code
    ),
)
audit.register_documents(
    ENTRANT,
    Entrant,
    _windows("recorded_at"),
    lambda found: audit.Snapshot(
        str(found.id), found.version, shown_entrant(found), found.worker_region_code, PERSONAL
    ),
)
