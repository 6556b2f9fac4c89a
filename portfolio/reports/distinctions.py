"""Competitions and honours (issue 26): events held, entrants, results, levels granted and
honours, by region or by year.

Unlike the other reports these figures are read straight from the competitions' and honours'
stored records at each request, not from counters: a province holds tens of events and honours
a year, not millions of completions, so there is nothing to keep up to date and nothing for
``portfolio reports rebuild`` to recompute. The same scope, suppression and views as the
others (``tables.build``).

* ``competitions``: events held in the region (the event's region), by the year they began;
* ``entrants``: workers entered (the worker's region as registered when entered), the event's
  year; ``results``: their published, not voided, results with a place; ``levels_granted``:
  those whose result granted a level, and ``levels_by_level.<level>`` by the level;
* ``honours``: valid honours of the region's workers by their year, ``honours_by_title.<t>``.

The months asked for are read as the years they fall in (``2025-07`` to ``2026-06``: 2025
and 2026).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from portfolio import clock
from portfolio.accounts import Actor
from portfolio.competitions import competitions_to_count, entrants_to_count
from portfolio.honours import TITLE_LABELS, HonourTitle, honours_to_count
from portfolio.reports.query import GroupBy, ReportQuery, Scope, resolve
from portfolio.reports.tables import Column, Value, build
from portfolio.reports.views import ReportView
from portfolio.vocabulary import LABELS, SkillLevel

KIND = "distinctions"
GROUPS = frozenset({GroupBy.REGION, GroupBy.YEAR})
FILTERS: frozenset[str] = frozenset()
GRANTED = tuple(level.value for level in SkillLevel if level is not SkillLevel.APPRENTICE)
TITLES = tuple(title.value for title in HonourTitle)

COLUMNS: tuple[Column, ...] = (
    Column("competitions", "竞赛场次"),
    Column("entrants", "参赛人数", people=True),
    Column("results", "获得名次人数", people=True),
    Column("levels_granted", "晋升等级人数", people=True),
    *(
        Column(
            f"levels_by_level.{key}", f"晋升·{LABELS[key]}", people=True, part_of="levels_granted"
        )
        for key in GRANTED
    ),
    Column("honours", "荣誉人次", people=True),
    *(
        Column(
            f"honours_by_title.{key}",
            f"荣誉·{TITLE_LABELS[HonourTitle(key)]}",
            people=True,
            part_of="honours",
        )
        for key in TITLES
    ),
)


def _row_key(scope: Scope, region_code: str, year: int) -> str | None:
    """The row a fact falls in, or None when it lies outside the region or the years."""
    if not region_code.startswith(scope.region):
        return None
    if not int(scope.month_from[:4]) <= year <= int(scope.month_to[:4]):
        return None
    if scope.group_by is GroupBy.YEAR:
        return str(year)
    return region_code[: scope.region_depth]


async def _groups(scope: Scope) -> list[dict[str, Any]]:
    rows: dict[str, Counter[str]] = {}

    def add(key: str | None, field: str) -> None:
        if key is not None:
            rows.setdefault(key, Counter())[field] += 1

    async for event in competitions_to_count(scope.region):
        add(_row_key(scope, event.region_code, event.year), "competitions")
    async for entrant in entrants_to_count(scope.region):
        key = _row_key(scope, entrant.region_code, entrant.year)
        add(key, "entrants")
        if entrant.placed:
            add(key, "results")
        if entrant.level_granted:
            add(key, "levels_granted")
            add(key, f"granted_{entrant.level_granted}")
    async for honour in honours_to_count(scope.region):
        key = _row_key(scope, honour.region_code, honour.year)
        add(key, "honours")
        add(key, f"title_{honour.title}")
    return [{"_id": key, **counts} for key, counts in rows.items()]


def figures(sums: Counter[str]) -> dict[str, Value]:
    """A row's figures from its summed counts."""
    values: dict[str, Value] = {
        name: sums[name]
        for name in ("competitions", "entrants", "results", "levels_granted", "honours")
    }
    for key in GRANTED:
        values[f"levels_by_level.{key}"] = sums[f"granted_{key}"]
    for key in TITLES:
        values[f"honours_by_title.{key}"] = sums[f"title_{key}"]
    return values


async def report(*, actor: Actor, query: ReportQuery, threshold: int) -> ReportView:
    """The competitions and honours report of an agency (see the module docstring)."""
    scope = resolve(actor, query, groups=GROUPS, filters=FILTERS, now=clock.now())
    table = build(
        report=KIND,
        scope=scope,
        threshold=threshold,
        columns=COLUMNS,
        groups=await _groups(scope),
        figures=figures,
        label=lambda key: key,
    )
    return ReportView.of(table)
