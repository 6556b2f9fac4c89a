"""What the reports count of competitions, read straight from the stored events and entrants
(a handful per region and year: no counters to keep, nothing to rebuild).

An event counts in its own region and the year it began; an entrant, their result and the
level it granted count in the worker's region (as registered when entered) and the event's
year. Only published results count as results; a voided one counts as neither result nor
level.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from portfolio.accounts import region_range
from portfolio.competitions.documents import Competition, Entrant
from portfolio.competitions.rules import ResultStatus
from portfolio.stated import NOT_STATED


@dataclass(frozen=True)
class CompetitionFacts:
    """One event as counted: where and when."""

    region_code: str
    year: int


@dataclass(frozen=True)
class EntrantFacts:
    """One entrant as counted: where, when, placed, and the level granted (None: none)."""

    region_code: str
    year: int
    published: bool
    placed: bool
    level_granted: str | None


async def competitions_to_count(region_prefix: str) -> AsyncIterator[CompetitionFacts]:
    """Every event held in the region."""
    async for found in Competition.find({"region_code": region_range(region_prefix)}):
        yield CompetitionFacts(found.region_code, found.start_date.year)


async def entrants_to_count(region_prefix: str) -> AsyncIterator[EntrantFacts]:
    """Every entrant of the region (as registered when entered)."""
    async for found in Entrant.find({"worker_region_code": region_range(region_prefix)}):
        live = found.entry_seq != NOT_STATED and found.result_status is ResultStatus.VALID
        yield EntrantFacts(
            region_code=found.worker_region_code,
            year=found.year,
            published=live,
            placed=live and found.rank is not None,
            level_granted=found.level_granted.value if live and found.level_granted else None,
        )
