"""The claims queue's filters by course, amount and age (``GET /claims`` and the queue page).

A course is found through its enrolments (a voucher knows the enrolment it is bound to, not the
course): the course's runs, their enrolments, then the claims bound to one of them, within the
course's provider (an indexed equality, so the queue never reads the whole collection). The
amount is the claimed amount in fen, both ends included; the age is the whole days since the
claim was made (``claimed_at_ms``), at least ``min_days_waiting``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portfolio import clock, ids
from portfolio.errors import ValidationFailed
from portfolio.training import enrolment_ids_of_course, find_course

DAY_MS = 86_400_000


@dataclass(frozen=True)
class QueueFilter:
    """What narrows the queue beyond its scope and the review filters; None: not filtered."""

    course_id: str | None = None
    min_amount_fen: int | None = None
    max_amount_fen: int | None = None
    min_days_waiting: int | None = None

    def check(self) -> None:
        """Bad filter values, named by field and rule (nothing is read)."""
        for field in ("min_amount_fen", "max_amount_fen", "min_days_waiting"):
            value = getattr(self, field)
            if value is not None and value < 0:
                raise ValidationFailed.single(field, "negative", "must be zero or more")
        low, high = self.min_amount_fen, self.max_amount_fen
        if low is not None and high is not None and high < low:
            raise ValidationFailed.single(
                "max_amount_fen", "below_minimum", "the highest amount is below the lowest"
            )
        if self.course_id is not None and ids.parse_or_none(self.course_id) is None:
            raise ValidationFailed.single("course_id", "not_an_id", "not a course id")

    async def match(self, now: datetime) -> dict[str, Any] | None:
        """The query's conditions, or None when no claim can match (an unknown course)."""
        self.check()
        query: dict[str, Any] = {}
        amount: dict[str, int] = {}
        if self.min_amount_fen is not None:
            amount["$gte"] = self.min_amount_fen
        if self.max_amount_fen is not None:
            amount["$lte"] = self.max_amount_fen
        if amount:
            query["claimed_amount_fen"] = amount
        if self.min_days_waiting is not None:
            latest = clock.epoch_ms(now) - self.min_days_waiting * DAY_MS
            query["claimed_at_ms"] = {"$lte": latest}
        if self.course_id is not None:
            course = await find_course(self.course_id)
            if course is None:
                return None
            enrolments = await enrolment_ids_of_course(self.course_id)
            if not enrolments:
                return None
            query["organisation_id"] = course.organisation_id
            query["enrolment_id"] = {"$in": enrolments}
        return query
