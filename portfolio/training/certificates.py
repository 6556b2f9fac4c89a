"""Use cases of certificates: issue, correct, void (each an archive entry) and the public check.

A certificate follows a passed completion of the provider's own class. The conditional update
on the certificate document decides which of racing requests wins; only the winner writes the
archive entry. A correction is a new entry pointing at the one it replaces; nothing is edited
in the archive.

Each change first moves the certificate (its ``entry_seq`` back to 0, with what the entry
needs: the seq it corrects, the reason, who), then publishes its event
(``certificate:<id>:v<version>``, counted by the reports), appends the entry and notes its seq.
A process killed in between leaves ``entry_seq`` at 0, which the repair routine looks for and
finishes with ``finish_entry`` (the request and the repair publish the same event, the facts
before the change read from the entry it corrects, and write the same entry); until then the
certificate refuses further changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from beanie import PydanticObjectId
from beanie.odm.utils.dump import get_dict
from pymongo.errors import DuplicateKeyError

from portfolio import clock, events, ids
from portfolio.accounts import Actor
from portfolio.archives import (
    EntryKind,
    Recorder,
    append_entry,
    check_name,
    entry_about,
    entry_at,
    log_reads,
)
from portfolio.errors import Conflict, FieldError, InvalidTransition, NotFound, ValidationFailed
from portfolio.faults import crash_point
from portfolio.identity import normalise, parse_occupation_code
from portfolio.occupations import catalogue_errors
from portfolio.once import insert_once
from portfolio.paging import Page, PageRequest, by_id, id_page
from portfolio.training.changes import record_certificate_change
from portfolio.training.documents import Certificate, Course, Enrolment, Run
from portfolio.training.enums import (
    CertificateStatus,
    CertificateType,
    CompletionResult,
    EnrolmentStatus,
)
from portfolio.training.events import CertificateFacts, certificate_changed, certificate_event_id
from portfolio.training.organisations import acting_organisation
from portfolio.training.timerules import certificate_level_error, plausible_date_errors
from portfolio.training.views import CertificateCheckView, CertificateView
from portfolio.vocabulary import LevelRoad, SkillLevel

MAX_NUMBER_LENGTH = 40


@dataclass(frozen=True)
class CertificateContent:
    """What a certificate states; a correction restates all of it."""

    number: str
    certificate_type: CertificateType
    occupation_code: str
    level: SkillLevel | None
    issuing_body: str
    issue_date: date


def _checked(
    content: CertificateContent, now: datetime, also: Sequence[FieldError] = ()
) -> CertificateContent:
    """The content normalised, or every broken rule at once (``also``: those found elsewhere)."""
    errors: list[FieldError] = list(also)
    number = normalise(content.number)
    if not 1 <= len(number) <= MAX_NUMBER_LENGTH or not number.isascii():
        errors.append(
            FieldError("number", "format", f"1 to {MAX_NUMBER_LENGTH} ASCII letters and digits")
        )
    occupation = content.occupation_code
    try:
        occupation = parse_occupation_code(content.occupation_code).code
    except ValidationFailed as failed:
        errors.extend(failed.errors)
    if content.certificate_type is CertificateType.SPECIAL_ABILITY:
        if content.level is not None:
            errors.append(
                FieldError("level", "not_allowed", "a special-ability certificate has no level")
            )
    elif content.level is None or content.level is SkillLevel.APPRENTICE:
        errors.append(
            FieldError("level", "required", "a level from junior (初级工) upwards is required")
        )
    errors.extend(plausible_date_errors("issue_date", content.issue_date))
    if content.issue_date > clock.china_today(now):
        errors.append(FieldError("issue_date", "future", "must not be in the future"))
    if not content.issuing_body.strip():
        errors.append(FieldError("issuing_body", "required", "the issuing body is required"))
    if errors:
        raise ValidationFailed(errors)
    return CertificateContent(
        number=number,
        certificate_type=content.certificate_type,
        occupation_code=occupation,
        level=content.level,
        issuing_body=content.issuing_body.strip(),
        issue_date=content.issue_date,
    )


def issued_payload(certificate: Certificate, **extra: Any) -> dict[str, Any]:
    """What the archive keeps of a certificate (the holder's identity is the archive's)."""
    return {
        "certificate_id": str(certificate.id),
        "certificate_number": certificate.number,
        "certificate_type": certificate.certificate_type.value,
        "occupation_code": certificate.occupation_code,
        "level": certificate.level.value if certificate.level else None,
        "issuing_body": certificate.issuing_body,
        "issue_date": certificate.issue_date.isoformat(),
        "enrolment_id": certificate.enrolment_id,
        "provider_id": certificate.organisation_id,
        **_road_of(certificate),
        **extra,
    }


def _road_of(certificate: Certificate) -> dict[str, str]:
    """The road and its evidence, stated only off the course road (a course certificate's
    entry keeps the form it always had)."""
    if certificate.road is LevelRoad.COURSE:
        return {}
    stated = {"road": certificate.road.value, "assessment_id": certificate.assessment_id}
    if certificate.norm_code:
        stated["norm_code"] = certificate.norm_code
    return stated


async def _note_entry(certificate_id: PydanticObjectId | None, version: int, seq: int) -> None:
    await Certificate.get_pymongo_collection().update_one(
        {"_id": certificate_id, "version": version}, {"$set": {"entry_seq": seq}}
    )


PendingEntry = tuple[EntryKind, dict[str, Any], Recorder, int | None]


def _stating_entry(certificate: Certificate) -> PendingEntry:
    """The archive entry that states the certificate as it stands (kind, payload, recorder,
    the seq it corrects): its issue, its latest correction or its voiding. The request that
    changed the certificate writes it; after a crash, the repair routine writes the same."""
    changer = Recorder(
        principal=certificate.changed_by, role="provider", organisation=certificate.organisation_id
    )
    if certificate.status is CertificateStatus.VOIDED:
        payload = {"certificate_id": str(certificate.id), "reason": certificate.void_reason}
        return EntryKind.CERTIFICATE_VOIDED, payload, changer, certificate.corrects_seq or None
    if certificate.corrects_seq:
        payload = issued_payload(certificate, reason=certificate.change_reason)
        return EntryKind.CERTIFICATE_CORRECTED, payload, changer, certificate.corrects_seq
    issuer = Recorder(
        principal=certificate.recorded_by,
        role=certificate.recorder_role,
        organisation=certificate.organisation_id,
    )
    return EntryKind.CERTIFICATE_ISSUED, issued_payload(certificate), issuer, None


async def _write_entry(certificate: Certificate) -> int:
    """Append the certificate's stating entry and note its seq on the certificate."""
    kind, payload, recorder, corrects = _stating_entry(certificate)
    entry = await append_entry(
        archive_id=certificate.archive_id,
        kind=kind,
        payload=payload,
        recorded_by=recorder,
        corrects=corrects,
    )
    await _note_entry(certificate.id, certificate.version, entry.seq)
    return entry.seq


async def _written_entry(certificate: Certificate) -> int | None:
    """The seq of the certificate's stating entry if the archive already has it."""
    kind, _, _, corrects = _stating_entry(certificate)
    # An entry is corrected at most once: the correction's target names it.
    return await entry_about(
        certificate.archive_id, kind, "certificate_id", str(certificate.id), corrects=corrects
    )


async def _facts_before(certificate: Certificate) -> CertificateFacts | None:
    """What the certificate stated before its last change: what the entry that change
    corrects states (None for an issue)."""
    if not certificate.corrects_seq:
        return None
    entry = await entry_at(certificate.archive_id, certificate.corrects_seq)
    assert entry is not None  # a change corrects a stored entry
    return CertificateFacts.stated(entry.payload)


async def _publish(certificate: Certificate, before: CertificateFacts | None) -> None:
    """Publish the certificate's last change from the facts ``before`` it (the run's region,
    the course's type and brand come with it; off the course road, the holder's region)."""
    if not certificate.enrolment_id:
        facts = certificate_changed(certificate, before, None, None)
        await events.publish(
            certificate_event_id(str(certificate.id), certificate.version), facts.NAME, facts
        )
        return
    enrolment = await Enrolment.get(ids.parse(certificate.enrolment_id, "enrolment"))
    assert enrolment is not None  # a certificate follows a stored enrolment
    run = await Run.get(ids.parse(enrolment.run_id, "run"))
    course = await Course.get(ids.parse(enrolment.course_id, "course"))
    assert run is not None
    assert course is not None
    facts = certificate_changed(certificate, before, run, course)
    await events.publish(
        certificate_event_id(str(certificate.id), certificate.version), facts.NAME, facts
    )


async def finish_entry(certificate: Certificate, *, changed_before: datetime) -> bool:
    """The repair routine's step for a certificate whose entry was never noted (seq 0):
    publish its change event (a duplicate if it was), then write the stating entry unless the
    archive has it already (then only note its seq). True when it wrote one. Left alone if
    it changed after ``changed_before``: its request may still be at it."""
    changed_ms = max(clock.epoch_ms(certificate.recorded_at), certificate.changed_at_ms)
    if changed_ms > clock.epoch_ms(changed_before):
        return False
    await _publish(certificate, await _facts_before(certificate))
    seq = await _written_entry(certificate)
    if seq is None:
        await _write_entry(certificate)
        return True
    await _note_entry(certificate.id, certificate.version, seq)
    return False


def _unchanged_while_pending(certificate: Certificate) -> None:
    # The entry of the last change is not written yet: its request is still at it, or it
    # died and the repair routine will write it. A change now would have nothing to point at.
    if certificate.entry_seq == 0:
        raise Conflict(
            "the certificate's last change is still being recorded in the archive; retry later"
        )


async def _reload(certificate_id: PydanticObjectId | None) -> Certificate:
    fresh = await Certificate.get(certificate_id)
    assert fresh is not None
    return fresh


async def _check_course_level(course_id: str, level: SkillLevel | None) -> None:
    """A certificate from a course result is not above the level the course leads to."""
    course = await Course.get(ids.parse(course_id, "course"))
    error = certificate_level_error(level, course.target_level if course is not None else None)
    if error is not None:
        raise ValidationFailed([error])


async def issue(
    *,
    actor: Actor,
    enrolment_id: str,
    content: CertificateContent,
    now: datetime | None = None,
) -> CertificateView:
    """The provider records a certificate earned through a passed completion of its class."""
    now = now or clock.now()
    organisation = await acting_organisation(actor)
    enrolment = await Enrolment.find_one(
        {"_id": ids.parse(enrolment_id, "enrolment"), "organisation_id": str(organisation.id)}
    )
    if enrolment is None:
        raise NotFound("no such enrolment")
    if enrolment.status is not EnrolmentStatus.COMPLETED or (
        enrolment.result is not CompletionResult.PASSED
    ):
        raise InvalidTransition(
            "a certificate follows a passed completion", current_state=enrolment.status.value
        )
    # catalogue: a certificate issued now names a catalogued occupation.
    uncatalogued = await catalogue_errors({"occupation_code": content.occupation_code})
    checked = _checked(content, now, uncatalogued)
    await _check_course_level(enrolment.course_id, checked.level)
    certificate = Certificate(
        number=checked.number,
        certificate_type=checked.certificate_type,
        occupation_code=checked.occupation_code,
        level=checked.level,
        issuing_body=checked.issuing_body,
        issue_date=checked.issue_date,
        archive_id=enrolment.archive_id,
        holder_name=enrolment.worker_name,
        holder_region_code=enrolment.worker_region_code,
        enrolment_id=str(enrolment.id),
        organisation_id=str(organisation.id),
        recorded_at=now,
        recorded_by=actor.principal_id,
    )
    if not await insert_once(certificate):
        raise Conflict("a certificate with this number is already recorded")
    crash_point("certificate:after_insert")
    await record_certificate_change(None, certificate, reason="certificate issued")
    await _publish(certificate, None)
    await _write_entry(certificate)
    return CertificateView.of(await _reload(certificate.id))


def _content_of(certificate: Certificate) -> CertificateContent:
    return CertificateContent(
        number=certificate.number,
        certificate_type=certificate.certificate_type,
        occupation_code=certificate.occupation_code,
        level=certificate.level,
        issuing_body=certificate.issuing_body,
        issue_date=certificate.issue_date,
    )


async def _own(actor: Actor, certificate_id: str) -> Certificate:
    organisation = await acting_organisation(actor)
    certificate = await Certificate.find_one(
        {
            "_id": ids.parse(certificate_id, "certificate"),
            "organisation_id": str(organisation.id),
        }
    )
    if certificate is None:
        raise NotFound("no such certificate")
    if certificate.status is CertificateStatus.VOIDED:
        raise InvalidTransition("the certificate is voided", current_state="voided")
    return certificate


async def correct(
    *,
    actor: Actor,
    certificate_id: str,
    content: CertificateContent,
    reason: str,
    now: datetime | None = None,
) -> CertificateView:
    """Restate a certificate; the archive keeps the original and points the correction at it.

    Restating exactly what the certificate already says changes nothing (a double submit, or
    a retry of a correction whose answer a crash swallowed, adds no second correction).
    """
    now = now or clock.now()
    certificate = await _own(actor, certificate_id)
    # catalogue: a correction may keep the stored code; a changed one must be catalogued.
    uncatalogued = await catalogue_errors(
        {"occupation_code": content.occupation_code}, kept=(certificate.occupation_code,)
    )
    checked = _checked(content, now, uncatalogued)
    if certificate.enrolment_id:
        enrolment = await Enrolment.get(ids.parse(certificate.enrolment_id, "enrolment"))
        if enrolment is not None:
            await _check_course_level(enrolment.course_id, checked.level)
    _unchanged_while_pending(certificate)
    if _content_of(certificate) == checked:
        return CertificateView.of(certificate)
    corrected = certificate.model_copy(
        update={
            "number": checked.number,
            "certificate_type": checked.certificate_type,
            "occupation_code": checked.occupation_code,
            "level": checked.level,
            "issuing_body": checked.issuing_body,
            "issue_date": checked.issue_date,
            "entry_seq": 0,
            "corrects_seq": certificate.entry_seq,
            "change_reason": reason.strip(),
            "changed_by": actor.principal_id,
            "changed_at_ms": clock.epoch_ms(now),
            "version": certificate.version + 1,
        }
    )
    # One conditional write of the whole document: nx-27017 keeps dates through a replace,
    # while a date given to $set would be stored as a string.
    try:
        replaced = await Certificate.get_pymongo_collection().replace_one(
            {"_id": certificate.id, "status": "valid", "version": certificate.version},
            get_dict(corrected, to_db=True),
        )
    except DuplicateKeyError:
        raise Conflict("a certificate with this number is already recorded") from None
    if replaced.matched_count != 1:
        raise Conflict("the certificate changed meanwhile; reload and retry")
    crash_point("certificate:after_correct")
    await record_certificate_change(certificate, corrected, reason=reason.strip() or "corrected")
    await _publish(corrected, CertificateFacts.of(certificate))
    await _write_entry(corrected)
    return CertificateView.of(await _reload(corrected.id))


async def void(
    *, actor: Actor, certificate_id: str, reason: str, now: datetime | None = None
) -> CertificateView:
    """Withdraw a certificate, with a reason; the public check then answers "voided"."""
    now = now or clock.now()
    certificate = await _own(actor, certificate_id)
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", "a reason is required")
    _unchanged_while_pending(certificate)
    moved = await Certificate.get_pymongo_collection().update_one(
        {"_id": certificate.id, "status": "valid", "version": certificate.version},
        {
            "$set": {
                "status": "voided",
                "void_reason": reason.strip(),
                "entry_seq": 0,
                "corrects_seq": certificate.entry_seq,
                "changed_by": actor.principal_id,
                "changed_at_ms": clock.epoch_ms(now),
            },
            "$inc": {"version": 1},
        },
    )
    if moved.modified_count != 1:
        raise Conflict("the certificate changed meanwhile; reload and retry")
    crash_point("certificate:after_void")
    voided = await _reload(certificate.id)
    await record_certificate_change(certificate, voided, reason=reason.strip())
    await _publish(voided, CertificateFacts.of(certificate))
    seq = await _write_entry(voided)
    return CertificateView.of(voided.model_copy(update={"entry_seq": seq}))


async def check(*, number: str, holder_name: str) -> CertificateCheckView:
    """Valid, voided or unknown, and what the certificate states; nothing about the holder.

    A right number with a wrong name is "unknown", like a number that does not exist.
    """
    try:
        name = check_name(holder_name)
    except ValidationFailed:
        return CertificateCheckView("unknown")
    certificate = await Certificate.find_one({"number": normalise(number)})
    if certificate is None or certificate.holder_name != name:
        return CertificateCheckView("unknown")
    return CertificateCheckView(
        status="voided" if certificate.status is CertificateStatus.VOIDED else "valid",
        certificate_type=certificate.certificate_type,
        occupation_code=certificate.occupation_code,
        level=certificate.level,
        issuing_body=certificate.issuing_body,
        issue_date=certificate.issue_date,
    )


async def list_for_provider(
    *,
    actor: Actor,
    status: CertificateStatus | None,
    level: SkillLevel | None,
    occupation_code: str | None,
    page: PageRequest,
) -> Page[CertificateView]:
    """The provider's certificates, filtered, oldest first."""
    keys = by_id(page)
    organisation = await acting_organisation(actor, to_record=False)
    query: dict[str, object] = {"organisation_id": str(organisation.id)}
    if status is not None:
        query["status"] = status.value
    if level is not None:
        query["level"] = level.value
    if occupation_code:
        query["occupation_code"] = occupation_code
    shown = await id_page(Certificate, query, keys, view=lambda c: c)
    await log_reads(actor, [c.archive_id for c in shown.items], what="certificate list")
    return Page(items=[CertificateView.of(c) for c in shown.items], next_cursor=shown.next_cursor)
