"""The occupation codes voucher policies cover, counted (the uncatalogued report asks)."""

from __future__ import annotations

from collections import Counter

from portfolio.vouchers.documents import VoucherPolicy


async def stored_occupation_codes(region_prefix: str | None) -> dict[str, dict[str, int]]:
    """How many policy versions (of regions within ``region_prefix``; all with None) cover
    each code. The codes are a list in each version, so they are counted here: policies are
    few (a handful per agency), read whole."""
    counted: Counter[str] = Counter()
    async for policy in VoucherPolicy.find():
        if region_prefix is None or policy.region_prefix.startswith(region_prefix):
            counted.update(set(policy.coverage.occupation_codes))
    return {"voucher_policies": dict(counted)}
