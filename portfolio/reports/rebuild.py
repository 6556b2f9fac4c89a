"""``portfolio reports rebuild``: every counter recomputed from the source documents.

The live counters are moved event by event; this computes them from what is stored now:

* completed enrolments (passed or failed) with their run and course;
* valid certificates with the run and course of their enrolment;
* every stored voucher event with its voucher (``voucher_events``, ``vouchers``);
* every apprenticeship agreement with its events (``apprenticeships``,
  ``apprenticeship_events``).

The distinct counts are rebuilt the way they live: markers (with their counts) first, then
each cell's people, certified and high-skill workers are the markers above zero. Collections
that do not exist yet simply add nothing.

The rebuild first takes every event still open for the reports off their list (their
changes are in the sources it reads: delivering them later would count them twice), empties
the counters and markers and writes the new ones at the end, so run it while no events are
being recorded (an event counted in between is lost or doubled; a second rebuild then fixes
that). The live counters need no rebuild after a crash (the events are delivered again, once
each, see ``portfolio.reports.events``): it is the way to recount after a bug, or a restore.
"""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import UpdateOne

from portfolio import events as outbox
from portfolio.apprenticeships import agreements_to_count
from portfolio.reports import apprenticeships, levels, training, vouchers
from portfolio.reports.counters import BATCH, SEP, Cell, Changes, apply
from portfolio.reports.documents import CELL_DOCUMENTS, ReportMarker
from portfolio.reports.markers import marker_key, tally_of
from portfolio.training import CompletionResult, certificates_to_count, completions_to_count
from portfolio.vouchers import changes_to_count

# The reports' name as a subscriber of the domain events.
SUBSCRIBER = "reports"
# What each kind of marker counts, as a counter field of its cell.
MARKER_FIELDS = {
    training.PEOPLE_TRAINED: "people",
    training.CERTIFIED: "certified",
    training.HIGH_SKILL: "high_skill",
}


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild read and wrote."""

    completions: int
    certificates: int
    voucher_events: int
    agreements: int
    cells: int
    markers: int


class _Markers:
    """Marker increments written in bulk as they accumulate."""

    def __init__(self) -> None:
        self._pending: dict[str, tuple[str, int]] = {}

    async def add(self, what: str, cell: Cell, archive_id: str, n: int = 1) -> None:
        key = marker_key(what, cell, archive_id)
        tally, count = self._pending.get(key, (tally_of(what, cell), 0))
        self._pending[key] = (tally, count + n)
        if len(self._pending) >= BATCH:
            await self.flush()

    async def flush(self) -> None:
        if not self._pending:
            return
        await ReportMarker.get_pymongo_collection().bulk_write(
            [
                UpdateOne({"_id": key}, {"$set": {"tally": tally}, "$inc": {"n": n}}, upsert=True)
                for key, (tally, n) in self._pending.items()
            ],
            ordered=False,
        )
        self._pending.clear()


async def _completions(changes: Changes, markers: _Markers) -> int:
    seen = 0
    async for facts in completions_to_count():
        where = training.completions_cell(facts)
        for completed in facts.enrolments:
            passed = completed.result is CompletionResult.PASSED
            changes.add(
                where,
                {
                    "completions": 1,
                    "passed": int(passed),
                    "minutes": training.minutes(completed.hours_attended),
                },
            )
            if passed:
                await markers.add(training.PEOPLE_TRAINED, where, completed.archive_id)
            seen += 1
    return seen


async def _certificates(changes: Changes, markers: _Markers) -> int:
    seen = 0
    async for facts in certificates_to_count():
        levels.add_certificate(changes, facts)
        counted, moves = training.certificate_moves(facts)
        for cell, increments in counted.items():
            changes.add(cell, increments)
        for (what, where, archive_id), n in moves.items():
            await markers.add(what, where, archive_id, n)
        seen += 1
    return seen


def _training_cell(key: str) -> Cell:
    kind, region_code, month, training_type, brand, occupation = key.split(SEP)
    assert kind == training.KIND
    return training.cell(
        region_code=region_code,
        month=month,
        training_type=training_type,
        brand=brand,
        occupation=occupation,
    )


async def _people(changes: Changes) -> int:
    """Each cell's distinct counts: its markers above zero."""
    cursor = await ReportMarker.get_pymongo_collection().aggregate(
        [{"$match": {"n": {"$gt": 0}}}, {"$group": {"_id": "$tally", "k": {"$sum": 1}}}]
    )
    total = 0
    async for group in cursor:
        what, key = str(group["_id"]).split(SEP, 1)
        changes.add(_training_cell(key), {MARKER_FIELDS[what]: int(group["k"])})
        total += int(group["k"])
    return total


async def _vouchers(changes: Changes) -> int:
    seen = 0
    async for change in changes_to_count():
        vouchers.add_change(changes, change)
        seen += 1
    return seen


async def _apprenticeships(changes: Changes) -> int:
    seen = 0
    async for agreement in agreements_to_count():
        apprenticeships.add_agreement(changes, None, agreement, agreement.subsidy_owed_fen)
        levels.add_agreement(changes, None, agreement)
        seen += 1
    return seen


async def rebuild() -> Rebuilt:
    """Empty the counters and markers, then recompute them all from the sources."""
    await outbox.acknowledge_open(SUBSCRIBER)
    for document in CELL_DOCUMENTS:
        await document.get_pymongo_collection().delete_many({})
    await ReportMarker.get_pymongo_collection().delete_many({})
    changes = Changes()
    markers = _Markers()
    completions = await _completions(changes, markers)
    certificates = await _certificates(changes, markers)
    await markers.flush()
    counted = await _people(changes)
    events = await _vouchers(changes)
    agreements = await _apprenticeships(changes)
    await apply(changes)
    return Rebuilt(
        completions=completions,
        certificates=certificates,
        voucher_events=events,
        agreements=agreements,
        cells=len(changes.items()),
        markers=counted,
    )
