"""The two guarded steps before an enrolment: the worker's schedule and a seat on the run.

Each is its own conditional update, in an order that can be undone: the schedule refuses a
run overlapping another the worker is booked in (a short list rewritten whole under a version
precondition), the seat counter refuses a full run (a conditional ``$inc``). A later step that
fails gives back what the earlier ones took.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from beanie import PydanticObjectId
from pydantic import BaseModel, Field
from pymongo.errors import BulkWriteError

from portfolio import ids
from portfolio.errors import Conflict
from portfolio.once import insert_once
from portfolio.training.documents import Run, WorkerSchedule
from portfolio.training.rules import Slot, first_clash, slots_of

MAX_SCHEDULE_ATTEMPTS = 20

Row = TypeVar("Row")


async def book(archive_id: PydanticObjectId, wanted: list[Slot]) -> None:
    """Add the run's slots to the worker's schedule unless one overlaps another run's."""
    schedules = WorkerSchedule.get_pymongo_collection()
    for _ in range(MAX_SCHEDULE_ATTEMPTS):
        current = await WorkerSchedule.get(archive_id)
        if current is None:
            # First booking of this worker; a racing first booking simply wins the insert.
            await insert_once(WorkerSchedule(id=archive_id, slots=[]))
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


async def unbook(archive_id: PydanticObjectId, run_id: str) -> None:
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


async def take_seats(run: Run, count: int) -> bool:
    """Take ``count`` seats on ``run`` if it has room for all of them."""
    result = await Run.get_pymongo_collection().update_one(
        {"_id": run.id, "seats_taken": {"$lte": run.capacity - count}},
        {"$inc": {"seats_taken": count}},
    )
    return result.modified_count == 1


async def give_back_seats(run_id: str, count: int) -> None:
    """Free ``count`` seats on the run (an enrolment that did not happen or ended)."""
    await Run.get_pymongo_collection().update_one(
        {"_id": ids.parse(run_id, "run")}, {"$inc": {"seats_taken": -count}}
    )


async def book_and_seat(run: Run, archive_id: PydanticObjectId) -> None:
    """The worker's schedule, then a seat; the booking is given back if the run is full."""
    await book(archive_id, slots_of(str(run.id), run.sessions))
    if not await take_seats(run, 1):
        await unbook(archive_id, str(run.id))
        raise Conflict("the run is full", capacity=run.capacity)


async def book_many(
    archive_ids: Sequence[PydanticObjectId | None], wanted: list[Slot]
) -> list[Conflict | None]:
    """Book ``wanted`` for each worker; the clash (or None) per worker, in order.

    Workers with no schedule yet get theirs in one unordered insert; the others (and any that
    a racing request created meanwhile) are booked one by one under the version precondition.
    """
    given = [i for i in archive_ids if i is not None]
    existing = {
        s.id async for s in WorkerSchedule.find({"_id": {"$in": given}}, projection_model=_IdOnly)
    }
    fresh = [i for i in given if i not in existing]
    encoded = [s.encode() for s in wanted]
    # Plain documents (as WorkerSchedule stores them): a class file books thousands at once,
    # and building each as a Beanie document costs half a millisecond.
    lost = await insert_raw_unordered(
        WorkerSchedule.get_pymongo_collection(),
        [{"_id": i, "slots": encoded, "version": 0} for i in fresh],
    )
    one_by_one = existing | {fresh[position] for position in lost}
    outcome: list[Conflict | None] = []
    for archive_id in archive_ids:
        if archive_id is None or archive_id not in one_by_one:
            outcome.append(None)
            continue
        try:
            await book(archive_id, wanted)
            outcome.append(None)
        except Conflict as clash:
            outcome.append(clash)
    return outcome


class _IdOnly(BaseModel):
    id: PydanticObjectId = Field(alias="_id")


async def take_seats_for(run: Run, rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """Seat as many rows as the run has room for, in file order: (seated, left without)."""
    want = len(rows)
    while want > 0:
        if await take_seats(run, want):
            return rows[:want], rows[want:]
        fresh = await Run.get(run.id)
        assert fresh is not None
        want = min(want - 1, max(0, fresh.capacity - fresh.seats_taken))
    return [], rows


async def insert_raw_unordered(collection: Any, documents: list[dict[str, Any]]) -> set[int]:
    """Insert plain documents, unordered; the positions refused as duplicates."""
    if not documents:
        return set()
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as failure:
        refused = failure.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in refused):
            raise
        return {e["index"] for e in refused}
    return set()
