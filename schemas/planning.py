"""Requests and responses of the plan's targets, employed counts, platforms and dashboard."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from portfolio.planning.documents import LinkKind, PlatformKind, PlatformStatus, PlatformTier
from portfolio.planning.platforms import PlatformContent
from portfolio.planning.targets import TargetValues
from schemas.common import Input, Output

Count = Annotated[int, Field(ge=0, le=100_000_000)]
Permille = Annotated[int, Field(ge=0, le=1000, description="tenths of a percent: 300 = 30.0%")]
Text = Annotated[str, Field(min_length=1, max_length=120)]


class TargetsIn(Input):
    """The province's targets for a period (0: no target)."""

    new_skilled_workers: Count = 0
    skilled_share_permille: Permille = 0
    high_skill_share_permille: Permille = 0
    high_skill_bases: Count = 0
    master_studios: Count = 0
    public_bases: Count = 0
    competition_bases: Count = 0
    honours: Count = 0

    def to_domain(self) -> TargetValues:
        """The values as the domain checks them."""
        return TargetValues(**self.model_dump())


class TargetsOut(Output):
    """The province's targets for a period."""

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


class EmployedIn(Input):
    """The employed people of a region (2, 4 or 6 digits) in a year, and the source."""

    region_code: Annotated[str, Field(pattern=r"^\d{2}(\d{2}){0,2}$")]
    year: Annotated[int, Field(ge=2000, le=2100)]
    employed: Annotated[int, Field(ge=1, le=100_000_000)]
    source: Annotated[str, Field(min_length=1, max_length=200)]


class EmployedOut(Output):
    """An employed count as entered."""

    region_code: str
    year: int
    employed: int
    source: str
    version: int


class PlatformIn(Input):
    """A platform: kind, tier, name, host organisation, leader (a master studio's master),
    approval day, the day it is approved until (optional) and its region (6 digits)."""

    kind: PlatformKind
    tier: PlatformTier
    name: Text
    host: Text
    leader: Annotated[str, Field(max_length=120)] = ""
    approved_on: date
    valid_until: date | None = None
    region_code: Annotated[str, Field(pattern=r"^\d{6}$")]

    def content(self) -> PlatformContent:
        """The platform as the domain checks it."""
        return PlatformContent(
            kind=self.kind,
            tier=self.tier,
            name=self.name,
            host=self.host,
            leader=self.leader,
            approved_on=self.approved_on,
            valid_until=self.valid_until,
            region_code=self.region_code,
        )


class PlatformCorrectionIn(PlatformIn):
    """A platform restated, and why."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class PlatformCloseIn(Input):
    """The day the platform closed, and why."""

    closed_on: date
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class LinkIn(Input):
    """A provider's run or course (of the agency's region) delivered through the platform."""

    kind: LinkKind
    target_id: Annotated[str, Field(min_length=1, max_length=40)]


class LinkOut(Output):
    """A run or course linked to a platform."""

    id: str
    kind: LinkKind
    target_id: str
    organisation_id: str
    title: str


class PlatformOut(Output):
    """A platform, its links and the training through them (enrolments that became
    training, completions, passes)."""

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
    links: list[LinkOut]
    enrolled: int
    completed: int
    passed: int


class FigureOut(Output):
    """A measured figure: shares in tenths of a percent, with their numerator and
    denominator; the province's target (null: none entered); the formula in words."""

    key: str
    measured: int
    target: int | None
    formula: str
    numerator: int | None
    denominator: int | None
    closed: int = Field(description="platforms: of them, those closed since")


class YearCountOut(Output):
    """A year and a count."""

    year: int
    count: int


class DashboardOut(Output):
    """The plan's figures for a period, region and year, measured from the records."""

    period: str
    period_name: str
    first_year: int
    last_year: int
    region: str
    year: int
    targets: TargetsOut | None
    employed: int | None
    employed_source: str
    figures: list[FigureOut]
    new_skilled_by_year: list[YearCountOut]
    enrolled: int
    completed: int
    passed: int
