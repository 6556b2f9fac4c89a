"""The targets dashboard: the plan's figures measured from the records, for a period, a
region and a year, each with its formula (``rules.FORMULAS``) and the province's target.

Everything is counted at read time from the stored records, through the other areas' faces:
the certificates of the region's holders (``portfolio.training.level_holdings``: every valid
level or special-ability certificate of each holder, so "first" is the worker's first
anywhere), the honours (``portfolio.honours.honours_to_count``), and this area's platforms,
links and employed counts. People are counted once each, by their archive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.errors import Forbidden, ValidationFailed
from portfolio.honours import honours_to_count
from portfolio.planning.documents import LinkKind, PlatformKind, PlatformStatus
from portfolio.planning.platforms import links_in, platforms_in
from portfolio.planning.rules import FORMULAS, KIND_TARGETS, Period
from portfolio.planning.targets import employed_of, period_of, targets_for
from portfolio.planning.views import TargetsView
from portfolio.training import LevelHolding, level_holdings, training_of
from portfolio.vocabulary import SkillLevel


@dataclass(frozen=True)
class Figure:
    """One measured figure: its value (a share in tenths of a percent), the parts it is
    computed from, the province's target (None: none entered) and its formula in words."""

    key: str
    measured: int
    target: int | None
    formula: str
    numerator: int | None = None
    denominator: int | None = None
    closed: int = 0


@dataclass(frozen=True)
class YearCount:
    """A year and a count."""

    year: int
    count: int


@dataclass(frozen=True)
class DashboardView:
    """The dashboard of a period, region and year."""

    period: str
    period_name: str
    first_year: int
    last_year: int
    region: str
    year: int
    targets: TargetsView | None
    employed: int | None
    employed_source: str
    figures: list[Figure]
    new_skilled_by_year: list[YearCount]
    enrolled: int
    completed: int
    passed: int


def _year(chosen: Period, year: int | None) -> int:
    if year is None:
        this_year = clock.china_today().year
        return min(max(this_year, chosen.first_year), chosen.last_year)
    if year not in chosen.years:
        raise ValidationFailed.single(
            "year", "range", f"from {chosen.first_year} to {chosen.last_year}"
        )
    return year


def _region(actor: Actor, region: str | None) -> str:
    if actor.role is not Role.AGENCY or actor.region_prefix is None:
        raise Forbidden("the dashboard is an agency's")
    chosen = region or actor.region_prefix
    if not (chosen.isdigit() and len(chosen) in (2, 4, 6)) or not actor.covers_region(chosen):
        raise ValidationFailed.single("region", "outside", "2, 4 or 6 digits your agency covers")
    return chosen


def _order(held: LevelHolding) -> tuple[date, str]:
    return held.issue_date, held.region_code


def first_certificates(holdings: list[LevelHolding]) -> dict[str, LevelHolding]:
    """Each worker's first certificate (earliest issue; on a tie, the lowest region code)."""
    first: dict[str, LevelHolding] = {}
    for held in holdings:
        seen = first.get(held.archive_id)
        if seen is None or (held.issue_date, held.region_code) < (
            seen.issue_date,
            seen.region_code,
        ):
            first[held.archive_id] = held
    return first


def skilled_at(holdings: list[LevelHolding], region: str, year: int) -> tuple[int, int]:
    """People holding a valid level by the end of ``year`` whose latest level certificate
    states a region under ``region``, and of them those whose highest level is 高级工 or up."""
    end = date(year, 12, 31)
    latest: dict[str, LevelHolding] = {}
    highest: dict[str, int] = {}
    for held in holdings:
        if held.level is None or held.issue_date > end:
            continue
        seen = latest.get(held.archive_id)
        if seen is None or (held.issue_date, held.region_code) > (
            seen.issue_date,
            seen.region_code,
        ):
            latest[held.archive_id] = held
        highest[held.archive_id] = max(highest.get(held.archive_id, 0), held.level.rank)
    skilled = [a for a, held in latest.items() if held.region_code.startswith(region)]
    high = sum(1 for a in skilled if highest[a] >= SkillLevel.SENIOR.rank)
    return len(skilled), high


def _permille(part: int, whole: int | None) -> int:
    return round(part * 1000 / whole) if whole else 0


def _target(targets: TargetsView | None, name: str) -> int | None:
    value = getattr(targets, name) if targets is not None else 0
    return int(value) or None


async def dashboard(
    *, actor: Actor, period: str, region: str | None = None, year: int | None = None
) -> DashboardView:
    """The plan's figures for the period, region and year (see the module docstring)."""
    chosen = period_of(period)
    where = _region(actor, region)
    when = _year(chosen, year)
    stored = await targets_for(chosen.code, where[:2])
    targets = TargetsView.of(stored) if stored is not None else None
    holdings = await level_holdings(where)
    firsts = [h for h in first_certificates(holdings).values() if h.region_code.startswith(where)]
    by_year = Counter(h.issue_date.year for h in firsts if h.issue_date.year in chosen.years)
    skilled, high = skilled_at(holdings, where, when)
    employed = await employed_of(where, when)
    employed_count = employed.employed if employed is not None else None
    figures = [
        Figure(
            "new_skilled_workers",
            sum(by_year.values()),
            _target(targets, "new_skilled_workers"),
            FORMULAS["new_skilled_workers"],
        ),
        Figure(
            "skilled_share",
            _permille(skilled, employed_count),
            _target(targets, "skilled_share_permille"),
            FORMULAS["skilled_share"],
            skilled,
            employed_count,
        ),
        Figure(
            "high_skill_share",
            _permille(high, skilled),
            _target(targets, "high_skill_share_permille"),
            FORMULAS["high_skill_share"],
            high,
            skilled,
        ),
    ]
    platforms = [p for p in await platforms_in(where) if p.approved_on.year in chosen.years]
    for kind in PlatformKind:
        of_kind = [p for p in platforms if p.kind is kind]
        closed = sum(1 for p in of_kind if p.status is PlatformStatus.CLOSED)
        name = KIND_TARGETS[kind]
        figures.append(
            Figure(name, len(of_kind), _target(targets, name), FORMULAS["platforms"], closed=closed)
        )
    honours = 0
    async for honour in honours_to_count(where):
        honours += honour.year in chosen.years
    figures.append(Figure("honours", honours, _target(targets, "honours"), FORMULAS["honours"]))
    links = await links_in(where)
    runs = await training_of(
        run_ids=[k.target_id for k in links if k.kind is LinkKind.RUN],
        course_ids=[k.target_id for k in links if k.kind is LinkKind.COURSE],
    )
    counted = [r for r in runs.values() if r.start_date.year in chosen.years]
    return DashboardView(
        period=chosen.code,
        period_name=chosen.name,
        first_year=chosen.first_year,
        last_year=chosen.last_year,
        region=where,
        year=when,
        targets=targets,
        employed=employed_count,
        employed_source=employed.source if employed is not None else "",
        figures=figures,
        new_skilled_by_year=[YearCount(y, by_year[y]) for y in chosen.years],
        enrolled=sum(r.enrolled for r in counted),
        completed=sum(r.completed for r in counted),
        passed=sum(r.passed for r in counted),
    )
