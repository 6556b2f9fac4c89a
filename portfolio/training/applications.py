"""A worker applies to a class from the catalogue, and may withdraw the application.

Applying is the provider's enrolment (``enrolments.place_worker``: the worker's schedule, a
seat, the enrolment unique per run and worker) done by the worker, in state ``requested``;
the provider then accepts or refuses it (``lifecycle.py``). Every refusal says why in a stable
``reason`` (the pages put it in words):

* ``already_applied``: the worker has an application or enrolment in this class under way;
* ``refused``: the provider refused them for this class (only the provider may enrol them now);
* ``ended``, ``full``, ``provider_inactive``: the class takes no applications;
* ``overlap``: a session overlaps one of another class the worker is booked in.

A worker who withdrew may apply again: the same enrolment is reopened.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from portfolio import clock, ids
from portfolio.accounts import Actor
from portfolio.archives import archive_by_id, require_worker
from portfolio.errors import Conflict, InvalidTransition, NotFound
from portfolio.training.catalogue import closed_reason
from portfolio.training.documents import Enrolment, Organisation, Run
from portfolio.training.enrolments import REOPENABLE, place_worker
from portfolio.training.enums import EnrolmentStatus, WithdrawReason
from portfolio.training.lifecycle import Move, move, visible_enrolment
from portfolio.training.views import EnrolmentView

# An application (or the enrolment it became) the worker may still take back here; once in
# training, withdrawing is the enrolment's business (``POST /enrolments/{id}/withdraw``).
WITHDRAWABLE = frozenset({EnrolmentStatus.REQUESTED, EnrolmentStatus.ACCEPTED})


class Refusal(StrEnum):
    """Why an application is refused (the ``reason`` of the 409)."""

    ALREADY_APPLIED = "already_applied"
    REFUSED = "refused"
    ENDED = "ended"
    FULL = "full"
    PROVIDER_INACTIVE = "provider_inactive"
    OVERLAP = "overlap"


_SAID = {
    Refusal.ALREADY_APPLIED: "you have already applied to this class",
    Refusal.REFUSED: "the provider refused your application to this class",
    Refusal.ENDED: "the class has ended",
    Refusal.FULL: "the class is full",
    Refusal.PROVIDER_INACTIVE: "the provider takes no applications at the moment",
    Refusal.OVERLAP: "a session overlaps one of another class you are booked in",
}


def refused(reason: Refusal, **extra: object) -> Conflict:
    """The 409 of a refused application, with its ``reason``."""
    return Conflict(_SAID[reason], reason=reason.value, **extra)


def _said_by_placing(error: Conflict) -> Conflict:
    """The booking's and the seat's own refusals, said as an application's."""
    if "clashing_run_id" in error.extra:
        return refused(Refusal.OVERLAP, **error.extra)
    if "capacity" in error.extra:
        return refused(Refusal.FULL)
    return refused(Refusal.ALREADY_APPLIED)


async def apply(*, actor: Actor, run_id: str, now: datetime | None = None) -> EnrolmentView:
    """The signed-in worker applies to a class open for applications (see the docstring)."""
    archive = await archive_by_id(require_worker(actor))
    if archive is None:
        raise NotFound("no such worker")
    run = await Run.get(ids.parse(run_id, "run"))
    if run is None:
        raise NotFound("no such run")
    now = now or clock.now()
    existing = await Enrolment.find_one({"run_id": str(run.id), "archive_id": str(archive.id)})
    if existing is not None:
        if existing.status is EnrolmentStatus.REFUSED:
            raise refused(Refusal.REFUSED)
        if existing.status not in REOPENABLE:
            raise refused(Refusal.ALREADY_APPLIED)
    organisation = await Organisation.get(ids.parse(run.organisation_id, "organisation"))
    closed = closed_reason(run, organisation, clock.china_today(now))
    if closed is not None:
        raise refused(Refusal(closed.value))
    try:
        placed = await place_worker(actor=actor, run=run, archive=archive, accept=False, now=now)
    except Conflict as error:
        raise _said_by_placing(error) from None
    return EnrolmentView.of(placed)


async def withdraw(*, actor: Actor, enrolment_id: str) -> EnrolmentView:
    """The worker takes back their application (requested, or accepted before training)."""
    require_worker(actor)
    enrolment = await visible_enrolment(actor, enrolment_id)
    if enrolment.status not in WITHDRAWABLE:
        raise InvalidTransition(
            f"only an application not yet in training can be withdrawn; it is "
            f"{enrolment.status.value}",
            current_state=enrolment.status.value,
        )
    step = Move(action="withdraw", withdraw_reason=WithdrawReason.WORKER)
    return await move(actor=actor, enrolment_id=enrolment_id, step=step)
