"""Requests and responses of the agency reports (training, vouchers, apprenticeships).

A report is asked for with query parameters, read into one model per report that converts
itself into the domain's :class:`~portfolio.reports.query.ReportQuery` (``to_domain()``), so
the JSON route and a page's form ask alike. Responses are read from the domain's
:class:`~portfolio.reports.views.ReportView` (``from_view``).

A figure hidden because it counts fewer people than the threshold is ``null``, and its name is
listed in the row's ``suppressed`` (nested figures as ``certificates_by_level.senior``); a rate
or median that has nothing to be computed from (no completions, no redemptions) is ``null``
without being listed. Money is integer fen.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from portfolio.reports.query import GroupBy, ReportQuery
from portfolio.reports.views import ReportRowView
from portfolio.vocabulary import LevelRoad, SkillBrand, SkillLevel, TrainingType

Month = Annotated[str | None, Field(max_length=7)]


class ReportParams(BaseModel):
    """What every report is asked for (query parameters; absent: the default).

    Unlike request bodies this model ignores parameters it does not know (as query strings
    always have here): a cache-busting parameter must not turn a report into a 422.
    """

    model_config = ConfigDict(extra="ignore")

    month_from: Month = Field(
        default=None,
        alias="from",
        description="first month, YYYY-MM (default: 11 before `to`)",
    )
    to: Month = Field(default=None, description="last month, YYYY-MM (default: this month)")
    region: Annotated[str | None, Field(max_length=6)] = Field(
        default=None, description="a region prefix inside your scope (default: your scope)"
    )
    group_by: GroupBy | None = Field(
        default=None,
        description="rows by: region (one level below `region`, the default), month, ...",
    )

    def _query(self, **filters: Any) -> ReportQuery:
        return ReportQuery(
            region=self.region,
            month_from=self.month_from,
            month_to=self.to,
            group_by=self.group_by,
            **filters,
        )


Occupation = Annotated[str | None, Field(max_length=16)]
_OCCUPATION = "e.g. 4-03-02-01"


class TrainingReportParams(ReportParams):
    """The training report's parameters."""

    type: TrainingType | None = None
    brand: SkillBrand | None = None
    occupation: Occupation = Field(default=None, description=_OCCUPATION)

    def to_domain(self) -> ReportQuery:
        """The request as the domain checks it."""
        return self._query(training_type=self.type, brand=self.brand, occupation=self.occupation)


class VoucherReportParams(ReportParams):
    """The voucher report's parameters."""

    type: TrainingType | None = None
    brand: SkillBrand | None = None
    policy: Annotated[str | None, Field(max_length=64)] = Field(
        default=None, description="a policy id"
    )

    def to_domain(self) -> ReportQuery:
        """The request as the domain checks it."""
        return self._query(training_type=self.type, brand=self.brand, policy=self.policy)


class ApprenticeshipReportParams(ReportParams):
    """The apprenticeship report's parameters (type and brand are refused, not ignored)."""

    type: TrainingType | None = Field(default=None, description="refused: not applicable")
    brand: SkillBrand | None = Field(default=None, description="refused: not applicable")
    occupation: Occupation = Field(default=None, description=_OCCUPATION)
    level: SkillLevel | None = Field(default=None, description="the target level")

    def to_domain(self) -> ReportQuery:
        """The request as the domain checks it."""
        return self._query(
            training_type=self.type,
            brand=self.brand,
            occupation=self.occupation,
            level=self.level,
        )


class DistinctionsReportParams(ReportParams):
    """The competitions and honours report's parameters (rows by region or year)."""

    def to_domain(self) -> ReportQuery:
        """The request as the domain checks it."""
        return self._query()


class LevelsReportParams(ReportParams):
    """The levels report's parameters: by road and level (group by ``year`` for years)."""

    road: LevelRoad | None = Field(default=None, description="the way to the level")
    level: SkillLevel | None = Field(default=None, description="the level granted")

    def to_domain(self) -> ReportQuery:
        """The request as the domain checks it."""
        return self._query(road=self.road, level=self.level)


class ReportFiltersOut(BaseModel):
    """The filters the report was computed with (absent: not filtered)."""

    type: str | None = None
    brand: str | None = None
    occupation: str | None = None
    policy: str | None = None
    level: str | None = None
    road: str | None = None


class ReportOut(BaseModel):
    """What every report states about itself."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def from_view(cls, view: object) -> Self:
        """This response read from a report view's attributes (rows nested by name)."""
        return cls.model_validate(view, from_attributes=True)

    report: str
    scope: str = Field(description="the agency's region prefix")
    region: str = Field(description="the region prefix the report covers")
    month_from: str
    month_to: str
    group_by: GroupBy
    filters: ReportFiltersOut
    suppression_threshold: int = Field(
        description='figures counting fewer people than this are hidden ("<5"); 0: none'
    )


class RowOut(BaseModel):
    """What every row states about itself."""

    model_config = ConfigDict(from_attributes=True)

    @model_validator(mode="before")
    @classmethod
    def _from_row_view(cls, data: Any) -> Any:
        # A row view names its figures flat; the body nests them (certificates_by_level).
        return data.grouped() if isinstance(data, ReportRowView) else data

    key: str = Field(description="the group: a region code prefix, a month, a slug or a code")
    label: str = Field(description="the group's name in Chinese where it has one")
    suppressed: list[str] = Field(description="figures hidden in this row (null above)")


class LevelCountsOut(BaseModel):
    """Counts per skill level; ``none``: without a level (special-ability certificates)."""

    junior: int | None
    intermediate: int | None
    senior: int | None
    technician: int | None
    senior_technician: int | None
    principal_technician: int | None
    chief_technician: int | None
    none: int | None


class TrainingRowOut(RowOut):
    """One group of the training report."""

    people_trained: int | None = Field(
        description="distinct workers with a passed completion, per region/month/type/brand/"
        "occupation cell, added over the cells of the row"
    )
    completions: int | None = Field(description="completed enrolments, passed or failed")
    passed: int | None
    completion_rate: float | None = Field(description="passed / completions")
    training_hours: float | None = Field(description="hours attended in those completions")
    certificates: int | None = Field(description="valid certificates issued in the period")
    certificates_by_level: LevelCountsOut
    certified_workers: int | None = Field(description="distinct holders of a levelled certificate")
    high_skill_workers: int | None = Field(description="those with 高级工 (senior) or above")
    high_skill_share: float | None = Field(description="high_skill_workers / certified_workers")


class TrainingReportOut(ReportOut):
    """Training by region, month, type, brand or occupation (the run's region and end month;
    a certificate's issue month)."""

    rows: list[TrainingRowOut]
    total: TrainingRowOut


class VoucherRowOut(RowOut):
    """One group of the voucher report (counts of events in the period, money in fen)."""

    issued: int | None
    issued_fen: int | None
    bound: int | None
    bound_fen: int | None
    released: int | None
    claimed: int | None
    claimed_fen: int | None
    claims_rejected: int | None
    redeemed: int | None
    redeemed_fen: int | None
    expired: int | None
    expired_fen: int | None
    cancelled: int | None
    cancelled_fen: int | None
    redeemed_of_issued: int | None = Field(
        description="of the vouchers issued in the period, how many are redeemed so far"
    )
    uptake_rate: float | None = Field(description="redeemed_of_issued / issued")
    median_days_to_redemption: float | None = Field(
        description="median days from issue to redemption of the redemptions in the period"
    )


class VoucherReportOut(ReportOut):
    """Vouchers by region, month, policy, type or brand (the worker's region, event month)."""

    rows: list[VoucherRowOut]
    total: VoucherRowOut


class StateCountsOut(BaseModel):
    """Agreements per current state."""

    draft: int | None
    approved: int | None
    confirmed: int | None
    active: int | None
    paused: int | None
    stopped: int | None
    completed: int | None


class ApprenticeshipRowOut(RowOut):
    """One group of the apprenticeship report."""

    agreements: int | None = Field(description="agreements created in the period")
    agreements_by_state: StateCountsOut = Field(description="their current states")
    completed: int | None = Field(description="agreements completed in the period")
    completed_by_level: LevelCountsOut = Field(description="by the level reached")
    completed_below_plan: int | None = Field(
        description="of them, completed at a level below the agreement's target level"
    )
    stopped: int | None = Field(description="agreements stopped in the period")
    subsidy_owed_fen: int | None = Field(
        description="subsidy owed for the agreements that ended in the period"
    )


class ApprenticeshipReportOut(ReportOut):
    """Apprenticeships by region, month, occupation or target level (the employer's region)."""

    rows: list[ApprenticeshipRowOut]
    total: ApprenticeshipRowOut


class GrantedLevelsOut(BaseModel):
    """Levels granted by competition results, per level."""

    junior: int | None
    intermediate: int | None
    senior: int | None
    technician: int | None
    senior_technician: int | None
    principal_technician: int | None
    chief_technician: int | None


class HonourTitlesOut(BaseModel):
    """Honours per title (``city``: the cities' own honours)."""

    tianfu_engineer: int | None
    tianfu_craftsman: int | None
    sichuan_master: int | None
    sichuan_expert: int | None
    city: int | None


class DistinctionsRowOut(RowOut):
    """One group of the competitions and honours report."""

    competitions: int | None = Field(description="events held in the region, by start year")
    entrants: int | None = Field(description="workers of the region entered")
    results: int | None = Field(description="published, not voided results with a place")
    levels_granted: int | None = Field(description="results that granted a level")
    levels_by_level: GrantedLevelsOut
    honours: int | None = Field(description="valid honours of the region's workers")
    honours_by_title: HonourTitlesOut


class DistinctionsReportOut(ReportOut):
    """Competitions and honours by region or year (read from the records themselves)."""

    rows: list[DistinctionsRowOut]
    total: DistinctionsRowOut


class RoadCountsOut(BaseModel):
    """New levels per road."""

    course: int | None
    assessment: int | None
    enterprise: int | None
    direct_recognition: int | None
    special_ability: int | None
    apprenticeship: int | None


class LevelsRowOut(RowOut):
    """One group of the levels report."""

    granted: int | None = Field(
        description="valid certificates of every road and apprenticeships completed"
    )
    by_road: RoadCountsOut
    high_skill: int | None = Field(description="of them, at senior worker (高级工) or above")


class LevelsReportOut(ReportOut):
    """New skill levels by region, month, year, road or level (the worker's region)."""

    rows: list[LevelsRowOut]
    total: LevelsRowOut


class PriorityReportParams(ReportParams):
    """The priority-groups report's parameters (rows by region or by ``priority_group``)."""

    def to_domain(self) -> ReportQuery:
        """The request as the domain checks it."""
        return self._query()


class PriorityGroupCountsOut(BaseModel):
    """Memberships per priority group (village craftsmen among them)."""

    migrant_worker: int | None
    college_graduate: int | None
    veteran: int | None
    unemployed: int | None
    lifted_from_poverty: int | None
    disabled: int | None
    assisted_county_rural: int | None
    village_craftsman: int | None


class PriorityRowOut(RowOut):
    """One group of the priority-groups report."""

    members: int | None = Field(description="memberships current in the period (人次)")
    members_by_group: PriorityGroupCountsOut
    enrolled: int | None = Field(description="enrolments requested while a member")
    completed: int | None = Field(description="of them, completed")
    vouchers: int | None = Field(description="vouchers issued while a member")
    redeemed: int | None = Field(description="of them, redeemed")


class PriorityReportOut(ReportOut):
    """Priority groups' members, training and vouchers by region or group (read from the
    records themselves; sensitive groups counted, never listed)."""

    rows: list[PriorityRowOut]
    total: PriorityRowOut
