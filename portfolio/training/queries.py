"""What other areas ask of the training area (exported from ``portfolio.training``).

The voucher and apprenticeship areas read enrolments, courses, organisations, attendance and
certificates to decide their own rules (a claim needs a passed completion and enough confirmed
hours; an agreement needs an active training institution). They get them here, as values to
read; every query of the training documents stays in this area. The reports' recount
(``portfolio reports rebuild``) reads the completions and certificates through
``completions_to_count`` and ``certificates_to_count``, in the shape of the live events.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from portfolio import ids
from portfolio.lookups import find_each
from portfolio.training.documents import (
    Certificate,
    Course,
    Enrolment,
    Organisation,
    Run,
)
from portfolio.training.enums import CertificateStatus, CompletionResult, EnrolmentStatus
from portfolio.training.events import (
    CertificateChanged,
    CompletedEnrolment,
    CompletionsRecorded,
    certificate_changed,
)

# The recount reads the sources a thousand documents at a time.
CHUNK = 1000


async def find_enrolment(enrolment_id: str) -> Enrolment | None:
    """The enrolment of ``enrolment_id`` (NotFound "no such enrolment" when malformed)."""
    return await Enrolment.get(ids.parse(enrolment_id, "enrolment"))


async def find_course(course_id: str) -> Course | None:
    """The course of ``course_id`` (NotFound "no such course" when malformed)."""
    return await Course.get(ids.parse(course_id, "course"))


async def find_organisation(organisation_id: str) -> Organisation | None:
    """The organisation of ``organisation_id`` (None when unknown or malformed)."""
    oid = ids.parse_or_none(organisation_id)
    return await Organisation.get(oid) if oid is not None else None


async def enrolments_by_ids(enrolment_ids: Sequence[str]) -> dict[str, Enrolment]:
    """The enrolments of these ids, by id (one query)."""
    oids = [ids.parse(i, "enrolment") for i in enrolment_ids]
    return {str(e.id): e async for e in Enrolment.find({"_id": {"$in": oids}})}


async def courses_by_ids(course_ids: Sequence[str]) -> dict[str, Course]:
    """The courses of these ids, by id (one query)."""
    oids = list({ids.parse(i, "course") for i in course_ids})
    return {str(c.id): c async for c in Course.find({"_id": {"$in": oids}})}


async def organisations_by_ids(organisation_ids: Sequence[str]) -> dict[str, Organisation]:
    """The organisations of these ids, by id (one query)."""
    oids = [ids.parse(i, "organisation") for i in organisation_ids]
    return {str(o.id): o async for o in Organisation.find({"_id": {"$in": oids}})}


async def certificates_of_enrolments(enrolment_ids: Sequence[str]) -> dict[str, list[Certificate]]:
    """The certificates recorded for each of these enrolments."""
    found: dict[str, list[Certificate]] = {}
    for certificate in await find_each(Certificate, "enrolment_id", enrolment_ids):
        found.setdefault(certificate.enrolment_id, []).append(certificate)
    return found


async def is_enrolled_with(archive_id: str, organisation_id: str) -> bool:
    """Whether the worker has an enrolment (in any state) with the organisation."""
    found = await Enrolment.find_one({"archive_id": archive_id, "organisation_id": organisation_id})
    return found is not None


async def enrolments_of_worker(archive_id: str) -> list[Enrolment]:
    """The worker's enrolments, oldest first."""
    return await Enrolment.find({"archive_id": archive_id}).sort("+_id").to_list()


async def course_of(organisation_id: str, occupation_code: str) -> Course | None:
    """One of the organisation's courses for an occupation, if it offers one."""
    return await Course.find_one(
        {"organisation_id": organisation_id, "occupation_code": occupation_code}
    )


class _Places:
    """Runs and courses of the recount, read once each."""

    def __init__(self) -> None:
        self._runs: dict[str, Run | None] = {}
        self._courses: dict[str, Course | None] = {}

    async def of(self, run_id: str, course_id: str) -> tuple[Run, Course] | None:
        if run_id not in self._runs:
            self._runs[run_id] = await Run.get(PydanticObjectId(run_id))
        if course_id not in self._courses:
            self._courses[course_id] = await Course.get(PydanticObjectId(course_id))
        run, course = self._runs[run_id], self._courses[course_id]
        return (run, course) if run is not None and course is not None else None


async def _chunks(
    document: type[Enrolment] | type[Certificate], query: Mapping[str, Any]
) -> AsyncIterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    async for raw in document.get_pymongo_collection().find(dict(query)):
        chunk.append(raw)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def completions_to_count() -> AsyncIterator[CompletionsRecorded]:
    """Every completed enrolment (passed or failed) as a completions event of its own, for
    the reports' recount (the stored documents as they are; no ``completion_batch`` needed)."""
    places = _Places()
    async for chunk in _chunks(Enrolment, {"status": EnrolmentStatus.COMPLETED.value}):
        for raw in chunk:
            if raw.get("historical", False):
                continue  # training from before the service: not the service's completions
            place = await places.of(raw["run_id"], raw["course_id"])
            if place is None:
                continue
            run, course = place
            passed = raw.get("result") == CompletionResult.PASSED.value
            yield CompletionsRecorded(
                run_id=str(run.id),
                course_id=str(course.id),
                region_code=run.region_code,
                run_end_date=run.end_date,
                training_type=course.training_type,
                brand=course.brand,
                occupation_code=course.occupation_code,
                enrolments=[
                    CompletedEnrolment(
                        enrolment_id=str(raw["_id"]),
                        archive_id=raw["archive_id"],
                        result=CompletionResult.PASSED if passed else CompletionResult.FAILED,
                        hours_attended=float(raw.get("hours_attended", 0)),
                    )
                ],
            )


async def certificates_to_count() -> AsyncIterator[CertificateChanged]:
    """Every valid certificate as if just issued, with the training it followed, for the
    reports' recount."""
    places = _Places()
    async for chunk in _chunks(Certificate, {"status": CertificateStatus.VALID.value}):
        # Certificates off the course road follow no enrolment ("").
        oids = [PydanticObjectId(c["enrolment_id"]) for c in chunk if c.get("enrolment_id")]
        enrolments = {
            str(e["_id"]): e
            async for e in Enrolment.get_pymongo_collection().find({"_id": {"$in": oids}})
        }
        for raw in chunk:
            certificate = Certificate.model_validate(raw)
            if not certificate.enrolment_id:
                yield certificate_changed(certificate, None, None, None)
                continue
            enrolment = enrolments.get(certificate.enrolment_id)
            place = (
                await places.of(enrolment["run_id"], enrolment["course_id"]) if enrolment else None
            )
            if place is None:
                continue
            # Counted as if just issued: what it states now, nothing taken out before.
            yield certificate_changed(certificate, None, *place)


async def certificates_off_course(archive_id: str) -> list[Certificate]:
    """The worker's valid certificates that followed no course (the other roads to a level:
    their credentials rest on the assessment or recognition, not on a completion)."""
    return await Certificate.find(
        {"archive_id": archive_id, "enrolment_id": "", "status": CertificateStatus.VALID.value}
    ).to_list()


async def courses_of_organisation(organisation_id: str) -> list[Course]:
    """The organisation's courses by title (the claims queue's course filter)."""
    return await Course.find({"organisation_id": organisation_id}).sort("+title").to_list()


async def enrolment_ids_of_course(course_id: str) -> list[str]:
    """The ids of every enrolment in a run of the course (runs by their indexed course id,
    then enrolments run by run): what the claims queue filters a course by."""
    run_ids = [str(r.id) async for r in Run.find({"course_id": course_id})]
    return [str(e.id) for e in await find_each(Enrolment, "run_id", run_ids)]


async def enrolment_times(
    archive_ids: Sequence[str],
) -> list[tuple[str, datetime, datetime | None]]:
    """Each enrolment of the workers as (archive id, requested at, completed at or None):
    the priority-groups report counts them (query time, one batched lookup)."""
    found = await find_each(Enrolment, "archive_id", archive_ids, {"historical": {"$ne": True}})
    return [
        (
            e.archive_id,
            e.created_at,
            e.completed_at if e.status is EnrolmentStatus.COMPLETED else None,
        )
        for e in found
    ]


async def runs_by_ids(run_ids: Sequence[str]) -> dict[str, Run]:
    """The runs of these ids, by id (one query; an id that is no ObjectId finds nothing)."""
    oids = [oid for oid in (ids.parse_or_none(i) for i in run_ids) if oid is not None]
    return {str(r.id): r async for r in Run.find({"_id": {"$in": oids}})}


async def enrolments_of_runs(run_ids: Sequence[str]) -> list[Enrolment]:
    """Every enrolment of these runs (one indexed read per run)."""
    found: list[Enrolment] = []
    for run_id in dict.fromkeys(run_ids):
        found += await Enrolment.find({"run_id": run_id}).sort("_id").to_list()
    return found


async def runs_of_organisation(organisation_id: str, *, limit: int = 100) -> list[Run]:
    """The provider's runs, latest start first (at most ``limit``; one indexed read)."""
    found = Run.find({"organisation_id": organisation_id}).sort("-start_date").limit(limit)
    return await found.to_list()
