"""Each mentor's apprentices, recounted from the agreements (``portfolio.recount``).

A mentor's slot is taken (conditional ``$inc`` on ``Mentor.active_apprentices``) before the
agreement starts or takes the mentor in a change, and given back after it stops, completes or
changes mentor; a process killed in between leaves the mentor's counter off by one.
"""

from __future__ import annotations

from beanie import PydanticObjectId

from portfolio.apprenticeships.documents import Apprenticeship, Mentor
from portfolio.apprenticeships.rules import RUNNING


class MentorCounter:
    """``Mentor.active_apprentices``: the running (active, paused) agreements naming the
    mentor as the enterprise or the school mentor."""

    name = "mentor_apprentices"

    async def differences(self) -> list[tuple[str, int, int]]:
        """Every mentor whose stored count differs from the running agreements naming them."""
        counted: dict[str, int] = {}
        for status in sorted(RUNNING):
            # Whole plans, shaped here: nx-27017 does not project nested fields.
            async for row in Apprenticeship.get_pymongo_collection().find(
                {"status": status.value}, {"plan": 1}
            ):
                plan = row.get("plan") or {}
                for role in ("enterprise_mentor", "school_mentor"):
                    mentor_id = (plan.get(role) or {}).get("id")
                    if mentor_id:
                        counted[mentor_id] = counted.get(mentor_id, 0) + 1
        found: list[tuple[str, int, int]] = []
        async for mentor in Mentor.get_pymongo_collection().find({}, {"active_apprentices": 1}):
            stored = int(mentor.get("active_apprentices", 0))
            count = counted.get(str(mentor["_id"]), 0)
            if stored != count:
                found.append((str(mentor["_id"]), stored, count))
        return found

    async def correct(self, key: str, stored: int, counted: int) -> bool:
        """Set the mentor's count to ``counted`` if it is still ``stored``."""
        result = await Mentor.get_pymongo_collection().update_one(
            {"_id": PydanticObjectId(key), "active_apprentices": stored},
            {"$set": {"active_apprentices": counted}},
        )
        return result.modified_count == 1


MENTOR_COUNTER = MentorCounter()
