"""Apprenticeships of one batch: agreements of employed workers, their mentors, events and guards.

A worker employed by a seeded enterprise on a long contract (the apprentice pool) may sign an
agreement with the employer and a technical school or vocational college; its fate
(``APPRENTICESHIP_FATES``) decides how far it goes: draft, approved by the three parties,
confirmed by the worker, started, paused and resumed, stopped or completed. Each step is an
apprenticeship event; a start holds the worker's apprentice guard; a start and an end each
leave an archive entry. A completion follows the service's rules: on the planned end (within
the tolerance), attested by a skill-level certificate of the level reached in the worker's
archive (the assessment the institution records shortly before), ``below_plan`` when that
level lies below the target. The mentors the agreements name are registered by the batch itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from portfolio.apprenticeships.rules import last_day_after_years
from portfolio.archives.kinds import EntryKind
from portfolio.seed.accounts import SEEDER
from portfolio.seed.catalogue import OrganisationRef
from portfolio.seed.common import day_start, weighted
from portfolio.seed.identities import at_millis, derive, object_id, person_name
from portfolio.seed.people import Entry, Person, provider_recorder
from portfolio.training.enums import OrganisationKind
from portfolio.vocabulary import SkillLevel
from portfolio.vouchers.rules import epoch_ms

if TYPE_CHECKING:
    from portfolio.seed.cohort import CohortBuilder

L = SkillLevel
# What becomes of an agreement (weights).
APPRENTICESHIP_FATES: tuple[tuple[str, int], ...] = (
    ("draft", 10),
    ("approved", 8),
    ("confirmed", 5),
    ("active", 35),
    ("paused", 8),
    ("stopped", 12),
    ("completed", 22),
)


def add_apprenticeships(builder: CohortBuilder, rng: random.Random, people: list[Person]) -> None:
    """The batch's agreements (every fate at least once a batch where it can happen)."""
    forced = [fate for fate, _ in APPRENTICESHIP_FATES]
    mentors = Mentors(builder)
    schools = [
        o
        for o in builder.catalogue.institutions()
        if o.kind in (OrganisationKind.TECHNICAL_SCHOOL, OrganisationKind.VOCATIONAL_COLLEGE)
    ] or builder.catalogue.institutions()
    for person in people:
        if person.employer is None or person.employed_since is None or rng.random() >= 0.6:
            continue
        early = person.employed_since < (builder.as_of - timedelta(days=520)).date()
        fate = next((f for f in forced if f != "completed" or early), None)
        if fate is not None:
            forced.remove(fate)
        else:
            fate = weighted(rng, APPRENTICESHIP_FATES)
        AgreementStory(builder, rng, person, rng.choice(schools), fate, mentors).write()


@dataclass
class Mentors:
    """The mentors the batch registers, per organisation, and how many apprentices each has
    been given."""

    builder: CohortBuilder
    pool: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    assigned: dict[str, int] = field(default_factory=dict)

    def take(
        self, rng: random.Random, organisation: OrganisationRef, at: datetime
    ) -> dict[str, Any]:
        """A mentor of ``organisation`` registered by this batch, with room for one more
        (each guides at most four of the batch's apprentices: well under the cap of eight)."""
        builder = self.builder
        pool = self.pool.setdefault(organisation.id, [])
        for mentor in pool:
            if self.assigned.get(str(mentor["_id"]), 0) < 4:
                break
        else:
            oid = object_id(builder.seed, at, "mentor", builder.index, organisation.id, len(pool))
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
            builder.docs["mentors"].append(mentor)
        self.assigned[str(mentor["_id"])] = self.assigned.get(str(mentor["_id"]), 0) + 1
        return mentor


@dataclass
class AgreementStory:
    """One apprenticeship agreement from its draft to where its fate leaves it."""

    builder: CohortBuilder
    rng: random.Random
    person: Person
    school: OrganisationRef
    fate: str
    mentors: Mentors

    def write(self) -> None:
        """Add the agreement, its events, mentors, guard and archive entries."""
        builder, rng, person = self.builder, self.rng, self.person
        employer = person.employer
        assert employer is not None
        assert person.employed_since is not None
        as_of = builder.as_of
        created = at_millis(day_start(person.employed_since) + timedelta(days=rng.uniform(5, 60)))
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
        e_mentor = self.mentors.take(rng, employer, mentor_at)
        s_mentor = self.mentors.take(rng, self.school, mentor_at)
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
        below_plan = False
        completion: dict[str, Any] = {}
        start_seq_doc: list[str] = []
        if reach >= 3:
            start_at = at_millis(max(step + timedelta(hours=1), day_start(started)))
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
                        day_start(pause_day),
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
                                day_start(resume_day),
                                on=resume_day,
                            )
                            status, last_step, last_day = (
                                "active",
                                resume_day.isoformat(),
                                resume_day,
                            )
            if fate in ("stopped", "completed") and status == "active":
                if fate == "completed":
                    # The planned end has passed (see above): completed on it.
                    end_day = min(planned_end, today)
                    reached = target if rng.random() < 0.75 else L.INTERMEDIATE
                    below_plan = reached.rank < target.rank
                    # The seq of the attesting certificate is noted here once known.
                    completion = {
                        "level_reached": reached.value,
                        "certificate_entry_seq": None,
                        "below_plan": below_plan,
                    }
                    event(
                        "completed",
                        "employer",
                        employer_by,
                        day_start(end_day) + timedelta(hours=2),
                        on=end_day,
                        details=completion,
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
                            day_start(end_day) + timedelta(hours=2),
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
            "below_plan": below_plan,
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
                    "below_plan": below_plan,
                }
                self._assessment(doc, completion, payload)
            else:
                kind = EntryKind.APPRENTICESHIP_STOPPED
                payload = {**common, "reason": end_reason}
            person.entries.append(
                Entry(last["at"], kind, payload, recorder, notes=[(doc, "end_entry_seq")])
            )

    def _assessment(
        self, doc: dict[str, Any], completion: dict[str, Any], payload: dict[str, Any]
    ) -> None:
        """The skill-level certificate that attests the level reached: recorded by the
        institution a few days before the completion; its seq noted on the agreement, the
        completion event and the completion entry."""
        person, ended = self.person, date.fromisoformat(doc["ended_on"])
        issued = day_start(ended - timedelta(days=self.rng.randint(2, 14))) + timedelta(hours=3)
        person.entries.append(
            Entry(
                at_millis(issued),
                EntryKind.CERTIFICATE_ISSUED,
                {
                    "certificate_number": f"A{person.region_code}{ended:%y}{person.n:07d}",
                    "certificate_type": "skill_level",
                    "occupation_code": doc["occupation_code"],
                    "level": doc["level_reached"],
                    "issuing_body": "四川省职业技能鉴定指导中心",
                    "issue_date": (issued + timedelta(hours=8)).date().isoformat(),
                },
                provider_recorder(self.school),
                notes=[
                    (doc, "certificate_entry_seq"),
                    (completion, "certificate_entry_seq"),
                    (payload, "certificate_entry_seq"),
                ],
            )
        )
