"""Historical import: real training from before the service, approved by an agency officer.

Training that predates the service (paper records, another system) enters only here. A
provider (for its own course) or an agency (for a worker of its region) submits the record:
the worker by ID number and name, the course, the dates (in the past), the hours, the result
and its evidence (a description and a reference such as a paper file number). It waits,
``pending``, for an officer of an agency whose region covers the worker, who approves or
refuses it with a reason: one conditional update each (pending -> approved | refused), so of
two racing decisions one wins. The officer who submitted a record does not approve it.

On approval the record is written as a historical class (a ``Run`` with ``historical``, no
sessions, the record's dates), an ``Enrolment`` completed with ``historical``, ``imported_by``
and ``evidence``, and, for a pass, the "training completed" archive entry with ``imported:
true`` and the evidence (``completions.training_payload``). Their ids are chosen at
submission, so each step is an insert with a known id: a retried approval finishes what a
crash left and doubles nothing. Such training is never payable by a voucher
(``evidence.run_facts`` reads ``historical``; ``vouchers/timing.py``) and not counted by the
reports as the service's own completions.

The time rules that refuse past dates (``timerules.py``) do not apply here; dates must still
be plausible: not in the future, not year 1 or 9999, not before the worker was 14.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from beanie import PydanticObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor, Role
from portfolio.archives import (
    EntryKind,
    Recorder,
    WorkerRef,
    append_entry,
    birth_date_of,
    entry_about,
    find_worker,
    log_reads,
)
from portfolio.errors import FieldError, Forbidden, InvalidTransition, NotFound, ValidationFailed
from portfolio.faults import crash_point
from portfolio.keyring import Keyring
from portfolio.occupations import catalogue_errors
from portfolio.once import insert_once
from portfolio.training.changes import record_import_change
from portfolio.training.completions import ClassFacts, training_payload
from portfolio.training.documents import (
    Course,
    Enrolment,
    HistoricalImport,
    ImportEvidence,
    Organisation,
    Run,
)
from portfolio.training.enums import CompletionResult, EnrolmentStatus, ImportStatus
from portfolio.training.organisations import acting_organisation
from portfolio.training.timerules import plausible_date_errors
from portfolio.vocabulary import SkillLevel

# The youngest a worker may have been when the training began.
MIN_AGE = 14
MAX_HOURS_PER_DAY = 24


@dataclass(frozen=True)
class HistoricalRecord:
    """A training record as submitted: who, which course, when, how long, how it ended, and
    what it rests on."""

    worker: WorkerRef
    course_id: str
    start_date: date
    end_date: date
    hours: float
    result: CompletionResult
    evidence_description: str
    evidence_reference: str
    score: float | None = None


@dataclass(frozen=True)
class HistoricalImportView:
    """A historical import as its provider, the worker and the agency see it (number masked)."""

    id: str
    status: ImportStatus
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
    enrolment_id: str | None

    @classmethod
    def of(cls, found: HistoricalImport) -> HistoricalImportView:
        """The view of a stored import (its enrolment once it is written)."""
        return cls(
            id=str(found.id),
            status=found.status,
            organisation_id=found.organisation_id,
            course_id=found.course_id,
            course_title=found.course_title,
            occupation_code=found.occupation_code,
            target_level=found.target_level,
            archive_id=found.archive_id,
            worker_name=found.worker_name,
            worker_masked_id=found.worker_masked_id,
            worker_region_code=found.worker_region_code,
            start_date=found.start_date,
            end_date=found.end_date,
            hours=found.hours,
            result=found.result,
            score=found.score,
            evidence_description=found.evidence_description,
            evidence_reference=found.evidence_reference,
            submitted_by=found.submitted_by,
            submitted_role=found.submitted_role,
            submitted_at=found.submitted_at,
            decided_by=found.decided_by,
            decision_reason=found.decision_reason,
            enrolment_id=found.enrolment_id if found.written else None,
        )


def _fourteenth_birthday(birth: date) -> date:
    try:
        return birth.replace(year=birth.year + MIN_AGE)
    except ValueError:  # 29 February
        return birth.replace(year=birth.year + MIN_AGE, day=28)


def record_errors(record: HistoricalRecord, *, today: date, birth: date) -> list[FieldError]:
    """What makes ``record`` implausible (empty: it may wait for an officer's decision)."""
    errors = plausible_date_errors("start_date", record.start_date)
    errors += plausible_date_errors("end_date", record.end_date)
    if errors:
        return errors
    if record.end_date >= today:
        errors.append(FieldError("end_date", "not_past", "a historical record ended before today"))
    if record.end_date < record.start_date:
        errors.append(FieldError("end_date", "before_start", "must not be before start_date"))
    if record.start_date < _fourteenth_birthday(birth):
        errors.append(
            FieldError(
                "start_date",
                "before_age_14",
                f"the worker was not yet {MIN_AGE} when this training began",
            )
        )
    days = (record.end_date - record.start_date).days + 1
    if not 0 < record.hours <= max(days, 1) * MAX_HOURS_PER_DAY:
        errors.append(
            FieldError("hours", "range", f"must be above 0 and at most {MAX_HOURS_PER_DAY} a day")
        )
    if record.score is not None and not 0 <= record.score <= 100:
        errors.append(FieldError("score", "range", "must be between 0 and 100"))
    if not record.evidence_description.strip():
        errors.append(
            FieldError("evidence_description", "required", "say what the record rests on")
        )
    if not record.evidence_reference.strip():
        errors.append(
            FieldError("evidence_reference", "required", "name the paper file or other record")
        )
    return errors


async def _course_for(actor: Actor, course_id: str) -> Course:
    course = await Course.get(ids.parse(course_id, "course"))
    if actor.role is Role.PROVIDER:
        organisation = await acting_organisation(actor)
        if course is not None and course.organisation_id != str(organisation.id):
            course = None
    if course is None:
        raise ValidationFailed.single("course_id", "not_found", "no such course")
    return course


async def submit(
    *, actor: Actor, keyring: Keyring, record: HistoricalRecord
) -> HistoricalImportView:
    """A provider (its own course) or an agency (a worker of its region) submits a record;
    it waits for an officer's decision."""
    if actor.role not in (Role.PROVIDER, Role.AGENCY):
        raise Forbidden("a historical record is submitted by a provider or an agency")
    course = await _course_for(actor, record.course_id)
    archive = await find_worker(keyring, record.worker)
    if actor.role is Role.AGENCY and not actor.covers_region(archive.region_code):
        raise NotFound("no such worker in your region")
    now = clock.now()
    birth = await birth_date_of(archive, keyring)
    errors = record_errors(record, today=clock.china_today(now), birth=birth)
    # catalogue: a record imported now names a catalogued occupation (its course's); a course
    # whose code predates the catalogue is refused here until it has a new version.
    errors += [
        FieldError("course_id", error.rule, error.message)
        for error in await catalogue_errors({"course_id": course.occupation_code})
    ]
    if errors:
        raise ValidationFailed(errors)
    submitted = HistoricalImport(
        organisation_id=course.organisation_id,
        course_id=str(course.id),
        course_title=course.title,
        occupation_code=course.occupation_code,
        target_level=course.target_level,
        archive_id=str(archive.id),
        worker_name=archive.name,
        worker_masked_id=archive.id_masked,
        worker_region_code=archive.region_code,
        start_date=record.start_date,
        end_date=record.end_date,
        hours=record.hours,
        result=record.result,
        score=record.score,
        evidence_description=record.evidence_description.strip(),
        evidence_reference=record.evidence_reference.strip(),
        run_id=str(PydanticObjectId()),
        enrolment_id=str(PydanticObjectId()),
        submitted_at=now,
        submitted_at_ms=clock.epoch_ms(now),
        submitted_by=actor.principal_id,
        submitted_role=actor.role.value,
    )
    await submitted.insert()
    await record_import_change(None, submitted, reason="submitted")
    return HistoricalImportView.of(submitted)


def _may_read(actor: Actor, found: HistoricalImport) -> bool:
    if actor.role is Role.PROVIDER:
        return actor.organisation_id == found.organisation_id
    if actor.role is Role.AGENCY:
        return actor.covers_region(found.worker_region_code)
    if actor.role is Role.WORKER:
        return actor.archive_id == found.archive_id
    return False


async def _visible(actor: Actor, import_id: str) -> HistoricalImport:
    found = await HistoricalImport.get(ids.parse(import_id, "historical import"))
    if found is None or not _may_read(actor, found):
        raise NotFound("no such historical import")
    return found


async def get(*, actor: Actor, import_id: str) -> HistoricalImportView:
    """One historical import, for its provider, the worker, or an agency of their region."""
    found = await _visible(actor, import_id)
    await log_reads(actor, [found.archive_id], what="historical import")
    return HistoricalImportView.of(found)


async def list_for(
    *, actor: Actor, status: ImportStatus | None = None, limit: int = 100
) -> list[HistoricalImportView]:
    """The imports within the caller's reach, newest first: a provider's own, an agency's
    region's (the officers' queue with ``status`` pending), a worker's own."""
    query: dict[str, Any]
    if actor.role is Role.PROVIDER:
        query = {"organisation_id": str((await acting_organisation(actor, to_record=False)).id)}
    elif actor.role is Role.AGENCY and actor.region_prefix is not None:
        prefix = actor.region_prefix
        query = {"worker_region_code": {"$gte": prefix, "$lt": prefix + "\uffff"}}
    elif actor.role is Role.WORKER and actor.archive_id is not None:
        query = {"archive_id": actor.archive_id}
    else:
        raise Forbidden("historical imports are read by providers, agencies and the worker")
    if status is not None:
        query["status"] = status.value
    found = await HistoricalImport.find(query).sort("-_id").limit(limit).to_list()
    await log_reads(actor, [item.archive_id for item in found], what="historical import list")
    return [HistoricalImportView.of(item) for item in found]


async def _deciding(actor: Actor, import_id: str) -> HistoricalImport:
    # The HTTP layer lets only an agency's officers (not its reviewers or auditors) here.
    if actor.role is not Role.AGENCY:
        raise Forbidden("a historical import is decided by an agency officer")
    found = await HistoricalImport.get(ids.parse(import_id, "historical import"))
    if found is None or not actor.covers_region(found.worker_region_code):
        raise NotFound("no such historical import")
    return found


async def _decide(
    actor: Actor, found: HistoricalImport, target: ImportStatus, reason: str
) -> HistoricalImport:
    """The one conditional update pending -> ``target``; the stored import after it."""
    if found.status is not ImportStatus.PENDING:
        raise InvalidTransition(
            f"the import is {found.status.value}", current_state=found.status.value
        )
    moved = await HistoricalImport.get_pymongo_collection().update_one(
        {"_id": found.id, "status": ImportStatus.PENDING.value, "version": found.version},
        {
            "$set": {
                "status": target.value,
                "decision_reason": reason,
                "decided_by": actor.principal_id,
                "decided_at_ms": clock.epoch_ms(clock.now()),
            },
            "$inc": {"version": 1},
        },
    )
    fresh = await HistoricalImport.get(found.id)
    assert fresh is not None
    if moved.modified_count != 1:
        raise InvalidTransition(
            f"the import is {fresh.status.value}", current_state=fresh.status.value
        )
    await record_import_change(found, fresh, reason=f"{target.value}: {reason}".strip(": "))
    return fresh


async def refuse(*, actor: Actor, import_id: str, reason: str) -> HistoricalImportView:
    """An officer of the worker's region refuses the record, saying why; nothing is written."""
    found = await _deciding(actor, import_id)
    if not reason.strip():
        raise ValidationFailed.single("reason", "required", "a refusal states why")
    return HistoricalImportView.of(
        await _decide(actor, found, ImportStatus.REFUSED, reason.strip())
    )


async def approve(*, actor: Actor, import_id: str, reason: str = "") -> HistoricalImportView:
    """An officer of the worker's region (not the one who submitted it) approves the record:
    it is written as a historical class, enrolment and archive entry. Approving again an
    approved import finishes what a crash may have left, then answers 409."""
    found = await _deciding(actor, import_id)
    if found.status is ImportStatus.APPROVED and not found.written:
        await write_approved(found)
    if found.submitted_by == actor.principal_id:
        raise Forbidden("another officer approves a record you submitted")
    decided = await _decide(actor, found, ImportStatus.APPROVED, reason.strip())
    crash_point("historical_import:after_approval")
    return HistoricalImportView.of(await write_approved(decided))


async def write_approved(found: HistoricalImport) -> HistoricalImport:
    """The approved import's run, enrolment and (for a pass) archive entry, each written once
    under the ids chosen at submission; then ``written``. Safe to run again."""
    assert found.id is not None
    course = await Course.get(ids.parse(found.course_id, "course"))
    organisation = await Organisation.get(ids.parse(found.organisation_id, "organisation"))
    assert course is not None
    assert organisation is not None
    now = clock.now()
    run = Run(
        id=PydanticObjectId(found.run_id),
        course_id=found.course_id,
        organisation_id=found.organisation_id,
        region_code=course.region_code,
        start_date=found.start_date,
        end_date=found.end_date,
        capacity=1,
        seats_taken=1,
        location="",
        trainers=[],
        sessions=[],
        occupation_code=found.occupation_code,
        target_level=found.target_level,
        historical=True,
        created_at=now,
        created_by=found.decided_by,
    )
    await insert_once(run)
    enrolment = Enrolment(
        id=PydanticObjectId(found.enrolment_id),
        run_id=found.run_id,
        course_id=found.course_id,
        organisation_id=found.organisation_id,
        archive_id=found.archive_id,
        worker_name=found.worker_name,
        worker_masked_id=found.worker_masked_id,
        worker_region_code=found.worker_region_code,
        status=EnrolmentStatus.COMPLETED,
        status_reason="historical import",
        result=found.result,
        score=found.score,
        hours_attended=found.hours,
        completed_at=now,
        completed_by=found.decided_by,
        historical=True,
        imported_by=found.submitted_by,
        evidence=ImportEvidence(
            description=found.evidence_description,
            reference=found.evidence_reference,
            import_id=str(found.id),
        ),
        created_at=now,
        created_by=found.decided_by,
        updated_at=now,
    )
    await insert_once(enrolment)
    stored = await Enrolment.get(enrolment.id)
    assert stored is not None
    if found.result is CompletionResult.PASSED:
        await _entry(ClassFacts(organisation, run, course), stored, found)
    await HistoricalImport.get_pymongo_collection().update_one(
        {"_id": found.id}, {"$set": {"written": True}}
    )
    fresh = await HistoricalImport.get(found.id)
    assert fresh is not None
    return fresh


async def _entry(facts: ClassFacts, enrolment: Enrolment, found: HistoricalImport) -> None:
    """The "training completed" entry (imported), once; its seq noted on the enrolment."""
    seq = await entry_about(
        enrolment.archive_id, EntryKind.TRAINING_COMPLETED, "enrolment_id", str(enrolment.id)
    )
    if seq is None:
        entry = await append_entry(
            archive_id=enrolment.archive_id,
            kind=EntryKind.TRAINING_COMPLETED,
            payload=training_payload(facts, enrolment),
            recorded_by=Recorder(
                principal=found.decided_by,
                role="agency",
                region=found.worker_region_code,
            ),
        )
        seq = entry.seq
    await Enrolment.get_pymongo_collection().update_one(
        {"_id": enrolment.id}, {"$set": {"entry_seq": seq}}
    )


async def finish_approved(*, since: datetime, until: datetime) -> int:
    """Write what a crash left unwritten of the imports approved in the window (for the
    repair routine); how many it finished."""
    window = {"$gte": clock.epoch_ms(since), "$lte": clock.epoch_ms(until)}
    finished = 0
    async for found in HistoricalImport.find({"decided_at_ms": window}):
        if found.status is ImportStatus.APPROVED and not found.written:
            await write_approved(found)
            finished += 1
    return finished
