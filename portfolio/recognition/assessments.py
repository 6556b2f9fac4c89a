"""Use case: an accredited organisation records a worker's assessment; a pass issues the
certificate, with the assessment as its evidence and no course behind it.

The organisation's staff name the worker by ID number and name together (one and the same
error for any mismatch, as at enrolment). The accreditation must cover the assessment: the
occupation and level (or the norm, for a special-ability certificate), the day within its
period, not suspended; every refusal names its field and rule, and nothing is written.

Crash-safety: the assessment's ``_id`` is derived from the organisation, worker, subject and
day, so a retry of the same request finds the record it wrote; the certificate is issued
with the assessment's id as evidence (a retry finds it by number and evidence), and its id
noted on the assessment last.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.archives import Archive, WorkerRef, find_worker, log_reads
from portfolio.errors import Conflict, FieldError, ValidationFailed
from portfolio.faults import crash_point
from portfolio.identity import parse_occupation_code
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.recognition import norms, trail
from portfolio.recognition.accreditations import find_for
from portfolio.recognition.documents import Accreditation, LevelAssessment
from portfolio.recognition.rules import refusals, road_of
from portfolio.recognition.views import AssessmentView
from portfolio.training import (
    CertificateContent,
    CertificateType,
    Evidence,
    Holder,
    acting_organisation,
    checked_content,
    issue_off_course,
)
from portfolio.vocabulary import SkillLevel

MAX_ASSESSORS = 200


@dataclass(frozen=True)
class NewAssessment:
    """What the organisation's staff record of one assessment."""

    accreditation_id: str
    worker: WorkerRef
    occupation_code: str
    level: SkillLevel | None
    norm_code: str
    passed: bool
    score: int | None
    assessed_on: date
    assessors: str
    certificate_number: str


def assessment_id(organisation_id: str, archive_id: str, subject: str, day: date) -> str:
    """The deterministic ``_id`` of one organisation's assessment of one worker on a day."""
    key = f"{organisation_id}|{archive_id}|{subject}|{day.isoformat()}"
    return "as_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _subject(asked: NewAssessment, occupation: str) -> str:
    return asked.norm_code or f"{occupation}:{asked.level.value if asked.level else ''}"


async def _occupation_of(asked: NewAssessment) -> tuple[str, list[FieldError]]:
    """The occupation assessed (a norm's own for special ability), and what is wrong."""
    if asked.norm_code:
        norm = await norms.published(asked.norm_code)
        if norm is None:
            return "", [FieldError("norm_code", "unknown_norm", "no published norm of this code")]
        if asked.level is not None:
            return norm.occupation_code, [
                FieldError("level", "not_allowed", "a special-ability certificate has no level")
            ]
        return norm.occupation_code, []
    try:
        # catalogue: checked where the accreditation, which bounds this, names it.
        return parse_occupation_code(asked.occupation_code).code, []
    except ValidationFailed as failed:
        return asked.occupation_code, list(failed.errors)


def _content(asked: NewAssessment, occupation: str, issuer: str) -> CertificateContent:
    return CertificateContent(
        number=asked.certificate_number,
        certificate_type=CertificateType.SPECIAL_ABILITY
        if asked.norm_code
        else CertificateType.SKILL_LEVEL,
        occupation_code=occupation,
        level=asked.level,
        issuing_body=issuer,
        issue_date=asked.assessed_on,
    )


async def _checked(
    asked: NewAssessment, accreditation: Accreditation, issuer: str, now: datetime
) -> str:
    """The occupation assessed, once every rule holds (else all broken rules at once)."""
    occupation, errors = await _occupation_of(asked)
    if not asked.norm_code and asked.level in (None, SkillLevel.APPRENTICE):
        errors.append(FieldError("level", "required", "a level from junior (初级工) upwards"))
    if asked.assessed_on > clock.china_today(now):
        errors.append(FieldError("assessed_on", "future", "must not be in the future"))
    if asked.score is not None and not 0 <= asked.score <= 100:
        errors.append(FieldError("score", "range", "a score from 0 to 100"))
    if len(asked.assessors) > MAX_ASSESSORS:
        errors.append(FieldError("assessors", "length", f"at most {MAX_ASSESSORS} characters"))
    errors.extend(
        refusals(
            accreditation,
            occupation_code=occupation,
            level=asked.level,
            norm_code=asked.norm_code,
            on=asked.assessed_on,
        )
    )
    if errors:
        raise ValidationFailed(errors)
    if asked.passed:
        checked_content(_content(asked, occupation, issuer), now)
    return occupation


async def record(
    *, actor: Actor, keyring: Keyring, asked: NewAssessment, now: datetime | None = None
) -> AssessmentView:
    """Record an assessment within the organisation's accreditation; a pass issues the
    certificate (road: assessment body, enterprise or special ability)."""
    now = now or clock.now()
    organisation = await acting_organisation(actor)
    accreditation = await find_for(str(organisation.id), asked.accreditation_id)
    occupation = await _checked(asked, accreditation, organisation.name, now)
    worker: Archive = await find_worker(keyring, asked.worker)
    assessment = LevelAssessment(
        id=assessment_id(
            str(organisation.id), str(worker.id), _subject(asked, occupation), asked.assessed_on
        ),
        road=road_of(accreditation, special=bool(asked.norm_code)),
        accreditation_id=str(accreditation.id),
        organisation_id=str(organisation.id),
        archive_id=str(worker.id),
        worker_name=worker.name,
        worker_masked_id=worker.id_masked,
        worker_region_code=worker.region_code,
        occupation_code=occupation,
        level=asked.level,
        norm_code=asked.norm_code,
        passed=asked.passed,
        score=asked.score,
        assessed_on=asked.assessed_on,
        assessors=asked.assessors.strip(),
        certificate_number=asked.certificate_number.strip() if asked.passed else "",
        recorded_at=now,
        recorded_by=actor.principal_id,
    )
    if not await insert_once(assessment):
        earlier = await LevelAssessment.get(assessment.id)
        assert earlier is not None
        if earlier.passed != assessment.passed or (
            earlier.certificate_number != assessment.certificate_number
        ):
            raise Conflict("this worker's assessment of that day is recorded already")
        assessment = earlier
    await trail.assessment_recorded(assessment)
    crash_point("recognition:after_assessment")
    if assessment.passed and not assessment.certificate_id:
        assessment = await issue_passed(assessment, organisation.name)
    return AssessmentView.of(assessment)


async def issue_passed(assessment: LevelAssessment, issuer: str) -> LevelAssessment:
    """Issue the certificate of a passed assessment and note it (the request, or the repair
    routine after a crash: the certificate's number and evidence make it once)."""
    certificate = await issue_off_course(
        holder=Holder(assessment.archive_id, assessment.worker_name, assessment.worker_region_code),
        evidence=Evidence(
            road=assessment.road,
            assessment_id=assessment.id,
            organisation_id=assessment.organisation_id,
            recorded_by=assessment.recorded_by,
            norm_code=assessment.norm_code,
        ),
        content=CertificateContent(
            number=assessment.certificate_number,
            certificate_type=CertificateType.SPECIAL_ABILITY
            if assessment.norm_code
            else CertificateType.SKILL_LEVEL,
            occupation_code=assessment.occupation_code,
            level=assessment.level,
            issuing_body=issuer,
            issue_date=assessment.assessed_on,
        ),
        now=assessment.recorded_at,
    )
    await LevelAssessment.get_pymongo_collection().update_one(
        {"_id": assessment.id, "certificate_id": ""},
        {"$set": {"certificate_id": certificate.id}},
    )
    noted: LevelAssessment = assessment.model_copy(update={"certificate_id": certificate.id})
    return noted


async def list_own(*, actor: Actor, limit: int = 100) -> list[AssessmentView]:
    """The organisation's latest assessments, newest first (its own records: names and
    masked numbers, each read written to the worker's access log)."""
    organisation = await acting_organisation(actor, to_record=False)
    found = (
        await LevelAssessment.find({"organisation_id": str(organisation.id)})
        .sort("-recorded_at")
        .limit(limit)
        .to_list()
    )
    await log_reads(actor, [a.archive_id for a in found], what="assessment list")
    return [AssessmentView.of(a) for a in found]
