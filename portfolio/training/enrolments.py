"""Use cases of enrolling: one worker, or a whole class from a file.

Enrolling touches three documents, each guarded by its own conditional update, in an order
that can be undone (``booking.py``): the worker's schedule (no overlapping runs), a seat on
the run (the capacity), then the enrolment itself (unique per run and worker). A failed later
step gives back what the earlier ones took. A worker who withdrew from a run, or was refused,
can be enrolled in it again: the same steps, then the enrolment is reopened (its ended state
kept in ``ended_enrolments``). What happens to an enrolment afterwards is ``lifecycle.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from beanie import PydanticObjectId
from beanie.odm.utils.dump import get_dict

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import Archive, WorkerRef, find_worker, match_workers
from portfolio.errors import Conflict, DomainError, NotFound
from portfolio.keyring import Keyring
from portfolio.once import insert_once
from portfolio.training.booking import (
    book_and_seat,
    book_many,
    give_back_seats,
    insert_raw_unordered,
    take_seats_for,
    unbook,
)
from portfolio.training.bulk import RowResult
from portfolio.training.changes import record_enrolment_change
from portfolio.training.documents import EndedEnrolment, Enrolment, Run
from portfolio.training.enums import EnrolmentStatus
from portfolio.training.organisations import acting_organisation
from portfolio.training.rules import slots_of
from portfolio.training.timerules import check_run_not_ended
from portfolio.training.views import ClassEnrolmentView, EnrolmentView

# An enrolment that ended before training: the worker may be enrolled in the run again.
REOPENABLE = frozenset({EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REFUSED})
ALREADY_ENROLLED = "the worker is already enrolled in this run"


async def _own_run(actor: Actor, run_id: str) -> Run:
    organisation = await acting_organisation(actor)
    run = await Run.find_one(
        {"_id": ids.parse(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    if run is None:
        raise NotFound("no such run")
    return run


def _of_worker(archive: Archive) -> dict[str, str]:
    """The fields of an enrolment that are the worker's (copied from their archive)."""
    return {
        "archive_id": str(archive.id),
        "worker_name": archive.name,
        "worker_masked_id": archive.id_masked,
        "worker_region_code": archive.region_code,
    }


def _new_enrolment(
    *, actor: Actor, run: Run, archive: Archive, accept: bool, now: datetime
) -> Enrolment:
    return Enrolment(
        run_id=str(run.id),
        course_id=run.course_id,
        organisation_id=run.organisation_id,
        **_of_worker(archive),
        status=EnrolmentStatus.ACCEPTED if accept else EnrolmentStatus.REQUESTED,
        created_at=now,
        created_by=actor.principal_id,
        updated_at=now,
    )


async def _insert_class(
    *, actor: Actor, run: Run, archives: Sequence[Archive], accept: bool, now: datetime
) -> tuple[list[Enrolment], set[int]]:
    """New enrolments of ``archives`` in ``run``, inserted unordered: (the enrolments, the
    positions refused as duplicates). The first is built and encoded as a Beanie document;
    the others are copies with the worker's fields changed (thousands at once from a class
    file: validating and encoding each costs about a millisecond)."""
    if not archives:
        return [], set()
    first = _new_enrolment(actor=actor, run=run, archive=archives[0], accept=accept, now=now)
    first.id = PydanticObjectId()
    documents = [first]
    for archive in archives[1:]:
        documents.append(first.model_copy(update={"id": PydanticObjectId(), **_of_worker(archive)}))
    stored = get_dict(first, to_db=True)
    raw = [
        {**stored, "_id": d.id, **_of_worker(a)} for d, a in zip(documents, archives, strict=True)
    ]
    return documents, await insert_raw_unordered(Enrolment.get_pymongo_collection(), raw)


async def place_worker(
    *, actor: Actor, run: Run, archive: Archive, accept: bool, now: datetime
) -> Enrolment:
    """Book, seat and record one worker on ``run``; undo the earlier steps if a later fails.

    A provider enrolling a worker and a worker applying (``applications.py``) both come here.
    """
    assert run.id is not None
    assert archive.id is not None
    check_run_not_ended(run, now=now)
    existing = await Enrolment.find_one({"run_id": str(run.id), "archive_id": str(archive.id)})
    if existing is not None:
        return await _reopen(actor=actor, run=run, enrolment=existing, accept=accept, now=now)
    await book_and_seat(run, archive.id)
    enrolment = _new_enrolment(actor=actor, run=run, archive=archive, accept=accept, now=now)
    if not await insert_once(enrolment):
        # A racing request enrolled the same worker first; its booking is the same as ours.
        await give_back_seats(str(run.id), 1)
        raise Conflict(ALREADY_ENROLLED)
    return enrolment


async def _reopen(
    *, actor: Actor, run: Run, enrolment: Enrolment, accept: bool, now: datetime
) -> Enrolment:
    """Enrol again a worker who withdrew from ``run`` or whom its provider refused.

    The same guarded steps as a first enrolment (booking, seat), then the ended state is kept
    in ``ended_enrolments`` and the enrolment reopened by one conditional update on its
    version. Of two racing reopenings one wins; the other gives its seat back (not the
    booking: it is the winner's too).
    """
    if enrolment.status not in REOPENABLE:
        raise Conflict(ALREADY_ENROLLED, current_state=enrolment.status.value)
    assert enrolment.id is not None
    await book_and_seat(run, ids.parse(enrolment.archive_id, "worker"))
    # Stored once: a duplicate is a retry, or the racing reopening.
    await insert_once(
        EndedEnrolment(
            id=f"{enrolment.id}:{enrolment.version}",
            enrolment_id=str(enrolment.id),
            run_id=enrolment.run_id,
            archive_id=enrolment.archive_id,
            status=enrolment.status,
            status_reason=enrolment.status_reason,
            withdraw_reason=enrolment.withdraw_reason,
            ended_at=enrolment.updated_at,
            reopened_at=now,
            reopened_by=actor.principal_id,
        )
    )
    status = EnrolmentStatus.ACCEPTED if accept else EnrolmentStatus.REQUESTED
    reopened = await Enrolment.get_pymongo_collection().update_one(
        {"_id": enrolment.id, "status": enrolment.status.value, "version": enrolment.version},
        {
            "$set": {"status": status.value, "status_reason": "", "withdraw_reason": None},
            # $currentDate, not $set: nx-27017 stores a $set datetime as a naive string.
            "$currentDate": {"updated_at": True},
            "$inc": {"version": 1},
        },
    )
    if reopened.modified_count != 1:
        await give_back_seats(str(run.id), 1)
        raise Conflict(ALREADY_ENROLLED)
    fresh = await Enrolment.get(enrolment.id)
    assert fresh is not None
    await record_enrolment_change(enrolment, fresh, reason="enrolled again")
    return fresh


async def enrol(
    *, actor: Actor, keyring: Keyring, run_id: str, worker: WorkerRef, accept: bool
) -> EnrolmentView:
    """A provider enrols a worker (named by ID number and name) in one of its runs."""
    run = await _own_run(actor, run_id)
    archive = await find_worker(keyring, worker)
    now = clock.now()
    placed = await place_worker(actor=actor, run=run, archive=archive, accept=accept, now=now)
    return EnrolmentView.of(placed)


async def enrol_many(
    *, actor: Actor, keyring: Keyring, run_id: str, workers: Sequence[WorkerRef], accept: bool
) -> ClassEnrolmentView:
    """Enrol a whole class: every valid row is enrolled even when others fail.

    The same three guarded steps as for one worker, done in batches (one lookup of every
    archive, one insert of the new schedules, one seat update, one insert of the enrolments)
    so a class file of thousands of rows takes seconds, not minutes.
    """
    run = await _own_run(actor, run_id)
    check_run_not_ended(run)
    matched = await match_workers(keyring, workers)
    return await enrol_matched(actor=actor, run=run, matched=matched, accept=accept)


async def enrol_matched(
    *,
    actor: Actor,
    run: Run,
    matched: Mapping[int, Archive | DomainError],
    accept: bool,
) -> ClassEnrolmentView:
    """:func:`enrol_many` for rows whose archives are already matched (``archives.
    match_workers``; the class file's preview matched them): ``run`` is the caller's own."""
    assert run.id is not None
    now = clock.now()
    check_run_not_ended(run, now=now)
    results: dict[int, RowResult[Enrolment]] = {}

    def fail(row: int, error: DomainError) -> None:
        results[row] = RowResult.failed(row, error)

    # Each worker of the run and the status of their enrolment ("" once taken by a row here).
    enrolled = {
        e["archive_id"]: e["status"]
        async for e in Enrolment.get_pymongo_collection().find(
            {"run_id": str(run.id)}, {"archive_id": 1, "status": 1}
        )
    }
    reopenable = {status.value for status in REOPENABLE}
    candidates: list[tuple[int, Archive]] = []
    returning: list[tuple[int, Archive]] = []
    for row, archive in matched.items():
        if isinstance(archive, DomainError):
            fail(row, archive)
            continue
        status = enrolled.get(str(archive.id))
        if status in reopenable:
            returning.append((row, archive))
        elif status is not None:
            fail(row, Conflict(ALREADY_ENROLLED))
            continue
        else:
            candidates.append((row, archive))
        enrolled[str(archive.id)] = ""

    wanted_slots = slots_of(str(run.id), run.sessions)
    booked: list[tuple[int, Archive]] = []
    for (row, archive), clash in zip(
        candidates, await book_many([a.id for _, a in candidates], wanted_slots), strict=True
    ):
        if clash is None:
            booked.append((row, archive))
        else:
            fail(row, clash)

    seated, unseated = await take_seats_for(run, booked)
    for row, archive in unseated:
        await unbook(archive.id, str(run.id))  # type: ignore[arg-type]
        fail(row, Conflict("the run is full", capacity=run.capacity))

    documents, rejected = await _insert_class(
        actor=actor, run=run, archives=[a for _, a in seated], accept=accept, now=now
    )
    if rejected:
        await give_back_seats(str(run.id), len(rejected))
    for position, ((row, _), document) in enumerate(zip(seated, documents, strict=True)):
        if position in rejected:
            # A racing request enrolled this worker first; its booking is the same as ours.
            fail(row, Conflict(ALREADY_ENROLLED))
        else:
            results[row] = RowResult(row, "enrolled", item=document)
    # Workers enrolled again after withdrawing or being refused: few, one by one.
    for row, archive in returning:
        ended = await Enrolment.find_one({"run_id": str(run.id), "archive_id": str(archive.id)})
        assert ended is not None  # enrolments are never deleted
        try:
            reopened = await _reopen(actor=actor, run=run, enrolment=ended, accept=accept, now=now)
        except DomainError as error:
            fail(row, error)
        else:
            results[row] = RowResult(row, "enrolled", item=reopened)
    return ClassEnrolmentView.of([results[row] for row in sorted(results)])
