"""Reading memberships: the worker's own, an agency's (the sensitive ones only for an officer
with a purpose, logged), the groups the voucher rules look at, and the members the report
counts.

Who sees a sensitive group (disability, poverty): the worker; an agency officer of the
worker's region who states a purpose (the read, with it, goes to the worker's access log);
the voucher rules and the aggregate report (counts, small cells suppressed). Nobody else: an
agency's reviewers and auditors see the other groups only, providers and admins none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date

from portfolio.accounts import Actor, region_range
from portfolio.archives import archive_for_agency, log_reads, require_worker
from portfolio.identity import FieldProtection
from portfolio.keyring import Keyring
from portfolio.lookups import find_each
from portfolio.priority import sealing
from portfolio.priority.documents import MembershipStatus, PriorityMembership
from portfolio.priority.service import require_officer
from portfolio.priority.views import MembershipView, WorkerGroups
from portfolio.vocabulary import PriorityGroup

READ = "重点群体"
READ_SENSITIVE = "重点群体（含残疾、脱贫等敏感信息）"


async def _views(
    protection: FieldProtection, found: Sequence[PriorityMembership]
) -> tuple[MembershipView, ...]:
    views = []
    for membership in found:
        group, source = await sealing.opened(protection, membership)
        views.append(MembershipView.of(membership, group, source))
    return tuple(views)


async def _of_archive(archive_id: str, *, sensitive: bool) -> list[PriorityMembership]:
    query: dict[str, object] = {"archive_id": archive_id}
    if not sensitive:
        query["sensitive"] = False
    return await PriorityMembership.find(query).sort("-since", "-_id").to_list()


async def for_agency(
    *, actor: Actor, keyring: Keyring, archive_id: str, purpose: str | None = None
) -> WorkerGroups:
    """A worker's memberships for an agency of their region: without ``purpose`` the
    non-sensitive ones; with one (an officer only) all, the read logged with the purpose."""
    archive = await archive_for_agency(actor, archive_id)
    if purpose is not None:
        require_officer(actor)
    found = await _of_archive(str(archive.id), sensitive=purpose is not None)
    if purpose is None:
        await log_reads(actor, [str(archive.id)], what=READ)
    else:
        await log_reads(actor, [str(archive.id)], what=READ_SENSITIVE, purpose=purpose)
    views = await _views(FieldProtection(keyring), found)
    return WorkerGroups(str(archive.id), views, purpose is not None)


async def mine(*, actor: Actor, keyring: Keyring) -> WorkerGroups:
    """The worker's own memberships, sensitive ones included."""
    archive_id = str(require_worker(actor))
    found = await _of_archive(archive_id, sensitive=True)
    return WorkerGroups(archive_id, await _views(FieldProtection(keyring), found), True)


def _current(found: PriorityMembership, today: date) -> bool:
    return found.since <= today and (found.until is None or found.until >= today)


async def current_groups(
    keyring: Keyring, archive_ids: Sequence[str], today: date
) -> dict[str, frozenset[PriorityGroup]]:
    """The groups each worker belongs to on ``today`` (for the voucher rules; opened, not
    shown: the rule's reason never names a group)."""
    protection = FieldProtection(keyring)
    groups: dict[str, set[PriorityGroup]] = {a: set() for a in archive_ids}
    found = await find_each(
        PriorityMembership, "archive_id", archive_ids, {"status": MembershipStatus.ACTIVE.value}
    )
    for membership in found:
        if _current(membership, today):
            group, _ = await sealing.opened(protection, membership)
            groups[membership.archive_id].add(group)
    return {a: frozenset(g) for a, g in groups.items()}


@dataclass(frozen=True)
class MemberFacts:
    """One membership as the report counts it: who, where, which group, when."""

    archive_id: str
    region_code: str
    group: PriorityGroup
    since: date
    until: date | None


async def members_to_count(keyring: Keyring, region_prefix: str) -> AsyncIterator[MemberFacts]:
    """Every membership (open or ended) of the region's workers, sensitive ones opened
    (one AES-GCM open each): the report counts them and shows no one."""
    protection = FieldProtection(keyring)
    query = {"worker_region_code": region_range(region_prefix)}
    async for found in PriorityMembership.find(query):
        group, _ = await sealing.opened(protection, found)
        yield MemberFacts(
            found.archive_id, found.worker_region_code, group, found.since, found.until
        )
