"""The occupation codes of apprenticeship agreements, counted (the uncatalogued report asks)."""

from __future__ import annotations

from portfolio.accounts import region_range
from portfolio.apprenticeships.documents import Apprenticeship
from portfolio.lookups import count_by


async def stored_occupation_codes(region_prefix: str | None) -> dict[str, dict[str, int]]:
    """How many agreements (of employers in ``region_prefix``; all with None) name each code."""
    match = None if region_prefix is None else {"region_code": region_range(region_prefix)}
    return {"apprenticeships": await count_by(Apprenticeship, "occupation_code", match)}
