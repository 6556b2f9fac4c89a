"""Requests and responses of completions and certificates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from portfolio.archives import WorkerRef
from portfolio.identity.identifiers import IdType
from portfolio.training.certificates import CertificateContent
from portfolio.training.completions import CompletionRow, Outcome
from portfolio.training.enums import CertificateStatus, CertificateType, CompletionResult
from portfolio.vocabulary import LevelRoad, SkillLevel
from schemas.common import FieldErrorOut, Input, Output
from schemas.enrolments import MAX_BULK_ROWS, EnrolmentOut

Score = Annotated[float | None, Field(ge=0, le=100)]


class CompletionIn(Input):
    """The result of one worker's training."""

    result: CompletionResult
    score: Score = None

    def to_domain(self) -> Outcome:
        """The result as the domain records it."""
        return Outcome(self.result, self.score)


class CompletionRowIn(Input):
    """One row of a class's completion sheet: the enrolment id, or the worker's ID and name."""

    enrolment_id: Annotated[str | None, Field(max_length=64)] = None
    id_type: IdType = IdType.RESIDENT_ID
    id_number: Annotated[str | None, Field(max_length=40)] = None
    name: Annotated[str | None, Field(max_length=64)] = None
    result: CompletionResult
    score: Score = None

    @model_validator(mode="after")
    def _names_one_worker(self) -> CompletionRowIn:
        if self.enrolment_id is None and (self.id_number is None or self.name is None):
            raise ValueError("give enrolment_id, or id_number and name")
        return self

    def to_domain(self) -> CompletionRow:
        """The row: its outcome, for the enrolment named or the worker named by ID and name."""
        named = self.enrolment_id is None and self.id_number and self.name
        return CompletionRow(
            outcome=Outcome(self.result, self.score),
            enrolment_id=self.enrolment_id,
            worker=WorkerRef(self.id_type, self.id_number or "", self.name or "")
            if named
            else None,
        )


class ClassCompletionIn(Input):
    """A whole class's results (CSV with the same column names is accepted too)."""

    rows: Annotated[list[CompletionRowIn], Field(min_length=1, max_length=MAX_BULK_ROWS)]

    def to_domain(self) -> list[CompletionRow]:
        """The sheet's rows, in order."""
        return [row.to_domain() for row in self.rows]


class CompletionRowOut(Output):
    """One row's outcome."""

    row: int
    status: Literal["recorded", "already_recorded", "error"]
    enrolment: EnrolmentOut | None = None
    errors: list[FieldErrorOut] = Field(default_factory=list)
    detail: str = ""


class ClassCompletionOut(Output):
    """Per-row results: valid rows are recorded even when others fail."""

    recorded: int
    already_recorded: int
    failed: int
    rows: list[CompletionRowOut]


class CertificateContentIn(Input):
    """What a certificate states."""

    number: Annotated[str, Field(min_length=1, max_length=40)]
    certificate_type: CertificateType
    occupation_code: Annotated[str, Field(min_length=1, max_length=20)]
    level: SkillLevel | None = Field(
        default=None, description="required except for special-ability certificates"
    )
    issuing_body: Annotated[str, Field(min_length=1, max_length=200)]
    issue_date: date

    def to_domain(self) -> CertificateContent:
        """What the certificate states, as the domain checks it."""
        return CertificateContent(
            number=self.number,
            certificate_type=self.certificate_type,
            occupation_code=self.occupation_code,
            level=self.level,
            issuing_body=self.issuing_body,
            issue_date=self.issue_date,
        )


class CertificateIn(CertificateContentIn):
    """Record a certificate earned through a passed completion."""

    enrolment_id: Annotated[str, Field(min_length=1, max_length=64)]


class CorrectionIn(CertificateContentIn):
    """The whole corrected certificate, and why."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class VoidIn(Input):
    """Why a certificate is withdrawn."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class CertificateOut(Output):
    """A certificate as its provider sees it (holder's name, never an ID number)."""

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
    road: LevelRoad = Field(description="The way to it: a course or one of the other roads")
    norm_code: str = Field(description="The special-ability norm assessed against, or empty")


class CertificateCheckOut(Output):
    """The public answer: the certificate's standing and what it states, nothing more."""

    status: Literal["valid", "voided", "unknown"]
    certificate_type: CertificateType | None = None
    occupation_code: str | None = None
    level: SkillLevel | None = None
    issuing_body: str | None = None
    issue_date: date | None = None
