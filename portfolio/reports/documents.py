"""Storage of the reports area: counter cells and the per-worker markers behind distinct counts.

* ``report_counters``: one document per fine cell; the rollup cells (see
  ``portfolio.reports.counters``) live by size class in ``report_totals`` (no dimensions,
  or a whole province),
  ``report_city_breakdowns`` / ``report_district_breakdowns`` (some dimensions) and
  ``report_city_details`` (every dimension, by city). They live apart because on nx-27017
  an indexed range costs more as its collection grows, even for the same matches: the cells
  a report reads stay in a collection whose size its own dimensions bound. ``_id`` is the
  cell's key, a stored string such as
  ``"training|510104|2026-03|employment_skills|sichuan_chef|4-03-02-01"``; the dimension
  values are repeated as plain fields (``kind``, ``rollup``, ``slot``, ``region_code``,
  ``month`` and the kind's own: ``type``, ``brand``, ``occupation``, ``policy``, ``level``)
  and every other field is a number moved only by ``$inc`` (upsert). The numeric fields differ
  by kind, so the document allows extra fields; services read and write it through the
  collection, not the model.
* ``report_markers``: one document per (what is counted, cell, worker): ``n`` says how many of
  the worker's completions or certificates fall in that cell. A cell's count of *people* moves
  when a marker's ``n`` leaves or returns to zero, so a worker is counted once per cell.
"""

from __future__ import annotations

from typing import ClassVar

from beanie import Document
from pydantic import ConfigDict
from pymongo import ASCENDING, IndexModel

_CELL_INDEXES = [
    # A report's $match: a range on slot (kind, level and region) and on month.
    IndexModel([("slot", ASCENDING), ("month", ASCENDING)]),
    # nx-27017 does not use a compound index for its first field alone.
    IndexModel([("slot", ASCENDING)]),
]


class ReportCounter(Document):
    """One fine counter cell (see the module docstring); numeric fields are extra fields."""

    model_config = ConfigDict(extra="allow")

    id: str  # type: ignore[assignment]
    kind: str
    # "cell" for the fine cells, else the rollup's name ("r4", "r6+type+brand"...).
    rollup: str
    # "<kind>[.<rollup>]|<region code>": a report's region scope is one range on it.
    slot: str
    region_code: str
    month: str

    class Settings:
        name = "report_counters"
        indexes: ClassVar[list[IndexModel]] = _CELL_INDEXES


class ReportTotal(ReportCounter):
    """A rollup cell without dimensions (one per region and month), or a province's."""

    class Settings:
        name = "report_totals"
        indexes: ClassVar[list[IndexModel]] = _CELL_INDEXES


class CityBreakdown(ReportCounter):
    """A rollup cell of a city that keeps some of the dimensions (type and brand, policy)."""

    class Settings:
        name = "report_city_breakdowns"
        indexes: ClassVar[list[IndexModel]] = _CELL_INDEXES


class DistrictBreakdown(ReportCounter):
    """A rollup cell of a district that keeps some of the dimensions."""

    class Settings:
        name = "report_district_breakdowns"
        indexes: ClassVar[list[IndexModel]] = _CELL_INDEXES


class CityDetail(ReportCounter):
    """A rollup cell of a city that keeps every dimension (the fine cells of its districts)."""

    class Settings:
        name = "report_city_details"
        indexes: ClassVar[list[IndexModel]] = _CELL_INDEXES


CELL_DOCUMENTS: tuple[type[ReportCounter], ...] = (
    ReportCounter,
    ReportTotal,
    CityBreakdown,
    DistrictBreakdown,
    CityDetail,
)


class ReportMarker(Document):
    """How many of one worker's events fall in one cell, for one distinct count."""

    id: str  # type: ignore[assignment]
    # "<what>|<cell key>": what the marker counts towards (pt, cw, hs) and where.
    tally: str
    n: int

    class Settings:
        name = "report_markers"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("tally", ASCENDING)])]
