"""One batch of workers and everything that happened to them, as stored documents.

A batch (a cohort of up to ``batch_size`` workers) is self-contained: its runs enrol only its
own workers, its vouchers are bound to their enrolments, its apprenticeships name mentors it
registers itself, so a batch can be built (and rebuilt after a crash) from the seed, the
catalogue and the batch's index alone. Each worker's archive entries are put in time order and
chained at the end (``portfolio.archives.chain``), and the seq of each entry is noted on the
document that caused it, exactly as the services do.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bson import ObjectId

from portfolio.accounts.principal import Role
from portfolio.apprenticeships.rules import last_day_after_years
from portfolio.archives.chain import GENESIS_HASH, entry_hash, hashed_content
from portfolio.archives.kinds import EntryKind
from portfolio.identity.identifiers import CHINA_TIME
from portfolio.seed.catalogue import (
    SEEDER,
    Catalogue,
    CourseRef,
    OrganisationRef,
    PolicyRef,
    principal_document,
    worker_username,
)
from portfolio.seed.identities import at_millis, derive, object_id, person_name, rng_for
from portfolio.seed.people import (
    AWARDS,
    Entry,
    Person,
    PersonFactory,
    agency_recorder,
    provider_recorder,
)
from portfolio.training.documents import Session
from portfolio.training.enums import OrganisationKind
from portfolio.training.rules import Slot, first_clash, slots_of
from portfolio.vocabulary import SkillLevel
from portfolio.vouchers.documents import EligibilityRules
from portfolio.vouchers.rules import WorkerFacts, epoch_ms, evaluate

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
# What becomes of a voucher (weights); "rejected" ones were sent back once (then bound again,
# or claimed again and redeemed).
VOUCHER_FATES: tuple[tuple[str, int], ...] = (
    ("redeemed", 40),
    ("claimed", 12),
    ("bound", 8),
    ("rejected_bound", 3),
    ("rejected_redeemed", 3),
    ("issued", 14),
    ("cancelled", 6),
    ("released", 3),
    ("expired", 13),
)
APPRENTICESHIP_FATES: tuple[tuple[str, int], ...] = (
    ("draft", 10),
    ("approved", 8),
    ("confirmed", 5),
    ("active", 35),
    ("paused", 8),
    ("stopped", 12),
    ("completed", 22),
)
SYSTEM = {"principal": "system", "role": "system", "organisation": None, "region": None}
CLASS_WEIGHTS = (0.55, 0.25, 0.12, 0.08)  # enrolments per worker: 1, 2, 3, 0 (see below)
OPEN_SHARE = 0.10  # runs that ended and await their completion sheet
COLLECTIONS = (
    "archives",
    "archive_entries",
    "principals",
    "runs",
    "enrolments",
    "worker_schedules",
    "attendance",
    "certificates",
    "vouchers",
    "voucher_events",
    "ledger",
    "mentors",
    "apprenticeships",
    "apprenticeship_events",
    "apprentice_guards",
)


def _weighted(rng: random.Random, table: tuple[tuple[Any, Any], ...]) -> Any:
    return rng.choices([t[0] for t in table], weights=[t[1] for t in table])[0]


def _day_start(day: date) -> datetime:
    """09:00 China time on ``day`` (01:00 UTC)."""
    return datetime.combine(day, time(9), tzinfo=CHINA_TIME).astimezone(UTC)


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


@dataclass
class Batch:
    """The documents of one batch, per collection, and how many workers it holds."""

    index: int
    documents: dict[str, list[dict[str, Any]]]

    def count(self) -> dict[str, int]:
        """Documents per collection."""
        return {name: len(docs) for name, docs in self.documents.items() if docs}


@dataclass
class CohortBuilder:
    """Builds batch ``index`` (workers ``first .. first+size-1``)."""

    seed: int
    as_of: datetime
    catalogue: Catalogue
    factory: PersonFactory
    password_hash: str
    subsidy_for: Callable[[str], int]
    index: int
    first: int
    size: int
    docs: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in COLLECTIONS}
    )
    assigned: dict[str, int] = field(default_factory=dict)

    def build(self) -> Batch:
        """Every document of the batch."""
        rng = rng_for(self.seed, "batch", self.index)
        people = [self.factory.person(n) for n in range(self.first, self.first + self.size)]
        for person in people:
            self._principal(rng, person)
        enrolled = self._training(rng, people)
        self._certificates(rng, enrolled)
        self._vouchers(rng, people, enrolled)
        self._apprenticeships(rng, people)
        for person in people:
            if rng.random() < 0.03:
                at = at_millis(self.as_of - timedelta(days=rng.uniform(2, 400)))
                if at > person.registered_at:
                    person.entries.append(
                        Entry(
                            at,
                            EntryKind.AWARD,
                            {"title": rng.choice(AWARDS), "year": at.year},
                            agency_recorder(self.catalogue, person.region_code),
                        )
                    )
            self._chain(person)
            self.docs["archives"].append(person.archive)
        return Batch(self.index, self.docs)

    # ---- workers ---------------------------------------------------------------------

    def _principal(self, rng: random.Random, person: Person) -> None:
        created = at_millis(person.registered_at + timedelta(days=rng.uniform(0.1, 15)))
        doc = principal_document(
            seed=self.seed,
            username=worker_username(person.n),
            role=Role.WORKER,
            password_hash=self.password_hash,
            created_at=min(created, self.as_of - timedelta(hours=1)),
            archive_id=person.id,
        )
        person.principal_id = str(doc["_id"])
        self.docs["principals"].append(doc)

    def _chain(self, person: Person) -> None:
        """Order the entries by time, chain them, note each seq where it belongs."""
        person.entries.sort(key=lambda e: e.at)
        prev = GENESIS_HASH
        counters: dict[str, int] = {}
        for seq, entry in enumerate(person.entries, start=1):
            content = hashed_content(
                archive_id=person.id,
                seq=seq,
                kind=entry.kind.value,
                recorded_at=entry.at,
                recorded_by=entry.recorded_by,
                payload=entry.payload,
                corrects=None,
            )
            digest = entry_hash(prev, content)
            self.docs["archive_entries"].append(
                {
                    "_id": object_id(self.seed, entry.at, "entry", person.n, seq),
                    "archive_id": person.id,
                    "seq": seq,
                    "kind": entry.kind.value,
                    "recorded_at": entry.at,
                    "recorded_by": entry.recorded_by,
                    "payload": entry.payload,
                    "corrects": None,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            for document, name in entry.notes:
                document[name] = seq
            counters[entry.kind.value] = counters.get(entry.kind.value, 0) + 1
            prev = digest
        person.archive["head"] = {"seq": len(person.entries), "hash": prev}
        person.archive["counters"] = counters

    # ---- training --------------------------------------------------------------------

    def _run(self, rng: random.Random, k: int, open_run: bool, size: int) -> RunPlan:
        organisation = rng.choice(self.catalogue.organisations)
        course = rng.choice(organisation.courses)
        if open_run:
            # Ended in the last three weeks; the completion sheet is still to come.
            end_day = (self.as_of - timedelta(days=rng.uniform(2, 21))).date()
        else:
            end_day = (self.as_of - timedelta(days=rng.uniform(25, 1100))).date()
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
        start = _day_start(first_day)
        created = at_millis(start - timedelta(days=rng.uniform(20, 40)))
        oid = object_id(self.seed, created, "run", self.index, k)
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
            "sessions": [
                {"n": s.n, "day": _stored_day(s.day), "start": s.start, "hours": s.hours}
                for s in sessions
            ],
            "created_at": created,
            "created_by": organisation.principal_id,
        }
        batch = derive(self.seed, "completion-batch", self.index, k).hex()[:32]
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

    def _training(self, rng: random.Random, people: list[Person]) -> list[Enrolled]:
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
            plan = self._run(rng, k, open_run, size)
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
                record = self._enrol(rng, plan, person)
                enrolled.append(record)
                if record.status != "withdrawn":
                    booked.setdefault(person.id, []).extend(plan.slots)
            placed += len(chosen)
            plan.doc["seats_taken"] = sum(1 for e in plan.enrolled if e.status != "withdrawn")
            plan.doc["capacity"] = max(plan.doc["capacity"], plan.doc["seats_taken"])
            self.docs["runs"].append(plan.doc)
        for archive_id, slots in booked.items():
            runs = {s.run_id for s in slots}
            self.docs["worker_schedules"].append(
                {
                    "_id": object_id_of(archive_id),
                    "slots": [s.encode() for s in slots],
                    "version": len(runs),
                }
            )
        return enrolled

    def _enrol(self, rng: random.Random, plan: RunPlan, person: Person) -> Enrolled:
        organisation, course = plan.organisation, plan.course
        created = at_millis(plan.start - timedelta(days=rng.uniform(1, 15)))
        created = max(created, at_millis(person.registered_at + timedelta(hours=1)))
        oid = object_id(self.seed, created, "enrolment", plan.doc["_id"], person.n)
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
            "version": 1,
            "created_at": created,
            "created_by": organisation.principal_id,
            "updated_at": plan.start,
        }
        self.docs["enrolments"].append(doc)
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
        hours = self._attendance(rng, plan, person, doc)
        record = Enrolled(doc, person, plan, "in_training", False, hours, None)
        plan.enrolled.append(record)
        if plan.open:
            return record
        passed = hours > 0 and rng.random() < (0.93 if hours >= 0.6 * course.planned_hours else 0.4)
        completed_at = at_millis(
            _day_start(plan.end_day) + timedelta(days=rng.uniform(1, 10), hours=8)
        )
        completed_at = min(completed_at, self.as_of - timedelta(hours=30))
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
        self, rng: random.Random, plan: RunPlan, person: Person, enrolment: dict[str, Any]
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
                _day_start(session.day) + timedelta(hours=session.hours, minutes=rng.randint(0, 50))
            )
            confirmed_at: datetime | None = recorded
            status = "confirmed"
            if method == "manual":
                if rng.random() < 0.8:
                    confirmed_at = at_millis(recorded + timedelta(hours=rng.uniform(1, 40)))
                else:
                    status, confirmed_at = "unconfirmed", None
            if status == "confirmed":
                counted += hours
            oid = object_id(self.seed, recorded, "attendance", enrolment["_id"], session.n)
            self.docs["attendance"].append(
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
                    "version": 1 if method == "manual" and status == "confirmed" else 0,
                }
            )
        return counted

    def _certificates(self, rng: random.Random, enrolled: list[Enrolled]) -> None:
        forced = [level for level, _ in CERTIFICATE_LEVELS]  # each level at least once a batch
        issued: dict[str, int] = {}
        for record in enrolled:
            if not record.passed or record.completed_at is None or rng.random() >= 0.45:
                continue
            issue_at = at_millis(record.completed_at + timedelta(days=rng.uniform(5, 40)))
            if issue_at >= self.as_of - timedelta(hours=2):
                continue
            roll = rng.random()
            if forced:
                kind, level = "skill_level", forced.pop(0)
            elif roll < 0.08:
                kind, level = "special_ability", None
            else:
                kind = "qualification" if roll < 0.15 else "skill_level"
                level = _weighted(rng, CERTIFICATE_LEVELS)
            person, organisation = record.person, record.run.organisation
            k = issued.get(person.id, 0)
            issued[person.id] = k + 1
            prefix = "SA" if kind == "special_ability" else "S"
            number = f"{prefix}{person.region_code}{issue_at:%y}{person.n:07d}{k:02d}"
            oid = object_id(self.seed, issue_at, "certificate", person.n, k)
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
                "status": "valid",
                "void_reason": "",
                "entry_seq": 0,
                "version": 0,
                "recorded_at": issue_at,
                "recorded_by": organisation.principal_id,
            }
            self.docs["certificates"].append(doc)
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

    # ---- vouchers --------------------------------------------------------------------

    def _policy_for(self, person: Person, course: CourseRef | None, day: date) -> PolicyRef | None:
        """The policy that pays for ``course`` (any course when None) and admits the worker."""
        province = self.catalogue.policies["51"]
        city = self.catalogue.policies[person.city.code]
        for policy in (city, province) if person.n % 2 else (province, city):
            if (
                course is not None
                and policy.training_types
                and (course.training_type not in policy.training_types)
            ):
                continue
            age = person.age_on(day)
            if policy.min_age is not None and age < policy.min_age:
                continue
            if policy.max_age is not None and age > policy.max_age:
                continue
            return policy
        return None

    def _vouchers(self, rng: random.Random, people: list[Person], enrolled: list[Enrolled]) -> None:
        by_person: dict[str, list[Enrolled]] = {}
        for record in enrolled:
            by_person.setdefault(record.person.id, []).append(record)
        forced = [fate for fate, _ in VOUCHER_FATES]  # every fate at least once a batch
        for person in people:
            mine = by_person.get(person.id, [])
            # Vouchers go mostly to people who train: 60 % of those with a claimable
            # completion, 25 % of the others (who can only hold, lose or let one expire).
            if rng.random() >= (0.6 if _claimable(mine) else 0.25):
                continue
            fate = next((f for f in forced if _feasible(f, mine)), None)
            if fate is not None:
                forced.remove(fate)
            else:
                fate = _weighted(rng, tuple(f for f in VOUCHER_FATES if _feasible(f[0], mine)))
            VoucherStory(self, rng, person, mine, fate).write()

    # ---- apprenticeships -------------------------------------------------------------

    def _apprenticeships(self, rng: random.Random, people: list[Person]) -> None:
        forced = [fate for fate, _ in APPRENTICESHIP_FATES]
        mentors: dict[str, list[dict[str, Any]]] = {}
        schools = [
            o
            for o in self.catalogue.institutions()
            if o.kind in (OrganisationKind.TECHNICAL_SCHOOL, OrganisationKind.VOCATIONAL_COLLEGE)
        ] or self.catalogue.institutions()
        for person in people:
            if person.employer is None or person.employed_since is None or rng.random() >= 0.6:
                continue
            early = person.employed_since < (self.as_of - timedelta(days=520)).date()
            fate = next((f for f in forced if f != "completed" or early), None)
            if fate is not None:
                forced.remove(fate)
            else:
                fate = _weighted(rng, APPRENTICESHIP_FATES)
            AgreementStory(self, rng, person, rng.choice(schools), fate, mentors).write()

    def mentor(
        self,
        rng: random.Random,
        organisation: OrganisationRef,
        mentors: dict[str, list[dict[str, Any]]],
        at: datetime,
    ) -> dict[str, Any]:
        """A mentor of ``organisation`` registered by this batch, with room for one more
        (each guides at most four of the batch's apprentices: well under the cap of eight)."""
        pool = mentors.setdefault(organisation.id, [])
        for mentor in pool:
            if self.assigned.get(str(mentor["_id"]), 0) < 4:
                break
        else:
            oid = object_id(self.seed, at, "mentor", self.index, organisation.id, len(pool))
            mentor = {
                "_id": oid,
                "name": person_name(rng),
                "level": rng.choice(["senior", "technician", "technician", "senior_technician"]),
                "organisation_id": organisation.id,
                "region_code": organisation.region_code,
                "active_apprentices": 0,
                "created_at": at,
                "created_by": SEEDER,
            }
            pool.append(mentor)
            self.docs["mentors"].append(mentor)
        self.assigned[str(mentor["_id"])] = self.assigned.get(str(mentor["_id"]), 0) + 1
        return mentor


def _claimable(enrolments: list[Enrolled]) -> list[Enrolled]:
    """Passed completions with the confirmed attendance a claim needs (80 % of the hours)."""
    return [e for e in enrolments if e.passed and e.hours >= 0.8 * e.run.course.planned_hours]


def _feasible(fate: str, enrolments: list[Enrolled]) -> bool:
    """Whether a worker with these enrolments can have a voucher of ``fate``."""
    if fate in ("redeemed", "claimed", "rejected_redeemed"):
        return bool(_claimable(enrolments))
    if fate in ("bound", "rejected_bound"):
        return bool(_claimable(enrolments)) or any(e.run.open for e in enrolments)
    if fate == "released":
        return any(e.status == "withdrawn" for e in enrolments)
    return True


def object_id_of(hex_id: str) -> ObjectId:
    """An ObjectId from its hex form."""
    return ObjectId(hex_id)


@dataclass
class VoucherStory:
    """One voucher's life: issue, perhaps consent and bind, claim, reject, redeem, or an end."""

    builder: CohortBuilder
    rng: random.Random
    person: Person
    enrolments: list[Enrolled]
    fate: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def _claimable(self) -> list[Enrolled]:
        return _claimable(self.enrolments)

    def write(self) -> None:
        """Plan the voucher's life and add its documents (voucher, events, ledger, entry)."""
        as_of = self.builder.as_of
        fate = self.fate
        target: Enrolled | None = None
        if fate in ("redeemed", "claimed", "rejected_redeemed"):
            candidates = self._claimable()
            target = self.rng.choice(candidates) if candidates else None
        elif fate in ("bound", "rejected_bound"):
            open_ones = [e for e in self.enrolments if e.run.open]
            candidates = open_ones or self._claimable()
            target = self.rng.choice(candidates) if candidates else None
        elif fate == "released":
            withdrawn = [e for e in self.enrolments if e.status == "withdrawn"]
            target = self.rng.choice(withdrawn) if withdrawn else None
        if fate not in ("issued", "cancelled", "expired") and target is None:
            fate = "issued"
        course = target.run.course if target else None
        if target is not None:
            issued_at = at_millis(target.run.start - timedelta(days=self.rng.uniform(3, 50)))
            issued_at = max(issued_at, at_millis(self.person.registered_at + timedelta(days=1)))
            if issued_at >= target.run.start:
                fate, target, course = "issued", None, None
        if target is None:
            back = 400 if fate == "expired" else (200 if fate != "issued" else 250)
            low = 380 if fate == "expired" else 3
            issued_at = at_millis(
                as_of - timedelta(days=self.rng.uniform(low, max(low + 1, back + low)))
            )
            if issued_at <= self.person.registered_at:
                issued_at = at_millis(self.person.registered_at + timedelta(hours=20))
        policy = self.builder._policy_for(self.person, course, issued_at.date())
        if policy is None:
            if target is None:
                return
            fate, target, course = "issued", None, None
            policy = self.builder._policy_for(self.person, None, issued_at.date())
            if policy is None:
                return
        self._write(policy, issued_at, fate, target)

    def _write(
        self, policy: PolicyRef, issued_at: datetime, fate: str, target: Enrolled | None
    ) -> None:
        builder, rng, person = self.builder, self.rng, self.person
        seed, as_of = builder.seed, builder.as_of
        oid = object_id(seed, issued_at, "voucher", person.n)
        str(oid)
        valid_until = at_millis(issued_at + timedelta(days=policy.validity_days))
        agency = agency_recorder(builder.catalogue, person.region_code)
        # The province's agency issues the province's vouchers; a city's its own.
        if policy.region_prefix == "51":
            province = builder.catalogue.agencies["51"]
            agency = {**agency, "principal": province.principal_id, "region": "51"}
        worker = {
            "principal": person.principal_id,
            "role": "worker",
            "organisation": None,
            "region": None,
        }
        state: dict[str, Any] = {
            "status": "issued",
            "provider_may_bind": False,
            "enrolment_id": "",
            "organisation_id": "",
            "claimed_amount_fen": 0,
            "claimed_at_ms": 0,
            "claim_note": "",
            "redeemed_amount_fen": 0,
            "redeemed_at_ms": 0,
        }

        def event(
            action: str,
            to: str,
            at: datetime,
            by: dict[str, Any],
            reason: str = "",
            details: dict[str, str] | None = None,
        ) -> None:
            record = {
                "version": len(self.events),
                "action": action,
                "from_state": state["status"] if self.events else None,
                "to_state": to,
                "reason": reason,
                "by": by,
                "at": at,
                "details": details or {},
            }
            self.events.append(record)
            state["status"] = to

        event(
            "issue",
            "issued",
            issued_at,
            agency,
            details={"policy_id": policy.id, "policy_version": "1"},
        )
        moment = issued_at
        last_ok = min(valid_until, as_of) - timedelta(hours=1)
        if fate == "cancelled":
            at = at_millis(moment + timedelta(days=rng.uniform(2, 40)))
            if at < last_ok:
                event(
                    "cancel",
                    "cancelled",
                    at,
                    agency,
                    reason=rng.choice(["本人已离开本省", "重复发放", "本人申请放弃"]),
                )
        elif target is not None:
            run = target.run
            course = run.course
            provider = provider_recorder(run.organisation)
            # Bound soon after the enrolment (before the class began, so before any withdrawal).
            bind_at = at_millis(target.doc["created_at"] + timedelta(hours=rng.uniform(0.1, 1)))
            bind_at = max(bind_at, at_millis(moment + timedelta(hours=1)))
            by_provider = rng.random() < 0.3
            if by_provider:
                consent_at = at_millis(bind_at - timedelta(minutes=rng.randint(5, 600)))
                consent_at = max(consent_at, at_millis(moment + timedelta(minutes=1)))
                event(
                    "consent",
                    "issued",
                    consent_at,
                    worker,
                    reason="provider may bind",
                    details={"provider_may_bind": "true"},
                )
            eid = str(target.doc["_id"])
            event(
                "bind",
                "bound",
                bind_at,
                provider if by_provider else worker,
                details={
                    "enrolment_id": eid,
                    "course_id": course.id,
                    "organisation_id": run.organisation.id,
                },
            )
            state.update(enrolment_id=eid, organisation_id=run.organisation.id)
            moment = bind_at
            if fate == "released":
                at = at_millis(max(target.doc["updated_at"], moment + timedelta(minutes=1)))
                event(
                    "release",
                    "issued",
                    at,
                    provider,
                    reason="本人申请退出",
                    details={"enrolment_id": eid},
                )
                state.update(enrolment_id="", organisation_id="")
            elif fate in ("redeemed", "claimed", "rejected_redeemed", "rejected_bound") and (
                target.completed_at is not None
            ):
                cap = min(policy.face_value_fen, course.subsidy_standard_fen)
                amount = cap if rng.random() < 0.85 else cap * 8 // 10
                claims = 2 if fate == "rejected_redeemed" else 1
                at = target.completed_at
                for attempt in range(claims):
                    at = at_millis(at + timedelta(days=rng.uniform(0.5, 8)))
                    if at >= last_ok:
                        break
                    event(
                        "claim",
                        "claimed",
                        at,
                        provider,
                        details={
                            "amount_fen": str(amount),
                            "enrolment_id": eid,
                            "course_id": course.id,
                            "organisation_id": run.organisation.id,
                            "hours_attended": f"{target.hours:g}",
                        },
                    )
                    state.update(
                        claimed_amount_fen=amount, claimed_at_ms=epoch_ms(at), claim_note=""
                    )
                    rejected = fate == "rejected_bound" or (
                        fate == "rejected_redeemed" and attempt == 0
                    )
                    decided = at_millis(at + timedelta(days=rng.uniform(1, 20)))
                    if fate == "claimed" or decided >= as_of - timedelta(hours=1):
                        break
                    if rejected:
                        code = rng.choice(
                            ["documents_missing", "worker_not_confirmed", "amount_not_justified"]
                        )
                        event(
                            "reject",
                            "bound",
                            decided,
                            agency,
                            reason=code,
                            details={
                                "reason_code": code,
                                "note": "",
                                "amount_fen": str(amount),
                                "enrolment_id": eid,
                            },
                        )
                        state.update(claimed_amount_fen=0, claimed_at_ms=0, claim_note="")
                        at = decided
                        continue
                    event(
                        "redeem",
                        "redeemed",
                        decided,
                        agency,
                        details={
                            "amount_fen": str(amount),
                            "enrolment_id": eid,
                            "organisation_id": run.organisation.id,
                        },
                    )
                    state.update(redeemed_amount_fen=amount, redeemed_at_ms=epoch_ms(decided))
                    break
        if state["status"] in ("issued", "bound") and valid_until <= as_of:
            at = at_millis(
                min(
                    valid_until + timedelta(hours=rng.uniform(0.5, 30)),
                    as_of - timedelta(minutes=5),
                )
            )
            event("expire", "expired", at, SYSTEM, reason=f"valid until {valid_until.isoformat()}")
        self._documents(policy, oid, issued_at, valid_until, state)

    def _documents(
        self,
        policy: PolicyRef,
        oid: Any,
        issued_at: datetime,
        valid_until: datetime,
        state: dict[str, Any],
    ) -> None:
        builder, person = self.builder, self.person
        vid = str(oid)
        status = state["status"]
        rules = EligibilityRules(
            min_age=policy.min_age, max_age=policy.max_age, region_prefix=policy.region_prefix
        )
        facts = WorkerFacts(
            birth_date=person.birth,
            region_code=person.region_code,
            unemployed_since=None,
            unemployment_insured_since=None,
            unused_voucher_issued_on=None,
        )
        today = (issued_at + timedelta(hours=8)).date()
        grounds = [o.model_dump(mode="json") for o in evaluate(rules, facts, today=today)]
        last = self.events[-1]
        doc = {
            "_id": oid,
            "policy_id": policy.id,
            "policy_key": policy.id,
            "policy_version": 1,
            "policy_name": policy.name,
            "region_code": person.region_code,
            "archive_id": person.id,
            "worker_name": person.name,
            "worker_masked_id": person.masked,
            "face_value_fen": policy.face_value_fen,
            "coverage": {
                "training_types": [t.value for t in policy.training_types],
                "occupation_codes": [],
                "brands": [],
            },
            "valid_from": issued_at,
            "valid_until": valid_until,
            "valid_until_ms": epoch_ms(valid_until),
            "status": status,
            "grounds": grounds,
            "issue_note": "",
            "provider_may_bind": False,
            "enrolment_id": state["enrolment_id"],
            "organisation_id": state["organisation_id"],
            "holding_key": (
                f"{policy.id}|{person.id}" if status in ("issued", "bound") else f"free|{vid}"
            ),
            "binding_key": (
                f"enrolment|{state['enrolment_id']}"
                if status in ("bound", "claimed", "redeemed")
                else f"free|{vid}"
            ),
            "claimed_amount_fen": state["claimed_amount_fen"],
            "claimed_at_ms": state["claimed_at_ms"],
            "claim_note": state["claim_note"],
            "redeemed_amount_fen": state["redeemed_amount_fen"],
            "redeemed_at_ms": state["redeemed_at_ms"],
            "redeemed_entry_seq": 0,
            "version": len(self.events) - 1,
            "last_event": last,
            "created_at": issued_at,
            "updated_at": last["at"],
        }
        builder.docs["vouchers"].append(doc)
        for record in self.events:
            builder.docs["voucher_events"].append(
                {
                    "_id": f"{vid}:{record['version']}",
                    "voucher_id": vid,
                    "archive_id": person.id,
                    "region_code": person.region_code,
                    **record,
                }
            )
        if status == "redeemed":
            at = last["at"]
            builder.docs["ledger"].append(
                {
                    "_id": f"redeem:{vid}",
                    "kind": "redeem",
                    "voucher_id": vid,
                    "region_code": person.region_code,
                    "organisation_id": state["organisation_id"],
                    "archive_id": person.id,
                    "enrolment_id": state["enrolment_id"],
                    "policy_key": policy.id,
                    "amount_fen": state["redeemed_amount_fen"],
                    "at": at,
                    "at_ms": state["redeemed_at_ms"],
                    "by": last["by"],
                }
            )
            person.entries.append(
                Entry(
                    at,
                    EntryKind.VOUCHER_REDEEMED,
                    {
                        "voucher_id": vid,
                        "amount_fen": state["redeemed_amount_fen"],
                        "policy_key": policy.id,
                        "policy_name": policy.name,
                        "enrolment_id": state["enrolment_id"],
                        "provider_id": state["organisation_id"],
                        "region_code": person.region_code,
                    },
                    last["by"],
                    notes=[(doc, "redeemed_entry_seq")],
                )
            )


@dataclass
class AgreementStory:
    """One apprenticeship agreement from its draft to where its fate leaves it."""

    builder: CohortBuilder
    rng: random.Random
    person: Person
    school: OrganisationRef
    fate: str
    mentors: dict[str, list[dict[str, Any]]]

    def write(self) -> None:
        """Add the agreement, its events, mentors, guard and archive entries."""
        builder, rng, person = self.builder, self.rng, self.person
        employer = person.employer
        assert employer is not None
        assert person.employed_since is not None
        as_of = builder.as_of
        created = at_millis(_day_start(person.employed_since) + timedelta(days=rng.uniform(5, 60)))
        if created >= as_of - timedelta(days=20):
            return
        fate = self.fate
        planned_start = (created + timedelta(days=30)).date()
        years = 1 if fate == "completed" else rng.choice((1, 2, 2))
        planned_end = last_day_after_years(planned_start, years)
        started = planned_start + timedelta(days=rng.randint(0, 10))
        today = (as_of - timedelta(hours=1)).date()
        running_fates = ("active", "paused", "stopped", "completed")
        if fate in running_fates and started >= today:
            fate = "confirmed"
        if fate == "completed" and planned_end >= today:
            fate = "active"
        target = rng.choice([L.INTERMEDIATE, L.INTERMEDIATE, L.SENIOR, L.TECHNICIAN])
        course = rng.choice(employer.courses)
        mentor_at = at_millis(created - timedelta(days=1))
        e_mentor = builder.mentor(rng, employer, self.mentors, mentor_at)
        s_mentor = builder.mentor(rng, self.school, self.mentors, mentor_at)
        oid = object_id(builder.seed, created, "apprenticeship", person.n)
        aid = str(oid)
        employer_by = employer.principal_id
        events: list[dict[str, Any]] = []
        fields: dict[str, Any] = {}

        def event(
            action: str,
            party: str,
            by: str,
            at: datetime,
            on: date | None = None,
            reason: str = "",
            details: dict[str, Any] | None = None,
        ) -> None:
            events.append(
                {
                    "version": len(events),
                    "action": action,
                    "party": party,
                    "on": on.isoformat() if on else "",
                    "reason": reason,
                    "details": details or {},
                    "by": by,
                    "at": at,
                }
            )

        step = created
        event("created", "employer", employer_by, created)
        order = ["draft", "approved", "confirmed", *running_fates]
        reach = order.index(fate) if fate in order else 0
        status = "draft"
        if (reach >= 0 and fate != "draft") or rng.random() < 0.5:
            step = at_millis(step + timedelta(days=rng.uniform(0.5, 5)))
            event("approved", "employer", employer_by, step)
            fields["employer_approved"] = True
        if reach >= 1:
            step = at_millis(step + timedelta(days=rng.uniform(0.5, 5)))
            event("approved", "institution", self.school.principal_id, step)
            step = at_millis(step + timedelta(days=rng.uniform(1, 10)))
            agency = builder.catalogue.agencies[employer.region_code[:4]]
            event("approved", "agency", agency.principal_id, step)
            fields.update(institution_approved=True, agency_approved=True)
            status = "approved"
        if reach >= 2:
            step = at_millis(step + timedelta(days=rng.uniform(0.2, 5)))
            event("confirmed", "worker", person.principal_id, step)
            status = "confirmed"
        started_on = ended_on = last_step = end_reason = ""
        level_reached = None
        start_seq_doc: list[str] = []
        if reach >= 3:
            start_at = at_millis(max(step + timedelta(hours=1), _day_start(started)))
            event("started", "employer", employer_by, start_at, on=started)
            status, started_on, last_step = "active", started.isoformat(), started.isoformat()
            start_seq_doc.append("start_entry_seq")
            last_day = started
            if fate == "paused" or (fate in ("stopped", "completed") and rng.random() < 0.3):
                pause_day = last_day + timedelta(days=rng.randint(30, 200))
                if pause_day < today:
                    event(
                        "paused",
                        "employer",
                        employer_by,
                        _day_start(pause_day),
                        on=pause_day,
                        reason="企业停产检修",
                    )
                    status, last_step, last_day = "paused", pause_day.isoformat(), pause_day
                    if fate != "paused":
                        resume_day = pause_day + timedelta(days=rng.randint(10, 60))
                        if resume_day < today:
                            event(
                                "resumed",
                                "employer",
                                employer_by,
                                _day_start(resume_day),
                                on=resume_day,
                            )
                            status, last_step, last_day = (
                                "active",
                                resume_day.isoformat(),
                                resume_day,
                            )
            if fate in ("stopped", "completed") and status == "active":
                if fate == "completed":
                    end_day = min(planned_end, today)
                    reached = target if rng.random() < 0.75 else L.INTERMEDIATE
                    event(
                        "completed",
                        "employer",
                        employer_by,
                        _day_start(end_day) + timedelta(hours=2),
                        on=end_day,
                        details={"level_reached": reached.value, "certificate_entry_seq": None},
                    )
                    status, ended_on, level_reached = "completed", end_day.isoformat(), reached
                else:
                    end_day = last_day + timedelta(days=rng.randint(20, 300))
                    if end_day < today:
                        end_reason = rng.choice(
                            ["学徒解除劳动合同", "企业经营调整", "学徒个人原因"]
                        )
                        event(
                            "stopped",
                            "employer",
                            employer_by,
                            _day_start(end_day) + timedelta(hours=2),
                            on=end_day,
                            reason=end_reason,
                        )
                        status, ended_on = "stopped", end_day.isoformat()
        if status in ("active", "paused"):
            # The mentors' slots are held while the agreement runs (given back when it ends).
            e_mentor["active_apprentices"] += 1
            s_mentor["active_apprentices"] += 1
        last = events[-1]
        doc: dict[str, Any] = {
            "_id": oid,
            "employer_id": employer.id,
            "employer_name": employer.name,
            "employer_credit_code": employer.credit_code,
            "region_code": employer.region_code,
            "institution_id": self.school.id,
            "institution_name": self.school.name,
            "archive_id": person.id,
            "worker_name": person.name,
            "worker_masked_id": person.masked,
            "worker_region_code": person.region_code,
            "occupation_code": course.occupation_code,
            "target_level": target.value,
            "plan": {
                "planned_start": planned_start.isoformat(),
                "planned_end": planned_end.isoformat(),
                "extension_reason": "",
                "enterprise_hours": rng.choice((600, 800, 1000)),
                "institution_hours": rng.choice((200, 300, 400)),
                "enterprise_mentor": {
                    "id": str(e_mentor["_id"]),
                    "name": e_mentor["name"],
                    "level": e_mentor["level"],
                },
                "school_mentor": {
                    "id": str(s_mentor["_id"]),
                    "name": s_mentor["name"],
                    "level": s_mentor["level"],
                },
            },
            "subsidy_fen_per_year": builder.subsidy_for(employer.region_code),
            "status": status,
            "employer_approved": fields.get("employer_approved", False),
            "institution_approved": fields.get("institution_approved", False),
            "agency_approved": fields.get("agency_approved", False),
            "started_on": started_on,
            "ended_on": ended_on,
            "last_step_on": last_step,
            "end_reason": end_reason,
            "level_reached": level_reached.value if level_reached else None,
            "certificate_entry_seq": 0,
            "start_entry_seq": 0,
            "end_entry_seq": 0,
            "pending_change": None,
            "changes_count": 0,
            "last_event": last,
            "version": len(events) - 1,
            "created_at": created,
            "created_by": employer_by,
            "updated_at": last["at"],
        }
        builder.docs["apprenticeships"].append(doc)
        for record in events:
            builder.docs["apprenticeship_events"].append(
                {"_id": f"{aid}:{record['version']}", "apprenticeship_id": aid, **record}
            )
        recorder = provider_recorder(employer)
        if started_on:
            start_event = next(e for e in events if e["action"] == "started")
            person.entries.append(
                Entry(
                    start_event["at"],
                    EntryKind.APPRENTICESHIP_STARTED,
                    {
                        "apprenticeship_id": aid,
                        "occupation_code": doc["occupation_code"],
                        "target_level": target.value,
                        "employer_name": employer.name,
                        "employer_credit_code": employer.credit_code,
                        "institution_name": self.school.name,
                        "start": started_on,
                        "planned_end": planned_end.isoformat(),
                        "region_code": employer.region_code,
                    },
                    recorder,
                    notes=[(doc, "start_entry_seq")],
                )
            )
            guard_running = status in ("active", "paused")
            builder.docs["apprentice_guards"].append(
                {
                    "_id": person.archive_id,
                    "apprenticeship_id": aid if guard_running else "",
                    "claim": derive(builder.seed, "guard", aid).hex()[:16] if guard_running else "",
                    "claimed_at_ms": epoch_ms(start_event["at"]),
                    "version": 1 if guard_running else 2,
                }
            )
        if ended_on:
            common = {
                "apprenticeship_id": aid,
                "end": ended_on,
                "occupation_code": doc["occupation_code"],
                "target_level": target.value,
                "employer_name": employer.name,
            }
            if status == "completed":
                kind = EntryKind.APPRENTICESHIP_COMPLETED
                payload = {
                    **common,
                    "level_reached": doc["level_reached"],
                    "certificate_entry_seq": None,
                }
            else:
                kind = EntryKind.APPRENTICESHIP_STOPPED
                payload = {**common, "reason": end_reason}
            person.entries.append(
                Entry(last["at"], kind, payload, recorder, notes=[(doc, "end_entry_seq")])
            )
