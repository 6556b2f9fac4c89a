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

from api.deps import AgencyUser, Idempotent, ProviderUser, WorkerUser, require_roles
from api.downloads import FormatQuery, download
from api.paging import IdCursor, Limit
from api.responses import AUTH_ERRORS, READ_ERRORS, WRITE_ERRORS, Responses
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role
from portfolio.exports import export
from portfolio.integrity import FlagCode, Thresholds
from portfolio.vouchers import attestation, claims, redemption, settlement
from portfolio.vouchers.enums import VoucherStatus
from portfolio.vouchers.queue_filters import QueueFilter
from schemas.claims import (
    AttestIn,
    ClaimIn,
    ClaimOut,
    CounterIn,
    FlagOut,
    MoneyOut,
    RedeemIn,
    RejectIn,
    SettlementOut,
)
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
            keyring=runtime.keyring,
            limits=Thresholds.of(runtime.settings),
            rules_on=runtime.settings.fraud_rules_enabled,
            wait_days=runtime.settings.claim_attestation_wait_days,
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
    is refused with 409; a retry with the same Idempotency-Key gets the same answer.

    A flagged claim needs `acknowledge_flags` and a note (422 `flags_not_acknowledged`); a
    claim the worker disputes, or one still waiting for the worker's attestation, is held
    (409); a claim above the policy's `two_approvals_above_fen` takes two calls by two
    officers: the first records the first approval (still `claimed`), the second pays."""
    decision = body or RedeemIn()

    async def act() -> VoucherOut:
        view = await redemption.redeem(
            actor=actor,
            voucher_id=voucher_id,
            note=decision.note,
            acknowledge_flags=decision.acknowledge_flags,
        )
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
    flag: Annotated[FlagCode | None, Query(description="agency: claims with this flag")] = None,
    flagged: Annotated[bool | None, Query(description="agency: flagged or not")] = None,
    disputed: Annotated[bool | None, Query(description="agency: disputed by the worker")] = None,
    course_id: Annotated[str | None, Query(max_length=64, description="claims of a course")] = None,
    min_amount_fen: Annotated[int | None, Query(ge=0, description="claimed at least")] = None,
    max_amount_fen: Annotated[int | None, Query(ge=0, description="claimed at most")] = None,
    min_days_waiting: Annotated[
        int | None, Query(ge=0, le=3650, description="claimed at least this many days ago")
    ] = None,
    sort: Annotated[
        Literal["newest", "flags"],
        Query(description="agency: `flags` puts the highest flag score first"),
    ] = "newest",
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
        flag=flag,
        flagged=flagged,
        disputed=disputed,
        by_flags=sort == "flags",
        narrow=QueueFilter(course_id, min_amount_fen, max_amount_fen, min_days_waiting),
    )
    return Page[ClaimOut].model_validate(page, from_attributes=True)


@router.post(
    "/claims/{voucher_id}/screening",
    summary="Re-evaluate a claim's fraud rules now (a dry run)",
    responses=READ_ERRORS,
)
async def screen_claim(voucher_id: str, actor: AgencyUser, runtime: RuntimeDep) -> list[FlagOut]:
    """An agency of the voucher's region: the flags the rules raise on the claim as the
    evidence stands now. Nothing is written; the claim keeps the flags it was written with."""
    flags = await claims.rescreen(
        actor=actor,
        voucher_id=voucher_id,
        keyring=runtime.keyring,
        limits=Thresholds.of(runtime.settings),
    )
    return [FlagOut.model_validate(f, from_attributes=True) for f in flags]


@router.post(
    "/me/vouchers/{voucher_id}/attestation",
    summary="Say whether I took part in the training claimed for",
    response_model=VoucherOut,
    responses=WRITE_ERRORS,
)
async def attest_claim(
    voucher_id: str, body: AttestIn, actor: WorkerUser, idem: Idempotent
) -> Response:
    """The voucher's holder, once its provider claimed it: `took_part` true confirms; false
    disputes it (with `words`), which holds the claim for the agency. The first answer
    stands (409 after it)."""

    async def act() -> VoucherOut:
        view = await attestation.attest(
            actor=actor, voucher_id=voucher_id, took_part=body.took_part, words=body.words
        )
        return VoucherOut.model_validate(view)

    return await idem.run(act)


@router.post(
    "/vouchers/{voucher_id}/attestation/counter",
    summary="Record that the worker confirmed the training at the counter",
    response_model=VoucherOut,
    responses=DECIDE_ERRORS,
)
async def attest_at_counter(
    voucher_id: str, body: CounterIn, actor: AgencyUser, idem: Idempotent
) -> Response:
    """An agency officer of the voucher's region saw the worker, who confirmed in person
    (also after a dispute in their pages; their words are kept)."""

    async def act() -> VoucherOut:
        view = await attestation.at_counter(actor=actor, voucher_id=voucher_id, note=body.note)
        return VoucherOut.model_validate(view)

    return await idem.run(act)


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
