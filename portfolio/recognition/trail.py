"""The recognition area's records in the change trail (``portfolio.audit.changed``).

Each write records right after its conditional update: an accreditation made (version 0),
suspended or reinstated; a norm published or withdrawn; an assessment recorded (version 0);
a direct recognition proposed (0) and decided (1). The repair routine restores a record a
crash left out (``register_documents``). Workers' names are masked and marked personal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portfolio import audit
from portfolio.recognition.documents import (
    AbilityNorm,
    Accreditation,
    DirectRecognition,
    LevelAssessment,
)

ACCREDITATION = "accreditation"
NORM = "ability_norm"
ASSESSMENT = "level_assessment"
RECOGNITION = "direct_recognition"
PERSONAL = ("worker_name", "worker_masked_id")


def shown_accreditation(accreditation: Accreditation) -> dict[str, Any]:
    """An accreditation as the trail keeps it."""
    return {
        "organisation_id": accreditation.organisation_id,
        "kind": accreditation.kind.value,
        "occupation_codes": list(accreditation.occupation_codes),
        "levels": [level.value for level in accreditation.levels],
        "norm_codes": list(accreditation.norm_codes),
        "valid_from": accreditation.valid_from.isoformat(),
        "valid_until": accreditation.valid_until.isoformat(),
        "status": accreditation.status.value,
        "status_reason": accreditation.status_reason,
    }


def shown_norm(norm: AbilityNorm) -> dict[str, Any]:
    """A norm as the trail keeps it."""
    return {
        "code": norm.id,
        "title": norm.title,
        "occupation_code": norm.occupation_code,
        "status": norm.status.value,
        "status_reason": norm.status_reason,
    }


def shown_assessment(assessment: LevelAssessment) -> dict[str, Any]:
    """An assessment as the trail keeps it."""
    return {
        "road": assessment.road.value,
        "accreditation_id": assessment.accreditation_id,
        "organisation_id": assessment.organisation_id,
        "worker_name": audit.mask_name(assessment.worker_name),
        "worker_masked_id": assessment.worker_masked_id,
        "occupation_code": assessment.occupation_code,
        "level": assessment.level.value if assessment.level else None,
        "norm_code": assessment.norm_code,
        "passed": assessment.passed,
        "score": assessment.score,
        "assessed_on": assessment.assessed_on.isoformat(),
        "assessors": assessment.assessors,
        "certificate_number": assessment.certificate_number,
    }


def shown_recognition(recognition: DirectRecognition) -> dict[str, Any]:
    """A direct recognition as the trail keeps it, with its evidence and decision."""
    return {
        "organisation_id": recognition.organisation_id,
        "worker_name": audit.mask_name(recognition.worker_name),
        "worker_masked_id": recognition.worker_masked_id,
        "occupation_code": recognition.occupation_code,
        "level": recognition.level.value,
        "performance": recognition.performance,
        "posts": recognition.posts,
        "achievements": recognition.achievements,
        "certificate_number": recognition.certificate_number,
        "status": recognition.status.value,
        "decision_reason": recognition.decision_reason,
        "decided_by": recognition.decided_by,
    }


async def accreditation_changed(
    before: Accreditation | None, after: Accreditation, *, reason: str
) -> None:
    """Record an accreditation made (``before`` None), suspended or reinstated."""
    await audit.changed(
        ACCREDITATION,
        str(after.id),
        after.version,
        None if before is None else shown_accreditation(before),
        shown_accreditation(after),
        reason=reason,
        region=after.region_code,
    )


async def norm_changed(before: AbilityNorm | None, after: AbilityNorm, *, reason: str) -> None:
    """Record a norm published (``before`` None) or withdrawn."""
    await audit.changed(
        NORM,
        after.id,
        after.version,
        None if before is None else shown_norm(before),
        shown_norm(after),
        reason=reason,
        region=after.region_code,
    )


async def assessment_recorded(assessment: LevelAssessment) -> None:
    """Record an assessment (version 0: it is not changed; its certificate is)."""
    await audit.changed(
        ASSESSMENT,
        assessment.id,
        0,
        None,
        shown_assessment(assessment),
        reason="assessment recorded",
        region=assessment.worker_region_code,
        personal=PERSONAL,
    )


async def recognition_changed(
    before: DirectRecognition | None, after: DirectRecognition, *, reason: str
) -> None:
    """Record a direct recognition proposed (``before`` None) or decided."""
    await audit.changed(
        RECOGNITION,
        str(after.id),
        after.version,
        None if before is None else shown_recognition(before),
        shown_recognition(after),
        reason=reason,
        region=after.region_code,
        personal=PERSONAL,
    )


def _made_or_moved(since: datetime, until: datetime) -> list[dict[str, Any]]:
    since_ms, until_ms = int(since.timestamp() * 1000), int(until.timestamp() * 1000)
    return [
        {"created_at": {"$gte": since, "$lte": until}},
        {"changed_at_ms": {"$gte": since_ms, "$lte": until_ms}},
    ]


audit.register_documents(
    ACCREDITATION,
    Accreditation,
    _made_or_moved,
    lambda a: audit.Snapshot(str(a.id), a.version, shown_accreditation(a), a.region_code),
)
audit.register_documents(
    NORM,
    AbilityNorm,
    lambda since, until: [
        {"published_at": {"$gte": since, "$lte": until}},
        {
            "changed_at_ms": {
                "$gte": int(since.timestamp() * 1000),
                "$lte": int(until.timestamp() * 1000),
            }
        },
    ],
    lambda n: audit.Snapshot(n.id, n.version, shown_norm(n), n.region_code),
)
audit.register_documents(
    ASSESSMENT,
    LevelAssessment,
    lambda since, until: [{"recorded_at": {"$gte": since, "$lte": until}}],
    lambda a: audit.Snapshot(a.id, 0, shown_assessment(a), a.worker_region_code, PERSONAL),
)
audit.register_documents(
    RECOGNITION,
    DirectRecognition,
    lambda since, until: [
        {"proposed_at": {"$gte": since, "$lte": until}},
        {
            "decided_at_ms": {
                "$gte": int(since.timestamp() * 1000),
                "$lte": int(until.timestamp() * 1000),
            }
        },
    ],
    lambda r: audit.Snapshot(str(r.id), r.version, shown_recognition(r), r.region_code, PERSONAL),
)
