"""``/metrics`` scraped as Prometheus would: its figures move with the requests made, and
every log line written during a request carries the request's id."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

from api import logs
from api.runtime import Runtime
from portfolio.accounts.principal import Role
from tests.helpers import log_in_as


async def _scrape(client: AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_the_scrape_counts_requests_by_route_template_and_status(
    client: AsyncClient,
) -> None:
    before = await _scrape(client)
    for _ in range(3):
        assert (await client.get("/healthz")).status_code == 200
    # Two different runs, one series: the template, never the id.
    for run_id in ("0123456789abcdef01234567", "fedcba9876543210fedcba98"):
        assert (await client.get(f"/catalogue/runs/{run_id}")).status_code == 404
    assert (await client.get("/no/such/route")).status_code == 404
    after = await _scrape(client)

    requests = "portfolio_http_requests_total"
    healthz = {"method": "GET", "route": "/healthz", "status": "200"}
    assert _value(after, requests, **healthz) - _value(before, requests, **healthz) == 3
    template = {"method": "GET", "route": "/catalogue/runs/{run_id}", "status": "404"}
    assert _value(after, requests, **template) - _value(before, requests, **template) == 2
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404"}
    assert _value(after, requests, **unmatched) - _value(before, requests, **unmatched) == 1
    assert not any("0123456789abcdef01234567" in str(key) for key in after)

    latency = "portfolio_http_request_duration_seconds_count"
    moved = _value(after, latency, method="GET", route="/healthz") - _value(
        before, latency, method="GET", route="/healthz"
    )
    assert moved == 3
    # The scrape before this one was counted too.
    metrics = {"method": "GET", "route": "/metrics", "status": "200"}
    assert _value(after, requests, **metrics) - _value(before, requests, **metrics) == 1


async def test_queue_sizes_and_repair_runs_are_scraped(
    client: AsyncClient, runtime: Runtime
) -> None:
    from datetime import timedelta

    from portfolio.repair import repair

    before = await _scrape(client)
    assert ("portfolio_queue_size", (("queue", "open_events"),)) in before
    assert ("portfolio_queue_size", (("queue", "claims_waiting"),)) in before
    report = await repair(grace=timedelta(0))
    assert report.ran
    after = await _scrape(client)
    runs = "portfolio_repair_runs_total"
    assert _value(after, runs, outcome="ran") - _value(before, runs, outcome="ran") == 1


@pytest.fixture
def captured() -> Iterator[list[logging.LogRecord]]:
    """Records that reach the root logger through the request-id filter, as in ``serve``."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.INFO)
    handler.addFilter(logs.RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_service_log_line_carries_the_request_id(
    client: AsyncClient, runtime: Runtime, captured: list[logging.LogRecord]
) -> None:
    await log_in_as(client, runtime.settings, Role.ADMIN)
    response = await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "nobody-at-all", "password": "wrong-password"},
        headers={"X-Request-ID": "quoted-by-a-user-42"},
    )
    assert response.status_code in (400, 401)
    lines = [r for r in captured if getattr(r, "request_id", None) == "quoted-by-a-user-42"]
    messages = {r.getMessage() for r in lines}
    # The service's own line, not only the access line.
    assert "login with an unknown username" in messages, messages
    assert "request" in messages
    formatted = logs.JsonFormatter().format(lines[0])
    assert '"request_id": "quoted-by-a-user-42"' in formatted
