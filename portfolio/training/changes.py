"""The training area's records in the change trail (``portfolio.audit.changed``).

* Certificates: issued by a provider (version 0), corrected, voided, with the content before
  and after and the reason given. The worker's archive holds the same history as entries of
  its own hash chain; the trail puts it where an auditor reads every other change, with the
  request that made it.
* Courses: added (version 0) and each new version of their terms (``course_versions.py``),
  the editor's note as the reason. (Runs are recorded by ``changes_runs``.)
* Enrolments: every change of state after the enrolment (accept, refuse, start, withdraw,
  completion one by one or by the class sheet). The enrolment itself is where the trail
  begins, as for vouchers: its first record is its first change.
* Historical imports: submitted (version 0), then approved or refused with the reason.

Workers' names are marked personal: the service admin sees none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from portfolio import audit, clock
from portfolio.training.documents import Certificate, Course, Enrolment, HistoricalImport

KIND = "certificate"
PERSONAL = ("holder_name",)


def shown(certificate: Certificate) -> dict[str, Any]:
    """A certificate as the trail keeps it."""
    return {
        "number": certificate.number,
        "certificate_type": certificate.certificate_type.value,
        "occupation_code": certificate.occupation_code,
        "level": None if certificate.level is None else certificate.level.value,
        "issuing_body": certificate.issuing_body,
        "issue_date": certificate.issue_date.isoformat(),
        "holder_name": audit.mask_name(certificate.holder_name),
        "organisation_id": certificate.organisation_id,
        "enrolment_id": certificate.enrolment_id,
        "status": certificate.status.value,
    }


async def record_certificate_change(
    before: Certificate | None, after: Certificate, *, reason: str
) -> None:
    """Record a certificate issued (``before`` None), corrected or voided."""
    await audit.changed(
        KIND,
        str(after.id),
        after.version,
        None if before is None else shown(before),
        shown(after),
        reason=reason,
        region=after.holder_region_code,
        personal=PERSONAL,
    )


async def _changed_between(since: datetime, until: datetime) -> AsyncIterator[audit.Snapshot]:
    # Issued: recorded_at (a stored date); corrected or voided: changed_at_ms (epoch ms).
    issued = Certificate.find({"recorded_at": {"$gte": since, "$lt": until}, "version": 0})
    changed = Certificate.find(
        {"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}}
    )
    for found in (issued, changed):
        async for certificate in found:
            yield audit.Snapshot(
                object_id=str(certificate.id),
                version=certificate.version,
                after=shown(certificate),
                region=certificate.holder_region_code,
                personal=PERSONAL,
            )


audit.register_source(KIND, _changed_between)


ENROLMENT_KIND = "enrolment"
ENROLMENT_PERSONAL = ("worker_name", "worker_masked_id")


def shown_enrolment(enrolment: Enrolment) -> dict[str, Any]:
    """An enrolment as the trail keeps it."""
    return {
        "run_id": enrolment.run_id,
        "organisation_id": enrolment.organisation_id,
        "worker_name": audit.mask_name(enrolment.worker_name),
        "worker_masked_id": enrolment.worker_masked_id,
        "status": enrolment.status.value,
        "status_reason": enrolment.status_reason,
        "withdraw_reason": None
        if enrolment.withdraw_reason is None
        else enrolment.withdraw_reason.value,
        "result": None if enrolment.result is None else enrolment.result.value,
        "score": enrolment.score,
        "hours_attended": enrolment.hours_attended,
    }


async def record_enrolment_change(before: Enrolment, after: Enrolment, *, reason: str) -> None:
    """Record one change of an enrolment's state (``after`` as stored by its update)."""
    await audit.changed(
        ENROLMENT_KIND,
        str(after.id),
        after.version,
        shown_enrolment(before),
        shown_enrolment(after),
        reason=reason,
        region=after.worker_region_code,
        personal=ENROLMENT_PERSONAL,
    )


async def _enrolments_between(since: datetime, until: datetime) -> AsyncIterator[audit.Snapshot]:
    # updated_at is written with $currentDate (a real date), so a range on it works; version 0
    # is the enrolment itself, which the trail does not hold.
    found = Enrolment.find({"updated_at": {"$gte": since, "$lt": until}, "version": {"$gt": 0}})
    async for enrolment in found:
        yield audit.Snapshot(
            object_id=str(enrolment.id),
            version=enrolment.version,
            after=shown_enrolment(enrolment),
            region=enrolment.worker_region_code,
            personal=ENROLMENT_PERSONAL,
        )


audit.register_source(ENROLMENT_KIND, _enrolments_between)


IMPORT_KIND = "historical_import"
IMPORT_PERSONAL = ("worker_name", "worker_masked_id")


def shown_import(found: HistoricalImport) -> dict[str, Any]:
    """A historical import as the trail keeps it."""
    return {
        "organisation_id": found.organisation_id,
        "course_id": found.course_id,
        "worker_name": audit.mask_name(found.worker_name),
        "worker_masked_id": found.worker_masked_id,
        "start_date": found.start_date.isoformat(),
        "end_date": found.end_date.isoformat(),
        "hours": found.hours,
        "result": found.result.value,
        "score": found.score,
        "evidence_description": found.evidence_description,
        "evidence_reference": found.evidence_reference,
        "status": found.status.value,
        "decision_reason": found.decision_reason,
    }


async def record_import_change(
    before: HistoricalImport | None, after: HistoricalImport, *, reason: str
) -> None:
    """Record a historical import submitted (``before`` None), approved or refused."""
    await audit.changed(
        IMPORT_KIND,
        str(after.id),
        after.version,
        None if before is None else shown_import(before),
        shown_import(after),
        reason=reason,
        region=after.worker_region_code,
        personal=IMPORT_PERSONAL,
    )


async def _imports_between(since: datetime, until: datetime) -> AsyncIterator[audit.Snapshot]:
    window = {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}
    submitted = HistoricalImport.find({"submitted_at_ms": window, "version": 0})
    decided = HistoricalImport.find({"decided_at_ms": window})
    for found in (submitted, decided):
        async for item in found:
            yield audit.Snapshot(
                object_id=str(item.id),
                version=item.version,
                after=shown_import(item),
                region=item.worker_region_code,
                personal=IMPORT_PERSONAL,
            )


audit.register_source(IMPORT_KIND, _imports_between)
COURSE_KIND = "course"


def shown_course(course: Course) -> dict[str, Any]:
    """A course as the trail keeps it (no personal values)."""
    return {
        "organisation_id": course.organisation_id,
        "title": course.title,
        "occupation_code": course.occupation_code,
        "digital": course.digital,
        "green": course.green,
        "training_type": course.training_type.value,
        "target_level": course.target_level.value,
        "planned_hours": course.planned_hours,
        "delivery": course.delivery.value,
        "subsidy_standard_fen": course.subsidy_standard_fen,
    }


async def record_course_change(before: Course | None, after: Course, *, reason: str) -> None:
    """Record a course added (``before`` None) or moved to a new version."""
    await audit.changed(
        COURSE_KIND,
        str(after.id),
        after.version,
        None if before is None else shown_course(before),
        shown_course(after),
        reason=reason,
        region=after.region_code,
    )


async def _courses_between(since: datetime, until: datetime) -> AsyncIterator[audit.Snapshot]:
    # Every version (the first too) sets changed_at_ms; courses added before versions have 0.
    found = Course.find(
        {"changed_at_ms": {"$gte": clock.epoch_ms(since), "$lt": clock.epoch_ms(until)}}
    )
    async for course in found:
        yield audit.Snapshot(
            object_id=str(course.id),
            version=course.version,
            after=shown_course(course),
            region=course.region_code,
        )


audit.register_source(COURSE_KIND, _courses_between)
