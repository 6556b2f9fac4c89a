"""Requests and responses of enrolments and attendance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from portfolio.identity.identifiers import IdType
from portfolio.training.enums import (
    AttendanceStatus,
    CaptureMethod,
    CompletionResult,
    EnrolmentStatus,
    WithdrawReason,
)
from schemas.common import Input

MAX_BULK_ROWS = 10_000


class WorkerRefIn(Input):
    """A worker named by identity document and name together (both must match)."""

    id_type: IdType = IdType.RESIDENT_ID
    id_number: Annotated[str, Field(min_length=1, max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    nationality: Annotated[str | None, Field(max_length=3)] = None


class EnrolmentIn(WorkerRefIn):
    """Enrol one worker; ``accept`` skips the request step when the provider decides at once."""

    accept: StrictBool = False


class BulkEnrolmentIn(Input):
    """Enrol a class: one row per worker (CSV with the same column names is accepted too)."""

    accept: StrictBool = True
    rows: Annotated[list[WorkerRefIn], Field(min_length=1, max_length=MAX_BULK_ROWS)]


class ReasonIn(Input):
    """An optional note on a transition."""

    reason: Annotated[str, Field(max_length=500)] = ""


class WithdrawIn(Input):
    """Why an enrolment is withdrawn."""

    reason_code: WithdrawReason
    reason: Annotated[str, Field(max_length=500)] = ""


class EnrolmentOut(BaseModel):
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


class FieldErrorOut(BaseModel):
    """One rule one field broke."""

    field: str
    rule: str
    message: str


class EnrolmentRowOut(BaseModel):
    """One row's outcome in a bulk enrolment."""

    row: int
    status: Literal["enrolled", "error"]
    enrolment: EnrolmentOut | None = None
    errors: list[FieldErrorOut] = Field(default_factory=list)
    detail: str = ""


class BulkEnrolmentOut(BaseModel):
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


class SessionAttendanceRowIn(Input):
    """One line of a whole-session sheet."""

    enrolment_id: Annotated[str, Field(min_length=1, max_length=64)]
    hours: Annotated[float, Field(ge=0, le=12)]
    capture_method: CaptureMethod = CaptureMethod.MANUAL
    check_in_ref: Annotated[str, Field(max_length=200)] = ""


class SessionAttendanceIn(Input):
    """A whole session's attendance."""

    rows: Annotated[list[SessionAttendanceRowIn], Field(min_length=1, max_length=MAX_BULK_ROWS)]


class AttendanceOut(BaseModel):
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


class AttendanceRowOut(BaseModel):
    """One row's outcome in a session sheet."""

    row: int
    status: Literal["recorded", "error"]
    record: AttendanceOut | None = None
    errors: list[FieldErrorOut] = Field(default_factory=list)
    detail: str = ""


class SessionAttendanceOut(BaseModel):
    """Per-row results of a session sheet."""

    recorded: int
    failed: int
    rows: list[AttendanceRowOut]


class MyEnrolmentOut(EnrolmentOut):
    """The worker's view: hours confirmed so far and records awaiting their confirmation."""

    hours_confirmed: float
    awaiting_confirmation: list[AttendanceOut]
