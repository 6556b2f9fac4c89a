"""``GET /metrics``: what the service did, in the Prometheus text format (prometheus-client).

What is counted, and where:

* every request, by method, route *template* (``/runs/{run_id}``, never the concrete path, so
  the series stay few and no identifier leaks into them) and status, with a latency histogram
  (the request middleware calls :func:`observe_request`);
* database errors: commands the server failed, heartbeats that failed (the store went away),
  and answers of 503 (the driver gave up selecting a server), from the driver's own monitoring
  hooks and the middleware;
* repair runs and what each fixed, by kind (the repair routine's observer hook);
* queue sizes read at scrape time: open domain events, claims waiting for a decision
  (``portfolio.queues.sizes``).

The registry is this module's own (not prometheus-client's global one), so several apps in
one process (the tests) share one set of series, as one process serving one app would.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict

from fastapi import APIRouter, FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from pymongo import monitoring

from portfolio import queues, repair

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "portfolio_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"),
    registry=REGISTRY,
)
LATENCY = Histogram(
    "portfolio_http_request_duration_seconds",
    "Time from a request's arrival to its last byte sent, by method and route template.",
    ("method", "route"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
DATABASE_ERRORS = Counter(
    "portfolio_database_errors",
    "Database errors: failed commands (by command), failed heartbeats, 503 answers.",
    ("kind", "command"),
    registry=REGISTRY,
)
REPAIR_RUNS = Counter(
    "portfolio_repair_runs",
    "Runs of the repair routine (outcome: ran, skipped while another process ran it).",
    ("outcome",),
    registry=REGISTRY,
)
REPAIR_FIXED = Counter(
    "portfolio_repair_fixed",
    "What the repair routine finished or corrected, by kind.",
    ("what",),
    registry=REGISTRY,
)
QUEUE = Gauge(
    "portfolio_queue_size",
    "Work waiting, read at scrape time (open events, claims waiting for a decision).",
    ("queue",),
    registry=REGISTRY,
)

# Requests no route matched are one series, not one per probed path.
UNMATCHED = "<unmatched>"


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    """Count one answered request (the request middleware calls this for every request)."""
    template = route or UNMATCHED
    REQUESTS.labels(method, template, str(status)).inc()
    LATENCY.labels(method, template).observe(seconds)
    if status == 503:
        DATABASE_ERRORS.labels("unavailable_answer", "").inc()


def _on_repair(report: repair.RepairReport) -> None:
    if not report.ran:
        REPAIR_RUNS.labels("skipped").inc()
        return
    REPAIR_RUNS.labels("ran").inc()
    for what, count in asdict(report).items():
        if isinstance(count, int) and not isinstance(count, bool) and count:
            REPAIR_FIXED.labels(what).inc(count)
    for what, count in report.recounted.items():
        REPAIR_FIXED.labels(f"recount_{what}").inc(count)


class _CommandErrors(monitoring.CommandListener):
    """Counts commands the server (or the connection) failed."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        """Not counted."""

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        """Not counted."""

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        """One failed command."""
        DATABASE_ERRORS.labels("command", event.command_name).inc()


class _HeartbeatErrors(monitoring.ServerHeartbeatListener):
    """Counts heartbeats that failed: the database stopped answering."""

    def started(self, event: monitoring.ServerHeartbeatStartedEvent) -> None:
        """Not counted."""

    def succeeded(self, event: monitoring.ServerHeartbeatSucceededEvent) -> None:
        """Not counted."""

    def failed(self, event: monitoring.ServerHeartbeatFailedEvent) -> None:
        """One failed heartbeat."""
        DATABASE_ERRORS.labels("heartbeat", "").inc()


_hooks_lock = threading.Lock()
_hooked = False


def _hook_once() -> None:
    """Register the driver listeners and the repair observer once per process (clients made
    after this see the listeners: the app's client is made in its lifespan, later)."""
    global _hooked
    with _hooks_lock:
        if _hooked:
            return
        monitoring.register(_CommandErrors())
        monitoring.register(_HeartbeatErrors())
        repair.observe(_on_repair)
        _hooked = True


router = APIRouter(tags=["service"])


@router.get(
    "/metrics",
    summary="Metrics in the Prometheus text format",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def get_metrics() -> Response:
    """Counters, histograms and queue sizes for a Prometheus scraper. Figures only: no
    identifiers, no personal data; serve it to the monitoring network only."""
    for name, size in (await queues.sizes()).items():
        QUEUE.labels(name).set(size)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """Add ``/metrics`` to ``app`` and hook the driver and the repair routine."""
    _hook_once()
    app.include_router(router)
