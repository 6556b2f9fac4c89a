"""Claims: a provider asks to be paid for a voucher it trained a worker with (bound -> claimed).

A claim is allowed to the provider whose enrolment the voucher is bound to, once that
enrolment is completed with a pass and the worker's confirmed attendance reaches a share of
the course's planned hours (``Settings.claim_min_attendance_share``), for an amount up to the
face value, or the course's subsidy standard when that is lower. The claim lives on the voucher
itself (one conditional update); the agency's queue is the claimed vouchers of its region,
each shown with its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from beanie import PydanticObjectId

from portfolio.accounts.principal import Actor, Role, region_range
from portfolio.archives.documents import Recorder
from portfolio.errors import FieldError, Forbidden, ValidationFailed
from portfolio.ids import parse as object_id
from portfolio.lookups import find_each
from portfolio.training.attendance import hours_attended, records_by_enrolment
from portfolio.training.documents import AttendanceRecord, Certificate, Course, Enrolment
from portfolio.training.enums import AttendanceStatus, CaptureMethod, CompletionResult
from portfolio.training.enums import EnrolmentStatus as E
from portfolio.training.organisations import acting_organisation
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.ledger import LedgerEntry
from portfolio.vouchers.reading import get_visible
from portfolio.vouchers.rules import effective_status, epoch_ms, next_state, truncate_to_millis
from portfolio.vouchers.transitions import apply

# What a provider's list shows by default: awaiting a decision, and paid.
PROVIDER_DEFAULT = (VoucherStatus.CLAIMED, VoucherStatus.REDEEMED)


def claim_cap(voucher: Voucher, course: Course) -> int:
    """The most a claim may ask: the face value, or the course's subsidy standard if lower."""
    return min(voucher.face_value_fen, course.subsidy_standard_fen)


def attendance_needed(course: Course, share: float) -> float:
    """Confirmed hours a claim needs: ``share`` of the planned hours."""
    return round(course.planned_hours * share, 2)


async def claim(
    *,
    actor: Actor,
    voucher_id: str,
    amount_fen: int,
    min_share: float,
    note: str = "",
    now: datetime | None = None,
) -> Voucher:
    """The provider the voucher is bound to claims ``amount_fen`` for the finished training."""
    now = truncate_to_millis(now or datetime.now(UTC))
    organisation = await acting_organisation(actor)
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    if voucher.organisation_id != str(organisation.id):
        raise Forbidden("only the provider whose enrolment the voucher is bound to may claim it")
    target = next_state(
        VoucherAction.CLAIM, effective_status(voucher.status, voucher.valid_until, now)
    )
    enrolment = await Enrolment.get(object_id(voucher.enrolment_id, "enrolment"))
    assert enrolment is not None  # a bound voucher's enrolment is never deleted
    course = await Course.get(object_id(enrolment.course_id, "course"))
    assert course is not None
    errors: list[FieldError] = []
    if enrolment.status is not E.COMPLETED or enrolment.result is not CompletionResult.PASSED:
        errors.append(
            FieldError(
                "voucher",
                "no_passed_completion",
                f"the bound enrolment has no passed completion (it is {enrolment.status.value})",
            )
        )
    records = (await records_by_enrolment([str(enrolment.id)]))[str(enrolment.id)]
    hours = hours_attended(records)
    needed = attendance_needed(course, min_share)
    if hours < needed:
        errors.append(
            FieldError(
                "voucher",
                "insufficient_attendance",
                f"confirmed attendance is {hours:g} h; a claim needs {needed:g} h "
                f"({min_share:.0%} of {course.planned_hours:g} planned hours)",
            )
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
        },
        fields={
            "claimed_amount_fen": amount_fen,
            "claimed_at_ms": epoch_ms(now),
            "claim_note": note.strip(),
        },
    )
    return claimed


# ---- evidence ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionEvidence:
    """One session's attendance as it counts: the latest confirmed record, if any."""

    session_n: int
    hours: float
    capture_method: CaptureMethod
    # "worker" when the worker confirmed a provider's record, else the real-name method.
    confirmed_by: str
    confirmed_at: datetime | None


@dataclass(frozen=True)
class Evidence:
    """What an agency looks at before paying a claim."""

    enrolment: Enrolment | None
    course: Course | None
    sessions: tuple[SessionEvidence, ...]
    hours_confirmed: float
    hours_needed: float
    worker_confirmed_sessions: int
    unconfirmed_sessions: int
    certificates: tuple[Certificate, ...]
    cap_fen: int


@dataclass(frozen=True)
class ClaimView:
    """A claimed (or decided) voucher and its evidence."""

    voucher: Voucher
    evidence: Evidence


def _sessions(records: Sequence[AttendanceRecord]) -> tuple[list[SessionEvidence], int]:
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
        SessionEvidence(
            session_n=n,
            hours=r.hours,
            capture_method=r.capture_method,
            confirmed_by="worker"
            if r.capture_method is CaptureMethod.MANUAL
            else r.capture_method.value,
            confirmed_at=r.confirmed_at,
        )
        for n, r in sorted(latest.items())
    ]
    return sessions, len(pending - set(latest))


async def evidence_of(vouchers: Sequence[Voucher], *, min_share: float) -> list[ClaimView]:
    """Each voucher with its evidence, read in a few batched queries."""
    enrolment_ids = [v.enrolment_id for v in vouchers if v.enrolment_id]
    oids = [object_id(i, "enrolment") for i in enrolment_ids]
    enrolments = {str(e.id): e async for e in Enrolment.find({"_id": {"$in": oids}})}
    course_oids = list({object_id(e.course_id, "course") for e in enrolments.values()})
    courses = {str(c.id): c async for c in Course.find({"_id": {"$in": course_oids}})}
    records = await records_by_enrolment(enrolment_ids)
    certificates: dict[str, list[Certificate]] = {}
    for certificate in await find_each(Certificate, "enrolment_id", enrolment_ids):
        certificates.setdefault(certificate.enrolment_id, []).append(certificate)
    views = []
    for voucher in vouchers:
        enrolment = enrolments.get(voucher.enrolment_id)
        course = courses.get(enrolment.course_id) if enrolment else None
        sessions, unconfirmed = _sessions(records.get(voucher.enrolment_id, []))
        views.append(
            ClaimView(
                voucher,
                Evidence(
                    enrolment=enrolment,
                    course=course,
                    sessions=tuple(sessions),
                    hours_confirmed=hours_attended(records.get(voucher.enrolment_id, [])),
                    hours_needed=attendance_needed(course, min_share) if course else 0,
                    worker_confirmed_sessions=sum(
                        1 for s in sessions if s.confirmed_by == "worker"
                    ),
                    unconfirmed_sessions=unconfirmed,
                    certificates=tuple(certificates.get(voucher.enrolment_id, [])),
                    cap_fen=claim_cap(voucher, course) if course else voucher.face_value_fen,
                ),
            )
        )
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
) -> list[ClaimView]:
    """An agency's queue (claims awaiting a decision in its region, oldest claim first by id)
    or a provider's own claims (awaiting and paid by default), each with its evidence."""
    query = _scope(actor)
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
            return []
        query["region_code"] = region_code
    if after is not None:
        query["_id"] = {"$lt": after}
    found = await Voucher.find(query).sort("-_id").limit(limit).to_list()
    return await evidence_of(found, min_share=min_share)


async def get_claim(*, actor: Actor, voucher_id: str, min_share: float) -> ClaimView:
    """One voucher's claim with its evidence (the agency of its region or its provider)."""
    if actor.role not in (Role.AGENCY, Role.PROVIDER):
        raise Forbidden("only an agency or a provider may read claims")
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=datetime.now(UTC))
    [view] = await evidence_of([voucher], min_share=min_share)
    return view


@dataclass(frozen=True)
class MoneyTotals:
    """A provider's money: claims awaiting a decision (owed) and redeemed ones (paid)."""

    claims_pending: int
    owed_fen: int
    vouchers_paid: int
    paid_fen: int


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


async def totals(*, actor: Actor) -> MoneyTotals:
    """Owed (claimed, awaiting) and paid (ledger) money of the provider, or of the agency's
    region."""
    scope = _scope(actor)
    pending, owed = await _sum(
        Voucher.get_pymongo_collection(),
        {**scope, "status": VoucherStatus.CLAIMED.value},
        "$claimed_amount_fen",
    )
    paid_n, paid = await _sum(LedgerEntry.get_pymongo_collection(), scope, "$amount_fen")
    return MoneyTotals(pending, owed, paid_n, paid)
