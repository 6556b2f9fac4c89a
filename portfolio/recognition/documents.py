"""Storage of the recognition area (Beanie documents: storage only).

* ``accreditations``: an agency's accreditation of an organisation as an assessment body or
  for enterprise self-assessment, for given occupations, levels and special-ability norms,
  over a period; suspended and reinstated with a reason (``version`` guards each move).
* ``ability_norms``: the special vocational ability norms (专项职业能力考核规范) a
  province-level agency publishes, by their code.
* ``level_assessments``: an accredited organisation's assessment of one worker; a pass issues
  the certificate (``certificate_id``). Its ``_id`` is derived from the organisation, worker,
  subject and day, so a retried request finds the record it wrote before.
* ``direct_recognitions``: an enterprise's proposal to recognise an outstanding front-line
  worker at a level, with the evidence, and the agency's decision.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel

from portfolio.recognition.enums import (
    AccreditationKind,
    AccreditationStatus,
    NormStatus,
    RecognitionStatus,
)
from portfolio.vocabulary import LevelRoad, SkillLevel


class Accreditation(Document):
    """An organisation accredited to assess (see the module docstring)."""

    organisation_id: str
    organisation_name: str
    kind: AccreditationKind
    occupation_codes: list[str]
    levels: list[SkillLevel]
    norm_codes: list[str]
    valid_from: date
    valid_until: date
    status: AccreditationStatus = AccreditationStatus.ACTIVE
    status_reason: str = ""
    # The organisation's region: the agencies that reach it.
    region_code: str
    version: int = 0
    created_at: datetime
    created_by: str
    changed_at_ms: int = 0

    class Settings:
        name = "accreditations"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("created_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class AbilityNorm(Document):
    """A special vocational ability norm, by its code (the ``_id``)."""

    id: str  # type: ignore[assignment]
    title: str
    occupation_code: str
    region_code: str
    status: NormStatus = NormStatus.PUBLISHED
    status_reason: str = ""
    version: int = 0
    published_at: datetime
    published_by: str
    changed_at_ms: int = 0

    class Settings:
        name = "ability_norms"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("published_at", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class LevelAssessment(Document):
    """One worker's assessment by an accredited organisation (see the module docstring)."""

    id: str  # type: ignore[assignment]
    road: LevelRoad
    accreditation_id: str
    organisation_id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    occupation_code: str
    level: SkillLevel | None
    norm_code: str
    passed: bool
    score: int | None
    assessed_on: date
    assessors: str
    certificate_number: str
    certificate_id: str = ""
    recorded_at: datetime
    recorded_by: str

    class Settings:
        name = "level_assessments"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("worker_region_code", ASCENDING)]),
            IndexModel([("recorded_at", ASCENDING)]),
        ]


class DirectRecognition(Document):
    """An enterprise's proposal to recognise a front-line worker, and the agency's decision."""

    organisation_id: str
    organisation_name: str
    accreditation_id: str
    # The enterprise's region: the agencies that decide.
    region_code: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    occupation_code: str
    level: SkillLevel
    performance: str
    posts: str
    achievements: str
    certificate_number: str
    status: RecognitionStatus = RecognitionStatus.PROPOSED
    decision_reason: str = ""
    decided_by: str = ""
    decided_at_ms: int = 0
    certificate_id: str = ""
    version: int = 0
    proposed_at: datetime
    proposed_by: str

    class Settings:
        name = "direct_recognitions"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("organisation_id", ASCENDING)]),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("status", ASCENDING)]),
            IndexModel([("proposed_at", ASCENDING)]),
            IndexModel([("decided_at_ms", ASCENDING)]),
        ]
