"""Storage of the training area. Documents only: rules live in rules.py, queries in services.

References to other documents are stored as hex strings, not ObjectIds: nx-27017 matches no
document by ObjectId equality outside ``_id`` (see tests/storage/test_archive_patterns.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from portfolio.training.enums import (
    AttendanceStatus,
    CaptureMethod,
    CertificateStatus,
    CertificateType,
    CompletionResult,
    Delivery,
    EnrolmentStatus,
    ImportStatus,
    OrganisationKind,
    OrganisationStatus,
    WithdrawReason,
)
from portfolio.vocabulary import LevelRoad, SkillBrand, SkillLevel, TrainingType


class Organisation(Document):
    """A training provider or enterprise; its users have the provider role."""

    name: str
    credit_code: str
    # A few legal early codes fail the GB 32100 check: accepted only with an agency's record.
    credit_code_override_reason: str
    kind: OrganisationKind
    region_code: str
    status: OrganisationStatus = OrganisationStatus.ACTIVE
    status_reason: str = ""
    version: int = 0
    created_at: datetime
    created_by: str
    # Epoch ms of the latest status change (0: none): the repair routine's window on changes.
    changed_at_ms: int = 0

    class Settings:
        name = "organisations"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("credit_code", ASCENDING)], unique=True),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("created_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class OrganisationEvent(Document):
    """One status change of an organisation (suspension, reinstatement) and why."""

    organisation_id: str
    action: str
    reason: str
    by: str
    at: datetime

    class Settings:
        name = "organisation_events"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("organisation_id", ASCENDING)])]


class Course(Document):
    """A course an organisation offers."""

    organisation_id: str
    region_code: str
    title: str
    occupation_code: str
    digital: bool
    green: bool
    training_type: TrainingType
    brand: SkillBrand | None
    target_level: SkillLevel
    planned_hours: float
    delivery: Delivery
    subsidy_standard_fen: int
    created_at: datetime
    created_by: str
    # Edits write a new version (``course_versions`` keeps each one it replaced); runs keep
    # the version they were scheduled under. ``changed_at_ms``: the last version's time
    # (epoch ms; 0 on courses written before versions), the change trail's repair source.
    version: int = 0
    changed_at_ms: int = 0
    changed_by: str = ""
    version_note: str = ""

    class Settings:
        name = "courses"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class CourseVersion(Document):
    """A version of a course's terms that a later edit replaced; insert-only.

    Written (once per course and version: a unique key) before the edit's conditional update,
    so a run scheduled under it, and a voucher bound to such a run, still read its hours and
    subsidy standard.
    """

    course_id: str
    organisation_id: str
    version: int
    occupation_code: str
    digital: bool
    green: bool
    target_level: SkillLevel
    planned_hours: float
    subsidy_standard_fen: int
    # When and by whom this version was made (the course's creation for version 0).
    made_at: datetime
    made_by: str
    note: str = ""

    class Settings:
        name = "course_versions"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("course_id", ASCENDING), ("version", ASCENDING)], unique=True),
            IndexModel([("course_id", ASCENDING)]),
        ]


class Session(BaseModel):
    """One session of a run: number (1-based), day, start time (HH:MM) and hours."""

    n: int
    day: date
    start: str
    hours: float


class Run(Document):
    """One class of a course: dates, capacity, place, trainers and sessions."""

    course_id: str
    organisation_id: str
    region_code: str
    start_date: date
    end_date: date
    capacity: int
    # Seats taken; moved only by conditional $inc so the capacity holds under races.
    seats_taken: int = 0
    location: str
    # Free text on runs scheduled before the trainer registry (still shown); new runs name
    # registered trainers of their organisation by id (``trainers`` collection).
    trainers: list[str]
    sessions: list[Session]
    trainer_ids: list[str] = Field(default_factory=list)
    # Copied from the course's version when the run is scheduled, so the public
    # catalogue searches runs by occupation and level in one indexed query; "" / None on runs
    # written before the catalogue existed.
    occupation_code: str = ""
    target_level: SkillLevel | None = None
    # A class that predates the service, written by an approved historical import (no
    # sessions; its dates are the paper record's): never payable by a voucher.
    historical: bool = False
    # The course's version when the run was scheduled: its hours and subsidy standard hold
    # for the run's workers and vouchers whatever later edits say.
    course_version: int = 0
    created_at: datetime
    created_by: str

    class Settings:
        name = "runs"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("course_id", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING), ("start_date", DESCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            # The catalogue: runs not yet ended, by place and occupation.
            IndexModel([("end_date", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("occupation_code", ASCENDING)]),
            # The repair routine finds the runs scheduled since its last run.
            IndexModel([("created_at", ASCENDING)]),
        ]


class ImportEvidence(BaseModel):
    """What a historical record rests on: the paper file or other system, in words and by
    reference (a file number), and the import that brought it in."""

    description: str
    reference: str
    import_id: str


class Enrolment(Document):
    """One worker in one run. Unique per (run, worker)."""

    run_id: str
    course_id: str
    organisation_id: str
    archive_id: str
    # Copied at enrolment so a provider's class list never needs the archive (and never more
    # than the masked number).
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    status: EnrolmentStatus
    status_reason: str = ""
    withdraw_reason: WithdrawReason | None = None
    # The completion, set by the one conditional update that moves in_training -> completed.
    result: CompletionResult | None = None
    score: float | None = None
    hours_attended: float = 0
    completed_at: datetime | None = None
    completed_by: str = ""
    # Marks the enrolments a class completion won (its conditional updates run in one batch).
    completion_batch: str = ""
    # Seq of the "training completed" archive entry; 0 while not (yet) written.
    entry_seq: int = 0
    # Real history that predates the service, written by an agency-approved historical import
    # (``historical.py``): who submitted it and what it rests on. Never payable by a voucher.
    historical: bool = False
    imported_by: str = ""
    evidence: ImportEvidence | None = None
    version: int = 0
    created_at: datetime
    created_by: str
    updated_at: datetime

    class Settings:
        name = "enrolments"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("run_id", ASCENDING), ("archive_id", ASCENDING)], unique=True),
            IndexModel([("run_id", ASCENDING)]),
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            # The repair routine looks at completions since its last run,
            IndexModel([("completed_at", ASCENDING)]),
            # and at the enrolments that ended since (their voucher goes back).
            IndexModel([("updated_at", ASCENDING)]),
        ]


class EndedEnrolment(Document):
    """How an enrolment stood when it was reopened: withdrawn or refused, and why.

    A worker who withdrew (or whom the provider refused) may be enrolled in the same run again;
    the enrolment document is reopened (it stays unique per run and worker), and this keeps
    what the reopening overwrites. ``_id`` = ``"<enrolment id>:<version it had>"``, so a
    retried reopening stores it once.
    """

    id: str  # type: ignore[assignment]
    enrolment_id: str
    run_id: str
    archive_id: str
    status: EnrolmentStatus
    status_reason: str
    withdraw_reason: WithdrawReason | None
    ended_at: datetime
    reopened_at: datetime
    reopened_by: str

    class Settings:
        name = "ended_enrolments"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("enrolment_id", ASCENDING)])]


class WorkerSchedule(Document):
    """The sessions a worker is booked into, to refuse overlapping runs under races.

    One document per archive; ``slots`` is a short list rewritten whole under a version
    precondition (STORAGE.md: no sub-document $push).
    """

    id: PydanticObjectId  # the archive id
    slots: list[str]  # "run_id|start ISO|end ISO"
    version: int = 0

    class Settings:
        name = "worker_schedules"


class Trainer(Document):
    """A trainer registered by a provider; its runs name trainers by this id."""

    organisation_id: str
    name: str
    qualification: str
    certificate_number: str
    status: str = "active"  # active | removed (kept: old runs still name the trainer)
    created_at: datetime
    created_by: str
    removed_at: datetime | None = None
    # The organisation's region ("" on trainers registered before the change trail), the
    # version the change trail keys on, and the epoch ms of the removal (0: none).
    region_code: str = ""
    version: int = 0
    changed_at_ms: int = 0

    class Settings:
        name = "trainers"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("created_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class AttendanceRecord(Document):
    """One statement of presence at one session. Corrections are new records that supersede."""

    enrolment_id: str
    run_id: str
    organisation_id: str
    archive_id: str
    session_n: int
    hours: float
    status: AttendanceStatus
    capture_method: CaptureMethod
    check_in_ref: str
    supersedes: str | None
    recorded_by: str
    recorded_at: datetime
    confirmed_at: datetime | None = None
    # When the worker stood behind it (their check-in, or their confirmation), epoch ms on the
    # domain clock (``confirmed_at`` is the database's clock); 0 while they have not.
    confirmed_at_ms: int = 0
    # Issue 20 (docs/integrity-time.md): who entered the record ("provider": its clerk, awaiting
    # the worker's confirmation; "worker": their own QR check-in), the keyed hash of the
    # worker's device ("" when none), and a late correction an agency officer approved (why).
    entered_by: str = "provider"
    device_hash: str = ""
    late: bool = False
    late_approved_by: str = ""
    late_reason: str = ""
    # Imported from before the service (paper, another system) by an agency-approved import.
    historical: bool = False
    version: int = 0
    # The run's region ("" on records written before the change trail) and the epoch ms of
    # the latest confirmation, rejection or voiding (0: none), for the change trail's repair.
    region_code: str = ""
    changed_at_ms: int = 0

    class Settings:
        name = "attendance"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("recorded_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
            IndexModel([("enrolment_id", ASCENDING), ("session_n", ASCENDING)]),
            IndexModel([("enrolment_id", ASCENDING)]),
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("run_id", ASCENDING)]),
        ]


class Certificate(Document):
    """A qualification, skill-level or special-ability certificate a provider recorded.

    The archive holds the tamper-evident history (issued, corrected, voided); this document is
    the current state, for lists and the public check.
    """

    number: str
    certificate_type: CertificateType
    occupation_code: str
    level: SkillLevel | None
    issuing_body: str
    issue_date: date
    archive_id: str
    holder_name: str
    holder_region_code: str
    # The course result it follows; "" for the roads without a course.
    enrolment_id: str
    organisation_id: str
    # The way to it (course, assessment body, enterprise, direct recognition, special
    # ability) and the recognition record it follows ("" for a course): its evidence.
    road: LevelRoad = LevelRoad.COURSE
    assessment_id: str = ""
    # The special-ability norm assessed against (专项职业能力考核规范), "" for the others.
    norm_code: str = ""
    # Who recorded the issue: the organisation's staff, or the agency that confirmed a
    # direct recognition.
    recorder_role: str = "provider"
    status: CertificateStatus = CertificateStatus.VALID
    void_reason: str = ""
    # Seq of the archive entry that states the current content, or the voiding (0 until it
    # is written: the repair routine finishes what a crash left at 0).
    entry_seq: int = 0
    # While entry_seq is 0 after a correction or a void: the seq of the entry it corrects,
    # the correction's reason and who made the change, so the entry can be written later.
    corrects_seq: int = 0
    change_reason: str = ""
    changed_by: str = ""
    # When it was last corrected or voided (epoch ms, the repair's grace; 0 if never).
    changed_at_ms: int = 0
    version: int = 0
    recorded_at: datetime
    recorded_by: str

    class Settings:
        name = "certificates"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("number", ASCENDING)], unique=True),
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("archive_id", ASCENDING)]),
            # An agency's reports reach the certificates of its region's holders.
            IndexModel([("holder_region_code", ASCENDING)]),
            # The repair routine looks for certificates whose entry was never noted (seq 0).
            IndexModel([("entry_seq", ASCENDING)]),
            # ... and for those issued or changed lately, whose change record may be missing.
            IndexModel([("recorded_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class HistoricalImport(Document):
    """A training record from before the service (paper, another system), submitted by a
    provider or an agency, waiting for an officer of the worker's region to decide.

    ``run_id`` and ``enrolment_id`` are chosen at submission, so the approval's later steps
    (the historical run, the enrolment, the archive entry) are inserts with known ids that a
    retry finishes without doubling.
    """

    organisation_id: str
    course_id: str
    course_title: str
    occupation_code: str
    target_level: SkillLevel
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    start_date: date
    end_date: date
    hours: float
    result: CompletionResult
    score: float | None
    evidence_description: str
    evidence_reference: str
    status: ImportStatus = ImportStatus.PENDING
    decision_reason: str = ""
    decided_by: str = ""
    decided_at_ms: int = 0
    run_id: str
    enrolment_id: str
    # Set once the approval's run, enrolment and entry are all written.
    written: bool = False
    version: int = 0
    submitted_at: datetime
    submitted_at_ms: int
    submitted_by: str
    submitted_role: str

    class Settings:
        name = "historical_imports"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("worker_region_code", ASCENDING)]),
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("archive_id", ASCENDING)]),
            IndexModel([("submitted_at_ms", ASCENDING)]),
            IndexModel([("decided_at_ms", ASCENDING)]),
        ]
