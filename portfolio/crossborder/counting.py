"""The report of recognitions across borders: how many by origin, decision, year and region,
read straight from the stored records (a handful per region and year).

The year is the decision's (China time), or the year recorded for one still waiting; the region
is the worker's. Voided records are not counted.

Neither a recognised Chongqing certificate nor a recognised foreign qualification counts among
Sichuan's "new skilled workers" (the plan counts levels evaluated in Sichuan; a Chongqing
certificate is already counted by Chongqing under the cooperation, and a recognition grants no
new evaluation): ``COUNTS_AS_NEW_SKILLED``. Both do count as the level the worker holds (the
archive summary's levels), so a worker holding one is among the skilled of the region.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from portfolio import clock
from portfolio.accounts import region_range
from portfolio.crossborder.documents import BorderRecognition, BorderStatus

COUNTS_AS_NEW_SKILLED = False


@dataclass(frozen=True)
class BorderCount:
    """One row of the report."""

    origin: str
    decision: str
    year: int
    region_code: str
    count: int


def year_of(found: BorderRecognition) -> int:
    """The year a record is counted in: its decision's, or its recording's while waiting."""
    if found.decided_at_ms:
        return clock.china_today(clock.from_epoch_ms(found.decided_at_ms)).year
    return clock.china_today(found.recorded_at).year


async def border_counts(region_prefix: str, year: int | None = None) -> list[BorderCount]:
    """The counts of the region's workers' records (of ``year`` only, when given)."""
    counted: Counter[tuple[str, str, int, str]] = Counter()
    async for found in BorderRecognition.find({"worker_region_code": region_range(region_prefix)}):
        if found.status is BorderStatus.VOIDED:
            continue
        when = year_of(found)
        if year is None or when == year:
            counted[(found.origin.value, found.status.value, when, found.worker_region_code)] += 1
    return [BorderCount(*key, count) for key, count in sorted(counted.items())]
