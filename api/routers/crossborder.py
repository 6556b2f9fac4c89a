"""Recognition across borders: certificates from Chongqing (川渝互认) and foreign vocational
qualifications, recorded by an agency officer (or submitted by the worker), decided by an
officer of the worker's region, corrected or voided with a reason; each decision is stated in
the worker's archive. The report counts them by origin, decision, year and region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import AgencyUser, Idempotent, WorkerUser, require_roles
from api.responses import READ_ERRORS, WRITE_ERRORS
from api.runtime import RuntimeDep
from portfolio import crossborder
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.crossborder import service
from portfolio.crossborder.documents import BorderStatus
from portfolio.errors import NotFound
from portfolio.identity import parse_region_prefix
from schemas.competitions import VoidIn
from schemas.crossborder import (
    BorderContentIn,
    BorderCorrectionIn,
    BorderCountOut,
    BorderIn,
    BorderOut,
    BorderReportOut,
    DecisionIn,
)

router = APIRouter(tags=["recognition across borders"])

Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
Reader = Annotated[Actor, Depends(require_roles(Role.AGENCY, Role.WORKER))]
PATH = "/border-recognitions"


@router.post(
    PATH,
    status_code=201,
    summary="Record a Chongqing certificate or a foreign qualification of a worker of my region",
    response_model=BorderOut,
    responses=WRITE_ERRORS,
)
async def record_border(
    body: BorderIn, actor: Officer, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """It waits for the decision. An unknown number, a wrong name and a worker outside the
    region get one and the same 422; the same certificate twice gets 409."""

    async def act() -> BorderOut:
        found = await service.record(
            actor=actor, keyring=runtime.keyring, worker=body.to_domain(), content=body.content()
        )
        return BorderOut.from_view(found)

    return await idem.run(act, status_code=201)


@router.post(
    "/me/border-recognitions",
    status_code=201,
    summary="Submit my certificate from Chongqing or my foreign qualification",
    response_model=BorderOut,
    responses=WRITE_ERRORS,
)
async def submit_border(body: BorderContentIn, actor: WorkerUser, idem: Idempotent) -> Response:
    """With a description of the scan I hold (``scan_description``); my region's agency
    checks and decides."""

    async def act() -> BorderOut:
        return BorderOut.from_view(await service.submit(actor=actor, content=body.content()))

    return await idem.run(act, status_code=201)


@router.get(
    "/me/border-recognitions", summary="My certificates from outside Sichuan", responses=READ_ERRORS
)
async def list_my_borders(actor: WorkerUser) -> list[BorderOut]:
    """Newest first, with the decision on each."""
    return [BorderOut.from_view(v) for v in await service.list_own(actor=actor)]


@router.get(PATH, summary="The records of my region's workers", responses=READ_ERRORS)
async def list_borders(actor: AgencyUser, status: BorderStatus | None = None) -> list[BorderOut]:
    """Newest first, at most 200 (``status=pending``: those waiting); the look is written to
    the workers' access logs."""
    found = await service.list_visible(actor=actor, status=status)
    return [BorderOut.from_view(v) for v in found]


@router.get(f"{PATH}/{{border_id}}", summary="One record", responses=READ_ERRORS)
async def get_border(border_id: str, actor: Reader) -> BorderOut:
    """For an agency whose region covers the worker, or the worker (404 otherwise)."""
    return BorderOut.from_view(await service.get(actor=actor, recognition_id=border_id))


@router.post(
    f"{PATH}/{{border_id}}/decide",
    summary="Recognise or refuse",
    response_model=BorderOut,
    responses=WRITE_ERRORS,
)
async def decide_border(
    border_id: str, body: DecisionIn, actor: Officer, idem: Idempotent
) -> Response:
    """Once: a decided record is corrected or voided, not decided again (409)."""

    async def act() -> BorderOut:
        found = await service.decide(
            actor=actor, recognition_id=border_id, decision=body.decision()
        )
        return BorderOut.from_view(found)

    return await idem.run(act)


@router.post(
    f"{PATH}/{{border_id}}/correct",
    summary="Correct a decided record, with a reason",
    response_model=BorderOut,
    responses=WRITE_ERRORS,
)
async def correct_border(
    border_id: str, body: BorderCorrectionIn, actor: Officer, idem: Idempotent
) -> Response:
    """A new archive entry replaces the old one (which stays)."""

    async def act() -> BorderOut:
        found = await service.correct(
            actor=actor,
            recognition_id=border_id,
            content=body.content(),
            decision=body.decision.decision(),
            reason=body.change_reason,
        )
        return BorderOut.from_view(found)

    return await idem.run(act)


@router.post(
    f"{PATH}/{{border_id}}/void",
    summary="Void a record, with a reason",
    response_model=BorderOut,
    responses=WRITE_ERRORS,
)
async def void_border(border_id: str, body: VoidIn, actor: Officer, idem: Idempotent) -> Response:
    """The archive says it is withdrawn, and why (once it had stated it)."""

    async def act() -> BorderOut:
        return BorderOut.from_view(
            await service.void(actor=actor, recognition_id=border_id, reason=body.reason)
        )

    return await idem.run(act)


@router.get(
    "/reports/cross-border",
    summary="Recognitions across borders by origin, decision, year and region",
    responses=READ_ERRORS,
)
async def border_report(
    actor: AgencyUser,
    region_prefix: Annotated[str | None, Query(max_length=6)] = None,
    year: Annotated[int | None, Query(ge=1990, le=2200)] = None,
) -> BorderReportOut:
    """Counted from the records (voided ones left out); the year is the decision's."""
    assert actor.region_prefix is not None
    prefix = parse_region_prefix(region_prefix) if region_prefix else actor.region_prefix
    if not prefix.startswith(actor.region_prefix):
        raise NotFound("the region lies outside your scope")
    rows = await crossborder.border_counts(prefix, year)
    return BorderReportOut(
        region_prefix=prefix,
        counts_as_new_skilled=crossborder.COUNTS_AS_NEW_SKILLED,
        rows=[BorderCountOut.from_view(row) for row in rows],
    )
