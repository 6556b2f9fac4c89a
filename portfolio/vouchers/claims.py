"""Claims: a provider asks to be paid for a voucher it trained a worker with (bound -> claimed).

A claim is allowed to the provider whose enrolment the voucher is bound to, once that
enrolment is completed with a pass and the worker's confirmed attendance reaches a share of
the course's planned hours (``Settings.claim_min_attendance_share``), for an amount up to the
face value, or the course's subsidy standard when that is lower. The claim lives on the voucher
itself (one conditional update); the agency's queue is the claimed vouchers of its region,
each shown with its training.evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from portfolio import clock, ids, training
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives import Recorder, log_reads
from portfolio.errors import FieldError, Forbidden, ValidationFailed
from portfolio.integrity import Flag, Thresholds, total_score
from portfolio.keyring import Keyring
from portfolio.training import (
    AttendanceRecord,
    AttendanceStatus,
    CaptureMethod,
    Certificate,
    Course,
    Enrolment,
    acting_organisation,
    certificates_of_enrolments,
    enrolments_by_ids,
    find_enrolment,
    hours_attended,
    records_by_enrolment,
    terms_of_enrolments,
)
from portfolio.vouchers.attestation import due_ms
from portfolio.vouchers.claim_checks import attendance_needed, claim_refusals
from portfolio.vouchers.documents import Voucher, VoucherPolicy
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.ledger import REDEEM, LedgerEntry, by_source
from portfolio.vouchers.queue_filters import QueueFilter
from portfolio.vouchers.reading import get_visible
from portfolio.vouchers.rules import effective_status, next_state
from portfolio.vouchers.screening import screen
from portfolio.vouchers.transitions import apply
from portfolio.vouchers.views import (
    CertificateEvidenceView,
    ClaimView,
    EnrolmentEvidenceView,
    EvidenceView,
    MoneyView,
    SessionEvidenceView,
    ViewPage,
    VoucherView,
)

# Days a claim waits for its worker unless the policy or the setting says otherwise.
DEFAULT_WAIT_DAYS = 14
# What a provider's list shows by default: awaiting a decision, and paid.
PROVIDER_DEFAULT = (VoucherStatus.CLAIMED, VoucherStatus.REDEEMED)


def flag_fields(flags: Sequence[Flag]) -> dict[str, Any]:
    """The voucher's fields that keep the claim's flags (written whole with the claim)."""
    return {
        "flags": [f.model_dump(mode="json") for f in flags],
        "flag_codes": sorted({f.code.value for f in flags}),
        "flag_score": total_score(flags),
    }


def claim_cap(voucher: Voucher, course: Course) -> int:
    """The most a claim may ask: the face value, or the course's subsidy standard if lower."""
    return min(voucher.face_value_fen, course.subsidy_standard_fen)


async def claim(
    *,
    actor: Actor,
    voucher_id: str,
    amount_fen: int,
    min_share: float,
    note: str = "",
    keyring: Keyring | None = None,
    limits: Thresholds | None = None,
    rules_on: bool = True,
    wait_days: int = DEFAULT_WAIT_DAYS,
    now: datetime | None = None,
) -> VoucherView:
    """The provider the voucher is bound to claims ``amount_fen`` for the finished training.

    The voucher time rule refuses a claim for training it may not pay for; the fraud rules
    (``rules_on``, thresholds ``limits``) flag it for the agency's review, stored with it.
    ``keyring`` opens the worker's birth date for the age rule (without it that rule is off).
    The claim then waits ``wait_days`` (the policy's own, if it states one) for the worker's
    attestation.
    """
    now = clock.truncate_to_millis(now or clock.now())
    organisation = await acting_organisation(actor)
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    if voucher.organisation_id != str(organisation.id):
        raise Forbidden("only the provider whose enrolment the voucher is bound to may claim it")
    target = next_state(
        VoucherAction.CLAIM, effective_status(voucher.status, voucher.valid_until, now)
    )
    enrolment = await find_enrolment(voucher.enrolment_id)
    assert enrolment is not None  # a bound voucher's enrolment is never deleted
    # The course as the enrolment's run was scheduled: a later version changes no bound voucher.
    course = (await terms_of_enrolments([enrolment])).get(str(enrolment.id))
    assert course is not None
    records = (await records_by_enrolment([str(enrolment.id)]))[str(enrolment.id)]
    hours = hours_attended(records)
    policy = await VoucherPolicy.get(ids.parse(voucher.policy_id, "voucher policy"))
    assert policy is not None  # a voucher's policy version is never deleted
    run = await training.evidence.run_facts(enrolment.run_id, enrolment_id=str(enrolment.id))
    # The same checks the console's "not yet claimable" reads (claim_checks.py).
    errors = claim_refusals(
        voucher,
        enrolment=enrolment,
        course=course,
        hours=hours,
        min_share=min_share,
        run=run,
        terms=policy.claim_terms,
    )
    cap = claim_cap(voucher, course)
    if amount_fen > cap:
        errors.append(
            FieldError(
                "amount_fen",
                "above_cap",
                f"at most {cap} fen (the face value or the course's subsidy standard, "
                "whichever is lower)",
            )
        )
    if amount_fen < 1:
        errors.append(FieldError("amount_fen", "range", "at least 1 fen"))
    if errors:
        raise ValidationFailed(errors)
    assert run is not None
    flags: list[Flag] = []
    if rules_on:
        flags = await screen(
            voucher, policy, run, keyring=keyring, limits=limits or Thresholds.defaults(), now=now
        )
    claimed = await apply(
        voucher,
        action=VoucherAction.CLAIM,
        target=target,
        by=Recorder.of(actor),
        now=now,
        reason=note.strip(),
        details={
            "amount_fen": str(amount_fen),
            "enrolment_id": voucher.enrolment_id,
            "course_id": enrolment.course_id,
            "organisation_id": voucher.organisation_id,
            "hours_attended": f"{hours:g}",
            "flags": ",".join(f.code.value for f in flags),
        },
        fields={
            "claimed_amount_fen": amount_fen,
            "claimed_at_ms": clock.epoch_ms(now),
            "claim_note": note.strip(),
            **flag_fields(flags),
            "attestation": "",
            "attestation_words": "",
            "attested_at_ms": 0,
            "attested_by": "",
            "attestation_due_ms": due_ms(
                now,
                wait_days
                if policy.claim_terms.attestation_wait_days is None
                else policy.claim_terms.attestation_wait_days,
            ),
        },
    )
    return VoucherView.of(claimed, viewer=actor, now=now)


# ---- evidence ----------------------------------------------------------------------------


def _confirmed_by(record: AttendanceRecord) -> str:
    """ "worker" when the worker stood behind the record (their check-in or confirmation);
    the capture method of an old record a provider-reported face / e-ID check-in confirmed."""
    if (
        record.entered_by == "worker"
        or record.confirmed_at_ms > 0
        or record.capture_method is CaptureMethod.MANUAL
    ):
        return "worker"
    return record.capture_method.value


def _sessions(records: Sequence[AttendanceRecord]) -> tuple[list[SessionEvidenceView], int]:
    latest: dict[int, AttendanceRecord] = {}
    pending: set[int] = set()
    for item in records:
        if item.status is AttendanceStatus.UNCONFIRMED:
            pending.add(item.session_n)
        if item.status is not AttendanceStatus.CONFIRMED:
            continue
        known = latest.get(item.session_n)
        if known is None or (item.recorded_at, str(item.id)) > (known.recorded_at, str(known.id)):
            latest[item.session_n] = item
    sessions = [
        SessionEvidenceView(
            session_n=n,
            hours=r.hours,
            capture_method=r.capture_method,
            confirmed_by=_confirmed_by(r),
            confirmed_at=r.confirmed_at,
        )
        for n, r in sorted(latest.items())
    ]
    return sessions, len(pending - set(latest))


def _enrolment_evidence(enrolment: Enrolment, course: Course) -> EnrolmentEvidenceView:
    return EnrolmentEvidenceView(
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


def _certificate_evidence(certificate: Certificate) -> CertificateEvidenceView:
    return CertificateEvidenceView(
        id=str(certificate.id),
        number=certificate.number,
        certificate_type=certificate.certificate_type,
        level=certificate.level,
        issue_date=certificate.issue_date,
        status=certificate.status,
    )


async def evidence_of(
    vouchers: Sequence[Voucher], *, viewer: Actor, min_share: float, now: datetime
) -> list[ClaimView]:
    """Each voucher's claim with its evidence as ``viewer`` sees it, read in a few batched
    queries."""
    await log_reads(viewer, [v.archive_id for v in vouchers], what="claim evidence")
    enrolment_ids = [v.enrolment_id for v in vouchers if v.enrolment_id]
    enrolments = await enrolments_by_ids(enrolment_ids)
    courses = await terms_of_enrolments(list(enrolments.values()))
    records = await records_by_enrolment(enrolment_ids)
    certificates = await certificates_of_enrolments(enrolment_ids)
    views = []
    for voucher in vouchers:
        enrolment = enrolments.get(voucher.enrolment_id)
        course = courses.get(voucher.enrolment_id)
        sessions, unconfirmed = _sessions(records.get(voucher.enrolment_id, []))
        evidence = EvidenceView(
            enrolment=_enrolment_evidence(enrolment, course)
            if enrolment is not None and course is not None
            else None,
            sessions=tuple(sessions),
            hours_confirmed=hours_attended(records.get(voucher.enrolment_id, [])),
            hours_needed=attendance_needed(course, min_share) if course else 0,
            worker_confirmed_sessions=sum(1 for s in sessions if s.confirmed_by == "worker"),
            unconfirmed_sessions=unconfirmed,
            certificates=tuple(
                _certificate_evidence(c) for c in certificates.get(voucher.enrolment_id, [])
            ),
            cap_fen=claim_cap(voucher, course) if course else voucher.face_value_fen,
        )
        views.append(ClaimView.of(voucher, evidence, viewer=viewer, now=now))
    return views


# ---- the queue and the provider's list ---------------------------------------------------


def _scope(actor: Actor) -> dict[str, Any]:
    if actor.role is Role.AGENCY and actor.region_prefix:
        return {"region_code": region_range(actor.region_prefix)}
    if actor.role is Role.PROVIDER and actor.organisation_id:
        return {"organisation_id": actor.organisation_id}
    raise Forbidden("only an agency or a provider may list claims")


async def list_claims(
    *,
    actor: Actor,
    status: VoucherStatus | None,
    organisation_id: str | None,
    policy_key: str | None,
    region_code: str | None,
    after: PydanticObjectId | None,
    limit: int,
    min_share: float,
    flag: str | None = None,
    flagged: bool | None = None,
    disputed: bool | None = None,
    by_flags: bool = False,
    narrow: QueueFilter | None = None,
    now: datetime | None = None,
) -> ViewPage[ClaimView]:
    """An agency's queue (claims awaiting a decision in its region, newest claim first by id)
    or a provider's own claims (awaiting and paid by default), each with its training.evidence.

    An agency filters its queue by a flag's code, flagged or not, disputed by the worker, and
    sorts it by the flags' score (``by_flags``: highest first, then newest); a provider cannot
    (it does not see which rule caught a claim). Both narrow it by course, amount and age
    (``narrow``, see ``queue_filters``).
    """
    now = now or clock.now()
    query = _scope(actor)
    review_filters = flag is not None or flagged is not None or disputed is not None
    if actor.role is not Role.AGENCY and (review_filters or by_flags):
        raise Forbidden("only an agency filters or sorts claims by their review")
    if flag is not None:
        query["flag_codes"] = {"$all": [flag]}
    if flagged is not None:
        query["flag_score"] = {"$gt": 0} if flagged else 0
    if disputed is not None:
        query["attestation"] = "disputed" if disputed else {"$in": ["", "confirmed", "counter"]}
    if status is None:
        statuses = [VoucherStatus.CLAIMED] if actor.role is Role.AGENCY else list(PROVIDER_DEFAULT)
    elif status in (VoucherStatus.CLAIMED, VoucherStatus.REDEEMED):
        statuses = [status]
    else:
        raise ValidationFailed.single("status", "not_a_claim", "claims are claimed or redeemed")
    query["status"] = {"$in": [s.value for s in statuses]}
    if organisation_id is not None:
        query["organisation_id"] = organisation_id
    if policy_key is not None:
        query["policy_key"] = policy_key
    if region_code is not None:
        if actor.role is Role.AGENCY and not actor.covers_region(region_code):
            return ViewPage((), None)
        query["region_code"] = region_code
    if narrow is not None:
        extra = await narrow.match(now)
        # A course is its provider's: with another provider asked for (or in scope), nothing.
        provider = query.get("organisation_id")
        if extra is None or provider not in (None, extra.get("organisation_id", provider)):
            return ViewPage((), None)
        query.update(extra)
    if by_flags:
        found = await _by_flags(query, after, limit)
    else:
        if after is not None:
            query["_id"] = {"$lt": after}
        found = await Voucher.find(query).sort("-_id").limit(limit).to_list()
    views = await evidence_of(found, viewer=actor, min_share=min_share, now=now)
    return ViewPage.of(views, [v.id for v in found], limit)


async def _by_flags(
    query: dict[str, Any], after: PydanticObjectId | None, limit: int
) -> list[Voucher]:
    """A page of the queue by score, highest first, then newest (keyset on score and id)."""
    if after is not None:
        last = await Voucher.get(after)
        score = last.flag_score if last is not None else 0
        query["$or"] = [
            {"flag_score": {"$lt": score}},
            {"flag_score": score, "_id": {"$lt": after}},
        ]
    return await Voucher.find(query).sort("-flag_score", "-_id").limit(limit).to_list()


async def rescreen(
    *,
    actor: Actor,
    voucher_id: str,
    keyring: Keyring | None,
    limits: Thresholds,
    now: datetime | None = None,
) -> list[Flag]:
    """An agency re-evaluates the fraud rules on a claim as they stand now (a dry run: the
    flags are answered, nothing is written; the stored ones stay what the claim raised)."""
    if actor.role is not Role.AGENCY:
        raise Forbidden("only an agency re-evaluates a claim's rules")
    now = clock.truncate_to_millis(now or clock.now())
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    if voucher.status not in (VoucherStatus.CLAIMED, VoucherStatus.REDEEMED):
        raise ValidationFailed.single("voucher", "not_a_claim", "the voucher is not claimed")
    policy = await VoucherPolicy.get(ids.parse(voucher.policy_id, "voucher policy"))
    enrolment = await find_enrolment(voucher.enrolment_id)
    assert policy is not None
    assert enrolment is not None
    run = await training.evidence.run_facts(enrolment.run_id, enrolment_id=voucher.enrolment_id)
    if run is None:
        return []
    return await screen(voucher, policy, run, keyring=keyring, limits=limits, now=now)


async def get_claim(
    *, actor: Actor, voucher_id: str, min_share: float, now: datetime | None = None
) -> ClaimView:
    """One voucher's claim with its evidence (the agency of its region or its provider)."""
    if actor.role not in (Role.AGENCY, Role.PROVIDER):
        raise Forbidden("only an agency or a provider may read claims")
    now = now or clock.now()
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    [view] = await evidence_of([voucher], viewer=actor, min_share=min_share, now=now)
    return view


async def _sum(collection: Any, match: dict[str, Any], field: str) -> tuple[int, int]:
    rows = await (
        await collection.aggregate(
            [
                {"$match": match},
                {"$group": {"_id": "$organisation_id", "n": {"$sum": 1}, "fen": {"$sum": field}}},
            ]
        )
    ).to_list()
    return sum(r["n"] for r in rows), sum(r["fen"] for r in rows)


async def totals(*, actor: Actor) -> MoneyView:
    """Owed (claimed, awaiting) and paid (ledger) money of the provider, or of the agency's
    region."""
    scope = _scope(actor)
    pending, owed = await _sum(
        Voucher.get_pymongo_collection(),
        {**scope, "status": VoucherStatus.CLAIMED.value},
        "$claimed_amount_fen",
    )
    # The vouchers' money only: a project's milestones are paid on the same ledger.
    redeemed = {**scope, "kind": REDEEM}
    paid_n, paid = await _sum(LedgerEntry.get_pymongo_collection(), redeemed, "$amount_fen")
    return MoneyView(pending, owed, paid_n, paid, await by_source(redeemed))
