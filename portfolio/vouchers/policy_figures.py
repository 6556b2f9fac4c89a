"""How a policy's vouchers stand in an agency's region: issued, bound, claimed, redeemed,
expired and cancelled, by effective status (an unused voucher past its end counts as expired
even before the sweep marks it), for the agency's policy pages.

One small aggregation per status over the indexed ``policy_key``, grouped by that plain
field (the store's supported subset), so a page of policies costs a handful of queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portfolio import clock
from portfolio.accounts import Actor, Role, region_range
from portfolio.errors import Forbidden
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.enums import VoucherStatus
from portfolio.vouchers.rules import UNUSED


@dataclass(frozen=True)
class PolicyFigures:
    """One policy's vouchers in the agency's region, by effective status."""

    issued: int = 0
    bound: int = 0
    claimed: int = 0
    redeemed: int = 0
    expired: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        """Every voucher of the policy in the region, whatever became of it."""
        return (
            self.issued + self.bound + self.claimed + self.redeemed + self.expired + self.cancelled
        )


async def _grouped(match: dict[str, Any]) -> dict[str, int]:
    pipeline = [{"$match": match}, {"$group": {"_id": "$policy_key", "n": {"$sum": 1}}}]
    rows = await (await Voucher.get_pymongo_collection().aggregate(pipeline)).to_list()
    return {str(row["_id"]): int(row["n"]) for row in rows}


async def figures(
    *, actor: Actor, policy_keys: Sequence[str], now: datetime | None = None
) -> dict[str, PolicyFigures]:
    """Each policy's figures among the vouchers of the agency's region (every policy named
    gets an entry, zeros when it issued none there)."""
    if actor.role is not Role.AGENCY or not actor.region_prefix:
        raise Forbidden("only an agency reads its policies' figures")
    now = now or clock.now()
    base: dict[str, Any] = {
        "policy_key": {"$in": list(policy_keys)},
        "region_code": region_range(actor.region_prefix),
    }
    lapsed = {"$lte": clock.epoch_ms(now)}
    counts: dict[VoucherStatus, dict[str, int]] = {}
    for status in VoucherStatus:
        match = {**base, "status": status.value}
        if status in UNUSED:
            match["valid_until_ms"] = {"$gt": clock.epoch_ms(now)}
        counts[status] = await _grouped(match)
    overdue = await _grouped(
        {**base, "status": {"$in": [s.value for s in UNUSED]}, "valid_until_ms": lapsed}
    )

    def of(key: str, status: VoucherStatus) -> int:
        return counts[status].get(key, 0)

    return {
        key: PolicyFigures(
            issued=of(key, VoucherStatus.ISSUED),
            bound=of(key, VoucherStatus.BOUND),
            claimed=of(key, VoucherStatus.CLAIMED),
            redeemed=of(key, VoucherStatus.REDEEMED),
            expired=of(key, VoucherStatus.EXPIRED) + overdue.get(key, 0),
            cancelled=of(key, VoucherStatus.CANCELLED),
        )
        for key in policy_keys
    }
