"""The voucher area's records in the change trail (``portfolio.audit.changed``).

Every state change of a voucher after its issue (bind, release, claim, approval, redemption,
rejection, cancellation, expiry…) goes through ``transitions.apply``, which records it here
right after its conditional update: who, the state before and after, the reason or note given.
The issue itself is the voucher's first event (``voucher_events``, written with it, in bulk for
thousands at once); the trail begins with the first change after it. The worker's name and
masked number are marked personal: the service admin sees neither.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from portfolio import audit
from portfolio.vouchers.documents import Voucher

KIND = "voucher"
PERSONAL = ("worker_name", "worker_masked_id")


def shown(voucher: Voucher) -> dict[str, Any]:
    """The voucher as the trail keeps it: its state and the money, never its grounds."""
    return {
        "status": voucher.status.value,
        "policy_key": voucher.policy_key,
        "worker_name": audit.mask_name(voucher.worker_name),
        "worker_masked_id": voucher.worker_masked_id,
        "face_value_fen": voucher.face_value_fen,
        "enrolment_id": voucher.enrolment_id,
        "organisation_id": voucher.organisation_id,
        "provider_may_bind": voucher.provider_may_bind,
        "claimed_amount_fen": voucher.claimed_amount_fen,
        "redeemed_amount_fen": voucher.redeemed_amount_fen,
        "flag_codes": list(voucher.flag_codes),
        "first_approved_by": voucher.first_approved_by,
    }


async def voucher_changed(before: Voucher, after: Voucher, *, reason: str) -> None:
    """Record one state change of a voucher (``after`` as stored by its update)."""
    await audit.changed(
        KIND,
        str(after.id),
        after.version,
        shown(before),
        shown(after),
        reason=reason,
        region=after.region_code,
        personal=PERSONAL,
    )


async def _changed_between(since: datetime, until: datetime) -> AsyncIterator[audit.Snapshot]:
    # updated_at is written with $currentDate (a real date), so a range on it works. Version 0
    # is the issue, which the trail does not hold (see the module's docstring).
    found = Voucher.find({"updated_at": {"$gte": since, "$lt": until}, "version": {"$gt": 0}})
    async for voucher in found:
        yield audit.Snapshot(
            object_id=str(voucher.id),
            version=voucher.version,
            after=shown(voucher),
            region=voucher.region_code,
            personal=PERSONAL,
        )


audit.register_source(KIND, _changed_between)
