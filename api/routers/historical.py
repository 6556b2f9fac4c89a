"""Historical imports: training from before the service, approved by an agency officer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import Idempotent, require_roles
from api.responses import READ_ERRORS, WRITE_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role, StaffRole
from portfolio.training import historical
from portfolio.training.enums import ImportStatus
from schemas.historical import ApproveIn, HistoricalImportIn, HistoricalImportOut, RefuseIn

router = APIRouter(tags=["enrolments"])

Submitter = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY))]
Reader = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY, Role.WORKER))]
# Decided by an agency's officers (not its reviewers or auditors), as late corrections are.
Officer = Annotated[Actor, Depends(require_roles(Role.AGENCY, staff=(StaffRole.OFFICER,)))]
DECIDE_ERRORS: Responses = {
    **WRITE_ERRORS,
    403: {"description": "Not an agency officer, or the officer who submitted it (approval)"},
    409: {"description": "Already decided: the problem names the state"},
}


@router.post(
    "/historical-imports",
    status_code=201,
    summary="Submit a training record from before the service (provider or agency)",
    response_model=HistoricalImportOut,
    responses=WRITE_ERRORS,
)
async def submit_import(
    body: HistoricalImportIn, actor: Submitter, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """A provider (for its own course) or an agency (for a worker of its region) submits a
    paper or other-system record with its evidence; it waits, pending, for an officer of the
    worker's region. Dates must lie in the past, but not before the worker was 14, nor in
    year 1 or 9999."""

    async def act() -> HistoricalImportOut:
        submitted = await historical.submit(
            actor=actor, keyring=runtime.keyring, record=body.record()
        )
        return HistoricalImportOut.from_view(submitted)

    return await idem.run(act, status_code=201)


@router.get(
    "/historical-imports",
    summary="Historical imports within reach (an agency's queue with status=pending)",
    responses=READ_ERRORS,
)
async def list_imports(
    actor: Reader,
    status: Annotated[ImportStatus | None, Query(description="only this state")] = None,
) -> list[HistoricalImportOut]:
    """A provider's own, an agency's region's, a worker's own; newest first (at most 100)."""
    found = await historical.list_for(actor=actor, status=status)
    return [HistoricalImportOut.from_view(item) for item in found]


@router.get(
    "/historical-imports/{import_id}",
    summary="One historical import",
    responses=READ_ERRORS,
)
async def get_import(import_id: str, actor: Reader) -> HistoricalImportOut:
    """For its provider, the worker, or an agency of the worker's region (404 otherwise)."""
    return HistoricalImportOut.from_view(await historical.get(actor=actor, import_id=import_id))


@router.post(
    "/historical-imports/{import_id}/approve",
    summary="Approve a historical import (agency officer of the worker's region)",
    response_model=HistoricalImportOut,
    responses=DECIDE_ERRORS,
)
async def approve_import(
    import_id: str, body: ApproveIn, actor: Officer, idem: Idempotent
) -> Response:
    """Writes the record as a historical enrolment (``historical``, never payable by a
    voucher) and, for a pass, a "training completed" archive entry marked ``imported``."""

    async def act() -> HistoricalImportOut:
        approved = await historical.approve(actor=actor, import_id=import_id, reason=body.reason)
        return HistoricalImportOut.from_view(approved)

    return await idem.run(act)


@router.post(
    "/historical-imports/{import_id}/refuse",
    summary="Refuse a historical import, with a reason (agency officer)",
    response_model=HistoricalImportOut,
    responses=DECIDE_ERRORS,
)
async def refuse_import(
    import_id: str, body: RefuseIn, actor: Officer, idem: Idempotent
) -> Response:
    """Nothing is written but the decision and its reason."""

    async def act() -> HistoricalImportOut:
        refused = await historical.refuse(actor=actor, import_id=import_id, reason=body.reason)
        return HistoricalImportOut.from_view(refused)

    return await idem.run(act)
