"""What the reports count of honours, read straight from the stored honours (a handful per
region and year): each valid honour in the worker's region and its year, by title."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from portfolio.accounts import region_range
from portfolio.honours.documents import Honour, HonourStatus


@dataclass(frozen=True)
class HonourFacts:
    """One valid honour as counted."""

    region_code: str
    year: int
    title: str


async def honours_to_count(region_prefix: str) -> AsyncIterator[HonourFacts]:
    """Every valid honour of the region's workers."""
    async for found in Honour.find({"worker_region_code": region_range(region_prefix)}):
        if found.status is HonourStatus.VALID:
            yield HonourFacts(found.worker_region_code, found.year, found.title.value)
