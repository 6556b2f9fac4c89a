"""A report as a table: rows grouped from counter cells, a total, and small cells suppressed.

Suppression (so no one can be singled out): a figure that counts people (workers, completions,
certificates, vouchers, agreements) is hidden when it is above zero and below the threshold
(``Settings.report_min_cell``, default 5; 0 turns it off). Zero stays visible: it singles no
one out. Then, so a hidden figure cannot be recovered by subtraction:

* in a column where exactly one row is hidden while the total is shown, the smallest other
  non-zero figure of that column is hidden too;
* in a row where exactly one part of a sum (one level of "certificates by level") is hidden
  while the sum is shown, the smallest other non-zero part is hidden too;
* a figure computed from counts (a rate, a share, hours, money, a median) is hidden whenever
  one of the counts it follows is.

These steps repeat until nothing changes. A hidden figure is ``None`` here, ``null`` plus its
name in the row's ``suppressed`` list in JSON, and ``<5`` in CSV. Comparing different reports
(another region or month range) can still narrow a hidden figure down; the threshold protects
each table, not every combination of tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from portfolio.reports.counters import Rollup, choose_level, numbers, read_groups
from portfolio.reports.query import Scope

Value = int | float | None

TOTAL_KEY = "total"
TOTAL_LABEL = "合计"


@dataclass(frozen=True)
class Column:
    """One figure of a report: its wire name, its Chinese header, how it is protected."""

    name: str
    label: str
    # A count of people (or of things each held by one person): hidden when small.
    people: bool = False
    # Hidden whenever one of these columns is hidden in the same row.
    follows: tuple[str, ...] = ()
    # This count is one part of the named column's sum (in the same row).
    part_of: str | None = None


@dataclass
class Row:
    """One group of a report (or the total): its key, label, figures, hidden figures."""

    key: str
    label: str
    values: dict[str, Value]
    suppressed: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Table:
    """A finished report."""

    report: str
    scope: Scope
    threshold: int
    columns: tuple[Column, ...]
    rows: list[Row]
    total: Row


def group_cells(
    groups: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, Counter[str]], Counter[str]]:
    """The summed figures of each group (keyed by its ``_id``), and of all of them."""
    by_key: dict[str, Counter[str]] = {}
    total: Counter[str] = Counter()
    for group in groups:
        figures = numbers(group)
        by_key.setdefault(str(group["_id"]), Counter()).update(figures)
        total.update(figures)
    return by_key, total


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` to four places, or None when there is no whole."""
    return round(part / whole, 4) if whole else None


def _hide(row: Row, name: str) -> bool:
    if name in row.suppressed:
        return False
    row.suppressed.add(name)
    return True


def _smallest_visible(candidates: Sequence[tuple[Row, str]]) -> tuple[Row, str] | None:
    visible = [
        (row, name)
        for row, name in candidates
        if name not in row.suppressed and isinstance(row.values[name], int) and row.values[name]
    ]
    if not visible:
        return None
    return min(visible, key=lambda pair: (pair[0].values[pair[1]], pair[0].key, pair[1]))


def suppress(columns: Sequence[Column], rows: list[Row], total: Row, threshold: int) -> None:
    """Hide small people counts and what would reveal them (see the module docstring)."""
    if threshold <= 0:
        return
    counted = [c for c in columns if c.people]
    everything = [*rows, total]
    for row in everything:
        for column in counted:
            value = row.values[column.name]
            if isinstance(value, int) and 0 < value < threshold:
                row.suppressed.add(column.name)
    sums: dict[str, list[str]] = {}
    for column in counted:
        if column.part_of:
            sums.setdefault(column.part_of, []).append(column.name)
    changed = True
    while changed:
        changed = False
        for column in counted:
            hidden = [row for row in rows if column.name in row.suppressed]
            if len(hidden) == 1 and column.name not in total.suppressed:
                extra = _smallest_visible([(row, column.name) for row in rows])
                changed |= extra is not None and _hide(*extra)
        for row in everything:
            for whole, parts in sums.items():
                hidden_parts = [p for p in parts if p in row.suppressed]
                if len(hidden_parts) == 1 and whole not in row.suppressed:
                    extra = _smallest_visible([(row, p) for p in parts])
                    changed |= extra is not None and _hide(*extra)
        for row in everything:
            for column in columns:
                if any(name in row.suppressed for name in column.follows):
                    changed |= _hide(row, column.name)
    for row in everything:
        for name in row.suppressed:
            row.values[name] = None


def build(
    *,
    report: str,
    scope: Scope,
    threshold: int,
    columns: Sequence[Column],
    groups: Sequence[Mapping[str, Any]],
    figures: Callable[[Counter[str]], dict[str, Value]],
    label: Callable[[str], str],
) -> Table:
    """Each group's figures and the total's, then suppression."""
    by_key, summed = group_cells(groups)
    rows = [Row(key, label(key), figures(sums)) for key, sums in sorted(by_key.items())]
    total = Row(TOTAL_KEY, TOTAL_LABEL, figures(summed))
    suppress(columns, rows, total, threshold)
    return Table(report, scope, threshold, tuple(columns), rows, total)


@dataclass(frozen=True)
class Kind:
    """What a report needs to know of its counters: dimensions, rollups, stored figures.

    ``fields`` are every numeric field a cell of the kind may hold: the database sums them per
    group (``$group``), so only the groups travel, not the cells.
    """

    name: str
    dims: tuple[str, ...]
    rollups: tuple[Rollup, ...]
    fields: tuple[str, ...]
    labels: tuple[str, ...] = ()


async def read(kind: Kind, scope: Scope) -> list[dict[str, Any]]:
    """The groups of a report: its cells' figures summed per row key (``_id``)."""
    level = choose_level(kind.dims, kind.rollups, depth=scope.stored_depth, needs=scope.needs)
    return await read_groups(
        kind.name,
        level,
        region_prefix=scope.region,
        month_from=scope.month_from,
        month_to=scope.month_to,
        filters=scope.filters,
        group_field=scope.group_field,
        fields=kind.fields,
        labels=kind.labels,
    )
