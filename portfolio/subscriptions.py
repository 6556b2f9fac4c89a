"""Who listens to the domain events: the one place that wires subscribers to the outbox.

``portfolio.events.ROUTES`` names, per event, the subscribers that receive it; this module
installs their handlers (``bootstrap.prepare`` calls ``install`` at start-up, in the service and
in every command). It imports the subscribing areas, so no publishing area has to: training,
vouchers and apprenticeships never import the reports.
"""

from __future__ import annotations

from portfolio import events
from portfolio.reports import handle_event, settle_event
from portfolio.vouchers import on_event


def install() -> None:
    """Install every subscriber's handlers (idempotent)."""
    events.install(
        {
            "reports": events.Subscriber(handle=handle_event, settle=settle_event),
            "vouchers": events.Subscriber(handle=on_event),
        }
    )
