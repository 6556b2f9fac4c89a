"""The occupation codes the training area stores, counted (the uncatalogued report asks)."""

from __future__ import annotations

from portfolio.accounts import region_range
from portfolio.lookups import count_by
from portfolio.training.documents import Certificate, Course


async def stored_occupation_codes(region_prefix: str | None) -> dict[str, dict[str, int]]:
    """Per collection, how many courses and certificates name each occupation code: those
    of ``region_prefix`` (the course's organisation's region, the holder's region), or all
    with None. Runs, enrolments and imports copy their course's code and are not counted."""
    where = {} if region_prefix is None else region_range(region_prefix)
    return {
        "courses": await count_by(
            Course, "occupation_code", {"region_code": where} if where else None
        ),
        "certificates": await count_by(
            Certificate, "occupation_code", {"holder_region_code": where} if where else None
        ),
    }
