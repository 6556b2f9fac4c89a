"""What the voucher services accept from outside: plain values, as the request models give them.

A request model (a JSON body, or a page's form later) converts itself into these
(``to_domain()``), so every face goes through the same contract; the services validate them
and answer with every problem at once. Nothing here touches storage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from portfolio.identity import IdType
from portfolio.vocabulary import FundingSource, PriorityGroup, SkillBrand, TrainingType


@dataclass(frozen=True)
class RulesContent:
    """Eligibility rules as an agency states them; the region defaults to the policy's."""

    registered_unemployed: bool = False
    min_unemployment_insurance_months: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    region_prefix: str | None = None
    one_unused_voucher: bool = True
    priority_groups: Sequence[PriorityGroup] = ()


@dataclass(frozen=True)
class ClaimTermsContent:
    """How a policy pays claims, as an agency states them (None: the setting decides)."""

    retroactive_days: int = 0
    max_claims_per_year: int | None = None
    two_approvals_above_fen: int | None = None
    attestation_wait_days: int | None = None


@dataclass(frozen=True)
class PolicyContent:
    """Everything one version of a policy says (validated by ``publish``)."""

    name: str
    face_value_fen: int
    quantity: int
    validity_days: int | None = None
    fixed_end: date | None = None
    region_prefix: str | None = None
    training_types: Sequence[TrainingType] = ()
    occupation_codes: Sequence[str] = ()
    brands: Sequence[SkillBrand] = ()
    rules: RulesContent = field(default_factory=RulesContent)
    claim_terms: ClaimTermsContent = field(default_factory=ClaimTermsContent)
    funding_source: FundingSource = FundingSource.UNSPECIFIED
    # What a new version changes (required for versions after the first; the first has none).
    change_note: str = ""


@dataclass(frozen=True)
class IssueRow:
    """One row of a bulk issue: a worker by archive id, or by ID number and name together.

    An archive id wins when both are given; a row naming the worker neither way is refused on
    its own (the other rows go on).
    """

    worker_id: str | None = None
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str | None = None
    name: str | None = None
    nationality: str | None = None
