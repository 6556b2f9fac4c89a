"""Use cases of completions: one enrolment, or a whole class at once.

Completing is one conditional update (in_training -> completed, with the result, the hours
attended and the request's batch id), so of two racing requests exactly one wins; only the
winner publishes the completions event (``run:<run id>:completions:<batch>``, which the reports
count), appends the "training completed" entry to the worker's archive, and then notes the
entry's seq on the enrolment. The repair routine finishes both after a crash.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import UpdateOne

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import (
    EntryKind,
    NewEntry,
    Recorder,
    WorkerRef,
    append_entry,
    commit_entries,
    match_workers,
    plan_entries,
)
from portfolio.errors import (
    Conflict,
    DomainError,
    FieldError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from portfolio.faults import crash_point
from portfolio.keyring import Keyring
from portfolio.training.attendance import hours_attended, records_by_enrolment
from portfolio.training.bulk import RowResult
from portfolio.training.changes import record_enrolment_change
from portfolio.training.documents import AttendanceRecord, Course, Enrolment, Organisation, Run
from portfolio.training.enums import CompletionResult, EnrolmentStatus
from portfolio.training.events import publish_completions
from portfolio.training.organisations import acting_organisation
from portfolio.training.timerules import check_run_over
from portfolio.training.views import ClassCompletionView, EnrolmentView


@dataclass(frozen=True)
class Outcome:
    """What the provider states for one worker."""

    result: CompletionResult
    score: float | None = None


@dataclass(frozen=True)
class Completed:
    """A completion as recorded, and whether this request recorded it."""

    enrolment: Enrolment
    newly_recorded: bool


@dataclass(frozen=True)
class ClassFacts:
    """The run, its course and its organisation: what a completion entry states."""

    organisation: Organisation
    run: Run
    course: Course


@dataclass(frozen=True)
class _ClassContext(ClassFacts):
    """What every completion of one run needs, read once, and who records it."""

    actor: Actor


async def facts_of_run(run_id: str) -> ClassFacts:
    """The facts of a run (for the repair routine, which acts for nobody)."""
    run = await Run.get(ids.parse(run_id, "run"))
    if run is None:
        raise NotFound("no such run")
    course = await Course.get(ids.parse(run.course_id, "course"))
    organisation = await Organisation.get(ids.parse(run.organisation_id, "organisation"))
    assert course is not None
    assert organisation is not None
    return ClassFacts(organisation, run, course)


async def _context(actor: Actor, run_id: str) -> _ClassContext:
    organisation = await acting_organisation(actor)
    run = await Run.find_one(
        {"_id": ids.parse(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    if run is None:
        raise NotFound("no such run")
    course = await Course.get(ids.parse(run.course_id, "course"))
    assert course is not None
    return _ClassContext(organisation, run, course, actor)


def _check(context: _ClassContext, outcome: Outcome, hours: float, now: datetime) -> None:
    errors: list[FieldError] = []
    if (not_over := check_run_over(context.run, now)) is not None:
        errors.append(not_over)
    if outcome.result is CompletionResult.PASSED and hours <= 0:
        errors.append(
            FieldError("result", "no_confirmed_hours", "a pass needs confirmed attendance hours")
        )
    if outcome.score is not None and not 0 <= outcome.score <= 100:
        errors.append(FieldError("score", "range", "must be between 0 and 100"))
    if errors:
        raise ValidationFailed(errors)


async def _complete(
    context: _ClassContext,
    enrolment: Enrolment,
    outcome: Outcome,
    records: Sequence[AttendanceRecord],
    now: datetime,
) -> Completed:
    if enrolment.status is EnrolmentStatus.COMPLETED:
        return Completed(enrolment, newly_recorded=False)
    if enrolment.status is not EnrolmentStatus.IN_TRAINING:
        raise InvalidTransition(
            f"cannot complete an enrolment that is {enrolment.status.value}",
            current_state=enrolment.status.value,
        )
    hours = hours_attended(records)
    _check(context, outcome, hours, now)
    batch = uuid.uuid4().hex
    moved = await Enrolment.get_pymongo_collection().update_one(
        {
            "_id": enrolment.id,
            "status": EnrolmentStatus.IN_TRAINING.value,
            "version": enrolment.version,
        },
        {
            "$set": {
                "status": EnrolmentStatus.COMPLETED.value,
                "result": outcome.result.value,
                "score": outcome.score,
                "hours_attended": hours,
                "completed_by": context.actor.principal_id,
                "completion_batch": batch,
            },
            # $currentDate, not $set: nx-27017 stores a $set datetime as a naive string.
            "$currentDate": {"completed_at": True, "updated_at": True},
            "$inc": {"version": 1},
        },
    )
    crash_point("completion:after_update")
    fresh = await Enrolment.get(enrolment.id)
    assert fresh is not None
    if moved.modified_count != 1:
        if fresh.status is EnrolmentStatus.COMPLETED:
            return Completed(fresh, newly_recorded=False)
        raise Conflict("the enrolment changed meanwhile", current_state=fresh.status.value)
    await record_enrolment_change(enrolment, fresh, reason=f"completed: {outcome.result.value}")
    await publish_completions(context.run, context.course, batch, [fresh])
    if outcome.result is CompletionResult.PASSED:
        fresh = await _write_entry(context, fresh)
    return Completed(fresh, newly_recorded=True)


async def _write_entry(context: _ClassContext, enrolment: Enrolment) -> Enrolment:
    """Append the "training completed" entry and note its seq on the enrolment."""
    entry = await append_entry(
        archive_id=enrolment.archive_id,
        kind=EntryKind.TRAINING_COMPLETED,
        payload=training_payload(context, enrolment),
        recorded_by=Recorder.of(context.actor),
    )
    await Enrolment.get_pymongo_collection().update_one(
        {"_id": enrolment.id, "entry_seq": 0}, {"$set": {"entry_seq": entry.seq}}
    )
    fresh = await Enrolment.get(enrolment.id)
    assert fresh is not None
    return fresh


def training_payload(context: ClassFacts, enrolment: Enrolment) -> dict[str, Any]:
    """What the archive keeps of a passed training (never the worker's identity number);
    training from a historical import says so (``imported``) with its evidence."""
    course = context.course
    imported: dict[str, Any] = {}
    if enrolment.historical:
        imported = {
            "imported": True,
            "imported_by": enrolment.imported_by,
            "run_start_date": context.run.start_date.isoformat(),
            "evidence": {
                "description": enrolment.evidence.description if enrolment.evidence else "",
                "reference": enrolment.evidence.reference if enrolment.evidence else "",
            },
        }
    return {
        "enrolment_id": str(enrolment.id),
        "run_id": enrolment.run_id,
        "course_id": str(course.id),
        "course_title": course.title,
        "occupation_code": course.occupation_code,
        "training_type": course.training_type.value,
        "brand": course.brand.value if course.brand else None,
        "digital": course.digital,
        "target_level": course.target_level.value,
        "hours": enrolment.hours_attended,
        "score": enrolment.score,
        "provider_id": str(context.organisation.id),
        "provider_name": context.organisation.name,
        "region_code": context.organisation.region_code,
        "run_end_date": context.run.end_date.isoformat(),
        **imported,
    }


async def complete_one(
    *, actor: Actor, enrolment_id: str, outcome: Outcome, now: datetime | None = None
) -> EnrolmentView:
    """The provider records the result of one worker's training (once: again is a 409)."""
    now = now or clock.now()
    organisation = await acting_organisation(actor)
    enrolment = await Enrolment.find_one(
        {"_id": ids.parse(enrolment_id, "enrolment"), "organisation_id": str(organisation.id)}
    )
    if enrolment is None:
        raise NotFound("no such enrolment")
    context = await _context(actor, enrolment.run_id)
    records = (await records_by_enrolment([str(enrolment.id)]))[str(enrolment.id)]
    completed = await _complete(context, enrolment, outcome, records, now)
    if not completed.newly_recorded:
        raise InvalidTransition(
            "the completion is already recorded", current_state=EnrolmentStatus.COMPLETED.value
        )
    return EnrolmentView.of(completed.enrolment)


@dataclass(frozen=True)
class CompletionRow:
    """One row of a class's completion sheet: the worker by enrolment id or by ID and name."""

    outcome: Outcome
    enrolment_id: str | None = None
    worker: WorkerRef | None = None


async def complete_class(
    *,
    actor: Actor,
    keyring: Keyring,
    run_id: str,
    rows: Sequence[CompletionRow],
    now: datetime | None = None,
) -> ClassCompletionView:
    """Record a whole class's results; re-sending the same sheet changes nothing.

    The same conditional update and archive entry as for one worker, in batches: every
    enrolment's update goes in one bulk write that marks the ones it wins with a batch id,
    and the winners' "training completed" entries are stored together (``plan_entries`` /
    ``commit_entries``): a 1,000-row sheet is a dozen round trips, not thousands.
    """
    now = now or clock.now()
    context = await _context(actor, run_id)
    targets = await _resolve(context, keyring, rows)
    records = await records_by_enrolment(
        [str(t.id) for t in targets.values() if isinstance(t, Enrolment)]
    )
    results: dict[int, RowResult[Enrolment]] = {}
    pending: list[tuple[int, Enrolment, Outcome, float]] = []
    for index, row in enumerate(rows):
        target = targets[index]
        try:
            if isinstance(target, DomainError):
                raise target
            if target.status is EnrolmentStatus.COMPLETED:
                results[index] = RowResult(index, "already_recorded", item=target)
                continue
            if target.status is not EnrolmentStatus.IN_TRAINING:
                raise InvalidTransition(
                    f"cannot complete an enrolment that is {target.status.value}",
                    current_state=target.status.value,
                )
            hours = hours_attended(records[str(target.id)])
            _check(context, row.outcome, hours, now)
            if any(e.id == target.id for _, e, _, _ in pending):
                raise ValidationFailed.single(
                    "enrolment_id", "duplicate_row", "this worker appears twice in the sheet"
                )
        except DomainError as error:
            results[index] = RowResult.failed(index, error)
        else:
            pending.append((index, target, row.outcome, hours))

    # The passed rows' entries are built on the current heads first, so each completion
    # update can note the seq its entry will take (corrected below if another append wins it).
    batch = uuid.uuid4().hex
    recorder = Recorder.of(actor)
    planned = await plan_entries(
        [
            NewEntry(
                e.archive_id, EntryKind.TRAINING_COMPLETED, _payload_for(context, e, o, h), recorder
            )
            for _, e, o, h in pending
            if o.result is CompletionResult.PASSED
        ],
        now=now,
    )
    planned_seq = {p.item.archive_id: p.seq for p in planned}
    if pending:
        await Enrolment.get_pymongo_collection().bulk_write(
            [
                _completion_update(context, e, o, h, batch, planned_seq.get(e.archive_id, 0))
                for _, e, o, h in pending
            ],
            ordered=False,
        )
    crash_point("class_completion:after_update")
    stored = {
        str(e.id): e
        async for e in Enrolment.find({"_id": {"$in": [e.id for _, e, _, _ in pending]}})
    }
    won: list[tuple[int, Enrolment]] = []
    for index, enrolment, _, _ in pending:
        fresh = stored[str(enrolment.id)]
        if fresh.completion_batch == batch:
            won.append((index, fresh))
        elif fresh.status is EnrolmentStatus.COMPLETED:
            results[index] = RowResult(index, "already_recorded", item=fresh)
        else:
            lost = Conflict("the enrolment changed meanwhile", current_state=fresh.status.value)
            results[index] = RowResult.failed(index, lost)

    before = {str(e.id): e for _, e, _, _ in pending}
    for _, fresh in won:
        reason = f"completed by the class sheet: {fresh.result.value if fresh.result else ''}"
        await record_enrolment_change(before[str(fresh.id)], fresh, reason=reason)
    await publish_completions(context.run, context.course, batch, [e for _, e in won])
    winners = {e.archive_id for _, e in won}
    to_commit = [p for p in planned if p.item.archive_id in winners]
    seqs = dict(
        zip([p.item.archive_id for p in to_commit], await commit_entries(to_commit), strict=True)
    )
    for archive_id, seq in seqs.items():
        if seq != planned_seq[archive_id]:
            await Enrolment.get_pymongo_collection().update_one(
                {"run_id": str(context.run.id), "archive_id": archive_id},
                {"$set": {"entry_seq": seq}},
            )
    for index, enrolment in won:
        done = enrolment.model_copy(update={"entry_seq": seqs.get(enrolment.archive_id, 0)})
        results[index] = RowResult(index, "recorded", item=done)
    return ClassCompletionView.of([results[index] for index in sorted(results)])


def _payload_for(
    context: _ClassContext, enrolment: Enrolment, outcome: Outcome, hours: float
) -> dict[str, Any]:
    """The training payload of an enrolment about to be completed with ``outcome``."""
    done = enrolment.model_copy(update={"hours_attended": hours, "score": outcome.score})
    return training_payload(context, done)


def _completion_update(
    context: _ClassContext,
    enrolment: Enrolment,
    outcome: Outcome,
    hours: float,
    batch: str,
    entry_seq: int,
) -> UpdateOne:
    return UpdateOne(
        {
            "_id": enrolment.id,
            "status": EnrolmentStatus.IN_TRAINING.value,
            "version": enrolment.version,
        },
        {
            "$set": {
                "status": EnrolmentStatus.COMPLETED.value,
                "result": outcome.result.value,
                "score": outcome.score,
                "hours_attended": hours,
                "completed_by": context.actor.principal_id,
                "completion_batch": batch,
                "entry_seq": entry_seq,
            },
            # $currentDate, not $set: nx-27017 stores a $set datetime as a naive string.
            "$currentDate": {"completed_at": True, "updated_at": True},
            "$inc": {"version": 1},
        },
    )


async def _resolve(
    context: _ClassContext, keyring: Keyring, rows: Sequence[CompletionRow]
) -> dict[int, Enrolment | DomainError]:
    """Each row's enrolment in this run (by enrolment id, or by the worker's ID and name)."""
    class_list = {str(e.id): e async for e in Enrolment.find({"run_id": str(context.run.id)})}
    by_archive = {e.archive_id: e for e in class_list.values()}
    named = [r.worker for r in rows if r.worker is not None]
    matched = iter((await match_workers(keyring, named)).values()) if named else iter(())
    targets: dict[int, Enrolment | DomainError] = {}
    for index, row in enumerate(rows):
        found: Enrolment | None
        if row.worker is not None:
            archive = next(matched)
            if isinstance(archive, DomainError):
                targets[index] = archive
                continue
            found = by_archive.get(str(archive.id))
        else:
            found = class_list.get(row.enrolment_id or "")
        targets[index] = found or ValidationFailed.single(
            "enrolment_id", "not_in_run", "no such enrolment in this run"
        )
    return targets
