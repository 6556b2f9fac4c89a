"""What callers of the planning area see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portfolio.planning.documents import (
    EmployedCount,
    LinkKind,
    PlanTargets,
    Platform,
    PlatformKind,
    PlatformLink,
    PlatformStatus,
    PlatformTier,
)
from portfolio.planning.rules import KIND_LABELS, TIER_LABELS


@dataclass(frozen=True)
class TargetsView:
    """The province's targets for a period (0: none entered)."""

    period: str
    region_code: str
    new_skilled_workers: int
    skilled_share_permille: int
    high_skill_share_permille: int
    high_skill_bases: int
    master_studios: int
    public_bases: int
    competition_bases: int
    honours: int
    version: int

    @classmethod
    def of(cls, found: PlanTargets) -> TargetsView:
        """The view of stored targets."""
        return cls(
            period=found.period,
            region_code=found.region_code,
            new_skilled_workers=found.new_skilled_workers,
            skilled_share_permille=found.skilled_share_permille,
            high_skill_share_permille=found.high_skill_share_permille,
            high_skill_bases=found.high_skill_bases,
            master_studios=found.master_studios,
            public_bases=found.public_bases,
            competition_bases=found.competition_bases,
            honours=found.honours,
            version=found.version,
        )


@dataclass(frozen=True)
class EmployedView:
    """An employed count as entered."""

    region_code: str
    year: int
    employed: int
    source: str
    version: int

    @classmethod
    def of(cls, found: EmployedCount) -> EmployedView:
        """The view of a stored count."""
        return cls(found.region_code, found.year, found.employed, found.source, found.version)


@dataclass(frozen=True)
class LinkView:
    """A run or course linked to a platform."""

    id: str
    kind: LinkKind
    target_id: str
    organisation_id: str
    title: str

    @classmethod
    def of(cls, found: PlatformLink) -> LinkView:
        """The view of a stored link."""
        return cls(str(found.id), found.kind, found.target_id, found.organisation_id, found.title)


@dataclass(frozen=True)
class PlatformView:
    """A platform as an agency sees it, with the training delivered through it."""

    id: str
    kind: PlatformKind
    kind_text: str
    tier: PlatformTier
    tier_text: str
    name: str
    host: str
    leader: str
    approved_on: date
    valid_until: date | None
    region_code: str
    status: PlatformStatus
    closed_on: date | None
    close_reason: str
    version: int
    links: list[LinkView]
    enrolled: int
    completed: int
    passed: int

    @classmethod
    def of(
        cls,
        found: Platform,
        links: list[LinkView] | None = None,
        counts: tuple[int, int, int] = (0, 0, 0),
    ) -> PlatformView:
        """The view of a stored platform, its links and its counts."""
        return cls(
            id=str(found.id),
            kind=found.kind,
            kind_text=KIND_LABELS[found.kind],
            tier=found.tier,
            tier_text=TIER_LABELS[found.tier],
            name=found.name,
            host=found.host,
            leader=found.leader,
            approved_on=found.approved_on,
            valid_until=found.valid_until,
            region_code=found.region_code,
            status=found.status,
            closed_on=found.closed_on,
            close_reason=found.close_reason,
            version=found.version,
            links=links or [],
            enrolled=counts[0],
            completed=counts[1],
            passed=counts[2],
        )
