"""Vouchers: issuance (one or a list), reading, consent, binding, release, cancel, expiry.

Agencies issue vouchers in their region; a worker sees their vouchers (and why they got them),
binds a voucher to an enrolment or lets the provider training them do it; a provider binds
(when allowed) and sees the vouchers bound to its enrolments. What each of them sees of a
voucher is the domain's view of it (``portfolio/vouchers/views.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.bulk import openapi_body, parse_bulk
from api.deps import AgencyUser, Idempotent, WorkerUser, require_roles
from api.paging import IdCursor, Limit
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role
from portfolio.vouchers import issuance, reading, transitions
from portfolio.vouchers.enums import VoucherStatus
from schemas.common import Page
from schemas.vouchers import (
    BindIn,
    BulkVoucherIn,
    BulkVoucherOut,
    CancelIn,
    ConsentIn,
    ExpiredOut,
    ReleaseIn,
    VoucherEventOut,
    VoucherIn,
    VoucherOut,
)

router = APIRouter(tags=["vouchers"])

ISSUE_ERRORS: Responses = {
    **WRITE_ERRORS,
    409: {"description": "The quantity is used up, or the version was replaced"},
    422: {"description": "Invalid input, or not eligible (`failed_rules` with the reasons)"},
}
VoucherReader = Annotated[Actor, Depends(require_roles(Role.WORKER, Role.PROVIDER, Role.AGENCY))]
Binder = Annotated[Actor, Depends(require_roles(Role.WORKER, Role.PROVIDER))]
Lister = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY))]
Sweeper = Annotated[Actor, Depends(require_roles(Role.AGENCY, Role.ADMIN))]
StatusFilter = Annotated[
    VoucherStatus | None, Query(description="effective status (past its end: expired)")
]


# ---- issuance ----------------------------------------------------------------------------


@router.post(
    "/vouchers",
    status_code=201,
    summary="Issue a voucher to an eligible worker",
    response_model=VoucherOut,
    responses=ISSUE_ERRORS,
)
async def issue_voucher(
    body: VoucherIn, actor: AgencyUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """Under the current version of a policy, to a worker of your region; refused with every
    failing rule (422 `not-eligible`) or when the quantity is used up (409)."""

    async def act() -> VoucherOut:
        view = await issuance.issue(
            actor=actor,
            keyring=runtime.keyring,
            policy_id=body.policy_id,
            worker_id=body.worker_id,
            note=body.note,
        )
        return VoucherOut.model_validate(view)

    return await idem.run(act, status_code=201)


@router.post(
    "/vouchers/bulk",
    summary="Issue vouchers to a list of workers (JSON rows or CSV)",
    response_model=BulkVoucherOut,
    responses=ISSUE_ERRORS,
    openapi_extra=openapi_body(BulkVoucherIn, "worker_id,id_type,id_number,name\n"),
)
async def issue_vouchers(
    request: Request, actor: AgencyUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """Per-row results: `issued`, `not_eligible` (with the failing rules) or `error`; eligible
    rows get a voucher while the quantity lasts. For CSV give `policy_id` (and `note`) in the
    query string."""
    body = await parse_bulk(
        request,
        BulkVoucherIn,
        policy_id=request.query_params.get("policy_id", ""),
        note=request.query_params.get("note", ""),
    )

    async def act() -> BulkVoucherOut:
        view = await issuance.issue_many(
            actor=actor,
            keyring=runtime.keyring,
            policy_id=body.policy_id,
            rows=body.issue_rows(),
            note=body.note,
        )
        return BulkVoucherOut.model_validate(view)

    return await idem.run(act)


# ---- reading -----------------------------------------------------------------------------


@router.get("/me/vouchers", summary="My vouchers, and why I got them", responses=AUTH_ERRORS)
async def list_my_vouchers(
    actor: WorkerUser, status: StatusFilter = None, limit: Limit = 50, cursor: IdCursor = None
) -> Page[VoucherOut]:
    """Newest first, each with the rules I met when it was issued and the agency's note."""
    page = await reading.list_for_worker(actor=actor, status=status, after=cursor, limit=limit)
    return Page[VoucherOut].model_validate(page, from_attributes=True)


@router.get("/vouchers", summary="Vouchers within your reach", responses=AUTH_ERRORS)
async def list_vouchers(
    actor: Lister,
    status: StatusFilter = None,
    policy_key: Annotated[str | None, Query(max_length=64)] = None,
    worker_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    cursor: IdCursor = None,
) -> Page[VoucherOut]:
    """An agency: the vouchers of its region's workers; a provider: those bound to its
    enrolments. Newest first."""
    page = await reading.list_visible(
        actor=actor,
        status=status,
        policy_key=policy_key,
        worker_id=worker_id,
        after=cursor,
        limit=limit,
    )
    return Page[VoucherOut].model_validate(page, from_attributes=True)


@router.get("/vouchers/{voucher_id}", summary="One voucher", responses=READ_ERRORS)
async def get_voucher(voucher_id: str, actor: VoucherReader) -> VoucherOut:
    """Its worker, an agency of its region, or the provider it is bound to (or may be)."""
    return VoucherOut.model_validate(await reading.get_voucher(actor=actor, voucher_id=voucher_id))


@router.get("/vouchers/{voucher_id}/events", summary="A voucher's history", responses=READ_ERRORS)
async def list_voucher_events(voucher_id: str, actor: VoucherReader) -> list[VoucherEventOut]:
    """Every transition, oldest first: who, when, from, to, why."""
    events = await reading.events_of(actor=actor, voucher_id=voucher_id)
    return [VoucherEventOut.model_validate(e) for e in events]


# ---- transitions -------------------------------------------------------------------------


@router.post(
    "/me/vouchers/{voucher_id}/consent",
    summary="Allow (or stop allowing) my provider to bind a voucher",
    response_model=VoucherOut,
    responses=WRITE_ERRORS,
)
async def consent_to_binding(
    voucher_id: str, body: ConsentIn, actor: WorkerUser, idem: Idempotent
) -> Response:
    """With consent, a provider I am enrolled with may bind this issued voucher to my
    enrolment there; a bind uses the consent up."""

    async def act() -> VoucherOut:
        view = await transitions.consent(
            actor=actor, voucher_id=voucher_id, provider_may_bind=body.provider_may_bind
        )
        return VoucherOut.model_validate(view)

    return await idem.run(act)


@router.post(
    "/vouchers/{voucher_id}/bind",
    summary="Bind a voucher to an enrolment",
    response_model=VoucherOut,
    responses=WRITE_ERRORS,
)
async def bind_voucher(voucher_id: str, body: BindIn, actor: Binder, idem: Idempotent) -> Response:
    """The worker, or the enrolment's provider when the worker allowed it. The enrolment is
    the worker's, still running, and its course one the policy pays for (422 names what does
    not match); a voucher past its end can never be bound (409 `expired`)."""

    async def act() -> VoucherOut:
        view = await transitions.bind(
            actor=actor, voucher_id=voucher_id, enrolment_id=body.enrolment_id
        )
        return VoucherOut.model_validate(view)

    return await idem.run(act)


@router.post(
    "/vouchers/{voucher_id}/release",
    summary="Release a voucher whose enrolment was withdrawn",
    response_model=VoucherOut,
    responses=WRITE_ERRORS,
)
async def release_voucher(
    voucher_id: str, actor: VoucherReader, idem: Idempotent, body: ReleaseIn | None = None
) -> Response:
    """bound -> issued once the enrolment is withdrawn or refused (withdrawing does this by
    itself; this is for the odd one left behind). The worker, the provider or an agency."""
    reason = (body or ReleaseIn()).reason

    async def act() -> VoucherOut:
        view = await transitions.release(actor=actor, voucher_id=voucher_id, reason=reason)
        return VoucherOut.model_validate(view)

    return await idem.run(act)


@router.post(
    "/vouchers/{voucher_id}/cancel",
    summary="Cancel a voucher (with a reason)",
    response_model=VoucherOut,
    responses=WRITE_ERRORS,
)
async def cancel_voucher(
    voucher_id: str, body: CancelIn, actor: AgencyUser, idem: Idempotent
) -> Response:
    """An agency of the voucher's region; issued or bound vouchers only. Never deleted."""

    async def act() -> VoucherOut:
        view = await transitions.cancel(actor=actor, voucher_id=voucher_id, reason=body.reason)
        return VoucherOut.model_validate(view)

    return await idem.run(act)


@router.post(
    "/vouchers/expire",
    summary="Mark expired the vouchers past their end",
    response_model=ExpiredOut,
    responses=WRITE_ERRORS,
)
async def expire_vouchers(actor: Sweeper, idem: Idempotent) -> Response:
    """A sweep (an agency: its region; an admin: all), in batches: run until it answers 0.
    Vouchers past their end count as expired in every check before the sweep too."""

    async def act() -> ExpiredOut:
        return ExpiredOut(expired=await transitions.expire_due(actor=actor))

    return await idem.run(act)
