"""The apprenticeship area's records in the change trail (``portfolio.audit.changed``).

Every state move of an agreement goes through ``history.move``, which records it here right
after its conditional update: the agreement before and after, who, and the event's reason (or
its action when none was given). The agreement's creation is its first event
(``apprenticeship_events``), as an enrolment's is; the trail begins with the first change.
Mentors registered by an organisation are recorded when registered (version 0: a mentor has no
other change; its slot counter is recounted by the repair routine, not traced).

The apprentice's name and masked number are marked personal: the service admin sees neither.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portfolio import audit
from portfolio.apprenticeships.documents import Apprenticeship, EventNote, Mentor

KIND = "apprenticeship"
PERSONAL = ("worker_name", "worker_masked_id")
MENTOR_KIND = "mentor"
MENTOR_PERSONAL = ("name",)


def shown(apprenticeship: Apprenticeship) -> dict[str, Any]:
    """An agreement as the trail keeps it."""
    return {
        "status": apprenticeship.status.value,
        "employer_id": apprenticeship.employer_id,
        "institution_id": apprenticeship.institution_id,
        "worker_name": audit.mask_name(apprenticeship.worker_name),
        "worker_masked_id": apprenticeship.worker_masked_id,
        "occupation_code": apprenticeship.occupation_code,
        "target_level": apprenticeship.target_level.value,
        "plan": apprenticeship.plan.model_dump(mode="json"),
        "employer_approved": apprenticeship.employer_approved,
        "institution_approved": apprenticeship.institution_approved,
        "agency_approved": apprenticeship.agency_approved,
        "started_on": apprenticeship.started_on,
        "ended_on": apprenticeship.ended_on,
        "end_reason": apprenticeship.end_reason,
        "level_reached": None
        if apprenticeship.level_reached is None
        else apprenticeship.level_reached.value,
        "pending_change": None
        if apprenticeship.pending_change is None
        else apprenticeship.pending_change.model_dump(mode="json"),
        "last_event": apprenticeship.last_event.action.value,
    }


async def moved(before: Apprenticeship, after: Apprenticeship, noted: EventNote) -> None:
    """Record one move of an agreement (``after`` as its update stored it)."""
    await audit.changed(
        KIND,
        str(after.id),
        noted.version,
        shown(before),
        shown(after),
        reason=noted.reason or noted.action.value,
        region=after.region_code,
        personal=PERSONAL,
    )


def _snapshot(apprenticeship: Apprenticeship) -> audit.Snapshot:
    return audit.Snapshot(
        object_id=str(apprenticeship.id),
        version=apprenticeship.version,
        after=shown(apprenticeship),
        region=apprenticeship.region_code,
        personal=PERSONAL,
    )


def _moved_between(since: datetime, until: datetime) -> list[dict[str, Any]]:
    # updated_at is written with $currentDate (a real date); version 0 is the creation.
    return [{"updated_at": {"$gte": since, "$lt": until}, "version": {"$gt": 0}}]


audit.register_documents(KIND, Apprenticeship, _moved_between, _snapshot)


def shown_mentor(mentor: Mentor) -> dict[str, Any]:
    """A mentor as the trail keeps it (a person: the name masked, hidden from the admin)."""
    return {
        "name": audit.mask_name(mentor.name),
        "level": mentor.level.value,
        "organisation_id": mentor.organisation_id,
    }


async def mentor_registered(mentor: Mentor) -> None:
    """Record a mentor's registration (version 0)."""
    await audit.changed(
        MENTOR_KIND,
        str(mentor.id),
        0,
        None,
        shown_mentor(mentor),
        reason="mentor registered",
        region=mentor.region_code,
        personal=MENTOR_PERSONAL,
    )


def _mentors_between(since: datetime, until: datetime) -> list[dict[str, Any]]:
    return [{"created_at": {"$gte": since, "$lt": until}}]


audit.register_documents(
    MENTOR_KIND,
    Mentor,
    _mentors_between,
    lambda mentor: audit.Snapshot(
        str(mentor.id), 0, shown_mentor(mentor), mentor.region_code, MENTOR_PERSONAL
    ),
)
