"""The plan's targets and platforms: the province agency enters its targets for a plan
period, agencies enter employed counts and record platforms (linking the training delivered
through them), and the dashboard measures the plan's figures from the records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import AgencyUser, Idempotent, require_roles
from api.responses import READ_ERRORS, WRITE_ERRORS
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.planning import dashboard, platforms, targets
from schemas.planning import (
    DashboardOut,
    EmployedIn,
    EmployedOut,
    LinkIn,
    PlatformCloseIn,
    PlatformCorrectionIn,
    PlatformIn,
    PlatformOut,
    TargetsIn,
    TargetsOut,
)

router = APIRouter(tags=["planning"])

Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]


@router.get("/targets", summary="The plan's figures against its targets", responses=READ_ERRORS)
async def read_dashboard(
    actor: AgencyUser,
    period: Annotated[str, Query(description="14 (2021–2025) or 15 (2026–2030)")] = "14",
    region: Annotated[
        str | None, Query(description="a prefix you cover; yours if left out")
    ] = None,
    year: Annotated[int | None, Query(description="a year of the period (shares)")] = None,
) -> DashboardOut:
    """Each figure measured from the records, with its formula in words and the province's
    target; counts only (no worker is named)."""
    view = await dashboard.dashboard(actor=actor, period=period, region=region, year=year)
    return DashboardOut.from_view(view)


@router.post(
    "/targets/{period}",
    summary="Enter the province's targets for a plan period",
    response_model=TargetsOut,
    responses=WRITE_ERRORS,
)
async def set_targets(period: str, body: TargetsIn, actor: Officer, idem: Idempotent) -> Response:
    """A province-level officer only (a two-digit region); entering them again replaces them
    (the change trail keeps the old values)."""

    async def act() -> TargetsOut:
        stored = await targets.set_targets(actor=actor, period=period, values=body.to_domain())
        return TargetsOut.from_view(stored)

    return await idem.run(act)


@router.post(
    "/employed-counts",
    summary="Enter the employed count of a region and year",
    response_model=EmployedOut,
    responses=WRITE_ERRORS,
)
async def set_employed(body: EmployedIn, actor: Officer, idem: Idempotent) -> Response:
    """From the statistics, for a region the agency covers; entering it again replaces it."""

    async def act() -> EmployedOut:
        stored = await targets.set_employed(
            actor=actor,
            region_code=body.region_code,
            year=body.year,
            employed=body.employed,
            source=body.source,
        )
        return EmployedOut.from_view(stored)

    return await idem.run(act)


@router.get("/employed-counts", summary="The employed counts of my region", responses=READ_ERRORS)
async def list_employed(actor: AgencyUser) -> list[EmployedOut]:
    """By region and year."""
    return [EmployedOut.from_view(c) for c in await targets.employed_counts(actor=actor)]


@router.post(
    "/platforms",
    status_code=201,
    summary="Record a training platform of my region",
    response_model=PlatformOut,
    responses=WRITE_ERRORS,
)
async def create_platform(body: PlatformIn, actor: Officer, idem: Idempotent) -> Response:
    """A high-skill base, master studio, public or competition training base, national,
    provincial or park level."""

    async def act() -> PlatformOut:
        return PlatformOut.from_view(await platforms.create(actor=actor, content=body.content()))

    return await idem.run(act, status_code=201)


@router.get("/platforms", summary="The platforms of my region", responses=READ_ERRORS)
async def list_platforms(actor: AgencyUser) -> list[PlatformOut]:
    """Newest approval first, with the training delivered through each."""
    return [PlatformOut.from_view(p) for p in await platforms.list_visible(actor=actor)]


@router.get("/platforms/{platform_id}", summary="One platform", responses=READ_ERRORS)
async def get_platform(platform_id: str, actor: AgencyUser) -> PlatformOut:
    """For an agency whose region covers it (404 otherwise)."""
    return PlatformOut.from_view(await platforms.get(actor=actor, platform_id=platform_id))


@router.post(
    "/platforms/{platform_id}/correct",
    summary="Correct a platform, with a reason",
    response_model=PlatformOut,
    responses=WRITE_ERRORS,
)
async def correct_platform(
    platform_id: str, body: PlatformCorrectionIn, actor: Officer, idem: Idempotent
) -> Response:
    """An open platform restated (its region stays)."""

    async def act() -> PlatformOut:
        view = await platforms.correct(
            actor=actor, platform_id=platform_id, content=body.content(), reason=body.reason
        )
        return PlatformOut.from_view(view)

    return await idem.run(act)


@router.post(
    "/platforms/{platform_id}/close",
    summary="Close a platform, with the day and a reason",
    response_model=PlatformOut,
    responses=WRITE_ERRORS,
)
async def close_platform(
    platform_id: str, body: PlatformCloseIn, actor: Officer, idem: Idempotent
) -> Response:
    """It stays counted for the period it was approved in, shown as closed."""

    async def act() -> PlatformOut:
        view = await platforms.close(
            actor=actor, platform_id=platform_id, closed_on=body.closed_on, reason=body.reason
        )
        return PlatformOut.from_view(view)

    return await idem.run(act)


@router.post(
    "/platforms/{platform_id}/links",
    summary="Link a run or course delivered through a platform",
    response_model=PlatformOut,
    responses=WRITE_ERRORS,
)
async def link_training(
    platform_id: str, body: LinkIn, actor: Officer, idem: Idempotent
) -> Response:
    """A provider's run or course of my region; its enrolments are counted through the
    platform from then on (the same one twice: 409)."""

    async def act() -> PlatformOut:
        view = await platforms.link(
            actor=actor, platform_id=platform_id, kind=body.kind, target_id=body.target_id
        )
        return PlatformOut.from_view(view)

    return await idem.run(act)
