"""What the targets dashboard asks of the training area (exported from
``portfolio.training``): the level and special-ability certificates of a region's holders,
and the enrolments of the runs and courses an agency linked to a training platform.

Both read the stored documents as they are, with projections (the dashboard counts people, not
documents, so it needs every certificate of each holder, wherever it was stated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from portfolio import ids
from portfolio.accounts import region_range
from portfolio.training.documents import Certificate, Course, Enrolment, Run
from portfolio.training.enums import CertificateStatus, CertificateType, EnrolmentStatus
from portfolio.vocabulary import SkillLevel

# Enrolments that became training (not a request, not refused).
_TRAINED = (
    EnrolmentStatus.ACCEPTED.value,
    EnrolmentStatus.IN_TRAINING.value,
    EnrolmentStatus.COMPLETED.value,
    EnrolmentStatus.WITHDRAWN.value,
)
_BATCH = 1000
_FIELDS = {"archive_id": 1, "holder_region_code": 1, "level": 1, "certificate_type": 1}


@dataclass(frozen=True)
class LevelHolding:
    """One valid certificate that gives a level, or a special-ability certificate."""

    archive_id: str
    region_code: str  # the holder's region as the certificate states it
    level: SkillLevel | None  # None: a special-ability certificate
    issue_date: date


def _holding(raw: dict[str, object]) -> LevelHolding:
    level = raw.get("level")
    return LevelHolding(
        archive_id=str(raw["archive_id"]),
        region_code=str(raw["holder_region_code"]),
        level=SkillLevel(str(level)) if level else None,
        issue_date=date.fromisoformat(str(raw["issue_date"])[:10]),
    )


def _counted(raw: dict[str, object]) -> bool:
    return bool(raw.get("level")) or raw.get("certificate_type") == (
        CertificateType.SPECIAL_ABILITY.value
    )


async def level_holdings(region_prefix: str) -> list[LevelHolding]:
    """Every valid level or special-ability certificate (any road) of each worker who holds
    one stated in the region: also their certificates stated elsewhere, so that "first" means
    the worker's first anywhere."""
    collection = Certificate.get_pymongo_collection()
    fields = {**_FIELDS, "issue_date": 1}
    valid = CertificateStatus.VALID.value
    query = {"holder_region_code": region_range(region_prefix), "status": valid}
    found = [_holding(raw) async for raw in collection.find(query, fields) if _counted(raw)]
    holders = {held.archive_id for held in found}
    # The same holders' certificates stated outside the region (a worker who moved): only
    # those are read again, and not at all when the region holds every certificate.
    within = region_range(region_prefix)
    outside = {
        "$or": [
            {"holder_region_code": {"$lt": within["$gte"]}},
            {"holder_region_code": {"$gte": within["$lt"]}},
        ],
        "status": valid,
    }
    # Two indexed range probes (the $or above would scan when nothing matches).
    probes = [
        {"holder_region_code": {"$lt": within["$gte"]}},
        {"holder_region_code": {"$gte": within["$lt"]}},
    ]
    if all([await collection.find_one(probe, {"_id": 1}) is None for probe in probes]):
        return found
    ordered = sorted(holders)
    for start in range(0, len(ordered), _BATCH):
        batch = {"archive_id": {"$in": ordered[start : start + _BATCH]}, **outside}
        async for raw in collection.find(batch, fields):
            if _counted(raw):
                found.append(_holding(raw))
    return found


@dataclass(frozen=True)
class TrainingPlace:
    """A run or a course as a platform link names it."""

    region_code: str
    organisation_id: str
    title: str


async def run_place(run_id: str) -> TrainingPlace | None:
    """The run's region, organisation and course title (None: no such run)."""
    run = await Run.get(ids.parse(run_id, "run"))
    if run is None:
        return None
    course = await Course.get(ids.parse(run.course_id, "course"))
    title = course.title if course is not None else ""
    return TrainingPlace(run.region_code, run.organisation_id, f"{title} {run.start_date}")


async def course_place(course_id: str) -> TrainingPlace | None:
    """The course's region, organisation and title (None: no such course)."""
    course = await Course.get(ids.parse(course_id, "course"))
    if course is None:
        return None
    return TrainingPlace(course.region_code, course.organisation_id, course.title)


@dataclass(frozen=True)
class RunTraining:
    """The enrolments of one run that became training, and how many completed and passed."""

    run_id: str
    course_id: str
    start_date: date
    enrolled: int
    completed: int
    passed: int


async def training_of(
    *, run_ids: Sequence[str], course_ids: Sequence[str]
) -> dict[str, RunTraining]:
    """The runs named, and every run of the courses named, with their enrolments counted
    (by run id)."""
    run_oids = [ids.parse(i, "run") for i in run_ids]
    runs = {
        str(r.id): r
        async for r in Run.find(
            {"$or": [{"_id": {"$in": run_oids}}, {"course_id": {"$in": list(course_ids)}}]}
        )
    }
    counts: dict[str, list[int]] = {run_id: [0, 0, 0] for run_id in runs}
    if runs:
        query = {"run_id": {"$in": list(runs)}, "status": {"$in": list(_TRAINED)}}
        fields = {"run_id": 1, "status": 1, "result": 1}
        async for raw in Enrolment.get_pymongo_collection().find(query, fields):
            row = counts[str(raw["run_id"])]
            row[0] += 1
            if raw["status"] == EnrolmentStatus.COMPLETED.value:
                row[1] += 1
                row[2] += raw.get("result") == "passed"
    return {
        run_id: RunTraining(run_id, run.course_id, run.start_date, *counts[run_id])
        for run_id, run in runs.items()
    }
