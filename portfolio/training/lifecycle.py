"""An enrolment's life after enrolling: who may see it, and its moves (accept, refuse, start,
withdraw).

Each move is one conditional update on the enrolment's status and version, so of two racing
moves one wins. A move that ends the enrolment before training gives back its seat and the
worker's booking, and publishes ``training.enrolment_ended``: the vouchers area listens and
gives a voucher bound to the enrolment back to the worker (training knows nothing of vouchers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from portfolio import ids
from portfolio.accounts import Actor, Role
from portfolio.archives import Recorder, log_reads
from portfolio.errors import Conflict, Forbidden, NotFound, ValidationFailed
from portfolio.training.booking import give_back_seats, unbook
from portfolio.training.changes import record_enrolment_change
from portfolio.training.documents import Enrolment
from portfolio.training.enums import EnrolmentStatus, WithdrawReason
from portfolio.training.events import publish_enrolment_ended
from portfolio.training.organisations import acting_organisation
from portfolio.training.rules import HOLDS_SEAT, next_enrolment_state
from portfolio.training.views import EnrolmentView

# An enrolment that ended this way before its training gives its voucher back.
ENDED_EARLY = frozenset({EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REFUSED})

Action = Literal["accept", "refuse", "start", "withdraw"]


@dataclass(frozen=True)
class Move:
    """One move of an enrolment: the action, a note, and (to withdraw) the reason code."""

    action: Action
    reason: str = ""
    withdraw_reason: WithdrawReason | None = None


def can_see(actor: Actor, enrolment: Enrolment) -> bool:
    """Its provider, its worker, or an agency of the worker's region (an admin sees no worker
    data)."""
    if actor.role is Role.PROVIDER:
        return actor.organisation_id == str(enrolment.organisation_id)
    if actor.role is Role.WORKER:
        return actor.archive_id == str(enrolment.archive_id)
    if actor.role is Role.AGENCY:
        return actor.covers_region(enrolment.worker_region_code)
    return False


async def visible_enrolment(actor: Actor, enrolment_id: str) -> Enrolment:
    """The stored enrolment if ``actor`` may see it, else NotFound."""
    enrolment = await Enrolment.get(ids.parse(enrolment_id, "enrolment"))
    if enrolment is None or not can_see(actor, enrolment):
        raise NotFound("no such enrolment")
    return enrolment


async def get_enrolment(*, actor: Actor, enrolment_id: str) -> EnrolmentView:
    """An enrolment within reach: its provider, its worker, an agency of the worker's region."""
    enrolment = await visible_enrolment(actor, enrolment_id)
    await log_reads(actor, [enrolment.archive_id], what="enrolment")
    return EnrolmentView.of(enrolment)


async def move(*, actor: Actor, enrolment_id: str, step: Move) -> EnrolmentView:
    """accept / refuse / start (the provider) or withdraw (provider, worker or agency)."""
    enrolment = await visible_enrolment(actor, enrolment_id)
    if step.action == "withdraw":
        if actor.role is Role.PROVIDER:
            await acting_organisation(actor)
        if step.withdraw_reason is None:
            raise ValidationFailed.single("reason_code", "required", "a reason code is required")
    else:
        # Only the provider running the class moves it forward.
        if actor.role is not Role.PROVIDER:
            raise Forbidden("only the provider running the class may do this")
        await acting_organisation(actor)
    target = next_enrolment_state(step.action, enrolment.status)
    update: dict[str, object] = {"status": target.value, "status_reason": step.reason}
    if step.withdraw_reason is not None:
        update["withdraw_reason"] = step.withdraw_reason.value
    result = await Enrolment.get_pymongo_collection().update_one(
        {"_id": enrolment.id, "status": enrolment.status.value, "version": enrolment.version},
        # $currentDate, not $set: nx-27017 stores a $set datetime as a naive string.
        {"$set": update, "$currentDate": {"updated_at": True}, "$inc": {"version": 1}},
    )
    if result.modified_count != 1:
        fresh = await Enrolment.get(enrolment.id)
        state = fresh.status.value if fresh else enrolment.status.value
        raise Conflict(f"the enrolment changed meanwhile; it is now {state}", current_state=state)
    if target in ENDED_EARLY:
        moved = enrolment.model_copy(
            update={
                "status": target,
                "status_reason": step.reason,
                "version": enrolment.version + 1,
            }
        )
        await publish_enrolment_ended(moved, Recorder.of(actor))
    if enrolment.status in HOLDS_SEAT and target not in HOLDS_SEAT:
        await give_back_seats(enrolment.run_id, 1)
        await unbook(ids.parse(enrolment.archive_id, "worker"), enrolment.run_id)
    fresh = await Enrolment.get(enrolment.id)
    assert fresh is not None
    await record_enrolment_change(enrolment, fresh, reason=step.reason or step.action)
    return EnrolmentView.of(fresh)


async def transition(
    *,
    actor: Actor,
    enrolment_id: str,
    action: Action,
    reason: str = "",
    withdraw_reason: WithdrawReason | None = None,
) -> EnrolmentView:
    """:func:`move` with the move spelled out (the demo data's form)."""
    step = Move(action=action, reason=reason, withdraw_reason=withdraw_reason)
    return await move(actor=actor, enrolment_id=enrolment_id, step=step)
