"""Organisations (providers), courses and runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import AUTH_RESPONSES, CurrentPrincipal, Idempotent, ProviderUser, require_roles
from api.paging import IdCursor, Limit, next_cursor
from portfolio.accounts.principal import Actor, Role
from portfolio.training import courses, organisations
from portfolio.training.documents import Course, Organisation, Run, Session
from schemas.common import Page
from schemas.training import (
    CourseIn,
    CourseOut,
    OrganisationIn,
    OrganisationOut,
    RunIn,
    RunOut,
    SessionOut,
    StatusChangeIn,
)

router = APIRouter(tags=["providers"])

AgencyOrAdmin = Annotated[Actor, Depends(require_roles(Role.AGENCY, Role.ADMIN))]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    404: {"description": "No such object within your reach"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    403: {"description": "Wrong role, or your organisation is suspended"},
    409: {"description": "Conflicts with stored state"},
    422: {"description": "Invalid input (fields and rules named)"},
}


def organisation_out(organisation: Organisation) -> OrganisationOut:
    """The response shape of a stored organisation."""
    return OrganisationOut(
        id=str(organisation.id),
        name=organisation.name,
        credit_code=organisation.credit_code,
        credit_code_overridden=bool(organisation.credit_code_override_reason),
        kind=organisation.kind,
        region_code=organisation.region_code,
        status=organisation.status,
        status_reason=organisation.status_reason,
    )


def course_out(course: Course) -> CourseOut:
    """The response shape of a stored course."""
    return CourseOut(
        id=str(course.id),
        organisation_id=str(course.organisation_id),
        region_code=course.region_code,
        title=course.title,
        occupation_code=course.occupation_code,
        digital=course.digital,
        green=course.green,
        training_type=course.training_type,
        brand=course.brand,
        target_level=course.target_level,
        planned_hours=course.planned_hours,
        delivery=course.delivery,
        subsidy_standard_fen=course.subsidy_standard_fen,
        created_at=course.created_at,
    )


def run_out(run: Run) -> RunOut:
    """The response shape of a stored run."""
    return RunOut(
        id=str(run.id),
        course_id=str(run.course_id),
        organisation_id=str(run.organisation_id),
        region_code=run.region_code,
        start_date=run.start_date,
        end_date=run.end_date,
        capacity=run.capacity,
        seats_taken=run.seats_taken,
        location=run.location,
        trainers=run.trainers,
        sessions=[SessionOut(n=s.n, day=s.day, start=s.start, hours=s.hours) for s in run.sessions],
    )


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
        return organisation_out(await organisations.register(actor=actor, **body.model_dump()))

    return await idem.run(act, status_code=201)


@router.get("/providers", summary="Organisations within your reach", responses=AUTH_RESPONSES)
async def list_providers(
    actor: CurrentPrincipal, limit: Limit = 50, cursor: IdCursor = None
) -> Page[OrganisationOut]:
    """Agencies see their region's, provider users their own, admins all."""
    found = await organisations.list_visible(actor=actor, after=cursor, limit=limit)
    return Page(
        items=[organisation_out(o) for o in found],
        next_cursor=next_cursor([o.id for o in found], limit),
    )


@router.get("/providers/{organisation_id}", summary="One organisation", responses=NOT_FOUND)
async def get_provider(organisation_id: str, actor: CurrentPrincipal) -> OrganisationOut:
    """An organisation within your reach."""
    return organisation_out(
        await organisations.get_visible(actor=actor, organisation_id=organisation_id)
    )


@router.post(
    "/providers/{organisation_id}/suspend",
    summary="Suspend an organisation (it keeps reading, stops recording)",
    response_model=OrganisationOut,
    responses={**WRITE_ERRORS, **NOT_FOUND},
)
async def suspend_provider(
    organisation_id: str, body: StatusChangeIn, actor: AgencyOrAdmin, idem: Idempotent
) -> Response:
    """An agency of the organisation's region suspends it, with a reason."""

    async def act() -> OrganisationOut:
        return organisation_out(
            await organisations.set_status(
                actor=actor, organisation_id=organisation_id, suspend=True, reason=body.reason
            )
        )

    return await idem.run(act)


@router.post(
    "/providers/{organisation_id}/reinstate",
    summary="Reinstate a suspended organisation",
    response_model=OrganisationOut,
    responses={**WRITE_ERRORS, **NOT_FOUND},
)
async def reinstate_provider(
    organisation_id: str, body: StatusChangeIn, actor: AgencyOrAdmin, idem: Idempotent
) -> Response:
    """An agency of the organisation's region reinstates it, with a reason."""

    async def act() -> OrganisationOut:
        return organisation_out(
            await organisations.set_status(
                actor=actor, organisation_id=organisation_id, suspend=False, reason=body.reason
            )
        )

    return await idem.run(act)


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
        return course_out(await courses.create_course(actor=actor, **body.model_dump()))

    return await idem.run(act, status_code=201)


@router.get("/courses", summary="Courses within your reach", responses=AUTH_RESPONSES)
async def list_courses(
    actor: Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, Role.ADMIN))],
    limit: Limit = 50,
    cursor: IdCursor = None,
) -> Page[CourseOut]:
    """A provider's own courses; an agency's region's courses."""
    found = await courses.list_courses(actor=actor, after=cursor, limit=limit)
    return Page(
        items=[course_out(c) for c in found], next_cursor=next_cursor([c.id for c in found], limit)
    )


@router.get("/courses/{course_id}", summary="One course", responses=NOT_FOUND)
async def get_course(
    course_id: str,
    actor: Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, Role.ADMIN))],
) -> CourseOut:
    """A course within your reach."""
    return course_out(await courses.get_course(actor=actor, course_id=course_id))


@router.post(
    "/courses/{course_id}/runs",
    status_code=201,
    summary="Schedule a class of a course",
    response_model=RunOut,
    responses={**WRITE_ERRORS, **NOT_FOUND},
)
async def create_run(
    course_id: str, body: RunIn, actor: ProviderUser, idem: Idempotent
) -> Response:
    """A provider schedules a class (dates, capacity, place, trainers, sessions)."""

    async def act() -> RunOut:
        run = await courses.create_run(
            actor=actor,
            course_id=course_id,
            start_date=body.start_date,
            end_date=body.end_date,
            capacity=body.capacity,
            location=body.location,
            trainers=body.trainers,
            sessions=[
                Session(n=s.n, day=s.day, start=s.start, hours=s.hours) for s in body.sessions
            ],
        )
        return run_out(run)

    return await idem.run(act, status_code=201)


@router.get("/runs/{run_id}", summary="One class with its sessions", responses=NOT_FOUND)
async def get_run(
    run_id: str,
    actor: Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, Role.ADMIN))],
) -> RunOut:
    """A run within your reach."""
    return run_out(await courses.get_run(actor=actor, run_id=run_id))
