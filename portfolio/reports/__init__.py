"""Agency statistics: counters kept up to date as events happen, and the reports over them.

The public face of the area: what other areas may use (they import from ``portfolio.reports``,
never from its modules). No area calls the reports to count something: the reports subscribe
to the other areas' domain events (``events.py``; wired in ``portfolio.subscriptions``).
"""

from portfolio.reports.events import handle as handle_event
from portfolio.reports.events import settle as settle_event
from portfolio.reports.rebuild import Rebuilt, rebuild
from portfolio.reports.uncatalogued import (
    UncataloguedCode,
    UncataloguedReport,
    uncatalogued_codes,
)

__all__ = [
    "Rebuilt",
    "UncataloguedCode",
    "UncataloguedReport",
    "handle_event",
    "rebuild",
    "settle_event",
    "uncatalogued_codes",
]
