"""Each policy's issued count, recounted from its vouchers (``portfolio.recount``), and the
size of the claims queue (``portfolio.queues``).

Units of a policy's quantity are taken (conditional ``$inc`` on ``PolicyHead.issued``) before
the vouchers are inserted, and given back for inserts that failed; a process killed in between
leaves the policy counting vouchers that do not exist, and its quantity short.
"""

from __future__ import annotations

from beanie import PydanticObjectId

from portfolio.vouchers.documents import PolicyHead, Voucher
from portfolio.vouchers.enums import VoucherStatus


class IssuedCounter:
    """``PolicyHead.issued``: every voucher ever issued under the policy (any version, any
    state: a cancelled or expired voucher used its unit of the quantity)."""

    name = "policy_issued"

    async def differences(self) -> list[tuple[str, int, int]]:
        """Every policy whose stored count differs from its vouchers."""
        cursor = await Voucher.get_pymongo_collection().aggregate(
            [{"$group": {"_id": "$policy_key", "n": {"$sum": 1}}}]
        )
        counted = {str(row["_id"]): int(row["n"]) for row in await cursor.to_list()}
        found: list[tuple[str, int, int]] = []
        async for head in PolicyHead.get_pymongo_collection().find({}, {"issued": 1}):
            stored = int(head.get("issued", 0))
            count = counted.get(str(head["_id"]), 0)
            if stored != count:
                found.append((str(head["_id"]), stored, count))
        return found

    async def correct(self, key: str, stored: int, counted: int) -> bool:
        """Set the policy's issued count to ``counted`` if it is still ``stored``."""
        result = await PolicyHead.get_pymongo_collection().update_one(
            {"_id": PydanticObjectId(key), "issued": stored}, {"$set": {"issued": counted}}
        )
        return result.modified_count == 1

    async def claims_waiting(self) -> int:
        """Vouchers claimed by their provider and waiting for the agency's decision."""
        cursor = await Voucher.get_pymongo_collection().aggregate(
            [{"$match": {"status": VoucherStatus.CLAIMED.value}}, {"$count": "n"}]
        )
        rows = await cursor.to_list()
        return int(rows[0]["n"]) if rows else 0


ISSUED_COUNTER = IssuedCounter()
