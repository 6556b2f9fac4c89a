"""Organisations (providers), courses and runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import CurrentPrincipal, Idempotent, ProviderUser, require_roles
from api.paging import Paged
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS
from portfolio.accounts.principal import Actor, Role
from portfolio.training import course_versions, courses, organisations, trainers
from schemas.common import Page
from schemas.training import (
    CourseIn,
    CourseOut,
    CourseVersionIn,
    CourseVersionOut,
    OrganisationIn,
    OrganisationOut,
    RunIn,
    RunOut,
    StatusChangeIn,
    TrainerIn,
    TrainerOut,
)

router = APIRouter(tags=["providers"])

AgencyOrAdmin = Annotated[Actor, Depends(require_roles(Role.AGENCY, Role.ADMIN))]
Staff = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, Role.ADMIN))]


@router.post(
    "/providers",
    status_code=201,
    summary="Register a training provider or enterprise",
    response_model=OrganisationOut,
    responses=WRITE_ERRORS,
)
async def register_provider(
    body: OrganisationIn, actor: AgencyOrAdmin, idem: Idempotent
) -> Response:
    """An agency registers an organisation in its region (an admin anywhere)."""

    async def act() -> OrganisationOut:
        registered = await organisations.register(actor=actor, organisation=body.to_domain())
        return OrganisationOut.from_view(registered)

    return await idem.run(act, status_code=201)


@router.get("/providers", summary="Organisations within your reach", responses=AUTH_ERRORS)
async def list_providers(actor: CurrentPrincipal, page: Paged) -> Page[OrganisationOut]:
    """Agencies see their region's, provider users their own, admins all."""
    found = await organisations.list_visible(actor=actor, page=page)
    return Page[OrganisationOut].from_view(found)


@router.get("/providers/{organisation_id}", summary="One organisation", responses=READ_ERRORS)
async def get_provider(organisation_id: str, actor: CurrentPrincipal) -> OrganisationOut:
    """An organisation within your reach."""
    found = await organisations.get_visible(actor=actor, organisation_id=organisation_id)
    return OrganisationOut.from_view(found)


async def _set_status(
    organisation_id: str, body: StatusChangeIn, actor: Actor, idem: Idempotent, *, suspend: bool
) -> Response:
    async def act() -> OrganisationOut:
        changed = await organisations.set_status(
            actor=actor, organisation_id=organisation_id, suspend=suspend, reason=body.reason
        )
        return OrganisationOut.from_view(changed)

    return await idem.run(act)


@router.post(
    "/providers/{organisation_id}/suspend",
    summary="Suspend an organisation (it keeps reading, stops recording)",
    response_model=OrganisationOut,
    responses=WRITE_ERRORS,
)
async def suspend_provider(
    organisation_id: str, body: StatusChangeIn, actor: AgencyOrAdmin, idem: Idempotent
) -> Response:
    """An agency of the organisation's region suspends it, with a reason."""
    return await _set_status(organisation_id, body, actor, idem, suspend=True)


@router.post(
    "/providers/{organisation_id}/reinstate",
    summary="Reinstate a suspended organisation",
    response_model=OrganisationOut,
    responses=WRITE_ERRORS,
)
async def reinstate_provider(
    organisation_id: str, body: StatusChangeIn, actor: AgencyOrAdmin, idem: Idempotent
) -> Response:
    """An agency of the organisation's region reinstates it, with a reason."""
    return await _set_status(organisation_id, body, actor, idem, suspend=False)


@router.post(
    "/courses",
    status_code=201,
    summary="Add a course",
    response_model=CourseOut,
    responses=WRITE_ERRORS,
)
async def create_course(body: CourseIn, actor: ProviderUser, idem: Idempotent) -> Response:
    """A provider adds a course to its own organisation's offer."""

    async def act() -> CourseOut:
        created = await courses.create_course(actor=actor, course=body.to_domain())
        return CourseOut.from_view(created)

    return await idem.run(act, status_code=201)


@router.get("/courses", summary="Courses within your reach", responses=AUTH_ERRORS)
async def list_courses(actor: Staff, page: Paged) -> Page[CourseOut]:
    """A provider's own courses; an agency's region's courses."""
    return Page[CourseOut].from_view(await courses.list_courses(actor=actor, page=page))


@router.get("/courses/{course_id}", summary="One course", responses=READ_ERRORS)
async def get_course(course_id: str, actor: Staff) -> CourseOut:
    """A course within your reach."""
    return CourseOut.from_view(await courses.get_course(actor=actor, course_id=course_id))


@router.post(
    "/courses/{course_id}/versions",
    status_code=201,
    summary="Edit a course as a new version",
    response_model=CourseOut,
    responses=WRITE_ERRORS,
)
async def edit_course(
    course_id: str, body: CourseVersionIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """A provider's course gets new terms (occupation, level, hours, subsidy standard) as its
    next version; the replaced version stays readable, runs already scheduled and vouchers
    bound to them keep theirs. ``based_on`` must be the current version (else 409)."""

    async def act() -> CourseOut:
        edited = await course_versions.edit_course(
            actor=actor, course_id=course_id, edit=body.to_domain()
        )
        return CourseOut.from_view(edited)

    return await idem.run(act, status_code=201)


@router.get("/courses/{course_id}/versions", summary="A course's versions", responses=READ_ERRORS)
async def list_course_versions(course_id: str, actor: ProviderUser) -> list[CourseVersionOut]:
    """Your course's versions, the current one first."""
    found = await course_versions.list_versions(actor=actor, course_id=course_id)
    return [CourseVersionOut.from_view(v) for v in found]


@router.post(
    "/courses/{course_id}/runs",
    status_code=201,
    summary="Schedule a class of a course",
    response_model=RunOut,
    responses=WRITE_ERRORS,
)
async def create_run(
    course_id: str, body: RunIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """A provider schedules a class (dates, capacity, place, trainers, sessions)."""

    async def act() -> RunOut:
        scheduled = await courses.schedule_run(
            actor=actor, course_id=course_id, run=body.to_domain()
        )
        return RunOut.from_view(scheduled)

    return await idem.run(act, status_code=201)


@router.get("/runs/{run_id}", summary="One class with its sessions", responses=READ_ERRORS)
async def get_run(run_id: str, actor: Staff) -> RunOut:
    """A run within your reach."""
    return RunOut.from_view(await courses.get_run(actor=actor, run_id=run_id))


@router.post(
    "/trainers",
    status_code=201,
    summary="Register a trainer of your organisation",
    response_model=TrainerOut,
    responses=WRITE_ERRORS,
)
async def add_trainer(body: TrainerIn, actor: ProviderUser, idem: Idempotent) -> Response:
    """Runs name registered trainers by id (``trainer_ids``)."""

    async def act() -> TrainerOut:
        return TrainerOut.from_view(await trainers.add(actor=actor, trainer=body.to_domain()))

    return await idem.run(act, status_code=201)


@router.get("/trainers", summary="Your organisation's trainers", responses=AUTH_ERRORS)
async def list_trainers(actor: ProviderUser, page: Paged) -> Page[TrainerOut]:
    """Oldest first; removed trainers are listed, marked."""
    return Page[TrainerOut].from_view(await trainers.list_own(actor=actor, page=page))


@router.post(
    "/trainers/{trainer_id}/remove",
    summary="Remove a trainer from new runs",
    response_model=TrainerOut,
    responses=WRITE_ERRORS,
)
async def remove_trainer(trainer_id: str, actor: ProviderUser, idem: Idempotent) -> Response:
    """The trainer stays on the runs that name them; no new run may."""

    async def act() -> TrainerOut:
        return TrainerOut.from_view(await trainers.remove(actor=actor, trainer_id=trainer_id))

    return await idem.run(act)
