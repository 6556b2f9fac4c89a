"""Claims, decisions and settlements (vouchers, part 2).

A provider claims a voucher it trained the worker with; an agency of the voucher's region
redeems the claim (money is owed, exactly once) or sends it back with a coded reason, works
through its queue with the evidence beside each claim, and exports what its region owes each
provider for a period.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import AgencyUser, Idempotent, ProviderUser, require_roles
from api.downloads import FormatQuery, download
from api.paging import IdCursor, Limit
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role
from portfolio.exports import export
from portfolio.vouchers import claims, redemption, settlement
from portfolio.vouchers.enums import VoucherStatus
from schemas.claims import ClaimIn, ClaimOut, MoneyOut, RedeemIn, RejectIn, SettlementOut
from schemas.common import Page
from schemas.vouchers import VoucherOut

router = APIRouter(tags=["vouchers"])

DECIDE_ERRORS: Responses = {
    **WRITE_ERRORS,
    403: {"description": "Not an agency"},
    409: {"description": "Not claimed (already redeemed, rejected, ...): the problem names it"},
}
SETTLEMENT_RESPONSES: Responses = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "The settlement (JSON, or a file with `?format=csv` or `xlsx`)",
    },
    **AUTH_ERRORS,
    403: {"description": "Not an agency"},
    422: {"description": "A malformed or too long period"},
}
Lister = Annotated[Actor, Depends(require_roles(Role.PROVIDER, Role.AGENCY))]
ClaimStatus = Annotated[
    Literal[VoucherStatus.CLAIMED, VoucherStatus.REDEEMED] | None,
    Query(
        description="claimed (awaiting a decision) or redeemed; default: an agency's queue "
        "shows claimed, a provider sees both"
    ),
]


@router.post(
    "/vouchers/{voucher_id}/claim",
    summary="Claim a voucher for a finished training",
    response_model=VoucherOut,
    responses=WRITE_ERRORS,
)
async def claim_voucher(
    voucher_id: str, body: ClaimIn, actor: ProviderUser, runtime: RuntimeDep, idem: Idempotent
) -> Response:
    """The provider the voucher is bound to, after a passed completion with enough confirmed
    attendance (422 names what is missing), for at most the face value or the course's subsidy
    standard, whichever is lower."""

    async def act() -> VoucherOut:
        view = await claims.claim(
            actor=actor,
            voucher_id=voucher_id,
            amount_fen=body.amount_fen,
            note=body.note,
            min_share=runtime.settings.claim_min_attendance_share,
        )
        return VoucherOut.model_validate(view)

    return await idem.run(act)


@router.post(
    "/vouchers/{voucher_id}/redeem",
    summary="Approve a claim: the claimed amount is owed to the provider",
    response_model=VoucherOut,
    responses=DECIDE_ERRORS,
)
async def redeem_voucher(
    voucher_id: str, actor: AgencyUser, idem: Idempotent, body: RedeemIn | None = None
) -> Response:
    """An agency of the voucher's region. Exactly once: a second redemption (another key)
    is refused with 409; a retry with the same Idempotency-Key gets the same answer."""
    note = (body or RedeemIn()).note

    async def act() -> VoucherOut:
        view = await redemption.redeem(actor=actor, voucher_id=voucher_id, note=note)
        return VoucherOut.model_validate(view)

    return await idem.run(act)


@router.post(
    "/vouchers/{voucher_id}/reject",
    summary="Send a claim back with a coded reason (the voucher is bound again)",
    response_model=VoucherOut,
    responses=DECIDE_ERRORS,
)
async def reject_claim(
    voucher_id: str, body: RejectIn, actor: AgencyUser, idem: Idempotent
) -> Response:
    """An agency of the voucher's region; the provider may claim again."""

    async def act() -> VoucherOut:
        view = await redemption.reject(
            actor=actor, voucher_id=voucher_id, reason=body.reason, note=body.note
        )
        return VoucherOut.model_validate(view)

    return await idem.run(act)


@router.get("/claims", summary="Claims with their evidence", responses=AUTH_ERRORS)
async def list_claims(
    actor: Lister,
    runtime: RuntimeDep,
    status: ClaimStatus = None,
    organisation_id: Annotated[str | None, Query(max_length=64)] = None,
    policy_key: Annotated[str | None, Query(max_length=64)] = None,
    region_code: Annotated[str | None, Query(min_length=6, max_length=6)] = None,
    limit: Limit = 50,
    cursor: IdCursor = None,
) -> Page[ClaimOut]:
    """An agency: the claims awaiting a decision in its region (its queue); a provider: its
    own claims, awaiting and paid. Newest first, each with the enrolment, the confirmed
    attendance by session, the completion, certificates and the worker's own confirmations."""
    page = await claims.list_claims(
        actor=actor,
        status=status,
        organisation_id=organisation_id,
        policy_key=policy_key,
        region_code=region_code,
        after=cursor,
        limit=limit,
        min_share=runtime.settings.claim_min_attendance_share,
    )
    return Page[ClaimOut].model_validate(page, from_attributes=True)


@router.get("/claims/money", summary="Money owed and paid", responses=AUTH_ERRORS)
async def claims_money(actor: Lister) -> MoneyOut:
    """A provider: its claims awaiting a decision (owed) and its redeemed vouchers (paid);
    an agency: the same for its region."""
    return MoneyOut.model_validate(await claims.totals(actor=actor))


@router.get("/claims/{voucher_id}", summary="One claim with its evidence", responses=READ_ERRORS)
async def get_claim(voucher_id: str, actor: Lister, runtime: RuntimeDep) -> ClaimOut:
    """The agency of the voucher's region or the provider it is bound to."""
    view = await claims.get_claim(
        actor=actor,
        voucher_id=voucher_id,
        min_share=runtime.settings.claim_min_attendance_share,
    )
    return ClaimOut.model_validate(view)


@router.get(
    "/settlements",
    summary="Settlement of a period: what each provider is owed",
    response_model=SettlementOut,
    responses=SETTLEMENT_RESPONSES,
)
async def get_settlement(
    actor: AgencyUser,
    start: Annotated[date, Query(alias="from", description="first day (China time)")],
    end: Annotated[date, Query(alias="to", description="last day, included")],
    format: FormatQuery = "json",
) -> SettlementOut | Response:
    """Redemptions of your region in the period from the ledger, by provider (name, credit
    code, vouchers, amount). CSV (UTF-8 with a byte-order mark) or .xlsx: a total row last."""
    result = await settlement.settlement(actor=actor, start=start, end=end)
    if format != "json":
        name = f"settlement-{result.region_prefix}-{start.isoformat()}-{end.isoformat()}"
        sheet = settlement.as_sheet(result)
        return download(export(sheet, file_format=format, basename=name))
    return SettlementOut.model_validate(result)
