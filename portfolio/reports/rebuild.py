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

The rebuild empties the counters and markers first and writes the new ones at the end, so run
it while no events are being recorded (an event counted in between is lost or doubled; a
second rebuild then fixes that). It is also the repair for a counter left short by a crash
between a source write and its counter write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from beanie import Document, PydanticObjectId
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from portfolio.reports import apprenticeships, training, vouchers
from portfolio.reports.counters import (
    BATCH,
    SEP,
    Cell,
    Changes,
    apply,
    marker_key,
    month_of,
    tally_of,
)
from portfolio.reports.documents import CELL_DOCUMENTS, ReportCounter, ReportMarker
from portfolio.training.documents import Certificate, Course, Enrolment, Run
from portfolio.training.enums import CompletionResult, EnrolmentStatus

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


@dataclass(frozen=True)
class _StoredVoucher:
    region_code: str
    policy_key: str
    policy_name: str
    face_value_fen: int
    created_at: datetime
    enrolment_id: str


@dataclass(frozen=True)
class _StoredEvent:
    action: str
    at: datetime
    details: Mapping[str, str]


@dataclass(frozen=True)
class _StoredAgreement:
    id: Any
    region_code: str
    occupation_code: str
    target_level: str
    status: str
    level_reached: str | None
    created_at: datetime
    ended_on: str


def _database() -> AsyncDatabase[dict[str, Any]]:
    return ReportCounter.get_pymongo_collection().database


def _collection(document: type[Document]) -> str:
    return document.get_pymongo_collection().name


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


class _Places:
    """Runs and courses, read once each."""

    def __init__(self) -> None:
        self._runs: dict[str, Run | None] = {}
        self._courses: dict[str, Course | None] = {}

    async def of(self, run_id: str, course_id: str) -> tuple[Run, Course] | None:
        if run_id not in self._runs:
            self._runs[run_id] = await Run.get(PydanticObjectId(run_id))
        if course_id not in self._courses:
            self._courses[course_id] = await Course.get(PydanticObjectId(course_id))
        run, course = self._runs[run_id], self._courses[course_id]
        return (run, course) if run is not None and course is not None else None


async def _chunks(collection: str, query: Mapping[str, Any]) -> AsyncIterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    async for document in _database()[collection].find(dict(query)):
        chunk.append(document)
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _completions(changes: Changes, markers: _Markers, places: _Places) -> int:
    seen = 0
    name = _collection(Enrolment)
    async for chunk in _chunks(name, {"status": EnrolmentStatus.COMPLETED.value}):
        for enrolment in chunk:
            place = await places.of(enrolment["run_id"], enrolment["course_id"])
            if place is None:
                continue
            run, course = place
            where = training.cell(
                region_code=run.region_code,
                month=month_of(run.end_date),
                training_type=course.training_type.value,
                brand=course.brand.value if course.brand else None,
                occupation=course.occupation_code,
            )
            passed = enrolment.get("result") == CompletionResult.PASSED.value
            changes.add(
                where,
                {
                    "completions": 1,
                    "passed": int(passed),
                    "minutes": training.minutes(float(enrolment.get("hours_attended", 0))),
                },
            )
            if passed:
                await markers.add(training.PEOPLE_TRAINED, where, enrolment["archive_id"])
            seen += 1
    return seen


async def _certificates(changes: Changes, markers: _Markers, places: _Places) -> int:
    seen = 0
    name = _collection(Certificate)
    async for chunk in _chunks(name, {"status": "valid"}):
        ids = [PydanticObjectId(c["enrolment_id"]) for c in chunk]
        enrolments = {
            str(e["_id"]): e
            async for e in _database()[_collection(Enrolment)].find({"_id": {"$in": ids}})
        }
        for raw in chunk:
            certificate = Certificate.model_validate(raw)
            enrolment = enrolments.get(certificate.enrolment_id)
            place = (
                await places.of(enrolment["run_id"], enrolment["course_id"]) if enrolment else None
            )
            if place is None:
                continue
            where = training.certificate_cell(certificate, *place)
            changes.add(where, training.certificate_increments(certificate, 1))
            for what in training.certificate_markers(certificate):
                await markers.add(what, where, certificate.archive_id)
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
    lookup = vouchers.CourseLookup()
    async for chunk in _chunks("voucher_events", {}):
        ids = list({PydanticObjectId(e["voucher_id"]) for e in chunk})
        stored = {
            str(v["_id"]): v async for v in _database()["vouchers"].find({"_id": {"$in": ids}})
        }
        for event in chunk:
            raw = stored.get(event["voucher_id"])
            if raw is None:
                continue
            voucher = _StoredVoucher(
                region_code=raw["region_code"],
                policy_key=raw["policy_key"],
                policy_name=raw.get("policy_name", ""),
                face_value_fen=int(raw["face_value_fen"]),
                created_at=raw["created_at"],
                enrolment_id=raw.get("enrolment_id", ""),
            )
            facts = _StoredEvent(
                action=str(event["action"]), at=event["at"], details=event.get("details") or {}
            )
            await vouchers.add_event(changes, lookup, voucher, facts)
            seen += 1
    return seen


async def _apprenticeships(changes: Changes) -> int:
    seen = 0
    async for chunk in _chunks("apprenticeships", {}):
        for raw in chunk:
            agreement = _StoredAgreement(
                id=raw["_id"],
                region_code=raw["region_code"],
                occupation_code=raw["occupation_code"],
                target_level=raw["target_level"],
                status=raw["status"],
                level_reached=raw.get("level_reached"),
                created_at=raw["created_at"],
                ended_on=raw.get("ended_on", ""),
            )
            owed = 0
            if agreement.status in apprenticeships.ENDED and agreement.ended_on:
                events = (
                    await _database()["apprenticeship_events"]
                    .find({"apprenticeship_id": str(raw["_id"])})
                    .to_list()
                )
                owed = apprenticeships.owed_from_stored(raw, events)
            apprenticeships.add_agreement(changes, None, agreement, owed)
            seen += 1
    return seen


async def rebuild() -> Rebuilt:
    """Empty the counters and markers, then recompute them all from the sources."""
    for document in CELL_DOCUMENTS:
        await document.get_pymongo_collection().delete_many({})
    await ReportMarker.get_pymongo_collection().delete_many({})
    changes = Changes()
    markers = _Markers()
    places = _Places()
    completions = await _completions(changes, markers, places)
    certificates = await _certificates(changes, markers, places)
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
