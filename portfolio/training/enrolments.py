"""Use cases of enrolments: enrol a worker (one or a class), move through the life cycle.

Enrolling touches three documents, each guarded by its own conditional update, in an order
that can be undone: the worker's schedule (no overlapping runs), a seat on the run (the
capacity), then the enrolment itself (unique per run and worker). A failed later step gives
back what the earlier ones took. A worker who withdrew from a run, or was refused, can be
enrolled in it again: the same steps, then the enrolment is reopened (its ended state kept in
``ended_enrolments``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo.errors import BulkWriteError, DuplicateKeyError

from portfolio.accounts.principal import Actor, Role
from portfolio.archives.documents import Archive
from portfolio.archives.registration import check_name
from portfolio.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from portfolio.identity.identifiers import IdType, parse_identity
from portfolio.identity.protection import FieldProtection
from portfolio.keyring import Keyring
from portfolio.lookups import find_each
from portfolio.training.bulk import RowResult
from portfolio.training.documents import EndedEnrolment, Enrolment, Run, WorkerSchedule
from portfolio.training.enums import EnrolmentStatus, WithdrawReason
from portfolio.training.organisations import acting_organisation, object_id
from portfolio.training.rules import (
    HOLDS_SEAT,
    Slot,
    first_clash,
    next_enrolment_state,
    slots_of,
)
from portfolio.vouchers.transitions import RELEASING, release_for_enrolment

MAX_SCHEDULE_ATTEMPTS = 20
# An enrolment that ended before training: the worker may be enrolled in the run again.
REOPENABLE = frozenset({EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REFUSED})
NO_MATCH = "no registered worker has this ID number and name"


@dataclass(frozen=True)
class WorkerRef:
    """How a provider names a worker: document type, number and name, all three."""

    id_type: IdType
    id_number: str
    name: str
    nationality: str | None = None


async def find_worker(keyring: Keyring, ref: WorkerRef) -> Archive:
    """The archive matching number *and* name; one and the same error for any mismatch.

    An unknown number and a known number with another name answer alike, so the enrolment
    form cannot be used to learn who has an archive.
    """
    outcome = (await match_workers(keyring, [ref]))[0]
    if isinstance(outcome, ValidationFailed):
        raise outcome
    return outcome


async def _own_run(actor: Actor, run_id: str) -> Run:
    organisation = await acting_organisation(actor)
    run = await Run.find_one(
        {"_id": object_id(run_id, "run"), "organisation_id": str(organisation.id)}
    )
    if run is None:
        raise NotFound("no such run")
    return run


async def _book(archive_id: PydanticObjectId, wanted: list[Slot]) -> None:
    """Add the run's slots to the worker's schedule unless one overlaps another run's."""
    schedules = WorkerSchedule.get_pymongo_collection()
    for _ in range(MAX_SCHEDULE_ATTEMPTS):
        current = await WorkerSchedule.get(archive_id)
        if current is None:
            # First booking of this worker; a racing first booking simply wins the insert.
            with contextlib.suppress(DuplicateKeyError):
                await WorkerSchedule(id=archive_id, slots=[]).insert()
            continue
        booked = [Slot.decode(s) for s in current.slots]
        clash = first_clash(booked, wanted)
        if clash is not None:
            raise Conflict(
                "the worker is already booked in an overlapping session of another run",
                clashing_run_id=clash.run_id,
                clashing_session_start=clash.starts.isoformat(),
            )
        others = [s for s in current.slots if not s.startswith(f"{wanted[0].run_id}|")]
        result = await schedules.update_one(
            {"_id": archive_id, "version": current.version},
            {"$set": {"slots": others + [s.encode() for s in wanted]}, "$inc": {"version": 1}},
        )
        if result.modified_count == 1:
            return
    raise Conflict("the worker's schedule is busy; retry the request")


async def _unbook(archive_id: PydanticObjectId, run_id: str) -> None:
    """Remove a run's slots from the worker's schedule."""
    schedules = WorkerSchedule.get_pymongo_collection()
    for _ in range(MAX_SCHEDULE_ATTEMPTS):
        current = await WorkerSchedule.get(archive_id)
        if current is None:
            return
        kept = [s for s in current.slots if not s.startswith(f"{run_id}|")]
        if len(kept) == len(current.slots):
            return
        result = await schedules.update_one(
            {"_id": archive_id, "version": current.version},
            {"$set": {"slots": kept}, "$inc": {"version": 1}},
        )
        if result.modified_count == 1:
            return


async def _take_seats(run: Run, count: int) -> bool:
    result = await Run.get_pymongo_collection().update_one(
        {"_id": run.id, "seats_taken": {"$lte": run.capacity - count}},
        {"$inc": {"seats_taken": count}},
    )
    return result.modified_count == 1


async def _give_back_seats(run_id: str, count: int) -> None:
    await Run.get_pymongo_collection().update_one(
        {"_id": object_id(run_id, "run")}, {"$inc": {"seats_taken": -count}}
    )


async def _book_and_seat(run: Run, archive_id: PydanticObjectId) -> None:
    """The worker's schedule, then a seat; the booking is given back if the run is full."""
    await _book(archive_id, slots_of(str(run.id), run.sessions))
    if not await _take_seats(run, 1):
        await _unbook(archive_id, str(run.id))
        raise Conflict("the run is full", capacity=run.capacity)


async def _place(
    *, actor: Actor, run: Run, archive: Archive, accept: bool, now: datetime
) -> Enrolment:
    """Book, seat and record one worker on ``run``; undo the earlier steps if a later fails."""
    assert run.id is not None
    assert archive.id is not None
    existing = await Enrolment.find_one({"run_id": str(run.id), "archive_id": str(archive.id)})
    if existing is not None:
        return await _reopen(actor=actor, run=run, enrolment=existing, accept=accept, now=now)
    await _book_and_seat(run, archive.id)
    enrolment = Enrolment(
        run_id=str(run.id),
        course_id=run.course_id,
        organisation_id=run.organisation_id,
        archive_id=str(archive.id),
        worker_name=archive.name,
        worker_masked_id=archive.id_masked,
        worker_region_code=archive.region_code,
        status=EnrolmentStatus.ACCEPTED if accept else EnrolmentStatus.REQUESTED,
        created_at=now,
        created_by=actor.principal_id,
        updated_at=now,
    )
    try:
        await enrolment.insert()
    except DuplicateKeyError:
        # A racing request enrolled the same worker first; its booking is the same as ours.
        await _give_back_seats(str(run.id), 1)
        raise Conflict("the worker is already enrolled in this run") from None
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
        raise Conflict(
            "the worker is already enrolled in this run", current_state=enrolment.status.value
        )
    assert enrolment.id is not None
    await _book_and_seat(run, object_id(enrolment.archive_id, "archive"))
    ended = EndedEnrolment(
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
    with contextlib.suppress(DuplicateKeyError):  # a retry, or the racing reopening
        await ended.insert()
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
        await _give_back_seats(str(run.id), 1)
        raise Conflict("the worker is already enrolled in this run")
    fresh = await Enrolment.get(enrolment.id)
    assert fresh is not None
    return fresh


async def enrol(
    *, actor: Actor, keyring: Keyring, run_id: str, worker: WorkerRef, accept: bool
) -> Enrolment:
    """A provider enrols a worker (named by ID number and name) in one of its runs."""
    run = await _own_run(actor, run_id)
    archive = await find_worker(keyring, worker)
    return await _place(actor=actor, run=run, archive=archive, accept=accept, now=_now())


async def match_workers(
    keyring: Keyring, workers: Sequence[WorkerRef]
) -> dict[int, Archive | ValidationFailed]:
    """Each row's archive (number and name both matching), or why not; one query for all."""
    protection = FieldProtection(keyring)
    outcome: dict[int, Archive | ValidationFailed] = {}
    wanted: dict[int, tuple[str, str]] = {}
    for row, ref in enumerate(workers):
        try:
            identity = parse_identity(ref.id_type, ref.id_number, nationality=ref.nationality)
            wanted[row] = (protection.blind_index(identity.lookup_key), check_name(ref.name))
        except ValidationFailed as failed:
            outcome[row] = failed
    indexes = list({index for index, _ in wanted.values()})
    archives = {a.id_index: a for a in await find_each(Archive, "id_index", indexes)}
    for row, (index, name) in wanted.items():
        archive = archives.get(index)
        if archive is None or archive.name != name:
            outcome[row] = ValidationFailed.single("worker", "no_match", NO_MATCH)
        else:
            outcome[row] = archive
    return outcome


async def enrol_many(
    *, actor: Actor, keyring: Keyring, run_id: str, workers: Sequence[WorkerRef], accept: bool
) -> list[RowResult[Enrolment]]:
    """Enrol a whole class: every valid row is enrolled even when others fail.

    The same three guarded steps as for one worker, done in batches (one lookup of every
    archive, one insert of the new schedules, one seat update, one insert of the enrolments)
    so a class file of thousands of rows takes seconds, not minutes.
    """
    run = await _own_run(actor, run_id)
    assert run.id is not None
    now = _now()
    results: dict[int, RowResult[Enrolment]] = {}

    def fail(row: int, error: DomainError) -> None:
        results[row] = RowResult.failed(row, error)

    matched = await match_workers(keyring, workers)
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
            fail(row, Conflict("the worker is already enrolled in this run"))
            continue
        else:
            candidates.append((row, archive))
        enrolled[str(archive.id)] = ""

    wanted_slots = slots_of(str(run.id), run.sessions)
    booked: list[tuple[int, Archive]] = []
    for (row, archive), clash in zip(
        candidates, await _book_many([a.id for _, a in candidates], wanted_slots), strict=True
    ):
        if clash is None:
            booked.append((row, archive))
        else:
            fail(row, clash)

    seated, unseated = await _take_seats_for(run, booked)
    for row, archive in unseated:
        await _unbook(archive.id, str(run.id))  # type: ignore[arg-type]
        fail(row, Conflict("the run is full", capacity=run.capacity))

    status = EnrolmentStatus.ACCEPTED if accept else EnrolmentStatus.REQUESTED
    documents = [
        Enrolment(
            run_id=str(run.id),
            course_id=run.course_id,
            organisation_id=run.organisation_id,
            archive_id=str(archive.id),
            worker_name=archive.name,
            worker_masked_id=archive.id_masked,
            worker_region_code=archive.region_code,
            status=status,
            created_at=now,
            created_by=actor.principal_id,
            updated_at=now,
        )
        for _, archive in seated
    ]
    rejected = await _insert_unordered(documents)
    if rejected:
        await _give_back_seats(str(run.id), len(rejected))
    for position, ((row, _), document) in enumerate(zip(seated, documents, strict=True)):
        if position in rejected:
            # A racing request enrolled this worker first; its booking is the same as ours.
            fail(row, Conflict("the worker is already enrolled in this run"))
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
    return [results[row] for row in sorted(results)]


async def _book_many(
    archive_ids: Sequence[PydanticObjectId | None], wanted: list[Slot]
) -> list[Conflict | None]:
    """Book ``wanted`` for each worker; the clash (or None) per worker, in order.

    Workers with no schedule yet get theirs in one unordered insert; the others (and any that
    a racing request created meanwhile) are booked one by one under the version precondition.
    """
    ids = [i for i in archive_ids if i is not None]
    existing = {
        s.id async for s in WorkerSchedule.find({"_id": {"$in": ids}}, projection_model=_IdOnly)
    }
    fresh = [i for i in ids if i not in existing]
    encoded = [s.encode() for s in wanted]
    lost = await _insert_unordered([WorkerSchedule(id=i, slots=encoded) for i in fresh])
    one_by_one = existing | {fresh[position] for position in lost}
    outcome: list[Conflict | None] = []
    for archive_id in archive_ids:
        if archive_id is None or archive_id not in one_by_one:
            outcome.append(None)
            continue
        try:
            await _book(archive_id, wanted)
            outcome.append(None)
        except Conflict as clash:
            outcome.append(clash)
    return outcome


class _IdOnly(BaseModel):
    id: PydanticObjectId = Field(alias="_id")


async def _take_seats_for(
    run: Run, rows: list[tuple[int, Archive]]
) -> tuple[list[tuple[int, Archive]], list[tuple[int, Archive]]]:
    """Seat as many rows as the run has room for, in file order: (seated, left without)."""
    want = len(rows)
    while want > 0:
        if await _take_seats(run, want):
            return rows[:want], rows[want:]
        fresh = await Run.get(run.id)
        assert fresh is not None
        want = min(want - 1, max(0, fresh.capacity - fresh.seats_taken))
    return [], rows


async def _insert_unordered(documents: Sequence[Document]) -> set[int]:
    """Insert all, unordered; the positions refused as duplicates."""
    if not documents:
        return set()
    for document in documents:
        if document.id is None:
            document.id = PydanticObjectId()  # known before the insert, for the answer
    try:
        await type(documents[0]).insert_many(list(documents), ordered=False)
    except BulkWriteError as failure:
        refused = failure.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in refused):
            raise
        return {e["index"] for e in refused}
    return set()


def _now() -> datetime:
    return datetime.now(UTC)


async def get_visible(*, actor: Actor, enrolment_id: str) -> Enrolment:
    """An enrolment within reach: its provider, its worker, an agency of the worker's region."""
    enrolment = await Enrolment.get(object_id(enrolment_id, "enrolment"))
    if enrolment is None or not _can_see(actor, enrolment):
        raise NotFound("no such enrolment")
    return enrolment


def _can_see(actor: Actor, enrolment: Enrolment) -> bool:
    if actor.role is Role.PROVIDER:
        return actor.organisation_id == str(enrolment.organisation_id)
    if actor.role is Role.WORKER:
        return actor.archive_id == str(enrolment.archive_id)
    if actor.role is Role.AGENCY:
        return actor.covers_region(enrolment.worker_region_code)
    return actor.role is Role.ADMIN


async def transition(
    *,
    actor: Actor,
    enrolment_id: str,
    action: str,
    reason: str = "",
    withdraw_reason: WithdrawReason | None = None,
) -> Enrolment:
    """accept / refuse / start (the provider) or withdraw (provider, worker or agency)."""
    enrolment = await get_visible(actor=actor, enrolment_id=enrolment_id)
    if action == "withdraw":
        if actor.role is Role.PROVIDER:
            await acting_organisation(actor)
        if withdraw_reason is None:
            raise ValidationFailed.single("reason_code", "required", "a reason code is required")
    else:
        # Only the provider running the class moves it forward.
        if actor.role is not Role.PROVIDER:
            raise Forbidden("only the provider running the class may do this")
        await acting_organisation(actor)
    target = next_enrolment_state(action, enrolment.status)
    update: dict[str, object] = {"status": target.value, "status_reason": reason}
    if withdraw_reason is not None:
        update["withdraw_reason"] = withdraw_reason.value
    result = await Enrolment.get_pymongo_collection().update_one(
        {"_id": enrolment.id, "status": enrolment.status.value, "version": enrolment.version},
        # $currentDate, not $set: nx-27017 stores a $set datetime as a naive string.
        {"$set": update, "$currentDate": {"updated_at": True}, "$inc": {"version": 1}},
    )
    if result.modified_count != 1:
        fresh = await Enrolment.get(enrolment.id)
        state = fresh.status.value if fresh else enrolment.status.value
        raise Conflict(f"the enrolment changed meanwhile; it is now {state}", current_state=state)
    if enrolment.status in HOLDS_SEAT and target not in HOLDS_SEAT:
        await _give_back_seats(enrolment.run_id, 1)
        await _unbook(object_id(enrolment.archive_id, "archive"), enrolment.run_id)
    if target in RELEASING:
        # A voucher bound to an enrolment that ended this way goes back to the worker.
        await release_for_enrolment(
            actor=actor, enrolment_id=str(enrolment.id), reason=f"the enrolment was {target.value}"
        )
    fresh = await Enrolment.get(enrolment.id)
    assert fresh is not None
    return fresh


async def list_for_worker(
    *, archive_id: str, after: PydanticObjectId | None, limit: int
) -> list[Enrolment]:
    """The worker's own enrolments, newest first."""
    query: dict[str, object] = {"archive_id": archive_id}
    if after is not None:
        query["_id"] = {"$lt": after}
    return await Enrolment.find(query).sort("-_id").limit(limit).to_list()


async def list_for_run(
    *, actor: Actor, run_id: str, after: PydanticObjectId | None, limit: int
) -> list[Enrolment]:
    """A run's class list, for its provider or an agency of the run's region."""
    run_oid = object_id(run_id, "run")
    run = await Run.get(run_oid)
    visible = run is not None and (
        (actor.role is Role.PROVIDER and actor.organisation_id == str(run.organisation_id))
        or actor.covers_region(run.region_code)
        or actor.role is Role.ADMIN
    )
    if not visible:
        raise NotFound("no such run")
    query: dict[str, object] = {"run_id": run_id}
    if after is not None:
        query["_id"] = {"$gt": after}
    return await Enrolment.find(query).sort("+_id").limit(limit).to_list()
