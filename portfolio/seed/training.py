"""Training of one batch: runs, enrolments, schedules, attendance and certificates.

Runs are drawn from the catalogue's providers and courses and filled mostly with workers of
the provider's city (a class never clashes with another the worker is booked on, as the
service's schedule check refuses). Each enrolment is completed, failed or withdrawn with its
attendance records behind the hours it counts, except in the runs that ended in the last weeks
(``OPEN_SHARE``), whose completion sheet is still to come: the open work of the benchmarks.
Part of the passes earn a certificate. Vouchers (``portfolio.seed.vouchers``) are bound to the
enrolments made here (``Enrolled``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bson import ObjectId

from portfolio.archives.kinds import EntryKind
from portfolio.seed.catalogue import CourseRef, OrganisationRef
from portfolio.seed.common import day_start, weighted
from portfolio.seed.identities import at_millis, derive, object_id, person_name
from portfolio.seed.people import Entry, Person, provider_recorder
from portfolio.training.documents import Session
from portfolio.training.enums import OrganisationKind
from portfolio.training.rules import Slot, first_clash, slots_of
from portfolio.vocabulary import SkillLevel

if TYPE_CHECKING:
    from portfolio.seed.cohort import CohortBuilder

L = SkillLevel
# Certificates by level (skill-level and qualification certificates); the service refuses
# 学徒工 (apprentice) on a certificate, so the ladder's other seven rungs appear here.
CERTIFICATE_LEVELS: tuple[tuple[SkillLevel, float], ...] = (
    (L.JUNIOR, 38.0),
    (L.INTERMEDIATE, 32.0),
    (L.SENIOR, 18.0),
    (L.TECHNICIAN, 7.0),
    (L.SENIOR_TECHNICIAN, 3.5),
    (L.PRINCIPAL_TECHNICIAN, 1.0),
    (L.CHIEF_TECHNICIAN, 0.5),
)
CLASS_WEIGHTS = (0.55, 0.25, 0.12, 0.08)  # enrolments per worker: 1, 2, 3, 0 (see below)
OPEN_SHARE = 0.10  # runs that ended and await their completion sheet


def _stored_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass
class Enrolled:
    """One enrolment of a worker, with what vouchers need to know of it."""

    doc: dict[str, Any]
    person: Person
    run: RunPlan
    status: str
    passed: bool
    hours: float
    completed_at: datetime | None


@dataclass
class RunPlan:
    """A run being built: its organisation, course, sessions and class."""

    doc: dict[str, Any]
    organisation: OrganisationRef
    course: CourseRef
    sessions: list[Session]
    slots: list[Slot]
    start: datetime
    end_day: date
    open: bool
    batch: str
    enrolled: list[Enrolled] = field(default_factory=list)


def object_id_of(hex_id: str) -> ObjectId:
    """An ObjectId from its hex form."""
    return ObjectId(hex_id)


def _run(builder: CohortBuilder, rng: random.Random, k: int, open_run: bool, size: int) -> RunPlan:
    organisation = rng.choice(builder.catalogue.organisations)
    course = rng.choice(organisation.courses)
    if open_run:
        # Ended in the last three weeks; the completion sheet is still to come.
        end_day = (builder.as_of - timedelta(days=rng.uniform(2, 21))).date()
    else:
        end_day = (builder.as_of - timedelta(days=rng.uniform(25, 1100))).date()
    hours = course.planned_hours
    count = -(-hours // 8)
    first_day = end_day - timedelta(days=count - 1)
    sessions = [
        Session(
            n=i + 1,
            day=first_day + timedelta(days=i),
            start="09:00",
            hours=float(8 if i < count - 1 or hours % 8 == 0 else hours % 8),
        )
        for i in range(count)
    ]
    start = day_start(first_day)
    created = at_millis(start - timedelta(days=rng.uniform(20, 40)))
    oid = object_id(builder.seed, created, "run", builder.index, k)
    doc = {
        "_id": oid,
        "course_id": course.id,
        "organisation_id": organisation.id,
        "region_code": organisation.region_code,
        "start_date": _stored_day(first_day),
        "end_date": _stored_day(end_day),
        "capacity": size + rng.randint(0, 6),
        "seats_taken": 0,
        "location": f"{organisation.name.split('（')[0]}第{rng.randint(1, 12)}教室",
        "trainers": [person_name(rng) for _ in range(rng.randint(1, 2))],
        "trainer_ids": [],  # named in free text, as runs before the trainer registry
        "sessions": [
            {"n": s.n, "day": _stored_day(s.day), "start": s.start, "hours": s.hours}
            for s in sessions
        ],
        "occupation_code": course.occupation_code,
        "target_level": course.target_level.value,
        "historical": False,
        "course_version": 0,  # seeded courses are never edited
        "created_at": created,
        "created_by": organisation.principal_id,
    }
    batch = derive(builder.seed, "completion-batch", builder.index, k).hex()[:32]
    return RunPlan(
        doc,
        organisation,
        course,
        sessions,
        slots_of(str(oid), sessions),
        start,
        end_day,
        open_run,
        batch,
    )


def add_training(
    builder: CohortBuilder, rng: random.Random, people: list[Person]
) -> list[Enrolled]:
    """The batch's runs, enrolments, worker schedules and attendance; returns the enrolments."""
    # Enrolments wanted: 1 (55 %), 2 (25 %), 3 (12 %) or none (8 %) per worker.
    wanted = sum(rng.choices((1, 2, 3, 0), weights=CLASS_WEIGHTS)[0] for _ in people)
    booked: dict[str, list[Slot]] = {}
    enrolled: list[Enrolled] = []
    k = 0
    placed = 0
    open_target = max(1, round(wanted * OPEN_SHARE / 40))
    while placed < wanted or k < open_target:
        open_run = k < open_target
        size = min(len(people), rng.randint(40, 45) if open_run else rng.randint(15, 45))
        plan = _run(builder, rng, k, open_run, size)
        k += 1
        # Mostly people of the provider's city, registered before the class began.
        local = [
            p
            for p in people
            if p.city.code == plan.organisation.region_code[:4]
            and p.registered_at < plan.start - timedelta(days=3)
        ]
        others = [p for p in people if p.registered_at < plan.start - timedelta(days=3)]
        rng.shuffle(local)
        rng.shuffle(others)
        chosen: list[Person] = []
        seen: set[str] = set()
        for person in local[: int(size * 0.8)] + others:
            if len(chosen) >= size:
                break
            if person.id in seen:
                continue
            if first_clash(booked.get(person.id, []), plan.slots) is not None:
                continue
            seen.add(person.id)
            chosen.append(person)
        if open_run and len(chosen) < min(40, len(people)) and k < open_target + 20:
            continue
        if not chosen:
            continue
        for person in chosen:
            record = _enrol(builder, rng, plan, person)
            enrolled.append(record)
            if record.status != "withdrawn":
                booked.setdefault(person.id, []).extend(plan.slots)
        placed += len(chosen)
        plan.doc["seats_taken"] = sum(1 for e in plan.enrolled if e.status != "withdrawn")
        plan.doc["capacity"] = max(plan.doc["capacity"], plan.doc["seats_taken"])
        builder.docs["runs"].append(plan.doc)
    for archive_id, slots in booked.items():
        runs = {s.run_id for s in slots}
        builder.docs["worker_schedules"].append(
            {
                "_id": object_id_of(archive_id),
                "slots": [s.encode() for s in slots],
                "version": len(runs),
            }
        )
    return enrolled


def _enrol(builder: CohortBuilder, rng: random.Random, plan: RunPlan, person: Person) -> Enrolled:
    organisation, course = plan.organisation, plan.course
    created = at_millis(plan.start - timedelta(days=rng.uniform(1, 15)))
    created = max(created, at_millis(person.registered_at + timedelta(hours=1)))
    oid = object_id(builder.seed, created, "enrolment", plan.doc["_id"], person.n)
    withdrawn = not plan.open and rng.random() < 0.05
    doc: dict[str, Any] = {
        "_id": oid,
        "run_id": str(plan.doc["_id"]),
        "course_id": course.id,
        "organisation_id": organisation.id,
        "archive_id": person.id,
        "worker_name": person.name,
        "worker_masked_id": person.masked,
        "worker_region_code": person.region_code,
        "status": "in_training",
        "status_reason": "",
        "withdraw_reason": None,
        "result": None,
        "score": None,
        "hours_attended": 0.0,
        "completed_at": None,
        "completed_by": "",
        "completion_batch": "",
        "entry_seq": 0,
        "historical": False,
        "imported_by": "",
        "evidence": None,
        "version": 1,
        "created_at": created,
        "created_by": organisation.principal_id,
        "updated_at": plan.start,
    }
    builder.docs["enrolments"].append(doc)
    if withdrawn:
        doc.update(
            status="withdrawn",
            withdraw_reason=rng.choice(["worker", "worker", "no_show", "provider", "other"]),
            status_reason="本人申请退出",
            version=2,
            updated_at=at_millis(plan.start + timedelta(hours=rng.uniform(1, 30))),
        )
        record = Enrolled(doc, person, plan, "withdrawn", False, 0.0, None)
        plan.enrolled.append(record)
        return record
    hours = _attendance(builder, rng, plan, person, doc)
    record = Enrolled(doc, person, plan, "in_training", False, hours, None)
    plan.enrolled.append(record)
    if plan.open:
        return record
    passed = hours > 0 and rng.random() < (0.93 if hours >= 0.6 * course.planned_hours else 0.4)
    completed_at = at_millis(day_start(plan.end_day) + timedelta(days=rng.uniform(1, 10), hours=8))
    completed_at = min(completed_at, builder.as_of - timedelta(hours=30))
    doc.update(
        status="completed",
        result="passed" if passed else "failed",
        score=float(rng.randint(60, 98) if passed else rng.randint(30, 59)),
        hours_attended=hours,
        completed_at=completed_at,
        completed_by=organisation.principal_id,
        completion_batch=plan.batch,
        version=2,
        updated_at=completed_at,
    )
    record.status, record.passed, record.completed_at = "completed", passed, completed_at
    if passed:
        person.entries.append(
            Entry(
                completed_at,
                EntryKind.TRAINING_COMPLETED,
                {
                    "enrolment_id": str(oid),
                    "run_id": str(plan.doc["_id"]),
                    "course_id": course.id,
                    "course_title": course.title,
                    "occupation_code": course.occupation_code,
                    "training_type": course.training_type.value,
                    "brand": course.brand.value if course.brand else None,
                    "digital": course.digital,
                    "target_level": course.target_level.value,
                    "hours": hours,
                    "score": doc["score"],
                    "provider_id": organisation.id,
                    "provider_name": organisation.name,
                    "region_code": organisation.region_code,
                    "run_end_date": plan.end_day.isoformat(),
                },
                provider_recorder(organisation),
                notes=[(doc, "entry_seq")],
            )
        )
    return record


def _attendance(
    builder: CohortBuilder,
    rng: random.Random,
    plan: RunPlan,
    person: Person,
    enrolment: dict[str, Any],
) -> float:
    """One record per session attended; returns the hours that count (confirmed)."""
    diligent = rng.random() < 0.85
    counted = 0.0
    for session in plan.sessions:
        if rng.random() > (0.97 if diligent else 0.6):
            continue  # absent: no record
        hours = session.hours if rng.random() < 0.95 else session.hours / 2
        method = rng.choices(["face", "qr_code", "e_id", "manual"], weights=[45, 25, 10, 20])[0]
        recorded = at_millis(
            day_start(session.day) + timedelta(hours=session.hours, minutes=rng.randint(0, 50))
        )
        oid = object_id(builder.seed, recorded, "attendance", enrolment["_id"], session.n)
        # A QR code is the worker's own check-in, confirmed as it is made; what the provider
        # enters (face, e-ID, by hand) counts once the worker confirms it: the face and e-ID
        # entries later the same day (a delay drawn from the id, so the other draws stay as
        # they were), a fifth of the manual ones never.
        entered_by = "worker" if method == "qr_code" else "provider"
        confirmed_at: datetime | None = recorded
        status = "confirmed"
        if method == "manual":
            if rng.random() < 0.8:
                confirmed_at = at_millis(recorded + timedelta(hours=rng.uniform(1, 40)))
            else:
                status, confirmed_at = "unconfirmed", None
        elif method != "qr_code":
            delay = timedelta(minutes=20 + int(str(oid)[-4:], 16) % 600)
            confirmed_at = at_millis(recorded + delay)
        if status == "confirmed":
            counted += hours
        confirmed_ms = 0 if confirmed_at is None else int(confirmed_at.timestamp() * 1000)
        builder.docs["attendance"].append(
            {
                "_id": oid,
                "enrolment_id": str(enrolment["_id"]),
                "run_id": enrolment["run_id"],
                "organisation_id": enrolment["organisation_id"],
                "archive_id": person.id,
                "session_n": session.n,
                "hours": hours,
                "status": status,
                "capture_method": method,
                "check_in_ref": "" if method == "manual" else f"{method}-{str(oid)[-10:]}",
                "supersedes": None,
                "recorded_by": plan.organisation.principal_id,
                "recorded_at": recorded,
                "confirmed_at": confirmed_at,
                "confirmed_at_ms": confirmed_ms,
                "entered_by": entered_by,
                "device_hash": "",
                "late": False,
                "late_approved_by": "",
                "late_reason": "",
                "historical": False,
                "version": 1 if entered_by == "provider" and status == "confirmed" else 0,
                # The run's region; the worker's later confirmation is the record's one change.
                "region_code": plan.organisation.region_code,
                "changed_at_ms": confirmed_ms if entered_by == "provider" else 0,
            }
        )
    return counted


def add_certificates(builder: CohortBuilder, rng: random.Random, enrolled: list[Enrolled]) -> None:
    """Certificates for part of the passes (each level at least once a batch), with entries."""
    forced = [level for level, _ in CERTIFICATE_LEVELS]  # each level at least once a batch
    issued: dict[str, int] = {}
    for record in enrolled:
        if not record.passed or record.completed_at is None or rng.random() >= 0.45:
            continue
        issue_at = at_millis(record.completed_at + timedelta(days=rng.uniform(5, 40)))
        if issue_at >= builder.as_of - timedelta(hours=2):
            continue
        roll = rng.random()
        if forced:
            kind, level = "skill_level", forced.pop(0)
        elif roll < 0.08:
            kind, level = "special_ability", None
        else:
            kind = "qualification" if roll < 0.15 else "skill_level"
            level = weighted(rng, CERTIFICATE_LEVELS)
        person, organisation = record.person, record.run.organisation
        k = issued.get(person.id, 0)
        issued[person.id] = k + 1
        prefix = "SA" if kind == "special_ability" else "S"
        number = f"{prefix}{person.region_code}{issue_at:%y}{person.n:07d}{k:02d}"
        oid = object_id(builder.seed, issue_at, "certificate", person.n, k)
        body = (
            "四川省职业技能鉴定指导中心"
            if kind == "qualification" or organisation.kind is OrganisationKind.ENTERPRISE
            else organisation.name
        )
        doc = {
            "_id": oid,
            "number": number,
            "certificate_type": kind,
            "occupation_code": record.run.course.occupation_code,
            "level": level.value if level else None,
            "issuing_body": body,
            "issue_date": _stored_day((issue_at + timedelta(hours=8)).date()),
            "archive_id": person.id,
            "holder_name": person.name,
            "holder_region_code": person.region_code,
            "enrolment_id": str(record.doc["_id"]),
            "organisation_id": organisation.id,
            "road": "course",
            "assessment_id": "",
            "norm_code": "",
            "recorder_role": "provider",
            "status": "valid",
            "void_reason": "",
            "entry_seq": 0,
            "corrects_seq": 0,
            "change_reason": "",
            "changed_by": "",
            "changed_at_ms": 0,
            "version": 0,
            "recorded_at": issue_at,
            "recorded_by": organisation.principal_id,
        }
        builder.docs["certificates"].append(doc)
        person.entries.append(
            Entry(
                issue_at,
                EntryKind.CERTIFICATE_ISSUED,
                {
                    "certificate_id": str(oid),
                    "certificate_number": number,
                    "certificate_type": kind,
                    "occupation_code": doc["occupation_code"],
                    "level": doc["level"],
                    "issuing_body": body,
                    "issue_date": (issue_at + timedelta(hours=8)).date().isoformat(),
                    "enrolment_id": doc["enrolment_id"],
                    "provider_id": organisation.id,
                },
                provider_recorder(organisation),
                notes=[(doc, "entry_seq")],
            )
        )
