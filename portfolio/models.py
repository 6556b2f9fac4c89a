"""Every Beanie document of the service, in one list for ``init_beanie``.

Each business area adds its documents here; tests empty exactly these collections.
"""

from __future__ import annotations

from beanie import Document

from portfolio.accounts.documents import Principal, RefreshFamily, RefreshToken
from portfolio.accounts.throttle import LoginFailures, RateCounter
from portfolio.apprenticeships.documents import (
    ApprenticeGuard,
    Apprenticeship,
    ApprenticeshipEvent,
    Mentor,
)
from portfolio.archives.documents import AccessLogEntry, ActivationCode, Archive, ArchiveEntry
from portfolio.audit.documents import AuditEvent
from portfolio.audit.trail import ChangeRecord
from portfolio.challenges.documents import Challenge
from portfolio.competitions.documents import Competition, Entrant
from portfolio.credentials import CredentialStatus, IssuerKey, StatusCounter
from portfolio.crossborder.documents import BorderRecognition
from portfolio.events import DomainEvent, Receipt
from portfolio.honours.documents import Honour
from portfolio.idempotency import IdempotencyRecord
from portfolio.keyring import StoredKey
from portfolio.occupations import AddedOccupation
from portfolio.planning.documents import EmployedCount, PlanTargets, Platform, PlatformLink
from portfolio.priority import PriorityMembership
from portfolio.projects.documents import ProjectAttestation, TrainingProject
from portfolio.recognition.documents import (
    AbilityNorm,
    Accreditation,
    DirectRecognition,
    LevelAssessment,
)
from portfolio.repair import RepairCheckpoint, RepairLease
from portfolio.reports.documents import (
    CityBreakdown,
    CityDetail,
    DistrictBreakdown,
    ReportCounter,
    ReportMarker,
    ReportTotal,
)
from portfolio.seed.progress import SeedRun
from portfolio.sharing.documents import ShareLink
from portfolio.training.documents import (
    AttendanceRecord,
    Certificate,
    Course,
    CourseVersion,
    EndedEnrolment,
    Enrolment,
    HistoricalImport,
    Organisation,
    OrganisationEvent,
    Run,
    Trainer,
    WorkerSchedule,
)
from portfolio.vouchers.documents import (
    IssueBatch,
    PolicyHead,
    Voucher,
    VoucherEvent,
    VoucherPolicy,
)
from portfolio.vouchers.issue_runs import IssueRun
from portfolio.vouchers.ledger import LedgerEntry

DOCUMENT_MODELS: list[type[Document]] = [
    StoredKey,
    IssuerKey,
    CredentialStatus,
    StatusCounter,
    IdempotencyRecord,
    RepairCheckpoint,
    RepairLease,
    DomainEvent,
    Receipt,
    Principal,
    RefreshFamily,
    RefreshToken,
    Archive,
    ArchiveEntry,
    AccessLogEntry,
    ActivationCode,
    Organisation,
    OrganisationEvent,
    Course,
    CourseVersion,
    Run,
    Enrolment,
    EndedEnrolment,
    HistoricalImport,
    WorkerSchedule,
    AttendanceRecord,
    Trainer,
    Certificate,
    Accreditation,
    AbilityNorm,
    LevelAssessment,
    DirectRecognition,
    ReportCounter,
    ReportTotal,
    CityBreakdown,
    DistrictBreakdown,
    CityDetail,
    ReportMarker,
    Mentor,
    Apprenticeship,
    ApprenticeshipEvent,
    ApprenticeGuard,
    VoucherPolicy,
    PolicyHead,
    Voucher,
    VoucherEvent,
    IssueBatch,
    IssueRun,
    LedgerEntry,
    AuditEvent,
    ChangeRecord,
    Challenge,
    RateCounter,
    LoginFailures,
    SeedRun,
    ShareLink,
    AddedOccupation,
    Competition,
    Entrant,
    Honour,
    PriorityMembership,
    TrainingProject,
    ProjectAttestation,
    PlanTargets,
    EmployedCount,
    Platform,
    PlatformLink,
    BorderRecognition,
]
