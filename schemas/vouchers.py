"""Requests and responses of voucher policies, eligibility and vouchers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from portfolio.identity.identifiers import IdType
from portfolio.training.enums import (
    CaptureMethod,
    CertificateStatus,
    CertificateType,
    CompletionResult,
    EnrolmentStatus,
)
from portfolio.vocabulary import SkillBrand, SkillLevel, TrainingType
from portfolio.vouchers.enums import RejectReason, RuleCode, VoucherAction, VoucherStatus
from schemas.common import Input

# Issue 12: a bulk request takes at least 10,000 rows (a whole district's list at once).
MAX_BULK_ROWS = 10_000
# 100,000 yuan: far above any subsidy standard, low enough to catch a slipped digit.
MAX_FACE_VALUE_FEN = 10_000_000

Text = Annotated[str, Field(min_length=1, max_length=200)]
Note = Annotated[str, Field(max_length=500)]
Id = Annotated[str, Field(min_length=1, max_length=64)]
Fen = Annotated[StrictInt, Field(ge=1, le=MAX_FACE_VALUE_FEN)]


class RulesIn(Input):
    """Who is eligible. A rule left out (null / false) is not part of the policy; the region
    rule is always applied (default: the policy's region)."""

    registered_unemployed: StrictBool = Field(
        default=False, description="an open unemployment registration (失业登记) is required"
    )
    min_unemployment_insurance_months: Annotated[StrictInt, Field(ge=1, le=600)] | None = Field(
        default=None, description="insured for unemployment for at least this many months"
    )
    min_age: Annotated[StrictInt, Field(ge=16, le=100)] | None = None
    max_age: Annotated[StrictInt, Field(ge=16, le=100)] | None = None
    region_prefix: Annotated[str, Field(min_length=2, max_length=6)] | None = Field(
        default=None, description="workers registered under this prefix (within the policy's)"
    )
    one_unused_voucher: StrictBool = Field(
        default=True, description="refuse a worker who holds an unused voucher of this policy"
    )


class PolicyIn(Input):
    """A voucher policy: what it pays for, how much, how long, how many, and for whom."""

    name: Text
    region_prefix: Annotated[str, Field(min_length=2, max_length=6)] | None = Field(
        default=None, description="the policy's region (default: your agency's scope)"
    )
    training_types: Annotated[list[TrainingType], Field(max_length=3)] = Field(
        default_factory=list, description="empty: any training type"
    )
    occupation_codes: Annotated[
        list[Annotated[str, Field(max_length=20)]], Field(max_length=200)
    ] = Field(default_factory=list, description="empty: any occupation")
    brands: Annotated[list[SkillBrand], Field(max_length=10)] = Field(
        default_factory=list, description="empty: any course, branded or not"
    )
    face_value_fen: Fen = Field(description="integer fen (分)")
    validity_days: Annotated[StrictInt, Field(ge=1, le=3650)] | None = Field(
        default=None, description="valid this many days from issue (or give valid_until)"
    )
    valid_until: date | None = Field(
        default=None, description="valid until the end of this day, China time"
    )
    quantity: Annotated[StrictInt, Field(ge=1, le=10_000_000)] = Field(
        description="how many vouchers the policy may issue in all its versions"
    )
    rules: RulesIn = Field(default_factory=RulesIn)


class PolicyVersionIn(PolicyIn):
    """The whole content of the next version, and what it changes."""

    change_note: Annotated[str, Field(min_length=1, max_length=500)]


class RulesOut(BaseModel):
    """The eligibility rules of a policy version."""

    registered_unemployed: bool
    min_unemployment_insurance_months: int | None
    min_age: int | None
    max_age: int | None
    region_prefix: str
    one_unused_voucher: bool


class PolicyOut(BaseModel):
    """One version of a policy, and the state of the policy."""

    id: str = Field(description="this version's id")
    policy_key: str = Field(description="the same for every version of the policy")
    version_no: int
    current: bool = Field(description="vouchers are issued under the current version only")
    current_version_id: str
    name: str
    region_prefix: str
    training_types: list[TrainingType]
    occupation_codes: list[str]
    brands: list[SkillBrand]
    face_value_fen: int
    validity_days: int | None
    valid_until: date | None
    quantity: int
    issued: int = Field(description="vouchers issued under all versions")
    remaining: int
    rules: RulesOut
    change_note: str
    created_at: datetime


class RuleOutcomeOut(BaseModel):
    """One rule applied to one worker, with its reason in Chinese and in English."""

    rule: RuleCode
    passed: bool
    reason_zh: str
    reason_en: str


class EligibilityOut(BaseModel):
    """Eligible or not, with the reason for every rule of the policy."""

    policy_id: str
    policy_name: str
    policy_version: int
    policy_current: bool
    worker_id: str
    eligible: bool
    rules: list[RuleOutcomeOut]
    checked_at: datetime


class VoucherIn(Input):
    """Issue one voucher."""

    policy_id: Id
    worker_id: Id = Field(description="the worker's archive id")
    note: Note = Field(default="", description="why this worker gets it (the worker reads it)")


class VoucherRowIn(Input):
    """One worker: by archive id, or by identity document and name together."""

    worker_id: Id | None = None
    id_type: IdType = IdType.RESIDENT_ID
    id_number: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    name: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    nationality: Annotated[str, Field(max_length=3)] | None = None


class BulkVoucherIn(Input):
    """Issue to a list of workers (CSV with the same column names is accepted too)."""

    policy_id: Id
    note: Note = ""
    rows: Annotated[list[VoucherRowIn], Field(min_length=1, max_length=MAX_BULK_ROWS)]


class BindIn(Input):
    """The enrolment to bind the voucher to."""

    enrolment_id: Id


class ReleaseIn(Input):
    """An optional note on a release."""

    reason: Note = ""


class CancelIn(Input):
    """Why the voucher is cancelled (the worker reads it)."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class ConsentIn(Input):
    """Whether a provider that trains me may bind this voucher to my enrolment there."""

    provider_may_bind: StrictBool


class CoverageOut(BaseModel):
    """What the voucher pays for (empty: any)."""

    training_types: list[TrainingType]
    occupation_codes: list[str]
    brands: list[SkillBrand]


class VoucherOut(BaseModel):
    """A voucher. ``status`` is the effective one: past its end an unused voucher is expired,
    whether or not the sweep has marked it yet."""

    id: str
    policy_id: str
    policy_key: str
    policy_version: int
    policy_name: str
    worker_id: str
    worker_name: str
    worker_masked_id: str
    region_code: str
    face_value_fen: int
    coverage: CoverageOut
    status: VoucherStatus
    valid_from: datetime
    valid_until: datetime
    provider_may_bind: bool
    enrolment_id: str | None
    organisation_id: str | None
    issue_note: str
    grounds: list[RuleOutcomeOut] = Field(
        description="why the worker got it: the rules as they were met at issue "
        "(not shown to providers)"
    )
    claimed_amount_fen: int = Field(default=0, description="while claimed: the amount asked")
    redeemed_amount_fen: int = Field(default=0, description="once redeemed: the amount owed")
    version: int
    created_at: datetime
    updated_at: datetime


class VoucherEventOut(BaseModel):
    """One transition of a voucher: who, when, from, to, why."""

    version: int
    action: VoucherAction
    from_state: VoucherStatus | None
    to_state: VoucherStatus
    reason: str
    by_role: str
    by_principal: str
    at: datetime
    details: dict[str, str]


class FieldErrorOut(BaseModel):
    """One rule one field broke."""

    field: str
    rule: str
    message: str


class VoucherRowOut(BaseModel):
    """One row's outcome in a bulk issue."""

    row: int
    status: Literal["issued", "not_eligible", "error"]
    voucher: VoucherOut | None = None
    failed_rules: list[RuleOutcomeOut] = Field(default_factory=list)
    errors: list[FieldErrorOut] = Field(default_factory=list)
    detail: str = ""


class BulkVoucherOut(BaseModel):
    """Per-row results: eligible rows get a voucher while the quantity lasts."""

    issued: int
    not_eligible: int
    failed: int
    rows: list[VoucherRowOut]


class ExpiredOut(BaseModel):
    """How many vouchers past their end this sweep marked expired."""

    expired: int


class MyPolicyOut(BaseModel):
    """A published policy covering the worker's region, and whether the worker is eligible."""

    policy: PolicyOut
    eligible: bool
    rules: list[RuleOutcomeOut]


# ---- claims, decisions, settlement (vouchers, part 2) -------------------------------------


class ClaimIn(Input):
    """A provider's claim for a voucher it trained the worker with."""

    amount_fen: Fen = Field(
        description="integer fen (分), at most the face value or the course's subsidy "
        "standard, whichever is lower"
    )
    note: Note = ""


class RedeemIn(Input):
    """An optional note on an approval."""

    note: Note = ""


class RejectIn(Input):
    """Why the claim goes back to the provider (the voucher returns to ``bound``)."""

    reason: RejectReason
    note: Note = Field(default="", description="required when the reason is `other`")


class SessionEvidenceOut(BaseModel):
    """One session as it counts: the latest confirmed record."""

    session_n: int
    hours: float
    capture_method: CaptureMethod
    confirmed_by: str = Field(description="`worker`, or the real-name check-in method")
    confirmed_at: datetime | None


class EnrolmentEvidenceOut(BaseModel):
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


class CertificateEvidenceOut(BaseModel):
    """A certificate recorded for the enrolment."""

    id: str
    number: str
    certificate_type: CertificateType
    level: SkillLevel | None
    issue_date: date
    status: CertificateStatus


class EvidenceOut(BaseModel):
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


class ClaimOut(BaseModel):
    """A claimed or redeemed voucher with its evidence."""

    voucher: VoucherOut
    claimed_amount_fen: int
    claimed_at: datetime | None
    claim_note: str
    redeemed_amount_fen: int
    redeemed_at: datetime | None
    evidence: EvidenceOut


class MoneyOut(BaseModel):
    """Money of a provider (or of an agency's region): owed and paid, integer fen."""

    claims_pending: int = Field(description="claims awaiting a decision")
    owed_fen: int = Field(description="their amounts")
    vouchers_paid: int = Field(description="redeemed vouchers")
    paid_fen: int = Field(description="the ledger's total for them")


class SettlementRowOut(BaseModel):
    """What one provider is owed for the period."""

    organisation_id: str
    provider: str
    credit_code: str
    vouchers: int
    amount_fen: int


class SettlementOut(BaseModel):
    """Redemptions of the region in a period (China dates, both included), by provider."""

    region_prefix: str
    start: date
    end: date
    vouchers: int
    amount_fen: int
    rows: list[SettlementRowOut]
