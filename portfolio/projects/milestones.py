"""A project's milestones: the provider claims one, the agency approves or rejects it, and the
approval pays it. The guarantees are the voucher claims':

* **Measured, not declared.** A claim is refused (422, field ``milestone``, rule
  ``condition_not_met``) unless the records meet the milestone's condition now
  (``measuring.py``: confirmed attendance only, completions with enough confirmed hours); the
  approval measures again, since records may have been voided since the claim.
* **Not while suspended.** A suspended provider reads its projects but claims nothing (403,
  the check voucher claims make: ``training.acting_organisation``).
* **Flagged.** The fraud rules run at the claim and their flags travel with it; the workers'
  disputes are counted at the decision. Approving a claim with either needs the officer to
  acknowledge them (rule ``acknowledge_flags``).
* **Four eyes** above the project's ``two_approvals_above_fen``: the first approval is noted,
  a second officer's pays (the same officer twice: 409).
* **Exactly once, within the budget.** Payment is one conditional update of the project: on
  its ``version`` and on ``paid_fen <= budget_fen - amount``; it marks the milestone paid, adds
  the amount and notes the milestone as unposted. Then the ledger entry is inserted under the
  deterministic id ``"milestone:<project>:<n>"`` (``vouchers.post``, ``insert_once``) with the
  project's fund, and the note is removed. A crash between the two leaves the note, and the
  repair routine (``finish_payments``) inserts the same entry: exactly one lands. Two officers
  approving at once: one update wins, the other gets 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.archives import Recorder
from portfolio.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from portfolio.faults import crash_point
from portfolio.integrity import Thresholds
from portfolio.projects.documents import (
    Milestone,
    MilestoneStatus,
    TrainingProject,
    milestone_entry_id,
)
from portfolio.projects.measuring import measure, screen
from portfolio.projects.service import trail, visible
from portfolio.projects.views import ProjectView
from portfolio.training import acting_organisation
from portfolio.vouchers import MILESTONE, Payment, post

AFTER_PAYMENT = "milestone:after_payment"
MAX_NOTE = 500


def _find(project: TrainingProject, n: int) -> Milestone:
    found = next((m for m in project.milestones if m.n == n), None)
    if found is None:
        raise ValidationFailed.single("milestone", "unknown", f"the project has no milestone {n}")
    return found


async def _update(
    project: TrainingProject,
    milestone: Milestone,
    *,
    now_ms: int,
    extra_filter: dict[str, object] | None = None,
    inc_paid: int = 0,
    unposted: int | None = None,
) -> TrainingProject:
    """Rewrite the milestone list with ``milestone`` replaced: one conditional update on the
    project's version (and ``extra_filter``); 409 when someone changed it meanwhile."""
    milestones = [milestone if m.n == milestone.n else m for m in project.milestones]
    after: TrainingProject = project.model_copy(
        update={
            "milestones": milestones,
            "version": project.version + 1,
            "paid_fen": project.paid_fen + inc_paid,
            "changed_at_ms": now_ms,
            "unposted": [*project.unposted, unposted] if unposted else project.unposted,
            "unposted_count": project.unposted_count + (1 if unposted else 0),
        }
    )
    change: dict[str, object] = {
        "$set": {
            "milestones": [m.model_dump(mode="json") for m in milestones],
            "version": after.version,
            "changed_at_ms": now_ms,
        }
    }
    if inc_paid or unposted:
        change["$inc"] = {"paid_fen": inc_paid, "unposted_count": 1 if unposted else 0}
        change["$push"] = {"unposted": unposted}
    done = await TrainingProject.get_pymongo_collection().update_one(
        {"_id": project.id, "version": project.version, **(extra_filter or {})}, change
    )
    if done.modified_count != 1:
        raise Conflict("the project changed meanwhile; look at it again")
    return after


async def claim(
    *,
    actor: Actor,
    project_id: str,
    n: int,
    note: str,
    min_share: float,
    limits: Thresholds,
) -> ProjectView:
    """The provider claims milestone ``n``: refused unless the records meet its condition,
    and while the provider is suspended (403, as a voucher claim is)."""
    if actor.role is not Role.PROVIDER:
        raise Forbidden("the project's provider claims a milestone")
    await acting_organisation(actor)
    project = await visible(actor, project_id)
    milestone = _find(project, n)
    if milestone.status is not MilestoneStatus.OPEN:
        raise InvalidTransition(
            f"milestone {n} is {milestone.status.value}, not open",
            current_state=milestone.status.value,
        )
    if len(note) > MAX_NOTE:
        raise ValidationFailed.single("note", "too_long", f"at most {MAX_NOTE} characters")
    now = clock.truncate_to_millis(clock.now())
    measures = await measure(project, min_share=min_share)
    measured = measures.of(milestone.condition)
    if measured < milestone.threshold:
        raise ValidationFailed.single(
            "milestone",
            "condition_not_met",
            f"{milestone.condition.value} is {measured}; the milestone needs {milestone.threshold}",
        )
    claimed = milestone.model_copy(
        update={
            "status": MilestoneStatus.CLAIMED,
            "claimed_at_ms": clock.epoch_ms(now),
            "claimed_by": actor.principal_id,
            "claim_note": " ".join(note.split()),
            "measured": measured,
            "flags": await screen(project, limits=limits, now=now),
            "disputed": measures.disputed,
            "first_approved_by": "",
            "first_approved_at_ms": 0,
        }
    )
    after = await _update(project, claimed, now_ms=clock.epoch_ms(now))
    await trail(project, after, f"milestone {n} claimed")
    return ProjectView.of(after, viewer=actor)


def payment_of(project: TrainingProject, milestone: Milestone) -> Payment:
    """The ledger entry of a paid milestone, from the project alone (every writer writes the
    same document)."""
    return Payment(
        entry_id=milestone_entry_id(str(project.id), milestone.n),
        kind=MILESTONE,
        reference=f"project:{project.id}",
        region_code=project.region_code,
        organisation_id=project.organisation_id,
        amount_fen=milestone.amount_fen,
        funding_source=project.funding_source,
        at_ms=milestone.paid_at_ms,
        by=Recorder(principal=milestone.paid_by, role="agency", region=project.region_code),
    )


async def _post(project: TrainingProject, n: int) -> bool:
    """Write milestone ``n``'s ledger entry and clear its note; safe to repeat."""
    wrote = await post(payment_of(project, _find(project, n)))
    await TrainingProject.get_pymongo_collection().update_one(
        {"_id": project.id, "unposted": {"$all": [n]}},
        {"$pull": {"unposted": n}, "$inc": {"unposted_count": -1}},
    )
    return wrote


async def decide(
    *,
    actor: Actor,
    project_id: str,
    n: int,
    approve: bool,
    note: str = "",
    acknowledge_flags: bool = False,
    min_share: float,
) -> ProjectView:
    """An officer of the project's region approves (pays, or notes the first of two
    approvals) or rejects (with a reason; the milestone opens again) a claimed milestone."""
    if actor.role is not Role.AGENCY:
        raise Forbidden("an agency of the project's region decides a milestone")
    project = await visible(actor, project_id)
    milestone = _find(project, n)
    if milestone.status is not MilestoneStatus.CLAIMED:
        raise InvalidTransition(
            f"milestone {n} is {milestone.status.value}, not claimed",
            current_state=milestone.status.value,
        )
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise ValidationFailed.single("note", "too_long", f"at most {MAX_NOTE} characters")
    now_ms = clock.epoch_ms(clock.truncate_to_millis(clock.now()))
    if not approve:
        if not note:
            raise ValidationFailed.single("note", "required", "say why the claim is rejected")
        opened = milestone.model_copy(
            update={
                "status": MilestoneStatus.OPEN,
                "rejected_reason": note,
                "flags": [],
                "first_approved_by": "",
                "first_approved_at_ms": 0,
            }
        )
        after = await _update(project, opened, now_ms=now_ms)
        await trail(project, after, f"milestone {n} rejected: {note}")
        return ProjectView.of(after, viewer=actor)
    measures = await measure(project, min_share=min_share)
    measured = measures.of(milestone.condition)
    if measured < milestone.threshold:
        raise ValidationFailed.single(
            "milestone",
            "condition_not_met",
            f"{milestone.condition.value} is now {measured}; the milestone needs "
            f"{milestone.threshold}",
        )
    if (milestone.flags or measures.disputed) and not acknowledge_flags:
        raise ValidationFailed.single(
            "acknowledge_flags",
            "acknowledge_flags",
            f"{len(milestone.flags)} flag(s) and {measures.disputed} dispute(s): read them and "
            "acknowledge them to approve",
        )
    limit = project.two_approvals_above_fen
    if limit is not None and milestone.amount_fen > limit and not milestone.first_approved_by:
        first = milestone.model_copy(
            update={"first_approved_by": actor.principal_id, "first_approved_at_ms": now_ms}
        )
        after = await _update(project, first, now_ms=now_ms)
        await trail(project, after, f"milestone {n}: first of two approvals")
        return ProjectView.of(after, viewer=actor)
    if milestone.first_approved_by == actor.principal_id:
        raise Conflict("a second officer approves it: you gave the first approval")
    if project.paid_fen + milestone.amount_fen > project.budget_fen:
        raise ValidationFailed.single(
            "milestone", "over_budget", "paying it would exceed the project's budget"
        )
    paid = milestone.model_copy(
        update={
            "status": MilestoneStatus.PAID,
            "measured": measured,
            "disputed": measures.disputed,
            "paid_at_ms": now_ms,
            "paid_by": actor.principal_id,
        }
    )
    after = await _update(
        project,
        paid,
        now_ms=now_ms,
        extra_filter={"paid_fen": {"$lte": project.budget_fen - milestone.amount_fen}},
        inc_paid=milestone.amount_fen,
        unposted=n,
    )
    await trail(project, after, f"milestone {n} paid" + (f": {note}" if note else ""))
    crash_point(AFTER_PAYMENT)
    await _post(after, n)
    return ProjectView.of(after, viewer=actor)


@dataclass(frozen=True)
class PaymentsFinished:
    """What the repair routine did: ledger entries written now, notes cleared."""

    ledger_entries: int
    cleared: int


async def finish_payments(*, changed_before: datetime) -> PaymentsFinished:
    """Finish every paid milestone whose ledger entry is not known written (repair); a
    project changed since ``changed_before`` is left to its request."""
    written = cleared = 0
    cutoff = clock.epoch_ms(changed_before)
    async for project in TrainingProject.find({"unposted_count": {"$gt": 0}}):
        if project.changed_at_ms >= cutoff:
            continue
        for n in list(project.unposted):
            written += await _post(project, n)
            cleared += 1
    return PaymentsFinished(written, cleared)
