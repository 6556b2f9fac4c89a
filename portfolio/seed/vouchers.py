"""Vouchers of one batch: each voucher's whole life, as the voucher service would have left it.

A voucher is issued under a policy of the worker's city or of the province that admits the
worker, and its fate (``VOUCHER_FATES``) decides what follows: consent and binding to one of
the worker's enrolments (``portfolio.seed.training``), a claim after a passed completion, a
rejection, a redemption, a release after a withdrawal, a cancellation, or expiry. Every
transition is a voucher event; every redemption has its ledger row and archive entry. Every
fate appears at least once a batch, where the batch's enrolments allow it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from portfolio.archives.kinds import EntryKind
from portfolio.seed.catalogue import Catalogue, CourseRef, PolicyRef
from portfolio.seed.common import weighted
from portfolio.seed.identities import at_millis, object_id
from portfolio.seed.people import Entry, Person, agency_recorder, provider_recorder
from portfolio.seed.training import Enrolled
from portfolio.vouchers.documents import EligibilityRules
from portfolio.vouchers.review_fields import review_defaults
from portfolio.vouchers.rules import WorkerFacts, epoch_ms, evaluate

if TYPE_CHECKING:
    from portfolio.seed.cohort import CohortBuilder

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
SYSTEM = {"principal": "system", "role": "system", "organisation": None, "region": None}


def add_vouchers(
    builder: CohortBuilder, rng: random.Random, people: list[Person], enrolled: list[Enrolled]
) -> None:
    """The batch's vouchers (with events, ledger rows and entries), bound to ``enrolled``."""
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
            fate = weighted(rng, tuple(f for f in VOUCHER_FATES if _feasible(f[0], mine)))
        VoucherStory(builder, rng, person, mine, fate).write()


def _policy_for(
    catalogue: Catalogue, person: Person, course: CourseRef | None, day: date
) -> PolicyRef | None:
    """The policy that pays for ``course`` (any course when None) and admits the worker."""
    province = catalogue.policies["51"]
    city = catalogue.policies[person.city.code]
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
        policy = _policy_for(self.builder.catalogue, self.person, course, issued_at.date())
        if policy is None:
            if target is None:
                return
            fate, target, course = "issued", None, None
            policy = _policy_for(self.builder.catalogue, self.person, None, issued_at.date())
            if policy is None:
                return
        self._write(policy, issued_at, fate, target)

    def _write(
        self, policy: PolicyRef, issued_at: datetime, fate: str, target: Enrolled | None
    ) -> None:
        builder, rng, person = self.builder, self.rng, self.person
        seed, as_of = builder.seed, builder.as_of
        oid = object_id(seed, issued_at, "voucher", person.n)
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
            "funding_source": policy.funding_source,
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
            # Seeded claims predate the fraud rules and the worker's attestation: no flags,
            # no wait (the model's defaults, written out as the services write them).
            **review_defaults(),
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
                    "funding_source": policy.funding_source,
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
