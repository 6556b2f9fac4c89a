"""Use cases of direct recognition (直接认定): an enterprise proposes an outstanding front-line
worker for 高级工, 技师 or 高级技师 regardless of education and quota, with the evidence
(performance, posts, achievements); an agency of the enterprise's region confirms or refuses
with a reason. Confirmation issues the certificate (road ``direct_recognition``), recorded by
the agency on the enterprise's behalf, with the proposal as its evidence.

The decision is one conditional update (proposed -> confirmed | refused, on the version), so
two officers cannot both decide. A confirmed proposal whose certificate a crash left
unissued is finished by confirming it again: the certificate is issued once (its number and
evidence are the proposal's), and its id noted last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives import WorkerRef, find_worker, log_reads
from portfolio.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from portfolio.faults import crash_point
from portfolio.identity import parse_occupation_code
from portfolio.keyring import Keyring
from portfolio.recognition import trail
from portfolio.recognition.accreditations import find_for
from portfolio.recognition.documents import DirectRecognition
from portfolio.recognition.enums import AccreditationKind, RecognitionStatus
from portfolio.recognition.rules import DIRECT_LEVELS, refusals
from portfolio.recognition.views import RecognitionView
from portfolio.training import (
    CertificateContent,
    CertificateType,
    Evidence,
    Holder,
    acting_organisation,
    checked_content,
    issue_off_course,
)
from portfolio.vocabulary import LevelRoad, SkillLevel

MAX_EVIDENCE = 2000
MAX_REASON = 500


@dataclass(frozen=True)
class Proposal:
    """What an enterprise states when it proposes a direct recognition."""

    accreditation_id: str
    worker: WorkerRef
    occupation_code: str
    level: SkillLevel
    performance: str
    posts: str
    achievements: str
    certificate_number: str


def _content(recognition: DirectRecognition, day: datetime) -> CertificateContent:
    """The certificate a confirmation issues, dated the day of the decision (``day`` before
    one is made: the proposal is checked with today's date)."""
    return CertificateContent(
        number=recognition.certificate_number,
        certificate_type=CertificateType.SKILL_LEVEL,
        occupation_code=recognition.occupation_code,
        level=recognition.level,
        issuing_body=recognition.organisation_name,
        issue_date=clock.china_today(day),
    )


async def propose(
    *, actor: Actor, keyring: Keyring, proposal: Proposal, now: datetime | None = None
) -> RecognitionView:
    """An accredited enterprise proposes one of its front-line workers."""
    now = now or clock.now()
    organisation = await acting_organisation(actor)
    accreditation = await find_for(str(organisation.id), proposal.accreditation_id)
    errors: list[FieldError] = []
    if accreditation.kind is not AccreditationKind.ENTERPRISE:
        errors.append(
            FieldError("accreditation_id", "not_enterprise", "only an enterprise proposes")
        )
    if proposal.level not in DIRECT_LEVELS:
        errors.append(
            FieldError("level", "not_allowed", "senior worker, technician or senior technician")
        )
    occupation = proposal.occupation_code
    try:
        # catalogue: checked where the accreditation, which bounds this, names it.
        occupation = parse_occupation_code(proposal.occupation_code).code
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    # The plan's direct recognition ignores the accreditation's levels, not its occupations.
    errors.extend(
        e
        for e in refusals(
            accreditation,
            occupation_code=occupation,
            level=None,
            norm_code="",
            on=clock.china_today(now),
        )
    )
    texts = {"performance": proposal.performance, "posts": proposal.posts}
    texts["achievements"] = proposal.achievements
    for name, text in texts.items():
        if not text.strip() or len(text) > MAX_EVIDENCE:
            errors.append(FieldError(name, "length", f"1 to {MAX_EVIDENCE} characters"))
    if errors:
        raise ValidationFailed(errors)
    worker = await find_worker(keyring, proposal.worker)
    recognition = DirectRecognition(
        organisation_id=str(organisation.id),
        organisation_name=organisation.name,
        accreditation_id=str(accreditation.id),
        region_code=organisation.region_code,
        archive_id=str(worker.id),
        worker_name=worker.name,
        worker_masked_id=worker.id_masked,
        worker_region_code=worker.region_code,
        occupation_code=occupation,
        level=proposal.level,
        performance=proposal.performance.strip(),
        posts=proposal.posts.strip(),
        achievements=proposal.achievements.strip(),
        certificate_number=proposal.certificate_number.strip(),
        proposed_at=now,
        proposed_by=actor.principal_id,
    )
    checked_content(_content(recognition, now), now)
    await recognition.insert()
    await trail.recognition_changed(None, recognition, reason="proposed")
    return RecognitionView.of(recognition)


def can_see(actor: Actor, recognition: DirectRecognition) -> bool:
    """The enterprise's staff and the agencies of its region."""
    if actor.role is Role.AGENCY:
        return actor.covers_region(recognition.region_code)
    if actor.role is Role.PROVIDER:
        return actor.organisation_id == recognition.organisation_id
    return False


async def _in_reach(actor: Actor, recognition_id: str) -> DirectRecognition:
    found = await DirectRecognition.get(ids.parse(recognition_id, "recognition"))
    if found is None or not can_see(actor, found):
        raise NotFound("no such recognition")
    return found


async def issue_confirmed(recognition: DirectRecognition) -> DirectRecognition:
    """Issue the certificate of a confirmed recognition (the request, or the repair routine
    after a crash), recorded by the officer who decided, dated the day of the decision."""
    decided = datetime.fromtimestamp(recognition.decided_at_ms / 1000, UTC)
    certificate = await issue_off_course(
        holder=Holder(
            recognition.archive_id, recognition.worker_name, recognition.worker_region_code
        ),
        evidence=Evidence(
            road=LevelRoad.DIRECT_RECOGNITION,
            assessment_id=str(recognition.id),
            organisation_id=recognition.organisation_id,
            recorded_by=recognition.decided_by,
            recorder_role="agency",
        ),
        content=_content(recognition, decided),
        now=decided,
    )
    await DirectRecognition.get_pymongo_collection().update_one(
        {"_id": recognition.id, "certificate_id": ""}, {"$set": {"certificate_id": certificate.id}}
    )
    issued: DirectRecognition = recognition.model_copy(update={"certificate_id": certificate.id})
    return issued


async def decide(
    *,
    actor: Actor,
    recognition_id: str,
    confirm: bool,
    reason: str,
    now: datetime | None = None,
) -> RecognitionView:
    """An agency of the enterprise's region confirms (issuing the certificate) or refuses."""
    if actor.role is not Role.AGENCY:
        raise Forbidden("only an agency confirms a direct recognition")
    now = now or clock.now()
    clean = " ".join(reason.split())
    if not clean or len(clean) > MAX_REASON:
        raise ValidationFailed.single("reason", "required", f"a reason of 1 to {MAX_REASON} chars")
    found = await _in_reach(actor, recognition_id)
    status = RecognitionStatus.CONFIRMED if confirm else RecognitionStatus.REFUSED
    if found.status is RecognitionStatus.CONFIRMED and confirm and not found.certificate_id:
        return RecognitionView.of(await issue_confirmed(found))  # a crash's leftover
    if found.status is not RecognitionStatus.PROPOSED:
        raise Conflict(f"the recognition is {found.status.value} already")
    moved = await DirectRecognition.get_pymongo_collection().update_one(
        {"_id": found.id, "status": RecognitionStatus.PROPOSED.value, "version": found.version},
        {
            "$set": {
                "status": status.value,
                "decision_reason": clean,
                "decided_by": actor.principal_id,
                "decided_at_ms": clock.epoch_ms(now),
            },
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        raise Conflict("the recognition was decided meanwhile; reload")
    after = found.model_copy(
        update={
            "status": status,
            "decision_reason": clean,
            "decided_by": actor.principal_id,
            "decided_at_ms": clock.epoch_ms(now),
            "version": found.version + 1,
        }
    )
    await trail.recognition_changed(found, after, reason=clean)
    if confirm:
        crash_point("recognition:after_confirm")
        after = await issue_confirmed(after)
    return RecognitionView.of(after)


async def list_visible(
    *, actor: Actor, status: RecognitionStatus | None = None, limit: int = 100
) -> list[RecognitionView]:
    """An agency's region's recognitions, or an enterprise's own, newest first."""
    if actor.role is Role.AGENCY and actor.region_prefix is not None:
        query: dict[str, object] = {"region_code": region_range(actor.region_prefix)}
    elif actor.role is Role.PROVIDER and actor.organisation_id:
        query = {"organisation_id": actor.organisation_id}
    else:
        raise Forbidden("recognitions are for agencies and the proposing enterprises")
    if status is not None:
        query["status"] = status.value
    found = await DirectRecognition.find(query).sort("-proposed_at").limit(limit).to_list()
    await log_reads(actor, [r.archive_id for r in found], what="direct recognition list")
    return [RecognitionView.of(r) for r in found]


async def get_visible(*, actor: Actor, recognition_id: str) -> RecognitionView:
    """One recognition within reach."""
    found = await _in_reach(actor, recognition_id)
    await log_reads(actor, [found.archive_id], what="direct recognition")
    return RecognitionView.of(found)
