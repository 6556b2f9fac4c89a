"""Use cases of courses and runs (classes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import Forbidden, NotFound, ValidationFailed
from portfolio.identity import parse_occupation_code
from portfolio.occupations import require_catalogued
from portfolio.paging import Page, PageRequest, by_id, id_page
from portfolio.training import changes
from portfolio.training.changes_runs import run_scheduled
from portfolio.training.documents import Course, Run, Session
from portfolio.training.enums import Delivery
from portfolio.training.organisations import acting_organisation
from portfolio.training.rules import check_sessions
from portfolio.training.timerules import check_run_dates
from portfolio.training.trainers import check_trainer_ids
from portfolio.training.views import CourseView, RunView
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType


@dataclass(frozen=True)
class NewCourse:
    """A course a provider offers."""

    title: str
    occupation_code: str
    training_type: TrainingType
    brand: SkillBrand | None
    target_level: SkillLevel
    planned_hours: float
    delivery: Delivery
    subsidy_standard_fen: int


@dataclass(frozen=True)
class NewRun:
    """A class of a course: dates, capacity, place, trainers and its sessions."""

    start_date: date
    end_date: date
    capacity: int
    location: str
    trainers: Sequence[str]
    sessions: Sequence[Session]
    # Registered trainers of the organisation (``trainers.py``); ``trainers`` is free text
    # kept for runs scheduled before the registry.
    trainer_ids: Sequence[str] = ()


async def create_course(*, actor: Actor, course: NewCourse) -> CourseView:
    """A provider adds a course to its own organisation's offer."""
    organisation = await acting_organisation(actor)
    occupation = parse_occupation_code(course.occupation_code)
    await require_catalogued(occupation.code, field="occupation_code")  # catalogue:
    if course.subsidy_standard_fen < 0:
        raise ValidationFailed.single("subsidy_standard_fen", "range", "must not be negative")
    now = clock.truncate_to_millis(clock.now())
    stored = Course(
        organisation_id=str(organisation.id),
        region_code=organisation.region_code,
        title=course.title.strip(),
        occupation_code=occupation.code,
        digital=occupation.digital,
        green=occupation.green,
        training_type=course.training_type,
        brand=course.brand,
        target_level=course.target_level,
        planned_hours=course.planned_hours,
        delivery=course.delivery,
        subsidy_standard_fen=course.subsidy_standard_fen,
        created_at=now,
        created_by=actor.principal_id,
        changed_at_ms=clock.epoch_ms(now),
    )
    await stored.insert()
    await changes.record_course_change(None, stored, reason="course added")
    return CourseView.of(stored)


def _reach(actor: Actor) -> dict[str, object]:
    """The filter limiting courses and runs to what ``actor`` may see."""
    if actor.role is Role.PROVIDER:
        return {"organisation_id": actor.organisation_id}
    if actor.role is Role.AGENCY and actor.region_prefix is not None:
        return {"region_code": region_range(actor.region_prefix)}
    if actor.role is Role.ADMIN:
        return {}
    raise Forbidden("workers see courses through their enrolments")


async def list_courses(*, actor: Actor, page: PageRequest) -> Page[CourseView]:
    """Courses the caller may see, oldest first."""
    keys = by_id(page)
    return await id_page(Course, _reach(actor), keys, view=CourseView.of)


async def get_course(*, actor: Actor, course_id: str) -> CourseView:
    """A course within the caller's reach."""
    course = await Course.find_one({**_reach(actor), "_id": ids.parse(course_id, "course")})
    if course is None:
        raise NotFound("no such course")
    return CourseView.of(course)


async def schedule_run(*, actor: Actor, course_id: str, run: NewRun) -> RunView:
    """A provider schedules a class of one of its own courses."""
    organisation = await acting_organisation(actor)
    course = await Course.find_one(
        {"_id": ids.parse(course_id, "course"), "organisation_id": str(organisation.id)}
    )
    if course is None:
        raise NotFound("no such course")
    sessions = list(run.sessions)
    check_sessions(sessions, start=run.start_date, end=run.end_date)
    check_run_dates(start=run.start_date, end=run.end_date, sessions=sessions)
    if run.capacity < 1:
        raise ValidationFailed.single("capacity", "range", "must be at least 1")
    trainer_ids = await check_trainer_ids(str(organisation.id), run.trainer_ids)
    stored = Run(
        course_id=str(course.id),
        organisation_id=str(organisation.id),
        region_code=organisation.region_code,
        start_date=run.start_date,
        end_date=run.end_date,
        capacity=run.capacity,
        location=run.location.strip(),
        trainers=[t.strip() for t in run.trainers],
        trainer_ids=trainer_ids,
        sessions=sessions,
        occupation_code=course.occupation_code,
        target_level=course.target_level,
        course_version=course.version,
        created_at=clock.now(),
        created_by=actor.principal_id,
    )
    await stored.insert()
    await run_scheduled(stored)
    return RunView.of(stored)


MAX_DAILY_SESSIONS = 60


def daily_sessions(start: date, count: int, at: str, hours: float) -> list[Session]:
    """``count`` sessions on consecutive days from ``start``, each at ``at`` (HH:MM) for
    ``hours`` (the console's class form; other shapes go through the JSON API)."""
    return [
        Session(n=n + 1, day=start + timedelta(days=n), start=at, hours=hours) for n in range(count)
    ]


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
) -> RunView:
    """:func:`schedule_run` with the run's fields spelled out (the demo data's form)."""
    run = NewRun(start_date, end_date, capacity, location, trainers, sessions)
    return await schedule_run(actor=actor, course_id=course_id, run=run)


async def get_run(*, actor: Actor, run_id: str) -> RunView:
    """A run within the caller's reach."""
    run = await Run.find_one({**_reach(actor), "_id": ids.parse(run_id, "run")})
    if run is None:
        raise NotFound("no such run")
    return RunView.of(run)
