"""Requests and responses of historical imports (training from before the service)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from portfolio.training.enums import CompletionResult, ImportStatus
from portfolio.training.historical import HistoricalRecord
from portfolio.vocabulary import SkillLevel
from schemas.common import Input, Output
from schemas.enrolments import WorkerRefIn


class HistoricalImportIn(WorkerRefIn):
    """A training record from before the service: the worker (ID number and name), the
    provider's course, the dates (in the past), hours, result and what it rests on."""

    course_id: Annotated[str, Field(min_length=1, max_length=40)]
    start_date: date
    end_date: date
    hours: Annotated[float, Field(gt=0, le=100_000)]
    result: CompletionResult
    score: Annotated[float | None, Field(ge=0, le=100)] = None
    evidence_description: Annotated[
        str,
        Field(
            min_length=1,
            max_length=500,
            description="what the record rests on (a paper register, another system)",
        ),
    ]
    evidence_reference: Annotated[
        str, Field(min_length=1, max_length=120, description="e.g. the paper file's number")
    ]

    def record(self) -> HistoricalRecord:
        """The record as the domain checks it."""
        return HistoricalRecord(
            worker=self.to_domain(),
            course_id=self.course_id,
            start_date=self.start_date,
            end_date=self.end_date,
            hours=self.hours,
            result=self.result,
            score=self.score,
            evidence_description=self.evidence_description,
            evidence_reference=self.evidence_reference,
        )


class ApproveIn(Input):
    """An officer's approval, with an optional note."""

    reason: Annotated[str, Field(max_length=500)] = ""


class RefuseIn(Input):
    """An officer's refusal, and why."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class HistoricalImportOut(Output):
    """A historical import as its provider, the worker and the agency see it."""

    id: str
    status: ImportStatus = Field(description="pending, then approved or refused by an officer")
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
    submitted_by: str
    submitted_role: str
    submitted_at: datetime
    decided_by: str
    decision_reason: str
    enrolment_id: str | None = Field(
        description="the historical enrolment, once the approval has written it"
    )
