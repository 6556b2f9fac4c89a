"""Requests and responses of enrolments and attendance."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt

from portfolio.archives import WorkerRef
from portfolio.identity.identifiers import IdType
from portfolio.training.attendance import Presence, SessionRow
from portfolio.training.enums import (
    AttendanceStatus,
    CaptureMethod,
    CompletionResult,
    EnrolmentStatus,
    WithdrawReason,
)
from portfolio.training.lifecycle import Action, Move
from schemas.common import FieldErrorOut as FieldErrorOut
from schemas.common import Input, Output

MAX_BULK_ROWS = 10_000


class WorkerRefIn(Input):
    """A worker named by identity document and name together (both must match)."""

    id_type: IdType = IdType.RESIDENT_ID
    id_number: Annotated[str, Field(min_length=1, max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    nationality: Annotated[str | None, Field(max_length=3)] = None

    def to_domain(self) -> WorkerRef:
        """The worker as the domain looks them up (number and name must both match)."""
        return WorkerRef(self.id_type, self.id_number, self.name, self.nationality)


class EnrolmentIn(WorkerRefIn):
    """Enrol one worker; ``accept`` skips the request step when the provider decides at once."""

    accept: StrictBool = False


class BulkEnrolmentIn(Input):
    """Enrol a class: one row per worker (CSV with the same column names is accepted too)."""

    accept: StrictBool = True
    rows: Annotated[list[WorkerRefIn], Field(min_length=1, max_length=MAX_BULK_ROWS)]

    def to_domain(self) -> list[WorkerRef]:
        """The workers of the class, in file order."""
        return [row.to_domain() for row in self.rows]


class ReasonIn(Input):
    """An optional note on a transition."""

    reason: Annotated[str, Field(max_length=500)] = ""

    def to_domain(self, action: Action) -> Move:
        """The move ``action`` with this note."""
        return Move(action=action, reason=self.reason)


class WithdrawIn(Input):
    """Why an enrolment is withdrawn."""

    reason_code: WithdrawReason
    reason: Annotated[str, Field(max_length=500)] = ""

    def to_domain(self) -> Move:
        """The withdrawal, with its reason code and note."""
        return Move(action="withdraw", reason=self.reason, withdraw_reason=self.reason_code)


class EnrolmentOut(Output):
    """An enrolment as the provider, the worker and the agency see it (number masked)."""

    id: str
    run_id: str
    course_id: str
    organisation_id: str
    worker_name: str
    worker_masked_id: str
    status: EnrolmentStatus
    status_reason: str
    withdraw_reason: WithdrawReason | None
    result: CompletionResult | None = Field(description="set once the training is completed")
    score: float | None
    hours_attended: float = Field(description="confirmed hours, fixed at completion")
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    historical: bool = Field(
        default=False,
        description="written by an agency-approved historical import (training from before "
        "the service): never payable by a voucher",
    )


class EnrolmentRowOut(Output):
    """One row's outcome in a bulk enrolment."""

    row: int
    status: Literal["enrolled", "error"]
    enrolment: EnrolmentOut | None = None
    errors: list[FieldErrorOut] = Field(default_factory=list)
    detail: str = ""


class BulkEnrolmentOut(Output):
    """Per-row results: valid rows are enrolled even when others fail."""

    enrolled: int
    failed: int
    rows: list[EnrolmentRowOut]


class AttendanceIn(Input):
    """A worker's presence at one session."""

    session_n: Annotated[StrictInt, Field(ge=1)]
    hours: Annotated[float, Field(ge=0, le=12)]
    capture_method: CaptureMethod = CaptureMethod.MANUAL
    check_in_ref: Annotated[str, Field(max_length=200)] = Field(
        default="", description="the real-name check-in record (face, QR code or e-ID)"
    )

    def to_domain(self) -> Presence:
        """The statement of presence."""
        return Presence(self.session_n, self.hours, self.capture_method, self.check_in_ref)


class SessionAttendanceRowIn(Input):
    """One line of a whole-session sheet."""

    enrolment_id: Annotated[str, Field(min_length=1, max_length=64)]
    hours: Annotated[float, Field(ge=0, le=12)]
    capture_method: CaptureMethod = CaptureMethod.MANUAL
    check_in_ref: Annotated[str, Field(max_length=200)] = ""

    def to_domain(self) -> SessionRow:
        """The row as the domain records it."""
        return SessionRow(self.enrolment_id, self.hours, self.capture_method, self.check_in_ref)


class SessionAttendanceIn(Input):
    """A whole session's attendance."""

    rows: Annotated[list[SessionAttendanceRowIn], Field(min_length=1, max_length=MAX_BULK_ROWS)]

    def to_domain(self) -> list[SessionRow]:
        """The sheet's rows, in order."""
        return [row.to_domain() for row in self.rows]


class AttendanceOut(Output):
    """One attendance record."""

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
    entered_by: Literal["provider", "worker"] = Field(
        description="provider: entered by its clerk, awaiting the worker's confirmation; "
        "worker: the worker's own check-in"
    )
    late: bool = Field(description="recorded after the attendance window, approved by an agency")
    late_reason: str


class LateAttendanceIn(AttendanceIn):
    """A late correction of attendance, approved by an agency officer, and why."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]

    def late_reason(self) -> str:
        """The stated reason, trimmed."""
        return self.reason.strip()


class AttendanceRowOut(Output):
    """One row's outcome in a session sheet."""

    row: int
    status: Literal["recorded", "error"]
    record: AttendanceOut | None = None
    errors: list[FieldErrorOut] = Field(default_factory=list)
    detail: str = ""


class SessionAttendanceOut(Output):
    """Per-row results of a session sheet."""

    recorded: int
    failed: int
    rows: list[AttendanceRowOut]


class MyEnrolmentOut(EnrolmentOut):
    """The worker's view: hours confirmed so far and records awaiting their confirmation."""

    hours_confirmed: float
    awaiting_confirmation: list[AttendanceOut]


class CheckInIn(Input):
    """A worker's check-in: the code they scanned and their device's id."""

    token: Annotated[str, Field(min_length=1, max_length=100)]
    device_id: Annotated[str, Field(max_length=100)] = Field(
        default="",
        description="a random id the worker's device keeps; only its keyed hash is stored",
    )


class CheckInCodeOut(Output):
    """A session's current check-in code, for its QR code."""

    run_id: str
    session_n: int
    day: date
    start: str
    course_title: str
    token: str
    path: str = Field(description="the page the QR code opens, after the site's address")
    valid_until: datetime
    refresh_seconds: int = Field(description="how often the code changes: show the new one")
