"""Eligibility: every rule of a policy version applied to a worker, each with its reason.

An agency asks about a worker of its region; a worker asks about themself, and sees the
running policies covering their region with their answer for each. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from beanie import PydanticObjectId

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import (
    Archive,
    archive_by_id,
    archive_for_agency,
    birth_date_of,
    log_reads,
    require_worker,
)
from portfolio.errors import NotFound
from portfolio.keyring import Keyring
from portfolio.lookups import find_each
from portfolio.priority import current_groups
from portfolio.vocabulary import PriorityGroup
from portfolio.vouchers.documents import PolicyHead, RuleOutcome, Voucher, VoucherPolicy
from portfolio.vouchers.policies import NOT_FOUND, current_states, policy_state, state_of
from portfolio.vouchers.rules import UNUSED, PolicyState, evaluate, facts_of
from portfolio.vouchers.views import EligibilityView, PolicyView, ViewPage, outcomes_view


@dataclass(frozen=True)
class Eligibility:
    """The answer for one worker and one policy version: every rule with its reason (what
    issuing decides on and keeps as the voucher's grounds)."""

    state: PolicyState
    archive_id: str
    outcomes: list[RuleOutcome]
    checked_at: datetime

    @property
    def eligible(self) -> bool:
        """True when every rule passed."""
        return all(o.passed for o in self.outcomes)

    def view(self) -> EligibilityView:
        """The answer as shown (to the worker asking, or an agency)."""
        return EligibilityView(
            policy=PolicyView.of(self.state),
            worker_id=self.archive_id,
            rules=outcomes_view(self.outcomes),
            checked_at=self.checked_at,
        )


async def unused_held(
    archive_ids: Sequence[str], *, now: datetime, policy_key: str | None = None
) -> dict[tuple[str, str], date]:
    """(archive, policy_key) -> issue day of an unused, unexpired voucher the worker holds."""
    query: dict[str, object] = {
        "status": {"$in": [s.value for s in UNUSED]},
        "valid_until_ms": {"$gt": clock.epoch_ms(now)},
    }
    if policy_key is not None:
        query["policy_key"] = policy_key
    held: dict[tuple[str, str], date] = {}
    for voucher in await find_each(Voucher, "archive_id", archive_ids, query):
        day = clock.china_today(voucher.valid_from)
        key = (voucher.archive_id, voucher.policy_key)
        held[key] = min(day, held.get(key, day))
    return held


def assess(
    state: PolicyState,
    archive: Archive,
    *,
    birth_date: date,
    held: dict[tuple[str, str], date],
    now: datetime,
    groups: Mapping[str, frozenset[PriorityGroup]] | None = None,
) -> Eligibility:
    """Every rule of the policy applied to the worker, with its reason (``birth_date``: the
    archive's, opened with ``birth_date_of``)."""
    today = clock.china_today(now)
    facts = facts_of(
        archive,
        birth_date=birth_date,
        today=today,
        unused_voucher_issued_on=held.get((str(archive.id), state.policy.policy_key)),
        priority_groups=(groups or {}).get(str(archive.id), frozenset()),
    )
    return Eligibility(
        state=state,
        archive_id=str(archive.id),
        outcomes=evaluate(state.policy.rules, facts, today=today),
        checked_at=now,
    )


async def groups_for(
    keyring: Keyring, policies: Sequence[VoucherPolicy], archive_ids: Sequence[str], now: datetime
) -> dict[str, frozenset[PriorityGroup]]:
    """The workers' priority groups today, read only when a policy has the rule."""
    if not any(p.rules.priority_groups for p in policies):
        return {}
    return await current_groups(keyring, archive_ids, clock.china_today(now))


async def eligibility(
    *, actor: Actor, keyring: Keyring, policy_id: str, worker_id: str, now: datetime | None = None
) -> EligibilityView:
    """An agency asks whether a worker of its region is eligible, and why (every rule)."""
    now = clock.truncate_to_millis(now or clock.now())
    state = await policy_state(actor=actor, policy_id=policy_id)
    archive = await archive_for_agency(actor, worker_id)
    held = await unused_held([str(archive.id)], now=now, policy_key=state.policy.policy_key)
    birth = await birth_date_of(archive, keyring)
    await log_reads(actor, [str(archive.id)], what="voucher eligibility")
    groups = await groups_for(keyring, [state.policy], [str(archive.id)], now)
    return assess(state, archive, birth_date=birth, held=held, now=now, groups=groups).view()


async def _own_archive(actor: Actor) -> Archive:
    archive = await archive_by_id(require_worker(actor))
    if archive is None:
        raise NotFound("no such worker")
    return archive


def _covers(region_prefix: str, region_code: str) -> bool:
    return region_code.startswith(region_prefix)


async def my_eligibility(
    *, actor: Actor, keyring: Keyring, policy_id: str, now: datetime | None = None
) -> EligibilityView:
    """A worker asks about themself, for a policy covering their region."""
    now = clock.truncate_to_millis(now or clock.now())
    archive = await _own_archive(actor)
    policy = await VoucherPolicy.get(ids.parse(policy_id, "voucher policy"))
    if policy is None or not _covers(policy.region_prefix, archive.region_code):
        raise NotFound(NOT_FOUND)
    state = await state_of(policy)
    held = await unused_held([str(archive.id)], now=now, policy_key=policy.policy_key)
    birth = await birth_date_of(archive, keyring)
    groups = await groups_for(keyring, [policy], [str(archive.id)], now)
    return assess(state, archive, birth_date=birth, held=held, now=now, groups=groups).view()


async def my_policies(
    *,
    actor: Actor,
    keyring: Keyring,
    eligible_only: bool,
    after: PydanticObjectId | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> ViewPage[EligibilityView]:
    """The published policies covering the worker's region that are still running, oldest
    first, each with the worker's eligibility (only the eligible ones with ``eligible_only``).

    Keyset pages on the policy's id. Ended (and, with ``eligible_only``, ineligible) policies
    are left out after reading, so heads are read in batches until the page is full; the
    cursor is the last head *read*, so a page never skips or repeats a policy.
    """
    now = clock.truncate_to_millis(now or clock.now())
    archive = await _own_archive(actor)
    code = archive.region_code
    today = clock.china_today(now)
    held = await unused_held([str(archive.id)], now=now)
    birth = await birth_date_of(archive, keyring)
    answers: list[EligibilityView] = []
    while True:
        query: dict[str, object] = {"region_prefix": {"$in": [code[:2], code[:4], code]}}
        if after is not None:
            query["_id"] = {"$gt": after}
        heads = await PolicyHead.find(query).sort("+_id").limit(limit).to_list()
        states = await current_states(heads)
        groups = await groups_for(keyring, [s.policy for s in states], [str(archive.id)], now)
        for state in states:
            if state.ended(today):
                continue
            answer = assess(state, archive, birth_date=birth, held=held, now=now, groups=groups)
            if answer.eligible or not eligible_only:
                answers.append(answer.view())
                if len(answers) == limit:
                    return ViewPage(tuple(answers), str(state.head.id))
        if len(heads) < limit:
            return ViewPage(tuple(answers), None)
        after = heads[-1].id
