"""Requests and responses of claims, decisions (redeem, reject), money and settlements.
Built as schemas/voucher_policies.py describes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from portfolio.integrity import FlagCode
from portfolio.training.enums import (
    CaptureMethod,
    CertificateStatus,
    CertificateType,
    CompletionResult,
    EnrolmentStatus,
)
from portfolio.vocabulary import FundingSource, SkillLevel
from portfolio.vouchers.enums import RejectReason
from schemas.common import Input, Output
from schemas.voucher_policies import Fen, Note
from schemas.vouchers import VoucherOut


class ClaimIn(Input):
    """A provider's claim for a voucher it trained the worker with."""

    amount_fen: Fen = Field(
        description="integer fen (分), at most the face value or the course's subsidy "
        "standard, whichever is lower"
    )
    note: Note = ""


class RedeemIn(Input):
    """A note on an approval; a flagged claim needs the flags acknowledged and a note."""

    note: Note = ""
    acknowledge_flags: bool = Field(
        default=False, description="I read the claim's flags (required when it has any)"
    )


class AttestIn(Input):
    """The worker's answer: they took part, or not (then in their own words)."""

    took_part: bool
    words: Note = Field(default="", description="required when took_part is false")


class CounterIn(Input):
    """An officer saw the worker at the counter, who confirmed the training in person."""

    note: Annotated[str, Field(min_length=1, max_length=500)] = Field(
        description="how the worker was identified"
    )


class FlagOut(Output):
    """What one fraud rule found (docs/integrity-money.md)."""

    code: FlagCode
    score: int
    reason: str
    evidence: dict[str, str]


class ReviewOut(Output):
    """Where the claim stands in review. A provider sees only ``under_review``: the flags,
    the worker's words and the approvals are the agency's."""

    under_review: bool = Field(description="flagged by a rule, or disputed by the worker")
    flags: list[FlagOut]
    flag_score: int
    attestation: str = Field(description="awaiting, confirmed, disputed or counter (agency)")
    attestation_words: str
    attested_at: datetime | None
    attestation_due: datetime | None = Field(
        description="until then an unanswered claim waits for the worker"
    )
    first_approved_by: str
    first_approved_at: datetime | None


class RejectIn(Input):
    """Why the claim goes back to the provider (the voucher returns to ``bound``)."""

    reason: RejectReason
    note: Note = Field(default="", description="required when the reason is `other`")


class SessionEvidenceOut(Output):
    """One session as it counts: the latest confirmed record."""

    session_n: int
    hours: float
    capture_method: CaptureMethod
    confirmed_by: str = Field(description="`worker`, or the real-name check-in method")
    confirmed_at: datetime | None


class EnrolmentEvidenceOut(Output):
    """The enrolment the voucher is bound to, and its completion."""

    id: str
    run_id: str
    course_id: str
    course_title: str
    planned_hours: float
    subsidy_standard_fen: int
    status: EnrolmentStatus
    result: CompletionResult | None
    score: float | None
    hours_attended: float
    completed_at: datetime | None


class CertificateEvidenceOut(Output):
    """A certificate recorded for the enrolment."""

    id: str
    number: str
    certificate_type: CertificateType
    level: SkillLevel | None
    issue_date: date
    status: CertificateStatus


class EvidenceOut(Output):
    """What the agency looks at before paying."""

    enrolment: EnrolmentEvidenceOut | None
    sessions: list[SessionEvidenceOut]
    hours_confirmed: float
    hours_needed: float
    worker_confirmed_sessions: int = Field(
        description="sessions the worker confirmed themselves (the worker's own confirmation)"
    )
    unconfirmed_sessions: int = Field(description="sessions with only unconfirmed records")
    certificates: list[CertificateEvidenceOut]
    cap_fen: int = Field(description="the most a claim on this voucher may ask")


class ClaimOut(Output):
    """A claimed or redeemed voucher with its evidence."""

    voucher: VoucherOut
    claimed_amount_fen: int
    claimed_at: datetime | None
    claim_note: str
    redeemed_amount_fen: int
    redeemed_at: datetime | None
    evidence: EvidenceOut
    review: ReviewOut


class SourceTotalOut(Output):
    """Money paid from one fund."""

    funding_source: FundingSource
    payments: int = Field(description="ledger entries")
    amount_fen: int


class MoneyOut(Output):
    """Money of a provider (or of an agency's region): owed and paid, integer fen."""

    claims_pending: int = Field(description="claims awaiting a decision")
    owed_fen: int = Field(description="their amounts")
    vouchers_paid: int = Field(description="redeemed vouchers")
    paid_fen: int = Field(description="the ledger's total for them")
    paid_by_source: list[SourceTotalOut] = Field(
        description="the ledger's total by fund (payments made before funds were recorded: "
        "unspecified)"
    )


class SettlementRowOut(Output):
    """What one provider is owed for the period."""

    organisation_id: str
    provider: str
    credit_code: str
    vouchers: int
    amount_fen: int


class SettlementOut(Output):
    """Redemptions of the region in a period (China dates, both included), by provider."""

    region_prefix: str
    start: date
    end: date
    vouchers: int
    amount_fen: int
    rows: list[SettlementRowOut]
    sources: list[SourceTotalOut] = Field(description="the period's money by fund")
