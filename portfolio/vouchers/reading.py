"""Who reaches which voucher, and the lists of vouchers and their events.

A worker reaches their own vouchers; an agency the vouchers of workers in its region (the
region at issue); a provider the vouchers bound to its enrolments, and an issued voucher whose
worker allowed a provider to bind it when the worker is enrolled with that provider. Anything
else is "not found". Lists filter on the *effective* status: an unused voucher past its end is
listed as expired, and not as issued or bound, before any sweep marks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from beanie import PydanticObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor, Role, region_range
from portfolio.archives import log_reads, require_worker
from portfolio.errors import Forbidden, NotFound
from portfolio.lookups import find_each
from portfolio.training import is_enrolled_with
from portfolio.vouchers.documents import Voucher, VoucherEvent
from portfolio.vouchers.enums import VoucherStatus
from portfolio.vouchers.rules import UNUSED, effective_status
from portfolio.vouchers.views import ViewPage, VoucherEventView, VoucherView

MAX_EVENTS = 500
_NOT_FOUND = "no such voucher"


async def can_see(actor: Actor, voucher: Voucher, now: datetime) -> bool:
    """Whether ``actor`` reaches ``voucher`` (see the module's docstring)."""
    if actor.role is Role.WORKER:
        return actor.archive_id == voucher.archive_id
    if actor.role is Role.AGENCY:
        return actor.covers_region(voucher.region_code)
    if actor.role is Role.PROVIDER and actor.organisation_id:
        if voucher.organisation_id == actor.organisation_id:
            return True
        current = effective_status(voucher.status, voucher.valid_until, now)
        if voucher.provider_may_bind and current is VoucherStatus.ISSUED:
            return await is_enrolled_with(voucher.archive_id, actor.organisation_id)
    return False


async def get_visible(*, actor: Actor, voucher_id: str, now: datetime) -> Voucher:
    """A voucher within the caller's reach, else NotFound (as if it did not exist)."""
    voucher = await Voucher.get(ids.parse(voucher_id, "voucher"))
    if voucher is None or not await can_see(actor, voucher, now):
        raise NotFound(_NOT_FOUND)
    return voucher


async def get_voucher(*, actor: Actor, voucher_id: str, now: datetime | None = None) -> VoucherView:
    """A voucher within the caller's reach, as the caller may see it."""
    now = now or clock.now()
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now)
    await log_reads(actor, [voucher.archive_id], what="voucher")
    return VoucherView.of(voucher, viewer=actor, now=now)


def _status_filters(status: VoucherStatus | None, now: datetime) -> list[dict[str, object]]:
    """The queries whose union is "effective status = ``status``"."""
    if status is None:
        return [{}]
    unused = [s.value for s in UNUSED]
    if status is VoucherStatus.EXPIRED:
        return [
            {"status": VoucherStatus.EXPIRED.value},
            {"status": {"$in": unused}, "valid_until_ms": {"$lte": clock.epoch_ms(now)}},
        ]
    if status in UNUSED:
        return [{"status": status.value, "valid_until_ms": {"$gt": clock.epoch_ms(now)}}]
    return [{"status": status.value}]


async def _newest_first(
    base: dict[str, object],
    status: VoucherStatus | None,
    *,
    after: PydanticObjectId | None,
    limit: int,
    now: datetime,
) -> list[Voucher]:
    """One page, newest first, of the union of the status queries (keyset on ``_id``)."""
    found: list[Voucher] = []
    for extra in _status_filters(status, now):
        query = {**base, **extra}
        if after is not None:
            query["_id"] = {"$lt": after}
        found += await Voucher.find(query).sort("-_id").limit(limit).to_list()
    found.sort(key=lambda v: str(v.id), reverse=True)
    return found[:limit]


async def list_visible(
    *,
    actor: Actor,
    status: VoucherStatus | None,
    policy_key: str | None,
    worker_id: str | None,
    after: PydanticObjectId | None,
    limit: int,
    now: datetime | None = None,
) -> ViewPage[VoucherView]:
    """An agency's vouchers (its region) or a provider's (bound to its enrolments)."""
    now = now or clock.now()
    base: dict[str, object]
    if actor.role is Role.AGENCY and actor.region_prefix:
        base = {"region_code": region_range(actor.region_prefix)}
    elif actor.role is Role.PROVIDER and actor.organisation_id:
        base = {"organisation_id": actor.organisation_id}
    else:
        raise Forbidden("only an agency or a provider may list vouchers")
    if policy_key is not None:
        base["policy_key"] = policy_key
    if worker_id is not None:
        base["archive_id"] = worker_id
    found = await _newest_first(base, status, after=after, limit=limit, now=now)
    await log_reads(actor, [v.archive_id for v in found[:limit]], what="voucher list")
    return _page(found, actor, now, limit)


async def list_for_worker(
    *,
    actor: Actor,
    status: VoucherStatus | None,
    after: PydanticObjectId | None,
    limit: int,
    now: datetime | None = None,
) -> ViewPage[VoucherView]:
    """The worker's own vouchers, newest first."""
    now = now or clock.now()
    archive_id = str(require_worker(actor))
    found = await _newest_first(
        {"archive_id": archive_id}, status, after=after, limit=limit, now=now
    )
    return _page(found, actor, now, limit)


def _page(found: list[Voucher], viewer: Actor, now: datetime, limit: int) -> ViewPage[VoucherView]:
    return ViewPage.of(
        [VoucherView.of(v, viewer=viewer, now=now) for v in found], [v.id for v in found], limit
    )


async def events_of(
    *, actor: Actor, voucher_id: str, now: datetime | None = None
) -> list[VoucherEventView]:
    """A voucher's history, oldest first, for whoever reaches the voucher."""
    voucher = await get_visible(actor=actor, voucher_id=voucher_id, now=now or clock.now())
    await log_reads(actor, [voucher.archive_id], what="voucher history")
    events = (
        await VoucherEvent.find({"voucher_id": str(voucher.id)})
        .sort("+version")
        .limit(MAX_EVENTS)
        .to_list()
    )
    return [VoucherEventView.of(e) for e in events]


async def voucher_times(archive_ids: Sequence[str]) -> list[tuple[str, datetime, bool]]:
    """Each voucher of the workers as (archive id, issued at, redeemed): the priority-groups
    report counts them (query time, one batched lookup)."""
    found = await find_each(Voucher, "archive_id", archive_ids)
    return [(v.archive_id, v.valid_from, v.status is VoucherStatus.REDEEMED) for v in found]
