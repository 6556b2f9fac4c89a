"""The seats taken in each run, recounted from its enrolments (``portfolio.recount``).

A seat is taken (conditional ``$inc`` on ``Run.seats_taken``) before the enrolment is
inserted and given back after an enrolment leaves the seat-holding states; a process killed
in between leaves the run's counter off by one.
"""

from __future__ import annotations

from beanie import PydanticObjectId

from portfolio.training.documents import Enrolment, Run
from portfolio.training.rules import HOLDS_SEAT


class SeatCounter:
    """``Run.seats_taken``: the run's enrolments in a seat-holding state."""

    name = "run_seats"

    async def differences(self) -> list[tuple[str, int, int]]:
        """Every run whose stored seats differ from its seat-holding enrolments."""
        counted: dict[str, int] = {}
        # One equality per state (an indexed match each), not one $in that scans.
        for status in sorted(HOLDS_SEAT):
            cursor = await Enrolment.get_pymongo_collection().aggregate(
                [
                    {"$match": {"status": status.value}},
                    {"$group": {"_id": "$run_id", "n": {"$sum": 1}}},
                ]
            )
            for row in await cursor.to_list():
                counted[row["_id"]] = counted.get(row["_id"], 0) + int(row["n"])
        found: list[tuple[str, int, int]] = []
        async for run in Run.get_pymongo_collection().find({}, {"seats_taken": 1}):
            stored = int(run.get("seats_taken", 0))
            count = counted.get(str(run["_id"]), 0)
            if stored != count:
                found.append((str(run["_id"]), stored, count))
        return found

    async def correct(self, key: str, stored: int, counted: int) -> bool:
        """Set the run's seats to ``counted`` if they are still ``stored``."""
        result = await Run.get_pymongo_collection().update_one(
            {"_id": PydanticObjectId(key), "seats_taken": stored},
            {"$set": {"seats_taken": counted}},
        )
        return result.modified_count == 1


SEAT_COUNTER = SeatCounter()
