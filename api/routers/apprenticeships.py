"""Enterprise new-type apprenticeship agreements: propose, approve, confirm, read.

Mentors are in ``mentors.py``; the running agreement's steps and its change requests in
``apprenticeship_lifecycle.py``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import Idempotent, ProviderUser, WorkerUser, require_roles
from api.paging import IdCursor, Limit
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role
from portfolio.apprenticeships import agreements, reading
from portfolio.apprenticeships.enums import ApprenticeshipStatus
from schemas.apprenticeships import ApprenticeshipDetailOut, ApprenticeshipIn, ApprenticeshipOut
from schemas.common import Page

router = APIRouter(tags=["apprenticeships"])

# Agreements name their apprentice: not for an admin (no worker data).
Staff = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY))]
Reader = Annotated[Actor, Depends(require_roles(Role.WORKER, Role.PROVIDER, Role.AGENCY))]
Approver = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY))]


@router.post(
    "/apprenticeships",
    status_code=201,
    summary="Propose an apprenticeship agreement (the employer)",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def create_apprenticeship(
    body: ApprenticeshipIn, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """An enterprise's user proposes a draft: the worker must have an active employment
    registration with the enterprise and a labour contract of at least a year, no other
    active or paused apprenticeship; each mentor must have room; the institution must be
    active. Every broken rule is named (422)."""

    async def act() -> ApprenticeshipOut:
        created = await agreements.create(
            actor=actor,
            keyring=runtime.keyring,
            settings=runtime.settings,
            terms=body.to_domain(),
        )
        return ApprenticeshipOut.from_view(created)

    return await idem.run(act, status_code=201)


@router.get("/apprenticeships", summary="Agreements within your reach", responses=AUTH_ERRORS)
async def list_apprenticeships(
    actor: Staff,
    limit: Limit = 50,
    cursor: IdCursor = None,
    status: ApprenticeshipStatus | None = None,
) -> Page[ApprenticeshipOut]:
    """A provider's (as employer or institution); an agency's (of employers or workers in its
    region: exactly those it may open; ``?status=draft`` is its approval queue). Oldest
    first."""
    found = await reading.list_visible(actor=actor, after=cursor, limit=limit, status=status)
    return Page[ApprenticeshipOut].model_validate(found, from_attributes=True)


@router.get(
    "/apprenticeships/{apprenticeship_id}",
    summary="One agreement with its subsidy figure and history",
    responses=READ_ERRORS,
)
async def get_apprenticeship(apprenticeship_id: str, actor: Reader) -> ApprenticeshipDetailOut:
    """Its parties, its apprentice, agencies of the employer's or the worker's region. The
    subsidy owed counts whole months of active days (pauses excluded), as of today or the
    last day."""
    found = await reading.detail(actor=actor, apprenticeship_id=apprenticeship_id)
    return ApprenticeshipDetailOut.from_view(found)


@router.post(
    "/apprenticeships/{apprenticeship_id}/approve",
    summary="Approve an agreement (employer, institution, then agency)",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def approve_apprenticeship(
    apprenticeship_id: str, actor: Approver, idem: Idempotent
) -> Response:
    """The employer and the institution in any order, then an agency covering the employer's
    region; the rules are checked again at each approval."""

    async def act() -> ApprenticeshipOut:
        approved = await agreements.approve(actor=actor, apprenticeship_id=apprenticeship_id)
        return ApprenticeshipOut.from_view(approved)

    return await idem.run(act)


@router.get("/me/apprenticeships", summary="My apprenticeships", responses=AUTH_ERRORS)
async def list_my_apprenticeships(
    actor: WorkerUser, limit: Limit = 50, cursor: IdCursor = None
) -> Page[ApprenticeshipOut]:
    """Newest first, drafts included; an approved one awaits my confirmation."""
    found = await reading.list_for_worker(actor=actor, after=cursor, limit=limit)
    return Page[ApprenticeshipOut].model_validate(found, from_attributes=True)


@router.post(
    "/me/apprenticeships/{apprenticeship_id}/confirm",
    summary="Confirm my approved agreement",
    response_model=ApprenticeshipOut,
    responses=WRITE_ERRORS,
)
async def confirm_apprenticeship(
    apprenticeship_id: str, actor: WorkerUser, idem: Idempotent
) -> Response:
    """The apprentice confirms the agreement the three parties approved; the employer may
    then start it."""

    async def act() -> ApprenticeshipOut:
        confirmed = await agreements.confirm(actor=actor, apprenticeship_id=apprenticeship_id)
        return ApprenticeshipOut.from_view(confirmed)

    return await idem.run(act)
