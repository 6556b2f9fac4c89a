"""The planning area's stored documents (storage only): the province's targets for a plan
period, the employed counts an agency enters, training platforms and their links to training."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel


class PlatformKind(StrEnum):
    """The plan's skill-talent platforms (四.(三))."""

    HIGH_SKILL_BASE = "high_skill_base"  # 高技能人才培训基地
    MASTER_STUDIO = "master_studio"  # 技能大师工作室
    PUBLIC_BASE = "public_base"  # 公共实训基地
    COMPETITION_BASE = "competition_base"  # 竞赛集训基地


class PlatformTier(StrEnum):
    """Who named the platform: the nation, the province or an industrial park."""

    NATIONAL = "national"
    PROVINCIAL = "provincial"
    PARK = "park"


class PlatformStatus(StrEnum):
    """Open, or closed (with the day and a reason)."""

    OPEN = "open"
    CLOSED = "closed"


class LinkKind(StrEnum):
    """What a platform link names: one run (class) or a course (all its runs)."""

    RUN = "run"
    COURSE = "course"


class PlanTargets(Document):
    """The targets the province agency entered for one plan period (one document a period and
    province: ``key`` = period|province prefix). Shares are in tenths of a percent (300 =
    30.0%); counts are whole numbers; 0 means no target entered."""

    key: str
    period: str
    region_code: str  # the province's two-digit prefix
    new_skilled_workers: int = 0
    skilled_share_permille: int = 0
    high_skill_share_permille: int = 0
    high_skill_bases: int = 0
    master_studios: int = 0
    public_bases: int = 0
    competition_bases: int = 0
    honours: int = 0
    version: int = 0
    changed_at: datetime
    changed_at_ms: int = 0
    changed_by: str

    class Settings:
        name = "plan_targets"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class EmployedCount(Document):
    """The employed people of a region in a year, as the statistics give them (entered by an
    agency covering the region; ``key`` = region|year)."""

    key: str
    region_code: str  # a prefix: 2, 4 or 6 digits
    year: int
    employed: int
    source: str
    version: int = 0
    changed_at: datetime
    changed_at_ms: int = 0
    changed_by: str

    class Settings:
        name = "employed_counts"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class Platform(Document):
    """A training platform: its kind and tier, the host organisation, its leader (a master
    studio is named after one), the years it was approved for, and its region."""

    kind: PlatformKind
    tier: PlatformTier
    name: str
    host: str
    leader: str
    approved_on: date
    valid_until: date | None = None
    region_code: str
    status: PlatformStatus = PlatformStatus.OPEN
    closed_on: date | None = None
    close_reason: str = ""
    version: int = 0
    recorded_at: datetime
    recorded_by: str
    changed_at_ms: int = 0
    changed_by: str

    class Settings:
        name = "platforms"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("region_code", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]


class PlatformLink(Document):
    """Training delivered through a platform: a provider's run or course, linked by an agency
    (``key`` = platform|kind|target: linked once). The training area is not changed."""

    key: str
    platform_id: str
    platform_region_code: str
    kind: LinkKind
    target_id: str
    organisation_id: str
    title: str
    version: int = 0
    recorded_at: datetime
    recorded_by: str
    changed_at_ms: int = 0

    class Settings:
        name = "platform_links"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("platform_id", ASCENDING)]),
            IndexModel([("platform_region_code", ASCENDING)]),
            IndexModel([("changed_at_ms", ASCENDING)]),
        ]
