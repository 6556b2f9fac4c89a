"""Use cases of courses and runs (classes)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from beanie import PydanticObjectId

from portfolio.accounts.principal import Actor, Role, region_range
from portfolio.errors import Forbidden, NotFound, ValidationFailed
from portfolio.identity.identifiers import parse_occupation_code
from portfolio.training.documents import Course, Run, Session
from portfolio.training.enums import Delivery
from portfolio.training.organisations import acting_organisation, after_id, object_id
from portfolio.training.rules import check_sessions
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType


async def create_course(
    *,
    actor: Actor,
    title: str,
    occupation_code: str,
    training_type: TrainingType,
    brand: SkillBrand | None,
    target_level: SkillLevel,
    planned_hours: float,
    delivery: Delivery,
    subsidy_standard_fen: int,
) -> Course:
    """A provider adds a course to its own organisation's offer."""
    organisation = await acting_organisation(actor)
    occupation = parse_occupation_code(occupation_code)
    if subsidy_standard_fen < 0:
        raise ValidationFailed.single("subsidy_standard_fen", "range", "must not be negative")
    course = Course(
        organisation_id=str(organisation.id),
        region_code=organisation.region_code,
        title=title.strip(),
        occupation_code=occupation.code,
        digital=occupation.digital,
        green=occupation.green,
        training_type=training_type,
        brand=brand,
        target_level=target_level,
        planned_hours=planned_hours,
        delivery=delivery,
        subsidy_standard_fen=subsidy_standard_fen,
        created_at=datetime.now(UTC),
        created_by=actor.principal_id,
    )
    await course.insert()
    return course


def _reach(actor: Actor) -> dict[str, object]:
    """The filter limiting courses and runs to what ``actor`` may see."""
    if actor.role is Role.PROVIDER:
        return {"organisation_id": actor.organisation_id}
    if actor.role is Role.AGENCY and actor.region_prefix is not None:
        return {"region_code": region_range(actor.region_prefix)}
    if actor.role is Role.ADMIN:
        return {}
    raise Forbidden("workers see courses through their enrolments")


async def list_courses(*, actor: Actor, after: PydanticObjectId | None, limit: int) -> list[Course]:
    """Courses the caller may see, keyset-paged on ``_id``."""
    return await Course.find(after_id(_reach(actor), after)).sort("+_id").limit(limit).to_list()


async def get_course(*, actor: Actor, course_id: str) -> Course:
    """A course within the caller's reach."""
    course = await Course.find_one({**_reach(actor), "_id": object_id(course_id, "course")})
    if course is None:
        raise NotFound("no such course")
    return course


async def create_run(
    *,
    actor: Actor,
    course_id: str,
    start_date: date,
    end_date: date,
    capacity: int,
    location: str,
    trainers: list[str],
    sessions: list[Session],
) -> Run:
    """A provider schedules a class of one of its own courses."""
    organisation = await acting_organisation(actor)
    course = await Course.find_one(
        {"_id": object_id(course_id, "course"), "organisation_id": str(organisation.id)}
    )
    if course is None:
        raise NotFound("no such course")
    check_sessions(sessions, start=start_date, end=end_date)
    if capacity < 1:
        raise ValidationFailed.single("capacity", "range", "must be at least 1")
    run = Run(
        course_id=str(course.id),
        organisation_id=str(organisation.id),
        region_code=organisation.region_code,
        start_date=start_date,
        end_date=end_date,
        capacity=capacity,
        location=location.strip(),
        trainers=[t.strip() for t in trainers],
        sessions=sessions,
        created_at=datetime.now(UTC),
        created_by=actor.principal_id,
    )
    await run.insert()
    return run


async def get_run(*, actor: Actor, run_id: str) -> Run:
    """A run within the caller's reach."""
    run = await Run.find_one({**_reach(actor), "_id": object_id(run_id, "run")})
    if run is None:
        raise NotFound("no such run")
    return run
