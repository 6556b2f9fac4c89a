"""The plan periods, the platforms' names and the dashboard's formulas in words.

The periods are the province's five-year plans: data the dashboard is read against, fixed by
the plan itself (the 14th, 2021–2025, and the 15th, 2026–2030). Targets are entered for a
period by the province agency (a two-digit region prefix).
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.planning.documents import PlatformKind, PlatformTier


@dataclass(frozen=True)
class Period:
    """A five-year plan period: its code, name and years (both inclusive)."""

    code: str
    name: str
    first_year: int
    last_year: int

    @property
    def years(self) -> range:
        """The period's years."""
        return range(self.first_year, self.last_year + 1)


PERIODS = {
    "14": Period("14", "“十四五”", 2021, 2025),
    "15": Period("15", "“十五五”", 2026, 2030),
}


def period_of_year(year: int) -> Period:
    """The period ``year`` falls in: before the first, the first; after the last, the last (its
    figures stay readable until the next plan is entered)."""
    ordered = sorted(PERIODS.values(), key=lambda period: period.first_year)
    for period in ordered:
        if year <= period.last_year:
            return period
    return ordered[-1]


# The plan's own figure (三): 2.8 million new skilled workers in the 14th period.
PLAN_NEW_SKILLED = 2_800_000
PLAN_SHARE_PERMILLE = 300

KIND_LABELS = {
    PlatformKind.HIGH_SKILL_BASE: "高技能人才培训基地",
    PlatformKind.MASTER_STUDIO: "技能大师工作室",
    PlatformKind.PUBLIC_BASE: "公共实训基地",
    PlatformKind.COMPETITION_BASE: "竞赛集训基地",
}
TIER_LABELS = {
    PlatformTier.NATIONAL: "国家级",
    PlatformTier.PROVINCIAL: "省级",
    PlatformTier.PARK: "园区级",
}
# The target field counting each kind of platform.
KIND_TARGETS = {
    PlatformKind.HIGH_SKILL_BASE: "high_skill_bases",
    PlatformKind.MASTER_STUDIO: "master_studios",
    PlatformKind.PUBLIC_BASE: "public_bases",
    PlatformKind.COMPETITION_BASE: "competition_bases",
}

# Each figure's formula, in words (English; the pages translate them).
FORMULAS = {
    "new_skilled_workers": (
        "people whose first valid skill-level or special-ability certificate (any road: "
        "course, assessment body, enterprise, direct recognition, special ability; voided "
        "ones left out) was issued in the period (or the year), counted in the region the "
        "holder had on that certificate"
    ),
    "skilled_share": (
        "people holding a valid skill-level certificate issued by the end of the year, in the "
        "region of their latest one, divided by the employed count entered for the region "
        "and year"
    ),
    "high_skill_share": (
        "of those skilled people, the ones whose highest valid level is senior worker "
        "(高级工) or above, divided by the skilled people"
    ),
    "platforms": (
        "platforms of the kind in the region approved in the period (or by the end of the "
        "year), closed ones included and shown apart"
    ),
    "honours": "valid honours of the region's workers whose year falls in the period",
    "training": (
        "enrolments that became training in runs linked to the region's platforms (a linked "
        "course brings all its runs) starting in the period, and of them the completed and "
        "the passed"
    ),
}


def is_province(region_prefix: str | None) -> bool:
    """Targets are the province agency's: a two-digit prefix."""
    return region_prefix is not None and len(region_prefix) == 2
