"""What the training use cases return: plain values, never stored documents.

Each view holds what a caller may see of one object, decided here rather than in a router:
a worker appears by name and masked number only (the full number never reaches a provider),
an organisation shows whether its credit code was accepted over a failed check but not the
agency's note, a certificate names its holder but not their number. Response schemas and
pages are built from these by attribute name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from portfolio.errors import FieldError
from portfolio.training.bulk import RowResult
from portfolio.training.documents import (
    AttendanceRecord,
    Certificate,
    Course,
    Enrolment,
    Organisation,
    Run,
    Session,
)
from portfolio.training.enums import (
    AttendanceStatus,
    CaptureMethod,
    CertificateStatus,
    CertificateType,
    CompletionResult,
    Delivery,
    EnrolmentStatus,
    OrganisationKind,
    OrganisationStatus,
    WithdrawReason,
)
from portfolio.vocabulary import LevelRoad, SkillBrand, SkillLevel, TrainingType


@dataclass(frozen=True)
class OrganisationView:
    """A provider or enterprise as its users, its agencies and admins see it."""

    id: str
    name: str
    credit_code: str
    credit_code_overridden: bool
    kind: OrganisationKind
    region_code: str
    status: OrganisationStatus
    status_reason: str

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationView:
        """The view of a stored organisation."""
        return cls(
            id=str(organisation.id),
            name=organisation.name,
            credit_code=organisation.credit_code,
            credit_code_overridden=bool(organisation.credit_code_override_reason),
            kind=organisation.kind,
            region_code=organisation.region_code,
            status=organisation.status,
            status_reason=organisation.status_reason,
        )


@dataclass(frozen=True)
class CourseView:
    """A course an organisation offers."""

    id: str
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
    # The version of its terms (0 as added; each edit makes the next).
    version: int = 0

    @classmethod
    def of(cls, course: Course) -> CourseView:
        """The view of a stored course."""
        return cls(
            id=str(course.id),
            organisation_id=course.organisation_id,
            region_code=course.region_code,
            title=course.title,
            occupation_code=course.occupation_code,
            digital=course.digital,
            green=course.green,
            training_type=course.training_type,
            brand=course.brand,
            target_level=course.target_level,
            planned_hours=course.planned_hours,
            delivery=course.delivery,
            subsidy_standard_fen=course.subsidy_standard_fen,
            created_at=course.created_at,
            version=course.version,
        )


@dataclass(frozen=True)
class SessionView:
    """One session of a run: number (1-based), day, local start time (HH:MM) and hours."""

    n: int
    day: date
    start: str
    hours: float

    @classmethod
    def of(cls, session: Session) -> SessionView:
        """The view of a stored session."""
        return cls(n=session.n, day=session.day, start=session.start, hours=session.hours)


@dataclass(frozen=True)
class RunView:
    """A class of a course: dates, seats, place, trainers and sessions."""

    id: str
    course_id: str
    organisation_id: str
    region_code: str
    start_date: date
    end_date: date
    capacity: int
    seats_taken: int
    location: str
    trainers: list[str]
    sessions: list[SessionView]
    trainer_ids: list[str]
    # The course's version it was scheduled under (its hours and subsidy standard).
    course_version: int = 0

    @classmethod
    def of(cls, run: Run) -> RunView:
        """The view of a stored run."""
        return cls(
            id=str(run.id),
            course_id=run.course_id,
            organisation_id=run.organisation_id,
            region_code=run.region_code,
            start_date=run.start_date,
            end_date=run.end_date,
            capacity=run.capacity,
            seats_taken=run.seats_taken,
            location=run.location,
            trainers=list(run.trainers),
            sessions=[SessionView.of(s) for s in run.sessions],
            trainer_ids=list(run.trainer_ids),
            course_version=run.course_version,
        )


@dataclass(frozen=True)
class EnrolmentView:
    """One worker in one run, as its provider, the worker and agencies see it.

    The worker is named and their number masked (copied so at enrolment); the archive id and
    the full number are not part of it.
    """

    id: str
    run_id: str
    course_id: str
    organisation_id: str
    worker_name: str
    worker_masked_id: str
    status: EnrolmentStatus
    status_reason: str
    withdraw_reason: WithdrawReason | None
    result: CompletionResult | None
    score: float | None
    hours_attended: float
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    historical: bool

    @classmethod
    def of(cls, enrolment: Enrolment) -> EnrolmentView:
        """The view of a stored enrolment."""
        return EnrolmentView(
            id=str(enrolment.id),
            run_id=enrolment.run_id,
            course_id=enrolment.course_id,
            organisation_id=enrolment.organisation_id,
            worker_name=enrolment.worker_name,
            worker_masked_id=enrolment.worker_masked_id,
            status=enrolment.status,
            status_reason=enrolment.status_reason,
            withdraw_reason=enrolment.withdraw_reason,
            result=enrolment.result,
            score=enrolment.score,
            hours_attended=enrolment.hours_attended,
            completed_at=enrolment.completed_at,
            created_at=enrolment.created_at,
            updated_at=enrolment.updated_at,
            historical=enrolment.historical,
        )


@dataclass(frozen=True)
class AttendanceView:
    """One statement of presence at one session."""

    id: str
    enrolment_id: str
    run_id: str
    session_n: int
    hours: float
    status: AttendanceStatus
    capture_method: CaptureMethod
    check_in_ref: str
    supersedes: str | None
    recorded_at: datetime
    confirmed_at: datetime | None
    entered_by: str
    late: bool
    late_reason: str

    @classmethod
    def of(cls, record: AttendanceRecord) -> AttendanceView:
        """The view of a stored attendance record."""
        return cls(
            id=str(record.id),
            enrolment_id=record.enrolment_id,
            run_id=record.run_id,
            session_n=record.session_n,
            hours=record.hours,
            status=record.status,
            capture_method=record.capture_method,
            check_in_ref=record.check_in_ref,
            supersedes=record.supersedes or None,
            recorded_at=record.recorded_at,
            confirmed_at=record.confirmed_at,
            entered_by=record.entered_by,
            late=record.late,
            late_reason=record.late_reason,
        )


@dataclass(frozen=True)
class MyEnrolmentView(EnrolmentView):
    """The worker's own enrolment: hours confirmed so far, records awaiting their word."""

    hours_confirmed: float
    awaiting_confirmation: list[AttendanceView]

    @classmethod
    def mine(
        cls, enrolment: Enrolment, hours_confirmed: float, awaiting: list[AttendanceView]
    ) -> MyEnrolmentView:
        """The worker's view of ``enrolment``."""
        return cls(
            **vars(EnrolmentView.of(enrolment)),
            hours_confirmed=hours_confirmed,
            awaiting_confirmation=awaiting,
        )


@dataclass(frozen=True)
class CertificateView:
    """A certificate as its provider sees it: the holder's name, never their number."""

    id: str
    number: str
    certificate_type: CertificateType
    occupation_code: str
    level: SkillLevel | None
    issuing_body: str
    issue_date: date
    status: CertificateStatus
    void_reason: str
    holder_name: str
    enrolment_id: str
    archive_entry_seq: int
    recorded_at: datetime
    road: LevelRoad = LevelRoad.COURSE
    norm_code: str = ""

    @classmethod
    def of(cls, certificate: Certificate) -> CertificateView:
        """The view of a stored certificate."""
        return cls(
            id=str(certificate.id),
            number=certificate.number,
            certificate_type=certificate.certificate_type,
            occupation_code=certificate.occupation_code,
            level=certificate.level,
            issuing_body=certificate.issuing_body,
            issue_date=certificate.issue_date,
            status=certificate.status,
            void_reason=certificate.void_reason,
            holder_name=certificate.holder_name,
            enrolment_id=certificate.enrolment_id,
            archive_entry_seq=certificate.entry_seq,
            recorded_at=certificate.recorded_at,
            road=certificate.road,
            norm_code=certificate.norm_code,
        )


@dataclass(frozen=True)
class CertificateCheckView:
    """What anyone may learn from a certificate number and its holder's name."""

    status: Literal["valid", "voided", "unknown"]
    certificate_type: CertificateType | None = None
    occupation_code: str | None = None
    level: SkillLevel | None = None
    issuing_body: str | None = None
    issue_date: date | None = None


# Bulk answers: every row's outcome, valid rows done even when others fail.


@dataclass(frozen=True)
class EnrolmentRowView:
    """One row of a class file: enrolled (with the enrolment), or why not."""

    row: int
    status: Literal["enrolled", "error"]
    enrolment: EnrolmentView | None
    errors: list[FieldError]
    detail: str


@dataclass(frozen=True)
class ClassEnrolmentView:
    """The outcome of a class file: counts and every row."""

    enrolled: int
    failed: int
    rows: list[EnrolmentRowView]

    @classmethod
    def of(cls, results: Sequence[RowResult[Enrolment]]) -> ClassEnrolmentView:
        """The outcome of enrolling a class, row by row."""
        rows = [
            EnrolmentRowView(
                row=r.row,
                status="enrolled" if r.item else "error",
                enrolment=EnrolmentView.of(r.item) if r.item else None,
                errors=list(r.errors),
                detail=r.detail,
            )
            for r in results
        ]
        enrolled = sum(1 for r in rows if r.status == "enrolled")
        return cls(enrolled=enrolled, failed=len(rows) - enrolled, rows=rows)


@dataclass(frozen=True)
class AttendanceRowView:
    """One row of a session sheet: recorded (with the record), or why not."""

    row: int
    status: Literal["recorded", "error"]
    record: AttendanceView | None
    errors: list[FieldError]
    detail: str


@dataclass(frozen=True)
class SessionAttendanceView:
    """The outcome of a session sheet: counts and every row."""

    recorded: int
    failed: int
    rows: list[AttendanceRowView]

    @classmethod
    def of(cls, results: Sequence[RowResult[AttendanceRecord]]) -> SessionAttendanceView:
        """The outcome of recording a session, row by row."""
        rows = [
            AttendanceRowView(
                row=r.row,
                status="recorded" if r.item else "error",
                record=AttendanceView.of(r.item) if r.item else None,
                errors=list(r.errors),
                detail=r.detail,
            )
            for r in results
        ]
        recorded = sum(1 for r in rows if r.status == "recorded")
        return cls(recorded=recorded, failed=len(rows) - recorded, rows=rows)


CompletionStatus = Literal["recorded", "already_recorded", "error"]


@dataclass(frozen=True)
class CompletionRowView:
    """One row of a completion sheet: recorded now, recorded before, or why not."""

    row: int
    status: CompletionStatus
    enrolment: EnrolmentView | None
    errors: list[FieldError]
    detail: str


@dataclass(frozen=True)
class ClassCompletionView:
    """The outcome of a completion sheet: counts and every row."""

    recorded: int
    already_recorded: int
    failed: int
    rows: list[CompletionRowView]

    @classmethod
    def of(cls, results: Sequence[RowResult[Enrolment]]) -> ClassCompletionView:
        """The outcome of a completion sheet, row by row."""
        rows = [
            CompletionRowView(
                row=r.row,
                status=_completion_status(r.status),
                enrolment=EnrolmentView.of(r.item) if r.item else None,
                errors=list(r.errors),
                detail=r.detail,
            )
            for r in results
        ]
        recorded = sum(1 for r in rows if r.status == "recorded")
        again = sum(1 for r in rows if r.status == "already_recorded")
        return cls(
            recorded=recorded,
            already_recorded=again,
            failed=len(rows) - recorded - again,
            rows=rows,
        )


def _completion_status(status: str) -> CompletionStatus:
    if status == "recorded":
        return "recorded"
    if status == "already_recorded":
        return "already_recorded"
    return "error"
