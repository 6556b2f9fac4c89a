"""Use cases of mentors: an organisation registers its mentors; agreements take their slots.

A mentor's ``active_apprentices`` moves only by conditional ``$inc``: up while below the cap,
down while above zero. Of any number of racing starts, at most ``MENTOR_CAP`` hold a slot.
"""

from __future__ import annotations

from beanie import PydanticObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.apprenticeships import trail
from portfolio.apprenticeships.access import listed, mentor_reach
from portfolio.apprenticeships.documents import Mentor, MentorRef
from portfolio.apprenticeships.rules import MENTOR_CAP
from portfolio.apprenticeships.views import MentorView, NewMentor, ViewPage, page_of
from portfolio.errors import FieldError, NotFound, ValidationFailed
from portfolio.training import acting_organisation

MAX_NAME = 64


async def register(*, actor: Actor, mentor: NewMentor) -> MentorView:
    """A provider user registers a mentor of its own organisation (enterprise or school)."""
    organisation = await acting_organisation(actor)
    clean = " ".join(mentor.name.split())
    if not clean or len(clean) > MAX_NAME:
        raise ValidationFailed.single("name", "length", f"a name has 1 to {MAX_NAME} characters")
    registered = Mentor(
        name=clean,
        level=mentor.level,
        organisation_id=str(organisation.id),
        region_code=organisation.region_code,
        created_at=clock.now(),
        created_by=actor.principal_id,
    )
    await registered.insert()
    await trail.mentor_registered(registered)
    return MentorView.of(registered)


async def get_visible(*, actor: Actor, mentor_id: str) -> MentorView:
    """A mentor of the caller's organisation, of an agency's region, or any for an admin."""
    mentor = await Mentor.get(ids.parse(mentor_id, "mentor"))
    if mentor is None or not mentor_reach(actor).admits(mentor):
        raise NotFound("no such mentor")
    return MentorView.of(mentor)


async def list_visible(
    *, actor: Actor, after: PydanticObjectId | None, limit: int
) -> ViewPage[MentorView]:
    """Mentors within reach (the same rule as a single read), oldest first, keyset-paged."""
    found = await listed(Mentor, mentor_reach(actor), {}, after=after, limit=limit)
    return page_of([MentorView.of(m) for m in found], limit)


async def find(mentor_id: str) -> Mentor | None:
    """The mentor with this id, or None (a malformed id names no mentor)."""
    oid = ids.parse_or_none(mentor_id)
    return await Mentor.get(oid) if oid is not None else None


def mentor_ref(mentor: Mentor) -> MentorRef:
    """How an agreement names a mentor (copied, so reading an agreement needs no join)."""
    return MentorRef(id=str(mentor.id), name=mentor.name, level=mentor.level)


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
