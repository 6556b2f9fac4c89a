"""Voucher policies, eligibility with its reasons, issuance, binding, release, cancel, expiry.

Agencies publish policies and issue vouchers in their region; a worker sees their vouchers
(and why they got them), asks about their own eligibility, binds a voucher to an enrolment or
lets the provider training them do it; a provider binds (when allowed) and sees the vouchers
bound to its enrolments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.bulk import openapi_body, parse_bulk
from api.deps import (
    AUTH_RESPONSES,
    AgencyUser,
    Idempotent,
    ProviderUser,
    WorkerUser,
    require_roles,
)
from api.paging import IdCursor, Limit, next_cursor
from api.runtime import RuntimeDep
from portfolio.accounts.principal import Actor, Role
from portfolio.errors import FieldError
from portfolio.training.enrolments import WorkerRef
from portfolio.vouchers import (
    claims,
    eligibility,
    issuance,
    policies,
    reading,
    redemption,
    settlement,
    transitions,
)
from portfolio.vouchers.documents import RuleOutcome, Voucher, VoucherEvent
from portfolio.vouchers.enums import VoucherStatus
from portfolio.vouchers.rules import effective_status
from schemas.common import Page
from schemas.vouchers import (
    BindIn,
    BulkVoucherIn,
    BulkVoucherOut,
    CancelIn,
    CertificateEvidenceOut,
    ClaimIn,
    ClaimOut,
    ConsentIn,
    CoverageOut,
    EligibilityOut,
    EnrolmentEvidenceOut,
    EvidenceOut,
    ExpiredOut,
    FieldErrorOut,
    MoneyOut,
    MyPolicyOut,
    PolicyIn,
    PolicyOut,
    PolicyVersionIn,
    RedeemIn,
    RejectIn,
    ReleaseIn,
    RuleOutcomeOut,
    RulesOut,
    SessionEvidenceOut,
    SettlementOut,
    SettlementRowOut,
    VoucherEventOut,
    VoucherIn,
    VoucherOut,
    VoucherRowIn,
    VoucherRowOut,
)

router = APIRouter(tags=["vouchers"])

Responses = dict[int | str, dict[str, Any]]
READ_ERRORS: Responses = {**AUTH_RESPONSES, 404: {"description": "Not within your reach"}}
WRITE_ERRORS: Responses = {
    **READ_ERRORS,
    403: {"description": "Wrong role, or your organisation is suspended"},
    409: {"description": "Not allowed in the current state (the problem names it)"},
    422: {"description": "Invalid input, or a rule not met (fields and rules named)"},
}
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


def _now() -> datetime:
    return datetime.now(UTC)


def policy_out(state: policies.PolicyState) -> PolicyOut:
    """The response shape of a policy version and its head."""
    policy, head, rules = state.policy, state.head, state.policy.rules
    return PolicyOut(
        id=str(policy.id),
        policy_key=policy.policy_key,
        version_no=policy.version_no,
        current=state.current,
        current_version_id=head.current_version_id,
        name=policy.name,
        region_prefix=policy.region_prefix,
        training_types=policy.coverage.training_types,
        occupation_codes=policy.coverage.occupation_codes,
        brands=policy.coverage.brands,
        face_value_fen=policy.face_value_fen,
        validity_days=policy.validity_days,
        valid_until=policy.fixed_end,
        quantity=policy.quantity,
        issued=head.issued,
        remaining=state.remaining,
        rules=RulesOut(
            registered_unemployed=rules.registered_unemployed,
            min_unemployment_insurance_months=rules.min_unemployment_insurance_months,
            min_age=rules.min_age,
            max_age=rules.max_age,
            region_prefix=rules.region_prefix,
            one_unused_voucher=rules.one_unused_voucher,
        ),
        change_note=policy.change_note,
        created_at=policy.created_at,
    )


def _outcomes_out(outcomes: list[RuleOutcome] | tuple[RuleOutcome, ...]) -> list[RuleOutcomeOut]:
    return [
        RuleOutcomeOut(rule=o.rule, passed=o.passed, reason_zh=o.reason_zh, reason_en=o.reason_en)
        for o in outcomes
    ]


def eligibility_out(answer: eligibility.Eligibility) -> EligibilityOut:
    """The response shape of an eligibility answer."""
    return EligibilityOut(
        policy_id=str(answer.state.policy.id),
        policy_name=answer.state.policy.name,
        policy_version=answer.state.policy.version_no,
        policy_current=answer.state.current,
        worker_id=answer.archive_id,
        eligible=answer.eligible,
        rules=_outcomes_out(answer.outcomes),
        checked_at=answer.checked_at,
    )


def voucher_out(voucher: Voucher, *, now: datetime, with_grounds: bool = True) -> VoucherOut:
    """The response shape of a voucher, with its effective status."""
    return VoucherOut(
        id=str(voucher.id),
        policy_id=voucher.policy_id,
        policy_key=voucher.policy_key,
        policy_version=voucher.policy_version,
        policy_name=voucher.policy_name,
        worker_id=voucher.archive_id,
        worker_name=voucher.worker_name,
        worker_masked_id=voucher.worker_masked_id,
        region_code=voucher.region_code,
        face_value_fen=voucher.face_value_fen,
        coverage=CoverageOut(
            training_types=voucher.coverage.training_types,
            occupation_codes=voucher.coverage.occupation_codes,
            brands=voucher.coverage.brands,
        ),
        status=effective_status(voucher.status, voucher.valid_until, now),
        valid_from=voucher.valid_from,
        valid_until=voucher.valid_until,
        provider_may_bind=voucher.provider_may_bind,
        enrolment_id=voucher.enrolment_id or None,
        organisation_id=voucher.organisation_id or None,
        issue_note=voucher.issue_note,
        grounds=_outcomes_out(voucher.grounds) if with_grounds else [],
        claimed_amount_fen=voucher.claimed_amount_fen,
        redeemed_amount_fen=voucher.redeemed_amount_fen,
        version=voucher.version,
        created_at=voucher.created_at,
        updated_at=voucher.updated_at,
    )


def _for(actor: Actor, voucher: Voucher, now: datetime) -> VoucherOut:
    # A provider needs the voucher, not the worker's circumstances that earned it.
    return voucher_out(voucher, now=now, with_grounds=actor.role is not Role.PROVIDER)


def event_out(event: VoucherEvent) -> VoucherEventOut:
    """The response shape of a voucher event."""
    return VoucherEventOut(
        version=event.version,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        reason=event.reason,
        by_role=event.by.role,
        by_principal=event.by.principal,
        at=event.at,
        details=event.details,
    )


def _errors_out(errors: tuple[FieldError, ...]) -> list[FieldErrorOut]:
    return [FieldErrorOut(field=e.field, rule=e.rule, message=e.message) for e in errors]


def _content(body: PolicyIn) -> policies.PolicyContent:
    rules = body.rules
    return policies.PolicyContent(
        name=body.name,
        face_value_fen=body.face_value_fen,
        quantity=body.quantity,
        validity_days=body.validity_days,
        fixed_end=body.valid_until,
        region_prefix=body.region_prefix,
        training_types=body.training_types,
        occupation_codes=body.occupation_codes,
        brands=body.brands,
        rules=policies.RulesContent(
            registered_unemployed=rules.registered_unemployed,
            min_unemployment_insurance_months=rules.min_unemployment_insurance_months,
            min_age=rules.min_age,
            max_age=rules.max_age,
            region_prefix=rules.region_prefix,
            one_unused_voucher=rules.one_unused_voucher,
        ),
    )


# ---- policies ----------------------------------------------------------------------------


@router.post(
    "/voucher-policies",
    status_code=201,
    summary="Publish a voucher policy",
    response_model=PolicyOut,
    responses=WRITE_ERRORS,
)
async def publish_policy(body: PolicyIn, actor: AgencyUser, idem: Idempotent) -> Response:
    """An agency publishes a policy in its region (version 1). A published version never
    changes: publish a new version to change it."""

    async def act() -> PolicyOut:
        return policy_out(await policies.publish(actor=actor, content=_content(body)))

    return await idem.run(act, status_code=201)


@router.post(
    "/voucher-policies/{policy_id}/versions",
    status_code=201,
    summary="Publish the next version of a voucher policy",
    response_model=PolicyOut,
    responses=WRITE_ERRORS,
)
async def publish_policy_version(
    policy_id: str, body: PolicyVersionIn, actor: AgencyUser, idem: Idempotent
) -> Response:
    """Give the current version's id and the whole new content; new vouchers are issued under
    the new version, those issued keep theirs. The region stays; the quantity counts every
    version's vouchers."""

    async def act() -> PolicyOut:
        state = await policies.publish_version(
            actor=actor,
            policy_id=policy_id,
            content=_content(body),
            change_note=body.change_note,
        )
        return policy_out(state)

    return await idem.run(act, status_code=201)


@router.get("/voucher-policies", summary="Voucher policies of your region", responses=READ_ERRORS)
async def list_policies(
    actor: AgencyUser, limit: Limit = 50, cursor: IdCursor = None
) -> Page[PolicyOut]:
    """The current versions of the policies overlapping your scope (wider ones included)."""
    found = await policies.list_policies(actor=actor, after=cursor, limit=limit)
    return Page(
        items=[policy_out(s) for s in found],
        next_cursor=next_cursor([s.head.id for s in found], limit),
    )


@router.get("/voucher-policies/{policy_id}", summary="One policy version", responses=READ_ERRORS)
async def get_policy(policy_id: str, actor: AgencyUser) -> PolicyOut:
    """A version of a policy overlapping your scope, with the policy's counter."""
    return policy_out(await policies.get_policy(actor=actor, policy_id=policy_id))


@router.get(
    "/voucher-policies/{policy_id}/eligibility/{worker_id}",
    summary="Is this worker eligible, and why (every rule)",
    responses=READ_ERRORS,
)
async def check_eligibility(policy_id: str, worker_id: str, actor: AgencyUser) -> EligibilityOut:
    """Yes or no, with the reason for every rule of the version, in Chinese and English.
    The worker must be in your region."""
    answer = await eligibility.eligibility(actor=actor, policy_id=policy_id, worker_id=worker_id)
    return eligibility_out(answer)


@router.get(
    "/me/voucher-policies",
    summary="Published voucher policies for my region, and whether I am eligible",
    responses=AUTH_RESPONSES,
)
async def list_my_policies(
    actor: WorkerUser,
    eligible_only: Annotated[bool, Query(description="only those I am eligible for")] = False,
    limit: Limit = 50,
    cursor: IdCursor = None,
) -> Page[MyPolicyOut]:
    """The current versions of the running policies covering my region, oldest first, each
    with my answer for every rule."""
    found = await eligibility.my_policies(
        actor=actor, eligible_only=eligible_only, after=cursor, limit=limit
    )
    return Page(
        items=[
            MyPolicyOut(
                policy=policy_out(a.state), eligible=a.eligible, rules=_outcomes_out(a.outcomes)
            )
            for a in found.answers
        ],
        next_cursor=str(found.after) if found.after is not None else None,
    )


@router.get(
    "/me/voucher-policies/{policy_id}/eligibility",
    summary="Am I eligible for this policy, and why",
    responses=READ_ERRORS,
)
async def check_my_eligibility(policy_id: str, actor: WorkerUser) -> EligibilityOut:
    """Yes or no, with the reason for every rule, in Chinese and English."""
    return eligibility_out(await eligibility.my_eligibility(actor=actor, policy_id=policy_id))


# ---- issuance ----------------------------------------------------------------------------


@router.post(
    "/vouchers",
    status_code=201,
    summary="Issue a voucher to an eligible worker",
    response_model=VoucherOut,
    responses=ISSUE_ERRORS,
)
async def issue_voucher(body: VoucherIn, actor: AgencyUser, idem: Idempotent) -> Response:
    """Under the current version of a policy, to a worker of your region; refused with every
    failing rule (422 `not-eligible`) or when the quantity is used up (409)."""

    async def act() -> VoucherOut:
        voucher = await issuance.issue(
            actor=actor, policy_id=body.policy_id, worker_id=body.worker_id, note=body.note
        )
        return voucher_out(voucher, now=_now())

    return await idem.run(act, status_code=201)


def _row(row: VoucherRowIn) -> issuance.IssueRow:
    if row.worker_id is not None or row.id_number is None or row.name is None:
        return issuance.IssueRow(worker_id=row.worker_id)
    return issuance.IssueRow(
        worker=WorkerRef(row.id_type, row.id_number, row.name, row.nationality)
    )


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
        results = await issuance.issue_many(
            actor=actor,
            keyring=runtime.keyring,
            policy_id=body.policy_id,
            rows=[_row(r) for r in body.rows],
            note=body.note,
        )
        now = _now()
        rows = [
            VoucherRowOut(
                row=r.row,
                status=r.status,  # type: ignore[arg-type]
                voucher=voucher_out(r.voucher, now=now) if r.voucher else None,
                failed_rules=_outcomes_out(r.failed_rules),
                errors=_errors_out(r.errors),
                detail=r.detail,
            )
            for r in results
        ]
        counts = {s: sum(1 for r in rows if r.status == s) for s in ("issued", "not_eligible")}
        return BulkVoucherOut(
            issued=counts["issued"],
            not_eligible=counts["not_eligible"],
            failed=len(rows) - sum(counts.values()),
            rows=rows,
        )

    return await idem.run(act)


# ---- reading -----------------------------------------------------------------------------


@router.get("/me/vouchers", summary="My vouchers, and why I got them", responses=AUTH_RESPONSES)
async def list_my_vouchers(
    actor: WorkerUser, status: StatusFilter = None, limit: Limit = 50, cursor: IdCursor = None
) -> Page[VoucherOut]:
    """Newest first, each with the rules I met when it was issued and the agency's note."""
    assert actor.archive_id is not None
    now = _now()
    found = await reading.list_for_worker(
        archive_id=actor.archive_id, status=status, after=cursor, limit=limit, now=now
    )
    return Page(
        items=[voucher_out(v, now=now) for v in found],
        next_cursor=next_cursor([v.id for v in found], limit),
    )


@router.get("/vouchers", summary="Vouchers within your reach", responses=AUTH_RESPONSES)
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
    now = _now()
    found = await reading.list_visible(
        actor=actor,
        status=status,
        policy_key=policy_key,
        worker_id=worker_id,
        after=cursor,
        limit=limit,
        now=now,
    )
    return Page(
        items=[_for(actor, v, now) for v in found],
        next_cursor=next_cursor([v.id for v in found], limit),
    )


@router.get("/vouchers/{voucher_id}", summary="One voucher", responses=READ_ERRORS)
async def get_voucher(voucher_id: str, actor: VoucherReader) -> VoucherOut:
    """Its worker, an agency of its region, or the provider it is bound to (or may be)."""
    now = _now()
    return _for(actor, await reading.get_visible(actor=actor, voucher_id=voucher_id, now=now), now)


@router.get("/vouchers/{voucher_id}/events", summary="A voucher's history", responses=READ_ERRORS)
async def list_voucher_events(voucher_id: str, actor: VoucherReader) -> list[VoucherEventOut]:
    """Every transition, oldest first: who, when, from, to, why."""
    events = await reading.events_of(actor=actor, voucher_id=voucher_id, now=_now())
    return [event_out(e) for e in events]


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
        voucher = await transitions.consent(
            actor=actor, voucher_id=voucher_id, provider_may_bind=body.provider_may_bind
        )
        return voucher_out(voucher, now=_now())

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
        voucher = await transitions.bind(
            actor=actor, voucher_id=voucher_id, enrolment_id=body.enrolment_id
        )
        return _for(actor, voucher, _now())

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

    async def act() -> VoucherOut:
        voucher = await transitions.release(
            actor=actor, voucher_id=voucher_id, reason=body.reason if body else ""
        )
        return _for(actor, voucher, _now())

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
        voucher = await transitions.cancel(actor=actor, voucher_id=voucher_id, reason=body.reason)
        return voucher_out(voucher, now=_now())

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


# ---- claims and decisions (part 2) -------------------------------------------------------

DECIDE_ERRORS: Responses = {
    **WRITE_ERRORS,
    403: {"description": "Not an agency"},
    409: {"description": "Not claimed (already redeemed, rejected, ...): the problem names it"},
}
ClaimStatus = Annotated[
    Literal[VoucherStatus.CLAIMED, VoucherStatus.REDEEMED] | None,
    Query(
        description="claimed (awaiting a decision) or redeemed; default: an agency's queue "
        "shows claimed, a provider sees both"
    ),
]
SETTLEMENT_RESPONSES: Responses = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "The settlement (JSON, or CSV with `?format=csv`: UTF-8 with BOM)",
    },
    **AUTH_RESPONSES,
    403: {"description": "Not an agency"},
    422: {"description": "A malformed or too long period"},
}


def _ms_time(ms: int) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, UTC) if ms else None


def _evidence_out(evidence: claims.Evidence) -> EvidenceOut:
    enrolment, course = evidence.enrolment, evidence.course
    return EvidenceOut(
        enrolment=EnrolmentEvidenceOut(
            id=str(enrolment.id),
            run_id=enrolment.run_id,
            course_id=enrolment.course_id,
            course_title=course.title,
            planned_hours=course.planned_hours,
            subsidy_standard_fen=course.subsidy_standard_fen,
            status=enrolment.status,
            result=enrolment.result,
            score=enrolment.score,
            hours_attended=enrolment.hours_attended,
            completed_at=enrolment.completed_at,
        )
        if enrolment is not None and course is not None
        else None,
        sessions=[
            SessionEvidenceOut(
                session_n=s.session_n,
                hours=s.hours,
                capture_method=s.capture_method,
                confirmed_by=s.confirmed_by,
                confirmed_at=s.confirmed_at,
            )
            for s in evidence.sessions
        ],
        hours_confirmed=evidence.hours_confirmed,
        hours_needed=evidence.hours_needed,
        worker_confirmed_sessions=evidence.worker_confirmed_sessions,
        unconfirmed_sessions=evidence.unconfirmed_sessions,
        certificates=[
            CertificateEvidenceOut(
                id=str(c.id),
                number=c.number,
                certificate_type=c.certificate_type,
                level=c.level,
                issue_date=c.issue_date,
                status=c.status,
            )
            for c in evidence.certificates
        ],
        cap_fen=evidence.cap_fen,
    )


def claim_out(actor: Actor, view: claims.ClaimView, now: datetime) -> ClaimOut:
    """The response shape of a claim and its evidence."""
    voucher = view.voucher
    return ClaimOut(
        voucher=_for(actor, voucher, now),
        claimed_amount_fen=voucher.claimed_amount_fen,
        claimed_at=_ms_time(voucher.claimed_at_ms),
        claim_note=voucher.claim_note,
        redeemed_amount_fen=voucher.redeemed_amount_fen,
        redeemed_at=_ms_time(voucher.redeemed_at_ms),
        evidence=_evidence_out(view.evidence),
    )


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
        voucher = await claims.claim(
            actor=actor,
            voucher_id=voucher_id,
            amount_fen=body.amount_fen,
            note=body.note,
            min_share=runtime.settings.claim_min_attendance_share,
        )
        return _for(actor, voucher, _now())

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

    async def act() -> VoucherOut:
        voucher = await redemption.redeem(
            actor=actor, voucher_id=voucher_id, note=body.note if body else ""
        )
        return voucher_out(voucher, now=_now())

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
        voucher = await redemption.reject(
            actor=actor, voucher_id=voucher_id, reason=body.reason, note=body.note
        )
        return voucher_out(voucher, now=_now())

    return await idem.run(act)


@router.get("/claims", summary="Claims with their evidence", responses=AUTH_RESPONSES)
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
    found = await claims.list_claims(
        actor=actor,
        status=status,
        organisation_id=organisation_id,
        policy_key=policy_key,
        region_code=region_code,
        after=cursor,
        limit=limit,
        min_share=runtime.settings.claim_min_attendance_share,
    )
    now = _now()
    return Page(
        items=[claim_out(actor, v, now) for v in found],
        next_cursor=next_cursor([v.voucher.id for v in found], limit),
    )


@router.get("/claims/money", summary="Money owed and paid", responses=AUTH_RESPONSES)
async def claims_money(actor: Lister) -> MoneyOut:
    """A provider: its claims awaiting a decision (owed) and its redeemed vouchers (paid);
    an agency: the same for its region."""
    totals = await claims.totals(actor=actor)
    return MoneyOut(
        claims_pending=totals.claims_pending,
        owed_fen=totals.owed_fen,
        vouchers_paid=totals.vouchers_paid,
        paid_fen=totals.paid_fen,
    )


@router.get("/claims/{voucher_id}", summary="One claim with its evidence", responses=READ_ERRORS)
async def get_claim(voucher_id: str, actor: Lister, runtime: RuntimeDep) -> ClaimOut:
    """The agency of the voucher's region or the provider it is bound to."""
    view = await claims.get_claim(
        actor=actor,
        voucher_id=voucher_id,
        min_share=runtime.settings.claim_min_attendance_share,
    )
    return claim_out(actor, view, _now())


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
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> SettlementOut | Response:
    """Redemptions of your region in the period from the ledger, by provider (name, credit
    code, vouchers, amount). CSV: UTF-8 with a byte-order mark, a total row last."""
    result = await settlement.settlement(actor=actor, start=start, end=end)
    if format == "csv":
        name = f"settlement-{result.region_prefix}-{start.isoformat()}-{end.isoformat()}.csv"
        return Response(
            content=settlement.to_csv(result).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return SettlementOut(
        region_prefix=result.region_prefix,
        start=result.start,
        end=result.end,
        vouchers=result.vouchers,
        amount_fen=result.amount_fen,
        rows=[
            SettlementRowOut(
                organisation_id=r.organisation_id,
                provider=r.provider,
                credit_code=r.credit_code,
                vouchers=r.vouchers,
                amount_fen=r.amount_fen,
            )
            for r in result.rows
        ],
    )
