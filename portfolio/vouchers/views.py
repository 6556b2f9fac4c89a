"""What the voucher services return: plain values, never stored documents.

JSON responses and web pages both render these. The rules about what a caller may see live
here, next to the data, so no face has to know them:

* a voucher shows its *effective* status: an unused voucher past its end is expired, whether
  or not the sweep has marked it yet;
* a provider never sees the grounds on which the worker got a voucher (unemployment,
  insurance, age: the worker's circumstances, not what the provider needs to train or claim);
* amounts are integer fen; moments stored as epoch milliseconds are shown as datetimes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.errors import FieldError
from portfolio.training import (
    CaptureMethod,
    CertificateStatus,
    CertificateType,
    CompletionResult,
    EnrolmentStatus,
)
from portfolio.vocabulary import FundingSource, PriorityGroup, SkillBrand, SkillLevel, TrainingType
from portfolio.vouchers.documents import (
    ClaimTerms,
    Coverage,
    EligibilityRules,
    RuleOutcome,
    Voucher,
    VoucherEvent,
)
from portfolio.vouchers.enums import RuleCode, VoucherAction, VoucherStatus
from portfolio.vouchers.review import ReviewView
from portfolio.vouchers.rules import PolicyState, effective_status

T = TypeVar("T")


def shows_grounds(viewer: Actor) -> bool:
    """Whether ``viewer`` may see why a worker got a voucher: everyone who reaches the voucher
    but its provider, who needs the voucher and not the circumstances that earned it."""
    return viewer.role is not Role.PROVIDER


def _moment(ms: int) -> datetime | None:
    """A moment stored as epoch milliseconds (0: not yet)."""
    return clock.from_epoch_ms(ms) if ms else None


@dataclass(frozen=True)
class ViewPage(Generic[T]):
    """One page of a keyset list; ``next_cursor`` fetches the next one (None: the last)."""

    items: tuple[T, ...]
    next_cursor: str | None

    @classmethod
    def of(cls, items: Sequence[T], ids: Sequence[object], limit: int) -> ViewPage[T]:
        """A page that asked for ``limit``, ``ids`` being the keys read: a full page hands out
        its last key as the cursor (the same rule as every other list)."""
        full = bool(ids) and len(ids) == limit and ids[-1] is not None
        return cls(tuple(items), str(ids[-1]) if full else None)


# ---- policies and eligibility ------------------------------------------------------------


@dataclass(frozen=True)
class RuleOutcomeView:
    """One rule applied to one worker, with its reason in Chinese and in English."""

    rule: RuleCode
    passed: bool
    reason_zh: str
    reason_en: str

    @classmethod
    def of(cls, outcome: RuleOutcome) -> RuleOutcomeView:
        """The view of a rule's outcome."""
        return cls(outcome.rule, outcome.passed, outcome.reason_zh, outcome.reason_en)


def outcomes_view(outcomes: Sequence[RuleOutcome]) -> tuple[RuleOutcomeView, ...]:
    """The views of ``outcomes``, in their order."""
    return tuple(RuleOutcomeView.of(o) for o in outcomes)


@dataclass(frozen=True)
class RulesView:
    """The eligibility rules of a policy version."""

    registered_unemployed: bool
    min_unemployment_insurance_months: int | None
    min_age: int | None
    max_age: int | None
    region_prefix: str
    one_unused_voucher: bool
    priority_groups: tuple[PriorityGroup, ...]

    @classmethod
    def of(cls, rules: EligibilityRules) -> RulesView:
        """The view of a version's rules."""
        return cls(
            registered_unemployed=rules.registered_unemployed,
            min_unemployment_insurance_months=rules.min_unemployment_insurance_months,
            min_age=rules.min_age,
            max_age=rules.max_age,
            region_prefix=rules.region_prefix,
            one_unused_voucher=rules.one_unused_voucher,
            priority_groups=tuple(rules.priority_groups),
        )


@dataclass(frozen=True)
class PolicyView:
    """One version of a policy, and the state of the policy (current version, counter)."""

    id: str
    policy_key: str
    version_no: int
    current: bool
    current_version_id: str
    name: str
    region_prefix: str
    training_types: tuple[TrainingType, ...]
    occupation_codes: tuple[str, ...]
    brands: tuple[SkillBrand, ...]
    face_value_fen: int
    validity_days: int | None
    valid_until: date | None
    quantity: int
    issued: int
    remaining: int
    rules: RulesView
    claim_terms: ClaimTerms
    funding_source: FundingSource
    change_note: str
    created_at: datetime

    @classmethod
    def of(cls, state: PolicyState) -> PolicyView:
        """The view of a version with its head."""
        policy, head = state.policy, state.head
        return cls(
            id=str(policy.id),
            policy_key=policy.policy_key,
            version_no=policy.version_no,
            current=state.current,
            current_version_id=head.current_version_id,
            name=policy.name,
            region_prefix=policy.region_prefix,
            training_types=tuple(policy.coverage.training_types),
            occupation_codes=tuple(policy.coverage.occupation_codes),
            brands=tuple(policy.coverage.brands),
            face_value_fen=policy.face_value_fen,
            validity_days=policy.validity_days,
            valid_until=policy.fixed_end,
            quantity=policy.quantity,
            issued=head.issued,
            remaining=state.remaining,
            rules=RulesView.of(policy.rules),
            claim_terms=policy.claim_terms,
            funding_source=policy.funding_source,
            change_note=policy.change_note,
            created_at=policy.created_at,
        )


@dataclass(frozen=True)
class EligibilityView:
    """Eligible or not for one policy version, with the reason for every rule."""

    policy: PolicyView
    worker_id: str
    rules: tuple[RuleOutcomeView, ...]
    checked_at: datetime

    @property
    def eligible(self) -> bool:
        """True when every rule passed."""
        return all(r.passed for r in self.rules)

    @property
    def policy_id(self) -> str:
        """The version asked about."""
        return self.policy.id

    @property
    def policy_name(self) -> str:
        """The policy's name in that version."""
        return self.policy.name

    @property
    def policy_version(self) -> int:
        """The version's number."""
        return self.policy.version_no

    @property
    def policy_current(self) -> bool:
        """Whether vouchers are issued under that version."""
        return self.policy.current


# ---- vouchers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageView:
    """What a voucher pays for (empty: any)."""

    training_types: tuple[TrainingType, ...]
    occupation_codes: tuple[str, ...]
    brands: tuple[SkillBrand, ...]

    @classmethod
    def of(cls, coverage: Coverage) -> CoverageView:
        """The view of a coverage."""
        return cls(
            tuple(coverage.training_types), tuple(coverage.occupation_codes), tuple(coverage.brands)
        )


@dataclass(frozen=True)
class VoucherView:
    """A voucher as ``viewer`` may see it, at a moment: its effective status, and its grounds
    unless the viewer is a provider."""

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
    coverage: CoverageView
    status: VoucherStatus
    valid_from: datetime
    valid_until: datetime
    provider_may_bind: bool
    enrolment_id: str | None
    organisation_id: str | None
    issue_note: str
    grounds: tuple[RuleOutcomeView, ...]
    claimed_amount_fen: int
    redeemed_amount_fen: int
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, voucher: Voucher, *, viewer: Actor, now: datetime) -> VoucherView:
        """``voucher`` as ``viewer`` sees it at ``now``."""
        return cls(
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
            coverage=CoverageView.of(voucher.coverage),
            status=effective_status(voucher.status, voucher.valid_until, now),
            valid_from=voucher.valid_from,
            valid_until=voucher.valid_until,
            provider_may_bind=voucher.provider_may_bind,
            enrolment_id=voucher.enrolment_id or None,
            organisation_id=voucher.organisation_id or None,
            issue_note=voucher.issue_note,
            grounds=outcomes_view(voucher.grounds) if shows_grounds(viewer) else (),
            claimed_amount_fen=voucher.claimed_amount_fen,
            redeemed_amount_fen=voucher.redeemed_amount_fen,
            version=voucher.version,
            created_at=voucher.created_at,
            updated_at=voucher.updated_at,
        )


@dataclass(frozen=True)
class VoucherEventView:
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

    @classmethod
    def of(cls, event: VoucherEvent) -> VoucherEventView:
        """The view of an event row."""
        return cls(
            version=event.version,
            action=event.action,
            from_state=event.from_state,
            to_state=event.to_state,
            reason=event.reason,
            by_role=event.by.role,
            by_principal=event.by.principal,
            at=event.at,
            details=dict(event.details),
        )


@dataclass(frozen=True)
class IssueRowView:
    """One row's outcome in a bulk issue: ``issued`` (with its voucher), ``not_eligible``
    (with the failing rules) or ``error``."""

    row: int
    status: str
    voucher: VoucherView | None
    failed_rules: tuple[RuleOutcomeView, ...]
    errors: tuple[FieldError, ...]
    detail: str


@dataclass(frozen=True)
class BulkIssueView:
    """Every row's outcome, in the order given, with the counts."""

    rows: tuple[IssueRowView, ...]

    @property
    def issued(self) -> int:
        """Rows that got a voucher."""
        return sum(1 for r in self.rows if r.status == "issued")

    @property
    def not_eligible(self) -> int:
        """Rows refused by the policy's rules."""
        return sum(1 for r in self.rows if r.status == "not_eligible")

    @property
    def failed(self) -> int:
        """Rows that failed otherwise (unknown worker, quantity used up, ...)."""
        return len(self.rows) - self.issued - self.not_eligible


# ---- claims, money, settlement -----------------------------------------------------------


@dataclass(frozen=True)
class SessionEvidenceView:
    """One session's attendance as it counts: the latest confirmed record."""

    session_n: int
    hours: float
    capture_method: CaptureMethod
    # "worker" when the worker confirmed a provider's record, else the real-name method.
    confirmed_by: str
    confirmed_at: datetime | None


@dataclass(frozen=True)
class EnrolmentEvidenceView:
    """The enrolment a voucher is bound to, its course and its completion."""

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


@dataclass(frozen=True)
class CertificateEvidenceView:
    """A certificate recorded for the enrolment."""

    id: str
    number: str
    certificate_type: CertificateType
    level: SkillLevel | None
    issue_date: date
    status: CertificateStatus


@dataclass(frozen=True)
class EvidenceView:
    """What an agency looks at before paying a claim."""

    enrolment: EnrolmentEvidenceView | None
    sessions: tuple[SessionEvidenceView, ...]
    hours_confirmed: float
    hours_needed: float
    worker_confirmed_sessions: int
    unconfirmed_sessions: int
    certificates: tuple[CertificateEvidenceView, ...]
    cap_fen: int


@dataclass(frozen=True)
class ClaimView:
    """A claimed (or decided) voucher with its claim, its redemption and its evidence."""

    voucher: VoucherView
    claimed_amount_fen: int
    claimed_at: datetime | None
    claim_note: str
    redeemed_amount_fen: int
    redeemed_at: datetime | None
    evidence: EvidenceView
    review: ReviewView

    @classmethod
    def of(
        cls, voucher: Voucher, evidence: EvidenceView, *, viewer: Actor, now: datetime
    ) -> ClaimView:
        """The claim on ``voucher`` as ``viewer`` sees it at ``now``."""
        return cls(
            voucher=VoucherView.of(voucher, viewer=viewer, now=now),
            claimed_amount_fen=voucher.claimed_amount_fen,
            claimed_at=_moment(voucher.claimed_at_ms),
            claim_note=voucher.claim_note,
            redeemed_amount_fen=voucher.redeemed_amount_fen,
            redeemed_at=_moment(voucher.redeemed_at_ms),
            evidence=evidence,
            review=ReviewView.of(voucher, viewer=viewer),
        )


@dataclass(frozen=True)
class SourceTotalView:
    """Money paid from one fund: how many ledger entries and how much, integer fen."""

    funding_source: FundingSource
    payments: int
    amount_fen: int


@dataclass(frozen=True)
class MoneyView:
    """Money of a provider (or of an agency's region): owed and paid, integer fen."""

    claims_pending: int
    owed_fen: int
    vouchers_paid: int
    paid_fen: int
    # What was paid, by fund (every fund that paid anything, in the vocabulary's order).
    paid_by_source: tuple[SourceTotalView, ...] = ()


@dataclass(frozen=True)
class SettlementRowView:
    """What one provider is owed for the period."""

    organisation_id: str
    provider: str
    credit_code: str
    vouchers: int
    amount_fen: int


@dataclass(frozen=True)
class SettlementView:
    """The period (China dates, both included) and its rows, largest amount first."""

    region_prefix: str
    start: date
    end: date
    rows: tuple[SettlementRowView, ...]
    # The same money by fund (every fund that paid in the period, in the vocabulary's order).
    sources: tuple[SourceTotalView, ...] = ()

    @property
    def vouchers(self) -> int:
        """Vouchers redeemed in the period."""
        return sum(r.vouchers for r in self.rows)

    @property
    def amount_fen(self) -> int:
        """Money owed for the period, in fen."""
        return sum(r.amount_fen for r in self.rows)
