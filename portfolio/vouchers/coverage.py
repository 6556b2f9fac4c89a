"""Which courses a worker's usable vouchers pay for (the catalogue's "my voucher pays").

A voucher is *usable* while it is issued and before its end: bound, claimed or spent vouchers
already pay for an enrolment, and an expired or cancelled one pays for nothing. Whether it pays
for a course is its policy's coverage (training types, occupations, brands; an empty list is
"any"), the same rule binding applies (``rules.coverage_gaps``). Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import require_worker
from portfolio.errors import NotFound
from portfolio.training import CourseFacts, PayingVoucherView
from portfolio.vouchers.documents import Voucher
from portfolio.vouchers.enums import VoucherStatus
from portfolio.vouchers.rules import coverage_gaps

# More than a worker ever holds at once; a bound on the read all the same.
MAX_USABLE = 100


@dataclass(frozen=True)
class UsableVouchers:
    """The worker's usable vouchers at one moment (see the module's docstring)."""

    vouchers: tuple[Voucher, ...]

    def paying_for(self, course: CourseFacts) -> tuple[PayingVoucherView, ...]:
        """The vouchers that pay for ``course`` (empty: none of them)."""
        return tuple(
            PayingVoucherView(
                id=str(voucher.id),
                policy_name=voucher.policy_name,
                face_value_fen=voucher.face_value_fen,
                valid_until=voucher.valid_until,
            )
            for voucher in self.vouchers
            if not coverage_gaps(
                voucher.coverage,
                training_type=course.training_type.value,
                occupation_code=course.occupation_code,
                brand=course.brand.value if course.brand else None,
            )
        )


async def usable_vouchers(
    *, actor: Actor, only: str | None = None, now: datetime | None = None
) -> UsableVouchers:
    """The worker's vouchers that can still pay for a course (``only``: just that one).

    A worker naming a voucher that is not theirs gets NotFound, as for any voucher; one of
    theirs that is no longer usable simply pays for nothing.
    """
    archive_id = str(require_worker(actor))
    now = now or clock.now()
    query: dict[str, object] = {
        "archive_id": archive_id,
        "status": VoucherStatus.ISSUED.value,
        "valid_until_ms": {"$gt": clock.epoch_ms(now)},
    }
    if only is not None:
        wanted = await Voucher.get(ids.parse(only, "voucher"))
        if wanted is None or wanted.archive_id != archive_id:
            raise NotFound("no such voucher")
        query["_id"] = wanted.id
    found = await Voucher.find(query).sort("+_id").limit(MAX_USABLE).to_list()
    return UsableVouchers(tuple(found))
