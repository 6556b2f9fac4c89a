"""Counter cells: the small generic machinery every report's counters are made of.

A *cell* is one combination of dimension values: a kind (``training``, ``vouchers``,
``apprenticeships``), a 6-digit region code, a month ``YYYY-MM`` and the kind's own dimensions
(training type, brand, occupation, ...). Its key joins them with ``|`` and is the counter
document's ``_id`` (``training|510104|2026-03|employment_skills|sichuan_chef|4-03-02-01``);
the values are stored again as plain fields so a query can ``$match`` and ``$group`` on them.
Events move a cell's numbers with one ``$inc`` upsert (``update_one(..., upsert=True)``; many
cells at once in one ``bulk_write``), so two racing events both count and nothing is read first.

Every increment also goes to the cell's *rollups*: the same figures under a 2- or 4-digit
region and / or fewer dimensions (``training.r4|5101|2026-03``,
``training.r6+type+brand|...``). A province report by city reads one rollup cell per city and
month instead of every district, course and occupation of the province; one by occupation
reads the province's cells per occupation and month: the cost of a report is about the number
of groups and months it shows, not the number of events, nor the number of fine cells. Each
stored cell has a ``slot`` (``kind.level|region``) so a report's region scope is one range on
one indexed field.

Distinct workers (``people``) are counted with *markers* (``portfolio.reports.markers``): one
document per (what, fine cell, worker) whose ``n`` counts that worker's events in the cell; the
cell's figure moves when ``n`` leaves or returns to zero. Rollups add the fine cells' people up
(they do not count distinct workers again).

Counters follow the domain events of the source areas (completions, certificates, vouchers,
apprenticeships; ``portfolio.reports.events``). An event is delivered at least once, so each of
its writes is *guarded* by the event's id: a cell's upsert matches only while the cell's
``unsettled`` list lacks the id, and pushes it in the same write; a second delivery finds the
id there and changes nothing. Once the event's receipt is stored, ``unsettle`` pulls the id out
again (the list stays short). ``portfolio reports rebuild`` recomputes every cell from the
sources.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from portfolio import clock
from portfolio.accounts import region_range
from portfolio.reports.documents import (
    CELL_DOCUMENTS,
    CityBreakdown,
    CityDetail,
    DistrictBreakdown,
    ReportCounter,
    ReportTotal,
)

SEP = "|"
# The list of the events whose increments a cell holds but whose receipt is not stored yet.
GUARD = "unsettled"
_REGION = re.compile(r"^\d{6}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Read a handful of marker or counter updates per round trip, not thousands.
BATCH = 1000


def month_of(day: date) -> str:
    """``YYYY-MM`` of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def china_month(moment: datetime) -> str:
    """``YYYY-MM`` of a moment in China time (the calendar the programme reports in)."""
    return month_of(clock.china_today(moment))


# A rollup: how many digits of the region code it keeps (2, 4 or 6) and which dimensions.
Rollup = tuple[int, tuple[str, ...]]
# The level name of the finest cells (6-digit region, every dimension).
FINE = "cell"


def level_name(rollup: Rollup) -> str:
    """A rollup's stored name: ``r4``, ``r6+type+brand``..."""
    depth, names = rollup
    return f"r{depth}" + "".join(f"+{name}" for name in names)


def document_of(level: str, depth: int, dims: tuple[str, ...], every: bool) -> type[ReportCounter]:
    """Where the cells of a level live (``every``: the level keeps all the kind's dimensions)."""
    if level == FINE:
        return ReportCounter
    if not dims or depth == 2:
        # A province's cells are few whatever they keep: months times dimension values.
        return ReportTotal
    if every:
        return CityDetail
    return CityBreakdown if depth == 4 else DistrictBreakdown


@dataclass(frozen=True)
class Cell:
    """One counter cell: kind, region, month and the kind's own dimensions, in key order.

    ``labels`` are stored with the cell (``$set``) but are not part of its key: a policy's
    name, which a later version of the policy may change. Each names the dimension it labels
    (``("policy", "policy_name", "成都培训券")``) and is stored only where that dimension is
    kept. ``rollups`` are the coarser cells
    every increment of this one also goes to (a shorter region code, fewer dimensions), so a
    report reads a few coarse cells rather than every fine one.
    """

    kind: str
    region_code: str
    month: str
    dims: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)
    rollups: tuple[Rollup, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not _REGION.match(self.region_code):
            raise ValueError(f"a cell's region is a 6-digit code, not {self.region_code!r}")
        if not _MONTH.match(self.month):
            raise ValueError(f"a cell's month is YYYY-MM, not {self.month!r}")
        for name, value in self.dims:
            if not value or SEP in value or name in _RESERVED:
                raise ValueError(f"bad dimension {name}={value!r}")

    @property
    def key(self) -> str:
        """The fine cell's stored ``_id``: ``kind|region|month|dim1|dim2...``."""
        return SEP.join([self.kind, self.region_code, self.month, *(v for _, v in self.dims)])

    def fields(self) -> dict[str, str]:
        """The fine cell's dimension values (and labels) as plain stored fields."""
        return self._fields(FINE, self.kind, self.region_code, self.dims)

    def _fields(
        self, rollup: str, prefix: str, region: str, dims: tuple[tuple[str, str], ...]
    ) -> dict[str, str]:
        return {
            "kind": self.kind,
            "rollup": rollup,
            "slot": f"{prefix}{SEP}{region}",
            "region_code": region,
            "month": self.month,
            **dict(dims),
            **{name: value for dim, name, value in self.labels if dim in dict(dims)},
        }

    def stored(self) -> list[tuple[type[ReportCounter], str, dict[str, str]]]:
        """``(document, _id, fields)`` of the fine cell and of each of its rollups."""
        found = [(ReportCounter, self.key, self.fields())]
        values = dict(self.dims)
        for rollup in self.rollups:
            depth, names = rollup
            level = level_name(rollup)
            prefix = f"{self.kind}.{level}"
            region = self.region_code[:depth]
            dims = tuple((name, values[name]) for name in names)
            key = SEP.join([prefix, region, self.month, *(v for _, v in dims)])
            document = document_of(level, depth, names, len(names) == len(self.dims))
            found.append((document, key, self._fields(level, prefix, region, dims)))
        return found


_RESERVED = frozenset({"_id", "kind", "rollup", "slot", "region_code", "month"})


class Changes:
    """Increments gathered per cell, to be written with one ``$inc`` per stored cell."""

    def __init__(self) -> None:
        self._cells: dict[str, Cell] = {}
        self._increments: dict[str, Counter[str]] = {}

    def add(self, cell: Cell, increments: Mapping[str, int]) -> None:
        """Add ``increments`` to ``cell`` (merged with what the cell already has here)."""
        self._cells[cell.key] = cell
        self._increments.setdefault(cell.key, Counter()).update(increments)

    def items(self) -> list[tuple[Cell, dict[str, int]]]:
        """Each fine cell with its non-zero increments."""
        found = []
        for key, counts in self._increments.items():
            nonzero = {name: value for name, value in counts.items() if value}
            if nonzero:
                found.append((self._cells[key], nonzero))
        return found

    def operations(self, guard: str | None = None) -> dict[type[ReportCounter], list[UpdateOne]]:
        """One ``$inc`` upsert per stored cell (the fine cells and their rollups, merged),
        per collection; with a ``guard`` (an event id), each applies only once."""
        return {
            document: [operation for _, operation in keyed]
            for document, keyed in self.keyed_operations(guard).items()
        }

    def keyed_operations(
        self, guard: str | None = None
    ) -> dict[type[ReportCounter], list[tuple[str, UpdateOne]]]:
        """:meth:`operations`, each with the key of the cell it writes."""
        fields: dict[str, tuple[type[ReportCounter], dict[str, str]]] = {}
        increments: dict[str, Counter[str]] = {}
        for cell, counts in self.items():
            for document, key, stored in cell.stored():
                fields[key] = (document, stored)
                increments.setdefault(key, Counter()).update(counts)
        found: dict[type[ReportCounter], list[tuple[str, UpdateOne]]] = {}
        for key, counts in increments.items():
            if not any(counts.values()):
                continue
            document, stored = fields[key]
            match: dict[str, Any] = {"_id": key}
            update: dict[str, Any] = {
                "$set": stored,
                "$inc": {k: v for k, v in counts.items() if v},
            }
            if guard is not None:
                match[GUARD] = {"$nin": [guard]}
                update["$push"] = {GUARD: guard}
            found.setdefault(document, []).append((key, UpdateOne(match, update, upsert=True)))
        return found


def _duplicates(failure: BulkWriteError) -> list[int]:
    """The positions a bulk write refused as duplicates (anything else is raised again)."""
    errors = failure.details.get("writeErrors", [])
    if any(error.get("code") != 11000 for error in errors):
        raise failure
    return [int(error["index"]) for error in errors]


async def upsert_all(
    collection: Any, operations: list[UpdateOne], *, guarded: bool = False
) -> None:
    """Run upserts unordered, a batch at a time; ones that lost an upsert race (a duplicate)
    run again, now as updates.

    A guarded upsert (filter ``{_id, <list>: {$nin: [event id]}}``) that finds its document
    with the id already in the list tries to insert it and is refused as a duplicate, on the
    retry too: that is a second delivery, and it changes nothing.
    """
    for start in range(0, len(operations), BATCH):
        chunk = operations[start : start + BATCH]
        try:
            await collection.bulk_write(chunk, ordered=False)
        except BulkWriteError as failure:
            retry = [chunk[index] for index in _duplicates(failure)]
            try:
                await collection.bulk_write(retry, ordered=False)
            except BulkWriteError as again:
                if not guarded:
                    raise
                _duplicates(again)


async def apply(changes: Changes, *, guard: str | None = None) -> dict[str, list[str]]:
    """Write every cell's increments (and its rollups'): one bulk write of ``$inc`` upserts
    per collection, guarded by ``guard`` when given. Returns the keys written, by collection
    (what ``unsettle`` needs)."""
    written: dict[str, list[str]] = {}
    for document, keyed in changes.keyed_operations(guard).items():
        operations = [operation for _, operation in keyed]
        await upsert_all(document.get_pymongo_collection(), operations, guarded=guard is not None)
        written[document.get_pymongo_collection().name] = [key for key, _ in keyed]
    return written


async def unsettle(written: Mapping[str, list[str]], guard: str) -> None:
    """Pull ``guard`` out of the cells it was written to (once its receipt is stored)."""
    by_name = {document.get_pymongo_collection().name: document for document in CELL_DOCUMENTS}
    for name, keys in written.items():
        collection = by_name[name].get_pymongo_collection()
        for start in range(0, len(keys), BATCH):
            await collection.update_many(
                {"_id": {"$in": keys[start : start + BATCH]}}, {"$pull": {GUARD: guard}}
            )


@dataclass(frozen=True)
class Level:
    """A stored level of cells: the fine cells or one rollup."""

    name: str
    depth: int
    dims: tuple[str, ...]
    every: bool = True

    def slot_prefix(self, kind: str) -> str:
        """What the ``slot`` field of this level's cells starts with."""
        return kind if self.name == FINE else f"{kind}.{self.name}"

    @property
    def document(self) -> type[ReportCounter]:
        """The collection this level's cells live in."""
        return document_of(self.name, self.depth, self.dims, self.every)


def choose_level(
    dims: tuple[str, ...], rollups: tuple[Rollup, ...], *, depth: int, needs: set[str]
) -> Level:
    """The coarsest stored level that keeps ``depth`` region digits and the ``needs``
    dimensions (the fine cells when no rollup does)."""
    candidates = [Level(level_name(r), r[0], r[1], len(r[1]) == len(dims)) for r in rollups]
    fitting = [c for c in candidates if c.depth == depth and needs <= set(c.dims)]
    if fitting:
        return min(fitting, key=lambda c: len(c.dims))
    return Level(FINE, 6, dims)


async def read_groups(
    kind: str,
    level: Level,
    *,
    region_prefix: str,
    month_from: str,
    month_to: str,
    filters: Mapping[str, str],
    group_field: str,
    fields: Iterable[str],
    labels: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Sum ``fields`` over the cells of one level in a region prefix and a month range,
    filtered, grouped by one plain stored field (``_id`` of each result: its value).

    The ``slot`` (``kind.level|region``) makes the region scope one range on one indexed
    field; the grouping runs in the database, so only the groups travel.
    """
    match = _match(kind, level, region_prefix, month_from, month_to, filters)
    group: dict[str, Any] = {"_id": f"${group_field}"}
    group.update({name: {"$sum": f"${name}"} for name in fields})
    # A label is the same in every cell of a group unless the policy was renamed; then any one
    # of its names will do. $max, not $last: without a $sort "last" means nothing either, and
    # nx-27017 takes 50 ms for a $first or $last and ten times that beside a hundred $sums.
    group.update({name: {"$max": f"${name}"} for name in labels})
    cursor = await level.document.get_pymongo_collection().aggregate(
        [{"$match": match}, {"$group": group}]
    )
    return await cursor.to_list()


def _match(
    kind: str,
    level: Level,
    region_prefix: str,
    month_from: str,
    month_to: str,
    filters: Mapping[str, str],
) -> dict[str, Any]:
    bounds = region_range(region_prefix)
    prefix = level.slot_prefix(kind)
    return {
        "slot": {"$gte": f"{prefix}{SEP}{bounds['$gte']}", "$lt": f"{prefix}{SEP}{bounds['$lt']}"},
        "month": {"$gte": month_from, "$lte": month_to},
        **filters,
    }


def numbers(document: Mapping[str, Any]) -> dict[str, int]:
    """The numeric fields of a counter document (the dimensions are strings)."""
    return {
        name: value
        for name, value in document.items()
        if isinstance(value, int) and not isinstance(value, bool) and name != "_id"
    }
