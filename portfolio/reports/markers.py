"""Markers: the per-worker documents behind the distinct counts (people trained, certified).

One marker per (what is counted, fine cell, worker); its ``n`` counts that worker's events in
the cell. When ``n`` leaves zero the cell's distinct count goes up by one, when it returns to
zero down by one. An event moves a marker once whatever happens: the move is guarded by an
entry ``"<event id>#<delta>"`` that the same write appends to the marker's ``history`` (the
upsert matches only while the entry is absent), so a second delivery of the event changes
nothing. What a move did to the distinct count is read back from the marker afterwards, from
``n`` and the entries appended after the event's own (the history is in write order):

    n after the event = n - (the deltas of the entries after it);  n before = that - delta

so a second delivery works out the same answer as the first, and the cell's increment (itself
guarded) is applied once. The history is short: a worker's events in one fine cell.
``portfolio reports rebuild`` writes markers without a history (only ``n``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo import UpdateOne

from portfolio.reports.counters import BATCH, SEP, Cell, upsert_all
from portfolio.reports.documents import ReportMarker

HISTORY = "history"
# Between an event's id (which may hold ":" and "|") and the delta in a history entry.
DELTA_SEP = "#"

# (what is counted, the fine cell, the worker's archive id)
MarkerKey = tuple[str, Cell, str]


def marker_key(what: str, cell: Cell, archive_id: str) -> str:
    """The ``_id`` of the marker of ``archive_id`` counted towards ``what`` in ``cell``."""
    return SEP.join([what, cell.key, archive_id])


def tally_of(what: str, cell: Cell) -> str:
    """The marker field naming what a marker counts towards and where."""
    return SEP.join([what, cell.key])


def _delta_of(entry: str) -> int:
    return int(entry.rsplit(DELTA_SEP, 1)[1])


def transition(stored: Mapping[str, Any], entry: str, delta: int) -> int:
    """What the move recorded as ``entry`` did to the distinct count: +1 (the worker starts
    counting in the cell), -1 (stops), else 0."""
    history: list[str] = list(stored.get(HISTORY) or [])
    later = history[history.index(entry) + 1 :] if entry in history else []
    after = int(stored["n"]) - sum(_delta_of(e) for e in later)
    before = after - delta
    return int(after > 0) - int(before > 0)


async def move_markers(moves: Mapping[MarkerKey, int], *, guard: str) -> dict[MarkerKey, int]:
    """Move each marker by its delta, once per ``guard`` (an event id); what each move did to
    its cell's distinct count (see :func:`transition`).

    One bulk write of guarded upserts and one read of the markers back, a batch at a time: a
    class sheet of a thousand passes is two round trips, not a thousand.
    """
    wanted = {key: delta for key, delta in moves.items() if delta}
    markers = ReportMarker.get_pymongo_collection()
    entries = {key: f"{guard}{DELTA_SEP}{delta}" for key, delta in wanted.items()}
    operations = [
        UpdateOne(
            {"_id": marker_key(*key), HISTORY: {"$nin": [entries[key]]}},
            {
                "$set": {"tally": tally_of(key[0], key[1])},
                "$inc": {"n": delta},
                "$push": {HISTORY: entries[key]},
            },
            upsert=True,
        )
        for key, delta in wanted.items()
    ]
    await upsert_all(markers, operations, guarded=True)
    ids = {marker_key(*key): key for key in wanted}
    names = list(ids)
    stored: dict[str, dict[str, Any]] = {}
    for start in range(0, len(names), BATCH):
        found = markers.find({"_id": {"$in": names[start : start + BATCH]}}, {"n": 1, HISTORY: 1})
        stored.update({raw["_id"]: raw async for raw in found})
    return {key: transition(stored[name], entries[key], wanted[key]) for name, key in ids.items()}
