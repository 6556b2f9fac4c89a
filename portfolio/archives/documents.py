"""Storage of the archive area. Documents only: rules and queries live in the services.

No identity number, birth date or phone number is stored in plaintext: each is a ``Sealed``
value (AES-GCM, key id beside it), with a keyed blind index where a lookup needs one and a
masked form for display (SECURITY.md, "Personal data").
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from portfolio.accounts import Actor
from portfolio.archives.chain import GENESIS_HASH
from portfolio.identity import IdType, Sealed, Sex

# The stored form of an archive. 1 (no ``form`` field): birth date and phone in plaintext,
# masks ``510104********1234``; 2: both sealed, masks ``510104**********34``. ``portfolio
# migrate`` brings form-1 data to form 2; the services and the seeder write form 2 only.
ARCHIVE_FORM = 2


class AccountState(StrEnum):
    """Whether the worker has turned an activation code into a login yet."""

    PENDING = "pending"
    ACTIVE = "active"


class InsuranceScheme(StrEnum):
    """The five social insurance schemes (五险)."""

    PENSION = "pension"
    MEDICAL = "medical"
    UNEMPLOYMENT = "unemployment"
    WORK_INJURY = "work_injury"
    MATERNITY = "maternity"


class RegistrationKind(StrEnum):
    """An employment registration (就业登记) or an unemployment registration (失业登记)."""

    EMPLOYMENT = "employment"
    UNEMPLOYMENT = "unemployment"


class InsuredScheme(BaseModel):
    """Insured in ``scheme`` since the month ``since`` (``YYYY-MM``)."""

    scheme: InsuranceScheme
    since: str


class SocialSecurityLink(BaseModel):
    """The worker's social-security number, card and insured schemes."""

    number: Sealed
    number_masked: str
    card_number: str
    issuing_region: str
    schemes: list[InsuredScheme]
    updated_at: datetime


class EmploymentRegistration(BaseModel):
    """One employment or unemployment registration; ``end`` None while it is open."""

    registration_id: str
    kind: RegistrationKind
    employer_credit_code: str | None
    credit_code_overridden: bool
    employer_name: str | None
    start: date
    end: date | None
    occupation_code: str | None
    digital: bool
    green: bool
    labour_contract_end: date | None
    recorded_at: datetime


class EmploymentLink(BaseModel):
    """The employment and entrepreneurship certificate (就业创业证) and its registrations.

    The certificate number is sealed: in many places it is the holder's identity number.
    The registrations are a short list, always rewritten whole with ``$set`` under the
    archive's version precondition (no sub-document ``$push``; see STORAGE.md).
    """

    certificate_number: Sealed | None
    certificate_masked: str | None
    registrations: list[EmploymentRegistration]


class Head(BaseModel):
    """The last entry of the chain: its sequence number and hash (0 / genesis when empty)."""

    seq: int = 0
    hash: str = GENESIS_HASH


class KeptSummary(BaseModel):
    """The archive summary as the fold of the entries up to ``seq`` (``kept_summary.py``).

    ``value`` is plain JSON (the summary's fields); ``form`` is the fold's form when it was
    computed, so a changed fold makes every kept summary stale.
    """

    seq: int
    form: int
    value: dict[str, Any]


class Archive(Document):
    """One per worker: identity, links, account state, the chain's head and counters.

    ``id_index`` (blind index of the identity number) is unique: one archive per person.
    ``birth_date`` (ISO date) and ``phone`` are sealed like the identity number; ``sex`` and
    ``region_code`` stay in the clear (the masked form is chosen so that they, with any one
    year of birth, leave at least 1,000 numbers). A phone login is found through the keyed
    name of its principal (``portfolio.accounts.logins``), so no phone index is kept here.
    ``ssn_index`` is the blind index of the social-security number, or ``unset:<archive id>``
    until one is known, so that it is always present and can be uniquely indexed.
    ``summary`` is kept by reads (see ``kept_summary.py``); it never moves ``version``.
    ``version`` moves with every change of identity, region or links (not with appends:
    entries are ordered by ``head``, so appends never conflict with a link update).
    """

    name: str
    id_type: IdType
    nationality: str | None
    id_number: Sealed
    id_index: str
    id_masked: str
    birth_date: Sealed
    sex: Sex
    phone: Sealed
    phone_masked: str
    region_code: str
    ssn_index: str
    social_security: SocialSecurityLink | None = None
    employment: EmploymentLink | None = None
    account_state: AccountState = AccountState.PENDING
    head: Head = Field(default_factory=Head)
    # Entries per kind, moved by the same conditional update that moves the head.
    counters: dict[str, int] = Field(default_factory=dict)
    # The summary of the entries up to a head, kept by the first read that needed it.
    summary: KeptSummary | None = None
    version: int = 0
    form: int = ARCHIVE_FORM
    created_at: datetime
    created_by: str
    updated_at: datetime

    class Settings:
        name = "archives"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("id_index", ASCENDING)], unique=True),
            IndexModel([("ssn_index", ASCENDING)], unique=True),
            IndexModel([("region_code", ASCENDING)]),
        ]


class Recorder(BaseModel):
    """Who recorded an entry: the principal, its role and its organisation or region."""

    principal: str
    role: str
    organisation: str | None = None
    region: str | None = None

    @classmethod
    def of(cls, actor: Actor) -> Recorder:
        """The recorder for an authenticated actor."""
        return cls(
            principal=actor.principal_id,
            role=actor.role.value,
            organisation=actor.organisation_id,
            region=actor.region_prefix,
        )


class ArchiveEntry(Document):
    """One event in a worker's life; insert-only, chained by ``prev_hash`` and ``hash``.

    ``hash = sha256(prev_hash + canonical JSON of {archive_id, seq, kind, recorded_at,
    recorded_by, payload, corrects})`` (see ``chain.py``).
    """

    # References to archives are stored as hex strings: nx-27017 does not match ObjectId
    # values by equality outside _id (see tests/storage/test_archive_patterns.py).
    archive_id: str
    seq: int
    kind: str
    recorded_at: datetime
    recorded_by: Recorder
    payload: dict[str, Any]
    corrects: int | None
    prev_hash: str
    hash: str

    class Settings:
        name = "archive_entries"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("archive_id", ASCENDING), ("seq", ASCENDING)], unique=True),
            # nx-27017 does not use a compound index for its first field alone.
            IndexModel([("archive_id", ASCENDING)]),
        ]


class AccessAction(StrEnum):
    """What kind of read of personal data was logged."""

    SEARCH = "search"
    READ_FULL = "read_full"
    # Someone opened one of the worker's share links (portfolio/sharing/opening.py).
    SHARE_VIEW = "share_view"
    # A read of masked data: a worker's record, a class list, claim evidence.
    READ = "read"


class AccessLogEntry(Document):
    """Someone other than the worker read the worker's data (looked them up, read their
    record, a list showing them, full numbers), and why."""

    archive_id: str
    at: datetime
    principal_id: str
    username: str
    role: str
    organisation_id: str | None
    region_prefix: str | None
    action: AccessAction
    purpose: str
    # Which full values were shown (empty when only masked data was returned).
    fields: list[str]

    class Settings:
        name = "access_log"
        indexes: ClassVar[list[IndexModel]] = [
            # Paged on _id within one archive; nx-27017 rejects _id inside a compound index.
            IndexModel([("archive_id", ASCENDING)]),
        ]


class ActivationCode(Document):
    """A one-time activation code; ``_id`` is the SHA-256 of the code, never the code.

    The code is random (60 bits), so a plain hash cannot be reversed by guessing. Reads always
    filter ``expires_at > now``: the TTL index only cleans up, about once a minute.
    """

    id: str  # type: ignore[assignment]
    archive_id: str
    created_at: datetime
    created_by: str
    expires_at: datetime
    used: bool = False
    used_at: datetime | None = None
    # "activated" once consumed, "superseded" when a newer code replaced it.
    outcome: str = ""

    class Settings:
        name = "activation_codes"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ]
