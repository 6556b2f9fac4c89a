"""What a caller may see of the recognition area's records (masked ID numbers only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portfolio.recognition.documents import (
    AbilityNorm,
    Accreditation,
    DirectRecognition,
    LevelAssessment,
)
from portfolio.recognition.enums import (
    AccreditationKind,
    AccreditationStatus,
    NormStatus,
    RecognitionStatus,
)
from portfolio.recognition.rules import standing
from portfolio.vocabulary import LevelRoad, SkillLevel


@dataclass(frozen=True)
class NewAccreditation:
    """What an agency states when it accredits an organisation."""

    organisation_id: str
    kind: AccreditationKind
    occupation_codes: list[str]
    levels: list[SkillLevel]
    norm_codes: list[str]
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class AccreditationView:
    """An accreditation with its standing today (active, suspended or expired)."""

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

    @classmethod
    def of(cls, accreditation: Accreditation, today: date) -> AccreditationView:
        """The view of a stored accreditation on ``today``."""
        return cls(
            id=str(accreditation.id),
            organisation_id=accreditation.organisation_id,
            organisation_name=accreditation.organisation_name,
            kind=accreditation.kind,
            occupation_codes=list(accreditation.occupation_codes),
            levels=list(accreditation.levels),
            norm_codes=list(accreditation.norm_codes),
            valid_from=accreditation.valid_from,
            valid_until=accreditation.valid_until,
            status=standing(accreditation, today),
            status_reason=accreditation.status_reason,
            region_code=accreditation.region_code,
            version=accreditation.version,
        )


@dataclass(frozen=True)
class NormView:
    """A published (or withdrawn) special-ability norm."""

    code: str
    title: str
    occupation_code: str
    region_code: str
    status: NormStatus
    published_at: datetime

    @classmethod
    def of(cls, norm: AbilityNorm) -> NormView:
        """The view of a stored norm."""
        return cls(
            code=norm.id,
            title=norm.title,
            occupation_code=norm.occupation_code,
            region_code=norm.region_code,
            status=norm.status,
            published_at=norm.published_at,
        )


@dataclass(frozen=True)
class AssessmentView:
    """An assessment as the organisation that recorded it sees it."""

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

    @classmethod
    def of(cls, assessment: LevelAssessment) -> AssessmentView:
        """The view of a stored assessment."""
        return cls(
            id=assessment.id,
            road=assessment.road,
            accreditation_id=assessment.accreditation_id,
            worker_name=assessment.worker_name,
            worker_masked_id=assessment.worker_masked_id,
            occupation_code=assessment.occupation_code,
            level=assessment.level,
            norm_code=assessment.norm_code,
            passed=assessment.passed,
            score=assessment.score,
            assessed_on=assessment.assessed_on,
            assessors=assessment.assessors,
            certificate_number=assessment.certificate_number,
            certificate_id=assessment.certificate_id,
            recorded_at=assessment.recorded_at,
        )


@dataclass(frozen=True)
class RecognitionView:
    """A direct recognition: the proposal, its evidence and the agency's decision."""

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

    @classmethod
    def of(cls, recognition: DirectRecognition) -> RecognitionView:
        """The view of a stored recognition."""
        return cls(
            id=str(recognition.id),
            organisation_id=recognition.organisation_id,
            organisation_name=recognition.organisation_name,
            worker_name=recognition.worker_name,
            worker_masked_id=recognition.worker_masked_id,
            occupation_code=recognition.occupation_code,
            level=recognition.level,
            performance=recognition.performance,
            posts=recognition.posts,
            achievements=recognition.achievements,
            certificate_number=recognition.certificate_number,
            status=recognition.status,
            decision_reason=recognition.decision_reason,
            certificate_id=recognition.certificate_id,
            proposed_at=recognition.proposed_at,
            version=recognition.version,
        )
