"""What the vouchers area does when other areas' events are delivered (``portfolio.events``).

``training.enrolment_ended``: a voucher bound to an enrolment that was withdrawn or refused
goes back to the worker (bound -> issued), recorded as done by whoever ended the enrolment.
The effect is conditional on the state it moves, so a second delivery changes nothing: only an
enrolment still as the event left it (same status and version) releases, and only a voucher
still bound to it is released, each by one conditional update.
"""

from __future__ import annotations

from portfolio.events import DomainEvent
from portfolio.training import EnrolmentEnded, find_enrolment
from portfolio.vouchers.transitions import release_for_enrolment


async def on_event(event: DomainEvent) -> None:
    """Apply one delivered event (the vouchers subscriber's ``handle``)."""
    if event.name != EnrolmentEnded.NAME:
        return
    ended = EnrolmentEnded.model_validate(event.payload)
    enrolment = await find_enrolment(ended.enrolment_id)
    if enrolment is None or (enrolment.status, enrolment.version) != (ended.status, ended.version):
        return  # enrolled again since: the voucher stays with the enrolment
    await release_for_enrolment(
        by=ended.by,
        enrolment_id=ended.enrolment_id,
        reason=f"the enrolment was {ended.status.value}",
    )
