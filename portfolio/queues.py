"""The sizes of the service's queues of waiting work, for the metrics endpoint."""

from __future__ import annotations

from portfolio import vouchers
from portfolio.events import DomainEvent


async def open_events() -> int:
    """Domain events some subscriber has yet to apply (the repair routine delivers them)."""
    cursor = await DomainEvent.get_pymongo_collection().aggregate(
        [{"$match": {"open": True}}, {"$count": "n"}]
    )
    rows = await cursor.to_list()
    return int(rows[0]["n"]) if rows else 0


async def sizes() -> dict[str, int]:
    """Each queue's size now: open events, voucher claims waiting for a decision."""
    return {
        "open_events": await open_events(),
        "claims_waiting": await vouchers.ISSUED_COUNTER.claims_waiting(),
    }
