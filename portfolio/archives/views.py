"""What the archive services return and accept: plain values, never stored documents.

Response schemas and pages are built from these by attribute name; none of them holds a
ciphertext or a blind index, and full numbers appear only in the ``*_full`` fields a service
fills when the caller may see them (gathered in ``WorkerView.revealed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portfolio.archives.documents import (
    AccessAction,
    AccountState,
    InsuranceScheme,
    RegistrationKind,
)
from portfolio.identity import IdType, Sex
from portfolio.paging import Page
from portfolio.vocabulary import SkillLevel


@dataclass(frozen=True)
class InsuredSchemeInput:
    """One insured scheme as given by an agency: ``since`` is ``YYYY-MM``."""

    scheme: InsuranceScheme
    since: str


@dataclass(frozen=True)
class IdentityView:
    """Who the worker is. ``id_number_full`` and ``phone_full`` only when revealed;
    ``birth_date`` for the worker themself and when revealed, ``age_band`` for everyone."""

    name: str
    id_type: IdType
    nationality: str | None
    id_number_masked: str
    id_number_full: str | None
    birth_date: date | None
    age_band: str
    sex: Sex
    phone_masked: str
    phone_full: str | None
    region_code: str


@dataclass(frozen=True)
class SocialSecurityView:
    """The social-security link; ``number_full`` only when revealed."""

    number_masked: str
    number_full: str | None
    card_number_masked: str
    issuing_region: str
    schemes: list[InsuredSchemeInput]


@dataclass(frozen=True)
class EmploymentRegistrationView:
    """One employment or unemployment registration."""

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

    @property
    def id(self) -> str:
        """The registration's id, as responses name an object's id."""
        return self.registration_id


@dataclass(frozen=True)
class EmploymentView:
    """The employment certificate (masked unless revealed) and its registrations."""

    certificate_number_masked: str | None
    certificate_number_full: str | None
    registrations: list[EmploymentRegistrationView]


@dataclass(frozen=True)
class RevealedView:
    """The full values of a worker's numbers, for a view read revealed."""

    id_number: str
    phone: str
    social_security_number: str | None
    employment_certificate_number: str | None


@dataclass(frozen=True)
class WorkerView:
    """A worker's archive header: identity, links, account state, number of entries."""

    archive_id: str
    identity: IdentityView
    social_security: SocialSecurityView | None
    employment: EmploymentView | None
    account_state: AccountState
    entry_count: int
    version: int
    created_at: datetime

    @property
    def id(self) -> str:
        """The archive's id, as responses name an object's id."""
        return self.archive_id

    @property
    def revealed(self) -> RevealedView | None:
        """The full values, when this view was read revealed (the worker's own, or an
        agency's logged read with a purpose); None for every masked view."""
        identity = self.identity
        if identity.id_number_full is None or identity.phone_full is None:
            return None
        return RevealedView(
            id_number=identity.id_number_full,
            phone=identity.phone_full,
            social_security_number=(
                self.social_security.number_full if self.social_security else None
            ),
            employment_certificate_number=(
                self.employment.certificate_number_full if self.employment else None
            ),
        )


@dataclass(frozen=True)
class RecorderView:
    """Who recorded an entry."""

    principal: str
    role: str
    organisation: str | None
    region: str | None


@dataclass(frozen=True)
class EntryView:
    """One archive entry as shown (payloads never hold full identity numbers)."""

    seq: int
    kind: str
    recorded_at: datetime
    recorded_by: RecorderView
    payload: dict[str, Any]
    corrects: int | None
    hash: str


@dataclass(frozen=True)
class EntryPage(Page[EntryView]):
    """Entries newest first; ``next_cursor`` fetches the older ones (None at the end)."""

    @property
    def entries(self) -> list[EntryView]:
        """The entries of this page (its ``items``), newest first."""
        return self.items


@dataclass(frozen=True)
class OccupationLevel:
    """The highest certified level in one occupation."""

    occupation_code: str
    level: SkillLevel


@dataclass(frozen=True)
class ApprenticeshipSummary:
    """One apprenticeship as the archive tells it."""

    apprenticeship_id: str
    occupation_code: str
    target_level: str
    status: str  # active | stopped | completed
    level_reached: str | None
    # Completed at a level below the target level (entries before the rule read False).
    below_plan: bool = False


@dataclass(frozen=True)
class ArchiveSummary:
    """What the worker has achieved, computed from the entries (corrections applied)."""

    highest_levels: list[OccupationLevel]
    training_hours: float
    trainings_completed: int
    certificate_count: int
    apprenticeships: list[ApprenticeshipSummary]
    vouchers_redeemed: int
    voucher_amount_fen: int
    awards: int


@dataclass(frozen=True)
class ArchiveView:
    """The worker's archive: header, a page of entries and the summary."""

    worker: WorkerView
    entries: EntryPage
    summary: ArchiveSummary


@dataclass(frozen=True)
class ActivationCodeIssued:
    """A fresh activation code (shown once) and when it expires."""

    archive_id: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class RegisteredWorker:
    """The result of a real-name registration."""

    worker: WorkerView
    activation: ActivationCodeIssued


@dataclass(frozen=True)
class AccessLogView:
    """One logged read of the worker's data."""

    id: str
    at: datetime
    principal_id: str
    username: str
    role: str
    organisation_id: str | None
    region_prefix: str | None
    action: AccessAction
    purpose: str
    fields: list[str]


@dataclass(frozen=True)
class AccessLogPage(Page[AccessLogView]):
    """Access-log items newest first."""


@dataclass(frozen=True)
class ChainReport:
    """The result of recomputing an archive's chain."""

    archive_id: str
    ok: bool
    first_broken_seq: int | None
    entries_checked: int
    head_seq: int
