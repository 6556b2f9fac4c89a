"""Requests and responses of vouchers: issue (one or a list), read, consent, bind, release,
cancel, expire. Built as schemas/voucher_policies.py describes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool

from portfolio.identity.identifiers import IdType
from portfolio.vocabulary import SkillBrand, TrainingType
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.inputs import IssueRow
from schemas.common import Input, Output
from schemas.voucher_policies import Id, Note, RuleOutcomeOut

# Issue 12: a bulk request takes at least 10,000 rows (a whole district's list at once).
MAX_BULK_ROWS = 10_000


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

    def to_domain(self) -> IssueRow:
        """The row as ``issuance.issue_many`` takes it."""
        return IssueRow(
            worker_id=self.worker_id,
            id_type=self.id_type,
            id_number=self.id_number,
            name=self.name,
            nationality=self.nationality,
        )


class BulkVoucherIn(Input):
    """Issue to a list of workers (CSV with the same column names is accepted too)."""

    policy_id: Id
    note: Note = ""
    rows: Annotated[list[VoucherRowIn], Field(min_length=1, max_length=MAX_BULK_ROWS)]

    def issue_rows(self) -> list[IssueRow]:
        """The rows as ``issuance.issue_many`` takes them, in order."""
        return [row.to_domain() for row in self.rows]


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


class CoverageOut(Output):
    """What the voucher pays for (empty: any)."""

    training_types: list[TrainingType]
    occupation_codes: list[str]
    brands: list[SkillBrand]


class VoucherOut(Output):
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


class VoucherEventOut(Output):
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


class FieldErrorOut(Output):
    """One rule one field broke."""

    field: str
    rule: str
    message: str


class VoucherRowOut(Output):
    """One row's outcome in a bulk issue."""

    row: int
    status: Literal["issued", "not_eligible", "error"]
    voucher: VoucherOut | None = None
    failed_rules: list[RuleOutcomeOut] = Field(default_factory=list)
    errors: list[FieldErrorOut] = Field(default_factory=list)
    detail: str = ""


class BulkVoucherOut(Output):
    """Per-row results: eligible rows get a voucher while the quantity lasts."""

    issued: int
    not_eligible: int
    failed: int
    rows: list[VoucherRowOut]


class ExpiredOut(Output):
    """How many vouchers past their end this sweep marked expired."""

    expired: int
