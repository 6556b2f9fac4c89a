"""Who listens to the domain events: the one place that wires subscribers to the outbox.

``portfolio.events.ROUTES`` names, per event, the subscribers that receive it; this module
installs their handlers (``bootstrap.prepare`` calls ``install`` at start-up, in the service and
in every command). It imports the subscribing areas, so no publishing area has to: training,
vouchers and apprenticeships never import the reports.
"""

from __future__ import annotations

from portfolio import credentials, events
from portfolio.reports import handle_event, settle_event
from portfolio.training.catalogue_terms import register_voucher_lookup
from portfolio.vouchers import on_event, usable_vouchers


def install() -> None:
    """Install every subscriber's handlers (idempotent)."""
    events.install(
        {
            "reports": events.Subscriber(handle=handle_event, settle=settle_event),
            "vouchers": events.Subscriber(handle=on_event),
            "credentials": events.Subscriber(handle=credentials.on_event),
        }
    )
    # The catalogue's "my voucher pays for it" asks the vouchers area (training cannot import it).
    register_voucher_lookup(usable_vouchers)
