"""The agency's review of a draft agreement before it approves: the parties' rules checked
now (the employment registration with the employer and its labour contract, the mentors,
the institution, no other running apprenticeship), and sending the draft back to its
parties with the change it needs.

Sending back is one conditional update (``history.move``): the draft keeps its status, the
employer's and the institution's approvals are reset (each must approve the changed draft
again, after changing it through a change request), and the event ``sent_back`` carries the
officer's words. Two officers sending back or approving at once: one wins, the other gets
the Conflict naming the state it is in now.
"""

from __future__ import annotations

from portfolio import clock
from portfolio.accounts import Actor, Role
from portfolio.apprenticeships import history
from portfolio.apprenticeships.access import get_visible
from portfolio.apprenticeships.agreements import recheck
from portfolio.apprenticeships.enums import ApprenticeshipStatus, EventAction, Party
from portfolio.apprenticeships.views import ApprenticeshipView
from portfolio.errors import FieldError, Forbidden, InvalidTransition, ValidationFailed

MAX_CHANGE = 500


def _require_agency(actor: Actor, region_code: str) -> None:
    if actor.role is not Role.AGENCY or not actor.covers_region(region_code):
        raise Forbidden(
            f"only an agency covering the employer's region ({region_code}) reviews this "
            "apprenticeship"
        )


async def rule_check(*, actor: Actor, apprenticeship_id: str) -> list[FieldError] | None:
    """Every rule the agreement breaks today, as the approval would find it (empty: none);
    None for an agency that sees the agreement (its apprentice lives in its region) but
    does not approve it (the employer is elsewhere)."""
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    if actor.role is not Role.AGENCY or not actor.covers_region(apprenticeship.region_code):
        return None
    try:
        await recheck(apprenticeship, today=clock.china_today())
    except ValidationFailed as failed:
        return list(failed.errors)
    return []


async def send_back(
    *, actor: Actor, apprenticeship_id: str, change_needed: str
) -> ApprenticeshipView:
    """Return a draft to its parties with the change it needs; their approvals are reset."""
    needed = change_needed.strip()
    if not needed or len(needed) > MAX_CHANGE:
        raise ValidationFailed.single(
            "change_needed", "length", f"say what must change, in 1 to {MAX_CHANGE} characters"
        )
    apprenticeship = await get_visible(actor=actor, apprenticeship_id=apprenticeship_id)
    _require_agency(actor, apprenticeship.region_code)
    if apprenticeship.status is not ApprenticeshipStatus.DRAFT:
        raise InvalidTransition(
            f"only a draft can be sent back; this apprenticeship is {apprenticeship.status.value}",
            current_state=apprenticeship.status.value,
        )
    noted = history.note(
        apprenticeship,
        action=EventAction.SENT_BACK,
        party=Party.AGENCY,
        actor=actor,
        now=clock.now(),
        reason=needed,
    )
    moved = await history.move(
        apprenticeship, noted, {"employer_approved": False, "institution_approved": False}
    )
    return ApprenticeshipView.of(moved)
