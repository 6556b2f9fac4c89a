"""Requests and responses of voucher policies and eligibility.

Responses are built from the domain's views (``portfolio/vouchers/views.py``): each response
model reads the view's attributes (``Model.model_validate(view)``), so no route copies a field.
Requests convert themselves into the domain's arguments (``to_domain()``), so a JSON body and
a form post go through the same model.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StrictBool, StrictInt

from portfolio.vocabulary import FundingSource, PriorityGroup, SkillBrand, TrainingType
from portfolio.vouchers.enums import RuleCode
from portfolio.vouchers.inputs import ClaimTermsContent, PolicyContent, RulesContent
from schemas.common import Input, Output

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
    priority_groups: Annotated[list[PriorityGroup], Field(max_length=8)] = Field(
        default_factory=list,
        description="a member of one of these priority groups (重点群体) on the day; empty: any",
    )

    def to_domain(self) -> RulesContent:
        """The rules as the domain states them."""
        return RulesContent(
            registered_unemployed=self.registered_unemployed,
            min_unemployment_insurance_months=self.min_unemployment_insurance_months,
            min_age=self.min_age,
            max_age=self.max_age,
            region_prefix=self.region_prefix,
            one_unused_voucher=self.one_unused_voucher,
            priority_groups=tuple(self.priority_groups),
        )


class ClaimTermsIn(Input):
    """How the policy pays claims (docs/integrity-money.md); each left out takes its default."""

    retroactive_days: Annotated[StrictInt, Field(ge=0, le=365)] = Field(
        default=0,
        description="a voucher pays for training that started at most this many days before "
        "it was issued (0: the voucher must be issued before the first session)",
    )
    max_claims_per_year: Annotated[StrictInt, Field(ge=1, le=100)] | None = Field(
        default=None,
        description="claims for one worker in 365 days above which a claim is flagged "
        "(null: the service's setting)",
    )
    two_approvals_above_fen: Annotated[StrictInt, Field(ge=1, le=MAX_FACE_VALUE_FEN)] | None = (
        Field(
            default=None,
            description="a claim above this amount needs two approvals by two officers",
        )
    )
    attestation_wait_days: Annotated[StrictInt, Field(ge=0, le=365)] | None = Field(
        default=None,
        description="days a claim waits for the worker's attestation before it may be decided "
        "without it (null: the service's setting)",
    )

    def to_domain(self) -> ClaimTermsContent:
        """The terms as the domain states them."""
        return ClaimTermsContent(
            retroactive_days=self.retroactive_days,
            max_claims_per_year=self.max_claims_per_year,
            two_approvals_above_fen=self.two_approvals_above_fen,
            attestation_wait_days=self.attestation_wait_days,
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
    claim_terms: ClaimTermsIn = Field(default_factory=ClaimTermsIn)
    funding_source: FundingSource = Field(
        default=FundingSource.UNSPECIFIED, description="the fund that pays its vouchers"
    )

    def to_domain(self) -> PolicyContent:
        """What the version says, as ``policies.publish`` takes it."""
        return PolicyContent(
            name=self.name,
            face_value_fen=self.face_value_fen,
            quantity=self.quantity,
            validity_days=self.validity_days,
            fixed_end=self.valid_until,
            region_prefix=self.region_prefix,
            training_types=self.training_types,
            occupation_codes=self.occupation_codes,
            brands=self.brands,
            rules=self.rules.to_domain(),
            claim_terms=self.claim_terms.to_domain(),
            funding_source=self.funding_source,
        )


class PolicyVersionIn(PolicyIn):
    """The whole content of the next version, and what it changes."""

    change_note: Annotated[str, Field(min_length=1, max_length=500)]

    def to_domain(self) -> PolicyContent:
        """What the next version says and changes, as ``policies.publish_version`` takes it."""
        return replace(super().to_domain(), change_note=self.change_note)


class RulesOut(Output):
    """The eligibility rules of a policy version."""

    registered_unemployed: bool
    min_unemployment_insurance_months: int | None
    min_age: int | None
    max_age: int | None
    region_prefix: str
    one_unused_voucher: bool
    priority_groups: list[PriorityGroup]


class ClaimTermsOut(Output):
    """How the policy pays claims."""

    retroactive_days: int
    max_claims_per_year: int | None
    two_approvals_above_fen: int | None
    attestation_wait_days: int | None


class PolicyOut(Output):
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
    claim_terms: ClaimTermsOut
    funding_source: FundingSource
    change_note: str
    created_at: datetime


class RuleOutcomeOut(Output):
    """One rule applied to one worker, with its reason in Chinese and in English."""

    rule: RuleCode
    passed: bool
    reason_zh: str
    reason_en: str


class EligibilityOut(Output):
    """Eligible or not, with the reason for every rule of the policy."""

    policy_id: str
    policy_name: str
    policy_version: int
    policy_current: bool
    worker_id: str
    eligible: bool
    rules: list[RuleOutcomeOut]
    checked_at: datetime


class MyPolicyOut(Output):
    """A published policy covering the worker's region, and whether the worker is eligible."""

    policy: PolicyOut
    eligible: bool
    rules: list[RuleOutcomeOut]
