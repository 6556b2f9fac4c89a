"""Wire models of the plan's other roads to a level: accreditations, norms, assessments and
direct recognitions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StrictBool

from portfolio.recognition.assessments import NewAssessment
from portfolio.recognition.direct import Proposal
from portfolio.recognition.enums import (
    AccreditationKind,
    AccreditationStatus,
    NormStatus,
    RecognitionStatus,
)
from portfolio.recognition.views import NewAccreditation
from portfolio.vocabulary import LevelRoad, SkillLevel
from schemas.common import Input, Output
from schemas.enrolments import WorkerRefIn

Code = Annotated[str, Field(min_length=1, max_length=20)]
# The domain checks the evidence texts' length (its rule names the field).
Text = Annotated[str, Field(max_length=4000)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
NormCode = Annotated[str, Field(min_length=1, max_length=32)]
Number = Annotated[str, Field(min_length=1, max_length=40)]


class AccreditationIn(Input):
    """Accredit an organisation of your region for occupations and levels, or norms."""

    organisation_id: Annotated[str, Field(min_length=1, max_length=64)]
    kind: AccreditationKind
    occupation_codes: Annotated[list[Code], Field(max_length=50, default_factory=list)]
    levels: Annotated[list[SkillLevel], Field(max_length=8, default_factory=list)]
    norm_codes: Annotated[list[NormCode], Field(max_length=50, default_factory=list)]
    valid_from: date
    valid_until: date

    def to_domain(self) -> NewAccreditation:
        """The accreditation as the domain takes it."""
        return NewAccreditation(
            organisation_id=self.organisation_id,
            kind=self.kind,
            occupation_codes=list(self.occupation_codes),
            levels=list(self.levels),
            norm_codes=list(self.norm_codes),
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


class StatusReasonIn(Input):
    """Why an accreditation is suspended or reinstated, or a norm withdrawn."""

    reason: Reason


class AccreditationOut(Output):
    """An accreditation with its standing today (``expired`` outside its period)."""

    id: str
    organisation_id: str
    organisation_name: str
    kind: AccreditationKind
    occupation_codes: list[str]
    levels: list[SkillLevel]
    norm_codes: list[str]
    valid_from: date
    valid_until: date
    status: AccreditationStatus
    status_reason: str
    region_code: str
    version: int


class NormIn(Input):
    """Publish a special vocational ability norm under a new code."""

    code: Annotated[str, Field(min_length=3, max_length=32)]
    title: Annotated[str, Field(min_length=1, max_length=100)]
    occupation_code: Code


class NormOut(Output):
    """A special vocational ability norm."""

    code: str
    title: str
    occupation_code: str
    region_code: str
    status: NormStatus
    published_at: datetime


class AssessmentIn(WorkerRefIn):
    """One worker's assessment under your accreditation; a pass issues the certificate.

    Give ``norm_code`` (and no level) for a special-ability certificate, else the occupation
    and level assessed."""

    accreditation_id: Annotated[str, Field(min_length=1, max_length=64)]
    occupation_code: Annotated[str, Field(max_length=20)] = ""
    level: SkillLevel | None = None
    norm_code: Annotated[str, Field(max_length=32)] = ""
    passed: StrictBool
    score: int | None = None
    assessed_on: date
    assessors: Annotated[str, Field(max_length=200)] = ""
    certificate_number: Annotated[str, Field(max_length=40)] = ""

    def to_assessment(self) -> NewAssessment:
        """The assessment as the domain takes it."""
        return NewAssessment(
            accreditation_id=self.accreditation_id,
            worker=self.to_domain(),
            occupation_code=self.occupation_code,
            level=self.level,
            norm_code=self.norm_code.upper(),
            passed=self.passed,
            score=self.score,
            assessed_on=self.assessed_on,
            assessors=self.assessors,
            certificate_number=self.certificate_number,
        )


class AssessmentOut(Output):
    """An assessment as the organisation that recorded it sees it (masked ID number)."""

    id: str
    road: LevelRoad
    accreditation_id: str
    worker_name: str
    worker_masked_id: str
    occupation_code: str
    level: SkillLevel | None
    norm_code: str
    passed: bool
    score: int | None
    assessed_on: date
    assessors: str
    certificate_number: str
    certificate_id: str
    recorded_at: datetime


class RecognitionIn(WorkerRefIn):
    """Propose an outstanding front-line worker for direct recognition, with the evidence."""

    accreditation_id: Annotated[str, Field(min_length=1, max_length=64)]
    occupation_code: Code
    level: SkillLevel
    performance: Text
    posts: Text
    achievements: Text
    certificate_number: Number

    def to_proposal(self) -> Proposal:
        """The proposal as the domain takes it."""
        return Proposal(
            accreditation_id=self.accreditation_id,
            worker=self.to_domain(),
            occupation_code=self.occupation_code,
            level=self.level,
            performance=self.performance,
            posts=self.posts,
            achievements=self.achievements,
            certificate_number=self.certificate_number,
        )


class DecisionIn(Input):
    """The agency's decision on a direct recognition, and why."""

    confirm: StrictBool
    reason: Reason


class RecognitionOut(Output):
    """A direct recognition with its evidence and decision (masked ID number)."""

    id: str
    organisation_id: str
    organisation_name: str
    worker_name: str
    worker_masked_id: str
    occupation_code: str
    level: SkillLevel
    performance: str
    posts: str
    achievements: str
    certificate_number: str
    status: RecognitionStatus
    decision_reason: str
    certificate_id: str
    proposed_at: datetime
    version: int
