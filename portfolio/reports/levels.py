"""New skill levels by road, region and year: the plan's ways to a level side by side.

Cells (kind ``levels``): the region is the worker's (the holder's region as the certificate
states it; an apprenticeship's employer's region), the month is the day the level was granted
(a certificate's issue date, an apprenticeship's end date), the dimensions are the road
(``LevelRoad``: course, assessment body, enterprise, direct recognition, special ability,
apprenticeship), the level (``none`` for special-ability certificates, which have none, and
for apprenticeships completed without a recorded level) and the year (the month's, so a
report can group by year). Stored figures per cell:

* ``granted``: valid certificates of every road, plus apprenticeships completed; a
  correction moves a certificate to its new cell, a void takes it out (as in the training
  report); ``road_<road>`` the same per road (they add up to ``granted``);
* ``high_skill``: of them, those at 高级工 (senior) or above.

A completed apprenticeship is counted on its own road even though the certificate that
attests its level is counted on the certificate's road too: the plan counts both ways. The
counters follow the training area's certificate events and the apprenticeship area's
agreement events (``portfolio.reports.events``); ``portfolio reports rebuild`` recomputes them
from the stored certificates and agreements.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.reports.counters import Cell, Changes, Rollup, month_of
from portfolio.reports.query import GroupBy, ReportQuery, resolve
from portfolio.reports.tables import Column, Kind, Value, build, read
from portfolio.reports.views import ReportView
from portfolio.training import CertificateChanged, CertificateStatus
from portfolio.vocabulary import LABELS, LevelRoad, SkillLevel

KIND = "levels"
NONE = "none"
LEVEL_KEYS = (*(level.value for level in SkillLevel if level is not SkillLevel.APPRENTICE), NONE)
ROADS = tuple(road.value for road in LevelRoad)
DIMS = ("road", "level", "year")
ROLLUPS: tuple[Rollup, ...] = ((2, ()), (2, DIMS), (4, ()), (4, DIMS), (6, ()))
GROUPS = frozenset({GroupBy.REGION, GroupBy.MONTH, GroupBy.YEAR, GroupBy.ROAD, GroupBy.LEVEL})
FILTERS = frozenset({"road", "level"})
FIELDS = ("granted", "high_skill", *(f"road_{road}" for road in ROADS))
COUNTERS = Kind(KIND, DIMS, ROLLUPS, FIELDS)


def cell(*, region_code: str, month: str, road: str, level: str) -> Cell:
    """The levels cell of these dimension values."""
    dims = (("road", road), ("level", level), ("year", month[:4]))
    return Cell(KIND, region_code, month, dims, rollups=ROLLUPS)


def _increments(road: str, level: SkillLevel | None, sign: int) -> dict[str, int]:
    high = level is not None and level.is_high_skill
    return {"granted": sign, f"road_{road}": sign, "high_skill": sign if high else 0}


def add_certificate(changes: Changes, facts: CertificateChanged) -> None:
    """A certificate of any road issued, corrected or voided: the old valid version out, the
    new one in."""
    region = facts.holder_region_code or facts.region_code
    for version, sign in ((facts.before, -1), (facts.after, 1)):
        if version is None or version.status is not CertificateStatus.VALID:
            continue
        where = cell(
            region_code=region,
            month=month_of(version.issue_date),
            road=facts.road.value,
            level=version.level.value if version.level else NONE,
        )
        changes.add(where, _increments(facts.road.value, version.level, sign))


class EndedAgreement(Protocol):
    """What the levels need of an agreement as a change left it."""

    @property
    def region_code(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def level_reached(self) -> str | None: ...
    @property
    def ended_on(self) -> str: ...


def add_agreement(changes: Changes, before_status: str | None, agreement: EndedAgreement) -> None:
    """An apprenticeship that has just completed (or, in a recount, stands completed)."""
    status = str(agreement.status)
    if status != "completed" or before_status == status or not agreement.ended_on:
        return
    level = SkillLevel(str(agreement.level_reached)) if agreement.level_reached else None
    road = LevelRoad.APPRENTICESHIP.value
    where = cell(
        region_code=agreement.region_code,
        month=agreement.ended_on[:7],
        road=road,
        level=level.value if level else NONE,
    )
    changes.add(where, _increments(road, level, 1))


COLUMNS: tuple[Column, ...] = (
    Column("granted", "新增技能等级", people=True),
    *(
        Column(f"by_road.{road}", f"途径·{LABELS[road]}", people=True, part_of="granted")
        for road in ROADS
    ),
    Column("high_skill", "其中高技能", people=True),
)


def figures(sums: Counter[str]) -> dict[str, Value]:
    """A row's figures from its cells' summed counters."""
    values: dict[str, Value] = {"granted": sums["granted"], "high_skill": sums["high_skill"]}
    for road in ROADS:
        values[f"by_road.{road}"] = sums[f"road_{road}"]
    return values


def label(key: str) -> str:
    """The Chinese label of a row key (codes, months and years are their own label)."""
    if key == NONE:
        return "无等级"
    return LABELS.get(key, key)


async def report(*, actor: Actor, query: ReportQuery, threshold: int) -> ReportView:
    """New levels of an agency's region (see the module docstring for each figure)."""
    scope = resolve(actor, query, groups=GROUPS, filters=FILTERS, now=clock.now())
    table = build(
        report=KIND,
        scope=scope,
        threshold=threshold,
        columns=COLUMNS,
        groups=await read(COUNTERS, scope),
        figures=figures,
        label=label,
    )
    return ReportView.of(table)
