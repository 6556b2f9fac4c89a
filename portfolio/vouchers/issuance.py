"""Issuing vouchers: to one worker, or to a whole list with a result per row.

Issuing touches two documents, each guarded by its own condition, in an order that can be
undone: a unit of the policy's quantity (one conditional ``$inc`` on the head's counter, which
also requires the version to still be current), then the voucher itself (its unique
``holding_key`` refuses a second unused voucher of the policy to racing issues). When the
insert is refused as a duplicate the unit is given back; after any other failure (the insert
may have happened) it is kept, so the cap can lose a unit to a crash but is never exceeded.
Eligibility is checked first and explained when refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from beanie import PydanticObjectId
from pymongo.errors import BulkWriteError

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import (
    Archive,
    Recorder,
    WorkerRef,
    archive_for_agency,
    archives_in_region,
    birth_date_of,
    match_workers,
)
from portfolio.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from portfolio.keyring import Keyring
from portfolio.lookups import find_each
from portfolio.once import insert_once
from portfolio.vouchers.documents import (
    EventRecord,
    IssueBatch,
    PolicyHead,
    RuleOutcome,
    Voucher,
    VoucherEvent,
)
from portfolio.vouchers.eligibility import assess, groups_for, unused_held
from portfolio.vouchers.enums import VoucherAction, VoucherStatus
from portfolio.vouchers.errors import NotEligible
from portfolio.vouchers.events import publish_change, publish_issue
from portfolio.vouchers.inputs import IssueRow
from portfolio.vouchers.policies import policy_state
from portfolio.vouchers.rules import (
    UNUSED,
    PolicyState,
    free_key,
    holding_key,
    no_unused_voucher_failed,
    validity_end,
)
from portfolio.vouchers.transitions import SYSTEM, expire, record_event
from portfolio.vouchers.views import BulkIssueView, IssueRowView, VoucherView, outcomes_view

_NO_WORKER = "no such worker in your region"


@dataclass(frozen=True)
class IssueResult:
    """One row's outcome: ``issued``, ``not_eligible`` (with the failing rules) or ``error``."""

    row: int
    status: str
    voucher: Voucher | None = None
    failed_rules: tuple[RuleOutcome, ...] = ()
    errors: tuple[FieldError, ...] = ()
    detail: str = ""

    def view(self, *, viewer: Actor, now: datetime) -> IssueRowView:
        """The row's outcome as shown to the agency that issued."""
        return IssueRowView(
            row=self.row,
            status=self.status,
            voucher=VoucherView.of(self.voucher, viewer=viewer, now=now) if self.voucher else None,
            failed_rules=outcomes_view(self.failed_rules),
            errors=self.errors,
            detail=self.detail,
        )

    @classmethod
    def failed(cls, row: int, error: DomainError) -> IssueResult:
        """The row failed with ``error``."""
        if isinstance(error, NotEligible):
            return cls(
                row,
                "not_eligible",
                failed_rules=tuple(error.failed),
                errors=tuple(error.errors),
                detail=error.detail,
            )
        errors = tuple(error.errors) if isinstance(error, ValidationFailed) else ()
        return cls(row, "error", errors=errors, detail=error.detail)


async def _issuable(actor: Actor, policy_id: str, now: datetime) -> PolicyState:
    state = await policy_state(actor=actor, policy_id=policy_id)
    if not state.current:
        raise Conflict(
            f"version {state.policy.version_no} of this policy was replaced; issue under the "
            "current version",
            current_version_id=state.head.current_version_id,
        )
    if state.ended(clock.china_today(now)):
        assert state.policy.fixed_end is not None
        raise Conflict(f"the policy ended on {state.policy.fixed_end.isoformat()}")
    return state


def _exhausted(state: PolicyState) -> Conflict:
    return Conflict(
        f"the policy's quantity of {state.policy.quantity} vouchers is used up",
        quantity=state.policy.quantity,
    )


async def _take(state: PolicyState, count: int) -> bool:
    """Take ``count`` units of the quantity, only while the version is current."""
    result = await PolicyHead.get_pymongo_collection().update_one(
        {
            "_id": state.head.id,
            "current_version_id": str(state.policy.id),
            "issued": {"$lte": state.policy.quantity - count},
        },
        {"$inc": {"issued": count}},
    )
    return result.modified_count == 1


async def _give_back(state: PolicyState, count: int) -> None:
    await PolicyHead.get_pymongo_collection().update_one(
        {"_id": state.head.id}, {"$inc": {"issued": -count}}
    )


async def _expire_lapsed(archive_ids: Sequence[str], policy_key: str, now: datetime) -> None:
    """Mark expired the unswept vouchers past their end: they still hold the unique key."""
    lapsed = await find_each(
        Voucher,
        "archive_id",
        archive_ids,
        {
            "policy_key": policy_key,
            "status": {"$in": [s.value for s in UNUSED]},
            "valid_until_ms": {"$lte": clock.epoch_ms(now)},
        },
    )
    for voucher in lapsed:
        await expire(voucher, by=SYSTEM, now=now)


def _new_voucher(
    *,
    actor: Actor,
    state: PolicyState,
    archive: Archive,
    grounds: list[RuleOutcome],
    note: str,
    now: datetime,
    voucher_id: PydanticObjectId | None = None,
) -> Voucher:
    policy = state.policy
    vid = voucher_id or PydanticObjectId()
    record = EventRecord(
        version=0,
        action=VoucherAction.ISSUE,
        from_state=None,
        to_state=VoucherStatus.ISSUED,
        reason=note,
        by=Recorder.of(actor),
        at=now,
        details={"policy_id": str(policy.id), "policy_version": str(policy.version_no)},
    )
    valid_until = validity_end(
        validity_days=policy.validity_days, fixed_end=policy.fixed_end, issued_at=now
    )
    return Voucher(
        id=vid,
        policy_id=str(policy.id),
        policy_key=policy.policy_key,
        policy_version=policy.version_no,
        policy_name=policy.name,
        region_code=archive.region_code,
        archive_id=str(archive.id),
        worker_name=archive.name,
        worker_masked_id=archive.id_masked,
        face_value_fen=policy.face_value_fen,
        coverage=policy.coverage,
        funding_source=policy.funding_source,
        valid_from=now,
        valid_until=valid_until,
        valid_until_ms=clock.epoch_ms(valid_until),
        status=VoucherStatus.ISSUED,
        grounds=grounds,
        issue_note=note,
        holding_key=holding_key(
            policy_key=policy.policy_key,
            archive_id=str(archive.id),
            voucher_id=str(vid),
            status=VoucherStatus.ISSUED,
            one_unused=policy.rules.one_unused_voucher,
        ),
        binding_key=free_key(str(vid)),
        last_event=record,
        created_at=now,
        updated_at=now,
    )


async def issue(
    *,
    actor: Actor,
    keyring: Keyring,
    policy_id: str,
    worker_id: str,
    note: str = "",
    now: datetime | None = None,
    voucher_id: str | None = None,
) -> VoucherView:
    """An agency issues a voucher of the current policy version to an eligible worker of its
    region; refused with every failing rule when the worker is not eligible.

    ``now`` and ``voucher_id`` fix the moment and the id (demo data and tests of time only).
    """
    now = clock.truncate_to_millis(now or clock.now())
    state = await _issuable(actor, policy_id, now)
    archive = await archive_for_agency(actor, worker_id)
    key = state.policy.policy_key
    await _expire_lapsed([str(archive.id)], key, now)
    held = await unused_held([str(archive.id)], now=now, policy_key=key)
    birth = await birth_date_of(archive, keyring)
    groups = await groups_for(keyring, [state.policy], [str(archive.id)], now)
    answer = assess(state, archive, birth_date=birth, held=held, now=now, groups=groups)
    if not answer.eligible:
        raise NotEligible([o for o in answer.outcomes if not o.passed])
    if not await _take(state, 1):
        fresh = await policy_state(actor=actor, policy_id=policy_id)
        if not fresh.current:
            await _issuable(actor, policy_id, now)  # raises: the version was replaced
        raise _exhausted(state)
    voucher = _new_voucher(
        actor=actor,
        state=state,
        archive=archive,
        grounds=answer.outcomes,
        note=note.strip(),
        now=now,
        voucher_id=PydanticObjectId(voucher_id) if voucher_id else None,
    )
    if not await insert_once(voucher):
        await _give_back(state, 1)
        if voucher_id is not None and await Voucher.get(voucher.id) is not None:
            raise Conflict("this voucher exists already")
        # A racing issue to the same worker won the unique holding key.
        raise NotEligible([no_unused_voucher_failed(clock.china_today(now))])
    await record_event(voucher, voucher.last_event)
    await publish_change(voucher, voucher.last_event)
    return VoucherView.of(voucher, viewer=actor, now=now)


async def _resolve(
    actor: Actor, keyring: Keyring, rows: Sequence[IssueRow]
) -> tuple[list[tuple[int, Archive]], dict[int, IssueResult]]:
    """Each row's archive within the agency's region (one query per way of naming), or why not."""
    assert actor.region_prefix is not None
    failed: dict[int, IssueResult] = {}
    by_id: dict[int, PydanticObjectId] = {}
    by_ref: dict[int, WorkerRef] = {}
    for row, item in enumerate(rows):
        if item.worker_id is not None:
            oid = ids.parse_or_none(item.worker_id)
            if oid is None:
                failed[row] = IssueResult.failed(row, NotFound(_NO_WORKER))
            else:
                by_id[row] = oid
        elif item.id_number is not None and item.name is not None:
            by_ref[row] = WorkerRef(item.id_type, item.id_number, item.name, item.nationality)
        else:
            failed[row] = IssueResult.failed(
                row,
                ValidationFailed.single("worker", "required", "name the worker"),
            )
    found = await archives_in_region(list(by_id.values()), actor.region_prefix)
    resolved: dict[int, Archive] = {}
    for row, oid in by_id.items():
        archive = found.get(str(oid))
        if archive is None:
            failed[row] = IssueResult.failed(row, NotFound(_NO_WORKER))
        else:
            resolved[row] = archive
    refs = list(by_ref.items())
    matched = await match_workers(keyring, [ref for _, ref in refs])
    for position, (row, _) in enumerate(refs):
        outcome = matched[position]
        if isinstance(outcome, ValidationFailed):
            failed[row] = IssueResult.failed(row, outcome)
        elif not actor.covers_region(outcome.region_code):
            # Same answer as an unknown person: the form must not tell who lives elsewhere.
            failed[row] = IssueResult.failed(row, NotFound(_NO_WORKER))
        else:
            resolved[row] = outcome
    seen: set[str] = set()
    ordered: list[tuple[int, Archive]] = []
    for row in sorted(resolved):
        archive = resolved[row]
        if str(archive.id) in seen:
            failed[row] = IssueResult.failed(
                row, Conflict("the worker is listed twice; one voucher each")
            )
            continue
        seen.add(str(archive.id))
        ordered.append((row, archive))
    return ordered, failed


async def _take_up_to(state: PolicyState, want: int) -> int:
    """Take as many units as are left, up to ``want``; how many were taken."""
    while want > 0:
        if await _take(state, want):
            return want
        fresh = await PolicyHead.get(state.head.id)
        assert fresh is not None
        if fresh.current_version_id != str(state.policy.id):
            return 0
        want = min(want - 1, max(0, state.policy.quantity - fresh.issued))
    return 0


async def _insert_unordered(vouchers: list[Voucher]) -> set[int]:
    """Insert all, unordered; the positions refused as duplicates."""
    if not vouchers:
        return set()
    try:
        await Voucher.insert_many(vouchers, ordered=False)
    except BulkWriteError as failure:
        refused = failure.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in refused):
            raise
        return {e["index"] for e in refused}
    return set()


async def issue_many(
    *,
    actor: Actor,
    keyring: Keyring,
    policy_id: str,
    rows: Sequence[IssueRow],
    note: str = "",
    now: datetime | None = None,
) -> BulkIssueView:
    """Issue to a list of workers: every eligible row gets a voucher while the quantity lasts;
    the others are reported with their failing rules or error.

    Done in batches (one lookup of the archives, one of their vouchers, one counter update,
    one insert) so a list of thousands takes seconds.
    """
    now = clock.truncate_to_millis(now or clock.now())
    state = await _issuable(actor, policy_id, now)
    candidates, results = await _resolve(actor, keyring, rows)
    key = state.policy.policy_key
    archive_ids = [str(a.id) for _, a in candidates]
    await _expire_lapsed(archive_ids, key, now)
    held = await unused_held(archive_ids, now=now, policy_key=key)
    groups = await groups_for(keyring, [state.policy], archive_ids, now)
    eligible: list[tuple[int, Archive, list[RuleOutcome]]] = []
    for row, archive in candidates:
        birth = await birth_date_of(archive, keyring)
        answer = assess(state, archive, birth_date=birth, held=held, now=now, groups=groups)
        if answer.eligible:
            eligible.append((row, archive, answer.outcomes))
        else:
            failing = [o for o in answer.outcomes if not o.passed]
            results[row] = IssueResult.failed(row, NotEligible(failing))

    taken = await _take_up_to(state, len(eligible))
    for row, _, _ in eligible[taken:]:
        results[row] = IssueResult.failed(row, _exhausted(state))
    eligible = eligible[:taken]
    vouchers = [
        _new_voucher(
            actor=actor, state=state, archive=archive, grounds=grounds, note=note.strip(), now=now
        )
        for _, archive, grounds in eligible
    ]
    batch = uuid.uuid4().hex
    if vouchers:
        await IssueBatch(
            id=batch, voucher_ids=[str(v.id) for v in vouchers], at_ms=clock.epoch_ms(now)
        ).insert()
    refused = await _insert_unordered(vouchers)
    if refused:
        await _give_back(state, len(refused))
    events: list[VoucherEvent] = []
    for position, ((row, _, _), voucher) in enumerate(zip(eligible, vouchers, strict=True)):
        if position in refused:
            # A racing issue to the same worker won the unique holding key.
            results[row] = IssueResult.failed(
                row, NotEligible([no_unused_voucher_failed(clock.china_today(now))])
            )
        else:
            results[row] = IssueResult(row, "issued", voucher=voucher)
            events.append(VoucherEvent.of(voucher, voucher.last_event))
    if events:
        try:
            await VoucherEvent.insert_many(events, ordered=False)
        except BulkWriteError as failure:
            if any(e.get("code") != 11000 for e in failure.details.get("writeErrors", [])):
                raise
        await publish_issue(batch, [r.voucher for r in results.values() if r.voucher is not None])
    return BulkIssueView(tuple(results[row].view(viewer=actor, now=now) for row in sorted(results)))
