"""Use cases of mentors: an organisation registers its mentors; agreements take their slots.

A mentor's ``active_apprentices`` moves only by conditional ``$inc``: up while below the cap,
down while above zero. Of any number of racing starts, at most ``MENTOR_CAP`` hold a slot.
"""

from __future__ import annotations

from datetime import datetime

from beanie import PydanticObjectId
from bson.errors import InvalidId

from portfolio.accounts.principal import Actor, Role, region_range
from portfolio.apprenticeships.documents import Mentor
from portfolio.apprenticeships.rules import MENTOR_CAP
from portfolio.errors import FieldError, NotFound, ValidationFailed
from portfolio.ids import parse as object_id
from portfolio.paging import after_id
from portfolio.training.organisations import acting_organisation
from portfolio.vocabulary import SkillLevel

MAX_NAME = 64


async def register(*, actor: Actor, name: str, level: SkillLevel, now: datetime) -> Mentor:
    """A provider user registers a mentor of its own organisation (enterprise or school)."""
    organisation = await acting_organisation(actor)
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME:
        raise ValidationFailed.single("name", "length", f"a name has 1 to {MAX_NAME} characters")
    mentor = Mentor(
        name=clean,
        level=level,
        organisation_id=str(organisation.id),
        region_code=organisation.region_code,
        created_at=now,
        created_by=actor.principal_id,
    )
    await mentor.insert()
    return mentor


def _can_see(actor: Actor, mentor: Mentor) -> bool:
    if actor.role is Role.PROVIDER:
        return actor.organisation_id == mentor.organisation_id
    if actor.role is Role.AGENCY:
        return actor.covers_region(mentor.region_code)
    return actor.role is Role.ADMIN


async def get_visible(*, actor: Actor, mentor_id: str) -> Mentor:
    """A mentor of the caller's organisation, of an agency's region, or any for an admin."""
    mentor = await Mentor.get(object_id(mentor_id, "mentor"))
    if mentor is None or not _can_see(actor, mentor):
        raise NotFound("no such mentor")
    return mentor


async def list_visible(*, actor: Actor, after: PydanticObjectId | None, limit: int) -> list[Mentor]:
    """Mentors within reach, oldest first, keyset-paged on ``_id``."""
    query: dict[str, object] = {}
    if actor.role is Role.PROVIDER:
        query["organisation_id"] = actor.organisation_id or ""
    elif actor.role is Role.AGENCY and actor.region_prefix is not None:
        query["region_code"] = region_range(actor.region_prefix)
    return await Mentor.find(after_id(query, after)).sort("+_id").limit(limit).to_list()


async def find(mentor_id: str) -> Mentor | None:
    """The mentor with this id, or None (a malformed id names no mentor)."""
    try:
        oid = PydanticObjectId(mentor_id)
    except (InvalidId, TypeError):
        return None
    return await Mentor.get(oid)


def mentor_errors(
    field: str, mentor: Mentor | None, organisation_id: str | None, *, what: str
) -> list[FieldError]:
    """Why ``mentor`` cannot guide one more apprentice of ``organisation_id``, if it cannot."""
    if mentor is None:
        return [FieldError(field, "unknown_mentor", f"no such {what}")]
    if organisation_id is not None and mentor.organisation_id != organisation_id:
        return [
            FieldError(
                field, "mentor_wrong_organisation", f"the {what} belongs to another organisation"
            )
        ]
    if mentor.active_apprentices >= MENTOR_CAP:
        return [
            FieldError(
                field,
                "mentor_full",
                f"the {what} already guides {MENTOR_CAP} apprentices (the most allowed)",
            )
        ]
    return []


async def take_slot(mentor_id: str) -> bool:
    """Count one more apprentice for the mentor, unless it guides the most allowed already."""
    result = await Mentor.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(mentor_id), "active_apprentices": {"$lt": MENTOR_CAP}},
        {"$inc": {"active_apprentices": 1}},
    )
    return result.modified_count == 1


async def give_back_slot(mentor_id: str) -> None:
    """Count one apprentice fewer for the mentor (never below zero)."""
    await Mentor.get_pymongo_collection().update_one(
        {"_id": PydanticObjectId(mentor_id), "active_apprentices": {"$gt": 0}},
        {"$inc": {"active_apprentices": -1}},
    )
