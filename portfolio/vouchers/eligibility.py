"""Eligibility: every rule of a policy version applied to a worker, each with its reason.

An agency asks about a worker of its region; a worker asks about themself, and sees the
running policies covering their region with their answer for each. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from beanie import PydanticObjectId

from portfolio.accounts.principal import Actor
from portfolio.archives.documents import Archive
from portfolio.archives.scope import archive_for_agency, require_worker
from portfolio.errors import NotFound
from portfolio.identity.identifiers import china_today
from portfolio.ids import parse as object_id
from portfolio.lookups import find_each
from portfolio.vouchers.documents import PolicyHead, RuleOutcome, Voucher, VoucherPolicy
from portfolio.vouchers.policies import (
    NOT_FOUND,
    PolicyState,
    current_states,
    get_policy,
    state_of,
)
from portfolio.vouchers.rules import UNUSED, epoch_ms, evaluate, facts_of, truncate_to_millis


@dataclass(frozen=True)
class Eligibility:
    """The answer for one worker and one policy version: every rule with its reason."""

    state: PolicyState
    archive_id: str
    outcomes: list[RuleOutcome]
    checked_at: datetime

    @property
    def eligible(self) -> bool:
        """True when every rule passed."""
        return all(o.passed for o in self.outcomes)


def _now(now: datetime | None = None) -> datetime:
    """``now`` (or the current time) at the precision BSON keeps."""
    return truncate_to_millis(now or datetime.now(UTC))


async def unused_held(
    archive_ids: Sequence[str], *, now: datetime, policy_key: str | None = None
) -> dict[tuple[str, str], date]:
    """(archive, policy_key) -> issue day of an unused, unexpired voucher the worker holds."""
    query: dict[str, object] = {
        "status": {"$in": [s.value for s in UNUSED]},
        "valid_until_ms": {"$gt": epoch_ms(now)},
    }
    if policy_key is not None:
        query["policy_key"] = policy_key
    held: dict[tuple[str, str], date] = {}
    for voucher in await find_each(Voucher, "archive_id", archive_ids, query):
        day = china_today(voucher.valid_from)
        key = (voucher.archive_id, voucher.policy_key)
        held[key] = min(day, held.get(key, day))
    return held


def assess(
    state: PolicyState, archive: Archive, *, held: dict[tuple[str, str], date], now: datetime
) -> Eligibility:
    """Every rule of the policy applied to the worker, with its reason."""
    today = china_today(now)
    facts = facts_of(
        archive,
        today=today,
        unused_voucher_issued_on=held.get((str(archive.id), state.policy.policy_key)),
    )
    return Eligibility(
        state=state,
        archive_id=str(archive.id),
        outcomes=evaluate(state.policy.rules, facts, today=today),
        checked_at=now,
    )


async def eligibility(
    *, actor: Actor, policy_id: str, worker_id: str, now: datetime | None = None
) -> Eligibility:
    """An agency asks whether a worker of its region is eligible, and why (every rule)."""
    now = _now(now)
    state = await get_policy(actor=actor, policy_id=policy_id)
    archive = await archive_for_agency(actor, worker_id)
    held = await unused_held([str(archive.id)], now=now, policy_key=state.policy.policy_key)
    return assess(state, archive, held=held, now=now)


async def _own_archive(actor: Actor) -> Archive:
    archive = await Archive.get(require_worker(actor))
    if archive is None:
        raise NotFound("no such worker")
    return archive


def _covers(region_prefix: str, region_code: str) -> bool:
    return region_code.startswith(region_prefix)


async def my_eligibility(
    *, actor: Actor, policy_id: str, now: datetime | None = None
) -> Eligibility:
    """A worker asks about themself, for a policy covering their region."""
    now = _now(now)
    archive = await _own_archive(actor)
    policy = await VoucherPolicy.get(object_id(policy_id, "voucher policy"))
    if policy is None or not _covers(policy.region_prefix, archive.region_code):
        raise NotFound(NOT_FOUND)
    state = await state_of(policy)
    held = await unused_held([str(archive.id)], now=now, policy_key=policy.policy_key)
    return assess(state, archive, held=held, now=now)


@dataclass(frozen=True)
class MyPolicies:
    """One page of the worker's policies, and where the next page starts (None: the last)."""

    answers: list[Eligibility]
    after: PydanticObjectId | None


async def my_policies(
    *,
    actor: Actor,
    eligible_only: bool,
    after: PydanticObjectId | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> MyPolicies:
    """The published policies covering the worker's region that are still running, oldest
    first, each with the worker's eligibility (only the eligible ones with ``eligible_only``).

    Keyset pages on the policy's id. Ended (and, with ``eligible_only``, ineligible) policies
    are left out after reading, so heads are read in batches until the page is full; the
    cursor is the last head *read*, so a page never skips or repeats a policy.
    """
    now = _now(now)
    archive = await _own_archive(actor)
    code = archive.region_code
    today = china_today(now)
    held = await unused_held([str(archive.id)], now=now)
    answers: list[Eligibility] = []
    while True:
        query: dict[str, object] = {"region_prefix": {"$in": [code[:2], code[:4], code]}}
        if after is not None:
            query["_id"] = {"$gt": after}
        heads = await PolicyHead.find(query).sort("+_id").limit(limit).to_list()
        for state in await current_states(heads):
            if state.ended(today):
                continue
            answer = assess(state, archive, held=held, now=now)
            if answer.eligible or not eligible_only:
                answers.append(answer)
                if len(answers) == limit:
                    return MyPolicies(answers, state.head.id)
        if len(heads) < limit:
            return MyPolicies(answers, None)
        after = heads[-1].id
