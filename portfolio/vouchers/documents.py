"""Storage of the voucher area. Documents only: rules live in rules.py, queries in services.

* ``voucher_policies``: one document per *version* of a policy. A version is never changed
  after it is written; a change is a new version with the same ``policy_key``.
* ``voucher_policy_heads``: one per policy (``_id`` = the first version's id = the
  ``policy_key``): which version is current and the issued counter that the quantity cap is
  enforced on (one conditional ``$inc``).
* ``vouchers``: the voucher's whole state and ``version`` in one document, so each transition
  is one conditional update; ``last_event`` repeats the event that update made, so a missing
  event row can be restored from the voucher alone.
* ``voucher_events``: insert-only; ``_id`` is ``"<voucher id>:<version>"``, so a retried write
  of the same transition cannot add a second row.

References are hex strings (nx-27017 matches no ObjectId by equality outside ``_id``). Keys
that must be unique only while a voucher holds something (``holding_key``, ``binding_key``)
carry a per-voucher placeholder otherwise, so they are always present and uniquely indexed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from portfolio.archives import Recorder
from portfolio.integrity import Flag
from portfolio.vocabulary import FundingSource, PriorityGroup, SkillBrand, TrainingType
from portfolio.vouchers.enums import RuleCode, VoucherAction, VoucherStatus


class Coverage(BaseModel):
    """What a policy pays for; an empty list means "any"."""

    training_types: list[TrainingType]
    occupation_codes: list[str]
    brands: list[SkillBrand]


class EligibilityRules(BaseModel):
    """The rules of one policy version (None / False: the rule is not part of the policy).

    The region rule is always present: ``region_prefix`` lies within the policy's region.
    """

    registered_unemployed: bool = False
    min_unemployment_insurance_months: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    region_prefix: str
    one_unused_voucher: bool = True
    # Member of one of these priority groups (empty: not a rule; old versions read so).
    priority_groups: list[PriorityGroup] = Field(default_factory=list)


class ClaimTerms(BaseModel):
    """How a policy pays claims (docs/integrity-money.md); a version written before these
    terms reads with the defaults: no retroactive window, the settings decide the rest."""

    # A voucher pays for training whose first session starts at most this many days before
    # the voucher was issued (0: the voucher must come first).
    retroactive_days: int = 0
    # Claims for one worker under the policy in 365 days above which a claim is flagged
    # (None: the setting ``fraud_max_claims_per_year``).
    max_claims_per_year: int | None = None
    # A claim above this amount (fen) needs two approvals by two officers (None: one).
    two_approvals_above_fen: int | None = None
    # Days a claim waits for the worker's attestation before it may be decided without it
    # (None: the setting ``claim_attestation_wait_days``).
    attestation_wait_days: int | None = None


class VoucherPolicy(Document):
    """One published version of a voucher policy (immutable once written)."""

    policy_key: str
    version_no: int
    name: str
    # The agency scope the policy belongs to (2, 4 or 6 digits); fixed across versions.
    region_prefix: str
    coverage: Coverage
    face_value_fen: int
    # Exactly one of the two: days from issue, or the last valid day (China time).
    validity_days: int | None
    fixed_end: date | None
    quantity: int
    rules: EligibilityRules
    claim_terms: ClaimTerms = Field(default_factory=ClaimTerms)
    # The fund that pays its vouchers; versions written before sources read "unspecified".
    funding_source: FundingSource = FundingSource.UNSPECIFIED
    change_note: str
    created_at: datetime
    created_by: str

    class Settings:
        name = "voucher_policies"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("policy_key", ASCENDING), ("version_no", ASCENDING)], unique=True),
            # nx-27017 does not use a compound index for its first field alone.
            IndexModel([("policy_key", ASCENDING)]),
        ]


class PolicyHead(Document):
    """The mutable part of a policy: its current version and how many vouchers it issued."""

    id: PydanticObjectId  # the policy_key: the first version's id
    region_prefix: str
    current_version_id: str
    version_no: int
    # Moved only by conditional $inc (never above the current version's quantity).
    issued: int = 0
    created_at: datetime

    class Settings:
        name = "voucher_policy_heads"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("region_prefix", ASCENDING)])]


class RuleOutcome(BaseModel):
    """One rule applied to one worker: passed or not, and why, in Chinese and English."""

    rule: RuleCode
    passed: bool
    reason_zh: str
    reason_en: str


class EventRecord(BaseModel):
    """One transition of a voucher: who, when, from, to, why."""

    version: int
    action: VoucherAction
    from_state: VoucherStatus | None
    to_state: VoucherStatus
    reason: str
    by: Recorder
    at: datetime
    details: dict[str, str]


class Voucher(Document):
    """A training voucher held by one worker; never deleted."""

    policy_id: str
    policy_key: str
    policy_version: int
    policy_name: str
    # The worker's region at issue: the region whose agencies reach the voucher.
    region_code: str
    archive_id: str
    # Copied at issue so lists never need the archive (and never more than the masked number).
    worker_name: str
    worker_masked_id: str
    face_value_fen: int
    coverage: Coverage
    # The policy version's fund, copied at issue so the redemption's ledger entry is derived
    # from the voucher alone (vouchers issued before sources read "unspecified").
    funding_source: FundingSource = FundingSource.UNSPECIFIED
    valid_from: datetime
    # Written once at issue; past it the voucher counts as expired in every check, whether or
    # not the sweep has marked it yet. Queries compare ``valid_until_ms`` (epoch milliseconds):
    # nx-27017 compares datetimes in filters to the whole second only
    # (tests/storage/test_voucher_patterns.py).
    valid_until: datetime
    valid_until_ms: int
    status: VoucherStatus
    # Why the worker got it: the rules as they were passed at issue.
    grounds: list[RuleOutcome]
    issue_note: str
    # The worker's consent that a provider training them may bind it (used up by a bind).
    provider_may_bind: bool = False
    # The enrolment it is (or was last) bound to, and that enrolment's provider; "" if none.
    enrolment_id: str = ""
    organisation_id: str = ""
    # "<policy_key>|<archive_id>" while unused under a one-unused-voucher policy, else
    # "free|<voucher id>": the unique index refuses a second unused voucher to racing issues.
    holding_key: str
    # "enrolment|<enrolment id>" while bound (or claimed, redeemed), else "free|<voucher id>":
    # one voucher per enrolment.
    binding_key: str
    # The claim (vouchers, part 2): set by the claim's conditional update, cleared by a
    # rejection; epoch ms because nx-27017 mangles a datetime given to $set.
    claimed_amount_fen: int = 0
    claimed_at_ms: int = 0
    claim_note: str = ""
    # Integrity (docs/integrity-money.md), written by the claim's update and cleared by a
    # rejection: the fraud rules' flags, their codes (the queue filters on them) and total
    # score (it sorts on it); the worker's attestation ("" awaiting, "confirmed", "disputed",
    # "counter": an officer saw the worker) with the worker's words; the first of two
    # approvals when the claim needs two.
    flags: list[Flag] = Field(default_factory=list)
    flag_codes: list[str] = Field(default_factory=list)
    flag_score: int = 0
    attestation: str = ""
    # Until then (epoch ms) an unanswered claim waits for the worker (0: no wait, as for
    # claims written before attestation existed).
    attestation_due_ms: int = 0
    attestation_words: str = ""
    attested_at_ms: int = 0
    attested_by: str = ""
    # Counts the attestation's answers (it moves apart from ``version``, see
    # vouchers/attestation.py): the version of the voucher's ``attestation`` trail chain.
    attestation_version: int = 0
    first_approved_by: str = ""
    first_approved_at_ms: int = 0
    first_approval_note: str = ""
    # The redemption, set by its one conditional update (the ledger entry copies the amount);
    # ``redeemed_entry_seq`` stays 0 until the archive entry is noted: what repair looks for.
    redeemed_amount_fen: int = 0
    redeemed_at_ms: int = 0
    redeemed_entry_seq: int = 0
    version: int = 0
    last_event: EventRecord
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "vouchers"
        indexes: ClassVar[list[IndexModel]] = [
            # The claims queue and the repair routine look vouchers up by status.
            IndexModel([("status", ASCENDING)]),
            IndexModel([("archive_id", ASCENDING)]),
            # The repair routine finds the attestations answered since its last run.
            IndexModel([("attested_at_ms", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("enrolment_id", ASCENDING)]),
            IndexModel([("policy_key", ASCENDING)]),
            IndexModel([("valid_until_ms", ASCENDING)]),
            # Indexes on claimed_at_ms and flag_score (the queue's and dashboard's sorts) were
            # measured with bench.claims_queue at 10,000 waiting claims, side by side in one
            # run, three times: within the noise (p50 -13 % to +27 %), so not added.
            # The start-up repair looks at the vouchers changed since its last run.
            IndexModel([("updated_at", ASCENDING)]),
            IndexModel([("holding_key", ASCENDING)], unique=True),
            IndexModel([("binding_key", ASCENDING)], unique=True),
        ]


class IssueBatch(Document):
    """One bulk issue: the vouchers it is about to insert, written before them.

    Their issue is one domain event (``vouchers:issued:<batch>``); after a crash between the
    insert and its publication, the repair routine derives that event again from the vouchers
    of the batch that were stored.
    """

    id: str  # type: ignore[assignment]
    voucher_ids: list[str]
    # When (epoch ms, the domain clock, as the vouchers' ``created_at``).
    at_ms: int

    class Settings:
        name = "voucher_issue_batches"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("at_ms", ASCENDING)])]


class VoucherEvent(Document):
    """One transition of one voucher; insert-only, ``_id`` = ``"<voucher id>:<version>"``."""

    id: str  # type: ignore[assignment]
    voucher_id: str
    archive_id: str
    region_code: str
    version: int
    action: VoucherAction
    from_state: VoucherStatus | None
    to_state: VoucherStatus
    reason: str
    by: Recorder
    at: datetime
    details: dict[str, str]

    class Settings:
        name = "voucher_events"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("voucher_id", ASCENDING)])]

    @classmethod
    def of(cls, voucher: Voucher, record: EventRecord) -> VoucherEvent:
        """The event row of ``record`` on ``voucher`` (its deterministic id included)."""
        return cls(
            id=event_id(str(voucher.id), record.version),
            voucher_id=str(voucher.id),
            archive_id=voucher.archive_id,
            region_code=voucher.region_code,
            **record.model_dump(),
        )


def event_id(voucher_id: str, version: int) -> str:
    """The deterministic id of the event that brought ``voucher_id`` to ``version``."""
    return f"{voucher_id}:{version}"
