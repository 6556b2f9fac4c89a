"""What callers of the priority-groups area see (the worker's number masked; a sensitive
group only once opened for a reader allowed to see it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portfolio.priority.documents import MembershipStatus, PriorityMembership
from portfolio.vocabulary import LABELS, PriorityGroup


@dataclass(frozen=True)
class MembershipView:
    """One membership as an officer or the worker sees it."""

    id: str
    archive_id: str
    worker_name: str
    worker_masked_id: str
    worker_region_code: str
    group: PriorityGroup
    group_label: str
    sensitive: bool
    source: str
    since: date
    until: date | None
    status: MembershipStatus
    end_reason: str
    region_code: str
    version: int

    @classmethod
    def of(cls, found: PriorityMembership, group: PriorityGroup, source: str) -> MembershipView:
        """The view of a stored membership whose group and source are known (opened)."""
        return cls(
            id=str(found.id),
            archive_id=found.archive_id,
            worker_name=found.worker_name,
            worker_masked_id=found.worker_masked_id,
            worker_region_code=found.worker_region_code,
            group=group,
            group_label=LABELS[group],
            sensitive=found.sensitive,
            source=source,
            since=found.since,
            until=found.until,
            status=found.status,
            end_reason=found.end_reason,
            region_code=found.region_code,
            version=found.version,
        )


@dataclass(frozen=True)
class WorkerGroups:
    """A worker's memberships as one reader sees them: ``sensitive_shown`` False means the
    sensitive ones were not asked for (nor is it said whether there are any)."""

    archive_id: str
    memberships: tuple[MembershipView, ...]
    sensitive_shown: bool
