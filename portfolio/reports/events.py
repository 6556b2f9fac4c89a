"""The reports as a subscriber of the domain events (``portfolio.events``).

The counters move when the source areas' events are delivered: completions and certificates
(training), voucher changes (vouchers), agreement changes (apprenticeships). Each event's
effect is computed from its payload alone (the facts as the change left them), so a delivery
today and one after a crash a day later write the same increments, and every write is guarded
by the event's id (``counters.apply``, ``markers.move_markers``):

1. the markers of the distinct counts move (guarded; what each move did is read back);
2. the cells and their rollups take the increments (guarded ``$inc`` upserts);
3. the dispatcher stores the receipt ``reports|<event id>`` with the cells written;
4. ``settle`` pulls the event's id out of those cells again.

Crash windows: between 1 and 2, or within 2, the event is delivered again (it is still open)
and every write already done is refused by its guard, the rest are done; after 2 and before 3
the same, all refused; after 3 the receipt makes the next delivery skip to 4, which is
idempotent. So a replay changes no figure. ``portfolio reports rebuild`` stays the way to
recount everything from the sources (after a bug, or a restore of an old backup).
"""

from __future__ import annotations

from portfolio.apprenticeships import AgreementChanged
from portfolio.events import DomainEvent
from portfolio.faults import crash_point
from portfolio.reports import apprenticeships, levels, training, vouchers
from portfolio.reports.counters import Changes, apply, unsettle
from portfolio.training import CertificateChanged, CompletionsRecorded
from portfolio.vouchers import VouchersChanged

# Killed here (":<event name>" follows), an event has moved its markers but not its cells.
AFTER_MARKERS = "reports:after_markers"


async def changes_of(event: DomainEvent) -> Changes:
    """What ``event`` adds to the counters (markers moved once per event along the way)."""
    changes = Changes()
    if event.name == CompletionsRecorded.NAME:
        facts = CompletionsRecorded.model_validate(event.payload)
        changes = await training.completion_changes(facts, guard=event.id)
    elif event.name == CertificateChanged.NAME:
        certificate = CertificateChanged.model_validate(event.payload)
        changes = await training.certificate_changes(certificate, guard=event.id)
        levels.add_certificate(changes, certificate)
    elif event.name == VouchersChanged.NAME:
        for change in VouchersChanged.model_validate(event.payload).changes:
            vouchers.add_change(changes, change)
    elif event.name == AgreementChanged.NAME:
        agreement = AgreementChanged.model_validate(event.payload)
        apprenticeships.add_agreement(
            changes, agreement.before_status, agreement, agreement.subsidy_owed_fen
        )
        levels.add_agreement(changes, agreement.before_status, agreement)
    return changes


async def handle(event: DomainEvent) -> dict[str, list[str]]:
    """Apply ``event`` to the counters, once; the cells written (for ``settle``)."""
    changes = await changes_of(event)
    crash_point(f"{AFTER_MARKERS}:{event.name}")
    return await apply(changes, guard=event.id)


async def settle(event: DomainEvent, written: dict[str, list[str]]) -> None:
    """Take the event's guard out of the cells it was written to (after its receipt)."""
    await unsettle(written, event.id)
